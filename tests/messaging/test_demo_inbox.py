"""The demo seed gives the demo accounts an inbox of the past weeks, through the outbox."""

import html

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Delivery
from app.messaging.seed import in_office_hours
from tests.snapshots import demo_seed_command_once

EMPLOYEE = "employee@demo.empreinte.fr"


@pytest.fixture
def seeded(runner):
    demo_seed_command_once(runner, 150)


@pytest.fixture
def inbox_page(seeded, auth, client):
    """The demo employee's inbox, in French (the demo accounts' language)."""
    assert auth.sign_in(EMPLOYEE, "demo").status_code == 302
    page = client.get("/messaging/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    return html.unescape(page)


def test_the_demo_employee_finds_several_messages_the_newest_unread(inbox_page):
    unread = inbox_page.count('class="message message-unread"')
    read = inbox_page.count('class="message"')
    assert unread >= 2 and read >= 5 and 8 <= unread + read <= 12, (unread, read)


def test_the_demo_employee_hears_of_their_requests_entries_and_returned_devices(inbox_page):
    assert "Votre demande est acceptée" in inbox_page
    assert "Votre saisie ne compte pas" in inbox_page
    assert "un agent a confirmé sa réception" in inbox_page  # the news of each step
    assert "appareil reçu au point de collecte" in inbox_page  # each step in its subject
    assert "L'appareil que vous avez déclaré attend d'être rapporté" in inbox_page
    assert "News of the device you declared" not in inbox_page


def test_no_digest_of_a_past_week_speaks_of_the_previous_edition(inbox_page):
    assert "Votre semaine numérique responsable" not in inbox_page
    assert "édition précédente" not in inbox_page


def test_every_seeded_message_came_by_now_and_was_read_in_office_hours(seeded):
    """Read in office hours. Each came in them too, unless none had come since what it
    tells (seeded on a Saturday, a rejection of Friday night): then just after it, never
    before it (test_held_emails_outside_working_hours.py seeds on a Thursday and on a Saturday)."""
    now = utcnow()
    times = db.session.execute(
        select(Delivery.delivered_at, Delivery.read_at)
        .join(User, User.id == Delivery.user_id)
        .where(Delivery.channel == "inbox", User.email.like("%@demo.empreinte.fr"))
    ).all()
    assert len(times) >= 8
    assert [at for at, _read in times if at > now] == []
    assert [at for _at, at in times if at is not None and not in_office_hours(at)] == []


def test_the_demo_inbox_history_sends_no_email(seeded):
    statuses = set(db.session.scalars(select(Delivery.status).where(Delivery.channel == "email")))
    assert statuses == {"skipped"}
