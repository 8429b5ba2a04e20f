"""Clean-up rules, tested through the services with a fixed clock."""

import re
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.cleanup import queries, services
from app.cleanup.catalogue import DEFAULT_ACTION_TYPES, STORAGE_CAVEAT_FR
from app.cleanup.integration import campaign_variables
from app.cleanup.models import CleanupAction
from app.core.personalisation import variables_for
from app.core.signals import (
    campaign_closed,
    device_return_received,
    device_return_withdrawn,
    device_returned,
)
from app.extensions import db
from app.messaging.builtins import BUILTIN_TEMPLATES
from app.messaging.rendering import sandbox
from tests.cleanup.conftest import NOW


def test_state_follows_the_clock(make_campaign):
    campaign = make_campaign()
    assert campaign.state(NOW - timedelta(days=3)) == "scheduled"
    assert campaign.state(NOW) == "running"
    assert campaign.state(NOW + timedelta(days=30)) == "closed"
    draft = make_campaign(publish=False)
    assert draft.state(NOW) == "draft"


def test_the_current_campaign_is_the_latest_running_one_in_the_persons_scope(make, make_campaign):
    person = make.user()
    other_department = make.user().department_id
    closed = make_campaign(
        publish=False, starts_at=NOW - timedelta(days=40), ends_at=NOW - timedelta(days=20)
    )
    closed.published_at = NOW - timedelta(days=45)  # published in time, ended since
    db.session.commit()
    make_campaign(starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=20))
    make_campaign(publish=False)
    assert queries.current_campaign(NOW, person) is None
    running = make_campaign(starts_at=NOW - timedelta(days=3), ends_at=NOW + timedelta(days=18))
    make_campaign(
        starts_at=NOW - timedelta(days=1),
        all_departments=False,
        department_ids=[other_department],
    )
    assert queries.current_campaign(NOW, person).id == running.id  # the later one is not theirs
    assert queries.current_campaign(NOW - timedelta(days=30), person).id == closed.id


def test_logging_awards_points_and_rank(make, make_campaign):
    campaign = make_campaign()
    alice, bob = make.user(), make.user()
    services.log_action(alice, campaign, "delete-mail", 2, NOW)
    services.log_action(bob, campaign, "empty-cloud", 5, NOW)
    assert queries.my_standing(campaign, alice)["points"] == 20
    assert queries.my_standing(campaign, alice)["rank"] == 2
    assert queries.my_standing(campaign, bob)["rank"] == 1


@pytest.mark.parametrize("quantity", ["-1", "0", "abc", "1e9", "nan", "inf", None])
def test_bad_quantities_are_refused(make, make_campaign, quantity):
    campaign = make_campaign()
    with pytest.raises(services.CleanupError) as error:
        services.log_action(make.user(), campaign, "delete-mail", quantity, NOW)
    assert error.value.status == 422
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0


def test_unknown_action_type_is_refused(make, make_campaign):
    with pytest.raises(services.CleanupError) as error:
        services.log_action(make.user(), make_campaign(), "fly-to-mars", 1, NOW)
    assert error.value.code == "unknown_action"


def test_no_log_outside_the_time_box(make, make_campaign):
    campaign = make_campaign()
    with pytest.raises(services.CleanupError) as error:
        services.log_action(make.user(), campaign, "delete-mail", 1, campaign.ends_at)
    assert error.value.status == 409


def test_daily_cap_holds_and_resets_next_day(make, make_campaign):
    campaign = make_campaign()
    user = make.user()
    services.log_action(user, campaign, "unsubscribe", 20, NOW)
    with pytest.raises(services.CleanupError) as error:
        services.log_action(user, campaign, "unsubscribe", 11, NOW)
    assert error.value.code == "cap_reached"
    services.log_action(user, campaign, "unsubscribe", 10, NOW)
    services.log_action(user, campaign, "unsubscribe", 5, NOW + timedelta(days=1))


def test_implausible_quantity_is_flagged_and_reviewed(make, make_campaign):
    campaign = make_campaign()
    user, organiser = make.user(), make.user(roles=("organiser",))
    action = services.log_action(user, campaign, "delete-mail", 15, NOW)
    assert action.status == "flagged"
    assert queries.my_standing(campaign, user)["points"] == 0
    with pytest.raises(services.CleanupError):
        services.review_action(action, organiser, False, "  ", NOW)
    services.review_action(action, organiser, False, "Your quota shows 1 GB", NOW)
    assert action.status == "rejected" and action.review_reason == "Your quota shows 1 GB"


