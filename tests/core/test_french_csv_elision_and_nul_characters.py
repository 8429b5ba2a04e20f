"""Staff pages: the audit and departments CSV files open in a French
spreadsheet, French never writes « de Alice », and a NUL character typed in a form no
longer throws away the whole form."""

import csv
import html
import io
import re
from datetime import UTC, datetime

from babel.messages.pofile import read_po
from sqlalchemy import func, select

from app.auth.models import ApiToken
from app.cleanup.models import CleanupCampaign
from app.core.audit import record_audit
from app.core.models import Department
from app.extensions import db
from tests.cleanup.conftest import post_new_campaign
from tests.conftest import csrf_token, login

BOM = "\ufeff"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- 1. CSV files for a French spreadsheet ------------------------------------------------


def test_the_audit_csv_is_written_for_a_french_spreadsheet_in_paris_time(client, make):
    """Semicolons, a byte order mark and the times the page shows (it was commas, no BOM
    and UTC); a cell that starts like a formula is still neutralised."""
    admin = make.user(roles=("admin",), email="chief@example.org")
    winter = datetime(2026, 12, 5, 3, 28, 11, tzinfo=UTC)  # 04:28:11 in Paris (UTC+1)
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 12:00 in Paris (UTC+2)
    record_audit(admin, "update", "catalogue_item", 1, winter, "=1+1; lifetime 4 -> 5")
    record_audit(admin, "update", "catalogue_item", 2, summer, "Numérique responsable")
    db.session.commit()
    login(client, admin)

    response = client.get("/admin/audit.csv")

    assert response.data.startswith(BOM.encode())
    assert response.get_data(as_text=True)[1:].split("\r\n") == [
        "Date et heure (Europe/Paris);Auteur;Action;Type d'objet;Numéro de l'objet;Détails;"
        "Nom de l'objet;Code de l'action;Code du type d'objet;Détails tels qu'enregistrés",
        "2026-12-05 04:28:11;chief@example.org;Modification;Article du catalogue;1;"
        '"\'=1+1; lifetime 4 -> 5";;update;catalogue_item;"\'=1+1; lifetime 4 -> 5"',
        "2026-07-01 12:00:00;chief@example.org;Modification;Article du catalogue;2;"
        "Numérique responsable;;update;catalogue_item;Numérique responsable",
        "",
    ]


def test_the_audit_csv_counts_days_as_its_filters_do(client, make):
    """An event at 00:30 in Paris on 5 December (still the 4th in UTC) is found by the
    filter « since 5 December », and the file says the 5th too."""
    admin = make.user(roles=("admin",), locale="en")
    record_audit(admin, "publish", "cleanup_campaign", 7, datetime(2026, 12, 4, 23, 30, tzinfo=UTC))
    db.session.commit()
    login(client, admin)

    text = client.get("/admin/audit.csv?since=2026-12-05&until=2026-12-05").get_data(as_text=True)

    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))  # English: commas
    assert [row[0] for row in rows] == ["Date and time (Europe/Paris)", "2026-12-05 00:30:00"]


