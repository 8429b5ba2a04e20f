"""Recycling: Back then Send again without JavaScript gives
one receipt, a receipt viewed by staff speaks of its owner, the desk labels finished
returns « View », brings a page past the end and an unknown view back into range, and
the statistics' tables add up to their headlines."""

import html
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.recycling import queries, services
from app.recycling.models import DeviceReturn
from tests.conftest import browser_sign_in, login
from tests.recycling.conftest import NOW

ANSWERS = {"device_type": "accessory", "condition": "working"}


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _words(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(response)))


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", _text(response), re.S).group(1)


def _count() -> int:
    return db.session.scalar(select(func.count(DeviceReturn.id)))


def _form_shown(client) -> dict:
    """The return form as the browser loads it: its one-time token (Back, on a page sent
    no-store, loads it again with a new one, and the browser fills the answers in again)."""
    page = _text(client.get("/recycling/returns/new"))
    return {"form_token": re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]}


def _declare(client, auth, point, **answers):
    data = {**_form_shown(client), "collection_point_id": point.id, **ANSWERS, **answers}
    return auth.post("/recycling/returns/new", data)


def _receipt(response) -> str:
    return re.search(r"/recycling/returns/(RC-[0-9A-Z]{4}-[0-9A-Z]{4})", response.location)[1]


