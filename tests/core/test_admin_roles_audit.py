"""The roles page (confirmation before granting admin, literal search) and the audit log
(people named, batch targets in words, bad dates answered at their field)."""

import ast
import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import app as app_package
from app.auth.models import User
from app.core.audit import ACTION_LABELS, record_audit
from app.core.privacy_services import anonymise_user
from app.extensions import db
from tests.conftest import login

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _grant_admin_button(page: str, person: User) -> str:
    """The button that grants the admin role to `person`."""
    label = f'aria-label="Grant Administrator to {person.display_name}"'
    return re.search(rf'<button[^>]*value="grant:admin" {re.escape(label)}[^>]*>', page)[0]


def test_granting_admin_asks_for_confirmation_naming_the_person(client, make):
    admin = make.user(roles=("admin",), locale="en")
    person = make.user(display_name="Yasmine Petit", roles=("employee", "agent"))
    login(client, admin)
    page = _text(client.get("/admin/roles"))
    button = _grant_admin_button(page, person)
    assert 'data-confirm="Make Yasmine Petit an administrator? They will be able' in button
    assert 'data-confirm-yes="Make Yasmine Petit an administrator"' in button
    assert 'data-confirm-no="Cancel"' in button and 'form="roles-ask-first"' in button
    assert f'formaction="/admin/roles/{person.id}' in button


