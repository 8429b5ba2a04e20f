"""Views of the messaging domain: the inbox, unsubscribe, templates, schedules, dispatches."""

import math
import re
import secrets
from contextlib import nullcontext
from datetime import UTC

from babel.dates import get_day_names
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from app.auth.decorators import role_required
from app.auth.forms import ConfirmForm
from app.auth.models import User
from app.core.database import reads_only
from app.core.htmx import wants_fragment
from app.core.i18n import (
    current_language,
    format_day,
    format_full_moment,
    format_number,
    regional_locale,
)
from app.core.personalisation import (
    audience_namer,
    known_audience_params,
    known_audiences,
)
from app.core.time import local_zone, utcnow
from app.core.urls import leads_back, requested_page, within_pages
from app.extensions import db, htmx
from app.messaging import queries, services
from app.messaging.audiences import (
    EMAIL_ONLY_LINKS,
    dispatch_audience_namer,
    needs_consent,
    user_id_from_token,
)
from app.messaging.builtins import AUDIENCE_OF, NOTICE_TEMPLATES, ensure_builtin_templates
from app.messaging.campaign_facts import NAMED_CAMPAIGN_ONLY
from app.messaging.forms import RescheduleForm, ScheduleForm, SendTestForm, TemplateForm
from app.messaging.inbox import render_head, render_message, render_messages
from app.messaging.labels import DISPATCH_IN_PROGRESS, VARIABLE_NOTES, template_title
from app.messaging.limits import TemplateRefused
from app.messaging.mailer import MailerPool
from app.messaging.models import (
    LOCALES,
    TEST_AUDIENCE,
    Dispatch,
    MessageTemplate,
    Schedule,
    message_language,
)
from app.messaging.recurrence import (
    CRON_DAYS,
    chosen_clock_change_note,
    clock_change_note,
    describe_cron,
    next_run,
    recurrence_cron,
    repeated_hour_note,
    stored_more_than_daily,
    with_end,
)
from app.messaging.rendering import (
    TEXT_FIELDS,
    CompiledTemplate,
    TemplateProblem,
    check_template,
    links_cutting_their_line,
    plain_newlines,
    portal_copy,
    why_not_rendered,
)

# The message just marked read without JavaScript, kept across the redirect to the inbox.
JUST_READ_KEY = "messaging_just_read"
# The person a template's preview was for, kept across the redirect after a save.
PREVIEW_RECIPIENT_KEY = "messaging_preview_recipient"

bp = Blueprint("messaging", __name__, url_prefix="/messaging", template_folder="templates")


def _partial_or_page(partial: str, page: str, **context):
    if wants_fragment():
        response = current_app.make_response(render_template(partial, **context))
    else:
        response = current_app.make_response(render_template(page, **context))
    response.headers["Vary"] = "HX-Request"
    return response


# --- the inbox ---------------------------------------------------------------------------


@bp.get("/")
@reads_only
@login_required
def index():
    """The inbox, newest first."""
    user_id = current_user.id
    messages, total, page, pages = within_pages(
        lambda n: queries.list_inbox(user_id, n), requested_page(), queries.PAGE_SIZE
    )
    unread = queries.unread_badge_count(user_id)
    # Just marked read without JavaScript: that message stays open, "Marked as read." at
    # its place (`mark_read`); said at the top if it is no longer on this page.
    just_read = session.pop(JUST_READ_KEY, None)
    if just_read is not None and all(m.id != just_read for m in messages):
        flash(_("Marked as read."), "success")
    return render_template(
        "messaging/index.html",
        messages=render_messages(messages, page, just_read=just_read),
        head=render_head(unread, total),
        page=page,
        pages=pages,
    )


@bp.post("/inbox/<int:delivery_id>/open")
@login_required
def open_message(delivery_id: int):
    """Open one of my messages: opened, it is read (as "Mark as read" makes it). A POST,
    as every change is: the disclosure opened sends it (htmx, with the CSRF token)."""
    # Sent by a script without htmx: the inbox at the message, open.
    return _message_read(delivery_id, f"message-{delivery_id}")


@bp.post("/inbox/<int:delivery_id>/read")
@login_required
def mark_read(delivery_id: int):
    """Mark one of my messages read."""
    # Without JavaScript the inbox comes back at the message, still open, and at "Marked
    # as read." in the place of the button (as the htmx answer does), not at the top.
    return _message_read(delivery_id, f"message-{delivery_id}-read")


def _message_read(delivery_id: int, anchor: str):
    """Mark the person's message read; the message for htmx, else the inbox at `anchor`."""
    message = services.mark_read(current_user, delivery_id, utcnow())
    if message is None:
        abort(404)
    db.session.commit()
    # The count was read with the person, before the write: read it again.
    queries.forget_unread_count(current_user.id)
    if wants_fragment():
        return _inbox_fragment(render_message(message, announce=True))
    session[JUST_READ_KEY] = message.id
    return redirect(_inbox_at(anchor))


def _inbox_at(anchor: str | None):
    """The inbox page the form was sent from, at the element `anchor` (if any)."""
    page = requested_page()
    return url_for("messaging.index", page=page if page > 1 else None, _anchor=anchor)


def _inbox_fragment(html: str):
    """An htmx answer about one message (its HTML), with the inbox's counts and the menu
    badge out of band: reading or deleting one message changes them as marking all does."""
    counts = render_template(
        "messaging/_inbox_head.html",
        oob=True,
        unread=queries.unread_badge_count(current_user.id),
        total=queries.inbox_count(current_user.id),
        csrf=generate_csrf(),
    )
    response = current_app.make_response(str(html) + counts)
    response.headers["Vary"] = "HX-Request"
    return response


@bp.post("/inbox/read")
@login_required
def mark_all_read():
    """Mark every unread message of mine read (after a holiday, say)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(current_user, utcnow())
    db.session.commit()
    flash(
        ngettext(
            "%(count)s message marked as read.",
            "%(count)s messages marked as read.",
            count,
            count=format_number(count),
        ),
        "success",
    )
    return redirect(url_for("messaging.index"))


@bp.post("/inbox/<int:delivery_id>/delete")
@login_required
def delete_message(delivery_id: int):
    """Delete one of my messages: it leaves the inbox and its content is erased."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    neighbour = queries.inbox_neighbour(current_user.id, delivery_id)
    if not services.delete_message(current_user, delivery_id, utcnow()):
        abort(404)
    db.session.commit()
    if htmx:
        deleted = render_template("messaging/_message_deleted.html", delivery_id=delivery_id)
        return _inbox_fragment(deleted)
    flash(_("Message deleted."), "success")
    # Without JavaScript, the page lands where the message was: at the one now in its place.
    return redirect(_inbox_at(f"message-{neighbour}" if neighbour else None))


@bp.post("/inbox/delete-read")
@login_required
def delete_read_messages():
    """Delete every message I have read (the inbox's own clean-up)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = services.delete_read_messages(current_user, utcnow())
    db.session.commit()
    flash(
        ngettext(
            "%(count)s read message deleted.",
            "%(count)s read messages deleted.",
            count,
            count=format_number(count),
        ),
        "success",
    )
    return redirect(url_for("messaging.index"))


# --- unsubscribe without sign-in ----------------------------------------------------------


# The receipt of the unsubscribe made from this browser: only this browser can undo it,
# within services.UNDO_UNSUBSCRIBE. In the session (signed), never in the page or the
# address, where whoever later sees them (history, a shared screen) could use it elsewhere.
UNDO_RECEIPT_KEY = "messaging_undo_receipt"


def _person_of(token: str) -> User | None:
    """The link's person, None for a link not valid. An account since closed or erased
    reads as a link not valid too: whoever holds a forwarded e-mail must not learn that
    the person left or asked to be erased (and no e-mail goes to it any more)."""
    user_id = user_id_from_token(token)
    user = db.session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.is_active else None


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET: the person's state now (asked first while subscribed). POST: stop e-mails at
    once; the form then shows the result by a redirect, so that a reload or Back shows the
    state then and never replays the POST. In the person's saved language (the token)."""
    user = _person_of(token)
    if user is None:
        return render_template("messaging/unsubscribe.html", invalid=True), 404
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") == "One-Click":
            return one_click_unsubscribe(user)
        return _unsubscribe_then_show(user, token)
    return _unsubscribe_page(user, token, request.args.get("result"))


