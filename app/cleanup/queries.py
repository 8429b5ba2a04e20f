"""Reads of clean-up campaigns: totals, goals, leaderboards, badges and results.

Everything is aggregated in SQL from accepted `CleanupAction` rows (covering
indexes `ix_cleanup_action_*`), so a recomputation always gives the same answer.
"""

import functools
import json
import threading
import time
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import NamedTuple

from flask import current_app, g, has_request_context
from sqlalchemy import and_, bindparam, case, distinct, event, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import LeaderboardVisibility, User
from app.cleanup.catalogue import BADGES, goal_share, per_head
from app.cleanup.models import (
    ACCEPTED,
    CLOSED,
    DRAFT,
    FLAGGED,
    PENDING,
    REJECTED,
    RUNNING,
    SCHEDULED,
    WITHDRAWN,
    CleanupAction,
    CleanupActionType,
    CleanupCampaign,
    CleanupCampaignDepartment,
    CleanupGoal,
    CleanupParticipant,
    goal_key,
)
from app.core import cache
from app.core.accessibility import first_contact
from app.core.i18n import collation_key
from app.core.models import Commune, Department, departments_by_name
from app.core.time import local_iso, utcnow
from app.extensions import db

PER_PAGE = 50
A = CleanupAction


@functools.cache
def _campaign_statement():
    """Built once: `session.get` with a loader option built a new query and its cache key
    at every call, which took as long as running it on SQLite."""
    # Its goals come in the same query: every campaign page and leaderboard shows them.
    return (
        select(CleanupCampaign)
        .options(joinedload(CleanupCampaign.goals))
        .where(CleanupCampaign.id == bindparam("campaign_id"))
    )


def get_campaign(campaign_id: int, include_drafts: bool = False) -> CleanupCampaign | None:
    result = db.session.execute(_campaign_statement(), {"campaign_id": campaign_id})
    campaign = result.unique().scalar_one_or_none()
    if campaign is None or (campaign.published_at is None and not include_drafts):
        return None
    return campaign


class GoalHead(NamedTuple):
    """A collective goal as `CampaignHead` carries it."""

    unit: str
    target: float

    @property
    def key(self) -> str:
        return goal_key(self.unit)


class CampaignHead(NamedTuple):
    """The columns of a campaign a leaderboard reads, with its goals, as plain values.

    Read fresh at every view (its `scores_version` keys the board and the cached
    table), in one Core statement: loading the ORM object with its goals cost five
    times as much. It answers what the board, one's standing and the templates ask
    of a campaign; `action_rules` loads the ORM object (only a rules cache miss asks).
    """

    id: int
    name_fr: str
    name_en: str
    starts_at: datetime
    ends_at: datetime
    published_at: datetime | None
    frozen_at: datetime | None
    all_departments: bool
    scores_version: str
    goals: tuple[GoalHead, ...]

    name = CleanupCampaign.name
    state = CleanupCampaign.state

    @property
    def action_rules(self):
        return db.session.get(CleanupCampaign, self.id).action_rules


@functools.cache
def _campaign_head_statement():
    """Built once: the campaign's columns, a line per goal (in the goals' order)."""
    c, goal = CleanupCampaign, CleanupGoal
    return (
        select(
            c.id,
            c.name_fr,
            c.name_en,
            c.starts_at,
            c.ends_at,
            c.published_at,
            c.frozen_at,
            c.all_departments,
            c.scores_version,
            goal.unit,
            goal.target,
        )
        .outerjoin(goal, goal.campaign_id == c.id)
        .where(c.id == bindparam("campaign_id"))
        .order_by(goal.id)
    )


def get_campaign_head(campaign_id: int, include_drafts: bool = False) -> CampaignHead | None:
    """`get_campaign` for pages that only read a campaign (the leaderboards)."""
    rows = _rows_bound(_campaign_head_statement(), campaign_id=campaign_id)
    if not rows or (rows[0].published_at is None and not include_drafts):
        return None
    goals = tuple([GoalHead(row.unit, row.target) for row in rows if row.unit is not None])
    return CampaignHead(*rows[0][:9], goals)


@functools.cache
def _campaigns_statement(include_drafts: bool):
    """Built once per variant: the dashboard lists campaigns at every view."""
    # With their goals: the dashboard and the badges read the current campaign's.
    query = (
        select(CleanupCampaign)
        .options(joinedload(CleanupCampaign.goals))
        .order_by(CleanupCampaign.starts_at.desc())
    )
    if not include_drafts:
        query = query.where(CleanupCampaign.published_at.is_not(None))
    return query


def list_campaigns(include_drafts: bool = False) -> list[CleanupCampaign]:
    return list(db.session.scalars(_campaigns_statement(include_drafts)).unique())


@functools.cache
def _running_campaigns_statement():
    """Published campaigns whose dates hold `now`, latest first: the home panel reads
    these at every view, not every campaign of past years."""
    return (
        select(CleanupCampaign)
        .options(joinedload(CleanupCampaign.goals))
        .where(
            CleanupCampaign.published_at.is_not(None),
            CleanupCampaign.starts_at <= bindparam("now"),
            CleanupCampaign.ends_at > bindparam("now"),
        )
        .order_by(CleanupCampaign.starts_at.desc())
    )


def current_campaign(now: datetime, user=None) -> CleanupCampaign | None:
    """The running campaign (in the user's scope when given), else None."""
    running = db.session.scalars(_running_campaigns_statement(), {"now": now}).unique()
    return next((c for c in running if user is None or c.in_scope(user)), None)


def running_campaigns(now: datetime, user=None) -> list[CleanupCampaign]:
    """Every running campaign (in the user's scope when given), the soonest end first:
    the most urgent leads when several run at once."""
    running = db.session.scalars(_running_campaigns_statement(), {"now": now}).unique()
    mine = [c for c in running if user is None or c.in_scope(user)]
    return sorted(mine, key=lambda c: (c.ends_at, c.id))


def goals_key(campaign: CleanupCampaign) -> str:
    """What a cached fragment showing the campaign's goals depends on, besides its scores."""
    return cache.digest([(goal.key, goal.unit, goal.target) for goal in campaign.goals])


def default_campaign(now: datetime) -> CleanupCampaign | None:
    """The running campaign, else the latest closed one."""
    campaigns = list_campaigns()
    for state in (RUNNING, CLOSED):
        for campaign in campaigns:
            if campaign.state(now) == state:
                return campaign
    return None


def campaigns_by_department(now: datetime, department_ids) -> dict:
    """Each department's own campaign, for messages that name none: the running one in its
    scope ending soonest, else the latest closed one in its scope. People without a
    department (key None) have the campaigns open to all; a department with no campaign
    in its scope is left out. Two queries, however many departments."""
    started = db.session.scalars(
        select(CleanupCampaign)
        .options(joinedload(CleanupCampaign.goals), selectinload(CleanupCampaign.scope_rows))
        .where(CleanupCampaign.published_at.is_not(None), CleanupCampaign.starts_at <= now)
    ).unique()
    running, closed = [], []
    for campaign in started:
        (running if campaign.state(now) == RUNNING else closed).append(campaign)
    running.sort(key=lambda c: (c.ends_at, c.id))
    closed.sort(key=lambda c: (c.starts_at, c.id), reverse=True)
    scopes = [(c, c.all_departments, c.department_ids) for c in running + closed]
    mine = {}
    for department_id in set(department_ids):
        for campaign, everyone, departments in scopes:
            if everyone or department_id in departments:
                mine[department_id] = campaign
                break
    return mine


def _accepted(campaign_id: int):
    return (A.campaign_id == campaign_id, A.status == ACCEPTED)


