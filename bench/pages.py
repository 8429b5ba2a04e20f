"""The key pages, shared by `make bench` (wrk) and the browser audits (tests/audit).

Adding a page is one `Page(...)` line in PAGES. A page is measured by the bench
when `bench` is true and audited in a real browser (EcoIndex + axe-core, both
languages) when `audit` is true. `interact` turns an entry into a state after an
htmx swap: the audit loads `path`, calls `interact(page)` (Playwright), then
audits what is on screen. POST entries give their form fields in `form`; the
CSRF token and the session cookie are added by the bench.

`path` and `form` values may hold `{placeholders}` filled from `params(session)`,
called with a SQLAlchemy session on the seeded database, e.g.
`params=lambda s: {"item": s.scalar(select(Item.id).limit(1))}`.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

EMPLOYEE = "employee@demo.empreinte.fr"
AGENT = "agent@demo.empreinte.fr"
ORGANISER = "organiser@demo.empreinte.fr"
ADMIN = "admin@demo.empreinte.fr"
HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    form: dict | None = None
    account: str | None = EMPLOYEE  # None: visited signed out
    status: int = 200  # what a correct answer is (checked before measuring)
    bench: bool = True
    audit: bool = True
    interact: Callable | None = None  # (playwright_page) -> None, after the page loaded
    # False: a state reached on demand (e.g. the map) is audited by axe-core, but its
    # extra download is not a first visit, so the weight limits and EcoIndex don't apply.
    first_visit_limits: bool = True
    params: Callable | None = None  # (db_session) -> {placeholder: value}
    # True: the bench sends it as BENCH_WRITERS different people in turn (seeded
    # employees, signed in through the form), as 32 connections would be 32 people;
    # one person's 32 simultaneous writes would measure that person's row lock.
    many_people: bool = False
    # One of the key pages and actions the throughput and p95 targets name (catalogue
    # listing and search, item detail, both leaderboards, collection points, inbox, logging
    # an action, logging a device return); the other bench pages are measured and shown.
    key: bool = False
    # False for a page whose size is its content (the budgets of all 60 departments):
    # axe-core and the request and weight limits still apply, the EcoIndex is printed.
    grade_a: bool = True
    # A page in one language whatever the reader chose (the printed poster: French,
    # with English alongside); None: the page follows the reader's language.
    fixed_lang: str | None = None


def type_into(selector: str, text: str, wait_for: str) -> Callable:
    """An interaction: type in a search box, then wait for the swapped content."""

    def run(page) -> None:
        with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
            page.fill(selector, text)
        page.wait_for_selector(wait_for)
        page.wait_for_load_state("networkidle")

    return run


def click(selector: str, wait_for: str) -> Callable:
    """An interaction: click a button or link, then wait for the swapped content."""

    def run(page) -> None:
        page.click(selector)
        page.wait_for_selector(wait_for)
        page.wait_for_load_state("networkidle")

    return run


def press(selector: str, key: str, wait_for: str) -> Callable:
    """An interaction: press a key in a field (e.g. a list of years), then wait for the swap."""

    def run(page) -> None:
        page.focus(selector)
        with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
            page.keyboard.press(key)
        page.wait_for_selector(wait_for)
        page.wait_for_load_state("networkidle")

    return run


def log_an_action(page) -> None:
    """Fill the clean-up log form and submit it: the progress block is swapped in place."""
    page.select_option("#action_type", "delete-mail")
    page.fill("#quantity", "0.5")
    with page.expect_response(lambda r: "/actions" in r.url):
        page.click("#my-progress form.cleanup-log button[type=submit]")
    page.wait_for_selector("#my-progress .flash, #progress-status .flash")
    page.wait_for_load_state("networkidle")


def ask_to_delete_an_entry(page) -> None:
    """Log an entry (the person may have none yet), then press its Delete: the dialog
    that asks first is open."""
    log_an_action(page)
    page.click("#my-progress button[id^=delete-]")
    page.wait_for_selector("dialog[open]")


def ask_to_confirm_a_message(page) -> None:
    """Choose a template and an audience, press Schedule: the page that asks first.

    Choosing a template brings its recipients back (htmx), the « not yet taken part »
    nudge with its own audience chosen: the first other template is taken, and the
    audience chosen once that answer is in (chosen before, the swap put it back)."""
    for index in range(1, page.locator("#template option").count()):
        page.select_option("#template", index=index)
        page.wait_for_load_state("networkidle")
        if page.input_value("#audience") != "campaign-non-participants":
            break
    page.select_option("#audience", "everyone")
    page.click("#schedule-form button[type=submit]:not([name=count])")
    page.wait_for_selector("#schedule-confirm")
    page.wait_for_load_state("networkidle")


def preview_an_import(page) -> None:
    """Upload the first lines of the catalogue's own export, one figure changed: the
    preview that asks to confirm."""
    rows = list(csv.DictReader(io.StringIO(page.request.get("/catalogue/export.csv").text())))
    rows = rows[:12]
    rows[0]["name_en"] += " (renamed)"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    text = out.getvalue()
    page.set_input_files(
        "input[type=file]", {"name": "items.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.click("form button.primary")
    page.wait_for_selector("h1")
    page.wait_for_load_state("networkidle")


def submit_an_empty_campaign(page) -> None:
    """Press Create on an empty campaign form: the form again, its first error focused."""
    page.click("main form[novalidate] button[type=submit]")
    page.wait_for_selector("[aria-invalid=true]")
    page.wait_for_load_state("networkidle")


def _campaign(session) -> int:
    """The running clean-up campaign of the demo (the latest not frozen)."""
    from sqlalchemy import select

    from app.cleanup.models import CleanupCampaign

    return session.scalar(
        select(CleanupCampaign.id)
        .where(CleanupCampaign.frozen_at.is_(None), CleanupCampaign.published_at.is_not(None))
        .order_by(CleanupCampaign.starts_at.desc())
        .limit(1)
    )


def _equipment(session) -> int:
    """An equipment item (its page has the lifetime simulator)."""
    from sqlalchemy import select

    from app.catalogue.models import CatalogueItem

    return session.scalar(
        select(CatalogueItem.id)
        .where(CatalogueItem.kind == "equipment")
        .order_by(CatalogueItem.id)
        .limit(1)
    )


def _point(session) -> int:
    """An open collection point."""
    from sqlalchemy import select

    from app.recycling.models import CollectionPoint

    return session.scalar(
        select(CollectionPoint.id)
        .where(CollectionPoint.active.is_(True))
        .order_by(CollectionPoint.id)
        .limit(1)
    )


def _agents_point(session) -> int:
    """The first collection point the demo agent looks after."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.recycling.models import PointAgent

    return session.scalar(
        select(PointAgent.point_id)
        .join(User, User.id == PointAgent.user_id)
        .where(User.email == AGENT)
        .order_by(PointAgent.point_id)
        .limit(1)
    )


