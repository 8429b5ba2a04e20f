"""Clean-up campaigns: splitting an entry never pays, the
log form keeps the chosen action without JavaScript, a start long past is told at the
start, saving an unchanged campaign records nothing, and both quantity fields take the
same length."""

import html
import re
from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.cleanup import services
from app.cleanup.forms import RuleForm, to_local_naive
from app.cleanup.models import CleanupAction
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import edit_form, in_days, post_new_campaign
from tests.conftest import csrf_token, login


def _rules(points_per_unit: float):
    mail = services.ensure_default_action_types()[0]
    return [{"action_type_id": mail.id, "points_per_unit": points_per_unit, "daily_cap": 20}]


def _running(make_campaign, points_per_unit: float = 10):
    now = utcnow()
    return make_campaign(
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
        rules=_rules(points_per_unit),
    )


def test_ten_small_entries_never_score_more_than_their_sum_logged_at_once(make, make_campaign):
    """0.15 GB at 10 points per GB rounded half up to 2 points: ten of them made 20 where
    1.5 GB at once made 15."""
    campaign, now = _running(make_campaign), utcnow()
    split = [
        services.log_action(make.user(), campaign, "delete-mail", 0.15, now).points
        for _ in range(10)
    ]
    whole = services.log_action(make.user(), campaign, "delete-mail", 1.5, now).points
    assert sum(split) <= whole == 15


def test_the_points_of_parts_never_add_up_to_more_than_the_points_of_their_whole():
    for points_per_unit in (0.3, 1, 2.5, 3, 7, 10, 12.5, 100):
        for part in (0.001, 0.05, 0.15, 0.29, 0.334, 1, 1.5, 3, 7.25):
            parts = sum(services.points_for(part, points_per_unit) for _ in range(10))
            assert parts <= services.points_for(round(part * 10, 3), points_per_unit)


def test_the_smallest_scoring_entry_is_the_quantity_worth_one_point(make, make_campaign):
    """At 3 points per GB: 0.333 GB is worth 0.999 points (none), 0.334 GB one point."""
    campaign, now = _running(make_campaign, points_per_unit=3), utcnow()
    rule = services.queries.campaign_rules(campaign)["delete-mail"]
    assert services.smallest_scoring_quantity(rule) == 0.334
    entry = services.log_action(make.user(), campaign, "delete-mail", 0.334, now)
    assert entry.points == 1


def _selected_action(text: str) -> str:
    return re.search(r'<option selected value="([^"]+)"', text).group(1)


def test_without_javascript_the_log_form_keeps_the_chosen_action(participant, make):
    participant.sign_in(make.user(locale="en"))
    response = participant.log("unsubscribe", "2", htmx=False)
    assert response.status_code == 302
    page = participant.client.get(response.location).get_data(as_text=True)
    assert "Logged: " in html.unescape(page)
    assert _selected_action(page) == "unsubscribe"


def test_with_htmx_the_log_form_keeps_the_chosen_action(participant, make):
    participant.sign_in(make.user(locale="en"))
    response = participant.log("unsubscribe", "2")
    assert response.status_code == 200
    assert _selected_action(response.get_data(as_text=True)) == "unsubscribe"


def _field_error(response, field: str) -> str | None:
    found = re.search(rf'id="{field}-error"[^>]*>(.*?)</', response.get_data(as_text=True), re.S)
    return html.unescape(found.group(1)).strip() if found else None


def test_a_new_campaign_starting_long_ago_is_told_at_its_start(client, make):
    """Starting on 1 January 2020 it was told "choose an end by 31 March 2020", then,
    that end chosen, "would already be over": the start was never named."""
    login(client, make.user(roles=("organiser",), locale="en"))
    response = post_new_campaign(client, starts_at="2020-01-01T09:00", ends_at=in_days(30, "18:00"))
    assert response.status_code == 422
    assert _field_error(response, "starts_at") == (
        "A campaign lasts at most 90 days: one starting on 1 January 2020 would already be"
        " over. Choose a start from today on."
    )
    assert _field_error(response, "ends_at") is None


def test_a_published_campaigns_start_in_the_past_is_told_before_its_end(
    client, make, make_campaign
):
    campaign, form = _scheduled_with_its_form(client, make, make_campaign)
    form.update(starts_at="2020-01-01T09:00", ends_at=in_days(30, "18:00"))
    response = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)
    assert response.status_code == 422
    assert "its start cannot be in the past" in _field_error(response, "starts_at")
    assert _field_error(response, "ends_at") is None