@dataclass
class Board:
    """A campaign's scores derived from its accepted actions, cached per process.

    It keeps each participant's contribution (per action type, department and
    commune), so that a change refreshes only the participants it touched.
    """

    version: str
    as_of: datetime  # wall clock read before the rows were
    contrib: dict[int, tuple]  # participant -> ((type, department, commune, qty, points, n), ...)
    days: dict[int, int]  # participant -> distinct days with an accepted action
    gb_ids: frozenset
    mail_ids: frozenset
    device_ids: frozenset
    units: dict[int, str] = field(default_factory=dict)  # action type id -> unit
    computed_at: float = 0.0  # time.monotonic() of the last full computation
    points: dict[int, int] = field(default_factory=dict)  # participant id -> points
    ascending: list[int] = field(default_factory=list)  # every participant's points, sorted
    stats: dict[int, tuple] = field(default_factory=dict)  # -> (GB, mail GB, devices, days)
    type_totals: dict[int, tuple[float, int, int]] = field(default_factory=dict)
    total_points: int = 0  # the sum of `points`, kept as they change (not summed per read)
    team_points: dict[str, dict[int, int]] = field(default_factory=dict)
    team_people: dict[str, dict[int, int]] = field(default_factory=dict)
    # (department, commune) -> participants with points in both: which communes hold a
    # department's people, for the communes withheld with a department (`shielding_communes`).
    cells: dict[tuple[int, int], int] = field(default_factory=dict)
    # participant -> the `last_logged_at` stamp its contribution was read at (or written
    # with, by this process), for those stamped within the refresh window.
    stamps: dict[int, datetime] = field(default_factory=dict)
    # user id -> participant id, for everyone the board has read: a page finds the
    # person's participation here instead of asking the database.
    participants: dict[int, int] = field(default_factory=dict)
    # Participants whose account was erased (their row's user is gone): no rank of theirs.
    erased: set[int] = field(default_factory=set)
    _ranked: list[int] | None = None

    @property
    def teams(self) -> dict[str, list[tuple[int, int, int]]]:
        """scope -> [(team id, points, people)]."""
        return {
            scope: [(t, pts, self.team_people[scope][t]) for t, pts in points.items()]
            for scope, points in self.team_points.items()
        }

    @property
    def ranked(self) -> list[int]:
        """Participant ids by points (highest first), then id: sorted once per change."""
        if self._ranked is None:
            self._ranked = sorted(self.points, key=lambda p: (-self.points[p], p))
        return self._ranked

    def rank_of(self, points: int) -> int:
        """Competition rank: 1 + how many participants have strictly more points."""
        return len(self.ascending) - bisect_right(self.ascending, points) + 1

    def _apply(self, pid: int, rows: tuple, sign: int) -> None:
        """Add (sign 1) or take away (sign -1) one participant's contribution."""
        if not rows:
            return
        points = gb = mail = devices = 0
        teams = {"departments": set(), "communes": set()}
        cells = set()
        for type_id, department, commune, quantity, pts, count in rows:
            points += pts
            gb += quantity if type_id in self.gb_ids else 0
            mail += quantity if type_id in self.mail_ids else 0
            devices += quantity if type_id in self.device_ids else 0
            q, p, n = self.type_totals.get(type_id, (0.0, 0, 0))
            self.type_totals[type_id] = (q + sign * quantity, p + sign * pts, n + sign * count)
            for scope, team in (("departments", department), ("communes", commune)):
                if team is not None:
                    totals = self.team_points[scope]
                    totals[team] = totals.get(team, 0) + sign * pts
                    teams[scope].add(team)
            if department is not None and commune is not None:
                cells.add((department, commune))
        for cell in cells:
            self.cells[cell] = self.cells.get(cell, 0) + sign
            if self.cells[cell] == 0:
                del self.cells[cell]
        for scope, ids in teams.items():
            people = self.team_people[scope]
            for team in ids:
                people[team] = people.get(team, 0) + sign
                if people[team] == 0:
                    del people[team]
                    self.team_points[scope].pop(team, None)
        if sign > 0:
            self.points[pid] = points
            self.total_points += points
            self.stats[pid] = (gb, mail, devices, self.days.get(pid, 0))
        else:
            self.total_points -= self.points.pop(pid, 0)
            self.stats.pop(pid, None)
        for type_id in [t for t, (_q, _p, n) in self.type_totals.items() if n == 0]:
            del self.type_totals[type_id]

    def replace(self, contrib: dict, days: dict, pids) -> None:
        """The new contributions of `pids` (absolute, so applying twice is harmless)."""
        pids = list(pids)
        # A few participants (the usual refresh after a write) move in the sorted
        # list one by one; sorting 20,000 scores again cost more than the refresh.
        incremental = len(pids) <= 64 and len(self.ascending) == len(self.points)
        for pid in pids:
            before = self.points.get(pid)
            self._apply(pid, self.contrib.pop(pid, ()), -1)
            self.days.pop(pid, None)
            if pid in contrib:
                self.contrib[pid] = contrib[pid]
                self.days[pid] = days.get(pid, 0)
                self._apply(pid, contrib[pid], 1)
            if incremental:
                if before is not None:
                    del self.ascending[bisect_left(self.ascending, before)]
                if pid in self.points:
                    insort(self.ascending, self.points[pid])
        if not incremental:
            self.ascending = sorted(self.points.values())
        self._ranked = None


def _rows(statement):
    """Plain Core rows: leaderboards read tens of thousands, ORM row processing is too slow."""
    return db.session.connection().execute(statement).all()


def _rows_bound(statement, **params):
    """`_rows` for a statement built once, its parameters bound."""
    return db.session.connection().execute(statement, params).all()


def _contributions(campaign: CleanupCampaign, participant_ids=None) -> tuple[dict, dict]:
    """Accepted actions summed per participant, type, department and commune; days."""
    if participant_ids is not None:
        return _few_contributions(campaign, participant_ids)
    fine = select(
        A.participant_id,
        A.action_type_id,
        A.department_id,
        A.commune_id,
        func.sum(A.quantity),
        func.sum(A.points),
        func.count(),
    ).where(*_accepted(campaign.id))
    days = select(A.participant_id, func.count(distinct(A.day))).where(*_accepted(campaign.id))
    contrib = defaultdict(list)
    for pid, type_id, department, commune, quantity, points, count in _rows(
        fine.group_by(A.participant_id, A.action_type_id, A.department_id, A.commune_id)
    ):
        contrib[pid].append((type_id, department, commune, quantity, int(points), count))
    return (
        {pid: tuple(rows) for pid, rows in contrib.items()},
        dict(_rows(days.group_by(A.participant_id))),
    )


def _few_contributions(campaign: CleanupCampaign, participant_ids) -> tuple[dict, dict]:
    """`_contributions` of a few participants (a refresh after writes) in one statement.

    Grouped by day as well, then summed here: a few people's rows, where a second
    statement for the distinct days cost more than the grouping.
    """
    grouped = (
        select(
            A.participant_id,
            A.action_type_id,
            A.department_id,
            A.commune_id,
            A.day,
            func.sum(A.quantity),
            func.sum(A.points),
            func.count(),
        )
        .where(*_accepted(campaign.id), A.participant_id.in_(participant_ids))
        .group_by(A.participant_id, A.action_type_id, A.department_id, A.commune_id, A.day)
    )
    sums: dict[int, dict[tuple, list]] = defaultdict(dict)
    days: dict[int, set] = defaultdict(set)
    for pid, type_id, department, commune, day, quantity, points, count in _rows(grouped):
        days[pid].add(day)
        total = sums[pid].setdefault((type_id, department, commune), [0, 0, 0])
        total[0] += quantity
        total[1] += int(points)
        total[2] += count
    contrib = {
        pid: tuple(
            (*team, quantity, points, count) for team, (quantity, points, count) in rows.items()
        )
        for pid, rows in sums.items()
    }
    return contrib, {pid: len(found) for pid, found in days.items()}


def _participant_scores(campaign: CleanupCampaign, participant_ids):
    """(participant, points, GB, mail GB, devices, distinct days, contribution rows),
    read fresh."""
    board = get_board(campaign)
    contrib, days = _contributions(campaign, participant_ids)
    scratch = Board("", utcnow(), {}, {}, board.gb_ids, board.mail_ids, board.device_ids)
    scratch.team_points = {"departments": {}, "communes": {}}
    scratch.team_people = {"departments": {}, "communes": {}}
    scratch.replace(contrib, days, participant_ids)
    return [
        (pid, scratch.points[pid], *scratch.stats[pid], scratch.contrib[pid])
        for pid in scratch.points
    ]


def _compute_board(campaign: CleanupCampaign) -> Board:
    started, as_of = time.monotonic(), utcnow()
    types = _action_types().values()
    contrib, days = _contributions(campaign)
    participants = _rows(
        select(CleanupParticipant.user_id, CleanupParticipant.id).where(
            CleanupParticipant.campaign_id == campaign.id
        )
    )
    board = Board(
        version=campaign.scores_version,
        as_of=as_of,
        contrib={},
        days={},
        gb_ids=frozenset(t.id for t in types if t.unit == "GB"),
        mail_ids=frozenset(t.id for t in types if t.key == "delete-mail"),
        device_ids=frozenset(t.id for t in types if t.unit == "devices"),
        units={t.id: t.unit for t in types},
        computed_at=started,
        team_points={"departments": {}, "communes": {}},
        team_people={"departments": {}, "communes": {}},
        participants={user: pid for user, pid in participants if user is not None},
        erased={pid for user, pid in participants if user is None},
    )
    board.replace(contrib, days, list(contrib))
    return board


# The campaign's participant rows whose person is gone (erased, or past retention): the
# unique (campaign_id, user_id) index finds them, a few among thousands.
_DETACHED = select(CleanupParticipant.id).where(
    CleanupParticipant.campaign_id == bindparam("campaign_id"),
    CleanupParticipant.user_id.is_(None),
)

# A write stamps its participant (`CleanupParticipant.last_logged_at`, wall clock) before
# it commits; a refresh looks at everyone stamped since its previous read less this
# margin, which covers transactions that commit up to a minute after their stamp, and
# re-reads those whose stamp is not the one the board read them at.
REFRESH_MARGIN = timedelta(seconds=60)
FULL_RECOMPUTE_SECONDS = 600  # a safety net: a full recomputation every ten minutes

_boards_lock = threading.Lock()


def get_board(campaign: CleanupCampaign) -> Board:
    """The campaign's scoreboard, refreshed whenever a write replaced scores_version.

    A full computation reads every accepted action (~0.5-1 s at the demo's 270,000);
    doing it at every write cost that much in every process. Now only the
    participants whose actions changed are re-read (a few rows) and their old
    contribution is replaced by the new one, so the result is the same as a full
    recomputation (tested) at a fraction of the cost.
    """
    cache = current_app.extensions.setdefault("cleanup.boards", {})
    board = cache.get(campaign.id)
    if board is not None and board.version == campaign.scores_version:
        return board
    with _boards_lock:
        if board is None or time.monotonic() - board.computed_at > FULL_RECOMPUTE_SECONDS:
            board = _compute_board(campaign)
        else:
            version, as_of = campaign.scores_version, utcnow()
            # Stamps first, contributions after: what is read is at least as new as the
            # stamp kept for it, so a later write always shows as a different stamp.
            rows = _rows(
                select(
                    CleanupParticipant.id,
                    CleanupParticipant.last_logged_at,
                    CleanupParticipant.user_id,
                ).where(
                    CleanupParticipant.campaign_id == campaign.id,
                    CleanupParticipant.last_logged_at >= board.as_of - REFRESH_MARGIN,
                )
            )
            recent = {pid: stamp for pid, stamp, _user in rows}
            board.participants.update((user, pid) for pid, _stamp, user in rows if user)
            # An erasure detaches its rows without stamping them (a stamp would date it)
            # and moves scores_version: the detached leave the ranks, read as they are now.
            board.erased = {pid for (pid,) in _rows_bound(_DETACHED, campaign_id=campaign.id)}
            # With many people writing, the window holds all of them: re-reading each at
            # every refresh cost more than the page. Only those stamped anew are read.
            changed = [pid for pid, stamp in recent.items() if board.stamps.get(pid) != stamp]
            if changed:
                contrib, days = _contributions(campaign, changed)
                board.replace(contrib, days, changed)
            # A stamp this very transaction wrote is not kept: its change may not be
            # written yet (a write reads the board midway), so the next refresh re-reads.
            ours = db.session.info.get(_OWN_STAMPS, ())
            recent = {pid: stamp for pid, stamp in recent.items() if pid not in ours}
            board.version, board.as_of, board.stamps = version, as_of, recent
        cache[campaign.id] = board
    return board


