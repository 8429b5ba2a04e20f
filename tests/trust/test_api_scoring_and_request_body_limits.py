"""The JSON API and request bodies: the API scores nothing the web form
refuses, a body is bounded and never a 500, and each refusal says what is wrong."""

import html
import re

import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.models import ApiToken
from app.cleanup import queries as cleanup_queries
from app.cleanup.models import CleanupAction
from app.config import TestConfig
from app.core.settings_check import SettingsError
from app.core.time import utcnow
from app.extensions import db
from app.recycling import services as recycling_services
from tests.conftest import browser_sign_in, csrf_token, login
from tests.trust.world import build_world

MB = 2**20
DEEP = "[" * 2000 + "]" * 2000  # 4 kB, deeper than Python's JSON parser goes


@pytest.fixture
def world(make):
    return build_world(make, utcnow())


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _actions() -> int:
    return db.session.scalar(select(func.count()).select_from(CleanupAction))


def _error(response) -> dict:
    return response.get_json()["error"]


def _devices_returned(campaign) -> float:
    db.session.expire_all()
    goals = cleanup_queries.goal_progress(campaign)
    return next(goal["achieved"] for goal in goals if goal["unit"] == "devices")


# 1. A device return scores only when an agent receives the device.


def test_the_api_refuses_a_device_return_by_hand_as_the_web_form_does(client, make, world):
    """200 points and the "devices returned" goal were one POST away, without a device."""
    login(client, make.user(locale="fr"))
    headers = {"X-CSRFToken": csrf_token(client)}
    web = client.post(
        f"/cleanup/campaigns/{world.campaign.id}/actions",
        data={"action_type": "return-device", "quantity": "2", **headers_as_field(headers)},
    )
    web_message = html.unescape(
        re.search(r'<p class="error" id="action_type-error">([^<]+)</p>', web.text).group(1)
    )

    api = client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        json={"action_type": "return-device", "quantity": 2},
        headers=headers,
    )

    assert web.status_code == api.status_code == 422
    assert web_message == "Choisissez l'une des options proposées."
    # The API names the types a script may send instead, without the device return's.
    (api_message,) = _error(api)["details"]["action_type"]
    assert _error(api)["code"] == "unknown_action"
    assert "delete-mail" in api_message and "return-device" not in api_message
    assert _actions() == 0 and _devices_returned(world.campaign) == 0


def test_a_program_with_a_token_cannot_log_a_device_return_either(client, make, world, token_for):
    response = client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        json={"action_type": "return-device", "quantity": 1},
        headers=_bearer(token_for(make.user(locale="en"))),
    )
    assert response.status_code == 422
    (message,) = _error(response)["details"]["action_type"]
    assert message.startswith("This action does not count in this campaign")
    assert "return-device" not in message
    assert _actions() == 0


def test_an_entry_a_device_return_logged_cannot_be_corrected_or_deleted(client, make, world):
    """The API offers no way to change an entry; the web's refuse to correct a return's
    entry, and its « delete » only withdraws it from the campaign (kept, scoring nothing:
    its owner may take it off the leaderboard, the return stands)."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert [path for path in paths if "actions/" in path] == []
    user = make.user(locale="en")
    recycling_services.register_device_return(
        user, world.point, "laptop", "working", world.now, wipe_requested=True,
        count_in=[world.campaign.id],
    )  # fmt: skip
    db.session.commit()
    entry = db.session.scalars(select(CleanupAction)).one()
    login(client, user)
    token = csrf_token(client)
    corrected = client.post(
        f"/cleanup/actions/{entry.id}/correct", data={"csrf_token": token, "quantity": "5"}
    )
    assert corrected.status_code == 409
    assert "This entry was recorded by another service." in corrected.text
    url = f"/cleanup/actions/{entry.id}/delete"
    deleted = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "no longer counts in this campaign" in deleted.text
    db.session.expire_all()
    kept = db.session.get(CleanupAction, entry.id)
    assert (kept.quantity, kept.status) == (1, "withdrawn")
    again = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "This entry was recorded by another service." in again.text


def headers_as_field(headers: dict) -> dict:
    """The web form's CSRF field, from the header a program sends."""
    return {"csrf_token": headers["X-CSRFToken"]}


# 2. Request bodies: never a 500, never read past their limit.


