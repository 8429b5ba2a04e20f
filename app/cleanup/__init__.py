"""The cleanup domain: Digital Clean-up campaigns."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.dashboard import MenuItem, register_menu_item, register_panel, register_work


def init_app(app: Flask) -> None:
    """Register the blueprint, menu entry, dashboard panel, seeders and listeners."""
    from app.api.spec import register_schema
    from app.cleanup import api, catalogue, integration, jobs, queries, routes, seed, services
    from app.cleanup.audit_changes import (
        audit_changes,
        audit_closing,
        audit_extension,
        audit_names,
        audit_refused_correction,
    )
    from app.cleanup.countdown import shown_end
    from app.cleanup.models import CleanupCampaign
    from app.cleanup.return_notes import device_return_notes
    from app.core.audit import (
        ids_named,
        register_audit_details,
        register_audit_names,
        register_audit_subject,
    )
    from app.core.demo import register_seeder
    from app.core.jobs import register_job
    from app.core.personalisation import (
        register_audience,
        register_audience_param,
        register_variables,
    )
    from app.core.privacy import (
        PersonalData,
        register_personal_data,
        register_retention,
        register_staff_records,
    )
    from app.core.return_notes import register_return_note
    from app.core.signals import (
        device_receipt_undone,
        device_return_received,
        device_return_withdrawn,
        device_returned,
    )
    from app.core.warmup import register_warmer

    app.register_blueprint(routes.bp)
    # A campaign's end as pages write it: one at midnight as the day before's 23:59.
    app.add_template_filter(shown_end, "shown_end")
    app.register_blueprint(api.bp)
    for name, schema in api.SCHEMAS.items():
        register_schema(app, name, schema)
    register_menu_item(app, MenuItem("cleanup.index", _l("Clean-up"), order=20))
    register_panel(app, integration.dashboard_panel)
    register_work(app, integration.waiting_work)
    register_return_note(app, device_return_notes)
    # After recycling's (40): the campaigns' returned devices are its demo returns.
    register_seeder(app, seed.seed_cleanup, order=45)
    register_warmer(app, queries.warm_boards)
    register_job(
        app, "cleanup.freeze_closed_campaigns", jobs.freeze_closed_campaigns, "interval", minutes=1
    )
    register_variables(app, integration.VARIABLES, integration.campaign_variables)
    register_variables(app, integration.ENTRY_VARIABLES, integration.entry_variables)
    for audience in integration.AUDIENCES:
        register_audience(app, audience)
    register_audience_param(app, integration.CAMPAIGN_PARAM)
    app.jinja_env.globals["cleanup_unit"] = catalogue.unit_label
    app.jinja_env.globals["cleanup_quantity"] = catalogue.quantity_label
    app.jinja_env.globals["cleanup_co2_range"] = catalogue.co2_range
    app.jinja_env.globals["cleanup_goal_share"] = catalogue.goal_share
    app.jinja_env.globals["cleanup_goal_label"] = catalogue.goal_label
    app.jinja_env.globals["cleanup_rank_ordinal"] = catalogue.rank_ordinal
    app.jinja_env.globals["cleanup_measure_hint"] = catalogue.measure_hint
    app.jinja_env.globals["cleanup_what_counts"] = catalogue.what_counts
    app.jinja_env.globals["cleanup_smallest_scoring"] = services.smallest_scoring_quantity
    # "My entries" and the personal data export name an entry's status in the same words.
    app.jinja_env.globals["cleanup_status_text"] = integration.action_status_text
    # Its HTML form, and an organiser's reason on its own, each marked with its language.
    app.jinja_env.globals["cleanup_status_html"] = integration.action_status_html
    app.jinja_env.globals["cleanup_reason"] = integration.reason_in_its_language
    register_personal_data(
        app,
        PersonalData(
            "actions", integration.export_actions, services.erase_person, services.audited_entries
        ),
    )
    register_personal_data(
        app, PersonalData("badges", integration.export_badges, integration.erase_badges)
    )
    register_retention(app, services.apply_action_retention)
    # A review's event keeps its entry's author, even once the entry is deleted.
    register_audit_subject(app, "cleanup_action", integration.entry_author, services.review_figures)
    register_staff_records(app, "campaigns_created", integration.campaigns_created)
    register_staff_records(app, "entries_reviewed", integration.entries_reviewed)
    # An action type's or a campaign's update stores what changed: the audit log words it.
    register_audit_details(
        app, "update", audit_changes, ("cleanup_campaign", "cleanup_action_type")
    )
    # A campaign or a type named as a whole: its name in the reader's language.
    for action in ("create", "update", "publish", "delete"):
        register_audit_details(app, action, audit_names)
    # A closing names it too, and when an organiser ended it early, their reason.
    register_audit_details(app, "close", audit_closing)
    # A rejected correction stores what was asked and what the entry keeps.
    register_audit_details(app, "reject", audit_refused_correction)
    # An extension stores both ends: worded as the campaign page writes an end.
    register_audit_details(app, "extend", audit_extension, ("cleanup_campaign",))
    # Older events stored the English name alone: found by either name all the same.
    register_audit_names(
        app,
        "cleanup_campaign",
        ids_named(CleanupCampaign, CleanupCampaign.name_fr, CleanupCampaign.name_en),
    )
    # Weak references would let the listener vanish; keep it for the app's lifetime.
    device_returned.connect(integration.on_device_returned, weak=False)
    device_return_received.connect(integration.on_device_return_received, weak=False)
    device_receipt_undone.connect(integration.on_device_receipt_undone, weak=False)
    device_return_withdrawn.connect(integration.on_device_return_withdrawn, weak=False)