# A write in this process already knows what it changed: instead of leaving the next
# read to find and re-read its participant (two statements and their rows), it moves
# the board itself once its transaction commits, if no other write came in between
# (services.touch_scores checks that with a conditional UPDATE of scores_version).
_OWN_CHANGES = "cleanup.own_board_changes"
_OWN_STAMPS = "cleanup.own_stamps"


def stamped(participant_id: int) -> None:
    """Note that this transaction stamped the participant (until it ends)."""
    db.session.info.setdefault(_OWN_STAMPS, set()).add(participant_id)


def version_to_follow(campaign: CleanupCampaign) -> str | None:
    """The scores_version a write may replace while this process's board follows it:
    the last one this transaction wrote, else the board's own; None without a board."""
    pending = db.session.info.get(_OWN_CHANGES, {}).get(campaign.id)
    if pending is not None:
        return pending["end"]
    board = current_app.extensions.get("cleanup.boards", {}).get(campaign.id)
    return board.version if board is not None else None


def warm_boards() -> None:
    """Build the boards a worker's first visitors need: running campaigns' and the latest.

    Registered as a warmer (app/core/warmup.py): each web worker builds them at start
    instead of making a first visitor wait about a second per board.
    """
    now = utcnow()
    campaigns = {c.id: c for c in list_campaigns() if c.state(now) == RUNNING}
    latest = default_campaign(now)
    if latest is not None:
        campaigns.setdefault(latest.id, latest)
    for campaign in campaigns.values():
        get_board(campaign)


def follow_own_change(campaign, replaced: str, version: str, as_of, entry: tuple):
    """Remember a change to apply to the board at commit: `entry` is (participant id,
    change, the participant's new stamp); the change None (no points moved: a flagged
    entry) or (type, department, commune, quantity, points, new_day)."""
    own = db.session.info.setdefault(_OWN_CHANGES, {})
    pending = own.setdefault(
        campaign.id,
        {"boards": current_app.extensions.setdefault("cleanup.boards", {}), "start": replaced},
    )
    pending.setdefault("changes", []).append(entry)
    pending.setdefault("as_of", as_of)  # the earliest: later stamps are all after it
    pending["end"] = version


def forget_own_changes(campaign: CleanupCampaign) -> None:
    """Another kind of write changed the scores: the next read refreshes the board."""
    db.session.info.get(_OWN_CHANGES, {}).pop(campaign.id, None)


def _merged(rows: tuple, type_id, department, commune, quantity, points) -> tuple:
    merged, found = [], False
    for t, d, c, q, p, n in rows:
        if (t, d, c) == (type_id, department, commune):
            t, d, c, q, p, n, found = t, d, c, q + quantity, p + points, n + 1, True
        merged.append((t, d, c, q, p, n))
    if not found:
        merged.append((type_id, department, commune, quantity, points, 1))
    return tuple(merged)


@event.listens_for(Session, "after_commit")
def _apply_own_changes(session) -> None:
    for campaign_id, pending in session.info.pop(_OWN_CHANGES, {}).items():
        boards = pending["boards"]
        with _boards_lock:
            board = boards.get(campaign_id)
            if board is None or board.version != pending["start"]:
                continue  # refreshed meanwhile (it read this commit, or will)
            for pid, change, stamp in pending["changes"]:
                if stamp is not None:  # the board now holds what that stamp marks
                    board.stamps[pid] = stamp
                if change is None:
                    continue
                type_id, department, commune, quantity, points, new_day = change
                rows = _merged(board.contrib.get(pid, ()), type_id, department, commune,
                               quantity, points)  # fmt: skip
                board.replace({pid: rows}, {pid: board.days.get(pid, 0) + new_day}, [pid])
            board.version, board.as_of = pending["end"], pending["as_of"]


@event.listens_for(Session, "after_transaction_end")
def _drop_own_changes(session, transaction) -> None:
    if transaction.parent is None:  # rolled back (a commit applied them already)
        session.info.pop(_OWN_CHANGES, None)
        session.info.pop(_OWN_STAMPS, None)


def _action_types() -> dict[int, CleanupActionType]:
    return {t.id: t for t in db.session.scalars(select(CleanupActionType))}


def campaign_totals(campaign: CleanupCampaign) -> dict:
    board = get_board(campaign)
    return {"participants": len(board.points), "points": board.total_points}


def quantities_by_unit(campaign: CleanupCampaign) -> dict[str, float]:
    board = get_board(campaign)
    units = board.units
    if any(type_id not in units for type_id in board.type_totals):  # a type added since
        units = {t.id: t.unit for t in _action_types().values()}
    result: dict[str, float] = defaultdict(float)
    for type_id, (quantity, _points, _count) in board.type_totals.items():
        result[units[type_id]] += quantity
    return dict(result)


def goal_progress(campaign: CleanupCampaign, totals: dict | None = None) -> list[dict]:
    """Each goal with what has been achieved so far."""
    if not campaign.goals:
        return []
    totals = totals or campaign_totals(campaign)
    achieved = quantities_by_unit(campaign)
    achieved["participants"] = totals["participants"]
    achieved["points"] = totals["points"]
    return [
        {
            "key": goal.key,
            "unit": goal.unit,
            "target": goal.target,
            "achieved": round(achieved.get(goal.unit, 0), 3),
            # The real share, 1.1667 once passed: a capped bar is for display only.
            "ratio": goal_share(achieved.get(goal.unit, 0), goal.target, 4),
        }
        for goal in campaign.goals
    ]


def _known_participants() -> dict:
    return g.setdefault("_cleanup_participants", {}) if has_request_context() else {}


def remember_participant(campaign: CleanupCampaign, user, participant_id: int) -> None:
    """The participant row a write has just locked: the answer need not read it again."""
    _known_participants()[(campaign.id, user.id)] = participant_id


@functools.cache
def _participant_statement():
    return select(CleanupParticipant.id).where(
        CleanupParticipant.campaign_id == bindparam("campaign_id"),
        CleanupParticipant.user_id == bindparam("user_id"),
    )


def participant_id_for(campaign: CleanupCampaign, user) -> int | None:
    """The person's participant id: from the board when it has read them, else from the
    database, once per request (a page asks up to three times)."""
    known = _known_participants()
    key = (campaign.id, user.id)
    if known.get(key) is None:
        found = get_board(campaign).participants.get(user.id)
        if found is None:  # not taking part, or since the board's last refresh
            found = db.session.scalar(
                _participant_statement(), {"campaign_id": campaign.id, "user_id": user.id}
            )
        known[key] = found
    return known[key]


def my_standing(campaign: CleanupCampaign, user, with_badges: bool = True) -> dict:
    """The user's own points, rank (None before a first accepted action) and badges.

    Read fresh from the person's own actions (a few rows), then ranked against the
    cached board: a logged action shows in one's own rank at once, even while the
    board waits for its next recomputation. `with_badges=False` (a leaderboard, which
    shows none of one's own) leaves them out, and the goals' progress they ask for.
    """
    board = get_board(campaign)
    pid = participant_id_for(campaign, user)
    waiting = _waiting_points(campaign, pid)
    if pid is None:
        fresh = []
    elif board.version == campaign.scores_version and (
        pid in board.stats or pid not in db.session.info.get(_OWN_STAMPS, ())
    ):
        # The board was just brought to the campaign's version: it holds this person's
        # latest accepted actions already (their write stamped them for the refresh), and
        # a person it does not hold has none, unless this very transaction wrote their
        # first (its stamp is not kept): read then. A participant with no counted entry
        # re-read their actions at every page.
        fresh = (
            [(pid, board.points[pid], *board.stats[pid], board.contrib[pid])]
            if pid in board.stats
            else []
        )
    else:
        fresh = _participant_scores(campaign, [pid])
    # Erased people take no rank among individuals (`_erased_points`).
    erased = _erased_points(board)
    ranked = len(board.points) - len(erased)
    if not fresh:
        return {"points": 0, "rank": None, "badges": [], "participants": ranked,
                "in_review": _entries_in_review(campaign, pid), **waiting}  # fmt: skip
    pid, points, gb, mail, devices, days, rows = fresh[0]
    points = int(points)
    stale = board.points.get(pid)
    above = len(board.ascending) - bisect_right(board.ascending, points)
    above -= _erased_above(erased, points)
    if stale is not None and stale > points:
        above -= 1  # one's own older score is not someone else's
    standing = {
        "points": points,
        "rank": above + 1,
        "participants": ranked + (stale is None),
        **waiting,
    }
    if with_badges:
        reached = _goal_contributors(campaign, board, {pid: (points, rows)})
        standing["badges"] = _badges(points, (gb, mail, devices, days), pid in reached)
    return standing


_NOTHING_WAITING = MappingProxyType({"pending": 0, "pending_entries": 0})


def _entries_in_review(campaign: CleanupCampaign, pid: int | None) -> int:
    """How many of a person's entries wait for an organiser's review: asked only of
    someone with no counted entry, whom "log an action" would mislead.

    Kept per process until the campaign's scores_version changes, as `_waiting_points`
    is: every write that flags an entry or decides one (a log, a correction, a deletion,
    a review, a device return counted or not) replaces that version in its own
    transaction. Read at every page, it was a third of a leaderboard's time for them."""
    if pid is None:
        return 0
    kept = current_app.extensions.setdefault("cleanup.in_review", {})
    known_at, known = kept.get(campaign.id, (None, None))
    if known_at != campaign.scores_version:
        known = {}
        kept[campaign.id] = (campaign.scores_version, known)
    found = known.get(pid)
    if found is None:
        found = known[pid] = db.session.scalar(
            select(func.count()).where(A.participant_id == pid, A.status == FLAGGED)
        )
    return found


@functools.cache
def _waiting_statement():
    """Built once (participant bound): the points of the person's entries still waiting."""
    return select(func.count(), func.coalesce(func.sum(A.points), 0)).where(
        A.participant_id == bindparam("participant_id"), A.status == PENDING
    )


