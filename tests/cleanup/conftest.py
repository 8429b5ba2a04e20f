"""Fixtures of the clean-up tests: a fixed clock, a campaign factory and a participant
using the campaign page's forms."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from app.cleanup import services
from app.cleanup.forms import to_local_naive
from app.cleanup.models import CleanupAction, CleanupActionType
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import csrf_token, login

NOW = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)


@pytest.fixture
def now():
    return NOW


def in_days(days: int, time: str) -> str:
    """A date-time as the form's field writes it, `days` from today (Paris time): a
    campaign's start must come within a year, so the tests' dates follow the clock."""
    day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{time}"


def post_new_campaign(client, **fields):
    """POST the new campaign form: a spring campaign with the first action type enabled,
    `fields` replacing or adding values (None leaves a field out)."""
    first_type_id = db.session.scalar(select(func.min(CleanupActionType.id)))
    data = {
        "csrf_token": csrf_token(client),
        "name_fr": "Printemps",
        "name_en": "Spring",
        "starts_at": in_days(100, "09:00"),
        "ends_at": in_days(121, "18:00"),
        "all_departments": "y",
        "rules-0-action_type_id": str(first_type_id),
        "rules-0-enabled": "y",
        "rules-0-points_per_unit": "10",
        "rules-0-daily_cap": "20",
    }
    data.update(fields)
    return client.post(
        "/cleanup/campaigns/new", data={k: v for k, v in data.items() if v is not None}
    )


def build_campaign(make, organiser=None, publish=True, **overrides):
    """A published campaign running at NOW (by default), created by `organiser`; for
    tests outside this folder, which cannot take the `make_campaign` fixture."""
    organiser = organiser or make.user(roles=("organiser",))
    types = services.ensure_default_action_types()
    data = {
        "name_fr": "Nettoyage",
        "name_en": "Clean-up",
        "description_fr": "",
        "description_en": "",
        "starts_at": NOW - timedelta(days=2),
        "ends_at": NOW + timedelta(days=19),
        "all_departments": True,
        "department_ids": [],
        "goals": {"GB": 100, "devices": 5},
        "rules": [
            {
                "action_type_id": t.id,
                "points_per_unit": t.points_per_unit,
                "daily_cap": t.daily_cap,
            }
            for t in types
        ],
    }
    data.update(overrides)
    # Created and published in time, before its start (and its end) however old.
    created = min(NOW - timedelta(days=10), data["starts_at"] - timedelta(days=2))
    campaign = services.create_campaign(organiser, data, created)
    if publish:
        services.publish_campaign(campaign, organiser, created + timedelta(days=1))
    db.session.commit()
    return campaign


@pytest.fixture
def make_campaign(make):
    """make_campaign(**overrides): a published campaign running at NOW (by default)."""

    def build(organiser=None, publish=True, **overrides):
        return build_campaign(make, organiser, publish, **overrides)

    return build


def edit_form(client, campaign) -> dict:
    """The edit form of a campaign with one rule (10 points, 20 a day) and a 100 GB goal,
    as its organiser, signed in on `client`, saves it unchanged."""
    return {
        "csrf_token": csrf_token(client),
        "name_fr": campaign.name_fr,
        "name_en": campaign.name_en,
        "starts_at": to_local_naive(campaign.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": to_local_naive(campaign.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "all_departments": "y",
        "goal_gb": "100",
        "rules-0-action_type_id": str(campaign.action_rules[0].action_type_id),
        "rules-0-enabled": "y",
        "rules-0-points_per_unit": "10",
        "rules-0-daily_cap": "20",
        # The version the page's form carries (a save from another is refused as stale).
        "version": services.campaign_version(campaign),
    }


def english_organisers_draft(client, make, make_campaign):
    """A draft from ten to thirty days ahead, its organiser (in English) signed in on
    `client`."""
    organiser = make.user(roles=("organiser",), locale="en")
    now = utcnow()
    draft = make_campaign(
        organiser=organiser,
        publish=False,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=30),
    )
    login(client, organiser)
    return draft


def draft_with_its_form(client, make, make_campaign, **changes):
    """A draft campaign, its organiser signed in on `client`, and its edit form as saved
    with `changes` (a field set to None is left out, as an unticked box)."""
    organiser = make.user(roles=("organiser",))
    mail = services.ensure_default_action_types()[0]
    now = utcnow().replace(second=0, microsecond=0)
    campaign = make_campaign(
        organiser=organiser,
        publish=False,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=5),
        goals={"GB": 100},
        rules=[{"action_type_id": mail.id, "points_per_unit": 10, "daily_cap": 20}],
    )
    login(client, organiser)
    form = edit_form(client, campaign)
    form.update(changes)
    return campaign, {name: value for name, value in form.items() if value is not None}


@pytest.fixture
def running(make_campaign):
    """A campaign running since yesterday, its own messages (its launch) set aside."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    db.session.execute(update(Dispatch).values(status="cancelled"))
    db.session.commit()
    return campaign


