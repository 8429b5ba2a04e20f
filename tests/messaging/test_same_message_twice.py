"""Before the same template goes to the same audience again, the confirmation says it
already went (in the last 30 days) or is already planned: when, to how many people, and
where to check or cancel it. A warning: confirming still schedules."""

import html
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import func, select

from app.core.i18n import format_full_moment
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Dispatch, MessageTemplate, Schedule
from tests.conftest import login
from tests.messaging.conftest import coming

HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
# The campaign's start: a Monday some weeks ahead (a campaign starts within a year) at
# 9:00 in Paris, and as the schedule form takes it.
PARIS = ZoneInfo("Europe/Paris")
_LAUNCH_DAY = (utcnow().astimezone(PARIS) + timedelta(weeks=8)).date()
_LAUNCH_LOCAL = datetime.combine(
    _LAUNCH_DAY - timedelta(days=_LAUNCH_DAY.weekday()), time(9, 0), tzinfo=PARIS
)
LAUNCH = _LAUNCH_LOCAL.astimezone(UTC)
LAUNCH_FIELD = _LAUNCH_LOCAL.strftime("%Y-%m-%dT%H:%M")


def _confirmation(auth, **fields) -> str:
    """The confirmation page asked for `fields` (the schedule form, not yet confirmed)."""
    response = auth.post("/messaging/schedule", data=fields)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _warning(page: str) -> str | None:
    """The words (and links, as href=…) of the same-message warning; None without one."""
    if 'id="same-message-warning"' not in page:
        return None
    block = page.split('id="same-message-warning">', 1)[1].split("</div>", 1)[0]
    block = re.sub(r'<a href="([^"]+)">', r"[\1] ", block)
    return html.unescape(re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", block))).strip()


def _yes(auth, page: str):
    """Answer « yes » with the confirmation page's own form."""
    form = page.split('id="schedule-confirm"', 1)[1].split("</form>", 1)[0]
    fields = {name: html.unescape(value) for name, value in HIDDEN_RE.findall(form)}
    return auth.post("/messaging/schedule", data={**fields, "confirm": "yes"})


def _moment(app, value: datetime) -> str:
    """A moment as the French page writes it in a sentence."""
    with app.test_request_context(), force_locale("fr"):
        return format_full_moment(value)


def _to_admins(client, make, template) -> dict:
    """Three admins and two colleagues; the organiser signed in; the form's fields."""
    tpl = template()
    for _n in range(3):
        make.user(roles=("admin",))
    make.user()
    make.user()
    login(client, make.user(roles=("organiser",)))
    return {"template": tpl.id, "audience": "role", "role": "admin"}


def test_a_launch_scheduled_with_the_campaign_is_warned_of_and_can_still_be_sent(
    app, auth, client, make, make_campaign
):
    campaign = make_campaign(starts_at=LAUNCH, ends_at=LAUNCH + timedelta(days=21))
    automatic = db.session.scalar(
        select(Dispatch).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:launch")
    )
    make.user()
    login(client, make.user(roles=("organiser",)))
    launch = services.template_by_key("campaign-launch")
    page = _confirmation(
        auth,
        template=launch.id,
        audience="campaign-scope",
        campaign_id=str(campaign.id),
        kind="at",
        at=LAUNCH_FIELD,
    )
    assert _warning(page) == (
        "Attention : ce modèle est déjà parti à certains de ces destinataires dans les 30 "
        "derniers jours, ou leur est déjà planifié. "
        # The 3 are those of today's recipients it reaches, not its own size.
        f"Planifié pour le {_moment(app, LAUNCH)} : "
        f"[/messaging/dispatches/{automatic.id}] envoi n°\u00a0{automatic.id} \u00a0; "
        "3 des destinataires de cet envoi le reçoivent déjà par celui-ci. "
        "Si vous confirmez, ces personnes le reçoivent une fois de plus. Chaque lien mène "
        "à un envoi précédent, pour le vérifier, l'annuler ou l'arrêter."
    ).replace(" :", "\u00a0:")
    confirmed = _yes(auth, page)
    sent = db.session.scalar(
        select(func.count())
        .select_from(Dispatch)
        .where(Dispatch.template_id == launch.id, Dispatch.status == "scheduled")
    )
    assert (confirmed.status_code, sent) == (302, 2)


def test_a_template_sent_last_week_to_the_same_audience_is_warned_of(
    app, auth, client, make, template, smtp
):
    fields = _to_admins(client, make, template)
    due = (utcnow() - timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    earlier = services.create_dispatch(
        db.session.get(MessageTemplate, fields["template"]),
        "role",
        {"role": "admin"},
        due,
        due,
    )
    db.session.commit()
    jobs.run_dispatch(earlier.id, clock=lambda: due)
    warning = _warning(_confirmation(auth, **fields, kind="now"))
    assert (
        f"Envoyé le {_moment(app, due)}\u00a0: "
        f"[/messaging/dispatches/{earlier.id}] envoi n°\u00a0{earlier.id} \u00a0; 3 des "
        "destinataires de cet envoi l'y ont déjà reçu." in (warning or "")
    )


def test_a_recurring_message_to_the_same_audience_is_warned_of_with_its_next_sending(
    auth, client, make, template
):
    fields = _to_admins(client, make, template)
    recurring = {"kind": "cron", "repeat": "weekly", "weekday": "0", "time": "09:00"}
    _yes(auth, _confirmation(auth, **fields, **recurring))
    schedule_id = db.session.scalar(select(Schedule.id))
    warning = _warning(_confirmation(auth, **fields, kind="now")) or ""
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    assert f'id="schedule-{schedule_id}"' in listing  # where the link lands
    assert (
        "Un message récurrent l'envoie chaque lundi à 9\u00a0h, prochain envoi le lundi" in warning
        and f"[/messaging/dispatches#schedule-{schedule_id}] voir dans les messages récurrents "
        "\u00a0; 3 des destinataires de cet envoi le reçoivent déjà par celui-ci."
        in warning
    )


def test_only_the_same_template_to_the_same_people_is_warned_of(auth, client, make, template):
    fields = _to_admins(client, make, template)
    other = template(key="other")
    _yes(auth, _confirmation(auth, **fields, kind="at", at=coming(1, 5)))
    same = _confirmation(auth, **fields, kind="now")
    to_organisers = _confirmation(auth, **{**fields, "role": "organiser"}, kind="now")
    to_everyone = _confirmation(auth, template=fields["template"], audience="everyone", kind="now")
    other_template = _confirmation(auth, **{**fields, "template": other.id}, kind="now")
    warned = [_warning(page) is not None for page in (same, to_organisers, to_everyone)]
    # Organisers (admins hold every role) and « everyone » include the admins it is
    # planned for: they would receive it again.
    assert [*warned, _warning(other_template) is not None] == [True, True, True, False]


def test_the_launch_of_another_campaign_is_not_warned_of(auth, client, make, make_campaign):
    first = make_campaign(starts_at=LAUNCH, ends_at=LAUNCH + timedelta(days=21))
    second = make_campaign(starts_at=LAUNCH, ends_at=LAUNCH + timedelta(days=28))
    login(client, make.user(roles=("organiser",)))
    launch = services.template_by_key("campaign-launch").id
    asked = {"template": launch, "audience": "campaign-scope", "kind": "at"}
    asked["at"] = LAUNCH_FIELD
    pages = [_confirmation(auth, **asked, campaign_id=str(c.id)) for c in (first, second)]
    # Each campaign has its own launch scheduled: each page names that one only.
    links = [re.findall(r"/messaging/dispatches/(\d+)", _warning(page) or "") for page in pages]
    launches = [
        db.session.scalar(
            select(Dispatch.id).where(Dispatch.dedupe_key == f"campaign:{c.id}:launch")
        )
        for c in (first, second)
    ]
    assert links == [[str(launches[0])], [str(launches[1])]]


def test_a_cancelled_dispatch_is_no_longer_warned_of(auth, client, make, template):
    fields = _to_admins(client, make, template)
    _yes(auth, _confirmation(auth, **fields, kind="at", at=coming(1, 5)))
    before = _warning(_confirmation(auth, **fields, kind="now"))
    dispatch = db.session.scalar(select(Dispatch))
    auth.post(f"/messaging/dispatches/{dispatch.id}/cancel")
    after = _warning(_confirmation(auth, **fields, kind="now"))
    assert (before is not None, after) == (True, None)
