"""Views of the clean-up campaigns: thin routes over services and queries."""

import json
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup

from app.auth.decorators import role_required
from app.auth.forms import ConfirmForm
from app.cleanup import queries, services
from app.cleanup.calendar import campaign_ics
from app.cleanup.catalogue import (
    SYSTEM_ACTION_TYPES,
    flag_reason_label,
    quantity_label,
    source_label,
    unit_in_full,
    unit_label,
)
from app.cleanup.countdown import shown_end
from app.cleanup.forms import (
    DATETIME_FORMAT,
    QUANTITY_MAX_LENGTH,
    ActionTypeForm,
    CampaignForm,
    CorrectActionForm,
    EndNowForm,
    ExtendForm,
    LogActionForm,
    ReviewForm,
    cap_label,
    end_as_typed,
    end_to_utc,
    skipped_spans,
    to_local_naive,
    to_utc,
)
from app.cleanup.integration import reviewed_as_is
from app.cleanup.models import (
    ACCEPTED,
    CLOSED,
    DRAFT,
    FLAGGED,
    REJECTED,
    RUNNING,
    SCHEDULED,
    CleanupAction,
    CleanupCampaign,
)
from app.cleanup.results_export import open_data_document, results_spreadsheet
from app.core import cache
from app.core.confirmation import asks_after_check, question_page
from app.core.database import commit_keeping_loaded_rows, reads_only
from app.core.htmx import fragment_title, wants_fragment
from app.core.i18n import current_language, format_full_moment, format_number, regional_locale
from app.core.models import departments_by_name
from app.core.signals import campaign_messages_asked
from app.core.time import utcnow
from app.core.urls import MAX_ID, public_url
from app.extensions import db

bp = Blueprint("cleanup", __name__, url_prefix="/cleanup", template_folder="templates")


def _campaign_or_404(campaign_id: int):
    organiser = current_user.has_role("organiser")
    campaign = queries.get_campaign(campaign_id, include_drafts=organiser)
    if campaign is None:
        abort(404)
    return campaign


@bp.get("/")
@reads_only
@login_required
def index():
    """Campaigns: running, scheduled and closed ones (and drafts for organisers)."""
    campaigns = queries.list_campaigns(include_drafts=current_user.has_role("organiser"))
    return render_template("cleanup/index.html", campaigns=campaigns, now=utcnow())


@bp.get("/guides")
@login_required
def guides():
    """How-to guides of every action type, with their CO2 factor, source and caveat."""
    types = services.ensure_default_action_types()
    db.session.commit()
    # The person's running campaigns set the points and caps they will meet: each its own.
    running = queries.running_campaigns(utcnow(), current_user)
    return render_template(
        "cleanup/guides.html",
        action_types=types,
        running=[(campaign, queries.campaign_rules(campaign)) for campaign in running],
        can_edit=current_user.has_role("organiser"),
        source_label=source_label,
    )


