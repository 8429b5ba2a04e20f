"""Reads of clean-up campaigns: totals, goals, leaderboards, badges and results.

Everything is aggregated in SQL from accepted `CleanupAction` rows (covering
indexes `ix_cleanup_action_*`), so a recomputation always gives the same answer.
"""

import json
from collections import defaultdict
from datetime import datetime

from sqlalchemy import distinct, func, or_, select

from app.auth.models import LeaderboardVisibility, User
from app.cleanup.catalogue import BADGES
from app.cleanup.models import (
    ACCEPTED,
    CLOSED,
    DRAFT,
    FLAGGED,
    RUNNING,
    SCHEDULED,
    CleanupAction,
    CleanupActionType,
    CleanupCampaign,
    CleanupCampaignDepartment,
    CleanupParticipant,
)
from app.core.models import Commune, Department
from app.extensions import db

PER_PAGE = 50
A = CleanupAction


def get_campaign(campaign_id: int, include_drafts: bool = False) -> CleanupCampaign | None:
    campaign = db.session.get(CleanupCampaign, campaign_id)
    if campaign is None or (campaign.published_at is None and not include_drafts):
        return None
    return campaign


def list_campaigns(include_drafts: bool = False) -> list[CleanupCampaign]:
    query = select(CleanupCampaign).order_by(CleanupCampaign.starts_at.desc())
    if not include_drafts:
        query = query.where(CleanupCampaign.published_at.is_not(None))
    return list(db.session.scalars(query))


def current_campaign(now: datetime, user=None) -> CleanupCampaign | None:
    """The running campaign (in the user's scope when given), else None."""
    for campaign in list_campaigns():
        if campaign.state(now) == RUNNING and (user is None or campaign.in_scope(user)):
            return campaign
    return None


def default_campaign(now: datetime) -> CleanupCampaign | None:
    """The running campaign, else the latest closed one."""
    campaigns = list_campaigns()
    for state in (RUNNING, CLOSED):
        for campaign in campaigns:
            if campaign.state(now) == state:
                return campaign
    return None


def _accepted(campaign_id: int):
    return (A.campaign_id == campaign_id, A.status == ACCEPTED)


def campaign_totals(campaign: CleanupCampaign) -> dict:
    row = db.session.execute(
        select(func.count(distinct(A.participant_id)), func.coalesce(func.sum(A.points), 0)).where(
            *_accepted(campaign.id)
        )
    ).one()
    return {"participants": row[0], "points": int(row[1])}


def quantities_by_unit(campaign_id: int) -> dict[str, float]:
    rows = db.session.execute(
        select(CleanupActionType.unit, func.sum(A.quantity))
        .join(CleanupActionType, CleanupActionType.id == A.action_type_id)
        .where(*_accepted(campaign_id))
        .group_by(CleanupActionType.unit)
    )
    return {unit: float(total or 0) for unit, total in rows}


def goal_progress(campaign: CleanupCampaign, totals: dict | None = None) -> list[dict]:
    """Each goal with what has been achieved so far."""
    if not campaign.goals:
        return []
    totals = totals or campaign_totals(campaign)
    achieved = dict(quantities_by_unit(campaign.id))
    achieved["participants"] = totals["participants"]
    achieved["points"] = totals["points"]
    return [
        {
            "key": goal.key,
            "unit": goal.unit,
            "target": goal.target,
            "achieved": round(achieved.get(goal.unit, 0), 3),
            "ratio": min(achieved.get(goal.unit, 0) / goal.target, 1) if goal.target else 0,
        }
        for goal in campaign.goals
    ]


def _points_by_participant(campaign_id: int):
    return (
        select(A.participant_id, func.sum(A.points).label("points"))
        .where(*_accepted(campaign_id))
        .group_by(A.participant_id)
    )


def participant_for(campaign: CleanupCampaign, user) -> CleanupParticipant | None:
    return db.session.scalar(
        select(CleanupParticipant).where(
            CleanupParticipant.campaign_id == campaign.id, CleanupParticipant.user_id == user.id
        )
    )


def my_standing(campaign: CleanupCampaign, user) -> dict:
    """The user's own points, rank (None before a first accepted action) and badges."""
    participant = participant_for(campaign, user)
    if participant is None:
        return {"points": 0, "rank": None, "badges": [], "participants": 0}
    points = db.session.scalar(
        select(func.sum(A.points)).where(
            *_accepted(campaign.id), A.participant_id == participant.id
        )
    )
    totals = _points_by_participant(campaign.id).subquery()
    participants = db.session.scalar(select(func.count()).select_from(totals))
    rank = None
    if points is not None:
        above = db.session.scalar(
            select(func.count()).select_from(totals).where(totals.c.points > points)
        )
        rank = above + 1
    badges = badges_for(campaign, [participant.id]).get(participant.id, [])
    return {
        "points": int(points or 0),
        "rank": rank,
        "badges": badges,
        "participants": participants,
    }