class Participant:
    """A person signed in on `client` in a running `campaign`, sending the campaign
    page's forms: through htmx (as the page does) or without JavaScript."""

    def __init__(self, client, campaign, user):
        self.client, self.campaign = client, campaign
        self.sign_in(user)

    def sign_in(self, user):
        """Another person on the same client (the campaign stays)."""
        self.user = user
        login(self.client, user)
        return self

    def page(self, query: str = "") -> str:
        """The campaign page's HTML."""
        return self.client.get(f"/cleanup/campaigns/{self.campaign.id}{query}").get_data(
            as_text=True
        )

    def _post(self, url, data, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        data = {"csrf_token": csrf_token(self.client), **data}
        return self.client.post(url, data=data, headers=headers)

    def log(self, action_type, quantity, htmx=True):
        """Log an entry with the log form."""
        url = f"/cleanup/campaigns/{self.campaign.id}/actions"
        return self._post(url, {"action_type": action_type, "quantity": quantity}, htmx)

    def correct(self, action_id, quantity, htmx=True):
        """Correct an entry's quantity with its form in "My entries"."""
        return self._post(f"/cleanup/actions/{action_id}/correct", {"quantity": quantity}, htmx)

    def delete(self, action_id, htmx=False):
        """Delete an entry with its button in "My entries"."""
        return self._post(f"/cleanup/actions/{action_id}/delete", {}, htmx)


def flagged_entry(client, campaign, author) -> CleanupAction:
    """12 GB of mail in one entry, logged with the form: above the usual size, flagged for
    review."""
    assert Participant(client, campaign, author).log("delete-mail", "12").status_code == 200
    entry = db.session.scalars(select(CleanupAction).order_by(CleanupAction.id.desc())).first()
    assert entry.status == "flagged"
    return entry


def send_review(client, entry_id, decision, reason="", htmx=False, was=None):
    """The review form sent for an entry (`was`: the decision being changed)."""
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"csrf_token": csrf_token(client), "decision": decision, "reason": reason}
    if was is not None:
        data["was"] = was
    return client.post(f"/cleanup/actions/{entry_id}/review", data=data, headers=headers)


@pytest.fixture
def participant(client, make, make_campaign):
    """A person signed in on `client` in a campaign running since yesterday."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    return Participant(client, campaign, make.user())


def refusal_at(page: str, field: str) -> str:
    """The error shown at a field of a form (its `id="<field>-error"` text)."""
    found = re.search(rf'id="{field}-error"[^>]*>(.*?)</', page, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def action_types(app):
    """The built-in action types, as the new campaign form creates them at a first visit."""
    services.ensure_default_action_types()
    db.session.commit()


@pytest.fixture
def flagged(make, make_campaign):
    """A running campaign, and a function logging a flagged entry for a person."""
    now = utcnow()
    campaign = make_campaign(
        name_fr="Grand ménage", name_en="Big clean-up",
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5),
    )  # fmt: skip
    # The campaign's own messages (its launch is due) are not what these tests follow.
    db.session.execute(update(Dispatch).values(status="cancelled"))
    db.session.commit()

    def entry_of(author):
        entry = services.log_action(author, campaign, "delete-mail", 15, utcnow())
        db.session.commit()
        assert entry.status == "flagged"
        return entry

    entry_of.campaign = campaign
    return entry_of