def test_accepting_a_flag_counts_the_points(make, make_campaign):
    campaign = make_campaign()
    user = make.user()
    action = services.log_action(user, campaign, "delete-mail", 15, NOW)
    services.review_action(action, make.user(roles=("organiser",)), True, "", NOW)
    assert queries.my_standing(campaign, user)["points"] == 150


def test_extending_keeps_logged_points(make, make_campaign):
    campaign = make_campaign()
    user = make.user()
    services.log_action(user, campaign, "delete-mail", 1, NOW)
    organiser = make.user(roles=("organiser",))
    services.extend_campaign(campaign, organiser, campaign.ends_at + timedelta(days=7), NOW)
    assert queries.my_standing(campaign, user)["points"] == 10
    with pytest.raises(services.CleanupError):
        services.extend_campaign(
            campaign, organiser, campaign.ends_at + timedelta(days=1), campaign.ends_at
        )


def test_an_extension_adds_at_most_ninety_days(make, make_campaign):
    """A year typed 9999 kept the campaign (and its reminders) waiting for ever."""
    campaign = make_campaign()
    organiser = make.user(roles=("organiser",))
    end = campaign.ends_at
    with pytest.raises(services.CleanupError) as refused:
        services.extend_campaign(campaign, organiser, end + timedelta(days=90, minutes=1), NOW)
    assert refused.value.status == 422 and campaign.ends_at == end
    services.extend_campaign(campaign, organiser, end + timedelta(days=90), NOW)
    assert campaign.ends_at == end + timedelta(days=90)


def test_leaderboard_lists_hidden_people_never_but_counts_them(make, make_campaign):
    campaign = make_campaign()
    hidden = make.user(leaderboard_visibility="hidden")
    shown = make.user(leaderboard_visibility="name", display_name="Ada Lovelace")
    services.log_action(hidden, campaign, "delete-mail", 5, NOW)
    services.log_action(shown, campaign, "delete-mail", 1, NOW)
    entries, total = queries.individual_leaderboard(campaign)
    assert [(e["name"], e["rank"]) for e in entries] == [("Ada Lovelace", 2)]
    assert total == 1


def test_departments_rank_by_total_and_per_head(make, make_campaign):
    campaign = make_campaign()
    big, small = make.department(), make.department()
    for _ in range(3):
        services.log_action(make.user(department=big), campaign, "delete-mail", 2, NOW)
    services.log_action(make.user(department=small), campaign, "delete-mail", 5, NOW)
    by_total, _ = queries.team_leaderboard(campaign, "departments", "total", "en")
    by_head, _ = queries.team_leaderboard(campaign, "departments", "per_head", "en")
    assert by_total[0]["name"] == big.name_en and by_head[0]["name"] == small.name_en


def test_recomputation_matches_cached_scores(make, make_campaign):
    campaign = make_campaign()
    users = [make.user() for _ in range(4)]
    for i, user in enumerate(users):
        services.log_action(user, campaign, "empty-cloud", i + 1, NOW)
    cached = queries.individual_leaderboard(campaign)[0]
    db.session.commit()
    from flask import current_app

    current_app.extensions["cleanup.boards"].clear()
    assert queries.individual_leaderboard(campaign)[0] == cached


def test_badges_follow_rules(make, make_campaign):
    campaign = make_campaign()
    user = make.user()
    assert queries.my_standing(campaign, user)["badges"] == []
    services.log_action(user, campaign, "delete-mail", 2, NOW)
    assert {"first-action", "light-inbox"} <= set(queries.my_standing(campaign, user)["badges"])


def _devices_returned(campaign) -> float:
    return {g["key"]: g["achieved"] for g in queries.goal_progress(campaign)}["devices-returned"]


