"""The budgets page and the audit log write a budget's figures as French reads them."""

import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueBudget
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.conftest import Auth, login

LAST_YEAR = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)


def _approved(make, make_item, admin, department, kg, when):
    """A request of one service of `kg` a year from `department`, approved on `when`."""
    person = make.user(department=department, with_department=True)
    catalogue.add_to_basket(person, make_item(kind="service", use_kgco2e_per_year=kg), 1, when)
    request = catalogue.submit_basket(person, "", when)
    catalogue.decide_request(request, admin, True, "", when)
    db.session.commit()


@pytest.mark.parametrize(
    ("locale", "this_year", "change"),
    [
        ("fr", 59, "\u221241\u00a0%"),
        ("fr", 112, "+12\u00a0%"),
        ("fr", 100.2, "0\u00a0%"),
        ("en", 59, "\u221241%"),
    ],
)
def test_the_change_on_last_year_is_written_with_a_minus_sign(
    client, make, make_item, locale, this_year, change
):
    """« -41 % » had an ASCII hyphen, which is no minus sign (nor read as one); a change
    written as 0 has no sign."""
    admin = make.user(roles=("admin",), locale=locale)
    login(client, admin)
    department = make.department()
    catalogue.set_budget(department.id, 2026, 500, admin, NOW)
    _approved(make, make_item, admin, department, 100, LAST_YEAR)
    _approved(make, make_item, admin, department, this_year, NOW)
    page = client.get("/catalogue/budgets?year=2026").text
    assert f'">{change}</td>' in page


def test_the_audit_log_keeps_a_budgets_decimals(client, make):
    """A budget of « 1 234,5 » was logged as « 2026 : 1 234 kg CO₂e »."""
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    Auth(client).post(
        "/catalogue/admin/budgets",
        {"department_id": str(admin.department_id), "year": "2026", "budget_kgco2e": "1 234,5"},
    )
    stored = db.session.scalar(
        select(CatalogueBudget.budget_kgco2e).where(
            CatalogueBudget.department_id == admin.department_id
        )
    )
    assert stored == 1234.5  # the figure itself was kept: only its log said less
    log = html.unescape(client.get("/admin/audit").text)
    department = admin.department.name_fr
    assert f"<td>{department}, 2026\u00a0: – → 1\u202f234,5\u00a0kg\u00a0CO₂e</td>" in log
