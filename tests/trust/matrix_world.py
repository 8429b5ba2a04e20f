"""The domains' objects of the sweeps' world, built through the domains' own services.

Every object a URL can name exists once, and the personal ones belong to employee A:
B (or anyone else the matrix does not allow) asking for them must get 403/404 and
change nothing. The agent persona is the agent of A's collection point; `outsider`
is an agent of another point (the matrix checks agents see only their points' returns).
"""

from datetime import timedelta

from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueItem, CatalogueRequestLine
from app.cleanup import services as cleanup
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.messaging import services as messaging
from app.messaging.audiences import unsubscribe_token
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.models import Delivery
from app.recycling import services as recycling
from app.recycling.models import CollectionPoint, PointAgent

GRID = 0.052
TEMPLATE = {
    "key": "trust-hello",
    "name": "Hello",
    "subject_fr": "Bonjour {{ first_name }}",
    "body_fr": "Bonjour {{ first_name }}.\n\nDésabonnement : {{ unsubscribe_url }}",
    "subject_en": "Hello {{ first_name }}",
    "body_en": "Hello {{ first_name }}.\n\nUnsubscribe: {{ unsubscribe_url }}",
}


def build_domain_objects(users: dict, make) -> dict:
    """Build the objects and answer their ids (and the receipt, the unsubscribe token)."""
    now = utcnow()
    a, organiser, agent = (users[k] for k in ("employee_a", "organiser", "agent"))
    ids = {}

    # Reference rows the pages create lazily on a fresh database (built-in templates,
    # default action types) exist already, as after `flask demo seed`.
    ensure_builtin_templates()
    ids.update(_cleanup(a, organiser, now))
    ids.update(_catalogue(a, now))
    ids.update(_recycling(a, agent, make, now))
    ids.update(_messaging(a, organiser, now))
    db.session.commit()
    return ids


def _campaign(organiser, starts: timedelta, ends: timedelta, now, publish=True):
    types = cleanup.ensure_default_action_types()
    data = {
        "name_fr": "Nettoyage",
        "name_en": "Clean-up",
        "description_fr": "",
        "description_en": "",
        "starts_at": now + starts,
        "ends_at": now + ends,
        "all_departments": True,
        "department_ids": [],
        "goals": {"GB": 100},
        "rules": [
            {"action_type_id": t.id, "points_per_unit": t.points_per_unit, "daily_cap": t.daily_cap}
            for t in types
        ],
    }
    created = now + starts - timedelta(days=10)
    campaign = cleanup.create_campaign(organiser, data, created)
    if publish:
        cleanup.publish_campaign(campaign, organiser, created + timedelta(days=1))
    return campaign


def _cleanup(a, organiser, now) -> dict:
    campaign = _campaign(organiser, timedelta(days=-2), timedelta(days=19), now)
    draft = _campaign(organiser, timedelta(days=10), timedelta(days=30), now, publish=False)
    closed = _campaign(organiser, timedelta(days=-40), timedelta(days=-10), now)
    cleanup.log_action(a, closed, "delete-mail", 2, now - timedelta(days=20))
    # Frozen as the job would have done: reading the results then changes nothing.
    cleanup.freeze_campaign(closed, now, announce=False)
    # 15 GB is above the usual size: flagged, so organisers have something to review.
    action = cleanup.log_action(a, campaign, "delete-mail", 15, now - timedelta(minutes=5))
    assert action.status == "flagged"
    db.session.flush()
    return {
        "campaign": campaign.id,
        "draft_campaign": draft.id,
        "closed_campaign": closed.id,
        "action": action.id,
    }


def _catalogue_item(code: str, **values) -> CatalogueItem:
    base = {
        "code": code,
        "kind": "equipment",
        "category": "laptop",
        "name_fr": f"Objet {code}",
        "name_en": f"Item {code}",
        "description_fr": "",
        "description_en": "",
        "source": "Test source v1",
        "embodied_kgco2e": 200.0,
        "lifetime_years": 4.0,
        "use_kwh_per_year": 100.0,
    }
    base.update(values)
    base = catalogue.complete_footprint(base, GRID)
    item = CatalogueItem(
        **{k: v for k, v in base.items() if hasattr(CatalogueItem, k)}, status="available"
    )
    db.session.add(item)
    db.session.flush()
    return item