def test_a_declared_return_scores_only_once_an_agent_receives_it(app, make, make_campaign):
    """Declared: logged once, waiting, no points, not in the goal nor the review queue.
    Received: its 100 points and the goal count, dated from the declaration, and the
    cached board equals a full recomputation."""
    from flask import current_app

    campaign = make_campaign()
    user = make.user()
    device_return = SimpleNamespace(id=42, receipt_number="R-42")
    queries.get_board(campaign)  # cached before the return
    for _ in range(2):
        device_returned.send(app, device_return=device_return, user=user, now=NOW,
                             count_in=(campaign.id,))  # fmt: skip
    db.session.commit()
    action = db.session.scalar(select(CleanupAction))
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 1
    assert action.status == "pending"
    assert queries.my_standing(campaign, user)["points"] == 0
    assert _devices_returned(campaign) == 0
    assert queries.flagged_actions(campaign) == [] and queries.flagged_count(campaign) == 0

    later = NOW + timedelta(days=2)
    for _ in range(2):  # a repeated signal changes nothing more
        device_return_received.send(app, device_return=device_return, agent=make.user(), now=later)
    db.session.commit()
    assert action.status == "accepted" and action.logged_at == NOW
    cached = (queries.my_standing(campaign, user), queries.goal_progress(campaign))
    assert cached[0]["points"] == 100 and _devices_returned(campaign) == 1
    current_app.extensions["cleanup.boards"].clear()
    assert (queries.my_standing(campaign, user), queries.goal_progress(campaign)) == cached


def test_a_device_received_after_the_campaign_ended_scores_nothing_there(app, make, make_campaign):
    """The results of an ended campaign are frozen: a late receipt leaves them alone."""
    campaign = make_campaign()
    user, agent = make.user(), make.user()
    device_return = SimpleNamespace(id=7, receipt_number="R-7")
    device_returned.send(app, device_return=device_return, user=user, now=NOW,
                         count_in=(campaign.id,))  # fmt: skip
    after = campaign.ends_at + timedelta(hours=1)
    services.freeze_closed_campaigns(after)
    device_return_received.send(app, device_return=device_return, agent=agent, now=after)
    db.session.commit()
    assert db.session.scalar(select(CleanupAction.status)) == "pending"
    assert queries.compute_results(campaign, after) == queries.frozen_results(campaign)
    assert queries.frozen_results(campaign)["points"] == 0


def test_a_withdrawn_return_leaves_the_campaign_before_its_receipt(app, make, make_campaign):
    campaign = make_campaign()
    user = make.user()
    device_returned.send(app, device_return=SimpleNamespace(id=9), user=user, now=NOW)
    device_return_withdrawn.send(app, return_id=9, user=user, now=NOW)
    device_return_received.send(app, device_return=SimpleNamespace(id=9), now=NOW)
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0
    assert queries.my_standing(campaign, user)["points"] == 0


def test_results_freeze_once_and_announce(app, make, make_campaign):
    campaign = make_campaign()
    services.log_action(make.user(), campaign, "delete-mail", 3, NOW)
    announced = []

    def listener(sender, campaign, now):
        announced.append(campaign.id)

    campaign_closed.connect(listener)
    try:
        after = campaign.ends_at + timedelta(minutes=1)
        assert services.freeze_closed_campaigns(NOW) == 0
        assert services.freeze_closed_campaigns(after) == 1
        assert services.freeze_closed_campaigns(after) == 0
    finally:
        campaign_closed.disconnect(listener)
    assert announced == [campaign.id]
    results = queries.frozen_results(campaign)
    assert results["points"] == 30 and results["goals"][0]["achieved"] == 3


def test_erasure_keeps_totals(make, make_campaign):
    campaign = make_campaign()
    user = make.user()
    services.log_action(user, campaign, "delete-mail", 3, NOW)
    before = queries.compute_results(campaign, NOW)
    services.erase_person(user, NOW)
    after = queries.compute_results(campaign, NOW)
    assert before["departments"] == after["departments"] and before["points"] == after["points"]
    assert queries.individual_leaderboard(campaign)[0] == []


def test_message_variables_in_batch(make, make_campaign):
    campaign = make_campaign()
    user, other = make.user(locale="en"), make.user()
    services.log_action(user, campaign, "delete-mail", 2, NOW)
    values = campaign_variables([user, other], NOW, {"campaign_id": campaign.id})
    assert values[user.id]["points"] == "20" and values[user.id]["rank"] == "1"
    assert values[user.id]["points_text"] == "20 points"
    assert values[user.id]["goal_progress"] == "2\u00a0GB of 100\u00a0GB (2%)"
    assert values[other.id]["points"] == "0" and values[other.id]["points_text"] == "0 point"
    assert values[user.id]["days_left"] == "19" and values[other.id]["days_left_text"] == "19 jours"
    # Written as text, a zero still reads as nothing in a template's condition.
    condition = sandbox().from_string("{% if points %}{{ points }} pts{% else %}none{% endif %}")
    assert condition.render(values[user.id]) == "20 pts"
    assert condition.render(values[other.id]) == "none"