def _waiting_points(campaign: CleanupCampaign, pid: int | None) -> dict:
    """The points of the person's device returns still waiting for an agent, and how many
    entries: they score on receipt, if it comes before the campaign ends. One small read
    by participant (ix_cleanup_action_cap), and none in a campaign that does not count
    returns or has ended (a return not received by then never counts).

    Kept per process until the campaign's scores_version or its rules change: every
    write to a waiting entry (its declaration, receipt or withdrawal, through
    `services.touch_scores`) replaces that version in its own transaction, so a kept
    answer is never stale; the rules decide whether returns count at all."""
    if pid is None or campaign.frozen_at is not None or campaign.ends_at <= utcnow():
        return _NOTHING_WAITING
    versions = (campaign.scores_version, cache.version_of("cleanup_rules"))
    kept = current_app.extensions.setdefault("cleanup.waiting", {})
    known_at, known = kept.get(campaign.id, (None, None))
    if known_at != versions:
        known = {}
        kept[campaign.id] = (versions, known)
    found = known.get(pid)
    if found is None:
        if "return-device" not in campaign_rules(campaign):
            found = _NOTHING_WAITING
        else:
            count, points = _rows_bound(_waiting_statement(), participant_id=pid)[0]
            found = {"pending": int(points), "pending_entries": count}
        known[pid] = found
    return found


def _unlisted(statement):
    """`statement` (over participants) kept to those who take a rank but are never
    listed: hidden, anonymised, erased.

    Visibility is read fresh: a person who hides takes effect at once. On a closed
    board a later choice never shows more than the end did: hidden then stays hidden,
    and a name then goes (like the hidden) once its owner chose a pseudonym or to hide,
    since neither their name nor a pseudonym may stand beside those figures.
    """
    frozen = CleanupParticipant.board_shown_as
    return statement.outerjoin(User, User.id == CleanupParticipant.user_id).where(
        or_(
            CleanupParticipant.user_id.is_(None),
            User.leaderboard_visibility == LeaderboardVisibility.HIDDEN.value,
            User.anonymised_at.is_not(None),
            frozen == LeaderboardVisibility.HIDDEN.value,
            and_(frozen.is_not(None), CleanupParticipant.board_label.is_(None)),
            and_(
                frozen == LeaderboardVisibility.NAME.value,
                User.leaderboard_visibility != LeaderboardVisibility.NAME.value,
            ),
        )
    )


def _unlisted_participants(campaign: CleanupCampaign) -> set[int]:
    """The campaign's participants who take a rank but are never listed (`_unlisted`):
    only those few are read, not everyone."""
    statement = select(CleanupParticipant.id).where(CleanupParticipant.campaign_id == campaign.id)
    return {row[0] for row in _rows(_unlisted(statement))}


_UNLISTED_ONE = _unlisted(
    select(CleanupParticipant.id).where(CleanupParticipant.id == bindparam("participant_id"))
)


def _erased_points(board: Board) -> list[int]:
    """The points of the campaign's erased participants, ascending: they take no rank on
    the individual board, since an erased person chose nothing, while their points stay
    in the totals of departments and communes. The board knows them (`Board.erased`):
    an erasure detaches their participant rows and moves the campaign's scores_version,
    and every refresh reads the detached rows."""
    return sorted(board.points[pid] for pid in board.erased if pid in board.points)


def _erased_above(erased: list[int], points: int) -> int:
    """How many erased participants have strictly more than `points`."""
    return len(erased) - bisect_right(erased, points)


def individual_ranks(campaign: CleanupCampaign):
    """points -> the rank they take on the individual board (erased people take none)."""
    board = get_board(campaign)
    erased = _erased_points(board)
    return lambda points: board.rank_of(points) - _erased_above(erased, points)


def ranked_individuals(campaign: CleanupCampaign) -> int:
    """How many people take a rank on the individual board: participants with counted
    points, the erased left out (their points stay in the team totals)."""
    board = get_board(campaign)
    return len(board.points) - len(_erased_points(board))


def listed_on_board(campaign: CleanupCampaign, user) -> bool:
    """Whether the individual leaderboard lists the person (taking part, not hidden
    there): where "Show my place" is offered. Their own row alone is read: the answer
    to every logged action asks, and the campaign's unlisted took milliseconds."""
    pid = participant_id_for(campaign, user)
    return pid is not None and not _rows_bound(_UNLISTED_ONE, participant_id=pid)


def board_label_at_end(user_id_column):
    """How the individual leaderboard shows the person of `user_id_column` now, as kept
    on their participant row when the results freeze: (shown as, label), correlated
    scalar subqueries. The anonymised and the erased are hidden, with no label."""
    person = User.id == user_id_column
    shown_as = case(
        (User.anonymised_at.is_not(None), LeaderboardVisibility.HIDDEN.value),
        else_=User.leaderboard_visibility,
    )
    label = case(
        (User.anonymised_at.is_not(None), None),
        (User.leaderboard_visibility == LeaderboardVisibility.NAME.value, User.display_name),
        (User.leaderboard_visibility == LeaderboardVisibility.PSEUDONYM.value, User.pseudonym),
        else_=None,
    )
    return (
        func.coalesce(
            select(shown_as).where(person).scalar_subquery(), LeaderboardVisibility.HIDDEN.value
        ),
        select(label).where(person).scalar_subquery(),
    )


def my_place_in_the_listing(
    campaign: CleanupCampaign, user, per_page: int = PER_PAGE
) -> tuple[int, int] | None:
    """The page of the individual leaderboard that lists the person and their row on it
    (from 0), or None when it lists them nowhere: no counted action yet, or hidden."""
    board = get_board(campaign)
    pid = participant_id_for(campaign, user)
    if pid is None or pid not in board.points:
        return None
    unlisted = _unlisted_participants(campaign)
    if pid in unlisted:
        return None
    position = 0
    for other in board.ranked:
        if other == pid:
            break
        position += other not in unlisted
    page_index, row = divmod(position, per_page)
    return page_index + 1, row


def _board_label(shown_as, kept, name, pseudonym, visibility) -> str:
    """The label a board lists a person under: the one kept at the end (`shown_as` set),
    else their current choice."""
    if shown_as is not None:
        return kept
    return name if visibility == LeaderboardVisibility.NAME.value else pseudonym


def individual_leaderboard(campaign: CleanupCampaign, page: int = 1, per_page: int = PER_PAGE):
    """Ranked individuals and how many are listed; people who chose to be hidden take a
    rank but are never listed, erased ones take none (`_erased_points`). A closed
    campaign names each person as its end did, whatever they chose since."""
    board = get_board(campaign)
    erased = _erased_points(board)
    unlisted = _unlisted_participants(campaign)
    listed = [pid for pid in board.ranked if pid not in unlisted] if unlisted else board.ranked
    window = listed[(page - 1) * per_page : page * per_page]
    # A running board follows each person's current choice; a closed one shows the label
    # kept when its results froze (see _unlisted_participants for who it leaves out).
    people = {
        pid: _board_label(*person)
        for pid, *person in db.session.execute(
            select(
                CleanupParticipant.id,
                CleanupParticipant.board_shown_as,
                CleanupParticipant.board_label,
                User.display_name,
                User.pseudonym,
                User.leaderboard_visibility,
            )
            .join(User, User.id == CleanupParticipant.user_id)
            .where(CleanupParticipant.id.in_(window or [-1]))
        )
    }
    # A badge few listed people hold names them beside their label (the one person with
    # « Seconde vie » is the one the agent took the phone from): shown only when held by
    # at least `min_badge_holders()` of those listed. Their own progress shows them all.
    held = badge_holders(campaign, board, listed)
    minimum = min_badge_holders()
    badges = {
        pid: [key for key in keys if held.get(key, 0) >= minimum]
        for pid, keys in badges_for(campaign, window).items()
    }
    # How many ranked but unlisted people stand strictly above each listed one: where it
    # grows from one listed row to the next, ranks are skipped there (`after_hidden`: how
    # many, which the neighbouring ranks tell anyway). A hidden person level with a listed
    # one skips no rank and is not said.
    hidden = sorted(
        board.points[other]
        for other in unlisted
        if other in board.points and other not in board.erased
    )

    def hidden_above(other: int) -> int:
        return len(hidden) - bisect_right(hidden, board.points[other])

    start = (page - 1) * per_page
    before = hidden_above(listed[start - 1]) if window and start > 0 else 0
    entries = []
    for pid in window:
        above = hidden_above(pid)
        entries.append(
            {
                "rank": board.rank_of(board.points[pid]) - _erased_above(erased, board.points[pid]),
                "name": people[pid],
                "points": board.points[pid],
                "badges": badges.get(pid, []),
                "after_hidden": max(above - before, 0),
            }
        )
        before = above
    return entries, len(listed)


#: The fewest people listed on a campaign's individual board who must hold a badge for
#: it to be shown beside their names (LEADERBOARD_MIN_BADGE_HOLDERS overrides it); never
#: fewer than a department needs participants to show its figures (LEADERBOARD_MIN_TEAM).
MIN_BADGE_HOLDERS = 5


def min_badge_holders() -> int:
    """The fewest listed holders a badge needs to show on the public individual board."""
    setting = current_app.config.get("LEADERBOARD_MIN_BADGE_HOLDERS", MIN_BADGE_HOLDERS)
    return max(int(setting), min_team())


def badge_holders(campaign: CleanupCampaign, board: Board, listed: list[int]) -> dict[str, int]:
    """How many of the people `listed` on the board hold each badge, kept until a score
    or someone's listing changes."""

    def count() -> dict[str, int]:
        held: dict[str, int] = defaultdict(int)
        for keys in badges_for(campaign, listed).values():
            for key in keys:
                held[key] += 1
        return dict(held)

    key = (campaign.id, board.version, board.total_points, len(board.points), len(listed))
    return cache.value("cleanup.badge_holders", key, ("people",), count)


