"""Demo data: one collection point per commune, their agents, a few thousand past returns."""

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import insert, select, update

from app.auth.models import User, UserRole
from app.core.devices import DEVICE_TYPES
from app.core.models import Commune
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.recycling.models import (
    BACK_IN_SERVICE,
    LEAVES_THE_ADMINISTRATION,
    NOT_BROUGHT,
    OUTCOMES,
    RECEIPT_UNDONE,
    SIGNED_CHAIN,
    WITHDRAWN,
    CollectionPoint,
    CustodyStep,
    DeviceReturn,
    PointAgent,
)
from app.recycling.services import (
    chain_seal,
    new_receipt_number,
    normalise_asset_tag,
    sign_step,
)

DEMO_RETURNS = 3000
DEMO_EMPLOYEE = "employee@demo.empreinte.fr"
HOURS = (
    "Mo-Fr 08:30-12:00,13:30-17:00; PH off",
    "Mo-Fr 09:00-17:30; PH off",
    "Mo,We,Fr 09:00-12:30,14:00-17:00; PH off",
    "Tu-Th 08:00-12:00,13:00-16:30; Sa 09:00-12:00; PH off",
    "Mo-Fr 08:00-18:00; Sa 09:00-12:00; PH off",
)
PLACES = ("Hôtel de ville", "Centre technique municipal", "Maison des services publics")
STREETS = ("place de la Mairie", "avenue de la République", "rue Jean Jaurès", "cours Victor Hugo")
ALL_TYPES = tuple(DEVICE_TYPES)
SMALL_TYPES = ("laptop", "smartphone", "tablet", "accessory", "monitor")
DEMO_AGENT_COMMUNES = ("Bordeaux", "Mérignac", "Pessac", "Talence")
# The demo employee's own returns, oldest first: device type, condition, wipe requested,
# declared so many days ago, then each later step after so many working days. The last
# is still waiting for an agent, and its owner was reminded of it (RECYCLING_REMINDER_DAYS).
DEMO_EMPLOYEE_RETURNS = (
    ("laptop", "working", True, 130, (("received", 1), ("wiped", 3), ("refurbished", 5))),
    ("laptop", "working", True, 52, (("received", 2), ("wiped", 2), ("refurbished", 4))),
    ("smartphone", "working", True, 33, (("received", 1), ("wiped", 2), ("reused", 3))),
    ("monitor", "broken", False, 18, (("received", 2), ("recycled", 4))),
    ("tablet", "working", True, 11, ()),
)
REMINDED_AFTER_DAYS = 8  # the job's next round in office hours, once the 7 days are over
# The custody steps after the declaration that send a signal other modules listen to
# (app.core.signals), by the name `returns_declared_between` gives them.
SIGNALLED_STEPS = {
    "received": "received",  # device_return_received
    RECEIPT_UNDONE: "receipt_undone",  # device_receipt_undone
    WITHDRAWN: "withdrawn",  # device_return_withdrawn
    NOT_BROUGHT: "withdrawn",  # device_return_withdrawn too
}

# The letter closing a demo slip's number, by outcome: one organisation each.
SLIP_LETTERS = {"donated": "D", "refurbished": "F", "recycled": "R"}
# A declaration whose device was not brought within a month: its point's agent closed it
# as never brought (`services.close_not_brought`, which the desk offers once its owner was
# reminded), that day, before the portal's own daily job would have
# (RECYCLING_UNBROUGHT_CLOSE_DAYS, 60): its demo shows no declaration waiting since last
# year, and the job's first run after a seed closes none.
NOT_BROUGHT_AFTER_DAYS = 30
# Outcomes that need a working device: a broken one is recycled (or refurbished) instead.
WORKING_ONLY = ("reused", "donated")

# The organisations the demo's devices are handed over to, by outcome (made-up names).
DEMO_RECIPIENTS = {
    "donated": "Association Solidarité Numérique Gironde",
    "refurbished": "Atelier du Reconditionnement",
    "recycled": "Filière D3E Métropole",
}


def _points(rng: random.Random) -> list[dict]:
    rows = []
    for commune in db.session.scalars(select(Commune).order_by(Commune.name)):
        big = commune.name in ("Bordeaux", "Mérignac", "Pessac", "Talence", "Bègles", "Lormont")
        place = "Cité municipale" if commune.name == "Bordeaux" else rng.choice(PLACES)
        rows.append(
            {
                "commune_id": commune.id,
                "name": f"{place} – {commune.name}",
                "address": f"{rng.randint(1, 40)} {rng.choice(STREETS)}, {commune.name}",
                "latitude": round(commune.latitude + rng.uniform(-0.004, 0.004), 5),
                "longitude": round(commune.longitude + rng.uniform(-0.004, 0.004), 5),
                "opening_hours": HOURS[0] if big else rng.choice(HOURS),
                "accepted_types": ",".join(ALL_TYPES if big else SMALL_TYPES),
                "directions_fr": "Accueil du rez-de-chaussée\u00a0; demandez l'agent du numérique.",
                "directions_en": "Ground-floor reception; ask for the IT agent.",
                "active": True,
                "closure_note": "",
                "created_at": utcnow() - timedelta(days=600),
            }
        )
    return rows


