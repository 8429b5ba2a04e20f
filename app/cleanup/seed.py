"""Demo data: a running campaign with 200,000+ logged actions and last year's closed one.

Runs after the recycling demo: the devices the campaigns count are its returns.
"""

import math
import random
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from flask import current_app
from sqlalchemy import insert, select

from app.auth.models import User
from app.cleanup import services
from app.cleanup.catalogue import SYSTEM_ACTION_TYPES
from app.cleanup.models import (
    ACCEPTED,
    FLAGGED,
    PENDING,
    CleanupAction,
    CleanupCampaign,
    CleanupCampaignActionType,
    CleanupGoal,
    CleanupParticipant,
)
from app.core.demo import checks_deferred_to_the_end
from app.core.signals import campaign_published
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.recycling.seed import returns_declared_between

# Typical sizes of one entry per unit: small, so that daily caps always hold. Returned
# devices are not drawn: they are the recycling demo's returns (`_device_return_rows`).
QUANTITIES = {"GB": (0.1, 1.0), "items": (1, 5)}
WEIGHTS = {"GB": 6, "items": 6}


#: The demo organiser (app.core.demo), recorded as the demo campaigns' creator.
DEMO_ORGANISER = "organiser@demo.empreinte.fr"


def _campaign(
    types, starts_at: datetime, name_fr: str, name_en: str, published_at
) -> CleanupCampaign:
    campaign = CleanupCampaign(
        name_fr=name_fr,
        name_en=name_en,
        description_fr="Trois semaines pour alléger nos boîtes mail, nos espaces de stockage "
        "et nos tiroirs d'équipements oubliés.",
        description_en="Three weeks to lighten our mailboxes, our storage and our drawers of "
        "forgotten devices.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=21),
        all_departments=True,
        created_at=published_at,
        published_at=published_at,
        # Created by the demo organiser: a rejected entry then says whom to write to.
        created_by_id=db.session.scalar(select(User.id).where(User.email == DEMO_ORGANISER)),
    )
    campaign.goals = [
        CleanupGoal(unit="GB", target=50_000),
        CleanupGoal(unit="devices", target=2_000),
        CleanupGoal(unit="participants", target=12_000),
    ]
    campaign.action_rules = [
        CleanupCampaignActionType(
            action_type_id=t.id, points_per_unit=t.points_per_unit, daily_cap=t.daily_cap
        )
        for t in types
    ]
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _fill(rng: random.Random, campaign, types, people, share: float, per_person: int, until):
    """Bulk-insert participants and their actions between the start and `until`, and the
    entries of the device returns declared meanwhile."""
    chosen = [p for p in people if rng.random() < share]
    teams = {uid: (department_id, commune_id) for uid, department_id, commune_id in people}
    declared = returns_declared_between(campaign.starts_at, campaign.ends_at)
    returns = [r for r in declared if r[1] in teams]  # staff who can take part
    joined = {uid: campaign.starts_at for uid, _d, _c in chosen}
    for _id, owner, declared_at, _signals in returns:  # their first return made them join
        joined.setdefault(owner, declared_at)
    db.session.execute(
        insert(CleanupParticipant),
        [
            {"campaign_id": campaign.id, "user_id": uid, "joined_at": at}
            for uid, at in joined.items()
        ],
    )
    ids = dict(
        db.session.execute(
            select(CleanupParticipant.user_id, CleanupParticipant.id).where(
                CleanupParticipant.campaign_id == campaign.id
            )
        ).all()
    )
    span = (until - campaign.starts_at).total_seconds()
    zone = local_zone()
    start = campaign.starts_at.astimezone(UTC)
    # The Paris offset changes at most once in three weeks: compute it per hour, not per row.
    offsets: dict[int, timedelta] = {}
    # Plain tuples: reading ORM attributes ~300,000 times costs seconds.
    drawn = [t for t in types if t.key not in SYSTEM_ACTION_TYPES]
    kinds = [(t.id, t.unit, t.points_per_unit, *QUANTITIES[t.unit]) for t in drawn]
    cum_weights = list(accumulate(WEIGHTS[t.unit] for t in drawn))
    campaign_id = campaign.id
    rows = []
    for uid, department_id, commune_id in chosen:
        participant_id = ids[uid]
        count = rng.randint(1, 2 * per_person - 1)
        for type_id, unit, per_unit, low, high in rng.choices(
            kinds, cum_weights=cum_weights, k=count
        ):
            quantity = (
                round(rng.uniform(low, high), 1)
                if unit == "GB"
                else rng.randint(int(low), int(high))
            )
            seconds = rng.random() * span
            at = start + timedelta(seconds=seconds)
            hour = int(seconds // 3600)
            if hour not in offsets:
                offsets[hour] = at.astimezone(zone).utcoffset()
            rows.append(
                [
                    campaign_id,
                    participant_id,
                    type_id,
                    department_id,
                    commune_id,
                    quantity,
                    services.points_for(quantity, per_unit),
                    at,
                    (at + offsets[hour]).date(),
                    ACCEPTED,
                    "",
                    "",
                    None,
                ]
            )
    # A few implausible entries for organisers to review: above their type's usual size
    # of one entry, as the portal would have flagged them, yet within its daily cap (the
    # portal refuses more) and leaving some of it: "40 items" against "at most 30 a day"
    # contradicted the rules, and filled the day. (Their own random draws: the demo's
    # other data stays as it was.)
    rules = {t.id: (t.flag_above, t.daily_cap, t.points_per_unit, t.unit) for t in types}
    sizes = random.Random(campaign_id)
    for row in rows[:: max(len(rows) // 25, 1)][:25]:
        flag_above, cap, per_unit, unit = rules[row[2]]
        share = sizes.uniform(0.2, 0.8)
        if cap <= flag_above:
            continue  # no entry can be flagged for its size without passing the cap
        size = flag_above + (cap - flag_above) * share
        row[5] = round(size, 1) if unit == "GB" else math.ceil(size)
        row[6] = services.points_for(row[5], per_unit)
        row[9], row[10] = FLAGGED, "above the usual size of one entry"
    rows = _within_daily_caps(rows, {t.id: t.daily_cap for t in types})
    device_type = next((t for t in types if t.key == "return-device"), None)
    if device_type is not None:
        rows += _device_return_rows(campaign, device_type, returns, ids, teams)
    units = {t.id: t.unit for t in types}
    # Participants as the results count them: someone whose only entry is a device not
    # received yet takes part in nothing so far.
    achieved = {"participants": len({row[1] for row in rows if row[9] == ACCEPTED})}
    for row in rows:
        if row[9] == ACCEPTED:
            achieved[units[row[2]]] = achieved.get(units[row[2]], 0) + row[5]
    with checks_deferred_to_the_end(CleanupAction.__tablename__):
        _insert_actions(rows)
    return achieved


def _device_return_rows(campaign, rule, returns, ids, teams) -> list[list]:
    """The entries the portal's listeners (`app.cleanup.integration`) would have made of
    the returns declared during the campaign: logged at the declaration, waiting for the
    device (PENDING), counted once an agent received it while the campaign ran, waiting
    again if that receipt was undone, gone if the declaration was withdrawn or closed
    before the end (after it, the frozen results keep them). A declaration past the
    owner's daily cap of returns is left out, as `services.log_device_return` skips it."""
    zone = local_zone()
    # (participant, day): when each entry logged that day went (None: it stays).
    kept: dict[tuple, list] = {}
    rows = []
    for return_id, owner, declared_at, signals in returns:
        participant_id, day = ids[owner], declared_at.astimezone(zone).date()
        today = kept.setdefault((participant_id, day), [])
        if sum(1 for gone in today if gone is None or gone > declared_at) >= rule.daily_cap:
            continue
        status, gone = PENDING, None
        for signal, at in signals:
            if at >= campaign.ends_at:
                break  # the results were frozen at the end
            if signal == "received" and status == PENDING:
                status = ACCEPTED
            elif signal == "receipt_undone" and status == ACCEPTED:
                status = PENDING
            elif signal == "withdrawn":
                gone = at
                break
        today.append(gone)
        if gone is not None:
            continue
        department_id, commune_id = teams[owner]
        rows.append(
            [
                campaign.id,
                participant_id,
                rule.id,
                department_id,
                commune_id,
                1,
                services.points_for(1, rule.points_per_unit),
                declared_at,
                day,
                status,
                "",
                "",
                f"device-return:{return_id}",
            ]
        )
    return rows


def _within_daily_caps(rows: list[list], caps: dict) -> list[list]:
    """The rows, in their order, without those that would pass their type's daily cap
    for that person on that day, as the portal would have refused them. The flagged
    ones count first (the portal counts all but rejected entries): organisers have them
    to review, but two of one person's on one day must fit together too (a small demo
    flagged two entries of 15 GB of a type capped at 20 GB a day)."""
    taken: dict[tuple, float] = {}
    flagged = set()  # the ids of the flagged rows kept
    for row in rows:
        if row[9] == FLAGGED:
            key = (row[1], row[2], row[8])
            total = taken.get(key, 0) + row[5]
            if total <= caps[row[2]] + 1e-9:
                taken[key] = total
                flagged.add(id(row))
    kept = []
    for row in rows:
        if row[9] == FLAGGED:
            if id(row) in flagged:
                kept.append(row)
            continue
        key = (row[1], row[2], row[8])
        total = taken.get(key, 0) + row[5]
        if total <= caps[row[2]] + 1e-9:
            taken[key] = total
            kept.append(row)
    return kept


ACTION_COLUMNS = (
    "campaign_id",
    "participant_id",
    "action_type_id",
    "department_id",
    "commune_id",
    "quantity",
    "points",
    "logged_at",
    "day",
    "status",
    "flag_reason",
    "review_reason",
    "source_key",
)


def _insert_actions(rows: list[list]) -> None:
    """Insert the demo's actions straight through the driver: ~275,000 rows.

    Going through SQLAlchemy processed every value of every row (UTCDateTime among
    them) and took about 10 s. PostgreSQL gets COPY; SQLite gets one executemany with
    values already in the form SQLAlchemy stores (naive UTC text, ISO dates).
    """
    connection = db.session.connection()
    table = CleanupAction.__tablename__
    cursor = connection.connection.driver_connection.cursor()
    if connection.dialect.name == "postgresql":
        with cursor.copy(f"COPY {table} ({', '.join(ACTION_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        for row in rows:  # what UTCDateTime and Date store on SQLite
            row[7] = row[7].isoformat(" ", "microseconds")[:26]
            row[8] = row[8].isoformat()
        statement = CleanupAction.__table__.insert().compile(
            dialect=connection.dialect, column_keys=list(ACTION_COLUMNS)
        )
        cursor.executemany(str(statement), rows)
    cursor.close()


def seed_cleanup(rng: random.Random) -> None:
    """One running campaign (started 4 days ago, 3 weeks long) and last year's, frozen."""
    now = utcnow()
    types = services.ensure_default_action_types()
    people = db.session.execute(
        select(User.id, User.department_id, User.commune_id).where(User.active.is_(True))
    ).all()
    start = (
        (now - timedelta(days=4))
        .astimezone(local_zone())
        .replace(hour=9, minute=0, second=0, microsecond=0)
    )
    last_year = start - timedelta(days=364)
    previous = _campaign(
        types,
        last_year,
        "Journées du nettoyage numérique (édition précédente)",
        "Digital Clean-up Days (previous edition)",
        last_year - timedelta(days=14),
    )
    achieved_last_year = _fill(rng, previous, types, people, 0.5, 6, previous.ends_at)
    db.session.flush()
    _goals_of_a_past_edition(previous, achieved_last_year)
    # Frozen when the scheduled job would have frozen it, a minute after its end: its
    # results page said « Figés le » the day of the seed.
    services.freeze_campaign(previous, previous.ends_at + timedelta(minutes=1), announce=False)

    running = _campaign(
        types,
        start,
        "Journées du nettoyage numérique",
        "Digital Clean-up Days",
        start - timedelta(days=14),
    )
    # About 14 actions per participant: 20,000 staff x 75 % give ~210,000 actions.
    achieved = _fill(rng, running, types, people, 0.75, 14, now - timedelta(minutes=5))
    db.session.flush()
    _goals_on_track(running, achieved, now)
    # Announce the demo campaign as an organiser's publication would, so that its
    # messages (launch now, reminders later) are scheduled like in a real deployment.
    campaign_published.send(current_app._get_current_object(), campaign=running, now=now)
    _an_entry_of_the_demo_employee_set_aside(running, now)


def _an_entry_of_the_demo_employee_set_aside(campaign: CleanupCampaign, now: datetime) -> None:
    """An unusually large entry of the demo employee, rejected yesterday by the demo
    organiser with a reason: their entries show it, and the notice that tells them (sent
    through `entry_reviewed`) reaches their inbox at the scheduler's first tick."""
    employee, organiser = (
        db.session.scalar(select(User).where(User.email == f"{who}@demo.empreinte.fr"))
        for who in ("employee", "organiser")
    )
    if employee is None or organiser is None:
        return
    for days_ago in (1, 2, 3):  # a day whose daily cap leaves room for it
        try:
            entry = services.log_action(
                employee, campaign, "delete-mail", 12, now - timedelta(days=days_ago, hours=2)
            )
        except services.CleanupError:
            continue
        services.review_action(
            entry,
            organiser,
            False,
            "Même boîte nettoyée que dans votre saisie précédente\u00a0: elle ne compte qu'une fois.",
            now - timedelta(hours=20),
            language="fr",
        )
        return


def _significant(value: float, unit: str) -> float:
    """Two significant figures, at least 1, and whole for what is counted one by one: a
    goal of « 5,1 appareils » read as a mistake."""
    value = max(float(f"{value:.2g}"), 1.0)
    return value if unit == "GB" else float(round(value))


# Last year's edition nearly met two goals and passed the devices one.
PAST_EDITION_SHARE_OF_GOAL = {"GB": 0.92, "devices": 1.15, "participants": 0.85}


def _goals_of_a_past_edition(campaign: CleanupCampaign, achieved: dict) -> None:
    """Goals the closed edition's results read against as a real one's would, whatever
    the seed's size: fixed targets left it at 1-8 % with a small seed."""
    for goal in campaign.goals:
        share = PAST_EDITION_SHARE_OF_GOAL[goal.unit]
        goal.target = _significant(achieved.get(goal.unit, 0) / share, goal.unit)
    db.session.flush()


def _goals_on_track(campaign: CleanupCampaign, achieved: dict, now: datetime) -> None:
    """Goals a campaign four days into three weeks is on track for, not already past.

    Fixed targets would be reached on the first days by 200,000 seeded actions (and
    never by a small seed): the demo sets them from the seeded pace instead, so the
    dashboard, the messages and the results show a campaign in progress (~15-20 %).
    """
    elapsed = (now - campaign.starts_at) / (campaign.ends_at - campaign.starts_at)
    for goal in campaign.goals:
        if goal.unit == "participants":
            goal.target = _significant(achieved["participants"] * 1.2, goal.unit)
        else:  # at this pace the campaign would end at about 90 % of the goal
            goal.target = _significant(
                achieved.get(goal.unit, 0) / max(elapsed, 0.01) * 1.1, goal.unit
            )
    db.session.flush()
