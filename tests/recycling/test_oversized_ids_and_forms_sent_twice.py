"""Robustness of the recycling forms: ids too large for the database, custody steps sent
twice, a return form sent twice, and the focus on a refused wipe choice."""

import re
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.recycling import services
from app.recycling.models import CollectionPoint, CustodyStep, DeviceReturn
from tests.conftest import login
from tests.recycling.conftest import NOW, error_at

TOO_LARGE = "99999999999999999999999"


def _text(response) -> str:
    return response.get_data(as_text=True)


_error = error_at


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# --- 1. an id no database column can hold is refused at its field -------------------------


def test_a_commune_id_too_large_for_the_database_is_refused_at_the_commune(auth, point_data):
    response = auth.post("/recycling/admin/points/new", {**point_data, "commune_id": TOO_LARGE})
    assert response.status_code == 422
    assert _error(_text(response), "commune_id")
    assert _count(CollectionPoint) == 0


def test_editing_a_point_with_a_commune_id_too_large_changes_nothing(auth, point_data, rec):
    point = rec.point(name="Before")
    response = auth.post(
        f"/recycling/admin/points/{point.id}/edit", {**point_data, "commune_id": TOO_LARGE}
    )
    assert response.status_code == 422
    assert db.session.get(CollectionPoint, point.id).name == "Before"


def test_an_agent_id_too_large_for_the_database_is_refused_at_the_agents(auth, point_data):
    response = auth.post("/recycling/admin/points/new", {**point_data, "agent_ids": [TOO_LARGE]})
    assert response.status_code == 422
    assert _error(_text(response), "agent_ids")


def test_a_point_id_too_large_on_the_return_form_is_refused_at_the_point(auth, client, make):
    login(client, make.user(locale="en"))
    response = auth.post("/recycling/returns/new", {"collection_point_id": TOO_LARGE,
                                                    "device_type": "accessory", "condition": "working"})  # fmt: skip
    assert response.status_code == 422
    assert _count(DeviceReturn) == 0


def test_a_point_id_too_large_in_the_return_form_address_is_no_point(client, make):
    login(client, make.user(locale="en"))
    assert client.get(f"/recycling/returns/new?point={TOO_LARGE}").status_code == 200
    picked = client.get(
        f"/recycling/returns/new?collection_point_id={TOO_LARGE}", headers={"HX-Request": "true"}
    )
    assert picked.status_code == 200


# --- 2. a wipe or an outcome is recorded once, even sent twice at the same moment ---------


def _received_return(make, rec, wipe_requested=True):
    point = rec.point()
    agent = rec.agent(point)
    device_type = "laptop" if wipe_requested else "monitor"
    device_return = rec.device_return(
        make.user(), point, device_type, wipe_requested=wipe_requested
    )
    services.confirm_receipt(device_return, agent, NOW)
    db.session.commit()
    return device_return, agent


def _meanwhile(app, return_id, agent_id, record):
    """`record(device_return, agent)` by another request, committed, while the test's own
    session still holds the return as it read it before."""
    from app.auth.models import User

    def other_request():
        with app.app_context():
            record(db.session.get(DeviceReturn, return_id), db.session.get(User, agent_id))
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=other_request)
    thread.start()
    thread.join(timeout=30)


def _steps(return_id: int, step: str) -> int:
    return db.session.scalar(
        select(func.count(CustodyStep.id)).where(
            CustodyStep.return_id == return_id, CustodyStep.step == step
        )
    )


def _wipe(device_return, agent):
    services.record_wipe(device_return, agent, "crypto_erase", date(2026, 11, 25), "C-1", NOW)


def _recycle(device_return, agent):
    services.record_outcome(device_return, agent, "recycled", NOW, recipient="Ecologic")


def test_an_outcome_sent_twice_at_the_same_moment_is_recorded_once(app, make, rec):
    device_return, agent = _received_return(make, rec, wipe_requested=False)
    assert device_return.status == "received"  # what the second request read
    _meanwhile(app, device_return.id, agent.id, _recycle)
    with pytest.raises(services.ReturnError) as refused:
        _recycle(device_return, agent)
    assert refused.value.message == services.OUTCOME_ALREADY_RECORDED
    db.session.rollback()
    assert _steps(device_return.id, "recycled") == 1


def test_a_wipe_sent_twice_at_the_same_moment_is_recorded_once(app, make, rec):
    device_return, agent = _received_return(make, rec)
    assert device_return.status == "received"
    _meanwhile(app, device_return.id, agent.id, _wipe)
    with pytest.raises(services.ReturnError) as refused:
        _wipe(device_return, agent)
    assert refused.value.message == services.WIPE_ALREADY_RECORDED
    db.session.rollback()
    assert _steps(device_return.id, "wiped") == 1


