"""The points page is kept rendered until what it shows changes: a point opening or
closing, the day turning, a point or a person's own return changing."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.recycling import hours, routes, services
from tests.conftest import login
from tests.recycling.conftest import HOURS, NOW

PARIS = ZoneInfo("Europe/Paris")


def _paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def _page(client) -> str:
    return client.get("/recycling/?sort=name").get_data(as_text=True)


def _at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(routes, "utcnow", lambda: moment.astimezone(UTC))


def test_the_states_stay_until_the_next_opening_or_closing():
    # Wednesday 10:00 in Paris: open until noon.
    assert hours.unchanged_until([HOURS], NOW) == _paris(2026, 11, 25, 12, 0)


def test_the_states_stay_at_most_until_midnight():
    # "Closed, opens tomorrow at 08:30" the evening before, "opens today at 08:30" on the day.
    evening = _paris(2026, 11, 25, 18, 0)
    assert hours.unchanged_until([HOURS], evening) == _paris(2026, 11, 26, 0, 0)


def test_the_states_change_when_an_opening_comes_within_the_fortnight():
    # Open on 24 December only: named from 10 December at 10:00, "Closed" before.
    once = "2026 Dec 24 10:00-12:00"
    now = _paris(2026, 12, 10, 8, 0)
    until = hours.unchanged_until([once, HOURS], now)
    assert until == _paris(2026, 12, 10, 8, 30)  # HOURS opens first
    assert hours.unchanged_until([once], now) == _paris(2026, 12, 10, 10, 0)
    before = hours.status_text(once, _paris(2026, 12, 10, 9, 59), "en")
    assert before != hours.status_text(once, _paris(2026, 12, 10, 10, 0), "en")


EXPRESSIONS = [
    HOURS,
    "Mo-Fr 08:00-18:00; Sa 09:00-12:00; PH off",
    "Tu-Th 08:00-12:00,13:00-16:30; Sa 09:00-12:00; PH off",
    "2026 Dec 24 10:00-12:00",
    "24/7",
    "off",
    "every day at noon",  # invalid: always "Closed"
]


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2026, 12, 1), max_value=datetime(2027, 1, 5), timezones=st.just(UTC)
    ),
    expressions=st.lists(st.sampled_from(EXPRESSIONS), min_size=1, max_size=3),
    share=st.floats(min_value=0, max_value=1),
)
def test_nothing_shown_changes_before_the_moment_given(start, expressions, share):
    until = hours.unchanged_until(expressions, start)
    assert until > start
    later = start + (until - start) * share
    last = until - timedelta(minutes=1)
    for moment in (later, max(last, start)):
        if moment >= until:
            continue
        for expression in expressions:
            for language in ("fr", "en"):
                said = hours.status_text(expression, moment, language)
                assert said == hours.status_text(expression, start, language)
            assert hours.is_open(expression, moment) == hours.is_open(expression, start)


def test_the_page_closes_a_point_at_its_closing_time(client, make, rec, monkeypatch):
    rec.point(name="Mairie de Bègles")
    login(client, make.user(locale="en"))
    _at(monkeypatch, _paris(2026, 11, 25, 11, 59))
    before = _page(client)
    assert "Open now, closes at 12:00" in before and 'data-open="yes"' in before
    _at(monkeypatch, _paris(2026, 11, 25, 12, 0))
    after = _page(client)
    assert "Closed, opens today at 13:30" in after and 'data-open="no"' in after


def test_the_page_says_tomorrow_until_midnight_then_today(client, make, rec, monkeypatch):
    rec.point(name="Mairie de Bègles")
    login(client, make.user(locale="en"))
    _at(monkeypatch, _paris(2026, 11, 25, 23, 59))
    assert "Closed, opens tomorrow at 08:30" in _page(client)
    _at(monkeypatch, _paris(2026, 11, 26, 0, 0))
    assert "Closed, opens today at 08:30" in _page(client)


def test_a_point_closed_temporarily_says_so_at_once(client, make, rec, monkeypatch):
    point = rec.point(name="Mairie de Bègles")
    login(client, make.user(locale="en"))
    _at(monkeypatch, NOW)
    assert "temporarily closed" not in _page(client)
    point.active, point.closure_note = False, "Works"
    db.session.commit()
    page = _page(client)
    assert "temporarily closed: Works" in page and 'data-open="suspended"' in page


def test_my_latest_returns_follow_a_new_status_at_once(client, make, rec):
    point = rec.point()
    owner = make.user(locale="en")
    device_return = rec.device_return(owner, point)
    login(client, owner)
    assert "Declared" in _latest(_page(client))
    services.confirm_receipt(device_return, rec.agent(point), NOW + timedelta(hours=1))
    db.session.commit()
    assert "Received by an agent" in _latest(_page(client))


def test_each_person_sees_only_their_own_returns(app, client, make, rec):
    point = rec.point()
    owner, other = make.user(locale="en"), make.user(locale="en")
    device_return = rec.device_return(owner, point)
    login(client, owner)
    assert device_return.receipt_number in _page(client)
    other_client = app.test_client()
    login(other_client, other)
    page = _page(other_client)
    assert device_return.receipt_number not in page and "My latest returns" not in page


def test_a_persons_own_returns_stay_out_of_the_store_everyone_shares(client, make, rec):
    """20,000 people's returns there would push out the points everyone reads."""
    from app.extensions import cache

    owner = make.user(locale="en")
    device_return = rec.device_return(owner, rec.point())
    login(client, owner)
    assert device_return.receipt_number in _page(client)
    shared = [str(value) for value in cache.cache._cache.values()]  # SimpleCache, in tests
    assert shared and not any(device_return.receipt_number in value for value in shared)


def test_the_buttons_follow_each_persons_roles(app, client, make, rec):
    rec.point()
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    assert "Manage points" in _page(client)
    employee = app.test_client()
    login(employee, make.user(locale="en"))
    page = _page(employee)
    assert "Manage points" not in page and "Collection desk" not in page


def _latest(page: str) -> str:
    return page.split("My latest returns", 1)[1].split("Collection points", 1)[0]
