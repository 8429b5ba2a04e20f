"""`flask messaging dispatch` checks everything before it creates anything: an option
combination it refuses, a campaign message naming no campaign, an unknown key (answered
with the valid ones)."""

from datetime import timedelta

from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Delivery, Dispatch


def dispatches() -> int:
    return db.session.scalar(select(func.count()).select_from(Dispatch))


def dispatch(runner, *args):
    return runner.invoke(args=["messaging", "dispatch", *args])


def test_send_with_at_is_refused_before_any_dispatch_is_created(runner, make, template):
    make.user()
    tpl = template()
    later = (utcnow() + timedelta(days=1)).isoformat()
    result = dispatch(
        runner, "--template", tpl.key, "--audience", "everyone", "--at", later, "--send"
    )
    assert result.exit_code != 0
    assert "--at" in result.output and dispatches() == 0


def test_a_campaign_message_naming_no_campaign_is_refused_and_says_how_to_name_it(runner, make):
    make.user()
    result = dispatch(runner, "--template", "campaign-launch", "--audience", "everyone", "--send")
    assert result.exit_code != 0
    assert "campaign_id" in result.output
    assert dispatches() == 0
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_a_campaign_message_naming_a_campaign_that_does_not_exist_is_refused(runner, make):
    make.user()
    result = dispatch(
        runner, "--template", "campaign-launch", "--audience", "everyone",
        "--context", '{"campaign_id": 999999}',
    )  # fmt: skip
    assert result.exit_code != 0 and "999999" in result.output and dispatches() == 0


def test_a_campaign_message_with_its_campaign_in_the_context_is_sent_with_its_name(
    runner, make, make_campaign
):
    now = utcnow()
    person = make.user()
    campaign = make_campaign(
        name_fr="Grand ménage", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=20)
    )
    result = dispatch(
        runner, "--template", "campaign-launch", "--audience", "everyone",
        "--context", f'{{"campaign_id": {campaign.id}}}', "--send",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    subject = db.session.scalar(
        select(Delivery.subject).where(Delivery.user_id == person.id, Delivery.channel == "inbox")
    )
    assert "Grand ménage" in subject


def test_a_notice_to_one_person_is_not_sent_to_an_audience(runner, make):
    make.user()
    result = dispatch(runner, "--template", "entry-accepted", "--audience", "everyone")
    assert result.exit_code != 0 and dispatches() == 0


def test_an_unknown_audience_is_answered_with_the_valid_keys(runner, make):
    result = dispatch(runner, "--template", "campaign-launch", "--audience", "nope")
    assert result.exit_code != 0
    assert "everyone" in result.output and "campaign-scope --param campaign_id" in result.output


def test_an_unknown_template_is_answered_with_the_keys_that_may_be_sent(runner, make):
    result = dispatch(runner, "--template", "nope", "--audience", "everyone")
    assert result.exit_code != 0
    assert "campaign-launch" in result.output and "entry-accepted" not in result.output


def test_the_help_lists_the_audiences_and_the_templates(runner):
    result = dispatch(runner, "--help")
    assert result.exit_code == 0
    assert "department --param department_id" in result.output
    assert "campaign-participants" in result.output and "campaign-reminder" in result.output