def test_granting_another_role_stays_one_click(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    person = make.user(display_name="Yasmine Petit", roles=("employee", "agent"))
    page = _text(client.get("/admin/roles"))
    # Yasmine's admin grant and her agent revoke; the admin's own role has no button.
    assert page.count("data-confirm=") == 2
    pattern = f'<button[^>]*value="grant:organiser" aria-label="[^"]*{person.display_name}"'
    assert 'form="roles-change"' in re.search(pattern, page)[0]


def test_the_confirmed_admin_grant_still_works_without_javascript(client, auth, make):
    login(client, make.user(roles=("admin",)))
    person = make.user()
    assert auth.post(f"/admin/roles/{person.id}", {"change": "grant:admin"}).status_code == 302
    assert "admin" in db.session.get(User, person.id).roles


@pytest.mark.parametrize(
    ("query", "found"),
    [("%", ["Taux 100% vert"]), ("_", ["jean_luc@example.org"]), ("100%", ["Taux 100% vert"])],
)
def test_the_people_search_takes_percent_and_underscore_literally(client, make, query, found):
    login(client, make.user(roles=("admin",), locale="en", display_name="Hélène Laborde"))
    make.user(display_name="Taux 100% vert", email="taux@example.org")
    make.user(display_name="Jean Luc", email="jean_luc@example.org")
    make.user(display_name="Jeanne Lucas", email="jeanneXluc@example.org")
    page = _text(client.get("/admin/roles", query_string={"q": query}))
    assert re.search(r"\b1 person found", page)
    for text in found:
        assert text in page
    assert "Jeanne Lucas" not in page


def test_the_audit_actor_filter_takes_percent_literally(client, make):
    admin = make.user(roles=("admin",), email="chief@example.org", locale="en")
    record_audit(admin, "update", "campaign", 7, NOW, "x")
    db.session.commit()
    login(client, admin)
    assert "0 events" in _text(client.get("/admin/audit?actor=%25"))


def test_the_audit_log_names_the_person_whose_role_changed(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    person = make.user(display_name="Yasmine Petit")
    auth.post(f"/admin/roles/{person.id}", {"change": "grant:organiser"})
    page = _text(client.get("/admin/audit"))
    assert f'<td>Person <a href="/admin/people/{person.id}">Yasmine Petit</a></td>' in page
    assert f"#{person.id}<" not in page


def test_an_erased_person_is_shown_anonymised_without_their_data(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    person = make.user(display_name="Yasmine Petit", email="yasmine@example.org")
    auth.post(f"/admin/roles/{person.id}", {"change": "grant:organiser"})
    anonymise_user(db.session.get(User, person.id), NOW)
    db.session.commit()
    page = _text(client.get("/admin/audit"))
    assert "<td>Anonymised person</td>" in page
    assert f"/admin/people/{person.id}" not in page
    assert "Yasmine" not in page and f"Anonyme {person.id}" not in page


def test_a_catalogue_csv_import_is_named_in_words(client, make):
    admin = make.user(roles=("admin",))  # French
    record_audit(admin, "import", "catalogue_item", "csv", NOW, "2 created, 1 updated")
    db.session.commit()
    login(client, admin)
    page = _text(client.get("/admin/audit"))
    assert "<td>Import CSV du catalogue</td>" in page and "#csv" not in page


@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize("value", ["2026-13-45", "yesterday", "0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("fragment", [False, True])
def test_a_bad_date_is_answered_at_its_field_over_the_whole_log(
    client, make, name, value, fragment
):
    admin = make.user(roles=("admin",), locale="en")
    record_audit(admin, "publish", "campaign", 7, datetime(2026, 3, 1, 12, tzinfo=UTC))
    record_audit(admin, "update", "template", 8, datetime(2026, 6, 1, 12, tzinfo=UTC))
    db.session.commit()
    login(client, admin)
    headers = {"HX-Request": "true"} if fragment else {}
    response = client.get(
        "/admin/audit", query_string={name: value, "object_type": "template"}, headers=headers
    )
    assert response.status_code == 200
    page = _text(response)
    assert "campaign #7" in page and "template #8" in page  # no filter applied
    label = {"since": "From", "until": "To (included)"}[name]
    assert f"No filter was applied. To correct: {label}." in page
    results = page.split('id="audit-results"', 1)[-1]
    assert value not in results  # nor carried to the CSV link or the next pages
    if not fragment:
        error = page.split(f'id="{name}-error">', 1)[1].split("</p>", 1)[0]
        assert error.startswith("Enter a")


def test_dates_the_wrong_way_round_are_told_at_the_to_field(client, make):
    """From after To found nothing and said "No event matches", as if nothing happened."""
    admin = make.user(roles=("admin",), locale="en")
    record_audit(admin, "publish", "campaign", 7, datetime(2026, 3, 1, 12, tzinfo=UTC))
    db.session.commit()
    login(client, admin)
    page = _text(
        client.get("/admin/audit", query_string={"since": "2026-06-01", "until": "2026-01-01"})
    )
    error = page.split('id="until-error">', 1)[1].split("</p>", 1)[0]
    assert error == "This date comes before the “From” date: swap them."
    assert "campaign #7" in page  # the whole log, no filter applied
    assert client.get("/admin/audit.csv?since=2026-06-01&until=2026-01-01").status_code == 400


def recorded_in_the_code(position: int) -> set[str]:
    """Every value written as text at `position` of a `record_audit(…)` call: 1, the
    action ("publish"); 2, the object type ("catalogue_item")."""
    names = set()
    for path in Path(app_package.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record_audit"
                and len(node.args) > position
                and isinstance(node.args[position], ast.Constant)
            ):
                names.add(node.args[position].value)
    return names


def test_every_action_the_portal_records_has_a_label_in_the_log():
    """A deleted draft campaign showed as "delete" in English on the French log."""
    recorded = recorded_in_the_code(1)
    assert {"create", "delete", "publish"} <= recorded  # the scan finds the calls
    assert sorted(recorded - set(ACTION_LABELS)) == []


def test_an_admin_is_offered_no_button_to_revoke_their_own_admin_role(client, make):
    """It was offered, then refused: "You cannot remove your own admin role."."""
    admin = make.user(roles=("admin",), locale="en", display_name="Hélène Laborde")
    make.user(roles=("admin",), display_name="Yasmine Petit")
    login(client, admin)
    page = _text(client.get("/admin/roles"))
    assert 'aria-label="Revoke Administrator from Hélène Laborde"' not in page
    assert 'aria-label="Revoke Administrator from Yasmine Petit"' in page
