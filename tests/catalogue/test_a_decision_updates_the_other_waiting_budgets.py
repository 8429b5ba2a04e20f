"""Deciding a request with htmx brings the budget figures of its department's other
requests waiting on the page up to date: each card's budget part and its Approve button
(the question it asks before passing the budget), swapped out of band. The officer read
« Déjà utilisé 248,3 kg CO₂e (83 %) » after an approval, and the server then refused an
approval whose dialog still said « 113 % »: a reload showed 85 % and 115 %."""

import re

import pytest
from playwright.sync_api import expect

from app.catalogue import services as catalogue
from app.core.time import local_zone, utcnow
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.catalogue.test_request_budget import (  # noqa: F401 - fixtures, this year's queue
    DECIDE,
    HX,
    _block,
    _sent,
    _text,
    admin,
    admin_client,
    ask,
    this_year,
)
from tests.conftest import Auth, browser_sign_in


@pytest.fixture
def queue(make, admin, ask):  # noqa: F811 - the imported fixtures
    """A budget of 600 of which 450 used; three requests of 100 waiting from it, and one
    from another department. Approving the first leaves 550 used: the second then takes
    the department to 650 (108 %), over its budget, where it read 550 (92 %) before."""
    department = make.department(name_en="Public Health")
    catalogue.set_budget(department.id, 2026, 600, admin, NOW)
    ask(450, department, approved_on=NOW, admin=admin)
    first, second, third = (ask(100, department) for _ in range(3))
    elsewhere = ask(100, make.department())
    return first, second, third, elsewhere


def _decide(client, request_id, shown, decision="approve"):
    """The decision as htmx sends it: the form's fields, and the requests on the page."""
    page = client.get("/catalogue/admin/requests").text
    sent = {**_sent(_block(page, request_id), scripts=True), "decision": decision}
    sent["waiting_shown"] = [str(i) for i in shown]
    return Auth(client).post(DECIDE.format(request_id), sent, headers=HX)


def _swapped(answer: str, request_id: int) -> str:
    """The request's budget part the answer swaps out of band."""
    found = re.search(
        rf'<div [^>]*id="request-budget-{request_id}" hx-swap-oob="true">.*?</div>', answer, re.S
    )
    assert found, f"no budget part for request {request_id}"
    return found.group(0)


def _approve_swapped(answer: str, request_id: int) -> str:
    """The request's Approve button (and what it sends) the answer swaps out of band."""
    found = re.search(
        rf'<span [^>]*id="approve-{request_id}" hx-swap-oob="true">.*?</button>', answer, re.S
    )
    assert found, f"no Approve button for request {request_id}"
    return found.group(0)


def test_the_other_waiting_requests_of_the_department_show_the_new_figures(admin_client, queue):  # noqa: F811 - the imported fixture
    first, second, third, _elsewhere = queue
    answer = _decide(admin_client, first, queue).text
    for other in (second, third):
        part = _text(_swapped(answer, other))
        assert "Used so far this year 550 kg CO₂e a year (92%)" in part
        assert "If this request is approved 650 kg CO₂e a year (108%) ■ Over budget" in part
        assert "Approving this request takes the department over its budget: 108% of it." in part


def test_their_approve_button_asks_with_the_new_share(admin_client, queue):  # noqa: F811 - the imported fixture
    first, second, *_ = queue
    answer = _decide(admin_client, first, queue).text
    button = _approve_swapped(answer, second)
    assert "would then be at 108% of its 2026 budget" in button.replace("&#39;", "'")
    # The figures the question quotes go with it: approving says yes to these.
    assert re.search(r'name="budget_seen" value="650\.0/600\.0"', button)


def test_an_approval_sent_from_the_updated_card_is_not_refused(admin_client, queue):  # noqa: F811 - the imported fixture
    first, second, *_ = queue
    answer = _decide(admin_client, first, queue).text
    sent = {
        "budget_seen": re.search(
            r'name="budget_seen" value="([^"]*)"', _approve_swapped(answer, second)
        ).group(1),
        "decision": "approve",
        "note": "",
    }
    approved = Auth(admin_client).post(DECIDE.format(second), sent, headers=HX)
    assert approved.status_code == 200
    assert f"Request {second} " in _text(approved.text) and "approved." in approved.text