def test_the_departments_csv_opens_in_a_french_spreadsheet_and_imports_again_as_is(
    client, auth, make
):
    admin = make.user(roles=("admin",))
    make.department(code="DNUM", name_fr="Direction du numérique", name_en="Digital")
    login(client, admin)

    exported = client.get("/admin/departments.csv").data

    assert exported.startswith(BOM.encode())
    lines = exported.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "code;name_fr;name_en;commune"
    assert any(line.startswith("DNUM;Direction du numérique;Digital;") for line in lines)
    before = db.session.scalar(select(func.count()).select_from(Department))
    answer = auth.post(
        "/admin/departments",
        {"file": (io.BytesIO(exported), "departments.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Department)) == before
    assert db.session.scalar(select(Department.name_fr).filter_by(code="DNUM")) == (
        "Direction du numérique"
    )


# --- 2. French elision before a name ------------------------------------------------------


def test_admin_dialogs_never_write_de_before_a_name_that_starts_with_a_vowel(client, auth, make):
    """« Faire de Alice Martin un administrateur » should have been « d'Alice »: the
    French is worded so that no name needs an elision."""
    login(client, make.user(roles=("admin",)))
    alice = make.user(display_name="Alice Martin", email="alice.martin@example.org")

    roles = _text(client.get("/admin/roles?q=alice"))
    person = _text(client.get(f"/admin/people/{alice.id}"))
    answer = auth.post(f"/admin/people/{alice.id}/status", {"change": "deactivate"})
    flashed = _text(client.get(answer.location))

    assert "Donner le rôle «\u00a0Administrateur\u00a0» à Alice Martin\u00a0?" in roles
    assert "Désactiver ce compte (Alice Martin)\u00a0?" in person
    assert "Le compte alice.martin@example.org est désactivé" in flashed
    assert not re.search(r"\b(de|que) (Alice|alice)", roles + person + flashed)


def test_no_french_message_puts_de_or_que_before_a_persons_name_or_address():
    """Names and addresses may start with a vowel (« de Alice », « que alice@… »)."""
    with open("translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    before_a_name = re.compile(r"\b(de|que) %\((name|email|person|display_name)\)s")
    found = [
        message.id
        for message in catalogue
        for text in (message.string if isinstance(message.string, tuple) else [message.string])
        if text and before_a_name.search(text)
    ]
    assert found == []


# --- 3. A NUL character in a form -----------------------------------------------------------


def test_a_nul_character_in_a_campaign_name_is_dropped_and_the_campaign_saved(client, make):
    """It was a bare « Erreur 400 » page, and everything typed was lost."""
    login(client, make.user(roles=("organiser",)))
    client.get("/cleanup/campaigns/new")

    response = post_new_campaign(client, name_fr="Grand\x00 ménage", name_en="Big\x00 clean-up")

    assert response.status_code == 302
    campaign = db.session.scalar(select(CleanupCampaign))
    assert (campaign.name_fr, campaign.name_en) == ("Grand ménage", "Big clean-up")


def test_a_form_with_a_nul_character_and_a_mistake_comes_back_with_what_was_typed(client, make):
    login(client, make.user(roles=("organiser",)))
    client.get("/cleanup/campaigns/new")

    response = post_new_campaign(client, name_fr="Grand\x00 ménage", name_en="")

    assert response.status_code == 422
    page = _text(response)
    assert 'value="Grand ménage"' in page and 'aria-invalid="true"' in page
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0


def test_a_nul_character_in_a_search_is_ignored(client, make):
    login(client, make.user(roles=("admin",)))
    make.user(display_name="Alice Martin")

    response = client.get("/admin/roles?q=Ali%00ce")

    assert response.status_code == 200
    assert "Alice Martin" in _text(response)


def test_a_nul_character_in_a_json_body_is_refused_with_a_message_and_saves_nothing(client, make):
    """Anywhere in the body, a list included (a form reads a list as the field's values):
    PostgreSQL cannot store it, and a program is told rather than have its data changed."""
    login(client, make.user(locale="fr"))
    token = csrf_token(client)

    response = client.post(
        "/auth/profile/tokens",
        json={"name": ["mon\x00téléphone"]},
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 400
    assert response.json["error"]["message"] == (
        "Un texte ne peut pas contenir le caractère NUL (U+0000)."
    )
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_nul_character_in_an_address_names_nothing(client, make):
    """`/recycling/returns/%00` put the segment into a query: PostgreSQL refused the text
    (a 500) where SQLite found nothing. A page says "not found", the API its JSON 400,
    and nothing is changed."""
    from tests.core.test_api import bearer, new_token

    person = make.user(locale="fr", roles=("agent", "organiser"))
    login(client, person)
    token = csrf_token(client)
    for address in (
        "/recycling/returns/%00",
        "/recycling/returns/RC-NZ55-HN3F%00/status",
        "/recycling/agent/returns/%00",
        "/cleanup/guides/%00/edit",
    ):
        assert client.get(address).status_code == 404, address
    withdrawn = client.post("/recycling/returns/%00/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 404

    client.get("/auth/sign-out")
    response = client.get("/api/v1/device-returns/%00", headers=bearer(new_token(person)))
    assert response.status_code == 400
    assert response.json["error"]["message"] == (
        "Un texte ne peut pas contenir le caractère NUL (U+0000)."
    )