def test_message_variables_are_in_each_recipients_language(make, make_campaign):
    campaign = make_campaign()
    english, french = make.user(locale="en"), make.user(locale="fr")
    values = campaign_variables([english, french], NOW, {"campaign_id": campaign.id})
    assert values[english.id]["campaign_name"] == "Clean-up"
    assert values[french.id]["campaign_name"] == "Nettoyage"
    assert values[english.id]["goal_progress"] == "0\u00a0GB of 100\u00a0GB (0%)"
    assert values[french.id]["goal_progress"].startswith("0\u00a0Go sur 100\u00a0Go")
    # Paris time, to be read in a sentence ("se termine le …").
    assert values[english.id]["campaign_ends"] == "6 April 2026 at 12:00"
    assert values[french.id]["campaign_ends"] == "6 avril 2026 à 12\u00a0h"


def test_concurrent_logs_cannot_exceed_the_cap(app, make, make_campaign):
    campaign = make_campaign()
    user = make.user()
    campaign_id, user_id = campaign.id, user.id
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        with app.app_context():
            from app.auth.models import User
            from app.cleanup.models import CleanupCampaign

            me = db.session.get(User, user_id)
            target = db.session.get(CleanupCampaign, campaign_id)
            _ = target.action_rules, target.scope_rows
            barrier.wait()
            try:
                services.log_action(me, target, "unsubscribe", 20, NOW)
                db.session.commit()
                outcomes.append("ok")
            except services.CleanupError:
                db.session.rollback()
                outcomes.append("capped")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    assert sorted(outcomes) == ["capped", "ok"]
    total = db.session.scalar(select(func.sum(CleanupAction.quantity)))
    assert total == 20


def test_cached_board_follows_every_kind_of_change_like_a_recomputation(make, make_campaign):
    """Logs, corrections, deletions and reviews refresh only the people they touch;
    the cached board stays equal to a full recomputation, team and type totals too."""
    from flask import current_app

    campaign = make_campaign()
    organiser = make.user(roles=("organiser",))
    alice, bob, carol = make.user(), make.user(), make.user()
    services.log_action(alice, campaign, "empty-cloud", 5, NOW)
    first = services.log_action(bob, campaign, "empty-cloud", 3, NOW)
    db.session.commit()
    queries.individual_leaderboard(campaign)  # the board is cached now

    services.log_action(bob, campaign, "empty-cloud", 4, NOW)  # Bob passes Alice
    assert queries.my_standing(campaign, bob)["rank"] == 1  # one's own rank at once
    services.log_action(carol, campaign, "delete-mail", 1, NOW)
    services.correct_action(bob, first, 1, NOW)
    gone = services.log_action(alice, campaign, "delete-mail", 2, NOW)
    services.delete_action(alice, gone, NOW)
    flagged = services.log_action(carol, campaign, "empty-cloud", 40, NOW)  # above usual size
    assert flagged.status == "flagged"
    services.review_action(flagged, organiser, True, "", NOW)
    db.session.commit()

    def everything():
        board = queries.get_board(campaign)
        return (
            queries.individual_leaderboard(campaign)[0],
            queries.team_leaderboard(campaign, "departments", "total", "en")[0],
            queries.team_leaderboard(campaign, "communes", "per_head", "en")[0],
            queries.campaign_totals(campaign),
            queries.goal_progress(campaign),
            {k: (round(q, 6), p, n) for k, (q, p, n) in board.type_totals.items()},
            queries.badges_for(campaign),
            [queries.my_standing(campaign, u) for u in (alice, bob, carol)],
        )

    cached = everything()
    assert cached[0][0]["points"] == queries.my_standing(campaign, carol)["points"]
    current_app.extensions["cleanup.boards"].clear()
    assert everything() == cached