def team_totals(campaign: CleanupCampaign, scope: str) -> list[dict]:
    """Departments or communes with points, participants and points per participant."""
    if scope == "departments":
        names = {
            d.id: {"id": d.id, "code": d.code, "name_fr": d.name_fr, "name_en": d.name_en}
            for d in db.session.scalars(select(Department))
        }
    else:
        names = {
            c.id: {"id": c.id, "code": c.insee_code, "name_fr": c.name, "name_en": c.name}
            for c in db.session.scalars(select(Commune))
        }
    return [
        {
            **names.get(team_id, {"id": team_id, "code": "", "name_fr": "?", "name_en": "?"}),
            "points": points,
            "participants": people,
            "points_per_head": per_head(points, people),
        }
        for team_id, points, people in get_board(campaign).teams[scope]
    ]


def min_team() -> int:
    """The fewest participants a team's figures are shown with (LEADERBOARD_MIN_TEAM)."""
    return current_app.config["LEADERBOARD_MIN_TEAM"]


_WITHHELD = {"rank": None, "points": None, "participants": None, "points_per_head": None}


def withheld_teams(teams: list[tuple[int, int, int]], minimum: int) -> dict[int, str]:
    """Which of `teams` (id, points, participants) show no figures, and why: "small" for
    fewer than `minimum` participants, "protecting" for the smallest others withheld with
    them until the withheld teams hold `minimum` participants together.

    The campaign's totals are published: with one team of two withheld, the totals less
    the teams shown would be that team's figures, and one member's points less their own
    the other's. So the smallest teams shown go too (fewest participants, then points,
    then id), and what the subtraction gives is the sum of at least `minimum` people.
    """
    small = {team for team, _points, people in teams if (people or 0) < minimum}
    reasons = dict.fromkeys(small, "small")
    hidden = sum(people or 0 for team, _points, people in teams if team in small)
    if not small or hidden >= minimum:
        return reasons
    others = sorted(
        (people or 0, points or 0, team) for team, points, people in teams if team not in small
    )
    for people, _points, team in others:
        if hidden >= minimum:
            break
        reasons[team] = "protecting"
        hidden += people
    return reasons


def shielding_communes(departments, cells, minimum: int) -> set[int]:
    """The communes withheld with the departments: every commune holding a participant of
    a department withheld (`withheld_teams` of `departments`, (id, points, participants))
    or protecting one, from `cells`, (department, commune) pairs.

    Departments and communes are ranked apart but add up: with a department of two
    withheld and its protector alone in its commune, the totals less the departments
    shown gave both, less that commune's row the small one's; a commune less its
    departments shown gave its one withheld department. Without any commune holding a
    withheld department's people, the communes shown give nothing about them but what
    the totals already do: the sum over all of them, at least two teams and `minimum`
    people."""
    withheld = withheld_teams(list(departments), minimum)
    if not withheld:
        return set()
    return {commune for department, commune in cells if department in withheld}


def rank_teams(
    teams: list[dict], order: str = "total", minimum: int = 1, shielding=frozenset()
) -> list[dict]:
    """Competition ranking (1, 2, 2, 4) by total points or points per head.

    A team with fewer than `minimum` participants takes no rank and shows no figure
    (`withheld`): alone or two in a department, its points would be a person's, hidden
    or not; so does the smallest team needed to keep it from being worked out from the
    campaign's totals (`withheld_teams`; `protecting` is then True). They are listed after
    the ranked ones, by name, never where their points would put them. Applied as the
    teams are shown (the board and the snapshots keep them all), so the ranks of the
    others stay consecutive. The teams in `shielding` (the communes `shielding_communes`
    gives) are withheld too, as protecting.
    """
    key = "points_per_head" if order == "per_head" else "points"
    reasons = withheld_teams([(t["id"], t["points"], t["participants"]) for t in teams], minimum)
    for team in teams:
        if team["id"] in shielding:
            reasons.setdefault(team["id"], "protecting")
    shown = [t for t in teams if t["id"] not in reasons]
    ordered = sorted(shown, key=lambda t: (-t[key], t["name_fr"]))
    ranked, previous, rank = [], None, 0
    for index, team in enumerate(ordered, start=1):
        if team[key] != previous:
            rank, previous = index, team[key]
        ranked.append({**team, "rank": rank, "withheld": False, "protecting": False})
    withheld = [(t, reasons[t["id"]]) for t in teams if t["id"] in reasons]
    for team, reason in sorted(withheld, key=lambda pair: collation_key(pair[0]["name_fr"])):
        hidden = {**_WITHHELD, **({"staff": None} if "staff" in team else {})}
        ranked.append({**team, **hidden, "withheld": True, "protecting": reason != "small"})
    return ranked


def team_leaderboard(
    campaign, scope: str, order: str, locale: str, page=1, per_page=PER_PAGE, minimum=None
):
    """One page of ranked departments or communes, and how many there are; teams under
    `minimum` participants (LEADERBOARD_MIN_TEAM by default) without their figures."""
    teams = ranked_teams(campaign, scope, order, minimum)
    return team_page(teams, locale, page, per_page)


def ranked_teams(campaign, scope: str, order: str = "total", minimum=None) -> list[dict]:
    """The departments or communes as the boards show them (`rank_teams`): teams under
    `minimum` participants (LEADERBOARD_MIN_TEAM by default) and their protectors
    withheld, and in the communes' ranking those holding a withheld department's people
    (`shielding_communes`, from the board: no query per team)."""
    minimum = min_team() if minimum is None else minimum
    return rank_teams(
        team_totals(campaign, scope), order, minimum, _shielding(campaign, scope, minimum)
    )


def _shielding(campaign, scope: str, minimum: int) -> set[int]:
    """`shielding_communes` of the campaign's board for the communes; none for departments."""
    if scope != "communes":
        return set()
    board = get_board(campaign)
    return shielding_communes(board.teams["departments"], board.cells, minimum)


def team_standing(
    campaign: CleanupCampaign, team_id: int | None, scope: str = "departments", minimum=None
):
    """The rank of a department (or commune) by total points and how many are ranked, from
    the board alone (no names to read); None when it has no counted entry.

    A team under `minimum` participants (LEADERBOARD_MIN_TEAM by default), or withheld to
    protect one (`withheld_teams`, the same choice as the boards'), gets `{"withheld":
    True, "minimum": …, "protecting": …}`, its own members included: two in a team, its
    total less one's own points is the other's score, whatever they chose to show.
    """
    minimum = min_team() if minimum is None else minimum
    board = get_board(campaign)
    points, people = board.team_points.get(scope, {}), board.team_people.get(scope, {})
    mine = points.get(team_id) if team_id is not None else None
    if mine is None:
        return None
    withheld = withheld_teams(
        [(team, total, people.get(team, 0)) for team, total in points.items()], minimum
    )
    for team in _shielding(campaign, scope, minimum) & points.keys():
        withheld.setdefault(team, "protecting")
    if team_id in withheld:
        reason = withheld[team_id]
        return {"withheld": True, "minimum": minimum, "protecting": reason != "small"}
    ranked = [other for team, other in points.items() if team not in withheld]
    return {
        "rank": 1 + sum(other > mine for other in ranked),
        "teams": len(ranked),
        # Its participation (« 32 participants sur 42 »): the board's count, and its staff
        # in scope from the cached counts (one query per campaign, not one per page).
        "participants": people.get(team_id, 0),
        "staff": staff_in_scope_by_team(campaign, scope).get(team_id, 0),
    }


def staff_in_scope_by_team(campaign: CleanupCampaign, scope: str) -> dict[int, int]:
    """`team_staff`, cached until a person (their department, commune or account) or the
    campaign's scope changes: the home panel and the campaign page ask at every view."""
    return dict(
        cache.value(
            "cleanup.team_staff",
            (campaign.id, scope, campaign.edit_version, campaign.frozen_at),
            ("people",),
            lambda: list(team_staff(campaign, scope).items()),
        )
    )


def team_place(teams: list[dict], team_id: int | None, locale: str, per_page=PER_PAGE):
    """Where the team `team_id` (the reader's department or commune) stands in `teams`
    as `rank_teams` ordered them: its rank (None when withheld) among how many ranked,
    page, line on that page (from 0) and name; None when it has no counted entry."""
    for index, team in enumerate(teams):
        if team["id"] == team_id:
            page_index, row = divmod(index, per_page)
            return {
                "rank": team["rank"],
                "ranked": sum(1 for t in teams if not t["withheld"]),
                "withheld": team["withheld"],
                "protecting": team.get("protecting", False),
                "page": page_index + 1,
                "row": row,
                "name": team["name_en"] if locale == "en" else team["name_fr"],
            }
    return None


def team_page(teams: list[dict], locale: str, page=1, per_page=PER_PAGE):
    """One page of `teams` as `rank_teams` ordered them, and how many there are."""
    window = teams[(page - 1) * per_page : page * per_page]
    entries = [
        {
            "rank": t["rank"],
            "name": t["name_en"] if locale == "en" else t["name_fr"],
            # What the open data and the results files key teams by: no join on names.
            "code": t["code"],
            "points": t["points"],
            "participants": t["participants"],
            "points_per_head": t["points_per_head"],
            "withheld": t["withheld"],
            "protecting": t.get("protecting", False),
            # The leaderboard's participation (« 7 sur 20 »); the API's entries keep theirs.
            **({"staff": t["staff"]} if "staff" in t else {}),
        }
        for t in window
    ]
    return entries, len(teams)


def _goals_reached(campaign: CleanupCampaign) -> set[str]:
    """The units of the campaign's collective goals that were reached."""
    return {g["unit"] for g in goal_progress(campaign) if g["achieved"] >= g["target"]}


def _type_units(board: Board, scores) -> dict[int, str]:
    """Each action type's unit, read again only when one of `scores`' rows is of a type
    added since the board was computed."""
    if all(t in board.units for _points, rows in scores for t, *_ in rows):
        return board.units
    return {t.id: t.unit for t in _action_types().values()}


