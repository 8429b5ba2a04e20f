"""The results' score distribution (« how many people scored 1 to 49 points… ») counted
from the scoreboard the leaderboards keep, instead of reading every participant's total
at each view of the interim results: the same figures as the totals summed in the
database, at each bucket's edges, and the same frozen snapshot once the campaign closes."""

import json
from datetime import timedelta

from sqlalchemy import func, select, update

from app.cleanup import queries, services
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.core.time import utcnow
from app.extensions import db

# Each bucket's edges, and a person with a pending entry only (no points yet).
SCORES = (1, 49, 50, 199, 200, 499, 500, 900)


def _campaign_with_scores(make, make_campaign):
    """A running campaign where each of SCORES is one person's total, one person has
    only an entry waiting for review, and two more (one the reviewer) took part in nothing."""
    now = utcnow()
    mail = services.ensure_default_action_types()[0]
    rule = {
        "action_type_id": mail.id,
        "points_per_unit": 1,
        "daily_cap": 1000,
    }
    campaign = make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), rules=[rule]
    )
    reviewer = make.user(roles=("organiser",))
    for points in SCORES:
        entry = services.log_action(make.user(), campaign, mail.key, points, now)
        if entry.status == "flagged":  # above what is accepted without review
            services.review_action(entry, reviewer, True, "", now)
    services.log_action(make.user(), campaign, mail.key, 30, now, pending=True)
    make.user()  # in scope, no entry
    db.session.commit()
    return campaign


def _distribution_summed_in_the_database(campaign) -> list[dict]:
    """The distribution as the results counted it before: every participant's accepted
    points summed by the database, then bucketed one by one."""
    totals = (
        select(func.sum(CleanupAction.points).label("points"))
        .where(CleanupAction.campaign_id == campaign.id, CleanupAction.status == "accepted")
        .group_by(CleanupAction.participant_id)
        .subquery()
    )
    per_person = [int(p) for p in db.session.scalars(select(totals.c.points))]
    in_scope = queries.headcount_in_scope(campaign)
    distribution = [{"from": 0, "to": 0, "count": max(in_scope - len(per_person), 0)}]
    for low, high in queries.DISTRIBUTION_BUCKETS:
        count = sum(1 for p in per_person if p >= low and (high is None or p <= high))
        distribution.append({"from": low, "to": high, "count": count})
    return distribution


def test_the_distribution_counts_each_bucket_edge_as_the_database_totals_do(make, make_campaign):
    campaign = _campaign_with_scores(make, make_campaign)
    results = queries.compute_results(campaign, utcnow())
    assert results["distribution"] == _distribution_summed_in_the_database(campaign)
    assert [bucket["count"] for bucket in results["distribution"][1:]] == [2, 2, 2, 2]


def test_the_frozen_results_of_a_closed_campaign_are_the_same_bytes(make, make_campaign):
    campaign = _campaign_with_scores(make, make_campaign)
    db.session.execute(
        update(CleanupCampaign)
        .where(CleanupCampaign.id == campaign.id)
        .values(ends_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    db.session.refresh(campaign)
    ended = utcnow()
    assert services.freeze_campaign(campaign, ended, announce=False)
    db.session.commit()
    frozen = campaign.results_json
    # The snapshot with the distribution counted as before, written as the freeze writes.
    expected = json.loads(frozen) | {"distribution": _distribution_summed_in_the_database(campaign)}
    assert frozen == json.dumps(expected)
    assert frozen == json.dumps(queries.compute_results(campaign, ended))
