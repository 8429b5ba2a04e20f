"""Sign-in: another person's dead link on a shared computer
says it no longer works; the link form answers in the same time whoever the address
belongs to; the link forms sent from a page left open come back instead of an error; the
addresses of POST-only forms reopened from the address bar lead to their forms."""

import re
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth import services
from app.auth.models import SignInLink
from app.core.time import utcnow
from app.extensions import db
from tests.auth.test_sign_in_link import ask_for_link, link_in
from tests.conftest import csrf_token, login

UNUSABLE = "Ce lien de connexion ne fonctionne plus"


def _token_of_a_page_left_open(app) -> str:
    """A token of a page whose session cookie is gone since (another browser's)."""
    return csrf_token(app.test_client())


# --- 1. another person's dead link, opened where someone is signed in --------------------


def _dead_link(person, how: str) -> str:
    """The path of a link of `person` that no longer works: used, expired or mistyped."""
    created = utcnow() - (timedelta(minutes=16) if how == "expired" else timedelta(0))
    _person, raw = services.create_sign_in_link(person.email, created)
    if how == "used":
        services.redeem_sign_in_link(raw, utcnow())
    db.session.commit()
    return f"/auth/sign-in/link/{raw[:-4] + 'abcd' if how == 'mistyped' else raw}"


@pytest.mark.parametrize("how", ["used", "expired", "mistyped"])
def test_another_persons_dead_link_says_it_no_longer_works_and_keeps_the_session(client, make, how):
    helene = make.user(email="helene@example.org", display_name="Hélène Roux")
    bob = make.user(email="bob@example.org", display_name="Bob Petit")
    path = _dead_link(bob, how)
    login(client, helene)
    for answer in (client.get(path), client.post(path, data={"csrf_token": csrf_token(client)})):
        page = answer.get_data(as_text=True)
        assert answer.status_code == 404
        assert UNUSABLE in page and "Bonjour Hélène" not in page
        assert "bob@example.org" not in page  # whose link it was is not said
        assert "Ce navigateur reste connecté avec le compte helene@example.org" in page
    assert "Bonjour Hélène" in client.get("/").get_data(as_text=True)  # still signed in


def test_ones_own_used_link_still_leads_home(client, make):
    person = make.user()
    path = _dead_link(person, "used")
    login(client, person)
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


# --- 2. the link form's time tells nobody who works here ---------------------------------


def _answer_times(client, known: str, unknown: str, pairs: int) -> tuple[float, float]:
    """The median time the answer for `unknown` takes to arrive, and how much longer the
    one for `known` takes, asked one right after the other: the time a person sending the
    form measures. Which one goes first swaps every pair, and the difference is the mean
    of each order's median, so that a machine that answers the second of two requests
    faster (or slower) weighs on both addresses alike. What the portal does once the
    answer has left (`call_on_close`: the server closes the answer) is not part of it."""
    token = csrf_token(client)
    unknown_times, differences = [], ([], [])
    for pair in range(pairs):
        took = {}
        for address in (known, unknown) if pair % 2 else (unknown, known):
            start = time.perf_counter()
            answer = client.post(
                "/auth/sign-in/link", data={"link-email": address, "csrf_token": token}
            )
            answer.get_data()
            took[address] = time.perf_counter() - start
            assert answer.status_code == 200
            answer.close()  # as the WSGI server does once the answer is sent
        unknown_times.append(took[unknown])
        differences[pair % 2].append(took[known] - took[unknown])
    by_order = [statistics.median(order) for order in differences]
    return statistics.median(unknown_times), statistics.fmean(by_order)


def test_a_staff_address_is_answered_in_the_same_time_as_an_unknown_one(client, make, smtp, config):
    """Measured by hand: 11 ms for a known address (even when its three links were
    open already, nothing sent) against 4 ms for an unknown one: here 3.4 ms against 2.1
    before the fix. A machine busy with something else can blur one series: the test
    measures up to three times, a real difference showing in each."""
    config(SIGN_IN_RATE_LIMIT="1000 per minute")
    make.user(email="staff@example.org")
    for _attempt in range(3):
        unknown, longer = _answer_times(client, "staff@example.org", "nobod@example.org", 30)
        if abs(longer) <= max(0.0003, 0.15 * unknown):
            break
    else:
        pytest.fail(f"a staff address takes {longer * 1000:+.2f} ms on {unknown * 1000:.2f} ms")
    # The links were made and sent all the same, once each answer had left.
    assert smtp.recipients() == ["staff@example.org"] * services.OPEN_LINKS_PER_PERSON