def test_a_deeply_nested_json_body_sent_with_a_page_read_is_left_unread(client):
    response = client.get("/privacy", data=DEEP, content_type="application/json")
    assert response.status_code == 200


def test_a_deeply_nested_json_body_sent_with_a_query_is_left_unread(client):
    response = client.get("/privacy?x=1", data=DEEP, content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/campaigns/{id}/actions", "/auth/profile/tokens"])
def test_a_deeply_nested_json_body_posted_is_a_clear_400(client, make, world, path):
    login(client, make.user(locale="fr"))
    response = client.post(
        path.format(id=world.campaign.id),
        data=DEEP,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 400
    assert _error(response)["message"] == ("Le corps de la requête est trop imbriqué pour être lu.")
    assert _actions() == 0


def test_an_anonymous_json_body_over_the_limit_is_refused_before_it_is_read(client, world):
    response = client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        data=b"[" + b"1," * MB + b"1]",
        content_type="application/json",
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 413
    assert _error(response) == {
        "code": "payload_too_large",
        "message": "Ce que vous avez envoyé est trop volumineux\u00a0: le portail accepte "
        "au plus 1\u202fMo à la fois.",
    }


def test_a_signed_in_20_mb_json_body_is_refused(client, make, world, token_for):
    response = client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        data=b'{"action_type": "delete-mail", "quantity": 1, "note": "' + b"x" * (20 * MB) + b'"}',
        content_type="application/json",
        headers=_bearer(token_for(make.user(locale="en"))),
    )
    assert response.status_code == 413
    assert "at most 1 MB at a time" in _error(response)["message"]
    assert _actions() == 0


def test_a_form_over_the_limit_gets_the_translated_413_page(client, make):
    login(client, make.user(locale="fr"))
    response = client.post(
        "/auth/profile/tokens",
        data={"csrf_token": csrf_token(client), "name": "x" * (2 * MB)},
    )
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "le portail accepte au plus 1\u202fMo à la fois" in html.unescape(response.text)


def _upload(client, size: int):
    """The staff directory's import page sent a CSV file of `size` bytes, as a browser
    sends it (the body built here: the test client spools a large one to a file it
    leaves open when the portal does not read it)."""
    csv = b"email,display_name\n" + b"a" * (size - 19)
    body = b"".join(
        (
            b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n',
            csrf_token(client).encode(),
            b'\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="staff.csv"'
            b"\r\nContent-Type: text/csv\r\n\r\n",
            csv,
            b"\r\n--B--\r\n",
        )
    )
    return client.post(
        "/admin/directory", data=body, content_type="multipart/form-data; boundary=B"
    )


def test_the_largest_upload_still_reaches_its_own_check(client, make):
    """The directory import takes 10 MB: an 11 MB file is told so at its field, not cut
    off by the portal's limit."""
    login(client, make.user(roles=("admin",), locale="fr"))
    response = _upload(client, 11 * MB)
    assert response.status_code == 422
    assert "Le fichier est trop gros (10 Mo au plus)." in html.unescape(response.text)


def test_an_upload_over_the_portals_limit_gets_the_413_page_with_the_limit(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    response = _upload(client, 17 * MB)
    assert response.status_code == 413
    assert "the portal accepts at most 16 MB at a time" in html.unescape(response.text)


def test_the_limit_is_a_setting(make_app, make):
    """MAX_CONTENT_LENGTH (from the environment) bounds uploads."""
    app = make_app(MAX_CONTENT_LENGTH=2 * MB)
    user = make.user(roles=("admin",), locale="en")
    client = app.test_client()
    login(client, user)
    response = _upload(client, 3 * MB)
    assert response.status_code == 413
    assert "at most 2 MB at a time" in html.unescape(response.text)


def test_a_limit_that_is_no_size_stops_the_start():
    with pytest.raises(SettingsError) as refused:
        create_app(TestConfig, MAX_CONTENT_LENGTH="16M")
    assert "MAX_CONTENT_LENGTH='16M'" in str(refused.value)


def test_the_api_document_lists_the_413_on_every_operation(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert all(
        "413" in operation["responses"] for ops in paths.values() for operation in ops.values()
    )


# 3. Refusals that say what is wrong.


def _post_action(client, world, token, body: str):
    return client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        data=body,
        content_type="application/json",
        headers=_bearer(token),
    )


def test_a_null_body_is_json_but_not_an_object(client, make, world, token_for):
    response = _post_action(client, world, token_for(make.user(locale="fr")), "null")
    assert response.status_code == 422
    assert _error(response)["message"] == "Le corps de la requête doit être un objet JSON."


@pytest.mark.parametrize(
    "quantity",
    ["1e400", "-1e400", "NaN", "1" + "0" * 400],
    ids=["1e400", "-1e400", "NaN", "10**400"],
)
def test_a_quantity_no_float_holds_must_be_a_finite_number(
    client, make, world, token_for, quantity
):
    token = token_for(make.user(locale="fr"))
    body = f'{{"action_type": "delete-mail", "quantity": {quantity}}}'
    response = _post_action(client, world, token, body)
    assert response.status_code == 422
    assert _error(response)["details"] == {"quantity": ["Cette valeur doit être un nombre fini."]}
    assert _actions() == 0


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("fr", "Catégorie inconnue\u00a0: zz (parmi "),
        ("en", "Unknown category: zz (one of "),
    ],
)
def test_an_unknown_category_is_said_in_one_language(client, make, token_for, locale, message):
    response = client.get(
        "/api/v1/catalogue/items?category=zz", headers=_bearer(token_for(make.user(locale=locale)))
    )
    assert response.status_code == 422
    assert _error(response)["message"].startswith(message)
    assert "laptop" in _error(response)["message"]


