"""A custody step signed on a return's own page without JavaScript (the receipt, the
wipe, the outcome, a declaration closed as never brought, a receipt undone) comes back to that page
opened at its answer (#step-answer), which stands right after the chain of custody it
changed, focusable. It stood at the top of the page, the page opened at the top too.
With htmx, the answer is flashed as before."""

import re
from datetime import timedelta

import pytest

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import local_today

ANSWER = re.compile(
    r'</section>\s*<p id="step-answer" class="flash flash-(\w+)" tabindex="-1" '
    r"data-announce>(.*?)</p>",
    re.S,
)


@pytest.fixture
def agent_at(client, make, rec):
    """A return at a point, its English agent signed in; `received` confirms its receipt."""
    point = rec.point(opening_hours="24/7")
    agent = rec.agent(point)
    agent.locale = "en"
    device_return = rec.device_return(make.user(), point, now=utcnow() - timedelta(days=10))
    db.session.commit()
    login(client, agent)

    def received():
        services.confirm_receipt(device_return, agent, utcnow() - timedelta(hours=1))
        db.session.commit()
        return device_return

    agent_at.device_return, agent_at.received = device_return, received
    return agent_at


def _answered(client, response, receipt: str, query: str = "") -> tuple[str, str]:
    """The step's redirect goes to the return's page at its answer; the answer's kind
    and words there, said once (not at the top of the page as well)."""
    assert response.status_code == 302
    assert response.headers["Location"] == f"/recycling/agent/returns/{receipt}{query}#step-answer"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    found = ANSWER.search(page)
    assert found, "no answer after the chain of custody"
    assert page.count(found.group(2)) == 1
    # Shown once: reloaded, the page has no answer left.
    assert "step-answer" not in client.get(f"/recycling/agent/returns/{receipt}").get_data(
        as_text=True
    )
    return found.group(1), found.group(2).strip()


def test_a_receipt_confirmed_on_the_returns_page_opens_it_at_its_answer(client, auth, agent_at):
    receipt = agent_at.device_return.receipt_number
    response = auth.post(f"/recycling/agent/returns/{receipt}/receive")
    assert _answered(client, response, receipt) == (
        "success",
        f"Receipt confirmed for {receipt}.",
    )


def test_a_wipe_opens_the_page_at_its_answer(client, auth, agent_at):
    receipt = agent_at.received().receipt_number
    response = auth.post(
        f"/recycling/agent/returns/{receipt}/wipe?status=all",
        {"method": "crypto_erase", "wipe_date": local_today(), "certificate_number": "C-9"},
    )
    assert _answered(client, response, receipt, "?status=all") == (
        "success",
        f"Wipe recorded for {receipt}.",
    )


def test_an_outcome_opens_the_page_at_its_answer(client, auth, agent_at):
    receipt = agent_at.received().receipt_number
    auth.post(
        f"/recycling/agent/returns/{receipt}/wipe",
        {"method": "crypto_erase", "wipe_date": local_today(), "certificate_number": "C-9"},
    )
    client.get(f"/recycling/agent/returns/{receipt}")  # the wipe's answer, seen
    response = auth.post(
        f"/recycling/agent/returns/{receipt}/outcome",
        {"outcome": "donated", "recipient": "Emmaüs Connect"},
    )
    assert _answered(client, response, receipt) == (
        "success",
        f"Outcome recorded for {receipt}.",
    )


def test_a_declaration_closed_as_never_brought_opens_the_page_at_its_answer(
    app, client, auth, agent_at, monkeypatch
):
    monkeypatch.setitem(app.config, "RECYCLING_REMINDER_DAYS", 7)
    agent_at.device_return.reminded_at = utcnow() - timedelta(days=3)
    db.session.commit()
    receipt = agent_at.device_return.receipt_number
    response = auth.post(f"/recycling/agent/returns/{receipt}/not-brought")
    kind, words = _answered(client, response, receipt)
    assert (kind, words.startswith(f"Declaration {receipt} closed")) == ("success", True)


def test_a_refused_closure_opens_the_page_at_its_refusal(client, auth, agent_at):
    receipt = agent_at.received().receipt_number  # received: nothing to close
    response = auth.post(f"/recycling/agent/returns/{receipt}/not-brought")
    assert _answered(client, response, receipt)[0] == "error"


def test_an_undone_receipt_opens_the_page_at_its_answer(client, auth, agent_at):
    receipt = agent_at.received().receipt_number
    response = auth.post(
        f"/recycling/agent/returns/{receipt}/undo-receipt", {"reason": "Wrong row clicked"}
    )
    kind, words = _answered(client, response, receipt)
    assert (kind, words.startswith(f"Receipt of {receipt} undone")) == ("success", True)


def test_with_htmx_the_answer_is_flashed_as_before(client, auth, agent_at):
    receipt = agent_at.received().receipt_number
    response = auth.post(
        f"/recycling/agent/returns/{receipt}/wipe",
        {"method": "crypto_erase", "wipe_date": local_today(), "certificate_number": "C-9"},
        headers={"HX-Request": "true"},
    )
    assert response.headers["Location"] == f"/recycling/agent/returns/{receipt}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "step-answer" not in page
    assert f'<p class="flash flash-success">Wipe recorded for {receipt}.</p>' in page
