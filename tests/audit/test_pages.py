"""Each key page in each language: light (EcoIndex A, ≤ 10 requests, ≤ 150 KB on a first
visit) and accessible (no axe-core violation of WCAG 2.1 A/AA).

One test per language visits every page of bench/pages.py on one seeded demo (seeding
it once per page took most of the time) and reports every failing page at the end, not
only the first. `AUDIT_PAGES=inbox,leaderboard` limits a run to some pages.
"""

import os

import pytest

from app.extensions import db
from bench.pages import audit_pages
from tests.audit.conftest import FIGURES, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.audit]
MAX_REQUESTS = 10
MAX_KB = 150


def selected_pages():
    wanted = {n for n in os.environ.get("AUDIT_PAGES", "").split(",") if n}
    return [p for p in audit_pages() if not wanted or p.name in wanted]


def audit_one(tab, entry, lang: str) -> list[str]:
    """What is wrong with one page in one language (nothing when it passes)."""
    params = entry.params(db.session) if entry.params else {}
    figures = tab.first_visit(entry, params)
    if entry.first_visit_limits:
        FIGURES[f"{entry.name}-{lang}"] = figures.as_dict()
    print(f"{entry.name}-{lang}: {figures}")
    problems = []
    violations = tab.axe_violations()
    if violations:
        problems.append(f"axe-core on {entry.path}:\n" + describe_violations(violations))
    wider = tab.wider_than(320)
    if wider:
        problems.append("scrolls sideways at 320 px (WCAG 1.4.10): " + "; ".join(wider))
    if not entry.first_visit_limits:
        return problems
    if figures.requests > MAX_REQUESTS:
        problems.append(f"{figures.requests} requests (at most {MAX_REQUESTS})")
    if figures.size_kb > MAX_KB:
        problems.append(f"{figures.size_kb:.1f} KB (at most {MAX_KB})")
    if figures.grade != "A" and entry.grade_a:
        problems.append(f"EcoIndex grade {figures.grade} ({figures})")
    return problems


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_key_pages_are_light_and_accessible(visitor, lang):
    tabs = {}
    failures = []
    for entry in selected_pages():
        if entry.account not in tabs:
            tabs[entry.account] = visitor(lang)
            tabs[entry.account].sign_in(entry.account)
        try:
            problems = audit_one(tabs[entry.account], entry, lang)
        except Exception as error:  # a page that cannot even be audited is a failure too
            problems = [f"{type(error).__name__}: {error}"]
        failures += [f"[{entry.name}-{lang}] {p}" for p in problems]
    assert not failures, "\n\n".join(failures)