def _closed_campaign(session) -> int:
    """A campaign whose results are out (the demo's previous one)."""
    from sqlalchemy import select

    from app.cleanup.models import CleanupCampaign
    from app.core.time import utcnow

    return session.scalar(
        select(CleanupCampaign.id)
        .where(CleanupCampaign.published_at.is_not(None), CleanupCampaign.ends_at <= utcnow())
        .order_by(CleanupCampaign.ends_at.desc())
        .limit(1)
    )


def _request(session) -> int:
    """The demo employee's request waiting for a decision: the page with most on it
    (its withdrawal form too)."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.catalogue.models import CatalogueRequest

    return session.scalar(
        select(CatalogueRequest.id)
        .join(User, User.id == CatalogueRequest.user_id)
        .where(User.email == EMPLOYEE, CatalogueRequest.status != "draft")
        .order_by(CatalogueRequest.status != "submitted", CatalogueRequest.id)
        .limit(1)
    )


def _receipt_at_agents_point(session) -> str:
    """A return declared at one of the demo agent's points."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.recycling.models import DeviceReturn, PointAgent

    return session.scalar(
        select(DeviceReturn.receipt_number)
        .join(PointAgent, PointAgent.point_id == DeviceReturn.point_id)
        .join(User, User.id == PointAgent.user_id)
        .where(User.email == AGENT)
        .order_by(DeviceReturn.id)
        .limit(1)
    )


