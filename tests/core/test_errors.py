"""Errors answered to htmx requests: a message where the page shows its messages."""

from tests.conftest import login

HX = {"HX-Request": "true"}


def test_an_htmx_request_that_fails_gets_a_message_for_the_pages_message_area(client, make):
    login(client, make.user())
    response = client.get("/cleanup/campaigns/999999/leaderboard", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<html" not in body and 'class="flash flash-error"' in body
    assert response.headers["HX-Retarget"] == "#flashes"
    assert response.headers["HX-Reswap"].startswith("innerHTML")


def test_an_expired_form_sent_through_htmx_is_explained_and_changes_nothing(client, make):
    login(client, make.user())
    response = client.post("/language", data={"lang": "en"}, headers=HX)
    assert response.status_code == 400
    assert "Votre formulaire a expiré" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#flashes"


def test_a_page_that_fails_is_still_a_whole_page(client, make):
    login(client, make.user())
    response = client.get("/cleanup/campaigns/999999/leaderboard")
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True)
    assert "HX-Retarget" not in response.headers
    restore = client.get(
        "/cleanup/campaigns/999999/leaderboard",
        headers={**HX, "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.get_data(as_text=True)  # htmx puts back a whole page


def test_htmx_is_told_to_swap_the_portals_refusals(client):
    """htmx 2 swaps no 4xx answer by default: the refusals would show nothing."""
    page = client.get("/auth/sign-in").get_data(as_text=True)
    assert '{"code": "[234]..", "swap": true}' in page


def test_the_language_button_of_a_page_left_open_comes_back_asking_again(app, client, make):
    """The session cookie went overnight: back to the page, nothing switched."""
    from tests.conftest import csrf_token

    old_page_token = csrf_token(app.test_client())
    response = client.post(
        "/language", data={"lang": "en", "next": "/privacy", "csrf_token": old_page_token}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    page = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "La page avait expiré\u00a0: choisissez à nouveau la langue." in page


def test_the_language_button_of_a_page_left_open_never_leaves_the_portal(app, client):
    from tests.conftest import csrf_token

    response = client.post(
        "/language",
        data={
            "lang": "en",
            "next": "https://evil.example/",
            "csrf_token": csrf_token(app.test_client()),
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_language_form_with_no_token_at_all_is_still_refused(client, make):
    login(client, make.user())
    client.get("/privacy")
    response = client.post("/language", data={"lang": "en", "next": "/privacy"})
    assert response.status_code == 400
    assert "Votre formulaire a expiré" in response.get_data(as_text=True)


def test_a_page_refusing_a_method_says_which_ones_it_takes(client, make):
    """A 405 carries `Allow` (RFC 9110) on the portal's pages, as the API's do."""
    login(client, make.user())
    response = client.get("/language")
    assert response.status_code == 405 and "<html" in response.get_data(as_text=True)
    assert "POST" in response.headers["Allow"].split(", ")
