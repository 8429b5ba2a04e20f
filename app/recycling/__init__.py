"""The recycling domain: collection points, device returns and their chain of custody."""

import os

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.audit import (
    ids_named,
    register_audit_details,
    register_audit_names,
    register_audit_search,
    register_audit_subject,
)
from app.core.dashboard import MenuItem, register_menu_item, register_panel, register_work
from app.core.demo import register_seeder
from app.core.jobs import register_job
from app.core.personalisation import register_foreign_passages, register_variables
from app.core.privacy import PersonalData, register_personal_data


def init_app(app: Flask) -> None:
    """Register the blueprints, menu entries, dashboard panel, seeder and registries."""
    # handover_views, walk_in_views: imported for their views, which join routes.bp
    # before it is registered.
    from app.recycling import (  # noqa: F401
        api,
        cli,
        forms,
        handover_views,
        jobs,
        models,
        providers,
        queries,
        routes,
        seed,
        services,
        walk_in,
        walk_in_views,
    )

    # Days after which a declared device no agent has received is recalled to its owner
    # (0: never).
    app.config.setdefault(
        "RECYCLING_REMINDER_DAYS", int(os.environ.get("RECYCLING_REMINDER_DAYS", "7"))
    )
    # Days after which a declaration whose device never came is closed by the daily job
    # (0: never); long after the reminder, so that its owner had weeks to bring it.
    app.config.setdefault(
        "RECYCLING_UNBROUGHT_CLOSE_DAYS",
        int(os.environ.get("RECYCLING_UNBROUGHT_CLOSE_DAYS", "60")),
    )
    app.cli.add_command(cli.recycling_cli)
    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    api.register_schemas(app)
    register_menu_item(app, MenuItem("recycling.index", _l("Recycling"), order=30))
    register_panel(app, providers.panel)
    register_work(app, providers.waiting_work)
    register_variables(app, providers.VARIABLES, providers.message_variables)
    register_variables(app, providers.CUSTODY_VARIABLES, providers.custody_variables)
    # An undone receipt's reason in the other language: marked with its `lang` in the
    # notice's HTML copies (RGAA 8.7), as an organiser's reason is.
    register_foreign_passages(app, providers.undo_reason_passage)
    register_personal_data(
        app,
        PersonalData(
            "returns", queries.personal_returns, services.erase_returns, services.audited_returns
        ),
    )
    # The events about a return keep its owner; an erasure leaves their fixed facts.
    register_audit_subject(app, "device_return", services.return_owner, services.audit_facts)
    # An agent's signed steps: in their export, their name taken off on erasure.
    register_personal_data(
        app, PersonalData("custody_steps", queries.signed_steps, services.erase_signed_steps)
    )
    register_seeder(app, seed.seed_recycling, order=40)
    # On working days, when the morning's e-mail goes out.
    register_job(
        app,
        "recycling.remind_waiting_returns",
        jobs.remind_waiting_returns,
        "cron",
        day_of_week="mon-fri",
        hour=9,
    )
    # Every day, after the reminders: declarations whose device never came are closed.
    register_job(
        app,
        "recycling.close_unbrought_returns",
        jobs.close_unbrought_returns,
        "cron",
        hour=9,
        minute=30,
    )
    # The audit log names a return's recorded outcome ("outcome" events store its key).
    register_audit_names(
        app, "collection_point", ids_named(models.CollectionPoint, models.CollectionPoint.name)
    )
    register_audit_details(app, "outcome", forms.outcome_label)
    # A declaration an agent closed because the device never came ("close" of a return).
    register_audit_details(app, "close", services.audit_not_brought)
    # A receipt an agent undid ("cancel" of a return stores `receipt_undo: <reason>`).
    register_audit_details(app, "cancel", services.audit_receipt_undone)
    # A device brought without a declaration ("receive" of a return stores `walk_in`),
    # and its receipt undone, which withdrew it ("cancel": `walk_in_withdrawn: <reason>`).
    register_audit_details(app, "receive", walk_in.audit_walk_in, ("device_return",))
    register_audit_details(app, "cancel", walk_in.audit_walk_in_withdrawn, ("device_return",))
    # The log's "Containing" search finds those events by the words it shows them with
    # (read by `admin_services.shown_with`).
    for action, sample, stored in (*services.AUDIT_SEARCHED_DETAILS, *walk_in.AUDIT_SEARCHED):
        register_audit_search(app, action, sample, stored)
    # A point's edit stores what changed (services.point_changes_summary), shown with the
    # names of the settings, by which the search finds it as well.
    register_audit_details(app, "update", services.audit_point_changes)
    # A new point's event lists the values it started with (services.point_starting_summary).
    register_audit_details(app, "create", services.audit_point_creation, ("collection_point",))
    for action, sample, stored in services.AUDIT_SEARCHED_EDITS:
        register_audit_search(app, action, sample, stored)