def _first_id(session, model) -> int:
    from sqlalchemy import func, select

    return session.scalar(select(func.min(model.id)))


def _template(session) -> int:
    from app.messaging.models import MessageTemplate

    return _first_id(session, MessageTemplate)


def _dispatch(session) -> int:
    from app.messaging.models import Dispatch

    return _first_id(session, Dispatch)


def _unsubscribe_token(session) -> str:
    """The employee's unsubscribe link's token, as their e-mails carry it."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.messaging.audiences import unsubscribe_token

    return unsubscribe_token(session.scalar(select(User.id).where(User.email == EMPLOYEE)))


def _sign_in_link_token(session) -> str:
    """A new sign-in link's token for the employee, as the e-mail carries it."""
    import secrets
    from datetime import timedelta

    from sqlalchemy import select

    from app.auth.models import ApiToken, SignInLink, User
    from app.core.time import utcnow

    raw = secrets.token_urlsafe(32)
    session.add(
        SignInLink(
            user_id=session.scalar(select(User.id).where(User.email == EMPLOYEE)),
            token_digest=ApiToken.digest(raw),
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    session.commit()
    return raw


def _employee(session) -> int:
    """The demo employee's account id."""
    from sqlalchemy import select

    from app.auth.models import User

    return session.scalar(select(User.id).where(User.email == EMPLOYEE))


def _compared_items(session) -> str:
    """Two equipment items, as the compare link gives them."""
    from sqlalchemy import select

    from app.catalogue.models import CatalogueItem

    ids = session.scalars(
        select(CatalogueItem.id)
        .where(CatalogueItem.kind == "equipment")
        .order_by(CatalogueItem.id)
        .limit(2)
    ).all()
    return "&".join(f"ids={i}" for i in ids)


BASELINE = Page("baseline", "/bench/baseline", account=None, audit=False)

PAGES: list[Page] = [
    # Core
    Page("home", "/"),
    Page("profile", "/auth/profile"),
    Page("privacy", "/privacy"),
    Page("accessibility", "/accessibility", account=None, bench=False),
    Page("api_me", "/api/v1/me", audit=False),
    Page("sign_in", "/auth/sign-in", account=None, bench=False),
    Page(
        "sign_in_link",
        "/auth/sign-in/link/{token}",
        account=None,
        bench=False,
        params=lambda s: {"token": _sign_in_link_token(s)},
    ),
    Page(
        "sign_in_link_unusable",
        "/auth/sign-in/link/{token}",
        account=None,
        bench=False,
        status=404,
        params=lambda s: {"token": "spent-or-expired"},
    ),
    Page("not_found", "/no-such-page", status=404, bench=False),
    # Catalogue
    Page("catalogue", "/catalogue/", key=True),
    Page("catalogue_search", "/catalogue/?q=laptop", headers=HTMX, audit=False, key=True),
    Page(
        "catalogue_search_swap",
        "/catalogue/",
        bench=False,
        interact=type_into("#q", "laptop", "#results table"),
    ),
    Page(
        "item_detail",
        "/catalogue/items/{item}",
        params=lambda s: {"item": _equipment(s)},
        key=True,
    ),
    Page(
        "item_lifetime_swap",
        "/catalogue/items/{item}",
        bench=False,
        params=lambda s: {"item": _equipment(s)},
        interact=press("#years", "ArrowDown", "#lifetime-result .lifetime-figure"),
    ),
    # Clean-up
    Page("campaign", "/cleanup/campaigns/{campaign}", params=lambda s: {"campaign": _campaign(s)}),
    Page(
        "log_action_swap",
        "/cleanup/campaigns/{campaign}",
        bench=False,
        params=lambda s: {"campaign": _campaign(s)},
        interact=log_an_action,
    ),
    Page(
        "delete_entry_dialog",
        "/cleanup/campaigns/{campaign}",
        bench=False,
        params=lambda s: {"campaign": _campaign(s)},
        interact=ask_to_delete_an_entry,
    ),
    Page(
        "leaderboard",
        "/cleanup/campaigns/{campaign}/leaderboard",
        params=lambda s: {"campaign": _campaign(s)},
        key=True,
    ),
    Page(
        "leaderboard_my_place",
        "/cleanup/campaigns/{campaign}/leaderboard?me=1",
        bench=False,
        params=lambda s: {"campaign": _campaign(s)},
    ),
    Page(
        "department_leaderboard",
        "/cleanup/campaigns/{campaign}/leaderboard?scope=departments",
        params=lambda s: {"campaign": _campaign(s)},
        key=True,
    ),
    Page(
        "log_action",
        "/cleanup/campaigns/{campaign}/actions",
        method="POST",
        headers=HTMX,
        # 0.1 GB of mail, the smallest entry that scores a point (points round down; a
        # smaller one is refused): far below the 20 GB daily cap however long it runs.
        form={"action_type": "delete-mail", "quantity": "0.1"},
        audit=False,
        many_people=True,
        params=lambda s: {"campaign": _campaign(s)},
        key=True,
    ),
    # Recycling
    Page("collection_points", "/recycling/", key=True),
    Page(
        "collection_points_map",
        "/recycling/",
        bench=False,
        first_visit_limits=False,
        interact=click("#show-map", "#points-map.is-ready path.leaflet-interactive"),
    ),
    Page("return_form", "/recycling/returns/new"),
    Page(
        "device_return",
        "/recycling/returns/new",
        method="POST",
        form={"collection_point_id": "{point}", "device_type": "accessory", "condition": "working"},
        status=302,
        audit=False,
        many_people=True,
        params=lambda s: {"point": _point(s)},
        key=True,
    ),
    # Messaging
    Page("inbox", "/messaging/", key=True),
    # Organisers, agents, admins
    Page("campaign_form", "/cleanup/campaigns/new", account=ORGANISER, bench=False),
    Page(
        "campaign_form_refused",
        "/cleanup/campaigns/new",
        account=ORGANISER,
        bench=False,
        interact=submit_an_empty_campaign,
        first_visit_limits=False,  # a page after a submit: the form was the first visit
    ),
    Page("template_editor", "/messaging/templates/new", account=ORGANISER, bench=False),
    Page("agent_desk", "/recycling/agent", account=AGENT, bench=False),
    Page(
        "handover",
        "/recycling/agent/handover?point={point}",
        account=AGENT,
        bench=False,
        params=lambda s: {"point": _agents_point(s)},
    ),
    Page(
        "handover_slips",
        "/recycling/agent/handover/{point}/slips",
        account=AGENT,
        bench=False,
        params=lambda s: {"point": _agents_point(s)},
    ),
    Page("audit_log", "/admin/audit", account=ADMIN, bench=False),
    # Every other page, audited only: an employee's, then by role.
    Page("campaigns", "/cleanup/", bench=False),
    Page("guides", "/cleanup/guides", bench=False),
    Page("edit_guide", "/cleanup/guides/delete-mail/edit", account=ORGANISER, bench=False),
    Page(
        "results",
        "/cleanup/campaigns/{campaign}/results",
        bench=False,
        params=lambda s: {"campaign": _closed_campaign(s)},
    ),
    Page(
        "compare",
        "/catalogue/compare?{ids}",
        bench=False,
        params=lambda s: {"ids": _compared_items(s)},
    ),
    Page("method", "/catalogue/method", bench=False),
    Page("recycling_figures", "/recycling/figures", bench=False),
    Page("my_requests", "/catalogue/requests", bench=False),
    Page(
        "request",
        "/catalogue/requests/{request}",
        bench=False,
        params=lambda s: {"request": _request(s)},
    ),
    Page(
        "receipt",
        "/recycling/returns/{receipt}",
        account=AGENT,  # the audit's demo employee has no return; an agent reads
        bench=False,  # the receipts of their points
        params=lambda s: {"receipt": _receipt_at_agents_point(s)},
    ),
    Page(
        "poster",
        "/recycling/points/{point}/poster",
        bench=False,
        fixed_lang="fr",
        params=lambda s: {"point": _point(s)},
    ),
    Page(
        "unsubscribe",
        "/messaging/unsubscribe/{token}",
        account=None,
        bench=False,
        params=lambda s: {"token": _unsubscribe_token(s)},
    ),
    Page(
        "review",
        "/cleanup/campaigns/{campaign}/review",
        account=ORGANISER,
        bench=False,
        params=lambda s: {"campaign": _campaign(s)},
    ),
    Page("templates", "/messaging/templates", account=ORGANISER, bench=False),
    Page(
        "template",
        "/messaging/templates/{template}",
        account=ORGANISER,
        bench=False,
        params=lambda s: {"template": _template(s)},
    ),
    Page("schedule", "/messaging/schedule", account=ORGANISER, bench=False),
    Page(
        "schedule_confirm",
        "/messaging/schedule",
        account=ORGANISER,
        bench=False,
        interact=ask_to_confirm_a_message,
        first_visit_limits=False,  # a page after a submit: the form was the first visit
    ),
    Page("dispatches", "/messaging/dispatches", account=ORGANISER, bench=False),
    Page(
        "dispatch",
        "/messaging/dispatches/{dispatch}",
        account=ORGANISER,
        bench=False,
        params=lambda s: {"dispatch": _dispatch(s)},
    ),
    Page(
        "agent_return",
        "/recycling/agent/returns/{receipt}",
        account=AGENT,
        bench=False,
        params=lambda s: {"receipt": _receipt_at_agents_point(s)},
    ),
    Page("roles", "/admin/roles", account=ADMIN, bench=False),
    Page("erasures", "/admin/erasures", account=ADMIN, bench=False),
    Page("directory", "/admin/directory", account=ADMIN, bench=False),
    Page(
        "person_account",
        "/admin/people/{person}",
        account=ADMIN,
        bench=False,
        params=lambda s: {"person": _employee(s)},
    ),
    Page("departments", "/admin/departments", account=ADMIN, bench=False),
    Page(
        "catalogue_requests",
        "/catalogue/admin/requests",
        account=ADMIN,
        bench=False,
    ),
    Page("budgets", "/catalogue/budgets", account=ADMIN, bench=False, grade_a=False),
    Page("usefulness", "/catalogue/admin/usefulness", account=ADMIN, bench=False),
    Page("new_item", "/catalogue/admin/items/new", account=ADMIN, bench=False),
    Page(
        "edit_item",
        "/catalogue/admin/items/{item}/edit",
        account=ADMIN,
        bench=False,
        params=lambda s: {"item": _equipment(s)},
    ),
    Page("import_items", "/catalogue/admin/import", account=ADMIN, bench=False),
    Page(
        "import_preview",
        "/catalogue/admin/import",
        account=ADMIN,
        bench=False,
        interact=preview_an_import,
        first_visit_limits=False,  # a page after a submit: the form was the first visit
    ),
    Page("points_admin", "/recycling/admin/points", account=ADMIN, bench=False),
    Page("new_point", "/recycling/admin/points/new", account=ADMIN, bench=False),
    Page(
        "edit_point",
        "/recycling/admin/points/{point}/edit",
        account=ADMIN,
        bench=False,
        params=lambda s: {"point": _point(s)},
    ),
    Page("recycling_statistics", "/recycling/admin/statistics", account=ADMIN, bench=False),
    Page(
        "recycling_wipes",
        "/recycling/admin/statistics/wipes",
        account=ADMIN,
        bench=False,
    ),
]


def bench_pages() -> list[Page]:
    """The pages `make bench` measures after the baseline."""
    return [p for p in PAGES if p.bench]


def audit_pages() -> list[Page]:
    """The pages the browser audits visit in both languages."""
    return [p for p in PAGES if p.audit]
