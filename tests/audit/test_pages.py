"""Each key page in each language: light (EcoIndex A, ≤ 10 requests, ≤ 150 KB on a first
visit) and accessible (no axe-core violation of WCAG 2.1 A/AA)."""

import pytest

from bench.pages import audit_pages
from tests.audit.conftest import FIGURES, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.audit]
MAX_REQUESTS = 10
MAX_KB = 150


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("entry", audit_pages(), ids=lambda p: p.name)
def test_page_is_light_and_accessible(visitor, entry, lang):
    tab = visitor(lang)
    tab.sign_in(entry.account)
    figures = tab.first_visit(entry)
    FIGURES[f"{entry.name}-{lang}"] = figures.as_dict()
    print(f"{entry.name}-{lang}: {figures}")
    violations = tab.axe_violations()

    assert not violations, f"axe-core on {entry.path} ({lang}):\n" + describe_violations(violations)
    assert figures.requests <= MAX_REQUESTS, figures
    assert figures.size_kb <= MAX_KB, figures
    assert figures.grade == "A", figures