def seed_recycling(rng: random.Random, returns: int = DEMO_RETURNS) -> None:
    """Points, agents and past returns, with bulk inserts (well under a second or two)."""
    now = utcnow().replace(microsecond=0)
    db.session.execute(insert(CollectionPoint), _points(rng))
    points = db.session.scalars(select(CollectionPoint).order_by(CollectionPoint.id)).all()
    demo_agent = db.session.scalar(select(User).where(User.email == "agent@demo.empreinte.fr"))
    staff = db.session.scalars(
        select(User.id).where(User.email.like("%@agents.empreinte.fr")).order_by(User.id)
    ).all()
    if not staff or not points:
        return

    # The demo agent handles a few big points; a generated agent handles each other one.
    agent_of: dict[int, User | int] = {}
    new_agents = rng.sample(staff, min(len(staff), len(points)))
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "agent"} for i in new_agents])
    links = []
    # A small demo has fewer staff than points: its agents then handle several points.
    for point, generated in zip(points, itertools.cycle(new_agents)):
        if demo_agent and point.commune.name in DEMO_AGENT_COMMUNES:
            agent_of[point.id] = demo_agent.id
        else:
            agent_of[point.id] = generated
        links.append({"point_id": point.id, "user_id": agent_of[point.id]})
    db.session.execute(insert(PointAgent), links)
    names = dict(
        db.session.execute(
            select(User.id, User.display_name).where(User.id.in_(set(agent_of.values())))
        ).all()
    )

    rows, plans, receipts = [], {}, set()
    statuses = ("declared", "received", "wiped", *OUTCOMES)
    weights = (6, 6, 4, 20, 8, 18, 38)
    type_weights = {"laptop": 30, "desktop": 12, "monitor": 18, "smartphone": 20, "tablet": 8,
                    "printer": 4, "accessory": 8}  # fmt: skip
    for index in range(returns):
        point = rng.choice(points)
        device_type = rng.choices(list(type_weights), list(type_weights.values()))[0]
        if device_type not in point.accepted_device_types:
            device_type = "laptop"
        bearing = DEVICE_TYPES[device_type].data_bearing
        wipe_requested = bearing and rng.random() < 0.6
        status = rng.choices(statuses, weights)[0]
        if status == "wiped" and not wipe_requested:
            status = "received"
        path = ["declared"]
        if status != "declared":
            path.append("received")
            if wipe_requested and status != "received":
                path.append("wiped")
            if status in OUTCOMES:
                path.append(status)
        gaps = [timedelta(0)] + [
            timedelta(hours=rng.randint(2, 24 * 12)) for _ in range(len(path) - 1)
        ]
        # Declared as steadily in the last weeks as in the months before: the steps due
        # after now have not come yet, so recent returns are still under way. (Set back
        # by its whole path, the newest returns thinned out: a clean-up campaign of the
        # last days counted one device.)
        declared_at = now - timedelta(minutes=rng.randint(30, 60 * 24 * 540))
        receipt = new_receipt_number()
        while receipt in receipts:
            receipt = new_receipt_number()
        receipts.add(receipt)
        times, at = [], declared_at
        for gap in gaps:
            at += gap
            times.append(at)
        times = _in_office_hours(times, now)
        declared_at = times[0]
        while times[-1] > now:
            del path[-1], times[-1]
        reminded_at = _reminded_in_its_time(path[-1], declared_at, now)
        closed_at = declared_at + timedelta(days=NOT_BROUGHT_AFTER_DAYS)
        if path == ["declared"] and closed_at <= now:
            path.append(NOT_BROUGHT)
            times.append(_in_office_hours([closed_at], now)[0])
        asset_tag = f"BM-{device_type[:3].upper()}-{index:06d}" if rng.random() < 0.6 else None
        condition = "working" if rng.random() < 0.7 else "broken"
        if condition == "broken" and path[-1] in WORKING_ONLY:
            path[-1] = "recycled"
        rows.append(
            {
                "receipt_number": receipt,
                "user_id": rng.choice(staff),
                "point_id": point.id,
                "device_type": device_type,
                "asset_tag": asset_tag,
                "asset_tag_key": None,
                "condition": condition,
                "data_wiped": bearing and not wipe_requested,
                "wipe_requested": wipe_requested,
                "status": path[-1],
                "declared_at": declared_at,
                "updated_at": times[-1],
                # A declaration long left waiting was reminded in its time: the first
                # run of the reminder job must not remind the whole history at once.
                "reminded_at": reminded_at,
            }
        )
        rows[-1]["asset_tag_key"] = normalise_asset_tag(rows[-1]["asset_tag"])
        plans[receipt] = (
            list(zip(path, times, strict=True)),
            rows[-1]["user_id"],
            point.id,
            device_type,
        )
    employee = db.session.scalar(select(User.id).where(User.email == DEMO_EMPLOYEE))
    bordeaux = next((p for p in points if p.commune.name == "Bordeaux"), points[0])
    for row, path in _demo_employee_returns(rng, now, employee, bordeaux.id, receipts):
        rows.append(row)
        plans[row["receipt_number"]] = (path, employee, bordeaux.id, row["device_type"])
    slips = _batch_slips(rows, plans)
    for row in rows:  # back in service, or never brought: its tag is free again
        if row["status"] in (*BACK_IN_SERVICE, NOT_BROUGHT):
            row["asset_tag_key"] = None
        receipt = row["receipt_number"]
        row["chain_seal"] = chain_seal(receipt, row["status"], len(plans[receipt][0]))
    db.session.execute(insert(DeviceReturn), rows)
    # Each outcome keeps the footprint in force when it was recorded, as the desk stores it
    # (`services.record_outcome`): the catalogue seeded before gives today's.
    from app.catalogue.queries import reference_embodied_by_device_type

    for device_type, embodied in reference_embodied_by_device_type().items():
        db.session.execute(
            update(DeviceReturn)
            .where(DeviceReturn.device_type == device_type, DeviceReturn.status.in_(OUTCOMES))
            .values(embodied_kgco2e=embodied)
        )

    ids = dict(db.session.execute(select(DeviceReturn.receipt_number, DeviceReturn.id)).all())
    steps = []
    for receipt, (path, owner, point_id, device_type) in plans.items():
        for position, (step_name, at) in enumerate(path):
            actor = owner if step_name == "declared" else agent_of[point_id]
            step = CustodyStep(
                step=step_name,
                at=at,
                actor_id=actor,
                actor_name=names.get(actor, "") if step_name != "declared" else "",
                signed_as=SIGNED_CHAIN,
            )
            if step_name == "wiped":
                step.wipe_method = DEVICE_TYPES[device_type].wipe_methods[0]  # one that fits
                step.wipe_date = at.date()
                step.certificate_number = f"CERT-{receipt[3:]}"
            if step_name in LEAVES_THE_ADMINISTRATION:  # who took it away, and the slip
                step.recipient = DEMO_RECIPIENTS[step_name]
                step.handover_slip = slips[receipt]
            steps.append(
                {
                    "return_id": ids[receipt],
                    "step": step_name,
                    "at": at,
                    "actor_id": actor,
                    "actor_name": step.actor_name,
                    "signature": sign_step(receipt, step, position=position),
                    "signed_as": SIGNED_CHAIN,
                    "wipe_method": step.wipe_method,
                    "wipe_date": step.wipe_date,
                    "certificate_number": step.certificate_number,
                    "recipient": step.recipient,
                    "handover_slip": step.handover_slip,
                    "note": "",
                }
            )
    db.session.execute(insert(CustodyStep), steps)
    db.session.flush()


