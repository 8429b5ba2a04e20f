"""The budgets page on a phone: each department a block, its status in view (it was past
the edge of a table scrolled sideways, with the share used)."""

import pytest

from app.catalogue import services as catalogue
from tests.catalogue.conftest import NOW
from tests.catalogue.test_budget_figures import _approved
from tests.conftest import browser_sign_in


@pytest.mark.browser
def test_on_a_phone_the_budget_status_is_in_view_without_scrolling(page, make, make_item):
    admin = make.user(roles=("admin",), locale="fr", email="budgets@example.org")
    department = make.department(
        name_fr="Direction de l'environnement et du développement durable",
        name_en="Environment and sustainable development department",
    )
    catalogue.set_budget(department.id, 2026, 500, admin, NOW)
    _approved(make, make_item, admin, department, 600, NOW)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, admin)
    page.goto("/catalogue/budgets?year=2026")
    status = page.locator("td.budget-status.status-red")
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert "Budget dépassé" in status.inner_text()
    scrolls = page.locator(".budget-table").evaluate(
        "(table) => table.closest('.table-scroll').scrollWidth"
        " > table.closest('.table-scroll').clientWidth"
    )
    assert not scrolls
    # Each value named, the table still one for a screen reader.
    assert page.get_by_role("row").filter(has=status).get_by_role("cell").count() == 4
