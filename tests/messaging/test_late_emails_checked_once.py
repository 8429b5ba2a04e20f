"""Review of today's changes: whether the campaign of an e-mail held for the working hours
had ended by its release was found by running every variable provider again, per batch
of 500 (about 40 full runs for a 20,000-recipient dispatch). It is worked out once per
dispatch from the campaign's dates; what goes and what is skipped stays the same."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.cleanup import integration
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery

SATURDAY = datetime(2026, 12, 19, 9, 0, tzinfo=UTC)  # 10:00 in Paris: e-mails wait
SUNDAY_EVENING = datetime(2026, 12, 20, 19, 0, tzinfo=UTC)
MONDAY = datetime(2026, 12, 21, 7, 1, tzinfo=UTC)  # 08:01 in Paris: they go
WEDNESDAY = datetime(2026, 12, 23, 8, 0, tzinfo=UTC)
COUNTDOWN = {
    "key": "countdown",
    "name": "Compte à rebours / Countdown",
    "subject_fr": "Bientôt la fin",
    "body_fr": "La campagne se termine {{ ends_when }}. Il reste {{ days_left_text }}.",
    "subject_en": "The end is near",
    "body_en": "The campaign ends {{ ends_when }}. {{ days_left_text }} left.",
}


@pytest.fixture
def held_in_small_batches(config):
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00", TIMEZONE="Europe/Paris")
    config(MESSAGING_BATCH_SIZE=2, MESSAGING_VARIABLES_WINDOW=5000)


@pytest.fixture
def campaign_runs(app):
    """Each time the clean-up domain's campaign variables are computed (the real provider,
    recorded): (how many people, as of when, the context)."""
    calls = []
    registry = app.extensions["empreinte.variables"]
    [index] = [
        i for i, (_v, provider) in enumerate(registry) if provider is integration.campaign_variables
    ]

    def counted(users, now, context):
        calls.append((len(users), now, dict(context)))
        return integration.campaign_variables(users, now, context)

    registered = registry[index]
    registry[index] = (registered[0], counted)
    yield calls
    registry[index] = registered


def _held_on_saturday(make, make_campaign, ends_at, named: bool):
    """Five agents' countdown, sent on Saturday: their e-mails wait for Monday."""
    campaign = make_campaign(starts_at=SATURDAY - timedelta(days=5), ends_at=ends_at)
    people = [
        make.user(email=f"agent{n}@example.org", email_opt_in=True, locale="fr", roles=("agent",))
        for n in range(5)
    ]
    template = services.save_template(None, COUNTDOWN, make.user(roles=("organiser",)), SATURDAY)
    params = {"role": "agent", **({"campaign_id": str(campaign.id)} if named else {})}
    dispatch = services.create_dispatch(template, "role", params, SATURDAY, SATURDAY)
    db.session.commit()
    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    return people, dispatch


def _emails(dispatch, people) -> list[tuple[str, str | None]]:
    rows = db.session.scalars(
        select(Delivery).where(
            Delivery.dispatch_id == dispatch.id,
            Delivery.channel == "email",
            Delivery.user_id.in_([p.id for p in people]),
        )
    ).all()
    return sorted((row.status, row.error) for row in rows)


@pytest.mark.parametrize("named", [False, True], ids=["own campaign", "named campaign"])
def test_held_emails_of_an_ended_campaign_are_skipped_without_rerunning_providers(
    make, make_campaign, smtp, held_in_small_batches, campaign_runs, named
):
    people, dispatch = _held_on_saturday(make, make_campaign, SUNDAY_EVENING, named)
    campaign_runs.clear()

    jobs.deliver_due(clock=lambda: MONDAY)  # three batches of held e-mails
    assert _emails(dispatch, people) == [("skipped", "campaign_ended")] * 5
    assert [m for _to, m in smtp.messages if m["Subject"] == "Bientôt la fin"] == []
    # Computed as of the release only (each dispatch's window), never again as of the
    # inbox copies' Saturday for each batch.
    assert {now for _count, now, _context in campaign_runs} == {MONDAY}


@pytest.mark.parametrize("named", [False, True], ids=["own campaign", "named campaign"])
def test_held_emails_of_a_running_campaign_go_with_the_days_left(
    make, make_campaign, smtp, held_in_small_batches, campaign_runs, named
):
    people, dispatch = _held_on_saturday(make, make_campaign, WEDNESDAY, named)
    campaign_runs.clear()

    jobs.deliver_due(clock=lambda: MONDAY)
    assert _emails(dispatch, people) == [("delivered", None)] * 5
    texts = [
        m.get_body(("plain",)).get_content().replace("\u00a0", " ")
        for _to, m in smtp.messages
        if m["Subject"] == "Bientôt la fin"
    ]
    assert len(texts) == 5 and all("Il reste 2 jours." in text for text in texts)
    assert {now for _count, now, _context in campaign_runs} == {MONDAY}