def _batch_slips(rows: list[dict], plans: dict) -> dict[str, str]:
    """Each handed-over device's slip number: one slip per point, month and organisation
    (its outcome's), as a pallet leaves with one slip (`handover.hand_over`): each
    organisation collects from a point once a month (a day's slips held one device each,
    the demo's points handing over a few devices a month). The devices of a slip leave
    together, at the last of their moments that month: their outcome step and their
    return's last change are moved to it (never earlier than their own)."""
    zone = local_zone()
    groups: dict[tuple, list[str]] = {}
    for receipt, (path, _owner, point_id, _type) in plans.items():
        outcome, at = path[-1]
        if outcome in LEAVES_THE_ADMINISTRATION:
            month = at.astimezone(zone).date().replace(day=1)
            groups.setdefault((point_id, month, outcome), []).append(receipt)
    row_of = {row["receipt_number"]: row for row in rows}
    slips = {}
    for (point_id, month, outcome), receipts in groups.items():
        number = f"BD-{month:%Y%m}-{point_id:02d}{SLIP_LETTERS[outcome]}"
        leaving = max(plans[receipt][0][-1][1] for receipt in receipts)
        for receipt in receipts:
            path = plans[receipt][0]
            path[-1] = (outcome, leaving)
            row_of[receipt]["updated_at"] = leaving
            slips[receipt] = number
    return slips