def test_a_refreshed_board_counts_days_and_types_like_a_recomputation(make, make_campaign):
    """The refresh after a write reads a few people's actions in one statement (grouped
    by day too): their distinct days, type totals and badges match a recomputation."""
    from flask import current_app

    campaign = make_campaign()
    alice, bob = make.user(), make.user()
    for day in range(3):
        services.log_action(alice, campaign, "delete-mail", 1.5, NOW + timedelta(days=day))
    services.log_action(bob, campaign, "empty-cloud", 6, NOW)
    db.session.commit()
    queries.get_board(campaign)  # cached now

    services.log_action(alice, campaign, "empty-cloud", 5, NOW + timedelta(days=2))
    services.log_action(bob, campaign, "empty-cloud", 5, NOW + timedelta(days=1))
    db.session.commit()

    def seen():
        board = queries.get_board(campaign)
        return (
            dict(board.days),
            dict(board.stats),
            {k: (round(q, 6), p, n) for k, (q, p, n) in board.type_totals.items()},
            queries.campaign_totals(campaign),
            queries.badges_for(campaign),
        )

    refreshed = seen()
    assert "regular" in queries.my_standing(campaign, alice)["badges"]  # three days
    current_app.extensions["cleanup.boards"].clear()
    assert seen() == refreshed


def test_a_failed_log_leaves_the_participant_unstamped(make, make_campaign):
    """The lock stamps the participant for the scoreboards' refresh in the same
    statement; a refused entry rolls the stamp back with everything else."""
    from app.cleanup.models import CleanupParticipant

    campaign = make_campaign()
    user = make.user()
    services.log_action(user, campaign, "delete-mail", 15, NOW)
    db.session.commit()
    db.session.execute(db.update(CleanupParticipant).values(last_logged_at=None))
    db.session.commit()
    with pytest.raises(services.CleanupError) as error:
        services.log_action(user, campaign, "delete-mail", 10, NOW)  # past the 20 GB cap
    assert error.value.code == "cap_reached"
    db.session.rollback()
    assert db.session.scalar(select(CleanupParticipant.last_logged_at)) is None
    services.log_action(user, campaign, "delete-mail", 1, NOW)
    db.session.commit()
    assert db.session.scalar(select(CleanupParticipant.last_logged_at)) is not None


def _board_snapshot(campaign):
    board = queries.get_board(campaign)
    return (
        dict(board.points),
        {k: (round(q, 6), p, n) for k, (q, p, n) in board.type_totals.items()},
        {
            pid: (round(gb, 6), round(mail, 6), dev, days)
            for pid, (gb, mail, dev, days) in board.stats.items()
        },
        {scope: dict(teams) for scope, teams in board.team_points.items()},
        {scope: dict(teams) for scope, teams in board.team_people.items()},
        dict(board.cells),
        sorted(board.ascending),
        board.total_points,
    )


def _recomputed(campaign):
    from flask import current_app

    current_app.extensions["cleanup.boards"].clear()
    return _board_snapshot(campaign)


def test_the_writers_board_takes_its_own_commits_without_reading_them(make, make_campaign):
    """A log committed in this process moves the cached board at commit (no statement
    at the next read), and the board still equals a full recomputation."""
    from sqlalchemy import event

    campaign = make_campaign()
    alice, bob = make.user(), make.user()
    services.log_action(alice, campaign, "empty-cloud", 5, NOW)
    db.session.commit()
    queries.get_board(campaign)  # cached now
    statements = []
    count = lambda *args: statements.append(args[2])  # noqa: E731
    for user, key, quantity, days in (
        (alice, "delete-mail", 2, 0),
        (bob, "empty-cloud", 3, 0),
        (bob, "empty-cloud", 1.5, 1),  # a second day
        (alice, "empty-cloud", 40, 0),  # flagged: no points until reviewed
    ):
        services.log_action(user, campaign, key, quantity, NOW + timedelta(days=days))
        db.session.commit()
        db.session.refresh(campaign)  # the commit expired it: reloaded here, not counted
        event.listen(db.engine, "before_cursor_execute", count)
        queries.get_board(campaign)
        event.remove(db.engine, "before_cursor_execute", count)
        assert statements == []
    followed = _board_snapshot(campaign)
    assert queries.my_standing(campaign, bob)["points"] == 45
    assert _recomputed(campaign) == followed