def individual_leaderboard(campaign: CleanupCampaign, page: int = 1, per_page: int = PER_PAGE):
    """Ranked individuals; hidden and anonymised people take a rank but are never listed."""
    totals = _points_by_participant(campaign.id).subquery()
    ranked = select(
        totals.c.participant_id,
        totals.c.points,
        func.rank().over(order_by=totals.c.points.desc()).label("rank"),
    ).subquery()
    listed = (
        select(
            ranked.c.participant_id,
            ranked.c.points,
            ranked.c.rank,
            User.display_name,
            User.pseudonym,
            User.leaderboard_visibility,
        )
        .join(CleanupParticipant, CleanupParticipant.id == ranked.c.participant_id)
        .join(User, User.id == CleanupParticipant.user_id)
        .where(
            User.leaderboard_visibility != LeaderboardVisibility.HIDDEN.value,
            User.anonymised_at.is_(None),
        )
    )
    rows = db.session.execute(
        listed.order_by(ranked.c.rank, ranked.c.participant_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(listed.subquery()))
    badges = badges_for(campaign, [r.participant_id for r in rows])
    entries = [
        {
            "rank": r.rank,
            "name": r.display_name
            if r.leaderboard_visibility == LeaderboardVisibility.NAME.value
            else r.pseudonym,
            "points": int(r.points),
            "badges": badges.get(r.participant_id, []),
        }
        for r in rows
    ]
    return entries, total


def team_totals(campaign_id: int, scope: str) -> list[dict]:
    """Departments or communes with points, participants and points per participant."""
    column = A.department_id if scope == "departments" else A.commune_id
    rows = db.session.execute(
        select(column, func.sum(A.points), func.count(distinct(A.participant_id)))
        .where(*_accepted(campaign_id), column.is_not(None))
        .group_by(column)
    ).all()
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
            "points": int(points),
            "participants": people,
            "points_per_head": round(points / people, 1) if people else 0,
        }
        for team_id, points, people in rows
    ]


def rank_teams(teams: list[dict], order: str = "total") -> list[dict]:
    """Competition ranking (1, 2, 2, 4) by total points or points per head."""
    key = "points_per_head" if order == "per_head" else "points"
    ordered = sorted(teams, key=lambda t: (-t[key], t["name_fr"]))
    ranked, previous, rank = [], None, 0
    for index, team in enumerate(ordered, start=1):
        if team[key] != previous:
            rank, previous = index, team[key]
        ranked.append({**team, "rank": rank})
    return ranked


def team_leaderboard(campaign, scope: str, order: str, locale: str, page=1, per_page=PER_PAGE):
    teams = rank_teams(team_totals(campaign.id, scope), order)
    window = teams[(page - 1) * per_page : page * per_page]
    entries = [
        {
            "rank": t["rank"],
            "name": t["name_en"] if locale == "en" else t["name_fr"],
            "points": t["points"],
            "participants": t["participants"],
            "points_per_head": t["points_per_head"],
        }
        for t in window
    ]
    return entries, len(teams)


def badges_for(campaign: CleanupCampaign, participant_ids=None) -> dict[int, list[str]]:
    """Badge keys per participant, evaluated from accepted actions (batch)."""
    query = (
        select(
            A.participant_id,
            CleanupActionType.key,
            CleanupActionType.unit,
            func.sum(A.quantity),
            func.sum(A.points),
        )
        .join(CleanupActionType, CleanupActionType.id == A.action_type_id)
        .where(*_accepted(campaign.id))
        .group_by(A.participant_id, CleanupActionType.key, CleanupActionType.unit)
    )
    days_query = (
        select(A.participant_id, func.count(distinct(A.day)))
        .where(*_accepted(campaign.id))
        .group_by(A.participant_id)
    )
    if participant_ids is not None:
        if not participant_ids:
            return {}
        query = query.where(A.participant_id.in_(participant_ids))
        days_query = days_query.where(A.participant_id.in_(participant_ids))
    stats = defaultdict(lambda: {"GB": 0.0, "mail": 0.0, "devices": 0.0, "points": 0})
    for pid, key, unit, quantity, points in db.session.execute(query):
        s = stats[pid]
        s["points"] += points
        if unit == "GB":
            s["GB"] += quantity
        if key == "delete-mail":
            s["mail"] += quantity
        if unit == "devices":
            s["devices"] += quantity
    days = dict(db.session.execute(days_query).all())
    goal_met = any(g["achieved"] >= g["target"] for g in goal_progress(campaign))
    result = {}
    for pid, s in stats.items():
        earned = ["first-action"]
        if s["GB"] >= 10:
            earned.append("ten-gb")
        if s["mail"] >= 2:
            earned.append("light-inbox")
        if s["devices"] >= 1:
            earned.append("device-returned")
        if days.get(pid, 0) >= 3:
            earned.append("regular")
        if s["points"] >= 500:
            earned.append("high-scorer")
        if goal_met:
            earned.append("goal-reached")
        result[pid] = earned
    return result


