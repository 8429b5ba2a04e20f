"""Right to disconnect: outside the working hours only e-mails wait. A campaign launched
on a Saturday reaches the inboxes at the scheduler's next tick; its e-mails go on Monday
morning, when the working hours open."""

import html
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.catalogue import services as catalogue
from app.cleanup import services as cleanup
from app.config import Config
from app.core import time as clock
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Dispatch
from tests.catalogue.conftest import make_item  # noqa: F401 - a request to decide
from tests.conftest import login

# Saturday 5 December 2026, 10:00 in Paris.
SATURDAY = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
# Monday 7 December 2026, 8:05 in Paris: the working hours are open.
MONDAY_MORNING = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)


@pytest.fixture
def working_hours(config):
    """The working hours a portal gets when MAIL_WORKING_HOURS is not set."""
    config(MAIL_WORKING_HOURS=Config.MAIL_WORKING_HOURS, TIMEZONE="Europe/Paris")


def _inbox(client, person) -> str:
    login(client, person)
    page = client.get("/messaging/", headers={"Accept-Language": "fr"})
    return html.unescape(page.get_data(as_text=True))


def _launch_emails(smtp) -> list[tuple[str, str]]:
    return [(to, str(m["Subject"])) for to, m in smtp.messages if "C'est parti" in m["Subject"]]


def test_a_campaign_published_on_a_saturday_is_in_the_inbox_at_once_its_email_on_monday(
    client, make, make_campaign, smtp, working_hours
):
    camille = make.user(email="camille@example.org", email_opt_in=True, locale="fr")
    campaign = make_campaign(
        publish=False,
        starts_at=SATURDAY - timedelta(days=1),
        ends_at=SATURDAY + timedelta(days=15),
    )
    cleanup.publish_campaign(campaign, make.user(roles=("organiser",)), SATURDAY)
    db.session.commit()

    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    assert "C'est parti\u00a0: Nettoyage" in _inbox(client, camille)
    assert _launch_emails(smtp) == []

    jobs.deliver_due(clock=lambda: MONDAY_MORNING)
    assert ("camille@example.org", "C'est parti\u00a0: Nettoyage") in _launch_emails(smtp)


def test_a_campaign_starting_on_a_saturday_is_launched_at_its_start(
    make, make_campaign, working_hours
):
    """Published on Wednesday, starting on Saturday at 10:00: its launch is planned then,
    not on Monday (its e-mails wait for Monday by themselves)."""
    campaign = make_campaign(
        publish=False, starts_at=SATURDAY, ends_at=SATURDAY + timedelta(days=15)
    )
    cleanup.publish_campaign(
        campaign, make.user(roles=("organiser",)), SATURDAY - timedelta(days=3)
    )
    db.session.commit()
    launch = db.session.scalar(
        select(Dispatch).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:launch")
    )
    assert launch.due_at == SATURDAY


@pytest.fixture
def saturday_clock(monkeypatch):
    """The real clock stopped on Saturday 5 December 2026 at 10:00 (Paris), in every
    module of the portal that reads it (those imported later included)."""
    real = clock.utcnow

    def stopped():
        return SATURDAY

    monkeypatch.setattr(clock, "utcnow", stopped)
    for name, module in list(sys.modules.items()):
        if name.startswith("app") and getattr(module, "utcnow", None) is real:
            monkeypatch.setattr(module, "utcnow", stopped)
    yield
    # A module first imported meanwhile took the stopped clock: it gets the real one back.
    for name, module in list(sys.modules.items()):
        if name.startswith("app") and getattr(module, "utcnow", None) is stopped:
            module.utcnow = real  # not through monkeypatch, whose undo would stop it again


def test_the_demo_seeded_on_a_saturday_announces_its_campaign_in_the_inbox_at_the_first_tick(
    runner, auth, client, smtp, working_hours, saturday_clock
):
    """As the README says: the launch reaches the inboxes at the scheduler's first tick,
    the e-mails during the working hours."""
    result = runner.invoke(args=["demo", "seed", "--employees", "150"])
    assert result.exit_code == 0, result.output

    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    assert auth.sign_in("employee@demo.empreinte.fr", "demo").status_code == 302
    page = client.get("/messaging/", headers={"Accept-Language": "fr"})
    assert "C'est parti\u00a0: Journées du nettoyage numérique" in html.unescape(
        page.get_data(as_text=True)
    )
    assert _launch_emails(smtp) == []

    jobs.deliver_due(clock=lambda: MONDAY_MORNING)
    assert _launch_emails(smtp)


def test_a_decision_told_on_a_saturday_is_in_the_inbox_at_once_its_email_on_monday(
    client,
    make,
    make_item,  # noqa: F811 - the catalogue's fixture, imported above
    smtp,
    working_hours,
):
    """The notices to one person (a request decided, an entry reviewed, a device's news,
    a return's reminder) are due when their event happens: only their e-mail waits."""
    person = make.user(email="dominique@example.org", email_opt_in=True, locale="fr")
    laptop = make_item(name_fr="Portable 14 pouces", name_en="Laptop 14 inches")
    catalogue.add_to_basket(person, laptop, 1, SATURDAY - timedelta(days=2))
    request = catalogue.submit_basket(person, "", SATURDAY - timedelta(days=2))
    catalogue.decide_request(request, make.user(roles=("admin",)), True, "", SATURDAY)
    db.session.commit()

    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    assert "Votre demande est acceptée" in _inbox(client, person)
    assert smtp.recipients() == []

    jobs.deliver_due(clock=lambda: MONDAY_MORNING)
    assert smtp.recipients() == ["dominique@example.org"]