def returns_declared_between(start: datetime, end: datetime) -> list[tuple]:
    """The seeded returns declared from `start` to before `end`, in the order they were
    declared: (id, owner's id, declared at, [(signal, at), ...]), the later steps that
    sent a signal (`SIGNALLED_STEPS`) in their order. Another domain's demo data replays
    them as its listeners would have heard them (the clean-up campaigns' entries)."""
    declared = (DeviceReturn.declared_at >= start) & (DeviceReturn.declared_at < end)
    returns = db.session.execute(
        select(DeviceReturn.id, DeviceReturn.user_id, DeviceReturn.declared_at)
        .where(declared)
        .order_by(DeviceReturn.declared_at, DeviceReturn.id)
    ).all()
    signals: dict[int, list] = {}
    for return_id, step, at in db.session.execute(
        select(CustodyStep.return_id, CustodyStep.step, CustodyStep.at)
        .join(DeviceReturn, DeviceReturn.id == CustodyStep.return_id)
        .where(declared, CustodyStep.step.in_(SIGNALLED_STEPS))
        .order_by(CustodyStep.at, CustodyStep.id)
    ):
        signals.setdefault(return_id, []).append((SIGNALLED_STEPS[step], at))
    return [(rid, owner, at, signals.get(rid, [])) for rid, owner, at in returns]


def _in_office_hours(times: list[datetime], now: datetime) -> list[datetime]:
    """A return's moments moved into office hours, in order: each day's 24 hours pressed
    into 9:00-17:00 (Paris), a weekend's to the Friday's close. Random minutes declared
    devices at 2 a.m. and received them before their point opened. Drawing no number,
    the rest of the demo stays as it was; a declaration never moves past `now`."""
    moved = []
    for at in times:
        local = at.astimezone(local_zone())
        day, minute = local.date(), (local.hour * 60 + local.minute) // 3
        if day.weekday() >= 5:
            day, minute = _working_day(day, -1), 8 * 60 - 1
        shifted = datetime.combine(day, time(9), tzinfo=local_zone()) + timedelta(minutes=minute)
        shifted = shifted.astimezone(UTC)
        if moved and shifted <= moved[-1]:
            shifted = moved[-1] + timedelta(minutes=7)  # a step the same moment: just after
        moved.append(shifted)
    if moved[0] > now:  # declared early today, before the office opened
        moved = [min(at, now) for at in times[:1]] + moved[1:]
    return moved


def _office_moment(rng: random.Random, day: date) -> datetime:
    """A moment of that day between 9:00 and 17:00 (Paris), when points and agents work."""
    opening = datetime.combine(day, time(9), tzinfo=local_zone())
    return (opening + timedelta(minutes=rng.randint(0, 8 * 60))).astimezone(UTC)


def _working_day(day: date, step: int = 1) -> date:
    """`day` if a weekday, else the nearest one in the direction of `step` (1 or -1)."""
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def _demo_employee_returns(rng: random.Random, now: datetime, owner, point_id: int, receipts):
    """The demo employee's returns (DEMO_EMPLOYEE_RETURNS), each step in office hours:
    their receipts show a chain of custody, and their inbox the news of each step."""
    if owner is None:
        return []
    today = now.astimezone(local_zone()).date()
    made = []
    for index, (device_type, condition, wipe, days_ago, later) in enumerate(DEMO_EMPLOYEE_RETURNS):
        day = _working_day(today - timedelta(days=days_ago), -1)
        path = [("declared", _office_moment(rng, day))]
        for step_name, working_days in later:
            for _ in range(working_days):
                day = _working_day(day + timedelta(days=1))
            path.append((step_name, _office_moment(rng, day)))
        receipt = new_receipt_number()
        while receipt in receipts:
            receipt = new_receipt_number()
        receipts.add(receipt)
        tag = f"BM-{device_type[:3].upper()}-D{index:05d}"
        reminded = None
        if not later:
            reminded_day = _working_day(day + timedelta(days=REMINDED_AFTER_DAYS))
            reminded = _office_moment(rng, reminded_day)
        row = {
            "receipt_number": receipt,
            "user_id": owner,
            "point_id": point_id,
            "device_type": device_type,
            "asset_tag": tag,
            "asset_tag_key": normalise_asset_tag(tag),
            "condition": condition,
            "data_wiped": False,
            "wipe_requested": wipe,
            "status": path[-1][0],
            "declared_at": path[0][1],
            "updated_at": path[-1][1],
            "reminded_at": reminded,
        }
        made.append((row, path))
    return made


def _reminded_in_its_time(status: str, declared_at, now):
    """When the reminder job would have reminded a seeded return still waiting, if that
    moment has passed (None otherwise: it is reminded when its day comes)."""
    if status != "declared":
        return None
    reminded = declared_at + timedelta(days=current_app.config["RECYCLING_REMINDER_DAYS"])
    return reminded if reminded <= now else None
