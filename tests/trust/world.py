"""Activity in all four domains, built through their services, for the cross-domain
trust tests (export, erasure, retention, API fuzzing): a running clean-up campaign
with logged actions, a collection point with returns taken along their chain of
custody, a delivered message, and catalogue requests decided against a budget."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.catalogue import queries as catalogue_queries
from app.catalogue import services as catalogue_services
from app.catalogue.models import CatalogueItem
from app.catalogue.services import complete_footprint
from app.cleanup import queries as cleanup_queries
from app.cleanup import services as cleanup_services
from app.core.time import local_zone
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.messaging import queries as messaging_queries
from app.messaging import services as messaging_services
from app.messaging.models import Dispatch
from app.recycling import queries as recycling_queries
from app.recycling import services as recycling_services
from app.recycling.models import CollectionPoint, PointAgent
from tests.factories import Factories

HOURS = "Mo-Su 00:00-24:00"


@dataclass
class World:
    now: datetime
    organiser: object
    admin: object
    agent: object
    campaign: object = None
    point: object = None
    item: object = None
    dispatch: object = None
    returns: list = field(default_factory=list)


def build_world(make, now: datetime) -> World:
    """The shared objects: staff, a running campaign, an open point, an item, a template."""
    organiser = make.user(roles=("organiser",))
    admin = make.user(roles=("admin",))
    agent = make.user(roles=("employee", "agent"))
    world = World(now=now, organiser=organiser, admin=admin, agent=agent)
    types = cleanup_services.ensure_default_action_types()
    data = {
        "name_fr": "Nettoyage d'hiver",
        "name_en": "Winter clean-up",
        "description_fr": "",
        "description_en": "",
        "starts_at": now - timedelta(days=2),
        "ends_at": now + timedelta(days=19),
        "all_departments": True,
        "department_ids": [],
        "goals": {"GB": 100, "devices": 5},
        "rules": [
            {"action_type_id": t.id, "points_per_unit": t.points_per_unit, "daily_cap": t.daily_cap}
            for t in types
        ],
    }
    world.campaign = cleanup_services.create_campaign(organiser, data, now - timedelta(days=10))
    cleanup_services.publish_campaign(world.campaign, organiser, now - timedelta(days=9))
    commune = make.commune()
    world.point = CollectionPoint(
        commune=commune,
        name="Hôtel de ville",
        address="1 place Pey-Berland",
        latitude=commune.latitude,
        longitude=commune.longitude,
        opening_hours=HOURS,
        accepted_types="laptop,desktop,monitor,smartphone,tablet,printer,accessory",
        directions_fr="",
        directions_en="",
        active=True,
        closure_note="",
        created_at=now,
    )
    world.point.agent_rows = [PointAgent(user_id=agent.id)]
    db.session.add(world.point)
    values = complete_footprint(
        {
            "code": "LAPTOP-STD",
            "kind": "equipment",
            "category": "laptop",
            "name_fr": "Portable standard",
            "name_en": "Standard laptop",
            "description_fr": "",
            "description_en": "",
            "source": "Test source v1",
            "embodied_kgco2e": 200.0,
            "lifetime_years": 4.0,
            "use_kwh_per_year": 100.0,
        },
        0.052,
    )
    world.item = CatalogueItem(
        **{k: v for k, v in values.items() if hasattr(CatalogueItem, k)}, status="available"
    )
    db.session.add(world.item)
    db.session.commit()
    return world


def add_activity(world: World, person, tag: str) -> None:
    """`person` logs actions, returns two devices (one taken to its outcome), and has a
    catalogue request approved; `tag` makes their asset tags and comment unique."""
    now = world.now
    cleanup_services.log_action(person, world.campaign, "delete-mail", 1.5, now)
    cleanup_services.log_action(person, world.campaign, "unsubscribe", 3, now)
    for n, device_type in enumerate(("laptop", "smartphone")):
        device_return, _created = recycling_services.register_device_return(
            person,
            world.point,
            device_type,
            "working",
            now,
            asset_tag=f"BM-{tag}-{n}",
            wipe_requested=True,
        )
        world.returns.append(device_return)
    first = world.returns[-2]
    recycling_services.confirm_receipt(first, world.agent, now)
    # Wiped the day it was received, in Paris (after 23:00 UTC that is the next UTC day).
    wiped_on = now.astimezone(ZoneInfo("Europe/Paris")).date()
    recycling_services.record_wipe(first, world.agent, "crypto_erase", wiped_on, "C-1", now)
    recycling_services.record_outcome(first, world.agent, "reused", now, note=f"to {tag}")
    catalogue_services.add_to_basket(person, world.item, 2, now)
    request = catalogue_services.submit_basket(person, f"For {tag}'s team", now)
    # Staff never decide their own request: the admin's own is decided by another admin.
    decider = world.admin if person is not world.admin else Factories().user(roles=("admin",))
    catalogue_services.decide_request(request, decider, True, "ok", now)
    db.session.commit()


def send_message(world: World) -> Dispatch:
    """A message to everyone, delivered to the portal inboxes (nobody consented to e-mail)."""
    template = messaging_services.save_template(
        None,
        {
            "key": "hello",
            "name": "Hello",
            "subject_fr": "Bonjour {{ first_name }}",
            "body_fr": "Bonjour {{ first_name }}.\n\nDésabonnement : {{ unsubscribe_url }}",
            "subject_en": "Hello {{ first_name }}",
            "body_en": "Hello {{ first_name }}.\n\nUnsubscribe: {{ unsubscribe_url }}",
        },
        world.organiser,
        world.now,
    )
    dispatch = messaging_services.create_dispatch(template, "everyone", {}, world.now, world.now)
    db.session.commit()
    messaging_jobs.run_dispatch(dispatch.id, clock=lambda: world.now)
    world.dispatch = db.session.get(Dispatch, dispatch.id)
    return world.dispatch


def aggregates(world: World) -> dict:
    """Every total that erasure and retention must leave exactly as it was."""
    db.session.expire_all()
    campaign = world.campaign
    results = cleanup_queries.compute_results(campaign, world.now)
    # What organisers follow: notices to one person are deleted with that person.
    dispatches = db.session.scalars(
        select(Dispatch.id).where(Dispatch.audience_key != "person").order_by(Dispatch.id)
    ).all()
    return {
        "campaign_totals": cleanup_queries.campaign_totals(campaign),
        "goals": cleanup_queries.goal_progress(campaign),
        "departments": cleanup_queries.team_leaderboard(campaign, "departments", "total", "en", 1),
        "communes": cleanup_queries.team_leaderboard(campaign, "communes", "total", "en", 1),
        "results": results,
        "recycling": recycling_queries.statistics(),
        "budgets": [
            (row.department.id, row.budget, row.used, row.previous_used, row.colour)
            for row in catalogue_queries.department_budgets(world.now.year, local_zone())
        ],
        "dispatches": {
            d: (messaging_jobs.counts_by_status(d), messaging_queries.dispatch_counts(d))
            for d in dispatches
        },
    }