def test_ones_standing_on_a_current_board_reads_nothing_more(make, make_campaign):
    """The board knows who each participant is: a page asking for a person's points and
    rank sends no statement of its own; someone who starts taking part after the board
    was read is found in the database."""
    from sqlalchemy import event

    campaign = make_campaign()
    alice, bob = make.user(), make.user()
    services.log_action(alice, campaign, "empty-cloud", 5, NOW)
    db.session.commit()
    queries.get_board(campaign)
    statements = []
    count = lambda *args: statements.append(args[2])  # noqa: E731
    db.session.refresh(campaign)  # the commit expired these: reloaded here, not counted
    db.session.refresh(alice)
    list(campaign.goals)
    event.listen(db.engine, "before_cursor_execute", count)
    standing = queries.my_standing(campaign, alice)
    event.remove(db.engine, "before_cursor_execute", count)
    assert standing["points"] == 50 and statements == []
    services.log_action(bob, campaign, "delete-mail", 1, NOW)
    db.session.commit()
    assert queries.my_standing(campaign, bob)["points"] == 10


def test_a_participant_with_no_counted_entry_on_a_current_board_is_not_read_again(
    make, make_campaign
):
    """Their only entry waits for review: the board, current, holds nothing of theirs, so
    the page asks only who they are and how many wait (it re-read their actions at every
    page too); once the
    entry is accepted they are ranked."""
    from sqlalchemy import event

    campaign = make_campaign()
    alice, carol = make.user(), make.user()
    organiser = make.user(roles=("organiser",))
    services.log_action(alice, campaign, "empty-cloud", 5, NOW)
    entry = services.log_action(carol, campaign, "delete-mail", 15, NOW)
    assert entry.status == "flagged"
    db.session.commit()
    queries.get_board(campaign)
    statements = []
    count = lambda *args: statements.append(args[2])  # noqa: E731
    db.session.refresh(campaign)
    db.session.refresh(carol)
    list(campaign.goals)
    event.listen(db.engine, "before_cursor_execute", count)
    standing = queries.my_standing(campaign, carol)
    event.remove(db.engine, "before_cursor_execute", count)
    assert (standing["points"], standing["rank"], standing["in_review"]) == (0, None, 1)
    # Who their participant row is, and how many of their entries wait for review.
    assert len(statements) == 2
    services.review_action(entry, organiser, True, "", NOW)
    db.session.commit()
    assert queries.my_standing(campaign, carol)["rank"] is not None


def test_entries_in_review_are_counted_once_until_the_scores_change(make, make_campaign):
    """A person with no counted entry: their entries waiting for review were counted at
    every page (a third of a leaderboard). Counted once, the count follows each write
    that flags or decides an entry at once: a second flagged entry, then a review."""
    from sqlalchemy import event

    campaign = make_campaign()
    carol, organiser = make.user(), make.user(roles=("organiser",))
    first = services.log_action(carol, campaign, "delete-mail", 15, NOW)
    assert first.status == "flagged"
    db.session.commit()

    def standing_and_statements():
        statements = []
        count = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", count)
        standing = queries.my_standing(campaign, carol)
        event.remove(db.engine, "before_cursor_execute", count)
        return standing["in_review"], len(statements)

    assert standing_and_statements()[0] == 1
    in_review, statements = standing_and_statements()
    assert (in_review, statements) == (1, 0)  # read again: nothing sent
    second = services.log_action(carol, campaign, "delete-mail", 15, NOW + timedelta(days=1))
    assert second.status == "flagged"
    db.session.commit()
    assert standing_and_statements()[0] == 2
    services.review_action(first, organiser, False, "Doublon", NOW)
    db.session.commit()
    assert standing_and_statements()[0] == 1


def test_a_write_from_another_process_makes_the_board_refresh(make, make_campaign):
    """When another process wrote since this board's version, the conditional UPDATE
    moves nothing: the board re-reads the stamped participants, as before."""
    from app.cleanup.models import CleanupParticipant

    campaign = make_campaign()
    alice, bob = make.user(), make.user()
    services.log_action(alice, campaign, "empty-cloud", 5, NOW)
    services.log_action(bob, campaign, "empty-cloud", 1, NOW)
    db.session.commit()
    queries.get_board(campaign)
    bob_pid = db.session.scalar(
        select(CleanupParticipant.id).where(CleanupParticipant.user_id == bob.id)
    )
    _write_from_another_process(campaign, bob_pid, 40)  # Bob's new entry, stamp, version

    # Flagged for its size, this entry is decided before the board is read: the write
    # expects the board's (old) version, and the conditional UPDATE finds another one.
    flagged = services.log_action(alice, campaign, "empty-cloud", 40, NOW)
    assert flagged.status == "flagged"
    db.session.commit()
    assert queries.get_board(campaign).version == campaign.scores_version
    refreshed = _board_snapshot(campaign)
    assert refreshed[0][bob_pid] == 50
    assert _recomputed(campaign) == refreshed


