"""A message sent by hand to the participants of campaign X is about X: each recipient
read about the campaign of their own scope, the one ending soonest, instead."""

from datetime import timedelta

from sqlalchemy import select

from app.cleanup import services as cleanup_services
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Delivery, Dispatch
from tests.conftest import login


def test_a_message_to_the_participants_of_a_campaign_names_that_campaign_for_everyone(
    auth, client, make, template, make_campaign
):
    now = utcnow()
    # Both open to all; Y ends first, so it is everyone's "own" campaign.
    x = make_campaign(
        name_fr="Campagne X", starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=20)
    )
    make_campaign(
        name_fr="Campagne Y", starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=9)
    )
    people = [make.user(), make.user()]
    for person in people:  # a participant has a counted entry
        cleanup_services.log_action(person, x, "delete-mail", 2, now)
    db.session.commit()
    tpl = template(key="about-x", subject_fr="Où en est {{ campaign_name }}")
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={
            "template": tpl.id,
            "audience": "campaign-participants",
            "campaign_id": str(x.id),
            "kind": "now",
            "confirm": "yes",
        },
    )
    assert response.status_code == 302
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.template_id == tpl.id))
    jobs.run_dispatch(dispatch.id)
    subjects = db.session.scalars(
        select(Delivery.subject)
        .where(Delivery.dispatch_id == dispatch.id, Delivery.channel == "inbox")
        .order_by(Delivery.user_id)
    ).all()
    assert subjects == ["Où en est Campagne X", "Où en est Campagne X"]
