"""The budgets page compares what a year's approved requests added with the year before:
next year, or this year before anything is approved, read « 0 kg CO₂e … −100 % » for
every department, a fall nobody made. A year over with nothing approved still reads
−100 %: it did fall."""

import re
from datetime import UTC, datetime

import pytest

from app.catalogue import routes
from app.catalogue import services as catalogue
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.conftest import login


@pytest.fixture(autouse=True)
def this_year(monkeypatch):
    """June 2026."""
    monkeypatch.setattr(routes, "utcnow", lambda: NOW)


def _approved(make, make_item, admin, department, kg, when):
    person = make.user(department=department, with_department=True)
    catalogue.add_to_basket(person, make_item(kind="service", use_kgco2e_per_year=kg), 1, when)
    request = catalogue.submit_basket(person, "", when)
    catalogue.decide_request(request, admin, True, "", when)
    db.session.commit()


def _change(client, year: int, department: str) -> str:
    page = client.get(f"/catalogue/budgets?year={year}").text
    row = re.search(rf"<tr [^>]*>\s*<th [^>]*>{department}</th>.*?</tr>", page, re.S)
    assert row, f"no row for {department}"
    return re.findall(r"<td [^>]*>(.*?)</td>", row.group(0), re.S)[-1]


@pytest.fixture
def merignac(client, make, make_item):
    """Mérignac: 100 a year approved in 2025, nothing yet in 2026."""
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    department = make.department(name_en="Mérignac")
    catalogue.set_budget(department.id, 2026, 500, admin, NOW)
    catalogue.set_budget(department.id, 2027, 500, admin, NOW)
    _approved(make, make_item, admin, department, 100, datetime(2025, 3, 1, tzinfo=UTC))
    return department, admin


def test_next_year_shows_no_change(client, merignac, make, make_item):
    department, admin = merignac
    _approved(make, make_item, admin, department, 80, NOW)
    assert _change(client, 2027, "Mérignac") == "–"


def test_this_year_with_nothing_approved_yet_shows_no_change(client, merignac):
    assert _change(client, 2026, "Mérignac") == "–"


def test_a_year_over_with_nothing_approved_shows_its_fall(client, make, make_item):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    department = make.department(name_en="Mérignac")
    _approved(make, make_item, admin, department, 100, datetime(2024, 3, 1, tzinfo=UTC))
    assert _change(client, 2025, "Mérignac") == "\u2212100%"