def _unsubscribe_then_show(user: User, token: str):
    """The page's own button: unsubscribe, keep the receipt to undo it, show the result."""
    was_subscribed = user.email_opt_in
    services.unsubscribe(user.id, utcnow())
    db.session.commit()
    if was_subscribed:
        session[UNDO_RECEIPT_KEY] = services.undo_receipt(user)
    return redirect(url_for("messaging.unsubscribe", token=token, result="unsubscribed"), 303)


def _unsubscribe_page(user: User, token: str, result: str | None):
    """The state now: `result` (what a button of the page did) is said only while true,
    and "Undo" offered only with this browser's receipt of the current unsubscribe."""
    can_undo = services.can_undo_unsubscribe(user, session.get(UNDO_RECEIPT_KEY), utcnow())
    subscribed = user.email_opt_in
    with _in_language_of(user):
        return render_template(
            "messaging/unsubscribe.html",
            token=token,
            subscribed=subscribed,
            done=not subscribed and (result == "unsubscribed" or can_undo),
            can_undo=can_undo,
            undone=subscribed and result == "restored",
            too_late=not subscribed and result == "kept" and not can_undo,
            undo_minutes=_undo_minutes(),
        )


def _undo_minutes() -> int:
    """How long an unsubscribe can be undone, in minutes, as the page says it."""
    return int(services.UNDO_UNSUBSCRIBE.total_seconds() // 60)


def one_click_unsubscribe(user: User):
    """RFC 8058: withdraw consent and answer the page itself, with no redirect (the signed
    token is the proof). Only an unsubscribe made here can be undone, and only by whoever
    got this answer (a browser, if one posted it): its receipt goes in the session."""
    was_subscribed = user.email_opt_in
    services.unsubscribe(user.id, utcnow())
    db.session.commit()
    if was_subscribed:
        session[UNDO_RECEIPT_KEY] = services.undo_receipt(user)
    with _in_language_of(user):
        return render_template(
            "messaging/unsubscribe.html",
            token=request.view_args["token"],
            done=True,
            can_undo=was_subscribed,
        )


@bp.post("/unsubscribe/<token>/undo")
def undo_unsubscribe(token: str):
    """Take back an unsubscribe made by mistake, from the browser that made it and within
    services.UNDO_UNSUBSCRIBE (CSRF-checked: this gives consent, which a forged request
    must not do). Otherwise nothing changes and the page says to use the profile.
    The page then shows what happened by a redirect, as the unsubscribe does."""
    user = _person_of(token)
    if user is None:
        return render_template("messaging/unsubscribe.html", invalid=True), 404
    undone = services.undo_unsubscribe(user, session.get(UNDO_RECEIPT_KEY), utcnow())
    if undone:
        db.session.commit()
        session.pop(UNDO_RECEIPT_KEY, None)
    result = "restored" if undone else "kept"
    return redirect(url_for("messaging.unsubscribe", token=token, result=result), 303)


def _in_language_of(user: User):
    """The language of the person's e-mails for this page (their saved one, else the
    default the dispatch writes in): someone opening a link from an e-mail is often signed
    out, on a browser in another language. The language chosen on this browser wins (the
    header's button, `?lang=`; a signed-in reader's own)."""
    chosen = current_user.is_authenticated or "lang" in session or "lang" in request.args
    if not chosen:
        return force_locale(regional_locale(message_language(user.locale)))
    return nullcontext()


# --- templates ---------------------------------------------------------------------------


@bp.get("/templates")
@role_required("organiser")
def list_templates():
    """Every template, the built-in ones included."""
    ensure_builtin_templates()
    db.session.commit()
    templates = queries.list_templates()
    subjects = services.subject_previews(templates, current_user, current_language(), utcnow())
    return render_template(
        "messaging/templates.html", templates=templates, subjects=subjects, notices=NOTICE_TEMPLATES
    )


def _template_or_404(template_id: int) -> MessageTemplate:
    """A template organisers may open; one deleted (archived once sent) is gone for them."""
    template = db.session.get(MessageTemplate, template_id)
    if template is None or template.archived_at is not None:
        abort(404)
    return template


def _template_data(form: TemplateForm) -> dict:
    return {
        "key": form.key.data,
        "name": form.name.data,
        "subject_fr": form.subject_fr.data or "",
        "body_fr": form.body_fr.data or "",
        "subject_en": form.subject_en.data or "",
        "body_en": form.body_en.data or "",
    }


def _template_form(**kwargs) -> TemplateForm:
    """The template form, its preview's campaign chosen among the published ones and the
    drafts (only previewed: a message about a draft is refused when it is scheduled)."""
    form = TemplateForm(**kwargs)
    param = known_audience_params().get("campaign_id")
    offered = param and (param.preview_choices or param.choices)
    campaigns = offered() if offered else []
    form.campaign_id.choices = (
        [("", _("The recipient's own campaign")), *campaigns] if campaigns else []
    )
    return form


def _preview_context(form: TemplateForm, chosen: str | None = None) -> dict:
    """The campaign the preview (or, `chosen`, the test) speaks of, when one of those
    offered was chosen."""
    chosen = form.campaign_id.data if chosen is None else chosen
    offered = {value for value, _label in form.campaign_id.choices}
    if chosen and chosen in offered:
        # "preview": a draft's values too, which a message sent never has.
        return {"campaign_id": int(chosen), "preview": True}
    return {}


def _campaign_by_default(template: MessageTemplate, form: TemplateForm) -> str:
    """The campaign the preview and the test speak of when none was asked: that of the
    template's next sending (a launch planned for next month's campaign, whose own facts
    the running one's lacked), if offered; else each reader's own ("")."""
    named = queries.next_sending_campaign(template, utcnow())
    offered = {value for value, _label in form.campaign_id.choices}
    return str(named) if named is not None and str(named) in offered else ""


def _preview(form: TemplateForm) -> dict:
    """Problems, or the rendering in both languages: with the organiser's own values for
    their own address (or none), with the examples for any other, whether someone has it
    or nobody does. Nobody is looked up: the preview tells neither who has an account nor
    anyone else's name, which they may have asked the leaderboards to hide."""
    address = (form.recipient.data or "").strip()
    others = bool(address) and address.lower() != current_user.email.lower()
    for_whom = address if others else current_user.display_name
    data = _template_data(form)
    # A text the form refused (too long) is not rendered either: said as its problems are.
    refused = [
        TemplateProblem(name, None, str(e)) for name in TEXT_FIELDS for e in form[name].errors
    ]
    problems = [*refused, *check_template(data)]
    if problems:
        return {"problems": problems, "renders": {}, "for_whom": for_whom}
    now = utcnow()
    compiled = CompiledTemplate.compile(MessageTemplate(**data))
    renders, inbox_copies = {}, {}
    context = _preview_context(form)
    # Without a campaign, these have no value: said with where to choose one.
    campaign_only = frozenset() if context else NAMED_CAMPAIGN_ONLY
    for locale in ("fr", "en"):
        variables = services.preview_variables(
            current_user, locale, now, data["key"] or "", examples=others, context=context
        )
        try:
            renders[locale] = compiled.render(locale, variables)
        except TemplateRefused as error:  # the values the examples stood for were larger
            renders[locale] = ("", error.reason())
            continue
        except Exception:  # a value this person or a preview lacks: say which
            texts = (data[f"subject_{locale}"], data[f"body_{locale}"])
            renders[locale] = ("", why_not_rendered(texts, variables, campaign_only))
            continue
        # The inbox copy leaves out the e-mail-only links: shown when it reads otherwise.
        inbox = portal_copy(renders[locale][1], [variables.get(n) for n in EMAIL_ONLY_LINKS])
        if inbox != renders[locale][1]:
            inbox_copies[locale] = inbox
    # A chosen campaign's facts are the same for everyone: the note says they are real.
    return {
        "problems": [],
        "renders": renders,
        "inbox_copies": inbox_copies,
        "for_whom": for_whom,
        "examples": others,
        "campaign_chosen": bool(context),
        "ended_campaign": _ended_countdown(data, context, now),
    }


def _ended_countdown(data: dict, context: dict, now) -> str | None:
    """The name of the campaign chosen for the preview when it has ended and the texts
    count down to its end: « Il reste 0 jour ; la campagne se termine . » needs saying
    that such a message is not sent (scheduling it is refused)."""
    texts = {name: data[name] for name in services.TEMPLATE_FIELDS}
    if not context or not services.counts_down(texts):
        return None
    campaign = queries.ended_campaign(context.get("campaign_id"), now)
    return campaign.name(current_language()) if campaign is not None else None


def _refused_recipient(form: TemplateForm) -> dict:
    """The preview waiting for a correct "Preview for" address; `refusal` is what is read
    out when that address has just changed (the field says it too)."""
    refusal = _(
        "%(field)s: %(errors)s",
        field=form.recipient.label.text,
        errors=" ".join(str(error) for error in form.recipient.errors),
    )
    return {"recipient_refused": True, "refusal": refusal, "problems": [], "renders": {}}


def _link_notes(form: TemplateForm) -> dict[str, str]:
    """A note at each body whose line gives an e-mail-only link amid other words, which the
    inbox copy then cuts short (a warning: the template is saved all the same)."""
    notes = {}
    for field in ("body_fr", "body_en"):
        cutting = links_cutting_their_line(form[field].data or "", EMAIL_ONLY_LINKS)
        notes[field] = " ".join(
            _(
                "The inbox copy leaves %(variable)s out of its line, whose sentence may then "
                "stop short: put that link on a line of its own.",
                variable="{{ " + name + " }}",
            )
            for name in cutting
        )
    return {field: note for field, note in notes.items() if note}


def _editor(
    form: TemplateForm,
    template: MessageTemplate | None,
    preview: dict | None = None,
    test_language: str | None = None,
    test_answer: dict | None = None,
    test_campaign: str | None = None,
):
    """The editor's page. The test's campaign is the preview's unless the test asked for
    another (`test_campaign`: a refused test comes back with its own choice)."""
    if preview is None and form.recipient.errors:  # the field says why; the preview where
        preview = _refused_recipient(form)
    pending = queries.pending_uses(template) if template and not template.builtin else None
    return render_template(
        "messaging/template_form.html",
        form=form,
        template=template,
        preview=preview,
        variables=services.variables_for_authors(),
        variable_notes=VARIABLE_NOTES,
        link_notes=_link_notes(form),
        restorable=template is not None and services.differs_from_shipped_text(template),
        # Its sends to come, said instead of a delete the server would refuse.
        pending=pending,
        pending_rhythms=[(s.id, _rhythm_with_end(s)) for s in pending.schedules] if pending else [],
        # Shared: the sends to come take the text saved here (a dispatch's link led here).
        planned=_planned_in_words(template) if template else None,
        notices=NOTICE_TEMPLATES,
        confirm_form=ConfirmForm(),
        test_answer=test_answer,
        test_form=_test_form(form, test_language, test_campaign),
    )


def _test_form(form: TemplateForm, language: str | None, campaign: str | None) -> SendTestForm:
    """ "Send me a test": in the organiser's own language unless they choose the other one,
    about the preview's campaign unless they choose another (the same list)."""
    test_form = SendTestForm(
        formdata=None,
        language=language or current_user.locale or current_language(),
        test_campaign_id=(form.campaign_id.data or "") if campaign is None else campaign,
    )
    test_form.test_campaign_id.choices = form.campaign_id.choices
    return test_form


def _planned_in_words(template: MessageTemplate) -> dict | None:
    """The template's sends to come, each with its moment (or rhythm) in words."""
    dispatches, schedules = queries.planned_with(template)
    if not dispatches and not schedules:
        return None
    return {
        "dispatches": [(d.id, format_full_moment(d.due_at)) for d in dispatches],
        "schedules": [(s.id, _rhythm_with_end(s)) for s in schedules],
    }


def _rhythm_with_end(schedule) -> str:
    """A recurring message's rhythm in words (else its expression) and its end, if any:
    "Every Monday at 09:00 until 23 Dec 2026"."""
    return with_end(describe_cron(schedule.cron) or schedule.cron, schedule.until)


def _refused_template(
    form: TemplateForm,
    template: MessageTemplate | None,
    error: services.TemplateInvalid,
    test_language: str | None = None,
    test_campaign: str | None = None,
):
    """The editor again, each problem at its text's field and in the summary (422)."""
    for problem in error.problems:
        field = form[problem.field]
        field.errors = [*field.errors, str(problem)]
    preview = {"problems": error.problems, "renders": {}}
    return _editor(form, template, preview, test_language, test_campaign=test_campaign), 422


# Fields the preview itself speaks of (its problems, its refused address), or none.
_SAID_IN_THE_PREVIEW = {*TEXT_FIELDS, "recipient", "csrf_token"}


def _previewed(form: TemplateForm, template: MessageTemplate | None):
    """The editor after "Preview" without JavaScript, as the live preview does: rendered
    from the texts whatever the key or name (not used by it). Their errors stay at their
    fields, and a note over the preview names them: the page lands there, nothing saved."""
    form.validate()
    preview = _refused_recipient(form) if form.recipient.errors else _preview(form)
    preview["to_correct"] = [
        field for field in form if field.errors and field.name not in _SAID_IN_THE_PREVIEW
    ]
    preview["answered"] = True  # the page answers "Preview": its heading takes the focus
    return _editor(form, template, preview), 422 if form.errors else 200


def _refused_save(form: TemplateForm, template: MessageTemplate | None):
    """The editor with every problem of a save at once, or None when it can be saved: the
    form's (key, name, lengths), the key already taken and the texts' (empty, not
    rendering), each at its field (the first focused) and all in the summary. The texts'
    came only once the key was right: two rounds of errors."""
    key = form.key.data or ""
    if template is None and not form.key.errors and (taken := services.key_refusal(key)):
        form.key.errors = [*form.key.errors, taken]
    problems = check_template(_template_data(form))
    if not form.errors and not problems:
        return None
    preview = _refused_recipient(form) if form.recipient.errors else _preview(form)
    preview["to_correct"] = [
        field for field in form if field.errors and field.name not in _SAID_IN_THE_PREVIEW
    ]
    for problem in problems:
        field = form[problem.field]
        field.errors = [*field.errors, str(problem)]
    return _editor(form, template, preview), 422


@bp.route("/templates/new", methods=["GET", "POST"])
@role_required("organiser")
def new_template():
    """Write a new template."""
    form = _template_form()
    if request.method == "POST" and request.form.get("action") == "preview":
        return _previewed(form, None)
    if form.is_submitted():
        form.validate()  # the form's problems; _refused_save adds the texts' and the key's
        if refused := _refused_save(form, None):
            return refused
        try:
            template = services.save_template(None, _template_data(form), current_user, utcnow())
        except services.TemplateInvalid as error:
            return _refused_template(form, None, error)
        except services.MessagingError as error:
            form.key.errors.append(str(error))
            return _editor(form, None), 422
        db.session.commit()
        flash(_("Template saved."), "success")
        return _back_to_editor(template, form)
    return _editor(form, None), 422 if form.errors else 200


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@role_required("organiser")
def edit_template(template_id: int):
    """Edit a template (the key stays)."""
    template = _template_or_404(template_id)
    form = _template_form(obj=template)
    form.key.data = template.key
    if request.method == "GET":  # the person the preview was for, kept across a save
        form.version.data = services.template_version(template)
        form.recipient.data = session.pop(PREVIEW_RECIPIENT_KEY, "")
        # From a dispatch's page (or after a save): the preview speaks of the campaign
        # in the address, "" the reader's own; else of the next sending's.
        if "campaign_id" in request.args:
            form.campaign_id.data = request.args["campaign_id"][:12]
        else:
            form.campaign_id.data = _campaign_by_default(template, form)
        test_answer = _test_answer_carried(template)
        if test_answer:
            _as_tested(form, template, test_answer)
        # The preview comes with the page, not asked once it has loaded: nothing changed
        # that the person asked for, so nothing is read out ("Template saved." is).
        return _editor(
            form,
            template,
            _preview(form),
            test_language=(test_answer or {}).get("language"),
            test_answer=test_answer,
        )
    if request.form.get("action") == "preview":
        return _previewed(form, template)
    if form.is_submitted():
        form.validate()  # the form's problems; _refused_save adds the texts' and the key's
        if refused := _refused_save(form, template):
            return refused
        # A form sent without its version (a page cached from before it had one) is
        # not compared: its save is judged as before.
        seen = form.version.data or None
        try:
            services.save_template(template, _template_data(form), current_user, utcnow(), seen)
        except services.TemplateInvalid as error:
            db.session.rollback()
            return _refused_template(form, template, error)
        except services.TemplateChangedMeanwhile as error:
            db.session.rollback()
            flash(str(error), "error")
            # What was typed stays; a second save, made knowing, is taken.
            form.version.data = services.template_version(template)
            return _editor(form, template), 409
        db.session.commit()
        flash(_("Template saved."), "success")
        return _back_to_editor(template, form)
    return _editor(form, template), 422 if form.errors else 200


def _back_to_editor(template: MessageTemplate, form: TemplateForm):
    """The editor after a save, its preview still for the person chosen (not the
    organiser again, as if the choice had been forgotten). The colleague's address
    goes through the session, never the URL (browser history, access logs)."""
    if form.recipient.data:
        session[PREVIEW_RECIPIENT_KEY] = form.recipient.data[:254]
    # The campaign the preview spoke of stays chosen too (« La campagne du destinataire »
    # came back after each save); an id in the address, as a dispatch's page links it,
    # empty for the reader's own (chosen: not the next sending's again).
    campaign_id = (form.campaign_id.data or "")[:12]
    return redirect(
        url_for("messaging.edit_template", template_id=template.id, campaign_id=campaign_id)
    )


@bp.post("/templates/<int:template_id>/restore")
@role_required("organiser")
def restore_template(template_id: int):
    """Put back the text Empreinte ships for a built-in template."""
    template = _template_or_404(template_id)
    if ConfirmForm().validate_on_submit():
        try:
            if services.restore_shipped_text(template, current_user, utcnow()):
                db.session.commit()
                flash(_("The built-in text is back."), "success")
            else:
                flash(_("This text is already the built-in one."), "info")
        except services.MessagingError as error:
            flash(str(error), "error")
    return redirect(url_for("messaging.edit_template", template_id=template.id))


@bp.post("/templates/<int:template_id>/delete")
@role_required("organiser")
def delete_template(template_id: int):
    """Delete a template no message is still to go out with (asked first)."""
    template = _template_or_404(template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = template_title(template)
    try:
        services.delete_template(template, current_user, utcnow())
    except services.MessagingError as error:
        flash(str(error), "error")
        return redirect(url_for("messaging.edit_template", template_id=template.id))
    db.session.commit()
    flash(_("Template “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("messaging.list_templates"))


@bp.post("/templates/preview")
@role_required("organiser")
def preview_template():
    """The live preview (htmx): both languages for the chosen recipient."""
    form = _template_form()
    form.validate()
    address_changed = htmx.trigger == form.recipient.id
    if form.recipient.errors:  # said at the field, in the form's own words
        preview = _refused_recipient(form)
    elif not any(_template_data(form)[name].strip() for name in services.TEMPLATE_FIELDS):
        # A blank new template: nothing typed yet, so nothing is wrong yet.
        preview = None
    else:
        preview = _preview(form)
    if wants_fragment():
        # A refusal is read out when the address changed; typing elsewhere changes nothing
        # about it, and the focus has moved on from the field that shows it.
        html = render_template(
            "messaging/_preview.html", preview=preview, announce_refusal=address_changed
        )
        if address_changed:  # its field follows
            html += render_template("messaging/_recipient_field.html", form=form, oob=True)
        if htmx.trigger == form.campaign_id.id and "test_campaign_id" in request.form:
            # The test follows the preview's new campaign (what it shows is what it sends).
            html += render_template(
                "messaging/_test_campaign_field.html",
                test_form=_test_form(form, None, None),
                oob=True,
            )
        response = current_app.make_response(html)
        response.headers["Vary"] = "HX-Request"
        return response
    return _editor(form, None, preview)


@bp.route("/templates/<int:template_id>/test", methods=["GET", "POST"])
@leads_back
@role_required("organiser")
def test_template(template_id: int):
    """Send myself what the preview shows: the text as typed (unsaved), about the campaign
    chosen for the test (the preview's by default), in the language chosen, in the inbox
    and by e-mail. GET (the address left in the bar after a test, reloaded or opened in a
    new tab): the template's page, nothing sent."""
    template = _template_or_404(template_id)
    if request.method == "GET":
        return redirect(url_for("messaging.edit_template", template_id=template.id))
    test_form = SendTestForm()
    if not test_form.validate_on_submit():
        abort(400)
    if "subject_fr" not in request.form:  # a page from before the editor sent its texts
        return _test_saved_text(template, test_form.language.data)
    language = test_form.language.data
    form = _template_form(obj=template)
    form.key.data = template.key
    # A page from before the test had its own choice: the preview's campaign.
    campaign = request.form.get("test_campaign_id")
    if not form.validate():
        return _editor(form, template, test_language=language, test_campaign=campaign), 422
    data = _template_data(form)
    if problems := check_template(data):  # refused as a save is: at each field
        invalid = services.TemplateInvalid(problems)
        return _refused_template(form, template, invalid, language, campaign)
    _send_test(template, language, data, _preview_context(form, campaign))
    if form.recipient.data:  # the preview stays for the person chosen, as after a save
        session[PREVIEW_RECIPIENT_KEY] = form.recipient.data[:254]
    return _to_test_answer(template)


def _send_test(template: MessageTemplate, locale: str | None, data=None, context=None) -> None:
    """Send the test (`data`: the texts as typed), commit, and carry over the redirect
    where it went, or why it did not (see _carry_test_answer)."""
    try:
        with MailerPool(current_app.config, size=1) as mailer:
            tested = services.send_test_message(
                template, current_user, utcnow(), mailer, locale, texts=data, context=context
            )
    except services.TestAlreadySent as error:
        _carry_test_answer(template, str(error), "info", locale, error.dispatch)
        return
    except services.MessagingError as error:
        db.session.commit()  # the inbox copy stays even when the e-mail failed
        tested = services.latest_test(template, current_user) if data is not None else None
        _carry_test_answer(template, str(error), "error", locale, tested)
        return
    db.session.commit()
    unsaved = data is not None and any(
        plain_newlines(data[field]) != getattr(template, field)
        for field in ("name", *services.TEMPLATE_FIELDS)
    )
    # Which of the two versions went: the language chosen, else the author's own.
    sent_in = locale if locale in LOCALES else message_language(current_user.locale)
    version = _("the French version") if sent_in == "fr" else _("the English version")
    if unsaved:  # the page comes back with it: its changes are still to be saved
        message = _(
            "Test message sent to %(email)s and to your inbox (%(version)s), with the text "
            "as it is in the form: it is not saved yet.",
            email=current_user.email,
            version=version,
        )
    else:
        message = _(
            "Test message sent to %(email)s and to your inbox (%(version)s).",
            email=current_user.email,
            version=version,
        )
    _carry_test_answer(template, message, "success", locale, tested if data is not None else None)


# A test's answer, kept across the redirect back to the editor (POST/redirect/GET: a
# reload shows the page again, it does not send the test again).
TEST_ANSWER_KEY = "messaging_test_answer"


def _carry_test_answer(template, message: str, kind: str, language, tested) -> None:
    """Keep the answer for the editor's next GET; `tested`: the test whose text (typed,
    unsaved) the form comes back with, its id only (the session is a cookie)."""
    session[TEST_ANSWER_KEY] = {
        "template": template.id,
        "message": message,
        "kind": kind,
        "language": language,
        "tested": tested.id if tested is not None else None,
    }


def _test_answer_carried(template: MessageTemplate) -> dict | None:
    """The test's answer carried over the redirect, once, on this template's page."""
    answer = session.get(TEST_ANSWER_KEY)
    if not isinstance(answer, dict) or answer.get("template") != template.id:
        return None
    session.pop(TEST_ANSWER_KEY)
    return answer


def _as_tested(form: TemplateForm, template: MessageTemplate, answer: dict) -> None:
    """The form as it was when the test was asked: the text sent (typed, perhaps unsaved)
    and the campaign the preview spoke of. Only the organiser's own test of this template."""
    tested = db.session.get(Dispatch, answer["tested"]) if answer.get("tested") else None
    if tested is None or tested.template_id != template.id:
        return
    if tested.created_by_id != current_user.id or not tested.sent_text:
        return
    for name in ("name", *services.TEMPLATE_FIELDS):
        form[name].data = tested.sent_text.get(name, form[name].data)
    form.campaign_id.data = str((tested.context or {}).get("campaign_id") or "")


def _to_test_answer(template: MessageTemplate):
    """The editor, opened at the test's answer, where the person acted."""
    return redirect(
        url_for("messaging.edit_template", template_id=template.id, _anchor="test-answer")
    )


def _test_saved_text(template: MessageTemplate, locale: str | None):
    """The saved text's test, the editor's page asked again: about the campaign of the
    template's next sending, as the editor would have chosen it."""
    try:
        services.require_valid(template)
    except services.MessagingError as error:
        _carry_test_answer(template, str(error), "error", locale, None)
    else:
        form = _template_form(formdata=None)
        _send_test(
            template, locale, None, _preview_context(form, _campaign_by_default(template, form))
        )
    return _to_test_answer(template)


@bp.get("/test-unsubscribe")
def test_unsubscribe():
    """Where a test message's unsubscribe link leads (no sign-in: it is opened from the
    e-mail): it unsubscribes nobody, and says so."""
    return render_template("messaging/test_unsubscribe.html")


# --- audiences and schedules -------------------------------------------------------------


def _audience_params(audience_key: str) -> dict:
    audience = known_audiences().get(audience_key)
    source = request.form if request.method == "POST" else request.args
    return {name: source.get(name, "").strip() for name in (audience.params if audience else ())}


def _schedule_form(formdata=None) -> ScheduleForm:
    """The schedule form with its choices; filled from `formdata` when given (the page
    shown again by an address), else from the posted form as usual."""
    form = ScheduleForm() if formdata is None else ScheduleForm(formdata=formdata)
    if ensure_builtin_templates():
        # The form posts these ids back: they must outlive this request. Left to its
        # rollback, PostgreSQL gave them new ids the next time and refused the choice.
        db.session.commit()
    # An empty first choice: the browser showed the first template (« Dernières 48
    # heures ») as chosen, and it went out when the organiser meant another.
    form.template.choices = [
        SelectChoice("", _("Choose a template")),
        *(
            SelectChoice(t.id, f"{template_title(t)} ({t.key})")
            for t in queries.list_templates()
            if t.key not in NOTICE_TEMPLATES
        ),
    ]
    audiences = sorted(known_audiences().values(), key=lambda a: a.key != "everyone")
    form.audience.choices = [
        SelectChoice("", _("Choose an audience")),
        *(SelectChoice(a.key, str(a.label)) for a in audiences),
    ]
    day_names = get_day_names("wide", locale=get_locale())
    form.weekday.choices = [SelectChoice(day, day_names[day]) for day in range(len(CRON_DAYS))]
    # The date picker stops where the service does (a year ahead), so 2062 is not offered.
    form.at.render_kw = {"max": f"{services.latest_schedulable_day(utcnow())}T23:59"}
    form.until.render_kw = {"max": services.latest_schedulable_day(utcnow()).isoformat()}
    _preselect_audience(form)
    return form


def _chosen_template(form: ScheduleForm) -> MessageTemplate | None:
    """The template chosen in the form, if it is one (not a mistyped id)."""
    chosen = form.template.data
    if not isinstance(chosen, int) or not 0 < chosen < 2**31:
        return None
    return db.session.get(MessageTemplate, chosen)


def _preselect_audience(form: ScheduleForm, replace: bool = False) -> None:
    """A template written for one audience only (« Pas encore participé ») comes with that
    audience chosen: any other is refused. `replace`: over an audience already chosen (the
    template just picked, with htmx); else only when none is, so that a form sent with
    another one is refused at the audience, saying why."""
    template = _chosen_template(form)
    wanted = AUDIENCE_OF.get(template.key) if template is not None else None
    if wanted is not None and wanted in known_audiences() and (replace or not form.audience.data):
        form.audience.data = wanted


def _audience_note(form: ScheduleForm) -> str | None:
    """Why the audience is chosen for the template, when it takes only one; else None."""
    template = _chosen_template(form)
    audience = known_audiences().get(AUDIENCE_OF.get(template.key, "")) if template else None
    if audience is None:
        return None
    return _(
        "“%(name)s” tells each reader they have not taken part in the campaign yet: it goes "
        "only to the audience “%(audience)s”, chosen for it. Choose its campaign.",
        name=template_title(template),
        audience=str(audience.label),
    )


def _choose_no_template(form: ScheduleForm, refusal: str | None = None) -> None:
    """No template chosen, with the reason at the field when there is one: the list opens
    on an empty choice, where the browser showed the first template as chosen and it was
    scheduled by mistake."""
    form.template.data = None
    if refusal:
        form.template.errors = [refusal]


def _schedule_page(
    form: ScheduleForm,
    size: dict | None = None,
    param_errors=None,
    focus_count=False,
    no_audience=False,
):
    """The schedule form; `focus_count`: the page answers "Count the recipients", whose
    count then takes the focus; `no_audience`: it was asked with no audience chosen."""
    return render_template(
        "messaging/schedule.html",
        form=form,
        size=size,
        audience_params=_audience_params_offered(),
        param_errors=param_errors or {},
        values=request.values,
        focus_count=focus_count,
        no_audience=no_audience,
        clock_change=_clock_change_of(form),
        audience_note=_audience_note(form),
    )


def _audience_params_offered() -> list:
    """The audiences' parameters the form offers (a campaign, a department…)."""
    wanted = {name for audience in known_audiences().values() for name in audience.params}
    return [param for name, param in known_audience_params().items() if name in wanted]


@bp.get("/schedule/recipients")
@role_required("organiser")
def schedule_recipients():
    """The form's recipients as the template just chosen wants them (htmx fragment): the
    audience a template written for one takes, and why; or the form's page as filled."""
    form = _schedule_form(request.args)
    _preselect_audience(form, replace=True)
    if wants_fragment():
        html = render_template(
            "messaging/_schedule_recipients.html",
            form=form,
            size=_size(form.audience.data or "", live=True),
            audience_params=_audience_params_offered(),
            param_errors={},
            values=request.args,
            audience_note=_audience_note(form),
        )
    else:
        html = _schedule_page(form, _size(form.audience.data or ""))
    response = current_app.make_response(html)
    response.headers["Vary"] = "HX-Request"
    return response


def _clock_change_of(form: ScheduleForm) -> str | None:
    """What the clock changes do to the recurring time chosen in the form (02:30 every
    day), said next to its time as the confirmation says it; None for any other."""
    if form.kind.data != "cron":
        return None
    return chosen_clock_change_note(
        form.repeat.data,
        form.time.data,
        form.weekday.data,
        form.month_day.data,
        form.cron.data,
        utcnow(),
        form.until.data,  # only the clock changes before its end
    )


def _refusal(form: ScheduleForm, error: services.MessagingError) -> dict:
    """Show a refusal at its field: one of the form's, or an audience parameter's (the
    errors returned, by parameter name); at "When" when it is about no field."""
    if error.field in known_audience_params():
        return {error.field: str(error)}
    field = form._fields.get(error.field, form.kind)
    field.errors = [*field.errors, str(error)]
    return {}


def _size(audience_key: str, live: bool = False) -> dict | None:
    """The count shown under the audience; `live` (as the form is filled): a parameter
    not chosen yet is a step to come, not a refusal, which waits for the form's sending."""
    if not audience_key:  # none chosen yet: no size to show
        return None
    if live and (step := services.count_waits_for(audience_key, _audience_params(audience_key))):
        return {"waiting": step}
    try:
        return {
            "count": services.audience_size(audience_key, _audience_params(audience_key), utcnow())
        }
    except services.MessagingError as error:
        return {"error": str(error)}


@bp.get("/audience-size")
@role_required("organiser")
def audience_size():
    """How many people the chosen audience reaches (htmx fragment or full page)."""
    key = request.args.get("audience", "")
    size = _size(key, live=True)
    if wants_fragment():
        if not key:  # back to "Choose an audience": said, rather than an empty answer
            size = {"waiting": _("Choose an audience to count its recipients.")}
        response = current_app.make_response(
            render_template("messaging/_audience_size.html", size=size)
        )
        response.headers["Vary"] = "HX-Request"
        return response
    # The page again, as filled: the fields came along in the address.
    form = _schedule_form(request.args)
    if not key:
        return _no_audience_to_count(form), 422
    return _schedule_page(form, size)


def _no_audience_to_count(form: ScheduleForm) -> str:
    """The form again when recipients are counted with no audience chosen: the count
    says so and takes the focus, the Audience field marked invalid and described by it
    (an empty count said nothing). The page opens at the count (its address's
    #audience-size), which browsers focus rather than any autofocused field."""
    size = {"error": _("Choose an audience to count its recipients.")}
    return _schedule_page(form, size, focus_count=True, no_audience=True)


@bp.get("/clock-change")
@role_required("organiser")
def clock_change():
    """The clock-change note of the recurrence being chosen (htmx fragment, as the time or
    the rhythm changes), or the form's page as filled."""
    if wants_fragment():  # only the fields it reads: no templates or audiences to list
        note = _clock_change_of(ScheduleForm(formdata=request.args))
        html = render_template("messaging/_clock_change_note.html", clock_change=note)
    else:
        form = _schedule_form(request.args)
        html = _schedule_page(form, _size(form.audience.data or ""))
    response = current_app.make_response(html)
    response.headers["Vary"] = "HX-Request"
    return response


def _notice_template(template_id: int) -> MessageTemplate | None:
    template = db.session.get(MessageTemplate, template_id) if template_id < 2**31 else None
    return template if template is not None and template.key in NOTICE_TEMPLATES else None


def _not_schedulable(template: MessageTemplate) -> str:
    return _(
        "“%(name)s” is sent by the portal itself, to one person when it concerns them: it cannot be scheduled. Choose another template.",
        name=template_title(template),
    )


@bp.route("/schedule", methods=["GET", "POST"])
@role_required("organiser")
def schedule():
    """Pick a template, an audience and when: now, at a date-time, recurring."""
    once = _confirmation_token()
    if once and (earlier := queries.confirmed_already(once)) is not None:
        return _already_scheduled(earlier)  # "yes" sent again (Back, a slow network)
    form = _schedule_form()
    if request.method == "GET" and (raw := request.args.get("template", "").strip()):
        asked = int(raw) if raw.isascii() and raw.isdigit() else None
        if asked is not None and asked in {choice.value for choice in form.template.choices}:
            form.template.data = asked
            _preselect_audience(form)
        elif asked is not None and (notice := _notice_template(asked)):
            # A notice goes to one person when something happens to them: preselecting
            # another template instead sent the wrong message to a whole scope.
            _choose_no_template(form, _not_schedulable(notice))
        else:  # a deleted template, an old or mistyped link: the same mistake
            _choose_no_template(
                form,
                _(
                    "The template asked for does not exist or is no longer available. "
                    "Choose one in the list."
                ),
            )
    if request.method == "POST" and request.form.get("count"):
        # "Count the recipients" without JavaScript: the form again, as filled, with the
        # size of its audience; nothing is checked or scheduled yet.
        if not form.audience.data:
            return _no_audience_to_count(form), 422
        return _schedule_page(form, _size(form.audience.data), focus_count=True)
    if not form.validate_on_submit():
        # The chosen audience's size comes with the page: fetched on load, it was read out
        # to screen readers as if it had just changed.
        return _schedule_page(form, _size(form.audience.data)), 422 if form.errors else 200
    template = db.session.get(MessageTemplate, form.template.data)
    at = form.at.data.replace(tzinfo=local_zone()) if form.at.data else None
    cron = None
    until = form.until.data if form.kind.data == "cron" else None
    if form.kind.data == "cron":
        cron = recurrence_cron(
            form.repeat.data,
            form.time.data,
            form.weekday.data,
            form.month_day.data,
            form.cron.data or "",
        )
    audience, params, now = form.audience.data, _audience_params(form.audience.data), utcnow()
    try:
        if request.form.get("confirm") != "yes":
            # Sending to many people, or again and again, is asked first, in words, on a
            # page of its own: it works without JavaScript and its figures are those of
            # this very form (a dialog written with the page could not know them).
            size = services.check_schedule(
                template, audience, params, form.kind.data, now, at=at, cron=cron, until=until
            )
            if request.form.get("confirm") == "no":  # "Change something": the form again
                return _schedule_page(form, _size(audience))
            return _schedule_confirmation(form, template, size, params, at, cron, now, until)
        # "Yes": schedule_message checks the same rules (the audience counted once).
        result = services.schedule_message(
            template,
            audience,
            params,
            form.kind.data,
            now,
            actor=current_user,
            at=at,
            cron=cron,
            once=once,
            until=until,
        )
    except services.MessagingError as error:
        db.session.rollback()
        return _schedule_page(form, _size(audience), _refusal(form, error)), 422
    except IntegrityError:
        # The same "yes" twice at once: the other request holds its token's unique key.
        db.session.rollback()
        earlier = queries.confirmed_already(once) if once else None
        if earlier is None:
            raise
        return _already_scheduled(earlier)
    db.session.commit()
    flash(_("Message scheduled."), "success")
    if isinstance(result, Dispatch):
        return redirect(url_for("messaging.show_dispatch", dispatch_id=result.id))
    return redirect(url_for("messaging.list_dispatches"))


# The one-time token of a confirmation page (secrets.token_urlsafe); the unique key
# "confirm:<token>" must fit in 80 characters.
ONCE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _confirmation_token() -> str | None:
    """The one-time token sent with the confirmation page's "yes", if well formed."""
    if request.method != "POST" or request.form.get("confirm") != "yes":
        return None
    once = request.form.get("once", "")
    return once if ONCE_TOKEN.fullmatch(once) else None


def _already_scheduled(earlier: Dispatch | Schedule):
    """The answer to a confirmation used again: what it created the first time."""
    if isinstance(earlier, Dispatch):
        flash(
            _(
                "This message was already scheduled by your first confirmation (dispatch "
                "%(number)s): it is not sent a second time.",
                number=earlier.id,
            ),
            "info",
        )
        return redirect(url_for("messaging.show_dispatch", dispatch_id=earlier.id))
    flash(
        _(
            "This recurring message was already scheduled by your first confirmation: "
            "it is not scheduled a second time."
        ),
        "info",
    )
    return redirect(url_for("messaging.list_dispatches"))


def _schedule_confirmation(form, template, size: int, params: dict, at, cron, now, until=None):
    """The question before scheduling: how many people, when, and how often in words,
    until when if it ends. The form's fields go along hidden, so that "yes" schedules
    exactly what was asked."""
    rhythm = describe_cron(cron) if cron else None
    # "Send to 3 people every Monday at 09:00 until 23 Dec 2026?"
    rhythm_in_sentence = with_end(_in_sentence(rhythm), until) if rhythm else None
    rhythm = with_end(rhythm, until) if rhythm else None
    names = [f.name for f in form if f.name != "csrf_token"] + list(params)
    upcoming = next_run(cron, now, until) if cron else None
    when = upcoming if cron else at or now
    earlier, already_got = _earlier_sendings(template, form.audience.data, params, now)
    same_day = _same_day_sendings(template, form.kind.data, params, now, at, cron, until)
    mismatch = None
    if when is not None:  # a rhythm that never comes has no moment to check
        mismatch = services.campaign_timing_mismatch(
            template, form.audience.data, params, when, current_language()
        )
    return render_template(
        "messaging/schedule_confirm.html",
        form=form,
        template=template,
        size=size,
        earlier=earlier,
        already_got=already_got,
        same_day=same_day,
        by_email=services.audience_by_email(form.audience.data, params, now),
        consent_only=needs_consent(form.audience.data),
        earlier_days=queries.SAME_MESSAGE_DAYS,
        audience=audience_namer()(form.audience.data, params),
        at=at,
        cron=cron,
        until=until,
        rhythm=rhythm,
        rhythm_in_sentence=rhythm_in_sentence,
        upcoming=upcoming,
        mismatch=mismatch,
        mismatch_when=format_full_moment(when) if mismatch else None,
        # A rhythm whose e-mails fall outside the working hours on some days (every day,
        # with Mo-Fr hours): said before scheduling, as they will pile up.
        held=_held_run_in_words(cron, now) if cron else None,
        # 02:30 every day: what happens the nights the clocks change (a note, not a refusal).
        # 02:30 the night the clocks go back, once: which of the two (the first).
        clock_change=clock_change_note(cron, now, until) if cron else repeated_hour_note(at),
        # A one-off message sent outside them (now on a Saturday, on a Sunday at 10:00):
        # its inbox copies go at once, its e-mails when the working hours open.
        emails_wait=_emails_wait_in_words(at or now) if not cron else None,
        hidden=[(name, request.form[name]) for name in names if name in request.form],
        # Made with the question: its "yes", sent twice, schedules the message once.
        once=secrets.token_urlsafe(16),
    )


def _held_run_in_words(cron: str, now) -> tuple[str, str] | None:
    """The first sending whose e-mails wait for the working hours, and when they go, as
    the page says moments (with the day's name: « dimanche 6 décembre 2026 à 9 h »)."""
    held = services.first_held_run(cron, now)
    return (format_full_moment(held[0]), format_full_moment(held[1])) if held else None


def _emails_wait_in_words(when) -> str | None:
    """When the e-mails of a message sent at `when` go, if they wait for the working
    hours (« lundi 7 décembre 2026 à 8 h »); None when they go at once."""
    paused_until = services.email_paused_until(when)
    return format_full_moment(paused_until) if paused_until else None


def _in_sentence(text: str) -> str:
    """A rhythm ("Every Monday at 09:00") inside a sentence: only its first letter
    changes, day names keep theirs."""
    return text[:1].lower() + text[1:]


def _earlier_sendings(template, audience: str, params: dict, now) -> tuple[list[dict], int]:
    """The same template already sent lately, or planned, to some of this audience's
    people (whatever audience it was picked as): what the confirmation warns of, each
    with its moment in words, where to check or cancel it and how many of today's
    recipients it reaches (`count`, never its own size); and how many of them already
    received it."""
    same = services.same_message(template, audience, params, now)
    found = []
    for earlier, overlap in same.earlier:
        if earlier.state == "recurring":
            # Its next run no later than its end (one with none left is not listed here).
            upcoming = next_run(earlier.cron, now, earlier.until)
            rhythm = describe_cron(earlier.cron)
            found.append(
                {
                    "state": earlier.state,
                    "url": url_for("messaging.list_dispatches", _anchor=f"schedule-{earlier.id}"),
                    "when": format_full_moment(upcoming) if upcoming else None,
                    "rhythm": with_end(_in_sentence(rhythm), earlier.until) if rhythm else None,
                    "cron": earlier.cron,
                    "until": format_day(earlier.until) if earlier.until else None,
                    "count": overlap,
                }
            )
            continue
        found.append(
            {
                "state": earlier.state,
                "id": earlier.id,
                "url": url_for("messaging.show_dispatch", dispatch_id=earlier.id),
                "when": format_full_moment(earlier.due_at),
                "count": overlap,
            }
        )
    return found, same.already_got


def _same_day_sendings(template, kind: str, params: dict, now, at, cron, until) -> list[dict]:
    """Other messages to the people of the same campaign on a day this one goes (the
    built-in launch at the campaign's start, say): each named, with its moment and where
    to check or cancel it."""
    found = []
    for sending, moment in services.same_day_campaign_sendings(
        template, params, kind, now, at=at, cron=cron, until=until
    ):
        if isinstance(sending, Schedule):
            url = url_for("messaging.list_dispatches", _anchor=f"schedule-{sending.id}")
            state, number = "recurring", sending.id
        else:
            url = url_for("messaging.show_dispatch", dispatch_id=sending.id)
            state, number = sending.status, sending.id
        found.append(
            {
                "state": state,
                "id": number,
                "name": template_title(sending.template),
                "when": format_full_moment(moment),
                "url": url,
            }
        )
    return found


# --- dispatches --------------------------------------------------------------------------


@bp.get("/dispatches")
@role_required("organiser")
def list_dispatches():
    """Dispatches and recurring schedules."""
    now = utcnow()
    upcoming = queries.list_upcoming_dispatches()
    # With no run left before its last day, a recurring message sends no more: listed as
    # ended (the day it last sent), not running.
    schedules, ended = [], []
    for schedule in queries.list_schedules():
        (ended if queries.schedule_ended(schedule, now) else schedules).append(schedule)
    return render_template(
        "messaging/dispatches.html",
        upcoming_dispatches=upcoming,
        estimates=_recipients_estimates(upcoming),
        past_dispatches=queries.list_past_dispatches(),
        schedules=schedules,
        ended_schedules=ended,
        last_sent=queries.last_sendings([s.id for s in ended]),
        campaign_ends=queries.campaign_ends(ended, now),
        stopped_schedules=queries.list_stopped_schedules(),
        audience_name=dispatch_audience_namer(current_user),
        past_audience_name=dispatch_audience_namer(current_user, dated=False),
        describe_cron=describe_cron,
        with_end=with_end,
        next_run=lambda expression, until=None: next_run(expression, now, until),
        too_often=lambda expression: stored_more_than_daily(expression, now),
        form=ConfirmForm(),
    )


@bp.get("/dispatches/<int:dispatch_id>")
@role_required("organiser")
def show_dispatch(dispatch_id: int):
    """Follow one dispatch: recipients, delivered, waiting, skipped, failed, opened."""
    dispatch = queries.organiser_dispatch(dispatch_id, current_user)
    if dispatch is None:
        abort(404)
    return _dispatch_page(dispatch)


def _dispatch_page(dispatch: Dispatch, reschedule_form: RescheduleForm | None = None):
    """A dispatch's page (or its counts' refresh); with the reschedule form as posted.
    A test went to its author alone: nothing of it is withheld from them, who sent it."""
    test = dispatch.audience_key == TEST_AUDIENCE
    withheld = None if test else queries.withheld_below(dispatch)
    tally = queries.delivery_tally(dispatch.id)  # every count below, from one pass
    counts = queries.dispatch_counts(
        dispatch.id, withheld, consent_only=needs_consent(dispatch.audience_key), tally=tally
    )
    # Its refresh every 10 s keeps the estimate the page showed (`hx-preserve`) rather
    # than count an audience of up to 20,000 people again each time.
    estimate_kept = wants_fragment() and _counted_when_sent(dispatch)
    sent = services.text_of_dispatch(dispatch)
    # "Waiting 22" on a Friday evening says nothing of why: e-mails wait for Monday.
    now = utcnow()
    paused_until = (
        services.email_paused_until(now) if counts["channels"]["email"]["pending"] else None
    )
    refresh = _refresh_seconds(tally, paused_until, now)
    return _partial_or_page(
        "messaging/_dispatch_counts.html",
        "messaging/dispatch.html",
        dispatch=dispatch,
        was=request.args.get("was"),
        # Sent or dropped: its campaign without today's dates, which were not its own.
        audience_name=dispatch_audience_namer(
            current_user, dated=dispatch.status in DISPATCH_IN_PROGRESS
        ),
        counts=counts,
        estimate=None if estimate_kept else _recipients_estimate(dispatch),
        estimate_kept=estimate_kept,
        # Only an estimate still meant is kept: cancelled meanwhile, it says so.
        estimate_id="recipients-estimate" if _counted_when_sent(dispatch) else None,
        email_resumes=format_full_moment(paused_until) if paused_until else None,
        refresh_seconds=refresh,
        slow_refresh_minutes=refresh // 60 if refresh == SLOW_REFRESH_SECONDS else None,
        # Which named people an e-mail failed for would tell who accepted e-mails: an
        # organiser sees the errors counted by kind, an admin the addresses.
        failures=(
            queries.failed_deliveries(dispatch.id, withheld=withheld, tally=tally)
            if test or current_user.has_role("admin")
            else None
        ),
        test=test,
        failure_kinds=queries.failures_by_kind(dispatch.id, withheld, tally=tally),
        max_attempts=current_app.config["MESSAGING_MAX_ATTEMPTS"],
        skips=queries.skipped_by_reason(dispatch.id, withheld, tally=tally),
        who_receives_counts=None if test else queries.who_receives(dispatch, withheld, tally),
        unrendered=services.unrendered_count(dispatch),
        may_resend=services.may_resend_unrendered(dispatch, current_user),
        template_fixed=services.template_fixed_since(dispatch),
        sent=sent,
        template_changed=sent is not None and sent != services.text_sent_by(dispatch.template),
        clock_change=repeated_hour_note(dispatch.due_at),
        form=ConfirmForm(),
        reschedule_form=reschedule_form or _reschedule_form(dispatch),
    )


def _reschedule_form(dispatch: Dispatch) -> RescheduleForm | None:
    """The form moving a one-off dispatch still to go, at its current date; None for
    what cannot move (recurring, a built-in campaign message, started)."""
    if not services.reschedulable(dispatch):
        return None
    form = RescheduleForm(
        formdata=None, at=dispatch.due_at.astimezone(local_zone()).replace(tzinfo=None)
    )
    form.at.render_kw = {"max": f"{services.latest_schedulable_day(utcnow())}T23:59"}
    return form


@bp.post("/dispatches/<int:dispatch_id>/reschedule")
@role_required("organiser")
def reschedule_dispatch(dispatch_id: int):
    """Move a one-off dispatch to another date; a date refused is said at its field."""
    dispatch = queries.organiser_dispatch(dispatch_id, current_user)
    if dispatch is None:
        abort(404)
    form = RescheduleForm()
    form.at.render_kw = {"max": f"{services.latest_schedulable_day(utcnow())}T23:59"}
    if not form.validate_on_submit():
        return _dispatch_page(dispatch, form), 422
    due = form.at.data.replace(tzinfo=local_zone()).astimezone(UTC)
    try:
        moved = services.reschedule_dispatch(dispatch, current_user, due, utcnow())
    except services.MessagingError as error:
        db.session.rollback()
        form.at.errors = [*form.at.errors, str(error)]
        return _dispatch_page(dispatch, form), 422
    db.session.commit()
    if moved:
        flash(_("Dispatch moved to %(due)s.", due=format_full_moment(due)), "success")
    else:
        flash(_("This dispatch was already planned for that date."), "info")
    return redirect(url_for("messaging.show_dispatch", dispatch_id=dispatch.id))


# The dispatch's progress block looks again every 10 s while rows may go out; while its
# e-mails wait for the working hours and nothing else is left to send (a launch on a
# Friday evening, all weekend), only "opened" moves: it looks every 5 minutes, and when
# the e-mails resume if that comes sooner.
REFRESH_SECONDS, SLOW_REFRESH_SECONDS = 10, 300


def _refresh_seconds(tally, paused_until, now) -> int:
    """How long the progress block waits before it looks again (see REFRESH_SECONDS)."""
    others_pending = any(row.status == "pending" and row.channel != "email" for row in tally)
    if paused_until is None or others_pending:
        return REFRESH_SECONDS
    until_resumed = math.ceil((paused_until - now).total_seconds()) + REFRESH_SECONDS
    return max(REFRESH_SECONDS, min(SLOW_REFRESH_SECONDS, until_resumed))


def _counted_when_sent(dispatch: Dispatch) -> bool:
    """Whether a dispatch's recipients are still to be counted (it is not prepared yet)."""
    return dispatch.prepared_at is None and dispatch.status in ("scheduled", "sending")


def _recipients_estimate(dispatch: Dispatch, now=None) -> int | None:
    """How many people a dispatch not written yet would reach now: what its confirmation
    said ("Send to 37 people"), the real figure being counted when it is sent (its
    `recipients` stay 0 until then). None once counted, or if its audience is refused."""
    if not _counted_when_sent(dispatch):
        return None
    try:
        return services.audience_size(
            dispatch.audience_key, dispatch.audience_params, now or utcnow()
        )
    except services.MessagingError:  # its campaign ended, say: "not counted yet"
        return None


def _recipients_estimates(dispatches) -> dict[int, int | None]:
    """`_recipients_estimate` of each dispatch not counted yet, by id: each audience
    counted once, however many dispatches go to it."""
    now, by_audience, found = utcnow(), {}, {}
    for dispatch in dispatches:
        if not _counted_when_sent(dispatch):
            continue
        audience = (dispatch.audience_key, repr(sorted((dispatch.audience_params or {}).items())))
        if audience not in by_audience:
            by_audience[audience] = _recipients_estimate(dispatch, now)
        found[dispatch.id] = by_audience[audience]
    return found


@bp.post("/dispatches/<int:dispatch_id>/resend-unrendered")
@role_required("organiser")
def resend_unrendered(dispatch_id: int):
    """Send a dispatch again to those its message could not be written for, once fixed."""
    dispatch = queries.organiser_dispatch(dispatch_id, current_user)
    if dispatch is None:
        abort(404)
    if not services.may_resend_unrendered(dispatch, current_user):
        abort(403)
    if ConfirmForm().validate_on_submit():
        try:
            count = services.resend_unrendered(dispatch, current_user, utcnow())
        except services.MessagingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The fixed message goes to %(num)s delivery that had failed.",
                    "The fixed message goes to %(num)s deliveries that had failed.",
                    count,
                ),
                "success",
            )
    return redirect(url_for("messaging.show_dispatch", dispatch_id=dispatch.id))


@bp.post("/dispatches/<int:dispatch_id>/cancel")
@role_required("organiser")
def cancel_dispatch(dispatch_id: int):
    """Cancel a dispatch that has not started."""
    dispatch = queries.organiser_dispatch(dispatch_id, current_user)
    if dispatch is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            if services.cancel_dispatch(dispatch, current_user, utcnow()):
                db.session.commit()
                flash(_("Dispatch cancelled."), "success")
            else:
                flash(_("This dispatch was already cancelled."), "info")
        except services.MessagingError as error:
            flash(str(error), "error")
    return redirect(url_for("messaging.show_dispatch", dispatch_id=dispatch.id))


@bp.post("/schedules/<int:schedule_id>/stop")
@role_required("organiser")
def stop_schedule(schedule_id: int):
    """Stop a recurring schedule."""
    schedule = db.session.get(Schedule, schedule_id)
    if schedule is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if services.deactivate_schedule(schedule, current_user, utcnow()):
            db.session.commit()
            flash(_("Recurring message stopped."), "success")
        else:
            flash(_("This recurring message was already stopped."), "info")
    return redirect(url_for("messaging.list_dispatches"))