def _goal_contributors(campaign, board: Board, scores: dict[int, tuple]) -> set[int]:
    """Those of `scores` (participant -> (points, contribution rows)) who contributed to a
    reached collective goal: the goal's figure counts some of their counted entries.
    GB, items or devices: a counted entry in that unit (a device returned counts
    towards the devices goal, not the GB one); points: counted points; participants:
    anyone counted, as that goal counts every participant with a counted entry.
    Computed from the board's rows (no query), for the goals reached."""
    reached = _goals_reached(campaign)
    if not reached:
        return set()
    units = _type_units(board, scores.values()) if reached - {"participants", "points"} else {}
    found = set()
    for pid, (points, rows) in scores.items():
        if (
            "participants" in reached
            or ("points" in reached and points > 0)
            or any(quantity > 0 and units.get(t) in reached for t, _d, _c, quantity, *_ in rows)
        ):
            found.add(pid)
    return found


def _badges(points: int, stats: tuple, goal_met: bool) -> list[str]:
    """`goal_met`: the participant contributed to a reached goal (`_goal_contributors`)."""
    gb, mail, devices, days = stats
    rules = (
        ("first-action", True),
        ("ten-gb", gb >= 10),
        ("light-inbox", mail >= 2),
        ("device-returned", devices >= 1),
        ("regular", days >= 3),
        ("high-scorer", points >= 500),
        ("goal-reached", goal_met),
    )
    return [key for key, earned in rules if earned]


def badges_for(campaign: CleanupCampaign, participant_ids=None) -> dict[int, list[str]]:
    """Badge keys per participant, evaluated by the rules from accepted actions (batch):
    from the board, with no query per participant."""
    board = get_board(campaign)
    ids = board.stats.keys() if participant_ids is None else participant_ids
    ids = [pid for pid in ids if pid in board.stats]
    contributors = _goal_contributors(
        campaign, board, {pid: (board.points[pid], board.contrib[pid]) for pid in ids}
    )
    return {pid: _badges(board.points[pid], board.stats[pid], pid in contributors) for pid in ids}


def badge_label(key: str) -> str:
    return str(BADGES[key][0])


def badge_rules() -> list[tuple[str, str]]:
    """Every badge's name and what earns it, in the reader's language: "My badges"
    explains them (names alone said nothing of how to earn one)."""
    return [(str(label), str(description)) for label, description in BADGES.values()]


def badge_labels() -> dict[str, str]:
    """Every badge's label, translated once per request (not once per row)."""
    return {key: badge_label(key) for key in BADGES}


MY_ACTIONS_LIMIT = 100  # "show all my entries" lists at most this many


class ActionTypeLabel(NamedTuple):
    """What a list of entries shows of an action type."""

    key: str
    name_fr: str
    name_en: str
    unit: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr


def _read_action_type_labels() -> dict[int, ActionTypeLabel]:
    return {
        i: ActionTypeLabel(t.key, t.name_fr, t.name_en, t.unit) for i, t in _action_types().items()
    }


def action_type_labels() -> dict[int, ActionTypeLabel]:
    """Every action type's key, names and unit by id, kept until a type changes."""
    return cache.value(
        "cleanup.action_type_labels", (), ("cleanup_rules",), _read_action_type_labels
    )


class CampaignRule(NamedTuple):
    """How an action type counts in a campaign: what a log checks and scores with."""

    action_type_id: int
    key: str
    name_fr: str
    name_en: str
    unit: str
    points_per_unit: float
    daily_cap: float
    flag_above: float  # a single entry above this waits for review
    max_quantity: float  # above this it is refused

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr


def scope_names(campaign: CleanupCampaign, language: str) -> list[str]:
    """The names of the departments a campaign is for, alphabetically; [] for everyone."""
    if campaign.all_departments:
        return []
    wanted = campaign.department_ids
    return [name for id_, name in departments_by_name(language) if id_ in wanted]


class Overlap(NamedTuple):
    """A published campaign sharing dates and people with another: `shared`, the names
    of the departments both are for, alphabetically; [] when both are for everyone."""

    campaign: CleanupCampaign
    shared: list[str]


def list_overlapping_campaigns(
    campaign: CleanupCampaign, language: str, now: datetime
) -> list[Overlap]:
    """The published campaigns not yet ended whose dates overlap `campaign`'s and whose
    scope shares some of its departments, by start: their staff would get the launch and
    reminder messages of both. Overlap is allowed; this is what a warning names."""
    others = db.session.scalars(
        select(CleanupCampaign)
        .options(selectinload(CleanupCampaign.scope_rows))
        .where(
            CleanupCampaign.id != campaign.id,
            CleanupCampaign.published_at.is_not(None),
            CleanupCampaign.ends_at > now,
            CleanupCampaign.starts_at < campaign.ends_at,
            CleanupCampaign.ends_at > campaign.starts_at,
        )
        .order_by(CleanupCampaign.starts_at, CleanupCampaign.id)
    ).all()
    if not others:
        return []
    names = departments_by_name(language)
    overlaps = []
    for other in others:
        if campaign.all_departments and other.all_departments:
            overlaps.append(Overlap(other, []))
            continue
        if campaign.all_departments:
            wanted = other.department_ids
        elif other.all_departments:
            wanted = campaign.department_ids
        else:
            wanted = campaign.department_ids & other.department_ids
        shared = [name for id_, name in names if id_ in wanted]
        if shared:
            overlaps.append(Overlap(other, shared))
    return overlaps


class ReturnCampaign(NamedTuple):
    """A running campaign a device return declared now would count in, and whether the
    person takes part in it already (an entry of theirs there, other than a return they
    withdrew): only then does the return count without their asking."""

    campaign: CleanupCampaign
    takes_part: bool


def return_campaigns(user, now: datetime) -> list[ReturnCampaign]:
    """The running campaigns in the person's scope that count device returns, the soonest
    end first, each with whether the person takes part in it already."""
    campaigns = [
        c
        for c in running_campaigns(now, user)
        if c.frozen_at is None and "return-device" in campaign_rules(c)
    ]
    if not campaigns:
        return []
    mine = set(
        db.session.scalars(
            select(CleanupParticipant.campaign_id).where(
                CleanupParticipant.user_id == user.id,
                CleanupParticipant.campaign_id.in_([c.id for c in campaigns]),
                select(A.id)
                .where(A.participant_id == CleanupParticipant.id, A.status != WITHDRAWN)
                .exists(),
            )
        )
    )
    return [ReturnCampaign(c, c.id in mine) for c in campaigns]


def declared_during(campaign: CleanupCampaign, device_return) -> bool:
    """Whether the campaign was published and running when the return was declared: only
    there could its declaration have counted it (and does its receipt say so)."""
    declared_at = device_return.declared_at
    return (
        declared_at is not None
        and campaign.published_at is not None
        and campaign.published_at <= declared_at
        and campaign.starts_at <= declared_at < campaign.ends_at
    )


def campaigns_to_count_return_in(device_return, user, now: datetime) -> list[CleanupCampaign]:
    """The running campaigns a return still open may count in from its receipt: those of
    `return_campaigns` running when it was declared, where it has no entry, or one its
    owner withdrew (`services.count_device_return_in`)."""
    if device_return.status in ("withdrawn", "not_brought"):  # nobody expects the device
        return []
    campaigns = [
        c.campaign
        for c in return_campaigns(user, now)
        if declared_during(c.campaign, device_return)
    ]
    if not campaigns:
        return []
    entered = set(
        db.session.scalars(
            select(A.campaign_id).where(  # the (campaign_id, source_key) unique index
                A.campaign_id.in_([c.id for c in campaigns]),
                A.source_key == f"device-return:{device_return.id}",
                A.status != WITHDRAWN,
            )
        )
    )
    return [c for c in campaigns if c.id not in entered]


def campaign_rules(campaign: CleanupCampaign) -> dict[str, CampaignRule]:
    """The campaign's rules by action type key (in the campaign's order), kept until a
    rule or an action type changes: every log checks its entry against them, and
    loading them as objects cost a statement and a tenth of the log's time."""

    def read() -> dict[str, CampaignRule]:
        rules = {}
        for row in campaign.action_rules:
            kind = row.action_type
            rules[kind.key] = CampaignRule(
                action_type_id=kind.id,
                key=kind.key,
                name_fr=kind.name_fr,
                name_en=kind.name_en,
                unit=kind.unit,
                points_per_unit=row.points_per_unit,
                daily_cap=row.daily_cap,
                flag_above=kind.flag_above,
                max_quantity=kind.max_quantity,
            )
        return rules

    return cache.value("cleanup.rules", (campaign.id,), ("cleanup_rules",), read)


class Entry(NamedTuple):
    """One of a person's entries, as their list shows it."""

    id: int
    logged_at: datetime
    quantity: float
    points: int
    status: str
    review_reason: str | None
    source_key: str | None
    # Counted as last accepted, its author's correction refused (`review_reason` says why).
    correction_refused: bool
    action_type: ActionTypeLabel
    # Decided by an organiser and not corrected since: `review_reason` is about the entry
    # as it stands (a reason typed with an acceptance included).
    reviewed_as_is: bool = False
    # The language `review_reason` was written in (its `lang` where the page differs).
    review_reason_lang: str | None = None


@functools.cache
def _my_actions_statement():
    """Built once (participant and limit bound): building it cost more than running it."""
    participant = bindparam("participant_id")
    # The count is an uncorrelated subquery, evaluated once; a window count instead
    # made the database carry every column of every entry to the sort.
    # One more than the list holds: "more than the list" is told, not a capped count.
    listed = select(A.id).where(A.participant_id == participant).limit(MY_ACTIONS_LIMIT + 1)
    count = select(func.count()).select_from(listed.subquery()).scalar_subquery()
    # A refused correction clears `corrected_from` and keeps `corrected_at`.
    refused = A.corrected_at.is_not(None) & A.corrected_from.is_(None)
    as_is = A.reviewed_at.is_not(None) & (
        A.corrected_at.is_(None) | (A.corrected_at <= A.reviewed_at)
    )
    return (
        select(
            A.id, A.logged_at, A.quantity, A.points, A.status, A.review_reason, A.source_key,
            refused, A.action_type_id, as_is, A.review_reason_lang, count,
        )
        .where(A.participant_id == participant)
        .order_by(A.logged_at.desc(), A.id.desc())
        .limit(bindparam("limit"))
    )  # fmt: skip