def badge_label(key: str) -> str:
    return str(BADGES[key][0])


def my_actions(campaign: CleanupCampaign, user) -> list[CleanupAction]:
    return list(
        db.session.scalars(
            select(A)
            .join(CleanupParticipant, CleanupParticipant.id == A.participant_id)
            .where(A.campaign_id == campaign.id, CleanupParticipant.user_id == user.id)
            .order_by(A.logged_at.desc(), A.id.desc())
            .limit(100)
        )
    )


def flagged_actions(campaign: CleanupCampaign) -> list[tuple[CleanupAction, User | None]]:
    return list(
        db.session.execute(
            select(A, User)
            .join(CleanupParticipant, CleanupParticipant.id == A.participant_id)
            .outerjoin(User, User.id == CleanupParticipant.user_id)
            .where(A.campaign_id == campaign.id, A.status == FLAGGED)
            .order_by(A.logged_at)
            .limit(200)
        ).tuples()
    )


def headcount_in_scope(campaign: CleanupCampaign) -> int:
    query = select(func.count(User.id)).where(User.active.is_(True), User.anonymised_at.is_(None))
    if not campaign.all_departments:
        query = query.where(
            User.department_id.in_(
                select(CleanupCampaignDepartment.department_id).where(
                    CleanupCampaignDepartment.campaign_id == campaign.id
                )
            )
        )
    return db.session.scalar(query)


DISTRIBUTION_BUCKETS = ((1, 49), (50, 199), (200, 499), (500, None))


def compute_results(campaign: CleanupCampaign, now: datetime) -> dict:
    """Everything the results page shows, as JSON-able aggregates (no personal data)."""
    totals = campaign_totals(campaign)
    in_scope = headcount_in_scope(campaign)
    per_person = [
        int(p)
        for p in db.session.scalars(select(_points_by_participant(campaign.id).subquery().c.points))
    ]
    distribution = [{"from": 0, "to": 0, "count": max(in_scope - len(per_person), 0)}]
    for low, high in DISTRIBUTION_BUCKETS:
        distribution.append(
            {
                "from": low,
                "to": high,
                "count": sum(1 for p in per_person if p >= low and (high is None or p <= high)),
            }
        )
    by_type = []
    co2 = {"central": 0.0, "low": 0.0, "high": 0.0}
    rows = db.session.execute(
        select(CleanupActionType, func.sum(A.quantity), func.sum(A.points), func.count(A.id))
        .join(CleanupActionType, CleanupActionType.id == A.action_type_id)
        .where(*_accepted(campaign.id))
        .group_by(CleanupActionType.id)
        .order_by(CleanupActionType.position)
    ).all()
    for action_type, quantity, points, count in rows:
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
        "computed_at": now.isoformat(),
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat(),
        "participants": totals["participants"],
        "points": totals["points"],
        "in_scope": in_scope,
        "goals": goal_progress(campaign, totals),
        "by_type": by_type,
        "co2_kg": {k: round(v, 3) for k, v in co2.items()},
        "distribution": distribution,
        "departments": rank_teams(team_totals(campaign.id, "departments")),
        "communes": rank_teams(team_totals(campaign.id, "communes")),
    }


def previous_campaign(campaign: CleanupCampaign) -> CleanupCampaign | None:
    return db.session.scalar(
        select(CleanupCampaign)
        .where(
            CleanupCampaign.frozen_at.is_not(None),
            CleanupCampaign.ends_at <= campaign.starts_at,
            CleanupCampaign.id != campaign.id,
        )
        .order_by(CleanupCampaign.ends_at.desc())
        .limit(1)
    )


def frozen_results(campaign: CleanupCampaign) -> dict | None:
    return json.loads(campaign.results_json) if campaign.results_json else None


def state_label(state: str) -> str:
    from flask_babel import gettext as _

    return {
        DRAFT: _("Draft"),
        SCHEDULED: _("Scheduled"),
        RUNNING: _("Running"),
        CLOSED: _("Closed"),
    }[state]


def participant_user_ids(campaign_id: int):
    """SELECT of user ids who take part (joined or logged) in a campaign."""
    return select(CleanupParticipant.user_id).where(
        CleanupParticipant.campaign_id == campaign_id, CleanupParticipant.user_id.is_not(None)
    )


def non_participant_user_ids(campaign: CleanupCampaign | None):
    """SELECT of active users in scope who have not taken part."""
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