@bp.route("/guides/<key>/edit", methods=["GET", "POST"])
@role_required("organiser")
def edit_action_type(key: str):
    """Edit an action type: its names, guide, defaults, thresholds and CO2 factor."""
    services.ensure_default_action_types()
    db.session.commit()  # a first visit by this address creates the built-in ones
    action_type = queries.action_type_by_key(key) or abort(404)
    form = ActionTypeForm(obj=action_type if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = action_type.edit_version
    form.daily_cap.label.text = cap_label(action_type.unit, default=True)
    if form.validate_on_submit():
        try:
            services.update_action_type(
                current_user, action_type, form.action_type_data(), utcnow(), form.version.data
            )
        except services.CleanupError as error:
            db.session.rollback()
            if error.code == "stale":  # another save since: the guide as it is now
                flash(error.message, "error")
                return _guide_shown_again(form, action_type)
            if error.field in form:  # told at its field, the summary linking to it
                form[error.field].errors = [error.message]
            else:
                flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The guide is saved."), "success")
            return redirect(url_for("cleanup.guides", _anchor=f"guide-{action_type.key}"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "cleanup/action_type_form.html", form=form, action_type=action_type
    ), status


# The guide's fields whose typed value a refused stale save shows under the current one.
_GUIDE_KEPT_WHEN_STALE = (
    "name_fr", "name_en", "guide_fr", "guide_en", "points_per_unit", "daily_cap",
    "flag_above", "max_quantity", "kg_co2e_per_unit", "kg_co2e_low", "kg_co2e_high",
    "factor_source", "caveat_fr", "caveat_en",
)  # fmt: skip


def _guide_shown_again(sent: ActionTypeForm, action_type):
    """A guide's save refused as stale: its form as the guide is now (saving it again
    undoes nobody's change), what the person typed under each field where it differs."""
    db.session.refresh(action_type)
    shown = ActionTypeForm(formdata=None, obj=action_type)
    shown.version.data = action_type.edit_version
    shown.daily_cap.label.text = sent.daily_cap.label.text
    typed = _typed_apart(sent, shown, _GUIDE_KEPT_WHEN_STALE)
    return render_template(
        "cleanup/action_type_form.html", form=shown, action_type=action_type, typed=typed
    ), 422


def _campaign_form(campaign=None, shown_again: bool = False, source=None) -> CampaignForm:
    """The campaign form: as sent, or filled from `campaign` as it is (a GET, or
    `shown_again` after a refused save). A new campaign's form shown (a GET) from
    `source`, another campaign, holds all of it but its dates, left to choose."""
    types = services.ensure_default_action_types()
    db.session.commit()  # the form posts these ids back: they must exist
    form = CampaignForm(formdata=None) if shown_again else CampaignForm(obj=None)
    form.departments.choices = departments_by_name(current_language())
    if request.method == "GET" or shown_again:
        filled = campaign or source
        rules = {r.action_type_id: r for r in filled.action_rules} if filled else {}
        if campaign:
            form.version.data = services.campaign_version(campaign)
            form.starts_at.data = to_local_naive(campaign.starts_at)
            form.ends_at.data = end_as_typed(campaign.ends_at)
        if filled:
            for name in ("name_fr", "name_en", "description_fr", "description_en"):
                getattr(form, name).data = getattr(filled, name)
            form.all_departments.data = filled.all_departments
            form.departments.data = sorted(filled.department_ids)
            goals = {g.unit: g.target for g in filled.goals}
            form.goal_gb.data, form.goal_items.data = goals.get("GB"), goals.get("items")
            form.goal_devices.data = goals.get("devices")
            form.goal_participants.data = goals.get("participants")
        for t in types:
            rule = rules.get(t.id)
            form.rules.append_entry(
                {
                    "action_type_id": t.id,
                    "enabled": bool(rule) or not filled,
                    "points_per_unit": rule.points_per_unit if rule else t.points_per_unit,
                    "daily_cap": rule.daily_cap if rule else t.daily_cap,
                }
            )
    form.type_names = {str(t.id): t for t in types}
    form.name_cap_units(form.type_names)
    return form


def _save_campaign(form, campaign=None):
    """Create or change the campaign; a refusal of its dates is told at the field to
    correct (the start's first)."""
    now = utcnow()
    update, created = None, True
    try:
        if campaign is None:
            campaign, created = services.create_campaign_from_form(
                current_user,
                form.campaign_data(),
                now,
                form.form_token.sent,
                services.REPEAT_WINDOW,
            )
        else:
            update = services.update_campaign(
                campaign, current_user, form.campaign_data(), now, form.version.data
            )
    except services.CleanupError as error:
        db.session.rollback()
        if error.code == "stale":  # another change since: the campaign as it is now
            flash(error.message, "error")
            shown = _campaign_form(campaign, shown_again=True)
            return render_template(
                "cleanup/form.html", form=shown, campaign=campaign, typed=_typed_apart(form, shown)
            ), 422
        if not _told_at_field(form, error):
            flash(error.message, "error")
        return None
    db.session.commit()
    if not created and campaign.form_token != form.form_token.sent:
        # The same answers from the form shown again (Back reloaded it): a new token.
        flash(
            _(
                "You created this same campaign a moment ago: here is its draft. To "
                "create another one, change at least its name or its dates."
            ),
            "info",
        )
    elif not created:  # the same form sent again (Back then Create): the first one
        flash(_("This campaign was already created: here it is."), "info")
    elif update is not None and not update.changed:
        flash(_("Nothing changed: the campaign is as it was."), "success")
    elif campaign.state(now) == DRAFT:
        flash(_("Campaign saved as a draft. Preview it, then publish it."), "success")
    elif update.dates_changed:
        flash(_("Changes saved. The messages not sent yet follow the new dates."), "success")
    else:
        flash(_("Changes saved."), "success")
    return redirect(url_for("cleanup.show_campaign", campaign_id=campaign.id))


# The fields whose typed value a refused stale save shows under the current one: texts
# and figures, long to type again and read on their own. The scope's boxes and the
# action types' table are not: a value beside each box would read as noise.
_KEPT_WHEN_STALE = (
    "name_fr", "name_en", "description_fr", "description_en",
    "starts_at", "ends_at", "goal_gb", "goal_items", "goal_devices", "goal_participants",
)  # fmt: skip


def _typed_apart(sent, shown, names=_KEPT_WHEN_STALE) -> dict[str, str]:
    """What the person typed in each field of `names` where it differs from the campaign
    (or guide) as it is now (`shown`): the form keeps the current values, so that saving
    it again undoes nobody's change, and says what was typed beside them."""
    typed = {}
    for name in names:
        raw = (sent[name].raw_data or [""])[0].strip()
        if raw != (shown[name]._value() or "").strip():
            typed[name] = raw
    return typed


def _told_at_field(form, error) -> bool:
    """Put a refusal of the campaign's dates or scope on its field; False for another."""
    if error.code in ("ended", "invalid_dates", "too_long"):
        form.ends_at.errors = [error.message]
    elif error.code in ("start_in_past", "start_too_early", "start_too_late"):
        form.starts_at.errors = [error.message]
    elif error.code == "invalid_scope":  # told at the departments, the first one focused
        form.departments.errors = [error.message]
    elif error.code in ("invalid_rules", "unknown_rules"):  # at the action types' table
        form.rules.errors = [error.message]
    else:
        return False
    return True


def _tell_dates_and_scope(form, campaign=None) -> None:
    """A form refused for some fields also tells what saving would refuse of its dates
    and scope: every error in one pass, not a start in the past once the rest is fixed."""
    start, end = form.starts_at, form.ends_at
    if start.data and end.data and not (start.errors or end.errors):
        dates = {"starts_at": to_utc(start.data), "ends_at": end_to_utc(end.data)}
        try:
            services.check_campaign_dates(campaign, dates, utcnow())
        except services.CleanupError as error:
            _told_at_field(form, error)
    elif end.data and not end.errors:  # the start refused: the end is still told
        try:
            services.check_campaign_end(end_to_utc(end.data), utcnow())
        except services.CleanupError as error:
            _told_at_field(form, error)
    elif start.data and not start.errors:  # the end refused: the start is still told
        try:
            services.check_campaign_start(campaign, to_utc(start.data), utcnow())
        except services.CleanupError as error:
            _told_at_field(form, error)
    if not form.departments.errors:
        scope = {
            "all_departments": bool(form.all_departments.data),
            "department_ids": form.departments.data or [],
        }
        try:
            services.check_campaign_scope(scope)
        except services.CleanupError as error:
            _told_at_field(form, error)


def _source_campaign():
    """The campaign `?from=<id>` names for a new one to start from (its page's « Prepare a
    new campaign from this one »), None without it. Showing the form from one that does
    not exist, or from no id, is a 404; the form sent holds its own answers, and names
    its source only while it exists."""
    raw = request.args.get("from")
    if raw is None:
        return None
    known = re.fullmatch(r"[0-9]{1,10}", raw) and 0 < int(raw) <= MAX_ID
    source = queries.get_campaign(int(raw), include_drafts=True) if known else None
    if source is None and request.method == "GET":
        abort(404)
    return source


@bp.route("/campaigns/new", methods=["GET", "POST"])
@role_required("organiser")
def new_campaign():
    """Create a draft campaign; from `?from=<id>`, its form filled from that campaign but
    for its dates (nothing saved until it is sent, checked as any new campaign's)."""
    source = _source_campaign()
    form = _campaign_form(source=source)
    form.form_token.ensure()
    if form.validate_on_submit():
        response = _save_campaign(form)
        if response:
            return response
    elif request.method == "POST":
        _tell_dates_and_scope(form)
    return render_template("cleanup/form.html", form=form, campaign=None, source=source), (
        422 if form.errors or request.method == "POST" else 200
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@role_required("organiser")
def edit_campaign(campaign_id: int):
    """Edit a draft campaign, or a published one until it starts; a running one's names
    and descriptions only."""
    campaign = _campaign_or_404(campaign_id)
    state = campaign.state(utcnow())
    if state == RUNNING:
        return _edit_running_campaign(campaign)
    if state not in (DRAFT, SCHEDULED):
        flash(_("A campaign that has started can only be extended."), "error")
        return redirect(url_for("cleanup.show_campaign", campaign_id=campaign.id))
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        response = _save_campaign(form, campaign)
        if response:
            return response
    elif request.method == "POST":
        _tell_dates_and_scope(form, campaign)
    status = 422 if request.method == "POST" else 200
    return render_template("cleanup/form.html", form=form, campaign=campaign), status


def _wording_form(campaign, shown_again: bool = False) -> CampaignForm:
    """A running campaign's edit form, its names and descriptions only: as sent, or
    filled from `campaign` as it is."""
    form = CampaignForm(formdata=None) if shown_again else CampaignForm()
    if request.method == "GET" or shown_again:
        form.version.data = services.campaign_version(campaign)
        for name in CampaignForm.WORDING:
            getattr(form, name).data = getattr(campaign, name)
    return form


def _edit_running_campaign(campaign):
    """Correct a running campaign's names and descriptions: its rules, dates, scope and
    goals are fixed once entries rest on them (its end is extended from its page)."""
    form = _wording_form(campaign)
    if form.wording_valid():
        try:
            changed = services.correct_campaign_wording(
                campaign, current_user, form.wording_data(), utcnow(), form.version.data
            )
        except services.CleanupError as error:
            db.session.rollback()
            flash(error.message, "error")
            if error.code != "stale":
                return redirect(url_for("cleanup.show_campaign", campaign_id=campaign.id))
            shown = _wording_form(campaign, shown_again=True)
            return render_template(
                "cleanup/form.html",
                form=shown,
                campaign=campaign,
                wording_only=True,
                typed=_typed_apart(form, shown),
            ), 422
        db.session.commit()
        if changed:
            flash(_("Changes saved."), "success")
        else:
            flash(_("Nothing changed: the campaign is as it was."), "success")
        return redirect(url_for("cleanup.show_campaign", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    page = render_template("cleanup/form.html", form=form, campaign=campaign, wording_only=True)
    return page, status


@bp.post("/campaigns/<int:campaign_id>/publish")
@role_required("organiser")
def publish_campaign(campaign_id: int):
    """Publish a draft."""
    campaign = _campaign_or_404(campaign_id)
    if ConfirmForm().validate_on_submit():
        try:
            notes = services.publish_campaign(campaign, current_user, utcnow())
            db.session.commit()
            flash(_("Campaign published."), "success")
            for note in notes:  # the messages now scheduled, and when (messaging)
                flash(note, "info")
        except services.CleanupError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("cleanup.show_campaign", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/delete")
@role_required("organiser")
def delete_campaign(campaign_id: int):
    """Delete a draft (a published campaign stays, for its messages and results)."""
    campaign = _campaign_or_404(campaign_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_draft(campaign, current_user, utcnow())
    except services.CleanupError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("cleanup.show_campaign", campaign_id=campaign_id))
    db.session.commit()
    flash(_("Draft deleted."), "success")
    return redirect(url_for("cleanup.index"))


# The addresses of the forms a refusal without JavaScript leaves in the address bar (the
# page shown again with its error): reloaded, opened in a new tab or bookmarked, each
# leads to its form's page, as `auth.show_tokens` does, not to a 405. The same rule takes
# GET and POST: a GET rule of its own made a POST naming an id no column holds a 405
# (Werkzeug counts the other method's rule before the id's range), not a 404.


def _to_form_page(campaign, anchor: str):
    """A form's address opened (GET): its campaign's page, at the form."""
    return redirect(url_for("cleanup.show_campaign", campaign_id=campaign.id, _anchor=anchor))


@bp.route("/campaigns/<int:campaign_id>/extend", methods=["GET", "POST"])
@role_required("organiser")
def extend_campaign(campaign_id: int):
    """Push a campaign's end later; an end refused is told at its field, nothing changed.
    GET: the organiser tools on the campaign page."""
    campaign = _campaign_or_404(campaign_id)
    if request.method == "GET":
        return _to_form_page(campaign, "organiser-tools")
    form = ExtendForm()
    if not form.validate_on_submit():
        # A date read but refused (a time the clocks skip) or left empty says why; else
        # it was unreadable.
        empty = not "".join(form.ends_at.raw_data or ["x"]).strip()
        told = form.ends_at.errors if form.ends_at.data is not None or empty else []
        return _extend_refused(
            campaign, form, told[0] if told else _("Enter a valid date and time.")
        )
    new_end = end_to_utc(form.ends_at.data)
    try:
        if asks_after_check():  # scripts off: the question names the end typed, in full
            services.check_extension(campaign, new_end, utcnow())
            return question_page(
                extend_question(format_full_moment(shown_end(new_end))),
                yes=_("Extend"),
                no=_("Keep the current end"),
            )
        services.extend_campaign(campaign, current_user, new_end, utcnow(), notify=form.notify.data)
    except services.CleanupError as error:
        db.session.rollback()
        if error.status == 422:  # the date itself: the organiser corrects it in place
            return _extend_refused(campaign, form, error.message)
        flash(error.message, "error")
    else:
        # Read before the commit expires the row: no reload just to word the message.
        end = format_full_moment(shown_end(campaign.ends_at))
        db.session.commit()
        flash(_("Campaign extended to %(end)s.", end=end), "success")
    return redirect(url_for("cleanup.show_campaign", campaign_id=campaign_id))


def extend_question(end: str) -> str:
    """Asked before an extension; the page's script puts the end typed for "{value}"."""
    return _(
        "Extend this campaign to %(end)s? Its end can then only be moved later: to stop it "
        "sooner, end it now from its page instead.",
        end=end,
    )


def _extend_refused(campaign, form: ExtendForm, message: str):
    """The campaign page again, the message on the new end's field, which takes the focus."""
    form.ends_at.errors = [message]
    return _campaign_page(campaign, extend_form=form), 422


@bp.route("/campaigns/<int:campaign_id>/end-now", methods=["GET", "POST"])
@role_required("organiser")
def end_campaign_now(campaign_id: int):
    """End a running campaign before its planned end, giving participants the reason; a
    reason missing is told at its field, nothing changed. GET: the organiser tools."""
    campaign = _campaign_or_404(campaign_id)
    if request.method == "GET":
        return _to_form_page(campaign, "end-now")
    form, now = EndNowForm(), utcnow()
    try:
        services.check_closing_now(campaign, now)  # a closed campaign: no form to correct
        if not form.validate_on_submit():
            return _end_now_refused(campaign, form)
        if asks_after_check():  # scripts off: asked once the reason is given
            return question_page(
                end_now_question(queries.flagged_count(campaign)),
                yes=_("End the campaign now"),
                no=_("Keep it running"),
            )
        services.close_campaign_now(
            campaign, current_user, now, form.reason.data, current_language()
        )
    except services.CleanupError as error:
        db.session.rollback()
        if error.status == 422:
            return _end_now_refused(campaign, form, error.message)
        flash(error.message, "error")
    else:
        services.freeze_campaign(campaign, now)  # its results, and their message, at once
        end = format_full_moment(campaign.ends_at)
        db.session.commit()
        flash(_("Campaign ended on %(end)s; its results are frozen.", end=end), "success")
    return redirect(url_for("cleanup.show_campaign", campaign_id=campaign_id))


def end_now_question(waiting: int = 0) -> str:
    """Asked before ending a campaign early, with the portal's dialog or without it;
    `waiting`: its flagged entries not decided yet, which the end drops from the results."""
    question = _(
        "End this campaign now? Nobody can log entries any more, its results freeze and the "
        "reminders not sent yet are not sent. This cannot be undone."
    )
    if not waiting:
        return question
    return question + " " + waiting_entries_sentence(waiting)


def waiting_entries_sentence(waiting: int) -> str:
    """What ending now does to the flagged entries still waiting: they will not count."""
    return ngettext(
        "%(count)s entry still waits for your review: it will not count.",
        "%(count)s entries still wait for your review: they will not count.",
        waiting,
        count=format_number(waiting),
    )


def _end_now_refused(campaign, form: EndNowForm, message: str | None = None):
    """The campaign page again, the message on the reason's field, which takes the focus."""
    if message:
        form.reason.errors = [message]
    return _campaign_page(campaign, end_form=form), 422


def _loggable_rules(campaign) -> dict:
    """The rules of the action types one can log by hand, by key, in the campaign's
    order: the same for everyone until a rule or type changes."""
    return {
        rule.key: rule
        for rule in queries.campaign_rules(campaign).values()
        if rule.key not in SYSTEM_ACTION_TYPES
    }


def _log_form(campaign, posted: bool = False, action_type: str | None = None) -> LogActionForm:
    """The log form: empty, or `posted` (bound to the request's fields, to check them).

    A correction or a deletion answers with an empty one: bound to their request, it
    showed the corrected quantity as if to log it again (htmx keeps the page's own fields
    in its place, `keep_log_fields`; without it the type comes back in ?action_type=). After a log the form is empty
    but keeps its `action_type`: the next entry is often of the same kind, and a
    quantity left in the field invited logging it twice. Each choice names its unit, and
    the quantity's hint the unit of the chosen one (`form.unit`).
    """
    rules = _loggable_rules(campaign)
    if action_type not in rules:  # an old link or typed text: the first one, as shown
        action_type = None
    form = LogActionForm() if posted else LogActionForm(formdata=None, action_type=action_type)
    locale = current_language()
    form.action_type.choices = [
        (key, f"{rule.name(locale)} ({unit_label(rule.unit)})") for key, rule in rules.items()
    ]
    chosen = rules.get(form.action_type.data) or next(iter(rules.values()), None)
    form.unit = unit_in_full(chosen.unit) if chosen else None
    # Points are whole, rounded down per entry: the hint says from how much one scores.
    smallest = services.smallest_scoring_quantity(chosen) if chosen else None
    form.smallest = None if smallest is None else quantity_label(smallest, chosen.unit)
    return form


def _collective_goals(campaign, totals, goals) -> str:
    """The campaign's totals and goals: the same for everyone until a score changes."""
    if request.method != "GET":  # after a write: a new scores_version, nothing to reuse
        html = render_template("cleanup/_collective_goals.html", totals=totals, goals=goals)
        return Markup(html)  # noqa: S704 - the output of our own autoescaped template
    return cache.fragment(
        "cleanup.collective",
        (campaign.id, campaign.scores_version, cache.digest(goals), current_language()),
        (),
        lambda: render_template("cleanup/_collective_goals.html", totals=totals, goals=goals),
    )


def _log_fields(campaign, form, posted: bool):
    """The log form's fields, rendered when the template shows them.

    Empty, they are the same for everyone choosing the same action type until a rule
    changes. A refused entry comes back with its errors, rendered for that answer.
    """

    def render() -> Markup:
        html = render_template("cleanup/_log_fields.html", form=form, campaign=campaign)
        return Markup(html)  # noqa: S704 - the output of our own autoescaped template

    if posted:
        return render
    key = (campaign.id, current_language(), form.action_type.data)
    return lambda: cache.fragment("cleanup.log_fields", key, ("cleanup_rules",), render)


def _progress_context(
    campaign,
    now,
    form=None,
    message=None,
    message_kind="success",
    action_type=None,
    message_at="log",
    typed=None,
    deleted_before=None,
):
    """`form`: the log form as posted (shown with its entry), else an empty one, its
    `action_type` chosen. The message stands where the person acted (`message_at`: "log",
    "entries", an entry's id, or "deleted": in the row of the entry deleted, before the
    entry `deleted_before` that followed it, at the list's end for None); `typed`: a
    refused correction's text, given back."""
    posted = form is not None
    form = form or _log_form(campaign, action_type=action_type)
    totals = queries.campaign_totals(campaign)
    goals = queries.goal_progress(campaign, totals)
    all_entries = request.args.get("entries") == "all"
    # The latest few keep the page light; the whole list is one link away.
    actions, action_count = queries.my_actions(
        campaign, current_user, limit=queries.MY_ACTIONS_LIMIT if all_entries else 5
    )
    return {
        "campaign": campaign,
        "state": campaign.state(now),
        "in_scope": campaign.in_scope(current_user),
        "standing": queries.my_standing(campaign, current_user),
        # "Show my place" where the board lists the person (a closed one as it ended).
        "on_board": queries.listed_on_board(campaign, current_user),
        "team": queries.team_standing(campaign, current_user.department_id),
        "collective": _collective_goals(campaign, totals, goals),
        "actions": actions,
        # Asked only when an entry listed was rejected: where to object to it.
        "organisers_contact": lambda: queries.organisers_contact(campaign),
        "action_count": action_count,
        "entries_limit": queries.MY_ACTIONS_LIMIT,
        "all_entries": all_entries,
        "form": form,
        "log_fields": _log_fields(campaign, form, posted),
        "message": message,
        "message_kind": message_kind,
        "message_at": message_at,
        "deleted_before": deleted_before,
        "typed": typed,
        # A person shows a few badges: translate those, not every badge.
        "badge_label": queries.badge_label,
        "badge_rules": queries.badge_rules,
        # Sent with each entry's correction and deletion (see `_entry_gone`).
        "entry_mark": lambda action_id: services.entry_mark(
            current_user.id, action_id, campaign.id
        ),
    }


@bp.get("/campaigns/<int:campaign_id>")
@login_required
def show_campaign(campaign_id: int):
    """A campaign: description, goals, my score, rank and badges, the log form."""
    campaign = _campaign_or_404(campaign_id)
    return _campaign_page(campaign, **_answer_carried(campaign))


# The answer to a log, a correction or a deletion sent without JavaScript, carried over
# its redirect to stand where the person acted, as htmx shows it: flashed, it stood at the
# top of the page, out of view of the form the page opens at.
_ANSWER_KEY = "cleanup_answer"


def _carry_answer(campaign, message: str, place: dict) -> None:
    """Keep a success's message and its place (see _progress_context) for the next page."""
    where = {k: place[k] for k in ("message_at", "deleted_before") if k in place}
    session[_ANSWER_KEY] = {"campaign": campaign.id, "message": message, **where}


def _answer_carried(campaign) -> dict:
    """The answer carried over the redirect (see _carry_answer), once, on its campaign."""
    if _ANSWER_KEY not in session:  # a pop would rewrite the cookie at every view
        return {}
    carried = session.pop(_ANSWER_KEY)
    if not isinstance(carried, dict) or carried.get("campaign") != campaign.id:
        return {}
    carried.pop("campaign")
    return carried


def _campaign_page(
    campaign,
    extend_form: ExtendForm | None = None,
    end_form: EndNowForm | None = None,
    **progress,
):
    """The campaign's page; `extend_form`, `end_form`: the organiser's extension or
    early end as refused;
    `progress`: what "My progress" shows (see _progress_context), e.g. a refused entry."""
    now = utcnow()
    if services.freeze_campaign(campaign, now):
        db.session.commit()
    # ?action_type=: the log form with that type chosen (see log_unit, without htmx).
    progress.setdefault("action_type", request.args.get("action_type"))
    context = _progress_context(campaign, now, **progress)
    # What an organiser checks before the start: who it is for and how each action counts.
    if current_user.has_role("organiser") and context["state"] in (DRAFT, SCHEDULED):
        context["preview"] = {
            "scope": queries.scope_names(campaign, current_language()),
            "rules": list(queries.campaign_rules(campaign).values()),
        }
        if context["state"] == DRAFT:  # warned before publishing: both send messages
            context["overlaps"] = queries.list_overlapping_campaigns(
                campaign, current_language(), now
            )
            context["publish_messages"] = publish_messages(campaign, now)
    elif context["state"] in (SCHEDULED, RUNNING):
        # What participants need before logging: how each action counts, and how much a day.
        context["rules_list"] = _rules_list(campaign)
    latest_end = to_local_naive(campaign.ends_at) + services.MAX_EXTENSION
    # Flagged entries waiting (organisers of a running campaign only: one count).
    organising = current_user.has_role("organiser") and context["state"] in (RUNNING, CLOSED)
    waiting = queries.flagged_count(campaign) if organising else 0
    return render_template(
        "cleanup/campaign.html",
        # The extension starts from the current end, to be moved on (not an empty field).
        extend_form=extend_form
        or ExtendForm(formdata=None, ends_at=end_as_typed(campaign.ends_at)),
        # The extension's hint: the longest allowed and the latest end it reaches.
        max_extension_days=services.MAX_EXTENSION.days,
        latest_end_moment=shown_end(to_utc(latest_end)),
        confirm_form=ConfirmForm(),
        # What the link to the review queue counts: the entries this organiser may decide.
        to_review_count=lambda c: queries.decidable_count(
            c, services.decidable_by(current_user.id)
        ),
        # A draft whose start has passed starts on publication: no correcting it then.
        starts_later=campaign.starts_at > now,
        # The locale portal.js writes the typed end in, within the extension's question.
        date_locale=regional_locale(current_language()).replace("_", "-"),
        # An end typed no later than this one is not asked about: the server refuses it.
        current_end=end_as_typed(campaign.ends_at).strftime(DATETIME_FORMAT),
        # Nor is one later than an extension allows (`services.check_extension`).
        latest_end=latest_end.strftime(DATETIME_FORMAT),
        # Nor is one the clocks skip (refused at its field): "from/to" local times.
        skipped_ends=" ".join(
            f"{gap_from.strftime(DATETIME_FORMAT)}/{gap_to.strftime(DATETIME_FORMAT)}"
            for gap_from, gap_to in skipped_spans(to_local_naive(campaign.ends_at), latest_end)
        ),
        extend_question=extend_question("{value}"),
        end_form=end_form or EndNowForm(formdata=None),
        end_now_question=end_now_question(waiting),
        # The flagged entries an end drops: said beside "End now", linked to the queue.
        waiting=waiting,
        waiting_sentence=waiting_entries_sentence(waiting) if waiting else "",
        # Its last days: how many still wait, and until when they can be decided.
        review_deadline_near=services.review_deadline_near(campaign, now),
        **context,
    )


def publish_messages(campaign, now) -> str:
    """The messages a publication schedules, as the question before it lists them: those
    messaging answers it would schedule now (`campaign_messages_asked`, its own rules: no
    reminder a short campaign has no room for), never « reminders » for a single one."""
    answers = campaign_messages_asked.send(
        current_app._get_current_object(), campaign=campaign, now=now
    )
    events = {event for _listener, answer in answers for event in answer or ()}
    week, last_days = "reminder" in events, "last-48h" in events
    if week and last_days:
        return _(
            "the launch, a reminder a week before the end, another 48 hours before it, "
            "then the results once it ends"
        )
    if last_days:
        return _("the launch, a reminder 48 hours before the end, then the results once it ends")
    if week:  # its last 48 hours outside the working hours: no message for them
        return _("the launch, a reminder a week before the end, then the results once it ends")
    return _("the launch, then the results once it ends")


def _rules_list(campaign) -> Markup:
    """The campaign's "Actions that count": the same for everyone until a rule changes."""
    return cache.fragment(
        "cleanup.rules_list",
        (campaign.id, current_language()),
        ("cleanup_rules",),
        lambda: render_template(
            "cleanup/_rules.html", rules=list(queries.campaign_rules(campaign).values())
        ),
    )


@bp.get("/campaigns/<int:campaign_id>/log-unit")
@login_required
def log_unit(campaign_id: int):
    """The quantity's hint naming the unit of the action type chosen in the log form
    (htmx), or the campaign page with that type chosen."""
    campaign = _campaign_or_404(campaign_id)
    action_type = request.args.get("action_type", "")[:60]
    if not wants_fragment():
        url = url_for("cleanup.show_campaign", campaign_id=campaign.id, action_type=action_type)
        return redirect(url + "#my-progress")
    form = _log_form(campaign, action_type=action_type)
    return render_template("cleanup/_log_unit_hint.html", form=form, swapped=True)


def _progress_response(campaign, message, kind, status=200, **place):
    """The progress partial for htmx. Without JavaScript: a refusal is the whole page,
    the message where the person acted, what they typed kept and the refused field
    focused, as htmx shows it; a success redirects with a flash (POST/redirect/GET).

    `place`: where the message stands and what the forms show (see _progress_context):
    `form`, the log form as posted (its entry shown again), else a new one with
    `action_type` chosen; `message_at` and `typed`.
    """
    if wants_fragment():
        context = _progress_context(campaign, utcnow(), message=message, message_kind=kind, **place)
        # An answer about an entry leaves the log form's fields as the person left them
        # (hx-preserve): an action chosen and a quantity typed, not yet logged, were lost.
        context["keep_log_fields"] = place.get("message_at", "log") != "log"
        # The page's title says a refusal, as a whole page sent back does, and stops
        # saying it at the next answer.
        title = fragment_title(campaign.name(current_language()), refused=kind == "error")
        return str(title) + render_template("cleanup/_my_progress.html", **context), status
    if kind == "error":
        page = _campaign_page(campaign, message=message, message_kind=kind, **place)
        return page, status
    _carry_answer(campaign, message, place)
    entries = "all" if request.args.get("entries") == "all" else None  # as they were listed
    # After a log, the action stays chosen, as htmx keeps it (the page reads ?action_type=).
    # The page opens at the message, where the person acted.
    url = url_for(
        "cleanup.show_campaign",
        campaign_id=campaign.id,
        entries=entries,
        action_type=place.get("action_type"),
        _anchor="progress-status",
    )
    return redirect(url)


# The log form's field a refusal is about: the message is shown on that field.
_FIELD_OF_REFUSAL = {
    "invalid_quantity": "quantity",
    "cap_reached": "quantity",
    "unknown_action": "action_type",
}


@bp.route("/campaigns/<int:campaign_id>/actions", methods=["GET", "POST"])
@login_required
def log_action(campaign_id: int):
    """Log an action for the signed-in person. GET (see `extend_campaign`): the campaign
    page, at "My progress"."""
    campaign = _campaign_or_404(campaign_id)
    if request.method == "GET":
        return _to_form_page(campaign, "my-progress-title")
    form = _log_form(campaign, posted=True)
    if not form.validate_on_submit():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _progress_response(campaign, message, "error", 422, form=form)
    try:
        action = services.log_action(
            current_user, campaign, form.action_type.data, form.quantity.data, utcnow()
        )
    except services.CleanupError as error:
        db.session.rollback()
        if error.code in _FIELD_OF_REFUSAL:
            getattr(form, _FIELD_OF_REFUSAL[error.code]).errors.append(error.message)
        return _progress_response(campaign, error.message, "error", error.status, form=form)
    # Read before the commit expires the row: no reload just to word the message.
    if action.status == "flagged":
        message = _("Logged. This entry looks unusual: an organiser will review it.")
    else:
        message = ngettext(
            "Logged: %(count)s point.",
            "Logged: %(count)s points.",
            action.points,
            count=format_number(action.points),
        )
    commit_keeping_loaded_rows()
    queries.remember_participant(campaign, current_user, action.participant_id)
    return _progress_response(campaign, message, "success", action_type=form.action_type.data)


def _entry_gone(action_id: int):
    """The answer about one's own entry deleted since its page was shown (another tab):
    said where its answers stand, "My progress" as it is now. Only an entry the page
    listed as the person's (`services.entry_mark`, in the form's address) is answered
    so: any other id is a 404, another person's entry told apart from no entry."""
    campaign_id = request.args.get("campaign", type=int)
    if not services.was_own_entry(
        current_user, action_id, campaign_id, request.args.get("mark", "")
    ):
        abort(404)
    campaign = _campaign_or_404(campaign_id)
    message = _("This entry has already been deleted.")
    return _progress_response(
        campaign, message, "error", 409, message_at=action_id, **_log_form_kept()
    )


def _log_form_kept() -> dict:
    """The action type the log form showed beside an entry corrected or deleted (in their
    address): without JavaScript the page after the answer shows it chosen again."""
    return {"action_type": request.args.get("action_type", "")[:60] or None}


@bp.post("/actions/<int:action_id>/correct")
@login_required
def correct_action(action_id: int):
    """Correct the quantity of one's own entry."""
    action = services.own_action(current_user, action_id)
    if action is None:
        return _entry_gone(action_id)
    campaign = queries.get_campaign(action.campaign_id)
    form = CorrectActionForm()
    # A refused correction keeps what was typed, by its entry, to be put right.
    here = {
        "message_at": action.id,
        "typed": (form.quantity.data or "")[:QUANTITY_MAX_LENGTH],
        **_log_form_kept(),
    }
    if not form.validate_on_submit():
        message = _("Enter the quantity as a number.")
        return _progress_response(campaign, message, "error", 422, **here)
    try:
        corrected = services.correct_action(current_user, action, form.quantity.data, utcnow())
    except services.CleanupError as error:
        db.session.rollback()
        return _progress_response(campaign, error.message, "error", error.status, **here)
    # Read before the commit expires the row. A correction to an unusual quantity goes
    # back to review, its points with it: "corrected" alone hid why the score dropped.
    if corrected is None:
        message = _("Nothing changed: the entry is as it was.")
    elif action.status == "flagged":
        message = _(
            "Entry corrected. It looks unusual: an organiser will review it, and its points "
            "count once it is accepted."
        )
    else:
        message = _("Entry corrected.")
    db.session.commit()
    return _progress_response(
        campaign, message, "success", message_at=action_id, **_log_form_kept()
    )


@bp.post("/actions/<int:action_id>/delete")
@login_required
def delete_action(action_id: int):
    """Delete one's own entry."""
    action = services.own_action(current_user, action_id)
    if action is None:
        return _entry_gone(action_id)
    campaign = queries.get_campaign(action.campaign_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    # The message takes the deleted row's place, before the entry that followed it: in a
    # long list, above the table it was out of sight, and the focus far from the row.
    following = queries.entry_listed_after(action)
    if services.is_device_return_entry(action):  # withdrawn from the campaign, kept listed
        return _withdraw_device_return_entry(campaign, action)
    try:
        services.delete_action(current_user, action, utcnow())
    except services.CleanupError as error:
        db.session.rollback()
        return _progress_response(
            campaign, error.message, "error", error.status, message_at=action_id, **_log_form_kept()
        )
    db.session.commit()
    return _progress_response(
        campaign,
        _("Entry deleted."),
        "success",
        message_at="deleted",
        deleted_before=following,
        **_log_form_kept(),
    )


def _withdraw_device_return_entry(campaign, action):
    """A device return's entry taken out of its campaign by its owner: it stays listed,
    saying so, and its points leave their score."""
    try:
        services.withdraw_device_return_entry(current_user, action, utcnow())
    except services.CleanupError as error:
        db.session.rollback()
        return _progress_response(
            campaign, error.message, "error", error.status, message_at=action.id,
            **_log_form_kept(),
        )  # fmt: skip
    db.session.commit()
    message = _("Withdrawn: this device return no longer counts in this campaign.")
    return _progress_response(
        campaign, message, "success", message_at=action.id, **_log_form_kept()
    )


#: The leaderboard's tabs: scope, order and name (its tabs and its page title say it).
#: Teams per head first, and their boards open on it: by total points the largest commune
#: (Bordeaux: 1,090 participants) or department came first by far, whatever others did.
LEADERBOARD_TABS = (
    ("individuals", "total", _l("Individuals")),
    ("departments", "per_head", _l("Departments (per head)")),
    ("departments", "total", _l("Departments (total)")),
    ("communes", "per_head", _l("Communes (per head)")),
    ("communes", "total", _l("Communes (total)")),
)


def default_order(scope: str) -> str:
    """The order a board opens in: a scope's first tab (per head for teams)."""
    return next(o for s, o, _n in LEADERBOARD_TABS if s == scope)


def leaderboard_title(scope: str, order: str, page: int, campaign_name: str) -> str:
    """The title of a leaderboard's tab and page (RGAA 8.6): « Communes – Classements,
    page 2 · Campagne »; its tabs' links go into the history."""
    # A scope and order no tab offers (a link typed by hand): the scope's first tab.
    named = [n for s, o, n in LEADERBOARD_TABS if (s, o) == (scope, order)]
    tab = str((named or [n for s, _o, n in LEADERBOARD_TABS if s == scope])[0])
    title = _("%(tab)s – Leaderboards", tab=tab)
    if page > 1:
        title = _("%(title)s, page %(page)s", title=title, page=format_number(page))
    return f"{title} · {campaign_name}"


def _last_page(total: int) -> int:
    return max((total + queries.PER_PAGE - 1) // queries.PER_PAGE, 1)


@bp.get("/campaigns/<int:campaign_id>/leaderboard")
@reads_only
@login_required
def leaderboard(campaign_id: int):
    """Individuals, departments (total or per head) and communes, paged."""
    # The person and the language once: each use of `current_user` or `current_language`
    # looks them up again.
    user, language = current_user._get_current_object(), current_language()
    # Its columns and goals as plain values: the ORM object cost a fifth of the view.
    campaign = queries.get_campaign_head(campaign_id, include_drafts=user.has_role("organiser"))
    if campaign is None:
        abort(404)
    scope = request.args.get("scope", "individuals")
    if scope not in ("individuals", "departments", "communes"):
        abort(404)
    order = request.args.get("order", default_order(scope))
    if order not in (
        "total",
        "per_head",
    ):
        abort(404)
    page = request.args.get("page", "1")
    # ASCII digits only: "²" is a digit to str.isdigit() but not to int(), a 500.
    page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100_000 else 1
    # "Show my place": the page that lists the person, their row marked.
    my_row = None
    if scope == "individuals" and request.args.get("me") == "1":
        place = queries.my_place_in_the_listing(campaign, user)
        if place is not None:
            page, my_row = place
    # Team rankings say where the reader's own department or commune stands.
    my_team = {"departments": user.department_id, "communes": user.commune_id}.get(scope)
    minimum = queries.min_team()
    # Ended: nothing is counted "yet" any more.
    closed = campaign.state(utcnow()) == "closed"

    def render_table():
        team, shown, unlisted_only, ranks_missing = None, page, False, False
        if scope == "individuals":
            entries, total = queries.individual_leaderboard(campaign, page)
            if page > _last_page(total):  # past the end (an old link): the last page
                shown = _last_page(total)
                entries, total = queries.individual_leaderboard(campaign, shown)
            marked = my_row
            # Points counted, nobody listed: everyone ranked chose to be hidden (not
            # "no counted action yet", beside the reader's own rank 1 of 1).
            ranked = queries.ranked_individuals(campaign)  # the erased take no rank
            unlisted_only = not total and ranked > 0
            # Some ranked people are not listed: the ranks shown have gaps, said above them.
            ranks_missing = 0 < total < ranked
        else:
            # Each team's participants out of its staff in scope (« 7 sur 20 »).
            teams = queries.with_staff(
                queries.ranked_teams(campaign, scope, order, minimum),
                queries.team_staff(campaign, scope),
            )
            shown = min(page, _last_page(len(teams)))
            entries, total = queries.team_page(teams, language, shown)
            team = queries.team_place(teams, my_team, language)
            marked = team["row"] if team and team["page"] == shown else None
        return shown, render_template(
            "cleanup/_leaderboard_table.html",
            campaign=campaign,
            scope=scope,
            order=order,
            entries=entries,
            page=shown,
            pages=_last_page(total),
            badge_label=queries.badge_labels().__getitem__,
            my_row=marked,
            my_team=team,
            min_team=minimum,
            closed=closed,
            unlisted_only=unlisted_only,
            ranks_missing=ranks_missing,
        )

    # The table is the same for everyone until a score, a goal or a name changes;
    # one's own rank above it is read fresh (queries.my_standing). The page it shows (the
    # last one for a page past the end) is kept with it, for the page's title.
    shown, table = cache.value(
        "cleanup.leaderboard",
        # The marked row is a position, the team a department or commune, not a person:
        # the same table for anyone there.
        (
            campaign.id,
            campaign.scores_version,
            # Its end keeps each person's label as it was: a board cached before is not it.
            campaign.frozen_at,
            queries.goals_key(campaign),
            scope,
            order,
            page,
            my_row,
            my_team,
            minimum,
            language,
            closed,
        ),
        ("people",),
        render_table,
        typed=page > 1,
    )
    table = Markup(table)  # noqa: S704 - our own autoescaped template, cached
    standing = queries.my_standing(campaign, user, with_badges=False)
    context = {
        "campaign": campaign,
        "campaign_name": campaign.name(language),
        "tabs_named": LEADERBOARD_TABS,
        "scope": scope,
        "order": order,
        "table": table,
        "standing": standing,
        "closed": closed,
        # "Show my place" where the individuals' board lists the person.
        "listed": bool(standing["rank"])
        and scope == "individuals"
        and queries.listed_on_board(campaign, user),
    }
    if wants_fragment():
        # The tabs come along (out of band), so that the current one follows the table.
        tabs = cache.fragment(
            "cleanup.leaderboard_nav",
            (campaign.id, scope, order, language),
            (),
            lambda: render_template("cleanup/_leaderboard_nav.html", oob=True, **context),
        )
        table = Markup(render_template("cleanup/_leaderboard.html", **context))  # noqa: S704
        # The tab's URL goes into the history: its <title> (htmx takes it out) follows.
        title = Markup("<title>{} · Empreinte</title>\n").format(
            leaderboard_title(scope, order, shown, context["campaign_name"])
        )
        return title + table + tabs
    tabs = cache.fragment(
        "cleanup.leaderboard_tabs",
        (campaign.id, cache.digest(context["campaign_name"]), scope, order, language),
        (),
        lambda: render_template("cleanup/_leaderboard_tabs.html", **context),
    )
    title = leaderboard_title(scope, order, shown, context["campaign_name"])
    return render_template("cleanup/leaderboard.html", tabs=tabs, title=title, **context)


@bp.get("/campaigns/<int:campaign_id>/review")
@role_required("organiser")
def review(campaign_id: int):
    """Flagged entries waiting for an organiser's decision; read-only once frozen."""
    campaign = _campaign_or_404(campaign_id)
    if services.freeze_campaign(campaign, utcnow()):  # a closed campaign: no decision left
        db.session.commit()
    return _review_page(campaign, answer=_review_answer_carried(campaign))


# What the review queue's entries read: why each was flagged, and what a correction of
# an accepted entry goes back to if refused.
_REVIEW_HELPERS = {
    "flag_reason_label": flag_reason_label,
    "accepted_before": services.accepted_before,
    "decision_changeable": services.decision_changeable,
    "correction_refused": services.correction_refused,
    # One's own entry is decided by someone else: no form on it (services.review_action).
    "may_decide": services.may_decide,
    # An acceptance's reason is said while the entry is as accepted, as its author reads it.
    "reviewed_as_is": reviewed_as_is,
}


def _review_page(campaign, answer=None, **refusal):
    """The review queue, then the latest decisions (each can be changed until the end);
    `refusal` (see _review_form.html) marks a refused reason; `answer`, a decision's
    answer carried over its redirect (see _carry_review_answer), stands where it was
    taken."""
    queue = _review_queue(campaign, campaign.frozen_at is not None)
    decided = [] if queue["frozen"] else queries.decided_actions(campaign)
    return render_template(
        "cleanup/review.html",
        campaign=campaign,
        decided=decided,
        answer=_place_review_answer(answer, queue["flagged"], decided),
        **queue,
        **_REVIEW_HELPERS,
        **refusal,
    )


def _review_queue(campaign, frozen: bool) -> dict:
    """The queue as `_review_queue.html` lists it: the oldest flagged entries, how many
    wait in all when it is full, and the ids of those the reader may decide, which
    "Accept all" sends (none once `frozen`)."""
    flagged = queries.flagged_actions(campaign)
    # A full queue says how many wait in all: the rest come as these are decided.
    waiting = queries.flagged_count(campaign) if len(flagged) >= queries.REVIEW_LIMIT else None
    mine = current_user.id
    acceptable = [
        action.id
        for action, person in flagged
        if not frozen and services.may_decide(mine, person.id if person else None)
    ]
    return {"flagged": flagged, "waiting": waiting, "frozen": frozen, "acceptable": acceptable}


@bp.route("/campaigns/<int:campaign_id>/review/accept-all", methods=["GET", "POST"])
@role_required("organiser")
def accept_listed_entries(campaign_id: int):
    """Accept every entry the queue listed that the organiser may decide (asked first,
    saying how many); htmx: the queue again, its answer above what is left, and the
    latest decisions out of band; otherwise back to the review page, at the answer.
    GET (see `extend_campaign`): the review page."""
    campaign = _campaign_or_404(campaign_id)
    if request.method == "GET":
        return redirect(url_for("cleanup.review", campaign_id=campaign.id))
    # Ids as the page wrote them, one space apart: anything else (text, a number past the
    # column's range, which PostgreSQL refuses) is no entry of the queue.
    sent = request.form.get("entries", "").split()[: queries.REVIEW_LIMIT]
    listed = [int(entry) for entry in sent if entry.isascii() and entry.isdigit()]
    listed = [entry for entry in listed if 0 < entry <= MAX_ID]
    status = 200
    try:
        done = services.accept_listed(campaign, current_user, listed, utcnow(), current_language())
    except services.CleanupError as error:
        db.session.rollback()
        message, status = str(error.message), error.status  # kept in the session as text
    else:
        db.session.commit()
        message = _accepted_listed_message(done)
        if not done.accepted:
            status = 409 if listed else 422
    return _review_queue_answer(campaign, message, status)


def _review_queue_answer(campaign, message: str, status: int):
    """The answer to "Accept all" at the top of the queue: the queue swapped with it and
    the latest decisions out of band (htmx), or the review page opened there."""
    answer = {"campaign": campaign.id, "entry": None, "message": message}
    answer.update(failed=status >= 400, queue=True)
    if not wants_fragment():
        session[_REVIEW_ANSWER_KEY] = answer
        return redirect(url_for("cleanup.review", campaign_id=campaign.id, _anchor="review-answer"))
    queue = _review_queue(campaign, _review_closed(campaign))
    queue_html = render_template(
        "cleanup/_review_queue.html",
        campaign=campaign,
        answer=_place_review_answer({**answer, "announce": True}, queue["flagged"], []),
        **queue,
        **_REVIEW_HELPERS,
    )
    return queue_html + _latest_decisions(campaign.id), status


def _accepted_listed_message(done: services.ListAccepted) -> str:
    """What the organiser reads once the queue's list is accepted: how many now count, and
    how many listed were left as they stood."""
    if not done.accepted and not done.left:
        return _("No entry was listed to accept.")
    if not done.accepted:
        return _(
            "No entry accepted: those listed were decided meanwhile by another organiser "
            "or deleted by their authors. The queue shows them as they are now."
        )
    message = ngettext(
        "%(num)s entry accepted: it now counts, and its author gets a message.",
        "%(num)s entries accepted: they now count, and their authors get a message.",
        done.accepted,
    )
    if done.left:
        message += " " + ngettext(
            "%(num)s other entry listed was decided meanwhile by another organiser or "
            "deleted by its author: left as it is.",
            "%(num)s other entries listed were decided meanwhile by another organiser or "
            "deleted by their authors: left as they are.",
            done.left,
        )
    return message


# A decision sent without JavaScript, carried over its redirect to stand where it was
# taken, as htmx shows it: flashed, it stood at the top of the page, the page at its top.
_REVIEW_ANSWER_KEY = "cleanup_review_answer"


def _carry_review_answer(action, message: str, failed: bool, changing) -> None:
    """Keep a decision's answer for the review page the redirect opens: `queue` for a
    first decision (the reviewer was in the queue), else among the latest decisions."""
    session[_REVIEW_ANSWER_KEY] = {
        "campaign": action.campaign_id,
        "entry": action.id,
        "message": message,
        "failed": failed,
        "queue": changing is None,
    }


def _review_answer_carried(campaign) -> dict | None:
    """The answer carried over the redirect (see _carry_review_answer), once, on its
    campaign."""
    if _REVIEW_ANSWER_KEY not in session:  # a pop would rewrite the cookie at every view
        return None
    carried = session.pop(_REVIEW_ANSWER_KEY)
    if not isinstance(carried, dict) or carried.get("campaign") != campaign.id:
        return None
    return carried


def _place_review_answer(answer, flagged, decided) -> dict | None:
    """Where the carried answer stands: in its entry's block when the page shows it
    (still in the queue, or a change among the latest decisions), else in the queue where
    the entry was (`before` the next entry, None at the end)."""
    if not answer:
        return None
    entry_id = answer.get("entry")
    shown = {action.id for action, _person in flagged}
    if not answer.get("queue"):
        shown |= {action.id for action, _person in decided}
    if entry_id in shown:
        return {**answer, "in_queue": False}
    entry = db.session.get(CleanupAction, entry_id) if isinstance(entry_id, int) else None
    # The queue's order (oldest first); an entry gone since: at the queue's top.
    after = (entry.logged_at, entry.id) if entry is not None else None
    before = next(
        (
            action.id
            for action, _p in flagged
            if after is None or (action.logged_at, action.id) > after
        ),
        None,
    )
    return {**answer, "entry": None, "in_queue": True, "before": before}


@bp.route("/actions/<int:action_id>/review", methods=["GET", "POST"])
@role_required("organiser")
def review_action(action_id: int):
    """Accept or reject a flagged entry with a reason, or change the decision taken
    (`was`); htmx: the entry's block, decided or with its error; otherwise back to the
    review page. GET (see `extend_campaign`): the review page."""
    action = db.get_or_404(CleanupAction, action_id)
    if request.method == "GET":
        return redirect(url_for("cleanup.review", campaign_id=action.campaign_id))
    form = ReviewForm()
    typed = form.reason.data or ""
    changing = form.was.data if form.was.data in (ACCEPTED, REJECTED) else None
    if not form.validate_on_submit():
        if form.reason.errors:
            return _reason_refused(action, form.reason.errors[0], typed, changing)
        return _review_answer(action, _("Choose accept or reject."), 422, changing)
    accept = form.decision.data == "accept"
    refused = quantity_label(action.quantity, action.action_type.unit)
    erased = queries.action_author(action) is None  # nobody to tell of the decision
    campaign_id = action.campaign_id
    try:
        kept = services.review_action(
            action, current_user, accept, typed, utcnow(), changing, current_language()
        )
    except services.CleanupError as error:
        db.session.rollback()
        if error.code == "deleted":  # nothing left to show: back to the review page
            flash(error.message, "error")
            return _to_review_page(campaign_id)
        if error.code == "reason_required":
            return _reason_refused(action, error.message, typed, changing)
        # Decided meanwhile (another organiser, a double press): shown as it is now.
        decided = action.status != FLAGGED
        message = error.message
        if error.code == "not_flagged" and not wants_fragment():
            # Its answer stands alone on the page: "already decided meanwhile:" and how.
            decision = get_template_attribute("cleanup/_macros.html", "decision_now")
            message = Markup("{} {}").format(message, decision(action, services.correction_refused))
        return _review_answer(action, message, error.status, changing, decided)
    db.session.commit()
    message = _decided_message(accept, kept, refused, action, erased)
    return _review_answer(action, message, changing=changing)


def _decided_message(accept: bool, kept, refused: str, action: CleanupAction, erased: bool):
    """What the organiser reads once the decision is taken (or changed)."""
    if erased:
        return _decided_for_erased(accept, kept, refused, action)
    if accept:
        return _("Accepted: the entry now counts, and its author gets a message.")
    if kept is not None:
        return ngettext(
            "Correction to %(refused)s refused: the entry keeps %(quantity)s (%(points)s "
            "point), and its author gets a message with your reason.",
            "Correction to %(refused)s refused: the entry keeps %(quantity)s (%(points)s "
            "points), and its author gets a message with your reason.",
            kept.points,
            refused=refused,
            quantity=quantity_label(kept.quantity, action.action_type.unit),
            points=format_number(kept.points),
        )
    return _("Rejected: its author gets a message with your reason.")


def _decided_for_erased(accept: bool, kept, refused: str, action: CleanupAction) -> str:
    """What an organiser reads after deciding on the entry of a person whose account was
    erased: the decision, and that no message goes to anyone."""
    if accept:
        return _(
            "Accepted: the entry now counts. The person's account was erased: no message is sent."
        )
    if kept is not None:
        return ngettext(
            "Correction to %(refused)s refused: the entry keeps %(quantity)s (%(points)s "
            "point). The person's account was erased: no message is sent.",
            "Correction to %(refused)s refused: the entry keeps %(quantity)s (%(points)s "
            "points). The person's account was erased: no message is sent.",
            kept.points,
            refused=refused,
            quantity=quantity_label(kept.quantity, action.action_type.unit),
            points=format_number(kept.points),
        )
    return _("Rejected. The person's account was erased: no message is sent.")


def _decided_block(action: CleanupAction, changing, **values) -> str:
    """A decided entry's block: in the queue (a first decision, h2) as it was decided; in
    the review page's latest decisions (a change, h3) with the form to change it again,
    unless the campaign has ended (its results frozen, or about to be)."""
    campaign = db.session.get(CleanupCampaign, action.campaign_id)
    return render_template(
        "cleanup/_review_decided.html",
        action=action,
        person=queries.action_author(action),
        level=3 if changing else 2,
        offer_change=changing is not None,
        frozen=_review_closed(campaign),
        **_REVIEW_HELPERS,
        **values,
    )


def _review_closed(campaign: CleanupCampaign) -> bool:
    """No decision is taken any more: the campaign's results are frozen, or about to be."""
    return campaign.frozen_at is not None or campaign.state(utcnow()) == CLOSED


def _latest_decisions(campaign_id: int) -> str:
    """The review page's latest decisions, out of band: the entry just decided joins them
    with its form to change it."""
    campaign = db.session.get(CleanupCampaign, campaign_id)
    frozen = _review_closed(campaign)
    return render_template(
        "cleanup/_review_latest.html",
        oob=True,
        decided=[] if campaign.frozen_at is not None else queries.decided_actions(campaign),
        frozen=frozen,
        **_REVIEW_HELPERS,
    )


def _reason_refused(action: CleanupAction, message: str, typed: str, changing=None):
    """The entry again, the message on its reason field, what was typed kept (the whole
    queue without JavaScript): the organiser corrects the reason where it is."""
    refusal = {"refused_id": action.id, "reason_error": message, "typed": typed}
    if not wants_fragment():
        campaign = db.session.get(CleanupCampaign, action.campaign_id)
        return _review_page(campaign, **refusal), 422
    if changing:
        return _decided_block(action, changing, **refusal), 422
    entry = render_template(
        "cleanup/_review_entry.html",
        action=action,
        person=queries.action_author(action),
        **_REVIEW_HELPERS,
        **refusal,
    )
    return entry, 422


def _to_review_page(campaign_id: int):
    """Back to the review page: a redirect, or for htmx the whole page loaded there."""
    target = url_for("cleanup.review", campaign_id=campaign_id)
    if wants_fragment():
        return "", 200, {"HX-Redirect": target}
    return redirect(target)


def _review_answer(action, message: str, status: int = 200, changing=None, decided=False):
    """The answer to a decision or its change: the entry decided (`decided`: refused, it
    is decided all the same), else the entry with its form and the error."""
    failed = status >= 400
    if not wants_fragment():
        # The page opens where the decision was taken, its answer there (not at the top).
        _carry_review_answer(action, message, failed, changing)
        target = url_for("cleanup.review", campaign_id=action.campaign_id, _anchor="review-answer")
        return redirect(target)
    if changing or not failed or decided:
        block = _decided_block(action, changing, message=message, failed=failed)
        if not changing:  # a first decision: listed among the latest, to be changed there
            block += _latest_decisions(action.campaign_id)
        else:  # its answer in the queue above, if still shown, says the decision as it is
            block += _decided_block(action, None, queue_update=True)
        return block, status
    campaign = db.session.get(CleanupCampaign, action.campaign_id)
    page = render_template(
        "cleanup/_review_entry.html",
        action=action,
        person=queries.action_author(action),
        message=message,
        # Ended since the page was opened: the answer says so, and offers no decision.
        frozen=_review_closed(campaign),
        **_REVIEW_HELPERS,
    )
    return page, status


def _closed_results(campaign_id: int):
    """The frozen results of a closed campaign, freezing them on first read."""
    campaign = _campaign_or_404(campaign_id)
    return campaign, services.published_results(campaign, utcnow())


@bp.get("/campaigns/<int:campaign_id>/results")
@login_required
def results(campaign_id: int):
    """Results: totals against goals, top teams, distribution, CO2 range, comparison."""
    campaign, results = _closed_results(campaign_id)
    if results is None:
        if current_user.has_role("organiser") and campaign.state(utcnow()) == RUNNING:
            # Its organisers follow it as it runs: the provisional figures.
            return redirect(url_for("cleanup.interim_results", campaign_id=campaign_id))
        flash(_("Results are published when the campaign ends."), "info")
        return redirect(url_for("cleanup.show_campaign", campaign_id=campaign_id))
    return render_template("cleanup/results.html", **_results_context(campaign, results))


def _results_context(campaign, results: dict, provisional_at=None) -> dict:
    """What the results page shows beside `results`, final or provisional (figures on
    `provisional_at`)."""
    previous = queries.previous_campaign(campaign)
    previous_results = queries.frozen_results(previous) if previous else None
    # The teams shown, ranked again by points per participant: teams level on it share a
    # rank (1, 2, 2, 4). Those withheld stay out (their figures are gone already).
    shown = [team for team in results["departments"] if not team["withheld"]]
    return {
        "campaign": campaign,
        "results": results,
        "ranked_per_head": queries.rank_teams(shown, "per_head"),
        "my_department": _my_department_in(campaign),
        "previous": previous,
        "previous_results": previous_results,
        # Side by side, each with the days it ran: a shorter one counts fewer actions.
        "compared": (
            (
                queries.compared_figures(previous_results),
                queries.compared_figures(results, provisional_at),
            )
            if previous_results
            else None
        ),
        # None of the same scope, yet earlier ones: the page says why it compares nothing.
        "other_scopes_only": previous is None and queries.has_earlier_campaign(campaign),
        "min_team": queries.min_team(),
    }


def _my_department_in(campaign) -> dict | None:
    """The reader's department (id and name in their language) when the campaign counts
    it: the results page gives its line even below the first five."""
    department = current_user.department
    if department is None or not (
        campaign.all_departments or department.id in campaign.department_ids
    ):
        return None
    name = department.name_en if current_language() == "en" else department.name_fr
    return {"id": department.id, "name": name}


@bp.get("/campaigns/<int:campaign_id>/results.csv")
@role_required("organiser")
def results_csv(campaign_id: int):
    """Results per department and commune as a spreadsheet (aggregates only)."""
    campaign, results = _closed_results(campaign_id)
    if results is None:
        abort(404)
    return _results_download(campaign, results, _("campaign-%(id)s-results.csv", id=campaign.id))


def _results_download(campaign, results: dict, filename: str, provisional_at=None):
    """The results spreadsheet as a download named in the organiser's language (ASCII)."""
    return Response(
        results_spreadsheet(
            campaign, results, current_language(), queries.min_team(), provisional_at
        ),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=" + filename},
    )


def _running_or_moved(campaign_id: int, final_endpoint: str):
    """(campaign, None) while it runs; else (campaign, where to go instead): its final
    results once it has ended, nothing before its start (404 for a download)."""
    campaign = _campaign_or_404(campaign_id)
    state = campaign.state(utcnow())
    if state == CLOSED:
        return campaign, redirect(url_for(final_endpoint, campaign_id=campaign.id))
    if state != RUNNING:
        return campaign, None if final_endpoint == "cleanup.results" else abort(404)
    return campaign, False


@bp.get("/campaigns/<int:campaign_id>/interim-results")
@role_required("organiser")
def interim_results(campaign_id: int):
    """A running campaign's provisional results, for its organisers (and admins): the
    results page's figures as they stand, under the same privacy rules."""
    campaign, moved = _running_or_moved(campaign_id, "cleanup.results")
    if moved:
        return moved
    if moved is None:
        flash(_("Figures are counted from the campaign's start."), "info")
        return redirect(url_for("cleanup.show_campaign", campaign_id=campaign.id))
    now = utcnow()
    context = _results_context(campaign, queries.interim_results(campaign, now), now)
    # What the entries waiting for review may still add: how many, and their points.
    flagged, at_stake = queries.flagged_at_stake(campaign)
    return render_template(
        "cleanup/results.html",
        provisional_at=now,
        flagged=flagged,
        points_at_stake=at_stake,
        **context,
    )


@bp.get("/campaigns/<int:campaign_id>/interim-results.csv")
@role_required("organiser")
def interim_results_csv(campaign_id: int):
    """A running campaign's provisional results as a spreadsheet, marked provisional."""
    campaign, moved = _running_or_moved(campaign_id, "cleanup.results_csv")
    if moved:
        return moved
    now = utcnow()
    return _results_download(
        campaign,
        queries.interim_results(campaign, now),
        _("campaign-%(id)s-provisional-results.csv", id=campaign.id),
        provisional_at=now,
    )


@bp.get("/campaigns/<int:campaign_id>/open-data.json")
@role_required("organiser")
def open_data(campaign_id: int):
    """The frozen aggregates as open data (no personal data)."""
    campaign, results = _closed_results(campaign_id)
    if results is None:
        abort(404)
    return Response(
        json.dumps(open_data_document(campaign, results), ensure_ascii=False, indent=1),
        mimetype="application/json",
        # Named in the reader's language, as its neighbours (« campagne-1.ics »).
        headers={
            "Content-Disposition": "attachment; filename="
            + _("campaign-%(id)s-open-data.json", id=campaign.id)
        },
    )


@bp.get("/campaigns/<int:campaign_id>/calendar.ics")
@login_required
def calendar(campaign_id: int):
    """The campaign's dates as an iCalendar file."""
    campaign = _campaign_or_404(campaign_id)
    # On the portal's public address, never the Host header the request named.
    url = public_url(url_for("cleanup.show_campaign", campaign_id=campaign.id))
    return Response(
        campaign_ics(campaign, current_language(), url),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": "attachment; filename="
            + _("campaign-%(id)s.ics", id=campaign.id)
        },
    )
