"""The audit CSV names its columns in the reader's language, as the campaign results
spreadsheet does, and a filter it cannot read is told (which field, what to correct) in
plain text rather than on the generic 400 page."""

import csv
import io
from datetime import UTC, datetime

from app.core.audit import record_audit
from app.extensions import db
from tests.conftest import login

BOM = "\ufeff"
WHEN = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _rows(response, delimiter: str) -> list[list[str]]:
    text = response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=delimiter))


def test_the_french_audit_csv_names_its_columns_in_french(client, make):
    admin = make.user(roles=("admin",), locale="fr", email="chief@example.org")
    record_audit(admin, "update", "catalogue_item", 1, WHEN, "durée 4 -> 5")
    db.session.commit()
    login(client, admin)

    rows = _rows(client.get("/admin/audit.csv"), ";")

    assert rows[0] == [
        "Date et heure (Europe/Paris)",
        "Auteur",
        "Action",
        "Type d'objet",
        "Numéro de l'objet",
        "Détails",
        "Nom de l'objet",
        "Code de l'action",
        "Code du type d'objet",
        "Détails tels qu'enregistrés",
    ]
    assert rows[1] == [
        "2026-12-05 10:00:00", "chief@example.org", "Modification", "Article du catalogue", "1",
        "durée 4 -> 5", "", "update", "catalogue_item", "durée 4 -> 5",
    ]  # fmt: skip


def test_the_english_audit_csv_names_its_columns_in_words(client, make):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    rows = _rows(client.get("/admin/audit.csv"), ",")
    assert rows[0] == [
        "Date and time (Europe/Paris)",
        "Actor",
        "Action",
        "Object type",
        "Object number",
        "Details",
        "Object name",
        "Action code",
        "Object type code",
        "Details as stored",
    ]


def test_a_date_the_csv_cannot_read_is_named_in_plain_text(client, make):
    login(client, make.user(roles=("admin",), locale="en"))

    response = client.get("/admin/audit.csv", query_string={"since": "2026-13-45", "text": "x"})

    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).splitlines() == [
        "No file was made: a filter cannot be read.",
        "From: Enter a valid date, as YYYY-MM-DD (e.g. 2026-03-01).",
        "Correct it on the audit log page: http://localhost/admin/audit?text=x&since=2026-13-45",
    ]


def test_the_bad_filter_answer_is_in_french_for_a_french_admin(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))

    response = client.get("/admin/audit.csv?since=2026-06-01&until=2026-01-01")

    assert response.status_code == 400
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "Aucun fichier n'a été créé\u00a0: un filtre est illisible."
    assert (
        lines[1]
        == "Au (inclus)\u00a0: Cette date précède la date «\u00a0Du\u00a0»\u00a0: inversez-les."
    )


def test_the_page_the_answer_points_to_shows_the_same_error(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    answer = client.get("/admin/audit.csv?since=2026-13-45").get_data(as_text=True)
    page_url = answer.splitlines()[-1].split(": ", 1)[1]
    page = client.get(page_url).get_data(as_text=True)
    assert 'id="since-error"' in page
