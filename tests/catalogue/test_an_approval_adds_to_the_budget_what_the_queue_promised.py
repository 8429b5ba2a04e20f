"""What the queue says approving a request brings its department's budget to is what the
budget reads once it is approved: both count the request's total as written (5 × « 7,4 »
is « 37 »), and the status follows the figures as written. Lormont's 207,3 budget read
« 207,4 (99,9 %) ▲ Proche du budget » before approving, then « 207,2 » after."""

import re

import pytest

from app.catalogue import services as catalogue
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.catalogue.test_request_budget import (  # noqa: F401 - fixtures, this year's queue
    _block,
    _sent,
    _text,
    admin,
    admin_client,
    this_year,
)
from tests.conftest import Auth, login


def _sent_request(make, make_item, department, kg, quantity):
    """A request of `quantity` services of `kg` a year each, from `department`, sent."""
    person = make.user(department=department, with_department=True, locale="en")
    item = make_item(kind="service", use_kgco2e_per_year=kg)
    catalogue.add_to_basket(person, item, quantity, NOW)
    request = catalogue.submit_basket(person, "", NOW)
    db.session.commit()
    return request


@pytest.fixture
def lormont(make, make_item, admin):  # noqa: F811 - the imported fixture
    """A budget of 207.3 of which 170.4 used, and a request of 5 × 7.3516 waiting
    (written 5 × 7.4 = 37: 207.4 if approved, where the frozen figures make 207.16)."""
    department = make.department(name_en="Lormont Town Hall")
    catalogue.set_budget(department.id, 2026, 207.3, admin, NOW)
    used = _sent_request(make, make_item, department, 170.4, 1)
    catalogue.decide_request(used, admin, True, "", NOW)
    db.session.commit()
    return _sent_request(make, make_item, department, 7.3516, 5)


PROMISED = "If this request is approved 207.4 kg CO₂e a year (100.05%) ■ Over budget"
USED_AFTER = "Used so far this year 207.4 kg CO₂e a year (100.05%) ■ Over budget"


def test_the_queue_calls_a_figure_written_above_the_budget_over_it(admin_client, lormont):  # noqa: F811 - the imported fixture
    block = _text(_block(admin_client.get("/catalogue/admin/requests").text, lormont.id))
    assert "Department budget for 2026 207.3 kg CO₂e a year" in block
    assert "Used so far this year 170.4 kg CO₂e a year (82%)" in block
    assert PROMISED in block


def test_the_budget_after_approving_is_the_figure_promised(admin_client, lormont):  # noqa: F811 - the imported fixture
    block = _block(admin_client.get("/catalogue/admin/requests").text, lormont.id)
    sent = {**_sent(block, scripts=True), "decision": "approve"}
    response = Auth(admin_client).post(
        f"/catalogue/admin/requests/{lormont.id}/decide", sent, headers={"HX-Request": "true"}
    )
    assert USED_AFTER in _text(response.text)
    budgets = _text(admin_client.get("/catalogue/budgets?year=2026").text)
    assert re.search(
        r"Lormont Town Hall 207.3 kg CO₂e 207.4 kg CO₂e \(100.05%\) ■ Over budget", budgets
    )


def test_the_request_page_and_the_export_give_the_total_the_budget_counts(client, lormont, admin):  # noqa: F811 - the imported fixture
    catalogue.decide_request(lormont, admin, True, "", NOW)
    db.session.commit()
    login(client, lormont.user)
    page = _text(client.get(f"/catalogue/requests/{lormont.id}").text)
    assert "Yearly footprint 37 kg CO₂e" in page
    exported = catalogue.export_personal_data(lormont.user)["requests"]
    assert [r["total_annual_kgco2e"] for r in exported] == [37.0]