def _write_from_another_process(campaign, participant_id, points, stamp=True):
    """What another worker's log leaves behind: an entry, a stamp, a new version."""
    from app.cleanup.models import CleanupCampaign, CleanupParticipant
    from app.core.time import utcnow

    db.session.execute(
        CleanupAction.__table__.insert().values(
            campaign_id=campaign.id, participant_id=participant_id,
            action_type_id=first_type(campaign), quantity=points / 10, points=points,
            logged_at=NOW, day=NOW.date(), status="accepted", flag_reason="", review_reason="",
        )
    )  # fmt: skip
    if stamp:
        db.session.execute(
            db.update(CleanupParticipant)
            .where(CleanupParticipant.id == participant_id)
            .values(last_logged_at=utcnow())
        )
    db.session.execute(
        db.update(CleanupCampaign).where(CleanupCampaign.id == campaign.id)
        .values(scores_version=f"elsewhere-{participant_id}-{points}")
    )  # fmt: skip
    db.session.commit()


def test_a_refresh_rereads_only_the_people_stamped_since_it_read_them(make, make_campaign):
    """Many people writing within the refresh window are not all re-read at every
    refresh: only those stamped anew. A row changed without a stamp stays unseen until
    the full recomputation, which is why every score change stamps its participant."""
    from app.cleanup.models import CleanupParticipant

    campaign = make_campaign()
    people = [make.user() for _ in range(3)]
    for person in people:
        services.log_action(person, campaign, "empty-cloud", 1, NOW)
    db.session.commit()
    queries.get_board(campaign)
    first, second = db.session.scalars(
        select(CleanupParticipant.id).order_by(CleanupParticipant.id).limit(2)
    ).all()
    _write_from_another_process(campaign, first, 20)
    assert queries.get_board(campaign).points[first] == 30  # stamped: re-read
    _write_from_another_process(campaign, second, 50, stamp=False)
    _write_from_another_process(campaign, first, 40)
    board = _board_snapshot(campaign)
    assert board[0][first] == 70 and board[0][second] == 10  # unstamped: not re-read
    assert _recomputed(campaign)[0][second] == 60


def test_a_board_read_midway_through_a_write_still_takes_that_write(make, make_campaign):
    """A log reads the board (how large entries usually are) after stamping its
    participant and before writing the entry: that refresh must not take the stamp as
    read, or the entry would never reach the board."""
    from app.cleanup.models import CleanupParticipant

    campaign = make_campaign()
    alice, bob = make.user(), make.user()
    services.log_action(alice, campaign, "empty-cloud", 1, NOW)
    db.session.commit()
    queries.get_board(campaign)
    alice_pid = db.session.scalar(select(CleanupParticipant.id))
    _write_from_another_process(campaign, alice_pid, 20)  # the log below refreshes midway
    services.log_action(bob, campaign, "empty-cloud", 2, NOW)
    _write_from_another_process(campaign, alice_pid, 30)  # so its own change is dropped
    board = _board_snapshot(campaign)
    assert sorted(board[0].values()) == [20, 60]
    assert _recomputed(campaign) == board


def test_a_rolled_back_log_leaves_the_board_as_it_was(make, make_campaign):
    campaign = make_campaign()
    alice = make.user()
    services.log_action(alice, campaign, "empty-cloud", 5, NOW)
    db.session.commit()
    before = _board_snapshot(campaign)
    services.log_action(alice, campaign, "empty-cloud", 3, NOW)
    db.session.rollback()
    services.log_action(make.user(), campaign, "delete-mail", 1, NOW)  # a later commit
    db.session.commit()
    after = _board_snapshot(campaign)
    assert after[0][next(iter(before[0]))] == 50
    assert _recomputed(campaign) == after