def my_actions(campaign: CleanupCampaign, user, limit: int = MY_ACTIONS_LIMIT) -> tuple[list, int]:
    """The person's latest entries in a campaign, newest first, and how many there are,
    counted up to MY_ACTIONS_LIMIT + 1 (more than "show all my entries" lists): one
    statement.

    The columns the list shows, with the action types' labels kept per process: loading
    each entry with its action type as objects cost a page view or a log a millisecond.
    """
    # The participant first, then its actions by participant_id (ix_cleanup_action_cap):
    # joining from the campaign's 270,000 actions took ~100 ms.
    pid = participant_id_for(campaign, user)
    if pid is None:
        return [], 0
    rows = (
        db.session.connection()
        .execute(
            _my_actions_statement(),
            {"participant_id": pid, "limit": min(limit, MY_ACTIONS_LIMIT)},
        )
        .all()
    )
    labels = action_type_labels()
    if any(row[8] not in labels for row in rows):  # a type created since this request began
        labels = _read_action_type_labels()
    entries = [Entry(*row[:7], bool(row[7]), labels[row[8]], bool(row[9]), row[10]) for row in rows]
    return entries, rows[0][-1] if rows else 0


def entry_listed_after(action: CleanupAction) -> int | None:
    """The entry "My entries" lists right after this one (the next older, in
    `my_actions`' order), None for the person's oldest."""
    return db.session.scalar(
        select(A.id)
        .where(
            A.participant_id == action.participant_id,
            or_(
                A.logged_at < action.logged_at,
                (A.logged_at == action.logged_at) & (A.id < action.id),
            ),
        )
        .order_by(A.logged_at.desc(), A.id.desc())
        .limit(1)
    )


REVIEW_LIMIT = 200  # flagged entries the review queue shows at once, oldest first


def flagged_actions(campaign: CleanupCampaign) -> list[tuple[CleanupAction, User | None]]:
    """The oldest REVIEW_LIMIT flagged entries, with who logged them: decided, they
    leave the queue and the next ones come."""
    return list(
        db.session.execute(
            select(A, User)
            .join(CleanupParticipant, CleanupParticipant.id == A.participant_id)
            .outerjoin(User, User.id == CleanupParticipant.user_id)
            .where(A.campaign_id == campaign.id, A.status == FLAGGED)
            .order_by(A.logged_at, A.id)
            .limit(REVIEW_LIMIT)
        ).tuples()
    )


DECIDED_LIMIT = 50  # decisions the review page lists, the latest first, to change one


def decided_actions(campaign: CleanupCampaign) -> list[tuple[CleanupAction, User | None]]:
    """The latest DECIDED_LIMIT entries an organiser accepted or rejected, with who logged
    them: a decision taken by mistake can be changed (`ix_cleanup_action_reviewed`)."""
    return list(
        db.session.execute(
            select(A, User)
            .join(CleanupParticipant, CleanupParticipant.id == A.participant_id)
            .outerjoin(User, User.id == CleanupParticipant.user_id)
            .where(
                A.campaign_id == campaign.id,
                A.reviewed_at.is_not(None),
                A.status.in_((ACCEPTED, REJECTED)),
            )
            .order_by(A.reviewed_at.desc(), A.id.desc())
            .limit(DECIDED_LIMIT)
        ).tuples()
    )


def campaigns_with_entries_to_review(decidable) -> list[tuple[CleanupCampaign, int]]:
    """Campaigns not yet frozen with flagged entries the reviewer may decide, and how many
    each, oldest first. `decidable`: `services.decidable_by(reviewer_id)`, the review
    page's rule, so that one's own entry (decided by another organiser) is not counted."""
    count = func.count(A.id)
    return list(
        db.session.execute(
            select(CleanupCampaign, count)
            .join(A, (A.campaign_id == CleanupCampaign.id) & (A.status == FLAGGED))
            .join(CleanupParticipant, CleanupParticipant.id == A.participant_id)
            .where(CleanupCampaign.frozen_at.is_(None), decidable)
            .group_by(CleanupCampaign.id)
            .order_by(CleanupCampaign.starts_at)
        ).tuples()
    )


def action_author(action: CleanupAction) -> User | None:
    """Who logged an entry; None once their account is erased."""
    return db.session.scalar(
        select(User)
        .join(CleanupParticipant, CleanupParticipant.user_id == User.id)
        .where(CleanupParticipant.id == action.participant_id)
    )


def flagged_count(campaign: CleanupCampaign) -> int:
    return db.session.scalar(
        select(func.count(A.id)).where(A.campaign_id == campaign.id, A.status == FLAGGED)
    )


def flagged_at_stake(campaign: CleanupCampaign) -> tuple[int, int]:
    """The campaign's flagged entries waiting for a decision, and the points they would
    add if accepted: what provisional figures may still gain."""
    count, points = db.session.execute(
        select(func.count(A.id), func.coalesce(func.sum(A.points), 0)).where(
            A.campaign_id == campaign.id, A.status == FLAGGED
        )
    ).one()
    return int(count), int(points)


def decidable_count(campaign: CleanupCampaign, decidable) -> int:
    """The campaign's flagged entries a reviewer may decide (`decidable`, as in
    `campaigns_with_entries_to_review`): what its link to the review queue counts."""
    return db.session.scalar(
        select(func.count(A.id))
        .join(CleanupParticipant, CleanupParticipant.id == A.participant_id)
        .where(A.campaign_id == campaign.id, A.status == FLAGGED, decidable)
    )


def draft_campaign_count() -> int:
    return db.session.scalar(
        select(func.count(CleanupCampaign.id)).where(CleanupCampaign.published_at.is_(None))
    )


def organisers_contact(campaign: CleanupCampaign) -> dict | None:
    """Whom a participant writes to about a decision on their entry: the organiser who
    created the campaign, while their account is active, else the portal's contact for
    its owner (PRIVACY_CONTROLLER_CONTACT, then PRIVACY_CONTACT): `{"text", "href"}`, as
    `app.core.accessibility.contact` gives one (a postal address has no link)."""
    email = db.session.scalar(
        select(User.email).where(
            User.id == campaign.created_by_id,
            User.active.is_(True),
            User.anonymised_at.is_(None),
        )
    )
    config = current_app.config
    return first_contact(
        email, config.get("PRIVACY_CONTROLLER_CONTACT"), config.get("PRIVACY_CONTACT")
    )


def headcount_in_scope(campaign: CleanupCampaign) -> int:
    """Employees in the campaign's scope. An account erased at its owner's request still
    counts: its actions still count among the participants, and erasure must not move the
    results. One erased after its owner left (deactivated, then erased by the retention
    period) no longer counts, as it did not once deactivated."""
    return db.session.scalar(_staff_in_scope(select(func.count(User.id)), campaign))


def _staff_in_scope(query, campaign: CleanupCampaign):
    """`query` restricted to the staff `headcount_in_scope` counts."""
    query = query.where(
        User.active.is_(True) | (User.anonymised_at.is_not(None) & User.deactivated_by.is_(None))
    )
    if not campaign.all_departments:
        query = query.where(
            User.department_id.in_(
                select(CleanupCampaignDepartment.department_id).where(
                    CleanupCampaignDepartment.campaign_id == campaign.id
                )
            )
        )
    return query


def team_staff(campaign: CleanupCampaign, scope: str) -> dict[int, int]:
    """Staff in the campaign's scope per department or commune, counted as
    `headcount_in_scope` counts the whole: what a team's participants are out of. A closed
    campaign's come from its snapshot (as they were at its end) when it holds them."""
    if campaign.frozen_at is not None:
        snapshot = db.session.scalar(
            select(CleanupCampaign.results_json).where(CleanupCampaign.id == campaign.id)
        )
        teams = json.loads(snapshot).get(scope, []) if snapshot else []
        if teams and all("staff" in team for team in teams):
            return {team["id"]: team["staff"] for team in teams}
    column = User.department_id if scope == "departments" else User.commune_id
    query = _staff_in_scope(select(column, func.count(User.id)), campaign).group_by(column)
    return {team: count for team, count in db.session.execute(query) if team is not None}


def with_staff(teams: list[dict], staff: dict[int, int]) -> list[dict]:
    """`teams` each with its `staff` (0 when none is counted any more); a team withheld
    (`rank_teams`) keeps none, as it keeps no other figure."""
    return [
        {**team, "staff": None if team.get("withheld") else staff.get(team["id"], 0)}
        for team in teams
    ]


DISTRIBUTION_BUCKETS = ((1, 49), (50, 199), (200, 499), (500, None))
DEPARTMENT_COMMUNES = "department_communes"


def score_distribution(board: Board, in_scope: int) -> list[dict]:
    """How many people of the `in_scope` scored nothing, and how many scored within each
    of DISTRIBUTION_BUCKETS, from the scoreboard's sorted scores (`Board.ascending`, every
    participant with an accepted action, the erased too): reading the ~15,000 totals
    again at every view of the interim results cost more than the rest of the page."""
    scores = board.ascending
    distribution = [{"from": 0, "to": 0, "count": max(in_scope - len(scores), 0)}]
    for low, high in DISTRIBUTION_BUCKETS:
        upto = len(scores) if high is None else bisect_right(scores, high)
        distribution.append({"from": low, "to": high, "count": upto - bisect_left(scores, low)})
    return distribution


