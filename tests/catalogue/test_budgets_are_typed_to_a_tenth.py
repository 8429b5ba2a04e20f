"""A budget is typed to a tenth at most, as its pages write it: « 12,55555 » was saved and
read « 12,6 », « 0,0001 » read « 0 kg CO₂e (0 %) » where a true 0 shows no share, and
« -0 » was logged « 10 → -0 ». More decimals are refused at the field, saying why,
nothing saved; -0 is 0; a budget written 0 behaves as 0."""

import html

import pytest
from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueBudget
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.catalogue.test_budget_form_words import _error, _post
from tests.catalogue.test_request_budget import _text
from tests.conftest import login


def _stored(admin) -> list[float]:
    db.session.expire_all()
    return db.session.scalars(
        select(CatalogueBudget.budget_kgco2e).where(
            CatalogueBudget.department_id == admin.department_id
        )
    ).all()


@pytest.mark.parametrize(
    ("locale", "typed", "message"),
    [
        ("fr", "12,55555", "Saisissez un budget avec une décimale au plus, par exemple 12,5."),
        ("fr", "0,0001", "Saisissez un budget avec une décimale au plus, par exemple 12,5."),
        ("en", "12.55", "Enter a budget with one decimal at most, such as 12.5."),
    ],
)
def test_more_than_a_tenth_is_refused_at_the_field(client, auth, make, locale, typed, message):
    admin = make.user(roles=("admin",), locale=locale)
    login(client, admin)
    response = _post(auth, admin, typed)
    assert response.status_code == 400
    assert _error(response) == message
    assert _stored(admin) == []


def test_minus_zero_is_saved_and_logged_as_zero(client, auth, make):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    _post(auth, admin, "10")
    _post(auth, admin, "-0")
    assert [str(v) for v in _stored(admin)] == ["0.0"]
    log = html.unescape(client.get("/admin/audit").text)
    assert "2026: 10 → 0\u00a0kg\u00a0CO₂e</td>" in log


def test_a_budget_stored_with_more_decimals_before_behaves_as_written(client, make, make_item):
    """One saved before the rule, 0.0001, reads « 0 » and behaves as 0: no share, and
    anything approved is over it."""
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    department = make.department(name_en="Mérignac")
    db.session.add(CatalogueBudget(department_id=department.id, year=2026, budget_kgco2e=0.0001))
    db.session.commit()
    page = _text(client.get("/catalogue/budgets?year=2026").text)
    assert "Mérignac 0 kg CO₂e 0 kg CO₂e ● Within budget" in page
    person = make.user(department=department, with_department=True)
    catalogue.add_to_basket(person, make_item(kind="service", use_kgco2e_per_year=2), 1, NOW)
    request = catalogue.submit_basket(person, "", NOW)
    catalogue.decide_request(request, admin, True, "", NOW)
    db.session.commit()
    page = _text(client.get("/catalogue/budgets?year=2026").text)
    assert "Mérignac 0 kg CO₂e 2 kg CO₂e ■ Over budget" in page


def test_the_service_refuses_more_than_a_tenth_too(make, request_context):
    admin = make.user(roles=("admin",))
    with pytest.raises(catalogue.CatalogueError, match="one decimal at most"):
        catalogue.set_budget(admin.department_id, 2026, 12.55, admin, NOW)
