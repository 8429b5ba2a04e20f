"""The audit log at a full deployment's size (100,000 events): its menus come from the
actions and objects the portal knows, not from scans of the log; a search without dates
looks through the last 90 days, says so and offers every date; the CSV streams as it is
read, and a file cut at its limit says so in its last line and beside the download link
(it was cut silently at 100,000 rows)."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest

from app.core import admin_routes
from app.core.audit import OBJECT_LABELS, record_audit
from app.core.csv_safety import BYTE_ORDER_MARK
from app.core.time import local_zone, utcnow
from app.extensions import db
from tests.conftest import login
from tests.core.test_admin_roles_audit import recorded_in_the_code


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _menu(page: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {
        html.unescape(label).strip(): value
        for value, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>(.*?)</option>', select)
    }


def _csv_rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True).removeprefix(BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def admin(client, make):
    admin = make.user(roles=("admin",), locale="en", email="chief@example.org")
    login(client, admin)
    return admin


def test_the_menus_offer_an_action_no_event_has_yet_which_finds_nothing(client, admin):
    record_audit(admin, "publish", "cleanup_campaign", 7, utcnow())
    db.session.commit()
    page = _text(client.get("/admin/audit"))
    actions, objects = _menu(page, "action"), _menu(page, "object_type")
    assert actions["Budget set"] == "set_budget" and objects["Carbon budget"] == "catalogue_budget"
    answer = _text(client.get("/admin/audit", query_string={"action": "set_budget"}))
    assert "0 events" in answer and "No event matches these filters." in answer


def test_every_object_type_the_portal_records_is_in_the_objects_menu():
    """The menu lists the known object types: one missing could not be chosen."""
    recorded = recorded_in_the_code(2)
    assert {"user", "catalogue_item", "device_return"} <= recorded  # the scan finds the calls
    assert sorted(recorded - set(OBJECT_LABELS)) == []


def test_the_count_holds_the_systems_events_and_the_actor_filter_only_theirs(client, admin, make):
    other = make.user(roles=("admin",), email="deputy@example.org")
    now = utcnow()
    record_audit(admin, "update", "cleanup_campaign", 1, now)
    record_audit(other, "update", "cleanup_campaign", 2, now)
    record_audit(None, "close", "cleanup_campaign", 3, now)  # by the system
    db.session.commit()
    assert "3 events" in _text(client.get("/admin/audit"))
    assert "1 event" in _text(client.get("/admin/audit", query_string={"actor": "DEPUTY"}))


@pytest.fixture
def old_and_new(admin):
    """Two events naming « Plomberie », one 200 days old, one 10 days old."""
    now = utcnow()
    record_audit(admin, "update", "cleanup_campaign", 41, now - timedelta(days=200), "Plomberie")
    record_audit(admin, "update", "cleanup_campaign", 42, now - timedelta(days=10), "Plomberie")
    db.session.commit()
    return now


def test_a_search_without_dates_looks_through_the_last_90_days_and_says_so(client, old_and_new):
    page = _text(client.get("/admin/audit", query_string={"text": "plomberie"}))
    assert "1 event" in page and "#42" in page and "#41" not in page
    since = (old_and_new.astimezone(local_zone()) - timedelta(days=90)).date()
    assert f"Searched from {since.day} " in page and f"{since.year}, the last 90 days." in page
    first = (old_and_new - timedelta(days=200)).astimezone(local_zone()).date().isoformat()
    link = re.search(r'<a href="([^"]*)">Search all dates</a>', page).group(1)
    assert f"since={first}" in link and "text=plomberie" in link
    every = _text(client.get(link))
    assert "2 events" in every and "#41" in every and "Search all dates" not in every


def test_a_search_with_dates_looks_through_those_dates_only(client, old_and_new):
    since = (old_and_new - timedelta(days=365)).date().isoformat()
    page = _text(client.get("/admin/audit", query_string={"text": "plomberie", "since": since}))
    assert "2 events" in page and "Search all dates" not in page


def test_a_search_with_htmx_says_the_days_it_looked_through_too(client, old_and_new):
    fragment = _text(
        client.get(
            "/admin/audit", query_string={"text": "plomberie"}, headers={"HX-Request": "true"}
        )
    )
    assert "<h1>" not in fragment and "Search all dates" in fragment and "1 event" in fragment


def test_the_csv_of_a_search_holds_what_the_page_found(client, old_and_new):
    rows = _csv_rows(client.get("/admin/audit.csv", query_string={"text": "plomberie"}))
    assert [row[4] for row in rows[1:]] == ["42"]


def test_the_csv_streams_and_leaves_out_its_own_download(client, admin):
    record_audit(admin, "update", "cleanup_campaign", 5, utcnow())
    db.session.commit()
    response = client.get("/admin/audit.csv", buffered=False)
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = _csv_rows(response)
    assert [row[7] for row in rows[1:]] == ["update"]
    second = _csv_rows(client.get("/admin/audit.csv"))
    assert [row[7] for row in second[1:]] == ["download_audit_log", "update"]


@pytest.fixture
def five_events(admin, monkeypatch):
    monkeypatch.setattr(admin_routes, "CSV_MAX_ROWS", 3)
    now = utcnow()
    for n in range(5):
        record_audit(admin, "update", "cleanup_campaign", n + 1, now - timedelta(minutes=n))
    db.session.commit()


def test_a_cut_csv_says_so_in_its_last_line(client, five_events):
    rows = _csv_rows(client.get("/admin/audit.csv", query_string={"action": "update"}))
    assert [row[4] for row in rows[1:-1]] == ["1", "2", "3"]  # the newest first
    assert rows[-1] == ["The file holds the first 3 rows of 5: narrow the dates."]


def test_the_page_says_the_file_would_be_cut_beside_its_link(client, five_events):
    page = _text(client.get("/admin/audit", query_string={"action": "update"}))
    link = page.split("Download as CSV</a>", 1)[1].split("</p>", 1)[0]
    assert "(The file holds the first 3 rows of 5: narrow the dates.)" in link
    narrow = _text(client.get("/admin/audit", query_string={"object_type": "user"}))
    assert "The file holds" not in narrow


def test_the_french_file_and_page_say_it_in_french(client, admin, five_events):
    admin.locale = "fr"
    db.session.commit()
    expected = "Le fichier contient les 3 premières lignes sur 5\u00a0: précisez les dates."
    response = client.get("/admin/audit.csv", query_string={"action": "update"})
    body = response.get_data(as_text=True).removeprefix(BYTE_ORDER_MARK)
    assert list(csv.reader(io.StringIO(body), delimiter=";"))[-1] == [expected]
    assert expected in _text(client.get("/admin/audit", query_string={"action": "update"}))
