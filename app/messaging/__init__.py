"""The messaging domain: templates, audiences, schedules, the outbox, the inbox."""

import os

from flask import Flask, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import String, cast, select

from app.core.audit import ids_named, register_audit_details, register_audit_names
from app.core.dashboard import MenuItem, Panel, register_menu_item, register_panel
from app.core.demo import register_seeder
from app.core.person_figures import register_person_figure
from app.core.privacy import (
    PersonalData,
    register_personal_data,
    register_retention,
    register_staff_records,
)
from app.core.signals import (
    campaign_closed,
    campaign_extended,
    campaign_messages_asked,
    campaign_published,
    collection_point_closed,
    custody_step_recorded,
    device_return_waiting,
    entry_reviewed,
    request_decided,
)

SETTINGS = {
    # name: (default, type) — read from the environment when not set in the config
    "MESSAGING_BATCH_SIZE": (500, int),
    "MESSAGING_CLAIM_SECONDS": (120, int),
    "MESSAGING_RETRY_SECONDS": (60, int),
    "MESSAGING_MAX_ATTEMPTS": (5, int),
    "MESSAGING_POLL_SECONDS": (30, int),
    "MESSAGING_SMTP_CONNECTIONS": (4, int),
    # people whose variables are computed together (providers' per-call work is shared)
    "MESSAGING_VARIABLES_WINDOW": (5000, int),
}


def init_app(app: Flask) -> None:
    """Register the blueprint, menu entry, dashboard panel, seeders and listeners."""
    from app.api.spec import register_schema
    from app.messaging import api, audiences, campaign_facts, cli, labels, queries, routes, services
    from app.messaging.models import Dispatch, MessageTemplate, Schedule
    from app.messaging.recurrence import audit_rhythm
    from app.messaging.rendering import text_to_html
    from app.messaging.scheduler import scheduler_cli

    for name, (default, kind) in SETTINGS.items():
        app.config.setdefault(name, kind(os.environ.get(name, default)))

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.messaging_cli)
    app.cli.add_command(scheduler_cli)
    audiences.init_app(app)
    campaign_facts.init_app(app)
    labels.init_app(app)
    app.add_template_filter(text_to_html, "message_html")
    # A recurring message's creation stores its cron expression: the audit log words it.
    register_audit_details(app, "create", audit_rhythm)
    # A template's update names the texts it changed; a sending again, how many went
    # (recorded as "update" before it had its own action).
    register_audit_details(app, "update", services.changed_fields_in_words, ("messaging_template",))
    register_audit_details(app, "resend_unrendered", services.resent_in_words)
    register_audit_details(app, "update", services.resent_in_words, ("messaging_dispatch",))
    # A template, a recurring message or a dispatch is found by the template's name or key.
    template_named = ids_named(MessageTemplate, MessageTemplate.name, MessageTemplate.key)
    register_audit_names(app, "messaging_template", template_named)
    for model, object_type in ((Schedule, "messaging_schedule"), (Dispatch, "messaging_dispatch")):
        register_audit_names(app, object_type, sent_from(model, MessageTemplate, template_named))
    register_schema(app, "Message", api.MESSAGE_SCHEMA)
    register_schema(app, "Inbox", api.INBOX_SCHEMA)
    register_schema(app, "DispatchStatus", api.DISPATCH_SCHEMA)
    register_menu_item(
        app,
        MenuItem(
            "messaging.index",
            _l("Messages"),
            order=40,
            badge=_unread_badge,
            badge_label=_badge_label,
        ),
    )
    register_menu_item(
        app, MenuItem("messaging.list_dispatches", _l("Dispatches"), order=41, roles=("organiser",))
    )
    register_panel(app, _panel)
    register_person_figure(app, queries.UNREAD_FIGURE, queries.unread_subquery)
    register_seeder(app, _seed, order=90)
    register_personal_data(
        app, PersonalData("messages", services.export_messages, services.erase_messages)
    )
    register_retention(app, services.apply_message_retention)
    register_staff_records(app, "templates_created", services.templates_created)
    register_staff_records(app, "recurring_messages", services.schedules_of)
    register_staff_records(app, "dispatches_created", services.dispatches_created)
    campaign_published.connect(_on_campaign_published, weak=False)
    campaign_messages_asked.connect(_on_campaign_messages_asked, weak=False)
    campaign_closed.connect(_on_campaign_closed, weak=False)
    campaign_extended.connect(_on_campaign_extended, weak=False)
    entry_reviewed.connect(_on_entry_reviewed, weak=False)
    custody_step_recorded.connect(_on_custody_step, weak=False)
    device_return_waiting.connect(_on_device_return_waiting, weak=False)
    collection_point_closed.connect(_on_collection_point_closed, weak=False)
    request_decided.connect(_on_request_decided, weak=False)
    _allow_one_click_unsubscribe(app)


def _unread_badge(user) -> int | None:
    from app.messaging.queries import unread_badge_count

    return unread_badge_count(user.id) or None


def _badge_label(count: int) -> str:
    return ngettext("%(num)s unread message", "%(num)s unread messages", count)