def test_an_outcome_sent_again_says_it_is_already_recorded(client, auth, make, rec):
    device_return, agent = _received_return(make, rec, wipe_requested=False)
    agent.locale = "en"
    db.session.commit()
    login(client, agent)
    url = f"/recycling/agent/returns/{device_return.receipt_number}/outcome"
    assert auth.post(url, {"outcome": "recycled", "recipient": "Ecologic"}).status_code == 302
    again = auth.post(url, {"outcome": "recycled", "recipient": "Ecologic"})
    assert again.status_code == 422
    assert "The outcome of this device has already been recorded." in _text(again)
    assert _steps(device_return.id, "recycled") == 1


# --- 3. the return form sent twice gives one receipt --------------------------------------


def _return_form(client) -> dict:
    page = _text(client.get("/recycling/returns/new"))
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert token, "no form token on the return form"
    return {"form_token": token.group(1)}


def test_the_same_return_form_sent_twice_gives_one_receipt(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    data = {**_return_form(client), "collection_point_id": point.id, "device_type": "accessory",
            "condition": "working"}  # fmt: skip
    first = auth.post("/recycling/returns/new", data)
    second = auth.post("/recycling/returns/new", data)
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(DeviceReturn) == 1
    assert "already declared this device" in _text(client.get(second.headers["Location"]))


def test_the_return_form_filled_again_declares_another_device(client, auth, make, rec):
    """Filled again with other answers: within minutes, the same answers are the same
    declaration sent again (Back then Send), unless the person says it is another device
    (tests/recycling/test_back_resend_one_receipt_and_desk_views.py)."""
    point = rec.point()
    login(client, make.user(locale="en"))
    data = {"collection_point_id": point.id, "device_type": "accessory", "condition": "working"}
    auth.post("/recycling/returns/new", {**_return_form(client), **data})
    auth.post("/recycling/returns/new", {**_return_form(client), **data, "condition": "broken"})
    assert _count(DeviceReturn) == 2


def test_the_same_form_sent_again_with_other_answers_declares_another_device(
    client, auth, make, rec
):
    point = rec.point()
    login(client, make.user(locale="en"))
    data = {**_return_form(client), "collection_point_id": point.id, "device_type": "accessory",
            "condition": "working"}  # fmt: skip
    auth.post("/recycling/returns/new", data)
    auth.post("/recycling/returns/new", {**data, "condition": "broken"})
    assert _count(DeviceReturn) == 2


def test_the_same_form_sent_twice_at_the_same_moment_gives_one_receipt(app, make, rec):
    user, point = make.user(), rec.point()
    # Read here: two threads loading the test's expired objects would share its session.
    user_id, point_id = user.id, point.id
    # A partner that never comes breaks the barrier: the other request then ends (its
    # transaction with it) instead of holding its locks for the tests after this one.
    barrier = threading.Barrier(2, timeout=20)
    receipts, failures = [], []

    def declare():
        with app.app_context():
            from app.auth.models import User

            try:
                person = db.session.get(User, user_id)
                place = db.session.get(CollectionPoint, point_id)
                barrier.wait()
                device_return, _created = services.register_device_return(
                    person, place, "accessory", "working", NOW, form_token="one-form"
                )
                db.session.commit()
                receipts.append(device_return.receipt_number)
            except Exception as error:  # said by the assertion below, not lost in a thread
                failures.append(repr(error))
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=declare) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert len(receipts) == 2 and receipts[0] == receipts[1]
    assert _count(DeviceReturn) == 1


# --- 4. a refused wipe choice takes the focus ---------------------------------------------


def test_a_refused_wipe_choice_takes_the_focus_and_says_why(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    response = auth.post("/recycling/returns/new", {"collection_point_id": point.id,
                                                    "device_type": "laptop", "condition": "working"})  # fmt: skip
    page = _text(response)
    assert response.status_code == 422
    radios = re.findall(r'<input[^>]*name="wipe_requested"[^>]*>', page)
    focused = re.findall(r"<(?:input|select|textarea|button)[^>]*\bautofocus\b[^>]*>", page)
    assert focused == radios[:1]
    assert all('aria-invalid="true"' in radio for radio in radios)
    assert all('aria-describedby="wipe_requested-error"' in radio for radio in radios)


def test_every_radio_of_a_refused_group_says_it_is_refused_and_why(client, auth, make, rec):
    """The device type and condition tiles had their error on the group only: a screen
    reader moving from radio to radio did not hear that the answer was missing."""
    point = rec.point()
    login(client, make.user(locale="en"))
    page = _text(auth.post("/recycling/returns/new", {"collection_point_id": point.id}))
    for name in ("device_type", "condition"):
        radios = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert radios and all('aria-invalid="true"' in radio for radio in radios)
        assert all(f'aria-describedby="{name}-error"' in radio for radio in radios)
