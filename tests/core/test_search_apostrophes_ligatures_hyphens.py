"""Names are found as a keyboard types them: « d'arcy » with a straight apostrophe did not
find « D’Arcy » (a typographic one), « loeuvre » did not find « Lœuvre ». The people search
at /admin/roles and the audit log's "Containing" filter fold both sides alike, in Python
and in the database's SQL (SQLite's registered function, PostgreSQL's translate)."""

import html

import pytest

from app.core.audit import record_audit
from app.core.text_search import fold
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

NAMES = ["Jeanne D’Arcy", "Paul D‘Arcy", "Rémi Dʼarcy", "Louis Lœuvre", "ANNE LŒUVRE"]
NAMES += ["Ælys Marin", "Cæcilia Roy", "Marie-Claire Dupont"]


@pytest.fixture
def people(make):
    admin = make.user(roles=("admin",), locale="en", display_name="Admin Person")
    found = {name: make.user(display_name=name) for name in NAMES}
    make.user(display_name="Darcy Plain")  # no apostrophe: not "d'arcy"
    return admin, found


def _people_found(client, query: str) -> set[str]:
    page = html.unescape(client.get("/admin/roles", query_string={"q": query}).text)
    return {name for name in [*NAMES, "Darcy Plain"] if name in page}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("d'arcy", {"Jeanne D’Arcy", "Paul D‘Arcy", "Rémi Dʼarcy"}),
        ("D’ARCY", {"Jeanne D’Arcy", "Paul D‘Arcy", "Rémi Dʼarcy"}),
        ("loeuvre", {"Louis Lœuvre", "ANNE LŒUVRE"}),
        ("lœuvre", {"Louis Lœuvre", "ANNE LŒUVRE"}),
        ("aelys", {"Ælys Marin"}),
        ("caecilia", {"Cæcilia Roy"}),
        ("marie claire", {"Marie-Claire Dupont"}),
        ("marie-claire dupont", {"Marie-Claire Dupont"}),
    ],
)
def test_the_people_search_finds_names_as_typed_on_a_keyboard(client, people, query, expected):
    admin, _found = people
    login(client, admin)
    assert _people_found(client, query) == expected


def test_the_python_fold_writes_apostrophes_ligatures_and_hyphens_plainly():
    assert fold("D’Arcy ‘Œuvre’ Jean-Æ ʼx") == "d'arcy 'oeuvre' jean ae 'x"


def test_the_audit_log_finds_an_event_about_a_person_by_the_name_as_typed(client, people):
    admin, found = people
    now = utcnow()
    record_audit(admin, "update", "user", found["Jeanne D’Arcy"].id, now, "")
    record_audit(admin, "update", "cleanup_campaign", 7, now, "Défi de l’Œuvre-Commune")
    db.session.commit()
    login(client, admin)
    page = html.unescape(client.get("/admin/audit", query_string={"text": "d'arcy"}).text)
    assert "1 event" in page and "Jeanne D’Arcy" in page
    page = html.unescape(client.get("/admin/audit", query_string={"text": "l'oeuvre commune"}).text)
    assert "1 event" in page and "Défi de l’Œuvre-Commune" in page
