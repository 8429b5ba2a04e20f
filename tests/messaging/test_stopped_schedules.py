"""A stopped recurring message stays on the list of dispatches, with who stopped it and
when; it left no trace but the admin audit log, and the page said "No recurring message"."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Dispatch, Schedule
from tests.conftest import login


def _weekly(tpl, organiser) -> Schedule:
    schedule = services.schedule_message(
        tpl,
        "everyone",
        {},
        "cron",
        datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        actor=organiser,
        cron="0 9 * * mon",
    )
    db.session.commit()
    return schedule


def test_a_stopped_recurring_message_is_listed_with_who_stopped_it_and_when(
    auth, client, make, template
):
    tpl = template()
    schedule = _weekly(tpl, make.user(roles=("organiser",)))
    login(client, make.user(roles=("organiser",), display_name="Inès Roux"))
    response = auth.post(f"/messaging/schedules/{schedule.id}/stop")
    assert response.status_code == 302
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    assert (
        "<p>Aucun message récurrent. Ceux qui ont été arrêtés sont listés ci-dessous.</p>"
        in listing
    )
    stopped = listing.split("<h3>Messages arrêtés</h3>", 1)[1].split("</table>", 1)[0]
    assert "Hello" in stopped and "Chaque lundi à 9\u00a0h" in stopped
    assert "Inès Roux" in stopped
    assert f"{datetime.now(UTC).year}" in stopped.split('data-label="Arrêté le\u00a0:"', 1)[1]


def test_a_stopped_recurring_message_is_no_longer_sent(auth, client, make, template):
    tpl = template()
    schedule = _weekly(tpl, make.user(roles=("organiser",)))
    login(client, make.user(roles=("organiser",)))
    auth.post(f"/messaging/schedules/{schedule.id}/stop")
    jobs.run_schedule(schedule.id, clock=lambda: datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    assert db.session.scalar(select(Dispatch)) is None
    stopped = db.session.get(Schedule, schedule.id)
    assert not stopped.active and stopped.stopped_at is not None
