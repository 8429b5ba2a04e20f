"""Publishing a campaign schedules the built-in launch message at its start: an organiser
scheduling their own launch to the same campaign's people that day is warned, before
confirming, that they would get both, with the other one named and linked (where it can
be cancelled). The same day on the Paris calendar: two messages that morning and
afternoon are two launch messages all the same."""

import html
import re
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from app.core.i18n import format_full_moment, regional_locale
from app.core.time import local_zone
from app.extensions import db
from app.messaging.labels import template_title
from app.messaging.models import Dispatch, Schedule
from tests.conftest import login
from tests.messaging.test_same_message_twice import LAUNCH, _confirmation, _yes
from tests.messaging.test_schedule_end import _stored_job

OWN_LAUNCH = {
    "subject_fr": "C'est parti : {{ campaign_name }}",
    "body_fr": "La campagne {{ campaign_name }} commence.",
    "subject_en": "Off we go: {{ campaign_name }}",
    "body_en": "The campaign {{ campaign_name }} starts.",
}


def _field(moment) -> str:
    """A moment as the schedule form's date field takes it (Paris time)."""
    return moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def _in_english(app, moment) -> str:
    """A moment as an English page writes it in a sentence."""
    with app.test_request_context(), force_locale(regional_locale("en")):
        return format_full_moment(moment)


def _warning(page: str) -> str | None:
    """The same-day warning's words (links as [href]); None without one."""
    if 'id="same-day-warning"' not in page:
        return None
    block = page.split('id="same-day-warning">', 1)[1].split("</div>", 1)[0]
    block = re.sub(r'<a href="([^"]+)">', r"[\1] ", block)
    return html.unescape(re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", block))).strip()


def _own_launch(client, make, make_campaign, template, locale="en"):
    """A campaign published for a start eight Mondays ahead (its built-in launch planned
    then), its staff, an organiser signed in, and the form's fields for their own launch."""
    campaign = make_campaign(starts_at=LAUNCH, ends_at=LAUNCH + timedelta(days=21))
    make.user()
    login(client, make.user(roles=("organiser",), locale=locale))
    automatic = db.session.scalar(
        select(Dispatch).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:launch")
    )
    fields = {"template": template(key="own-launch", **OWN_LAUNCH).id,
              "audience": "campaign-scope", "campaign_id": str(campaign.id)}  # fmt: skip
    return campaign, automatic, fields


def test_one_s_own_launch_the_same_day_is_warned_of_naming_the_built_in_one(
    app, auth, client, make, make_campaign, template
):
    _campaign, automatic, fields = _own_launch(client, make, make_campaign, template)
    page = _confirmation(auth, **fields, kind="at", at=_field(LAUNCH + timedelta(hours=5)))
    with app.test_request_context(), force_locale(regional_locale("en")):
        name, when = template_title(automatic.template), format_full_moment(LAUNCH)
    assert _warning(page) == (
        "Warning: the people of this campaign already get another message on the same day "
        f"(Paris time): “{name}”, scheduled for {when}: "
        f"[/messaging/dispatches/{automatic.id}] dispatch {automatic.id} "
        "If you confirm, they receive both that day. To send only one, cancel the other on "
        "its page (a recurring message is stopped in the list of dispatches), or change this "
        "one."
    )


def test_the_warning_is_read_with_the_confirming_button(
    auth, client, make, make_campaign, template
):
    _campaign, _automatic, fields = _own_launch(client, make, make_campaign, template)
    page = _confirmation(auth, **fields, kind="at", at=_field(LAUNCH))
    button = page.split('name="confirm" value="yes"', 1)[1].split(">", 1)[0]
    assert "same-day-warning" in button


def test_the_warning_is_in_french_on_a_french_page(auth, client, make, make_campaign, template):
    _campaign, automatic, fields = _own_launch(client, make, make_campaign, template, "fr")
    warning = _warning(_confirmation(auth, **fields, kind="at", at=_field(LAUNCH)))
    assert warning.startswith(
        "Attention\u00a0: les personnes de cette campagne reçoivent déjà un autre message le "
        "même jour (heure de Paris)\u00a0: «\u00a0Lancement de campagne\u00a0», planifié pour le "
    )
    assert f"[/messaging/dispatches/{automatic.id}] envoi n°\u00a0{automatic.id}" in warning


def test_the_next_day_or_another_campaign_is_not_warned_of(
    auth, client, make, make_campaign, template
):
    _campaign, _automatic, fields = _own_launch(client, make, make_campaign, template)
    # Another campaign starting the next day: its launch is another campaign's message.
    other = make_campaign(starts_at=LAUNCH + timedelta(days=1), ends_at=LAUNCH + timedelta(days=9))
    next_day = _confirmation(auth, **fields, kind="at", at=_field(LAUNCH + timedelta(days=1)))
    elsewhere = {**fields, "campaign_id": str(other.id)}
    other_campaign = _confirmation(auth, **elsewhere, kind="at", at=_field(LAUNCH))
    assert (_warning(next_day), _warning(other_campaign)) == (None, None)


def test_a_cancelled_launch_is_not_warned_of(auth, client, make, make_campaign, template):
    _campaign, automatic, fields = _own_launch(client, make, make_campaign, template)
    auth.post(f"/messaging/dispatches/{automatic.id}/cancel")
    assert _warning(_confirmation(auth, **fields, kind="at", at=_field(LAUNCH))) is None


def test_a_recurring_message_reaching_the_launch_day_is_warned_of(
    app, auth, client, make, make_campaign, template
):
    _campaign, automatic, fields = _own_launch(client, make, make_campaign, template)
    # Every Monday at 10:00: one of its next sendings is the launch's Monday.
    weekly = {"kind": "cron", "repeat": "weekly", "weekday": "0", "time": "10:00"}
    warning = _warning(_confirmation(auth, **fields, **weekly)) or ""
    assert f"[/messaging/dispatches/{automatic.id}] dispatch {automatic.id}" in warning


def test_a_launch_planned_on_a_recurring_message_s_day_names_it(
    app, auth, client, make, make_campaign, template
):
    _campaign, _automatic, fields = _own_launch(client, make, make_campaign, template)
    weekly = {"kind": "cron", "repeat": "weekly", "weekday": "0", "time": "10:00"}
    reminder = template(key="monday-tip", **OWN_LAUNCH)
    _yes(auth, _confirmation(auth, **{**fields, "template": reminder.id}, **weekly))
    schedule = db.session.scalar(select(Schedule).where(Schedule.template_id == reminder.id))
    warning = _warning(_confirmation(auth, **fields, kind="at", at=_field(LAUNCH))) or ""
    # The moment said is the one the real scheduler's job fires at that day.
    _job, fires = _stored_job(app, schedule.id, LAUNCH)
    sending = _in_english(app, fires)
    assert (
        f"“Hello”, sent by a recurring message on {sending}: "
        f"[/messaging/dispatches#schedule-{schedule.id}] see it in the recurring messages"
    ) in warning
    # With the built-in launch, two others that day.
    assert warning.startswith("Warning: the people of this campaign already get other messages")
    assert "If you confirm, they receive all of them that day." in warning


def test_confirming_despite_the_warning_schedules_it(auth, client, make, make_campaign, template):
    _campaign, _automatic, fields = _own_launch(client, make, make_campaign, template)
    page = _confirmation(auth, **fields, kind="at", at=_field(LAUNCH))
    answer = _yes(auth, page)
    planned = db.session.scalar(
        select(func.count())
        .select_from(Dispatch)
        .where(Dispatch.template_id == fields["template"], Dispatch.status == "scheduled")
    )
    assert (answer.status_code, planned) == (302, 1)