def test_the_answer_is_the_same_page_for_a_staff_address_and_an_unknown_one(client, make, smtp):
    make.user(email="staff@example.org")
    pages = [
        ask_for_link(client, address).get_data(as_text=True)
        for address in ("staff@example.org", "nobod@example.org")
    ]
    strip = re.compile(r'value="[^"]*"|"X-CSRFToken": "[^"]*"|(staff|nobod)@example\.org')
    assert strip.sub("", pages[0]) == strip.sub("", pages[1])
    assert smtp.recipients() == ["staff@example.org"]


def test_nothing_about_the_address_is_written_before_the_answer_has_left(client, make, smtp):
    make.user(email="staff@example.org")
    answer = client.post(
        "/auth/sign-in/link",
        data={"link-email": "staff@example.org", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 0
    answer.close()
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 1
    assert smtp.recipients() == ["staff@example.org"]


# --- 3. the link forms sent from a page left open -----------------------------------------


def test_asking_for_a_link_from_a_page_left_open_shows_the_form_again(app, client, make, smtp):
    make.user(email="kept@example.org")
    answer = client.post(
        "/auth/sign-in/link?next=/privacy",
        data={"link-email": "kept@example.org", "csrf_token": _token_of_a_page_left_open(app)},
        buffered=True,
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "La page avait expiré\u00a0: demandez à nouveau votre lien de connexion." in page
    assert 'value="kept@example.org"' in page
    assert 'action="/auth/sign-in/link?next=/privacy"' in page
    assert "Retour à l'accueil" not in page
    assert smtp.messages == []  # nothing sent until the form comes with a valid token
    again = client.post(
        "/auth/sign-in/link?next=/privacy",
        data={
            "link-email": "kept@example.org",
            "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        },
        buffered=True,
    )
    assert again.status_code == 200
    assert smtp.recipients() == ["kept@example.org"]


def test_the_links_button_pressed_on_a_page_left_open_shows_it_again(app, client, make, smtp):
    make.user(email="button@example.org")
    ask_for_link(app.test_client(), "button@example.org")
    path = link_in(smtp.messages[0][1])
    answer = client.post(path, data={"csrf_token": _token_of_a_page_left_open(app)})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert (
        "La page avait expiré\u00a0: appuyez à nouveau sur le bouton pour vous connecter." in page
    )
    assert "button@example.org" in page and "Retour à l'accueil" not in page
    assert client.get("/").status_code == 302  # nobody signed in, the link not spent
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_dead_links_button_pressed_on_a_page_left_open_says_it_no_longer_works(app, client):
    answer = client.post(
        "/auth/sign-in/link/not-a-link", data={"csrf_token": _token_of_a_page_left_open(app)}
    )
    assert answer.status_code == 404
    assert UNUSABLE in answer.get_data(as_text=True)


# --- 6. POST-only addresses reopened from the address bar ---------------------------------


def test_the_check_your_mailbox_address_reopened_leads_to_the_link_form(client, make, smtp):
    ask_for_link(client, "someone@example.org", "/auth/sign-in/link?next=/privacy")
    answer = client.get("/auth/sign-in/link?next=/privacy")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/auth/sign-in?next=/privacy#sign-in-link-title"
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="sign-in-link-title"' in page
    assert 'action="/auth/sign-in/link?next=/privacy"' in page


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/auth/profile/preferences", "prefs-title"),
        ("/auth/profile/password", "password-title"),
        ("/auth/profile/erasure", "erasure-title"),
        ("/auth/profile/erasure/cancel", "erasure-title"),
    ],
)
def test_a_profile_forms_address_reopened_leads_to_its_form(client, auth, make, path, section):
    login(client, make.user())
    if path == "/auth/profile/erasure":
        refused = auth.post(path, {})  # not ticked: the form again, at this address
        assert refused.status_code == 422
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/auth/profile#{section}"
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200 and f'id="{section}"' in page.get_data(as_text=True)


def test_a_profile_forms_address_reopened_signed_out_asks_to_sign_in(client):
    answer = client.get("/auth/profile/password")
    assert answer.status_code == 302 and "/auth/sign-in" in answer.headers["Location"]
