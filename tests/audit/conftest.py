"""Browser audits of the key pages (bench/pages.py): EcoIndex, axe-core, keyboard.

Select them with `-m audit`, or leave them out with `-m "not audit"`. The figures
are printed at the end of the run and written to bench/results/ecoindex.json.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.core import demo
from app.extensions import db
from bench.ecoindex import EcoIndex, ecoindex
from tests.snapshots import build_once

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "app" / "static" / "vendor" / "axe" / "axe.min.js"
RESULTS = ROOT / "bench" / "results" / "ecoindex.json"
AUDIT_EMPLOYEES = 200
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FIGURES: dict[str, dict] = {}

# Every DOM element, less those inside <svg>, as the EcoIndex method counts them.
COUNT_DOM = """() => {
  let total = document.getElementsByTagName('*').length;
  for (const svg of document.getElementsByTagName('svg')) {
    total -= svg.getElementsByTagName('*').length;
  }
  return total;
}"""

# Elements sticking out past the viewport's right edge, except inside a container that
# scrolls sideways by design or clips (the map); their start tags, at most eight.
WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const scrolls = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    let inside = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up)) { inside = true; break; }
    }
    if (!inside && !el.closest('svg')) out.push(el.outerHTML.slice(0, 100));
    if (out.length >= 8) break;
  }
  return out.length ? out : ['(the page scrolls sideways)'];
}"""