def first_type(campaign) -> int:
    return next(
        r.action_type_id for r in campaign.action_rules if r.action_type.key == "empty-cloud"
    )


def test_an_entry_far_above_what_others_log_is_flagged(make, make_campaign):
    campaign = make_campaign()
    for _ in range(20):
        services.log_action(make.user(), campaign, "empty-cloud", 1, NOW)
    odd = services.log_action(make.user(), campaign, "empty-cloud", 21, NOW)  # > 20 x 1 GB
    assert odd.status == "flagged" and odd.flag_reason == "far above what others log"
    usual = services.log_action(make.user(), campaign, "empty-cloud", 19, NOW)
    assert usual.status == "accepted"


def test_the_french_guides_shipped_keep_punctuation_with_its_word():
    """French puts a space before ':', ';', '?', '!' and inside « »: a no-break one, or a
    phone's line may start with the colon. The shipped guides had ordinary spaces."""
    texts = [STORAGE_CAVEAT_FR] + [
        value for rule in DEFAULT_ACTION_TYPES for key, value in rule.items() if key.endswith("_fr")
    ]
    assert [t for t in texts if re.search(r" [:;?!»]|« ", t)] == []


def test_a_message_naming_no_campaign_gives_each_person_the_campaign_in_their_scope(
    make, make_campaign
):
    town_hall, library = make.department(), make.department()
    alice, bob = make.user(department=town_hall), make.user(department=library, locale="en")
    mine = make_campaign(name_fr="Mairie", all_departments=False, department_ids=[town_hall.id])
    theirs = make_campaign(
        name_en="Library week",
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=5),
        all_departments=False,
        department_ids=[library.id],
    )
    services.log_action(alice, mine, "delete-mail", 2, NOW)
    services.log_action(bob, theirs, "delete-mail", 1, NOW)
    values = campaign_variables([alice, bob], NOW, {})
    assert (values[alice.id]["campaign_name"], values[alice.id]["points_text"]) == (
        "Mairie",
        "20 points",
    )
    assert (values[bob.id]["campaign_name"], values[bob.id]["points_text"]) == (
        "Library week",
        "10 points",
    )


def test_a_message_naming_no_campaign_falls_back_on_the_latest_closed_one_in_scope(
    make, make_campaign
):
    town_hall, library = make.department(), make.department()
    alice = make.user(department=town_hall)
    make_campaign(name_fr="Bibliothèque", all_departments=False, department_ids=[library.id])
    make_campaign(
        name_fr="Mairie 2025",
        starts_at=NOW - timedelta(days=400),
        ends_at=NOW - timedelta(days=380),
        all_departments=False,
        department_ids=[town_hall.id],
    )
    values = campaign_variables([alice], NOW, {})
    assert values[alice.id]["campaign_name"] == "Mairie 2025"


def test_the_weekly_digest_still_reads_well_for_someone_with_no_campaign_in_scope(
    make, make_campaign
):
    outside = make.user(locale="en", display_name="Ann Lee")
    library = make.department()
    make_campaign(name_en="Library week", all_departments=False, department_ids=[library.id])
    values = variables_for([outside], NOW, {})[outside.id]
    text = sandbox().from_string(BUILTIN_TEMPLATES["weekly-digest"]["body_en"]).render(values)
    assert text.startswith("Hello Ann,\n\nHere is where you stand.\n")
    assert "Library week" not in text and "You have" not in text


def test_each_persons_own_campaign_costs_queries_per_campaign_not_per_person(make, make_campaign):
    from sqlalchemy import event
    from sqlalchemy.orm import selectinload

    from app.auth.models import User

    town_hall, library = make.department(), make.department()
    people = [make.user(department=d) for d in (town_hall, library) for _n in range(3)]
    make_campaign(all_departments=False, department_ids=[town_hall.id])
    make_campaign(all_departments=False, department_ids=[library.id])
    ids = [person.id for person in people]

    def statements_for(user_ids) -> int:
        db.session.expire_all()
        batch = db.session.scalars(
            select(User).where(User.id.in_(user_ids)).options(selectinload(User.department))
        ).all()
        statements = []
        count = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", count)
        campaign_variables(batch, NOW, {})
        event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    statements_for(ids)  # the boards are read once, then cached
    assert statements_for([ids[0], ids[3]]) == statements_for(ids)