def compute_results(campaign: CleanupCampaign, now: datetime) -> dict:
    """Everything the results page shows, as JSON-able aggregates (no personal data)."""
    totals = campaign_totals(campaign)
    in_scope = headcount_in_scope(campaign)
    board = get_board(campaign)
    distribution = score_distribution(board, in_scope)
    by_type = []
    co2 = {"central": 0.0, "low": 0.0, "high": 0.0}
    types = _action_types()
    for type_id in sorted(board.type_totals, key=lambda t: types[t].position):
        action_type = types[type_id]
        quantity, points, count = board.type_totals[type_id]
        by_type.append(
            {
                "key": action_type.key,
                "name_fr": action_type.name_fr,
                "name_en": action_type.name_en,
                "unit": action_type.unit,
                "quantity": round(quantity, 3),
                "points": int(points),
                "actions": count,
            }
        )
        if action_type.kg_co2e_per_unit is not None:
            co2["central"] += quantity * action_type.kg_co2e_per_unit
            co2["low"] += quantity * (action_type.kg_co2e_low or action_type.kg_co2e_per_unit)
            co2["high"] += quantity * (action_type.kg_co2e_high or action_type.kg_co2e_per_unit)
    return {
        "campaign_id": campaign.id,
        # Each instant with the Paris offset it is read with (`local_iso`), whatever the
        # zone the datetime came in: the seed's were Paris times, the form's UTC.
        "computed_at": local_iso(now),
        "starts_at": local_iso(campaign.starts_at),
        "ends_at": local_iso(campaign.ends_at),
        "participants": totals["participants"],
        "points": totals["points"],
        "in_scope": in_scope,
        "goals": goal_progress(campaign, totals),
        "by_type": by_type,
        "co2_kg": {k: round(v, 3) for k, v in co2.items()},
        "distribution": distribution,
        # Each team with its staff in scope at the end: its participation, « 7 sur 20 ».
        "departments": with_staff(
            rank_teams(team_totals(campaign, "departments")), team_staff(campaign, "departments")
        ),
        "communes": with_staff(
            rank_teams(team_totals(campaign, "communes")), team_staff(campaign, "communes")
        ),
        # Which communes hold which departments' people, for `published_results` to
        # withhold the communes of the departments withheld; never published itself.
        DEPARTMENT_COMMUNES: sorted([d, c] for d, c in board.cells),
    }


def _earlier_campaigns(campaign: CleanupCampaign):
    """The campaigns with frozen results that ended before this one started, any scope."""
    return select(CleanupCampaign).where(
        CleanupCampaign.frozen_at.is_not(None),
        CleanupCampaign.ends_at <= campaign.starts_at,
        CleanupCampaign.id != campaign.id,
    )


def has_earlier_campaign(campaign: CleanupCampaign) -> bool:
    """Whether any campaign came before this one, whatever its scope: with none of the same
    scope, the results page says why it compares with nothing (an organiser running their
    first campaign of two departments read "no previous campaign" beside last year's)."""
    return db.session.scalar(select(_earlier_campaigns(campaign).exists())) or False


def previous_campaign(campaign: CleanupCampaign) -> CleanupCampaign | None:
    """The latest campaign with frozen results that ended before this one started, of the
    same scope (everyone in both, or the very same departments): a campaign of two
    departments compared with one of the whole staff compared unlike populations. None
    when there is no such campaign (the results page then says it has none to compare)."""
    query = _earlier_campaigns(campaign).where(
        CleanupCampaign.all_departments.is_(bool(campaign.all_departments))
    )
    if not campaign.all_departments:
        wanted = sorted(campaign.department_ids)
        rows = CleanupCampaignDepartment
        # As many departments, all of them among this campaign's: the same set.
        same_set = (
            select(rows.campaign_id)
            .group_by(rows.campaign_id)
            .having(
                func.count() == len(wanted),
                func.count(case((rows.department_id.in_(wanted), 1))) == len(wanted),
            )
        )
        query = query.where(CleanupCampaign.id.in_(same_set))
    return db.session.scalar(
        query.order_by(CleanupCampaign.ends_at.desc(), CleanupCampaign.id.desc()).limit(1)
    )


def compared_figures(results: dict, until: datetime | None = None) -> dict:
    """A campaign's figures as the results page compares them with another's: the
    participants and points, the GB freed and devices returned, its participation
    (participants out of staff in scope) and how many days it ran. `until`: a running
    campaign's provisional figures, which cover its days so far."""
    by_unit: dict[str, float] = defaultdict(float)
    for kind in results.get("by_type", []):
        by_unit[kind.get("unit")] += kind.get("quantity") or 0
    start = datetime.fromisoformat(results["starts_at"])
    end = datetime.fromisoformat(results["ends_at"])
    if until is not None:
        end = min(end, until)
    in_scope = results.get("in_scope") or 0
    return {
        "participants": results.get("participants", 0),
        "points": results.get("points", 0),
        "gb": round(by_unit["GB"], 3),
        "devices": round(by_unit["devices"]),
        "rate": results.get("participants", 0) / in_scope if in_scope else None,
        # To the nearest whole day (half a day up), at least one: 3 days and a few
        # seconds ran 3, a day and a half ran 2.
        "days": max(1, int((end - start).total_seconds() + 43_200) // 86_400),
    }


def frozen_results(campaign: CleanupCampaign) -> dict | None:
    return json.loads(campaign.results_json) if campaign.results_json else None


def published_results(
    results: dict | None, minimum: int | None = None, campaign=None
) -> dict | None:
    """A frozen snapshot as the results page and its exports show it: its departments and
    communes ranked again with the teams under `minimum` participants (LEADERBOARD_MIN_TEAM
    by default) withheld (`rank_teams`), and the communes holding a withheld department's
    people (`shielding_communes`). The snapshot keeps every team's figures, so one
    frozen before this rule, or under another minimum, follows the current one. A snapshot
    frozen without its departments' communes reads them from `campaign`'s board; without
    that either, every commune is withheld once a department is."""
    if results is None:
        return None
    minimum = min_team() if minimum is None else minimum
    results = dict(results)
    cells = results.pop(DEPARTMENT_COMMUNES, None)
    departments = [_per_head_again(t) for t in results.get("departments", [])]
    communes = [_per_head_again(t) for t in results.get("communes", [])]
    figures = [(t["id"], t["points"], t["participants"]) for t in departments]
    if cells is None and campaign is not None:
        cells = get_board(campaign).cells
    if cells is not None:
        shielding = shielding_communes(figures, [tuple(cell) for cell in cells], minimum)
    else:
        shielding = {t["id"] for t in communes} if withheld_teams(figures, minimum) else set()
    departments = rank_teams(departments, minimum=minimum)
    communes = rank_teams(communes, minimum=minimum, shielding=shielding)
    # A snapshot frozen before teams kept their staff reads today's (`team_staff`).
    if campaign is not None:
        for key, teams in (("departments", departments), ("communes", communes)):
            if any("staff" not in team for team in teams):
                teams[:] = with_staff(teams, team_staff(campaign, key))
    return {**results, "departments": departments, "communes": communes}


def interim_results(campaign: CleanupCampaign, now: datetime) -> dict:
    """A running campaign's figures as they stand, in the shape of its frozen results and
    under the same privacy rules (`published_results`: small teams withheld, no person
    named), for its organisers' provisional page and spreadsheet. Read fresh, kept nowhere:
    they change with every entry until the campaign ends."""
    snapshot = json.loads(json.dumps(compute_results(campaign, now)))
    return published_results(snapshot, campaign=campaign)


def _per_head_again(team: dict) -> dict:
    """A snapshot's team with its points per participant worked out again: snapshots
    frozen before `per_head` hold round()'s figure (113 / 4 gave 28.2, not 28.3)."""
    if team.get("points") is None or not team.get("participants"):
        return team
    return {**team, "points_per_head": per_head(team["points"], team["participants"])}


def state_label(state: str) -> str:
    from flask_babel import gettext as _

    return {
        DRAFT: _("Draft"),
        SCHEDULED: _("Scheduled"),
        RUNNING: _("Running"),
        CLOSED: _("Closed"),
    }[state]


def counted_participants(campaign_id: int, user_ids=None):
    """SELECT of (user id, participant id) of the people who take part in a campaign as
    its results count them: at least one counted (accepted) entry. An entry waiting for
    review, rejected, or a device not received yet makes nobody a participant (the
    results page, per head and the participants goal count the same people). One
    statement, read from the board's covering index, whatever the headcount.

    `user_ids`: of these people only (a preview's reader, a window of recipients), each
    participation then checked on its own entries: the campaign's accepted entries read
    as a whole took 0.2 s at the Bordeaux scale."""
    query = select(CleanupParticipant.user_id, CleanupParticipant.id).where(
        CleanupParticipant.campaign_id == campaign_id,
        CleanupParticipant.user_id.is_not(None),
    )
    if user_ids is None:
        counted = select(A.participant_id).where(*_accepted(campaign_id))
        return query.where(CleanupParticipant.id.in_(counted))
    own = select(A.id).where(A.participant_id == CleanupParticipant.id, *_accepted(campaign_id))
    return query.where(CleanupParticipant.user_id.in_(user_ids), own.exists())


def participant_user_ids(campaign_id: int):
    """SELECT of the user ids of a campaign's participants (`counted_participants`)."""
    return counted_participants(campaign_id).with_only_columns(CleanupParticipant.user_id)


def in_scope_user_ids(campaign: CleanupCampaign | None):
    """SELECT of active users in a campaign's scope (its departments, or everyone)."""
    if campaign is None:
        return select(User.id).where(User.id.is_(None))
    query = select(User.id).where(User.active.is_(True), User.anonymised_at.is_(None))
    if not campaign.all_departments:
        query = query.where(
            User.department_id.in_(
                select(CleanupCampaignDepartment.department_id).where(
                    CleanupCampaignDepartment.campaign_id == campaign.id
                )
            )
        )
    return query


def non_participant_user_ids(campaign: CleanupCampaign | None):
    """SELECT of active users in scope who have not taken part: no counted entry (one
    waiting for review, rejected or not received yet is not taking part)."""
    if campaign is None:
        return select(User.id).where(User.id.is_(None))
    query = select(User.id).where(
        User.active.is_(True),
        User.anonymised_at.is_(None),
        User.id.not_in(participant_user_ids(campaign.id)),
    )
    if not campaign.all_departments:
        query = query.where(
            or_(
                User.department_id.in_(
                    select(CleanupCampaignDepartment.department_id).where(
                        CleanupCampaignDepartment.campaign_id == campaign.id
                    )
                )
            )
        )
    return query


def action_type_by_key(key: str) -> CleanupActionType | None:
    """An action type by its key (a URL's), or None."""
    if len(key) > 40:
        return None
    return db.session.scalar(select(CleanupActionType).where(CleanupActionType.key == key))