def pytest_configure(config):
    config.addinivalue_line("markers", "audit: EcoIndex and accessibility audits in chromium")


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("EcoIndex of the key pages (first visit)")
    terminalreporter.write_line(
        f"{'page':<28} {'score':>6} {'grade':>5} {'DOM':>5} {'requests':>8} {'KB':>7}"
    )
    for key in sorted(FIGURES):
        f = FIGURES[key]
        terminalreporter.write_line(
            f"{key:<28} {f['score']:>6} {f['grade']:>5} {f['dom']:>5} "
            f"{f['requests']:>8} {f['size_kb']:>7}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps(previous | FIGURES, indent=2, sort_keys=True) + "\n")


@pytest.fixture
def demo_data(app):
    """The demo (core and every domain's seeder) at a small scale, a message in every
    inbox; seeded once per run (tests/snapshots.py), emptied after each test."""

    def seed():
        demo.seed_demo(app, AUDIT_EMPLOYEES)
        db.session.commit()
        _a_message_in_every_inbox(app)

    build_once("audit-demo", seed)


def _a_message_in_every_inbox(app):
    """The weekly digest in every inbox (the in-portal channel only), so that the inbox
    is audited with a message and its buttons, and the home page with its unread one."""
    from app.core.time import utcnow
    from app.messaging import jobs, services

    now = utcnow()
    saved = app.config["MAIL_WORKING_HOURS"]
    app.config["MAIL_WORKING_HOURS"] = "Mo 00:00-00:01"  # e-mails wait: no SMTP here
    try:
        digest = services.template_by_key("weekly-digest")
        dispatch = services.create_dispatch(digest, "everyone", {}, now, now)
        db.session.commit()
        jobs.run_dispatch(dispatch.id, clock=lambda: now)
    finally:
        app.config["MAIL_WORKING_HOURS"] = saved


def sign_in_through_the_form(page, email: str, lang: str | None = None) -> None:
    """Open a session the way a person does: the sign-in form, then the home page."""
    page.goto("/auth/sign-in" + (f"?lang={lang}" if lang else ""))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/")


def sign_in_with_a_cookie(page, email: str, lang: str | None = None) -> None:
    """What `sign_in_through_the_form` leaves behind (the person's language kept if they
    never chose one, the home page), through a session cookie: half a second less a test.
    The form itself is driven by tests/auth/test_browser.py and the page audit's Visitor."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.auth.services import keep_language_if_never_chosen
    from tests.conftest import browser_sign_in

    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if lang:
        keep_language_if_never_chosen(user, lang)
        db.session.commit()
    browser_sign_in(page, user)


@dataclass
class Traffic:
    """What the browser fetched from the network, counted with the DevTools protocol."""

    requests: set = field(default_factory=set)
    encoded_bytes: dict = field(default_factory=dict)
    failed: set = field(default_factory=set)

    def listen(self, cdp) -> None:
        cdp.on("Network.requestWillBeSent", lambda e: self.requests.add(e["requestId"]))
        cdp.on(
            "Network.loadingFinished",
            lambda e: self.encoded_bytes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )
        cdp.on("Network.loadingFailed", lambda e: self.failed.add(e["requestId"]))

    def reset(self) -> None:
        self.requests.clear()
        self.encoded_bytes.clear()
        self.failed.clear()

    @property
    def pending(self) -> set:
        return self.requests - self.encoded_bytes.keys() - self.failed

    @property
    def size_kb(self) -> float:
        return sum(self.encoded_bytes.values()) / 1024


class Visitor:
    """A browser tab signed in (or not) in one language, that can audit what it shows."""

    def __init__(self, browser, live_server, lang: str):
        self.lang = lang
        self.context = browser.new_context(
            base_url=live_server,
            locale="fr-FR" if lang == "fr" else "en-GB",
            bypass_csp=True,  # lets axe-core be injected; the portal's CSP stays on otherwise
        )
        # axe-core in every document of the tab from its start, sent to chromium once:
        # injected page by page, its half megabyte cost about 80 ms more an audited page.
        # It only defines `axe` (no request, no element) until axe_violations runs it.
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        self.traffic = Traffic()
        self.traffic.listen(self.cdp)

    def sign_in(self, email: str | None) -> None:
        """Sign in through the form, then pick the language with the header button."""
        if email is None:
            return
        sign_in_through_the_form(self.page, email, self.lang)
        if self.page.get_attribute("html", "lang") != self.lang:
            self.page.click(".lang-switch button")
            self.page.wait_for_selector(f"html[lang={self.lang}]")

    def first_visit(self, page_entry, params: dict | None = None) -> EcoIndex:
        """Load a page with an empty cache (after its interaction, if any) and score it."""
        self.cdp.send("Network.clearBrowserCache")
        self.traffic.reset()
        path = page_entry.path.format(**(params or {}))
        if page_entry.account is None:
            path += ("&" if "?" in path else "?") + f"lang={self.lang}"
        response = self.page.goto(path, wait_until="load")
        assert response.status == page_entry.status, f"{path} answered {response.status}"
        self.settle()
        if page_entry.interact:
            page_entry.interact(self.page)
        assert self.page.get_attribute("html", "lang") == (page_entry.fixed_lang or self.lang)
        return ecoindex(
            self.page.evaluate(COUNT_DOM), len(self.traffic.requests), self.traffic.size_kb
        )

    def settle(self, quiet_ms: int = 100, at_most_ms: int = 5_000) -> None:
        """Wait until nothing has been fetched for `quiet_ms` (the icon is asked for after
        "load"): Playwright's "networkidle" waits 500 ms, a minute over the whole audit."""
        quiet = 0
        for _ in range(at_most_ms // 25):
            count = len(self.traffic.requests)
            self.page.wait_for_timeout(25)
            if self.traffic.pending or len(self.traffic.requests) != count:
                quiet = 0
            else:
                quiet += 25
                if quiet >= quiet_ms:
                    return

    def wider_than(self, width: int) -> list[str]:
        """What makes the page scroll sideways at `width` CSS pixels (WCAG 1.4.10 Reflow:
        320 px, a phone at 400 % zoom), outside the containers that scroll on purpose
        (wide tables in `.table-scroll`); empty when nothing does."""
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": width, "height": 640})
        try:
            return self.page.evaluate(WIDER_THAN_VIEWPORT)
        finally:
            self.page.set_viewport_size(size)

    def axe_violations(self) -> list[dict]:
        if self.page.evaluate("typeof axe === 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        return result["violations"]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(browser, live_server, demo_data):
    """Make a Visitor(lang); every one is closed after the test."""
    opened = []

    def open_visitor(lang: str) -> Visitor:
        opened.append(Visitor(browser, live_server, lang))
        return opened[-1]

    yield open_visitor
    for one in opened:
        one.close()


def describe_violations(violations: list[dict]) -> str:
    """axe-core's findings, one block per rule, readable in a failing test's output."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " / ")
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)