def _second_device_form(page: str) -> dict:
    """The fields of the receipt's "Declare a second, identical device" form."""
    form = page.split('data-testid="declare-another"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


# --- 1. Back then Send again without JavaScript ------------------------------------------


def test_back_then_send_again_without_script_lands_on_the_first_receipt(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    first = _declare(client, auth, point)
    again = _declare(client, auth, point)  # the form loaded again: a new token, same answers
    assert _count() == 1
    assert _receipt(again) == _receipt(first)
    assert "You had already declared this device" in _words(client.get(again.location))


def test_a_second_identical_device_is_declared_from_the_receipt(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    first = _receipt(_declare(client, auth, point))
    landed = client.get(_declare(client, auth, point).location)
    second = auth.post("/recycling/returns/new", _second_device_form(_text(landed)))
    assert _count() == 2
    assert _receipt(second) != first
    # That button sent again (a double click, or a page shown again) lands on the second.
    for token in ({}, {"form_token": "page-shown-again"}):
        again = auth.post("/recycling/returns/new", {**_second_device_form(_text(landed)), **token})
        assert (_receipt(again), _count()) == (_receipt(second), 2)


def test_the_offer_of_a_second_device_is_only_on_a_landed_receipt(client, auth, make, rec):
    login(client, make.user(locale="en"))
    created = _declare(client, auth, rec.point())
    assert 'data-testid="declare-another"' not in _text(client.get(created.location))


def test_a_request_without_the_forms_token_declares_what_it_sends(client, auth, make, rec):
    """A script posting twice is no form shown again by Back: each post declares."""
    point = rec.point()
    login(client, make.user(locale="en"))
    for _ in range(2):
        auth.post("/recycling/returns/new", {"collection_point_id": point.id, **ANSWERS})
    assert _count() == 2


def test_the_same_answers_after_the_window_declare_another_device(make, rec):
    user, point = make.user(), rec.point()
    window = services.REPEAT_WINDOW
    first, _ = services.register_device_return(
        user, point, "accessory", "working", NOW, repeat_window=window
    )
    later, created = services.register_device_return(
        user, point, "accessory", "working", NOW + window + timedelta(seconds=1),
        repeat_window=window,
    )  # fmt: skip
    assert created and later.id != first.id


def test_a_withdrawn_declaration_sent_again_declares_the_device_anew(client, auth, make, rec):
    user, point = make.user(locale="en"), rec.point()
    login(client, user)
    first = _receipt(_declare(client, auth, point))
    services.withdraw_return(user, db.session.scalar(select(DeviceReturn)), NOW)
    db.session.commit()
    assert _receipt(_declare(client, auth, point)) != first


# --- 2. a receipt viewed by an agent or an admin -----------------------------------------


def test_staff_read_a_receipt_in_the_owners_third_person(client, make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point, "laptop", wipe_requested=False,
                                      data_wiped=True)  # fmt: skip
    agent = rec.agent(point)
    agent.locale = "en"
    db.session.commit()
    login(client, agent)
    page = _words(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert "Wiped by the owner (attestation)" in page
    assert "Wiped by you" not in page
    assert "Show this receipt number" not in page


def test_the_owner_still_reads_their_own_wording(client, make, rec):
    owner = make.user(locale="en")
    device_return = rec.device_return(owner, rec.point(), "laptop", wipe_requested=False,
                                      data_wiped=True)  # fmt: skip
    login(client, owner)
    page = _words(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert "Wiped by you (attestation)" in page
    assert "Show this receipt number at the collection point." in page


# --- 3. to 5. the agent's desk ----------------------------------------------------------


def _desk_row(page: str, receipt: str) -> str:
    return page.split(f'id="return-{receipt}"', 1)[1].split("</tr>", 1)[0]


def test_a_finished_return_offers_view_not_next_step(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    agent.locale = "en"
    finished = rec.device_return(make.user(), point, "accessory")
    waiting = rec.device_return(make.user(), point, "accessory")
    services.confirm_receipt(finished, agent, NOW)
    services.record_outcome(finished, agent, "recycled", NOW, recipient="Ecologic")
    services.confirm_receipt(waiting, agent, NOW)
    db.session.commit()
    login(client, agent)
    page = _text(client.get("/recycling/agent?status=all"))
    assert ">View<" in _desk_row(page, finished.receipt_number)
    assert "Next step" not in _desk_row(page, finished.receipt_number)
    assert "Next step" in _desk_row(page, waiting.receipt_number)


def _two_pages_at(make, rec):
    point = rec.point()
    owner = make.user()
    for _ in range(26):  # two pages of 25
        rec.device_return(owner, point, "accessory")
    agent = rec.agent(point)
    agent.locale = "en"
    db.session.commit()
    return agent


def test_a_desk_page_past_the_last_shows_the_last(client, make, rec):
    login(client, _two_pages_at(make, rec))
    for page in ("40", "999999999999999999999"):
        response = client.get(f"/recycling/agent?status=all&page={page}")
        assert _title(response) == "All – Collection desk, page 2 · Empreinte"
        assert "Page 2 of 2" in _words(response)
        assert _text(response).count('<tr id="return-') == 1


def test_an_empty_desk_view_past_its_first_page_is_its_first(client, rec):
    agent = rec.agent(rec.point())
    agent.locale = "en"
    db.session.commit()
    login(client, agent)
    response = client.get("/recycling/agent?status=recycled&page=40")
    assert _title(response) == "Recycled – Collection desk · Empreinte"


def test_an_unknown_desk_view_is_the_default_one(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    agent.locale = "en"
    finished = rec.device_return(make.user(), point, "accessory")
    services.confirm_receipt(finished, agent, NOW)
    services.record_outcome(finished, agent, "recycled", NOW, recipient="Ecologic")
    rec.device_return(make.user(), point, "accessory")
    db.session.commit()
    login(client, agent)
    unknown = client.get("/recycling/agent?status=foo")
    default = client.get("/recycling/agent")
    assert _title(unknown) == _title(default) == "To handle – Collection desk · Empreinte"
    assert finished.receipt_number not in _text(unknown)
    assert _text(unknown).count('<tr id="return-') == 1
    assert '<option value="todo" selected>' in _text(unknown)


# --- 6. statistics: the tables add up to their headlines ---------------------------------


def test_the_statistics_tables_count_returned_and_expected_apart(make, rec):
    point = rec.point()
    agent = rec.agent(point)
    received = rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    services.confirm_receipt(received, agent, NOW)
    db.session.commit()
    stats = queries.statistics()
    assert (stats["total"], stats["expected"]) == (1, 1)
    for table in ("by_point", "by_month"):
        assert [row[1:] for row in stats[table]] == [(1, 1)]
    [(_type, returned, expected, kg, _avoided)] = stats["by_type"]
    assert (returned, expected, kg) == (1, 1, queries.TYPICAL_WEIGHT_KG["monitor"])


def test_the_statistics_page_shows_both_columns(client, make, rec):
    point = rec.point(name="Point Sud")
    rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    login(client, make.user(roles=("admin",), locale="en"))
    page = _words(client.get("/recycling/admin/statistics"))
    # Declared only: returned 0, expected 1, in each table as in the headline.
    assert "Devices returned 0 Declared, not received yet 1" in page
    assert f"Point Sud · {point.commune.name} 0 1" in page


RECEIPT_URL = re.compile(r"/recycling/returns/RC-[^/]+$")


@pytest.mark.browser
def test_back_then_send_again_in_a_browser_without_script(browser, live_server, make, rec):
    """The steps: no JavaScript, the return declared, Back (the form loaded again,
    a new token), the answers as they were, Send: the first receipt, nothing new."""
    point = rec.point(commune=make.commune(), name="Mairie", opening_hours="24/7")
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        browser_sign_in(page, make.user(locale="en").email)
        page.goto(f"/recycling/returns/new?point={point.id}")
        page.get_by_label("Accessory").check()
        page.get_by_label("Working").check()
        page.get_by_role("button", name="Record my return").click()
        page.wait_for_url(RECEIPT_URL)  # the click only starts the navigation
        first = page.url
        page.go_back()
        page.get_by_label("Accessory").check()  # as the browser fills them in again
        page.get_by_label("Working").check()
        page.get_by_role("button", name="Record my return").click()
        page.wait_for_url(RECEIPT_URL)
        assert page.url == first
        expect(page.get_by_text("You had already declared this device")).to_be_visible()
    finally:
        context.close()
    assert _count() == 1
