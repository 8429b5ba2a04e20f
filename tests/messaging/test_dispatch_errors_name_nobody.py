"""A dispatch's errors to an organiser: counted by kind, never whom they failed for.

Only people who accepted e-mails get one, so a list of failed e-mail addresses tells an
organiser who accepted e-mails; an admin sees the addresses, and the page says so."""

import html
import re

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from tests.conftest import login

HX = {"HX-Request": "true"}


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _failing_dispatch(make, template, config):
    """Three consenting people whose e-mails wait, the mail server being down."""
    config(MAIL_WORKING_HOURS="24/7")
    people = [
        make.user(email_opt_in=True, email=f"consenting{n}@example.org", display_name=f"Zoé {n}")
        for n in range(3)
    ]
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    return dispatch, people


def test_an_organiser_sees_failed_emails_counted_by_kind_without_any_address_or_name(
    client, make, template, smtp_down, config
):
    dispatch, people = _failing_dispatch(make, template, config)
    login(client, make.user(roles=("organiser",), locale="en"))
    for headers in ({}, HX):
        page = client.get(f"/messaging/dispatches/{dispatch.id}", headers=headers)
        text = _words(page.get_data(as_text=True))
        errors = text.split("Errors", 1)[1]
        assert "E-mail, waiting: 3 deliveries. The mail server could not be reached" in errors
        assert re.search(r"Next attempt [^()]+ \(attempt 2 of \d+\)\.", errors)
        assert "Administrators see the addresses." in errors
        for person in people:
            assert person.email not in text and person.display_name not in text


def test_an_admin_sees_the_failed_addresses_and_is_told_only_admins_do(
    client, make, template, smtp_down, config
):
    dispatch, people = _failing_dispatch(make, template, config)
    login(client, make.user(roles=("admin",), locale="en"))
    text = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    errors = text.split("Errors", 1)[1]
    for person in people:
        assert f"{person.email} (E-mail, waiting): The mail server could not be reached" in errors
    assert "Addresses are shown to administrators only" in errors


def test_the_dispatch_api_names_nobody(client, make, template, smtp_down, config):
    dispatch, people = _failing_dispatch(make, template, config)
    login(client, make.user(roles=("organiser",), locale="en"))
    body = client.get(f"/api/v1/dispatches/{dispatch.id}").get_data(as_text=True)
    assert '"pending"' in body
    for person in people:
        assert person.email not in body and person.display_name not in body
