"""The admin deciding a request sees its department's footprint budget for the year."""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from app.catalogue import routes
from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueRequest
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
    block = _block(admin_client.get("/catalogue/admin/requests").text, request_id)
    # Sent as the dialog's "yes" sends it (asked first: the figures it was asked about).
    sent = {**_sent(block, scripts=True), "decision": "approve"}
    response = Auth(admin_client).post(
        f"/catalogue/admin/requests/{request_id}/decide", sent, headers=headers
    )
    page = (
        admin_client.get(response.location).text if response.status_code == 302 else (response.text)
    )
    outcome = _text(_block(page, request_id))
    assert f"Request {request_id} " in outcome and "approved." in outcome
    assert "Used so far this year 672 kg CO₂e a year (112%) ■ Over budget" in outcome
    assert "If this request is approved" not in outcome and OVER not in outcome


# Approving past the budget asks first ------------------------------------------------

DECIDE = "/catalogue/admin/requests/{}/decide"


def _sent(block: str, scripts: bool) -> dict[str, str]:
    """The hidden fields the request's form sends: with JavaScript, portal.js takes out
    those inside <noscript>; the CSRF token is added by Auth.post."""
    if scripts:
        block = re.sub(r"<noscript>.*?</noscript>", "", block, flags=re.S)
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', block)
    return {name: html.unescape(value) for name, value in fields if name != "csrf_token"}


def _status(request_id: int) -> str:
    db.session.expire_all()
    return db.session.get(CatalogueRequest, request_id).status


def _approve_button(block: str) -> str:
    return re.search(r'<button [^>]*value="approve"[^>]*>', block, re.S).group(0)


def test_approving_past_the_budget_without_javascript_asks_naming_the_department_first(
    admin_client, admin, make, ask
):
    department = _department_with_budget(make, admin, 600, 450, ask)
    request_id = ask(222, department)
    block = _block(admin_client.get("/catalogue/admin/requests").text, request_id)
    sent = {**_sent(block, scripts=False), "decision": "approve", "note": ""}
    asked = Auth(admin_client).post(DECIDE.format(request_id), sent)
    question = (
        "Approve this request over its department's budget? "
        f"{department.name_en} would then be at 112% of its 2026 budget."
    )
    assert asked.status_code == 200 and question in html.unescape(asked.text)
    assert _status(request_id) == "submitted"
    # "Approve over budget" sends the same form again, without the question: approved.
    again = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', asked.text))
    assert ">Approve over budget</button>" in asked.text and "ask_first_after_check" not in again
    response = admin_client.post(DECIDE.format(request_id), data=again)
    assert response.status_code == 302 and _status(request_id) == "approved"


def test_approving_past_the_budget_with_javascript_asks_in_the_dialog(
    admin_client, admin, make, ask
):
    department = _department_with_budget(make, admin, 600, 450, ask)
    request_id = ask(222, department)
    block = _block(admin_client.get("/catalogue/admin/requests").text, request_id)
    approve = html.unescape(_approve_button(block))
    assert (
        f"data-confirm=\"Approve this request over its department's budget? "
        f'{department.name_en} would then be at 112% of its 2026 budget."' in approve
    )
    assert 'data-confirm-yes="Approve over budget"' in approve
    assert "data-confirm" not in re.search(r'<button [^>]*value="refuse"[^>]*>', block).group(0)
    # What the form sends once the dialog's "yes" is pressed.
    sent = {**_sent(block, scripts=True), "decision": "approve", "note": ""}
    response = Auth(admin_client).post(DECIDE.format(request_id), sent, headers=HX)
    assert response.status_code == 200 and _status(request_id) == "approved"


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "without JavaScript"])
def test_an_approval_passing_the_budget_since_the_page_was_shown_decides_nothing(
    admin_client, admin, make, ask, headers
):
    """Shown within budget (one press), the request would now pass it: another request
    was approved meanwhile. The figures come back and "Approve" asks first."""
    department = _department_with_budget(make, admin, 600, 400, ask)
    request_id = ask(150, department)
    block = _block(admin_client.get("/catalogue/admin/requests").text, request_id)
    assert "data-confirm" not in _approve_button(block)
    ask(100, department, approved_on=NOW, admin=admin)
    sent = {**_sent(block, scripts=not headers), "decision": "approve", "note": "Oui"}
    response = Auth(admin_client).post(DECIDE.format(request_id), sent, headers=headers)
    assert _status(request_id) == "submitted"
    if headers:
        assert response.status_code == 409
        shown = response.text
        assert ">\nOui</textarea>" in shown  # the note typed is kept
    else:
        assert response.status_code == 302
        shown = admin_client.get(response.location).text
    assert "nothing was decided" in shown
    again = _block(shown, request_id)
    assert f"{OVER}: 108% of it." in _text(again)
    assert "would then be at 108% of its 2026 budget" in html.unescape(_approve_button(again))


@pytest.mark.parametrize("scripts", [True, False], ids=["with JavaScript", "without it"])
def test_an_approval_within_the_budget_and_a_refusal_are_one_press(
    admin_client, admin, make, ask, scripts
):
    department = _department_with_budget(make, admin, 600, 400, ask)
    within, refused = ask(150, department), ask(300, department)
    page = admin_client.get("/catalogue/admin/requests").text
    for request_id, decision in ((within, "approve"), (refused, "refuse")):
        sent = {**_sent(_block(page, request_id), scripts), "decision": decision, "note": "Vu"}
        response = Auth(admin_client).post(DECIDE.format(request_id), sent)
        assert response.status_code == 302
    assert (_status(within), _status(refused)) == ("approved", "refused")


def test_a_french_admin_is_asked_in_french(app, make, ask):
    admin = make.user(roles=("admin",), locale="fr")
    client = app.test_client()
    login(client, admin)
    department = _department_with_budget(make, admin, 600, 450, ask)
    request_id = ask(222, department)
    block = _block(client.get("/catalogue/admin/requests").text, request_id)
    sent = {**_sent(block, scripts=False), "decision": "approve", "note": ""}
    asked = html.unescape(Auth(client).post(DECIDE.format(request_id), sent).text)
    assert (
        "Accepter cette demande au-delà du budget de sa direction\u00a0? "
        f"{department.name_fr} serait alors à 112\u00a0% de son budget 2026." in asked
    )
    assert ">Accepter au-delà du budget</button>" in asked
