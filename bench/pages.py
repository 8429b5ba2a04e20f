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

from collections.abc import Callable
from dataclasses import dataclass, field

EMPLOYEE = "employee@demo.empreinte.fr"
AGENT = "agent@demo.empreinte.fr"
ORGANISER = "organiser@demo.empreinte.fr"
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
    params: Callable | None = None  # (db_session) -> {placeholder: value}


def type_into(selector: str, text: str, wait_for: str) -> Callable:
    """An interaction: type in a search box, then wait for the swapped content."""

    def run(page) -> None:
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


BASELINE = Page("baseline", "/bench/baseline", account=None, audit=False)

PAGES: list[Page] = [
    # Core
    Page("home", "/"),
    Page("profile", "/auth/profile"),
    Page("privacy", "/privacy"),
    Page("api_me", "/api/v1/me", audit=False),
    Page("sign_in", "/auth/sign-in", account=None, bench=False),
    Page("not_found", "/no-such-page", status=404, bench=False),
    # Domains: uncomment each line once its domain is merged (expected URLs).
    # Page("catalogue", "/catalogue/"),
    # Page("catalogue_search", "/catalogue/?q=laptop", headers=HTMX, audit=False),
    # Page("catalogue_search_swap", "/catalogue/", bench=False, interact=type_into("input[name=q]", "laptop", "#results")),
    # Page("item_detail", "/catalogue/items/{item}", params=lambda s: {"item": 1}),
    # Page("leaderboard", "/cleanup/leaderboard"),
    # Page("department_leaderboard", "/cleanup/leaderboard/departments"),
    # Page("collection_points", "/recycling/"),
    # Page("inbox", "/messaging/inbox"),
    # Page("log_action", "/cleanup/actions", method="POST", headers=HTMX, form={"action_type": "{action}", "quantity": "1"}, audit=False),
    # Page("log_action_swap", "/cleanup/", bench=False, interact=click("#log-action button[type=submit]", "#log-action [role=status]")),
    # Page("device_return", "/recycling/returns", method="POST", form={"collection_point": "{point}", "device_type": "accessory", "condition": "working"}, status=303, audit=False),
]


def bench_pages() -> list[Page]:
    """The pages `make bench` measures after the baseline."""
    return [p for p in PAGES if p.bench]


def audit_pages() -> list[Page]:
    """The pages the browser audits visit in both languages."""
    return [p for p in PAGES if p.audit]
