"""A share of a budget rounded to « 100,0 » said neither side of it: the budgets
spreadsheet wrote a department 0.02 % over its budget « 100,0 » beside « Budget
dépassé », and one 0.02 % under it « 100,0 » as well, as the budgets page wrote the
latter « 100 % ». Over reads above 100 (« 100,1 »), under below (« 99,9 »)."""

import html
import re

import pytest

from app.catalogue import services as catalogue
from tests.catalogue.conftest import NOW
from tests.catalogue.test_admin_reports_and_whole_numbers import _decided, _table
from tests.conftest import login

SHARE = "Part du budget utilisée (%)"


@pytest.fixture
def admin(client, make, make_item):
    """Budgets of 1,000 kg: OVER used 1,000.2 (two of 500.1), UNDER 999.8 (two of 499.9)."""
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    for code, kg in (("OVER", 500.1), ("UNDER", 499.9)):
        department = make.department(code=code, name_fr=code)
        catalogue.set_budget(department.id, 2026, 1000, admin, NOW)
        _decided(make, make_item, admin, department, kg, NOW)
    return admin


def test_the_spreadsheet_writes_a_share_just_over_the_budget_above_100(client, admin):
    header, *lines = _table(client.get("/catalogue/admin/budgets.csv?year=2026"))
    rows = {line[1]: dict(zip(header, line, strict=True)) for line in lines}
    assert (rows["OVER"][SHARE], rows["OVER"]["Statut"]) == ("100,1", "Budget dépassé")
    assert rows["UNDER"][SHARE] == "99,9"


def test_the_budgets_page_writes_a_share_just_under_the_budget_below_100(client, admin):
    page = html.unescape(client.get("/catalogue/budgets?year=2026").get_data(as_text=True))
    page = re.sub(r"[\u00a0\u202f]", " ", page)
    under = re.search(r"<th[^>]*>UNDER</th>.*?</tr>", page, re.S).group(0)
    assert "(99,9 %)" in under and "100 %" not in under
    over = re.search(r"<th[^>]*>OVER</th>.*?</tr>", page, re.S).group(0)
    assert "(100,02 %)" in over