def _panel(user):
    from app.core.i18n import current_language
    from app.messaging.inbox import in_reader_language
    from app.messaging.queries import latest_unread, unread_badge_count

    language = current_language()
    messages = [in_reader_language(message, language) for message in latest_unread(user.id)]
    return Panel(
        title=str(_l("Latest messages")),
        template="messaging/_panel.html",
        context={"messages": messages, "unread": unread_badge_count(user.id)},
        order=40,
    )


def _seed(rng) -> None:
    from app.messaging.seed import seed_messaging

    seed_messaging(rng)


def _on_campaign_messages_asked(sender, campaign, now, **_kwargs) -> tuple[str, ...]:
    """The events of the messages a publication at `now` would schedule (nothing written)."""
    from app.messaging.services import campaign_message_moments

    return tuple(campaign_message_moments(campaign, now))


def _on_campaign_published(sender, campaign, now, **_kwargs):
    """Schedule the campaign's messages; in a request, answer with a note listing those
    a first publication scheduled, each linked, for the publisher's confirmation."""
    from app.messaging.services import schedule_campaign_messages

    scheduled = schedule_campaign_messages(campaign, now)
    if not has_request_context() or not scheduled:
        return None
    from flask import render_template
    from markupsafe import Markup

    scheduled = sorted(scheduled, key=lambda dispatch: (dispatch.due_at, dispatch.id))
    note = render_template("messaging/_campaign_published_note.html", scheduled=scheduled)
    return Markup(note)  # noqa: S704 - the output of our own autoescaped template


def _on_campaign_extended(sender, campaign, now, notify=False, **_kwargs) -> None:
    from app.messaging.services import (
        announce_extension,
        drop_messages_of_ended_campaign,
        follow_campaign_end,
        organiser_messages_about,
    )

    follow_campaign_end(campaign, now)
    if campaign.ends_at <= now:  # ended now: what counted down to its end will not go
        _tell_organiser(campaign, dropped=drop_messages_of_ended_campaign(campaign, now))
        return
    # extended: the built-in reminders moved, the organiser's own messages did not
    if notify:  # the organiser asked that the campaign's people be told of the new end
        announce_extension(campaign, now)
    _tell_organiser(campaign, staying=organiser_messages_about(campaign.id))


def _on_campaign_closed(sender, campaign, now, **_kwargs) -> None:
    from app.messaging.services import drop_messages_of_ended_campaign, schedule_campaign_results

    schedule_campaign_results(campaign, now)
    _tell_organiser(campaign, dropped=drop_messages_of_ended_campaign(campaign, now))


def _tell_organiser(campaign, dropped=(), staying=()) -> None:
    """With the confirmation of an end or an extension, the organiser's own scheduled
    messages about the campaign it touched, each linked: those that will not go now, or
    those that stay at their date. Nothing outside a request (a job, a script)."""
    from flask import flash, render_template
    from markupsafe import Markup

    if not has_request_context() or not (dropped or staying):
        return
    note = render_template(
        "messaging/_campaign_messages_note.html", dropped=dropped, staying=staying
    )
    flash(Markup(note), "info")  # noqa: S704 - the output of our own autoescaped template


def _on_entry_reviewed(
    sender, entry_id, campaign_id, user_id, accepted, now, decided=None, **_kwargs
) -> None:
    from app.messaging.services import review_notice

    review_notice(entry_id, campaign_id, user_id, accepted, now, decided)


def _on_device_return_waiting(sender, return_id, user_id, now, **_kwargs) -> None:
    from app.messaging.services import waiting_return_notice

    waiting_return_notice(return_id, user_id, now)


def _on_collection_point_closed(sender, point_id, note, owners, now, **_kwargs) -> None:
    from app.messaging.services import point_closed_notices

    point_closed_notices(point_id, note, owners, now)


def _on_custody_step(sender, device_return, step, now, **_kwargs) -> None:
    from app.messaging.services import custody_notice

    # The step just recorded is the last of its kind in the chain: counting them tells a
    # receipt recorded again (after an undo) apart from the same receipt's signal sent twice.
    occurrence = sum(1 for recorded in device_return.steps if recorded.step == step)
    custody_notice(device_return.id, device_return.user_id, step, now, occurrence)


def _on_request_decided(sender, request_id, user_id, approved, now, **_kwargs) -> None:
    from app.messaging.services import decision_notice

    decision_notice(request_id, user_id, approved, now)


def _allow_one_click_unsubscribe(app: Flask) -> None:
    """RFC 8058: mail clients POST `List-Unsubscribe=One-Click` with no CSRF token.

    The core enforces CSRF on every POST in an app-level hook; this hook runs
    before it and answers the one-click POST itself. The signed token in the URL
    is the proof (nobody else can forge it), so no CSRF token is needed.
    """

    def one_click():
        if (
            request.method == "POST"
            and request.endpoint == "messaging.unsubscribe"
            and request.form.get("List-Unsubscribe") == "One-Click"
        ):
            from app.messaging import routes

            return routes.unsubscribe(**request.view_args)
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, one_click)


def sent_from(model, template_model, template_named):
    """The ids of `model` rows (schedules, dispatches) sent from a template so named."""

    def named_ids(fragment: str):
        templates = template_named(fragment).with_only_columns(template_model.id)
        return select(cast(model.id, String)).where(model.template_id.in_(templates))

    return named_ids