def _catalogue(a, now) -> dict:
    laptop = _catalogue_item("TRUST-LAPTOP")
    service = _catalogue_item(
        "TRUST-MAIL", kind="service", category="email", use_kgco2e_per_year=3.0
    )
    catalogue.add_to_basket(a, laptop, 1, now)
    request = catalogue.submit_basket(a, "A-PRIVATE-NOTE", now)
    catalogue.add_to_basket(a, laptop, 3, now)
    refused = catalogue.submit_basket(a, "", now)
    refused.status = "refused"  # decided: its items can be asked for again
    line = catalogue.add_to_basket(a, laptop, 2, now)  # A's new basket (draft)
    db.session.flush()
    assert db.session.get(CatalogueRequestLine, line.id).request_id != request.id
    return {
        "item": laptop.id,
        "service": service.id,
        "request": request.id,
        "refused_request": refused.id,
        "line": line.id,
    }


def _recycling(a, agent, make, now) -> dict:
    commune = a.department.commune
    point = CollectionPoint(
        commune=commune,
        name="Mairie",
        address="1 place de la Mairie",
        latitude=commune.latitude,
        longitude=commune.longitude,
        opening_hours="24/7",
        accepted_types="laptop,desktop,monitor,smartphone,tablet,printer,accessory",
        directions_fr="Accueil",
        directions_en="Reception",
        active=True,
        closure_note="",
        created_at=now,
    )
    other = CollectionPoint(
        commune=commune,
        name="Annexe",
        address="2 rue de l'Annexe",
        latitude=commune.latitude,
        longitude=commune.longitude,
        opening_hours="24/7",
        accepted_types="laptop",
        active=True,
        created_at=now,
    )
    db.session.add_all([point, other])
    db.session.flush()
    outsider = make.user(roles=("agent",), display_name="Olga Outsider")
    db.session.add_all(
        [
            PointAgent(point_id=point.id, user_id=agent.id),
            PointAgent(point_id=other.id, user_id=outsider.id),
        ]
    )
    declared, _created = recycling.register_device_return(
        a, point, "laptop", "working", now, asset_tag="TRUST-A-1", wipe_requested=True
    )
    to_wipe, _created = recycling.register_device_return(
        a, point, "laptop", "broken", now, asset_tag="TRUST-A-2", wipe_requested=True
    )
    to_close, _created = recycling.register_device_return(a, point, "monitor", "working", now)
    db.session.flush()
    recycling.confirm_receipt(to_wipe, agent, now)
    recycling.confirm_receipt(to_close, agent, now)
    db.session.flush()
    return {
        "point": point.id,
        "receipt": declared.receipt_number,  # declared: the agent's next step is receipt
        "received_receipt": to_wipe.receipt_number,  # received, waiting for its wipe
        "unwiped_receipt": to_close.receipt_number,  # received, no wipe needed: outcome next
        "outsider_agent": outsider.id,
    }


def _messaging(a, organiser, now) -> dict:
    template = messaging.save_template(None, dict(TEMPLATE), organiser, now)
    delivered = messaging.create_dispatch(template, "everyone", {}, now, now, actor=organiser)
    db.session.commit()
    messaging_jobs.run_dispatch(delivered.id, clock=lambda: now)
    delivery = db.session.scalar(
        select(Delivery).where(Delivery.user_id == a.id, Delivery.channel == "inbox")
    )
    upcoming = messaging.schedule_message(
        template, "everyone", {}, "at", now, actor=organiser, at=now + timedelta(days=1)
    )
    schedule = messaging.schedule_message(
        template, "everyone", {}, "cron", now, actor=organiser, cron="0 9 * * mon"
    )
    db.session.flush()
    return {
        "template": template.id,
        "delivery": delivery.id,
        "dispatch": upcoming.id,
        "schedule": schedule.id,
        "unsubscribe": unsubscribe_token(a.id),
    }
