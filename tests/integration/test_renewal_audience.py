"""The catalogue's audience "People whose approved equipment is older than its expected
lifetime" counted, and wrote outbox rows for, deactivated and erased people: the form and
the confirmation said 31 recipients, the dispatch 31 with a skipped row for the one gone."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.catalogue import services as catalogue
from app.core.privacy_services import erase_user
from app.extensions import db
from app.messaging import jobs
from app.messaging import services as messaging
from app.messaging.models import Delivery, Dispatch
from tests.conftest import login
from tests.integration.conftest import NOW

AUDIENCE = "devices-due-for-renewal"


def _due_for_renewal(make, make_item) -> tuple:
    """Three people whose laptop (4 years) was approved 5 years ago: one still here, one
    deactivated (left the directory), one erased."""
    admin = make.user(roles=("admin",))
    laptop = make_item(lifetime_years=4)
    people = [make.user() for _n in range(3)]
    for person in people:
        catalogue.add_to_basket(person, laptop, 1, NOW - timedelta(days=5 * 365))
        request = catalogue.submit_basket(person, "", NOW - timedelta(days=5 * 365))
        catalogue.decide_request(request, admin, True, "", NOW - timedelta(days=5 * 365))
    here, deactivated, erased = people
    deactivated.active = False
    erase_user(erased, NOW)
    db.session.commit()
    return here, deactivated, erased


def test_the_renewal_audience_counts_only_people_who_can_be_reached(
    auth, client, make, make_item, template
):
    _due_for_renewal(make, make_item)
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    size = client.get(
        f"/messaging/audience-size?audience={AUDIENCE}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "1 destinataire" in size and "3 destinataires" not in size
    page = auth.post(
        "/messaging/schedule", data={"template": tpl.id, "audience": AUDIENCE, "kind": "now"}
    ).get_data(as_text=True)
    question = page.split('id="schedule-question"', 1)[1].split(">", 1)[1].split("</p>", 1)[0]
    assert html.unescape(re.sub(r"<[^>]+>", "", question)).strip() == (
        "Envoyer à 1 personne maintenant\u00a0?"
    )


def test_a_renewal_dispatch_writes_no_outbox_row_for_people_gone(make, make_item, template):
    here, _deactivated, _erased = _due_for_renewal(make, make_item)
    dispatch = messaging.create_dispatch(template(), AUDIENCE, {}, NOW, NOW)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: NOW)
    rows = db.session.execute(
        select(Delivery.user_id, Delivery.status).where(Delivery.dispatch_id == dispatch.id)
    ).all()
    assert db.session.get(Dispatch, dispatch.id).recipients == 1
    assert {user_id for user_id, _status in rows} == {here.id}
