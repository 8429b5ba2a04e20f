"""A web worker builds the clean-up scoreboards when it starts, not at a first visit."""

import logging
from datetime import timedelta

from flask import current_app

from app.cleanup import services
from app.core.time import utcnow
from app.core.warmup import register_warmer, warm_up
from app.extensions import db


def test_warm_up_builds_the_running_campaigns_board_with_its_scores(app, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=19))
    person = make.user()
    mailbox = next(t for t in services.ensure_default_action_types() if t.unit == "items")
    services.log_action(person, campaign, mailbox.key, 3, now)
    db.session.commit()
    current_app.extensions.pop("cleanup.boards", None)

    warm_up(app)

    board = current_app.extensions["cleanup.boards"][campaign.id]
    assert board.version == db.session.get(type(campaign), campaign.id).scores_version
    assert sum(board.points.values()) == 3 * mailbox.points_per_unit


def test_a_failing_warmer_is_logged_and_the_others_still_run(app, make_app, caplog):
    other = make_app()
    ran = []

    def broken():
        raise RuntimeError("the database is not there yet")

    register_warmer(other, broken)
    register_warmer(other, lambda: ran.append(True))
    with caplog.at_level(logging.ERROR):
        warm_up(other)
    assert ran == [True]
    assert "warming broken failed" in caplog.text
