"""The budgets spreadsheet writes each column of figures to one precision: kilograms and
budgets to a tenth, the share in percent to a tenth worked out from the figures, not from
the share the page rounds to a whole percent (114.7 % was written « 115,00 », and the
column mixed « 80,500 », « 110,0 » and « 12,00 »)."""

import pytest

from app.catalogue import services as catalogue
from tests.catalogue.conftest import NOW
from tests.catalogue.test_admin_reports_and_whole_numbers import LAST_YEAR, _decided, _table
from tests.conftest import login


@pytest.fixture
def rows(client, make, make_item):
    """Budgets of 550 (624.8 used: 113.6 %, 845.4 the year before), 1,200.5 (614 used,
    1,174 the year before) and 100 (nothing used), downloaded in French."""
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    health, cenon, sports = (
        make.department(code=code, name_fr=code) for code in ("DSAN", "CENON", "DSPO")
    )
    for department, budget in ((health, 550), (cenon, 1200.5), (sports, 100)):
        catalogue.set_budget(department.id, 2026, budget, admin, NOW)
    for department, kg, when in (
        (health, 312.4, NOW),
        (health, 422.7, LAST_YEAR),
        (cenon, 307, NOW),
        (cenon, 587, LAST_YEAR),
    ):
        _decided(make, make_item, admin, department, kg, when)  # two of each
    header, *lines = _table(client.get("/catalogue/admin/budgets.csv?year=2026"))
    return {line[1]: dict(zip(header, line, strict=True)) for line in lines}


SHARE = "Part du budget utilisée (%)"
USED = "Ajouté par les demandes acceptées (kg CO₂e par an)"
BEFORE = "Ajouté par les demandes acceptées en 2025 (kg CO₂e par an)"


def test_the_share_is_a_percent_to_a_tenth_from_the_figures(rows):
    assert [rows[code][SHARE] for code in ("DSAN", "CENON", "DSPO")] == ["113,6", "51,1", "0,0"]


def test_kilograms_are_written_to_a_tenth_on_every_row(rows):
    assert [rows[code][USED] for code in ("DSAN", "CENON", "DSPO")] == ["624,8", "614,0", "0,0"]
    assert [rows[code][BEFORE] for code in ("DSAN", "CENON", "DSPO")] == ["845,4", "1174,0", "0,0"]


def test_budgets_are_written_to_the_tenth_they_are_typed_to(rows):
    budgets = [rows[code]["Budget (kg CO₂e par an)"] for code in ("DSAN", "CENON", "DSPO")]
    assert budgets == ["550,0", "1200,5", "100,0"]
