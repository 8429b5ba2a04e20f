"""The admin deciding a request sees its department's footprint budget for the year."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from app.catalogue import routes
from app.catalogue import services as catalogue
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.conftest import Auth, login

HX = {"HX-Request": "true"}
LAST_YEAR = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)
OVER = "Approving this request takes the department over its budget"


@pytest.fixture(autouse=True)
def this_year(monkeypatch):
    """The queue judges budgets in the current year: 2026 here."""
    monkeypatch.setattr(routes, "utcnow", lambda: NOW)


@pytest.fixture
def admin(make):
    return make.user(roles=("admin",), locale="en")


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    login(client, admin)
    return client


@pytest.fixture
def ask(make, make_item):
    """ask(kg, department=…, approved_on=None): a request of one service of `kg` a year
    from a new person of `department`, sent (or approved on `approved_on`); its id."""

    def build(kg, department=None, approved_on=None, admin=None):
        person = make.user(department=department, with_department=department is not None)
        item = make_item(kind="service", use_kgco2e_per_year=kg)
        catalogue.add_to_basket(person, item, 1, NOW)
        request = catalogue.submit_basket(person, "", approved_on or NOW)
        if approved_on:
            catalogue.decide_request(request, admin, True, "", approved_on)
        db.session.commit()
        return request.id

    return build


def _block(page: str, request_id: int) -> str:
    """The request's own block of the queue."""
    found = re.search(rf'<section [^>]*id="request-{request_id}".*?</section>', page, re.S)
    assert found, f"no block for request {request_id}"
    return found.group(0)


def _text(html: str) -> str:
    """What a reader hears, roughly: the tags out, spaces as one."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")


def _department_with_budget(make, admin, budget, used, ask):
    """A department with `budget` for 2026 whose approved requests used `used` so far."""
    department = make.department()
    catalogue.set_budget(department.id, 2026, budget, admin, NOW)
    ask(used, department, approved_on=NOW, admin=admin)
    return department


def test_each_request_shows_its_department_budget_used_and_after_approval(
    admin_client, admin, make, ask
):
    department = _department_with_budget(make, admin, 600, 450, ask)
    request_id = ask(222, department)
    block = _text(_block(admin_client.get("/catalogue/admin/requests").text, request_id))
    assert "Department budget for 2026 600 kg CO₂e a year" in block
    assert "Used so far this year 450 kg CO₂e a year (75%)" in block
    assert "If this request is approved 672 kg CO₂e a year (112%) ■ Over budget" in block
    assert f"{OVER}: 112% of it." in block


@pytest.mark.parametrize(
    ("asked", "warned", "after"),
    [(150, False, "600 kg CO₂e a year (100%) ▲ Close to the budget"),
     (151, True, "601 kg CO₂e a year (100.2%) ■ Over budget")],
)  # fmt: skip
def test_the_warning_appears_exactly_when_approval_passes_the_budget(
    admin_client, admin, make, ask, asked, warned, after
):
    department = _department_with_budget(make, admin, 600, 450, ask)
    request_id = ask(asked, department)
    html = _block(admin_client.get("/catalogue/admin/requests").text, request_id)
    block = _text(html)
    assert f"If this request is approved {after}" in block
    assert (OVER in block) is warned
    # The warning is read out with the Approve button as well.
    approve = re.search(r'<button [^>]*value="approve"[^>]*>', html).group(0)
    assert (f"over-budget-{request_id}" in approve) is warned


def test_a_department_already_over_its_budget_is_said_so(admin_client, admin, make, ask):
    department = _department_with_budget(make, admin, 400, 450, ask)
    request_id = ask(50, department)
    block = _text(_block(admin_client.get("/catalogue/admin/requests").text, request_id))
    assert (
        "The department is already over its budget: approving this request brings it to "
        "125% of it." in block
    )


def test_a_department_without_a_budget_says_so_plainly(admin_client, admin, make, ask):
    department = make.department()
    ask(450, department, approved_on=NOW, admin=admin)
    request_id = ask(222, department)
    block = _text(_block(admin_client.get("/catalogue/admin/requests").text, request_id))
    assert "Department budget for 2026 No budget set for this department this year." in block
    assert "Used so far this year 450 kg CO₂e a year If this request" in block
    assert "If this request is approved 672 kg CO₂e a year </" not in block
    assert "%" not in block and "Over budget" not in block


def test_a_request_without_a_department_shows_no_budget(admin_client, make, ask):
    request_id = ask(222)
    beside = ask(10, make.department())
    page = admin_client.get("/catalogue/admin/requests").text
    assert "Used so far this year" in _block(page, beside)
    block = _block(page, request_id)
    assert "Department budget" not in block and "Used so far" not in block


def test_requests_approved_in_a_previous_year_do_not_count(admin_client, admin, make, ask):
    department = _department_with_budget(make, admin, 600, 100, ask)
    ask(400, department, approved_on=LAST_YEAR, admin=admin)
    request_id = ask(50, department)
    block = _text(_block(admin_client.get("/catalogue/admin/requests").text, request_id))
    assert "Used so far this year 100 kg CO₂e a year (17%)" in block
    assert "If this request is approved 150 kg CO₂e a year (25%) ● Within budget" in block


def test_a_french_admin_reads_the_figures_with_decimal_commas(app, make, ask):
    admin = make.user(roles=("admin",), locale="fr")
    client = app.test_client()
    login(client, admin)
    department = _department_with_budget(make, admin, 500, 450.5, ask)
    request_id = ask(100.25, department)
    block = _text(_block(client.get("/catalogue/admin/requests").text, request_id))
    assert "Budget de la direction pour 2026 500 kg CO₂e par an" in block
    assert "Déjà utilisé cette année 450,5 kg CO₂e par an (90 %)" in block
    assert "Si cette demande est acceptée 550,8 kg CO₂e par an (110 %) ■ Budget dépassé" in block
    assert (
        "Accepter cette demande fait passer la direction au-delà de son budget : 110 % de celui-ci."
        in (block)
    )


def _statements(client, url: str) -> int:
    statements = []
    count = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_figures_of_a_whole_page_are_read_at_once(admin_client, admin, make, ask):
    """Ten requests from ten departments cost the statements one does: no query each."""
    url = "/catalogue/admin/requests"
    first = _department_with_budget(make, admin, 600, 100, ask)
    ask(10, first)
    admin_client.get(url)  # what is read once and kept is read
    one = _statements(admin_client, url)
    for n in range(9):
        ask(10, _department_with_budget(make, admin, 600 + n, 100, ask))
    page = admin_client.get(url).text
    assert page.count("Used so far this year") == 10
    assert _statements(admin_client, url) == one


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "without JavaScript"])
def test_an_approved_request_counts_in_what_its_department_used(
    admin_client, admin, make, ask, headers
):
    department = _department_with_budget(make, admin, 600, 450, ask)
    request_id = ask(222, department)
    response = Auth(admin_client).post(
        f"/catalogue/admin/requests/{request_id}/decide", {"decision": "approve"}, headers=headers
    )
    page = (
        admin_client.get(response.location).text if response.status_code == 302 else (response.text)
    )
    outcome = _text(_block(page, request_id))
    assert f"Request {request_id} " in outcome and "approved." in outcome
    assert "Used so far this year 672 kg CO₂e a year (112%) ■ Over budget" in outcome
    assert "If this request is approved" not in outcome and OVER not in outcome
