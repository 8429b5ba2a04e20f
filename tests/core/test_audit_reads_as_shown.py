"""The audit log's CSV and its "Containing" search read the events as the page shows them:
the CSV's rows were internal codes and stored details (`set_budget`, `catalogue_budget`,
`lifetime_years 4 -> 2.5`), and the search found events by words the page does not show
("_" in a stored `lifetime_years`) while an item withdrawn from the catalogue, shown by its
code only, was not found by its accented name."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest

from app.catalogue.audit import budget_summary
from app.catalogue.models import CatalogueItem
from app.core.audit import record_audit
from app.extensions import db
from tests.conftest import login

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _item(code: str, name_fr: str, name_en: str) -> CatalogueItem:
    item = CatalogueItem(
        code=code, kind="equipment", category="monitor", name_fr=name_fr, name_en=name_en,
        grade="C",
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    return item


def _csv(client, **query) -> list[list[str]]:
    answer = client.get("/admin/audit.csv", query_string=query)
    text = answer.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:200] else ","))


def _page_rows(client, **query) -> list[list[str]]:
    """The log's table as a reader sees it: each row's cells, markup aside."""
    page = client.get("/admin/audit", query_string=query).get_data(as_text=True)
    rows = re.findall(r"<tr>\s*(<td>.*?)</tr>", page, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in row] for row in cells]


@pytest.fixture
def budget_and_edit(make):
    """A French admin's budget set for a town hall and an edit of an item's lifetime."""
    admin = make.user(roles=("admin",), locale="fr", email="chief@example.org")
    hall = make.department(
        code="MAIRIE-33119", name_fr="Mairie de Cenon", name_en="Cenon Town Hall"
    )
    item = _item("EQ-LAP-02", "Portable standard", "Standard laptop")
    record_audit(
        admin, "set_budget", "catalogue_budget", 30, NOW, budget_summary(hall, 2026, 10, 12.5)
    )
    record_audit(
        admin, "update", "catalogue_item", item.id, NOW, "EQ-LAP-02: lifetime_years 4 -> 2.5"
    )
    db.session.commit()  # fmt: skip
    return admin, item


def test_the_audit_csv_rows_read_as_the_page_shows_them(client, budget_and_edit):
    admin, item = budget_and_edit
    login(client, admin)
    page = _page_rows(client)
    rows = _csv(client)[1:]
    edit, budget = rows
    assert edit[2:7] == [
        "Modification",
        "Article du catalogue",
        str(item.id),
        "EQ-LAP-02 · Durée de vie\u00a0: 4 → 2,5\u00a0ans",
        "Portable standard",
    ]
    assert budget[2:6] == [
        "Définition du budget",
        "Budget carbone",
        "30",
        "Mairie de Cenon, 2026\u00a0: 10 → 12,5\u00a0kg\u00a0CO₂e",
    ]
    # The same words as the page's: who, action, object and details.
    assert [row[1:6] for row in page] == [
        [csv_row[1], csv_row[2], f"{csv_row[3]} {csv_row[6] or '#' + csv_row[4]}", csv_row[5]]
        for csv_row in rows
    ]


def test_the_audit_csv_keeps_the_codes_and_stored_details_in_its_last_columns(
    client, budget_and_edit
):
    admin, _ = budget_and_edit
    login(client, admin)
    header, edit, budget = _csv(client)
    assert header[7:] == [
        "Code de l'action",
        "Code du type d'objet",
        "Détails tels qu'enregistrés",
    ]
    assert edit[7:] == ["update", "catalogue_item", "EQ-LAP-02: lifetime_years 4 -> 2.5"]
    assert budget[7:9] == ["set_budget", "catalogue_budget"]
    assert budget[9].startswith("2026: 10 -> 12.5; department MAIRIE-33119 {")


def test_the_english_audit_csv_reads_in_english(client, budget_and_edit):
    admin, _ = budget_and_edit
    admin.locale = "en"
    db.session.commit()
    login(client, admin)
    header, edit, budget = _csv(client)
    assert header[:7] == [
        "Date and time (Europe/Paris)", "Actor", "Action", "Object type", "Object number",
        "Details", "Object name",
    ]  # fmt: skip
    assert (edit[2], edit[3], edit[6]) == ("Updated", "Catalogue item", "Standard laptop")
    assert edit[5] == "EQ-LAP-02 · Lifetime: 4 → 2.5\u00a0years"
    assert (budget[2], budget[5]) == (
        "Budget set",
        "Cenon Town Hall, 2026: 10 → 12.5\u00a0kg\u00a0CO₂e",
    )


@pytest.fixture
def withdrawn(make):
    """A French admin, and a monitor withdrawn from the catalogue (its event stores its
    code only), next to an edit of another item."""
    admin = make.user(roles=("admin",), locale="fr")
    monitor = _item("EQ-MON-02", "Écran 24 pouces", "24-inch monitor")
    laptop = _item("EQ-LAP-02", "Portable standard", "Standard laptop")
    record_audit(admin, "discontinue", "catalogue_item", monitor.id, NOW, monitor.code)
    record_audit(admin, "update", "catalogue_item", laptop.id, NOW, "EQ-LAP-02: grade C -> B")
    db.session.commit()
    return admin, monitor


def test_an_item_withdrawn_from_the_catalogue_is_shown_by_its_name(client, withdrawn):
    admin, _ = withdrawn
    login(client, admin)
    (row,) = _page_rows(client, action="discontinue")
    assert row[2:] == ["Retrait du catalogue", "Article du catalogue Écran 24 pouces", "EQ-MON-02"]


@pytest.mark.parametrize("words", ["Écran 24", "écran 24", "ECRAN 24 POUCES", "EQ-MON"])
def test_an_item_withdrawn_from_the_catalogue_is_found_by_the_name_it_shows(
    client, withdrawn, words
):
    admin, _monitor = withdrawn
    login(client, admin)
    assert [row[2] for row in _page_rows(client, text=words)] == ["Retrait du catalogue"]


def test_a_deleted_item_keeps_its_number_in_the_log(client, withdrawn):
    admin, monitor = withdrawn
    number = monitor.id
    db.session.delete(monitor)
    db.session.commit()
    login(client, admin)
    (row,) = _page_rows(client, action="discontinue")
    assert row[3] == f"Article du catalogue #{number}"


@pytest.fixture
def typed_signs(make):
    """Details shown as stored holding %, _ and /, and an edit whose stored
    `lifetime_years` the page shows as « Durée de vie »."""
    admin = make.user(roles=("admin",), locale="fr")
    record_audit(admin, "deactivate", "messaging_schedule", 1, NOW, "100% sure")
    record_audit(admin, "deactivate", "messaging_schedule", 2, NOW, "batch_7")
    record_audit(admin, "deactivate", "messaging_schedule", 3, NOW, "a/b")
    record_audit(admin, "deactivate", "messaging_schedule", 4, NOW, "batchX7 abc")
    record_audit(admin, "update", "catalogue_item", 9, NOW, "LAPTOP-9: lifetime_years 4 -> 5")
    db.session.commit()
    return admin


@pytest.mark.parametrize(
    ("words", "details"),
    [
        ("_", ["batch_7"]),  # not the edit, whose page says « Durée de vie »
        ("h_7", ["batch_7"]),  # "_" is no wildcard for one character
        ("%", ["100% sure"]),  # nor "%" for any
        ("/", ["a/b"]),  # the escape character is a character too
        ("lifetime_years", []),
        ("LAPTOP-9", ["LAPTOP-9 · Durée de vie\u00a0: 4 → 5\u00a0ans"]),
    ],
)
def test_the_search_finds_the_signs_typed_only_where_the_page_shows_them(
    client, typed_signs, words, details
):
    login(client, typed_signs)
    assert [row[4] for row in _page_rows(client, text=words)] == details
    assert [row[5] for row in _csv(client, text=words)[1:]] == details


def test_a_system_event_reads_systeme_in_the_csv_as_on_the_page(client, make):
    """The CSV's author column was empty for the system's events (a directory import
    run by the nightly command) while the page said « Système »."""
    admin = make.user(roles=("admin",), locale="fr")
    record_audit(None, "update", "catalogue_item", 1, NOW, "EQ-LAP-02: grade C -> B")
    db.session.commit()
    login(client, admin)
    (page_row,) = _page_rows(client)
    (csv_row,) = _csv(client)[1:]
    assert page_row[1] == csv_row[1] == "Système"
