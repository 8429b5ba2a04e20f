"""The catalogue domain: services and equipment with footprint labels, requests, budgets."""

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.core.audit import (
    ids_named,
    register_audit_details,
    register_audit_names,
    register_audit_subject,
)
from app.core.dashboard import (
    MenuItem,
    Panel,
    WorkItem,
    register_menu_item,
    register_panel,
    register_work,
)
from app.core.i18n import format_number


def dashboard_panel(user):
    """My open requests and, when there is one, a lighter choice for my basket."""
    from app.catalogue.queries import dashboard_summary
    from app.catalogue.routes import kg_saving

    return Panel(
        title=str(_l("My equipment and service requests")),
        template="catalogue/_panel.html",
        # The dashboard is no catalogue page: its figures are written as the catalogue's.
        context={**dashboard_summary(user), "kg_saving": kg_saving},
        order=10,
    )


def waiting_work(user) -> list[WorkItem]:
    """For admins: the submitted requests waiting for a decision."""
    from app.catalogue.queries import requests_to_decide_count

    if not user.has_role("admin"):
        return []
    count = requests_to_decide_count()
    if not count:
        return []
    text = ngettext(
        "%(count)s equipment or service request to decide",
        "%(count)s equipment or service requests to decide",
        count,
        count=format_number(count),
    )
    return [WorkItem(text, url_for("catalogue.admin_requests"))]


def init_app(app: Flask) -> None:
    """Register the blueprint, menu entry, dashboard panel, seeders and listeners."""
    from app.api.spec import register_schema
    from app.catalogue import api, messages, routes
    from app.catalogue.audit import (
        alternatives_set,
        audit_changes,
        audit_creation,
        budget_changes,
        budgets_of_departments_named,
    )
    from app.catalogue.models import CatalogueItem
    from app.catalogue.queries import BASKET_FIGURE, basket_subquery, devices_due_for_renewal
    from app.catalogue.seed import seed_catalogue
    from app.catalogue.services import (
        audited_requests,
        decided_requests,
        erase_personal_data,
        export_personal_data,
        request_status_name,
        requester,
    )
    from app.core.demo import register_seeder
    from app.core.person_figures import register_person_figure
    from app.core.personalisation import Audience, register_audience, register_variables
    from app.core.privacy import PersonalData, register_personal_data, register_staff_records

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    register_menu_item(app, MenuItem("catalogue.index", _l("Catalogue"), order=10))
    register_menu_item(
        app,
        MenuItem("catalogue.admin_requests", _l("Requests to decide"), order=11, roles=("admin",)),
    )
    register_panel(app, dashboard_panel)
    register_person_figure(app, BASKET_FIGURE, basket_subquery)
    register_work(app, waiting_work)
    register_seeder(app, seed_catalogue, order=10)
    # An item's edit stores what changed, before -> after: the audit log words it.
    register_audit_details(app, "update", audit_changes, ("catalogue_item",))
    # A creation stores the figures and source the item started with, as an edit's from
    # nothing: the log lists them as values, each named with its unit.
    register_audit_details(app, "create", audit_creation, ("catalogue_item",))
    # A budget's too, with its department, which the log's search finds by name.
    register_audit_details(app, "set_budget", budget_changes)
    register_audit_details(app, "set_alternatives", alternatives_set, ("catalogue_item",))
    register_audit_names(app, "catalogue_budget", budgets_of_departments_named)
    register_audit_names(
        app,
        "catalogue_item",
        ids_named(CatalogueItem, CatalogueItem.code, CatalogueItem.name_fr, CatalogueItem.name_en),
    )
    register_personal_data(
        app,
        PersonalData("requests", export_personal_data, erase_personal_data, audited_requests),
    )
    # A decision's event keeps its requester; the decider finds theirs in their export.
    register_audit_subject(app, "catalogue_request", requester)
    register_staff_records(app, "requests_decided", decided_requests)
    # A request's pages and the personal data export name its status in the same words.
    app.jinja_env.globals["request_status_name"] = request_status_name
    register_variables(app, messages.REQUEST_VARIABLES, messages.request_variables)
    register_audience(
        app,
        Audience(
            "devices-due-for-renewal",
            _l("People whose approved equipment is older than its expected lifetime"),
            lambda now, params: devices_due_for_renewal(now),
        ),
    )
    register_schema(app, "CatalogueCategory", api.CATEGORY_SCHEMA)
    register_schema(app, "CatalogueItem", api.ITEM_SCHEMA)
    register_schema(app, "CatalogueItemDetail", api.ITEM_DETAIL_SCHEMA)
    register_schema(app, "CatalogueItemPage", api.ITEM_PAGE_SCHEMA)