def test_a_request_of_another_department_or_off_the_page_is_left_alone(admin_client, queue):  # noqa: F811 - the imported fixture
    first, second, third, elsewhere = queue
    answer = _decide(admin_client, first, [first, second, elsewhere]).text
    assert f'id="request-budget-{second}"' in answer
    assert f'id="request-budget-{third}"' not in answer  # not on the admin's page
    assert f'id="request-budget-{elsewhere}"' not in answer
    assert f'id="approve-{elsewhere}"' not in answer


def test_the_update_is_said_once_not_card_by_card(admin_client, queue):  # noqa: F811 - the imported fixture
    first, *_ = queue
    answer = _decide(admin_client, first, queue).text
    said = re.findall(r"<[^>]*data-announce[^>]*>([^<]*)<", answer)
    assert said[1:] == [
        "The budget figures of the 2 other requests from the same department were updated."
    ]
    assert said[0].startswith(f"Request {first} ")


def test_a_refusal_changes_no_figure_and_says_nothing_of_them(admin_client, queue):  # noqa: F811 - the imported fixture
    first, second, *_ = queue
    sent = {"note": "Not this year."}
    page = admin_client.get("/catalogue/admin/requests").text
    sent = {**_sent(_block(page, first), scripts=True), **sent, "decision": "refuse"}
    sent["waiting_shown"] = [str(i) for i in queue]
    answer = Auth(admin_client).post(DECIDE.format(first), sent, headers=HX).text
    assert "Used so far this year 450 kg CO₂e a year (75%)" in _text(_swapped(answer, second))
    assert "were updated" not in answer


def test_without_javascript_the_queue_is_read_again_whole(admin_client, queue):  # noqa: F811 - the imported fixture
    first, second, *_ = queue
    page = admin_client.get("/catalogue/admin/requests").text
    sent = {**_sent(_block(page, first), scripts=False), "decision": "approve"}
    decided = Auth(admin_client).post(DECIDE.format(first), sent, follow_redirects=True)
    assert "hx-swap-oob" not in _block(decided.text, second)
    assert "Used so far this year 550 kg CO₂e a year (92%)" in _text(_block(decided.text, second))


@pytest.mark.browser
def test_in_the_browser_the_next_card_and_its_dialog_quote_the_new_figures(page, make, make_item):
    """Approving one request, then the next: its card and its dialog give the share the
    server asks about, and « Approve over budget » approves it (no 409)."""
    officer = make.user(roles=("admin",), locale="en", email="decides-budgets@example.org")
    department = make.department(name_en="Public Health")
    year = utcnow().astimezone(local_zone()).year
    catalogue.set_budget(department.id, year, 600, officer, utcnow())
    waiting = []
    for kg in (450, 100, 100):
        person = make.user(department=department, locale="en")
        catalogue.add_to_basket(
            person, make_item(kind="service", use_kgco2e_per_year=kg), 1, utcnow()
        )
        waiting.append(catalogue.submit_basket(person, "", utcnow()))
    catalogue.decide_request(waiting[0], officer, True, "", utcnow())
    db.session.commit()
    first, second = waiting[1].id, waiting[2].id
    browser_sign_in(page, officer)
    page.goto("/catalogue/admin/requests", wait_until="load")

    page.on("request", lambda r: print("POST", r.post_data) if r.method == "POST" else None)
    print(page.locator(f"#request-{first} form").evaluate("f => f.outerHTML"))
    print(page.evaluate("document.querySelectorAll(\"[name='waiting_shown']\").length"))
    print(
        page.locator(f"#request-{first} form").evaluate(
            "f => JSON.stringify(htmx.values(f, 'post'))"
        )
    )
    page.locator(f"#request-{first}").get_by_role("button", name="Approve").click()
    expect(page.locator(f"#decided-{first}")).to_be_focused()
    print(page.locator(f"#request-{first}").inner_html())
    expect(page.locator("#announcer")).to_have_text(
        "The budget figures of the other request from the same department were updated."
    )
    card = page.locator(f"#request-{second}")
    expect(card).to_contain_text("If this request is approved 650 kg CO₂e a year (108%)")
    card.get_by_role("button", name="Approve").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("would then be at 108% of its")
    dialog.get_by_role("button", name="Approve over budget").click()
    expect(page.locator(f"#decided-{second}")).to_contain_text("approved.")