@pytest.mark.parametrize(
    "page", ["1000000", "0", "²", "9" * 5000], ids=["1e6", "0", "²", "5000-digits"]
)
def test_a_page_out_of_range_says_the_range(client, make, world, token_for, page):
    response = client.get(
        f"/api/v1/campaigns/{world.campaign.id}/leaderboard?page={page}",
        headers=_bearer(token_for(make.user(locale="fr"))),
    )
    assert response.status_code == 422
    assert _error(response)["message"] == (
        "La page doit être un nombre entier de 1 à 100\u202f000."
    )


def test_a_cookie_api_write_without_its_csrf_token_is_told_what_to_send(client, make, world):
    """It was told « Votre formulaire a expiré »: a program has no form."""
    login(client, make.user(locale="en"))
    response = client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        json={"action_type": "delete-mail", "quantity": 1},
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "csrf_failed"
    assert "X-CSRFToken" in error["message"] and "Authorization" in error["message"]
    assert "expired" not in error["message"]
    assert _actions() == 0


# 4. The tokens table on a phone.


def test_on_a_phone_each_token_is_a_block_with_its_revoke_button_in_view(page, make):
    user = make.user(locale="fr", password="correct horse battery")
    from app.auth import services as auth_services

    auth_services.create_api_token(
        user, "synchronisationquotidiennedesfichiersduservicedesressourceshumaines"
    )
    auth_services.create_api_token(user, "script")
    db.session.commit()
    browser_sign_in(page, user)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/auth/profile")
    table = page.locator("section[aria-labelledby=tokens-title] table")
    table.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = page.locator("section[aria-labelledby=tokens-title] .table-scroll")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    for index in range(2):
        row = table.locator("tbody tr").nth(index)
        status = row.locator("td").last
        assert status.evaluate("td => getComputedStyle(td, '::before').content") == '"Statut\xa0: "'
        button = row.get_by_role("button")
        bounds = button.bounding_box()
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 320
        assert button.inner_text().startswith("Révoquer")


def test_a_multipart_form_sent_where_no_file_is_taken_is_held_to_a_forms_size(client, make):
    """Only an import page takes a file: 2 MB of multipart sent to any other form is
    refused from its length, like any other form body, before the CSRF check reads it."""
    login(client, make.user(locale="en"))
    body = b"".join(
        (
            b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n',
            csrf_token(client).encode(),
            b'\r\n--B\r\nContent-Disposition: form-data; name="name"\r\n\r\n',
            b"x" * (2 * MB),
            b"\r\n--B--\r\n",
        )
    )
    response = client.post(
        "/auth/profile/tokens", data=body, content_type="multipart/form-data; boundary=B"
    )
    assert response.status_code == 413
    assert "the portal accepts at most 1 MB at a time" in html.unescape(response.text)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