def _scheduled_with_its_form(client, make, make_campaign):
    """A published campaign not started yet, its organiser signed in on `client`, and
    its edit form as saved."""
    organiser = make.user(roles=("organiser",), locale="en")
    now = utcnow().replace(second=0, microsecond=0)
    campaign = make_campaign(
        organiser=organiser,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=9),
        goals={"GB": 100},
        rules=_rules(10),
    )
    login(client, organiser)
    form = edit_form(client, campaign)
    return campaign, form


def _campaign_updates() -> int:
    return len(
        db.session.scalars(
            select(AuditEvent).filter_by(action="update", object_type="cleanup_campaign")
        ).all()
    )


def test_saving_a_campaign_unchanged_records_nothing_and_says_so(client, make, make_campaign):
    campaign, form = _scheduled_with_its_form(client, make, make_campaign)
    response = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)
    assert response.status_code == 302
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "Nothing changed: the campaign is as it was." in page
    assert "follow the new dates" not in page
    assert _campaign_updates() == 0


def test_changing_only_the_text_of_a_campaign_says_nothing_of_its_dates(
    client, make, make_campaign
):
    campaign, form = _scheduled_with_its_form(client, make, make_campaign)
    form["description_en"] = "Tidy your mailbox."
    response = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "Changes saved." in page
    assert "follow the new dates" not in page
    assert _campaign_updates() == 1


def test_moving_a_campaigns_dates_says_its_messages_follow(client, make, make_campaign):
    campaign, form = _scheduled_with_its_form(client, make, make_campaign)
    form["ends_at"] = to_local_naive(campaign.ends_at + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    response = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "Changes saved. The messages not sent yet follow the new dates." in page


def _maxlength(text: str, input_id: str) -> str:
    tag = re.search(rf'<input[^>]*id="{input_id}"[^>]*>', text).group(0)
    return re.search(r'maxlength="(\d+)"', tag).group(1)


def test_the_correction_field_takes_as_many_characters_as_the_log_form(participant, make):
    participant.sign_in(make.user(locale="en"))
    entry = services.log_action(participant.user, participant.campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    page = participant.page()
    assert _maxlength(page, f"quantity-{entry.id}") == _maxlength(page, "quantity") == "30"


def test_a_too_long_quantity_is_told_as_text_that_is_not_a_number(participant, make):
    participant.sign_in(make.user(locale="en"))
    entry = services.log_action(participant.user, participant.campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    too_long = "1" * 31
    logged = html.unescape(participant.log("delete-mail", too_long).get_data(as_text=True))
    corrected = html.unescape(participant.correct(entry.id, too_long).get_data(as_text=True))
    for answer in (logged, corrected):
        assert "Enter the quantity as a number." in answer
        assert "longer than" not in answer
    assert db.session.get(CleanupAction, entry.id).quantity == 1


def test_a_quantity_of_nan_or_infinity_sent_to_the_api_is_no_number(client, make, make_campaign):
    """Python's JSON reader takes NaN and Infinity: they are no quantity, said at it."""
    campaign = _running(make_campaign)
    login(client, make.user(locale="en"))
    for quantity in ("NaN", "Infinity", "-Infinity"):
        response = client.post(
            f"/api/v1/campaigns/{campaign.id}/actions",
            data='{"action_type": "delete-mail", "quantity": ' + quantity + "}",
            content_type="application/json",
            headers={"X-CSRFToken": csrf_token(client)},
        )
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["details"]["quantity"] == ["This value must be a finite number."]
    assert db.session.scalar(select(CleanupAction.id)) is None


def test_an_organisers_rule_typed_with_an_exponent_is_no_number(app):
    """ "1e3" is how a program writes a thousand, not a person: the rule asks for it in
    digits (a range it fits, « de 0 à 10 000 », told nothing)."""
    with app.test_request_context():
        form = RuleForm(MultiDict({"points_per_unit": "1e3"}))
        form.validate()
        assert form.points_per_unit.data is None
        assert form.points_per_unit.errors == [
            "Saisissez le nombre en chiffres\u00a0: 1\u202f000 plutôt que 1e3."
        ]
