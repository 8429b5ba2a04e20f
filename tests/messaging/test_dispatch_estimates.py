"""A dispatch not sent yet: about how many it will reach, on its page (counted once, not at
each 10-s refresh) and in the list; and examples in a preview that name no colleague."""

import html
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect
from sqlalchemy import event

from app.core import demo
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.audiences import VARIABLES
from tests.conftest import browser_sign_in, login

HX = {"HX-Request": "true"}
ESTIMATE = "environ {n}, comptés au moment de l'envoi"


@contextmanager
def audience_counts():
    """The audience-count statements (a count over people) run inside the block."""
    found = []

    def note(_conn, _cursor, statement, *_args):
        lowered = statement.lower()
        if lowered.startswith("select count(") and "user_account" in lowered:
            found.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _everyone() -> int:
    return services.audience_size("everyone", {}, utcnow())


def _scheduled(template, days=3):
    now = utcnow()
    tpl = template if not callable(template) else template()
    dispatch = services.create_dispatch(tpl, "everyone", {}, now + timedelta(days=days), now)
    db.session.commit()
    return dispatch


def test_the_refresh_of_a_scheduled_dispatch_counts_no_audience(client, make, template):
    """Every 10 s the page counted its audience (up to 20,000 people) again."""
    make.user(), make.user()
    dispatch = _scheduled(template)
    login(client, make.user(roles=("organiser",)))
    url = f"/messaging/dispatches/{dispatch.id}"
    with audience_counts() as on_page:
        page = html.unescape(client.get(url).get_data(as_text=True))
    assert ESTIMATE.format(n=_everyone()) in page and len(on_page) == 1
    with audience_counts() as on_refresh:
        refresh = client.get(f"{url}?was=scheduled", headers=HX)
    assert refresh.status_code == 200 and on_refresh == []


def test_the_refresh_keeps_the_estimate_the_page_showed(client, make, template):
    """The page's estimate is an element htmx keeps as it is (`hx-preserve`, same id)."""
    dispatch = _scheduled(template)
    login(client, make.user(roles=("organiser",)))
    url = f"/messaging/dispatches/{dispatch.id}"
    page = client.get(url).get_data(as_text=True)
    refresh = client.get(f"{url}?was=scheduled", headers=HX).get_data(as_text=True)
    kept = '<span id="recipients-estimate" hx-preserve="true">'
    assert kept in page and f"{kept}</span>" in refresh and "environ" not in refresh


def test_the_refresh_of_a_sent_dispatch_shows_its_real_count(client, make, template):
    make.user(), make.user()
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    organiser = make.user(roles=("organiser",))
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    login(client, organiser)
    refresh = client.get(f"/messaging/dispatches/{dispatch.id}", headers=HX).get_data(as_text=True)
    db.session.refresh(dispatch)
    shown = html.unescape(refresh).replace("\u00a0", " ")
    assert dispatch.recipients > 0 and f"Destinataires : {dispatch.recipients} ·" in shown
    assert "hx-preserve" not in refresh


def test_a_dispatch_cancelled_meanwhile_says_so_at_its_refresh(client, make, template):
    """Cancelled by a colleague while the page was open: its estimate is not kept."""
    dispatch = _scheduled(template)
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    services.cancel_dispatch(dispatch, organiser, utcnow())
    db.session.commit()
    refresh = client.get(f"/messaging/dispatches/{dispatch.id}", headers=HX).get_data(as_text=True)
    assert (
        "aucun : annulé avant l'envoi" in html.unescape(refresh).replace("\u00a0", " ")
        and "hx-preserve" not in refresh
    )


def test_the_list_shows_the_estimate_of_each_scheduled_dispatch(client, make, template):
    """The list said « — » where the dispatch's page said « environ 3 »; one count for
    dispatches to the same audience."""
    make.user()
    tpl = template()
    first, second = _scheduled(tpl, days=3), _scheduled(tpl, days=4)
    login(client, make.user(roles=("organiser",)))
    with audience_counts() as counted:
        listing = html.unescape(client.get("/messaging/dispatches").get_data(as_text=True))
    rows = [row for row in listing.split('<tr role="row">') if "/messaging/dispatches/" in row]
    for dispatch in (first, second):
        row = next(r for r in rows if f'/messaging/dispatches/{dispatch.id}"' in r)
        assert ESTIMATE.format(n=_everyone()) in row
    assert len(counted) == 1


def test_the_preview_examples_name_no_seeded_person():
    """« Camille », the example first name, was a demo employee's (« Camille Martin »)."""
    seeded = set(demo.FIRST_NAMES) | set(demo.LAST_NAMES)
    seeded |= {word for _email, name, _roles in demo.DEMO_ACCOUNTS for word in name.split()}
    examples = {v.name: v.example for v in VARIABLES if v.name in ("first_name", "display_name")}
    for locale in ("fr", "en"):
        with force_locale(locale):
            words = {word for example in examples.values() for word in str(example).split()}
        assert words and not words & seeded, (locale, words & seeded)


def test_a_preview_for_a_colleague_reads_with_the_example_in_each_language(auth, client, make):
    make.user(email="zoe@example.org", display_name="Zoé Petit")
    login(client, make.user(roles=("organiser",)))
    texts = {
        "subject_fr": "Bonjour {{ first_name }}",
        "body_fr": "Pour {{ display_name }}.",
        "subject_en": "Hello {{ first_name }}",
        "body_en": "For {{ display_name }}.",
    }
    response = auth.post(
        "/messaging/templates/preview",
        data={"key": "hello", "name": "Hello", "recipient": "zoe@example.org", **texts},
        headers=HX,
    )
    body = html.unescape(response.get_data(as_text=True))
    assert "Bonjour Dominique" in body and "Pour Dominique Exemple." in body
    assert "Hello Alex" in body and "For Alex Example." in body


@pytest.mark.browser
def test_in_a_browser_the_estimate_stays_after_a_refresh(page, make, template):
    """htmx keeps the page's « environ N » through the refresh, which counts nothing."""
    dispatch = _scheduled(template)
    make.user(roles=("organiser",), email="nora@example.org", display_name="Nora Benali")
    n = _everyone()
    browser_sign_in(page, "nora@example.org")
    page.goto(f"/messaging/dispatches/{dispatch.id}")
    estimate = page.locator("#recipients-estimate")
    expect(estimate).to_have_text(ESTIMATE.format(n=n))
    refreshed = f"/messaging/dispatches/{dispatch.id}?was=scheduled"
    with page.expect_response(lambda response: "was=scheduled" in response.url):
        page.evaluate(
            "url => htmx.ajax('GET', url, {target: '#dispatch-progress', swap: 'outerHTML'})",
            refreshed,
        )
    expect(page.locator("#dispatch-progress")).to_have_count(1)
    expect(estimate).to_have_text(ESTIMATE.format(n=n))
