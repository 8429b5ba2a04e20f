"""The per-account sign-in limit (ACCOUNT_SIGN_IN_RATE_LIMIT, 20 an hour) counts wrong
passwords only: someone who signs in and out often was locked out without a single
mistake."""

from tests.conftest import csrf_token


def _sign_in_from(app, email: str, password: str, address: str) -> int:
    """One password sign-in from its own browser and client address; its status."""
    client = app.test_client()
    return client.post(
        "/auth/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
        headers={"X-Forwarded-For": address},
    ).status_code


def test_twenty_five_sign_ins_in_a_row_all_succeed(make_app, make):
    portal = make_app(PROXY_FIX_X_FOR=1)  # the default limits; each sign-in its own address
    person = make.user(password="the right one")

    answers = [
        _sign_in_from(portal, person.email, "the right one", f"198.51.100.{n}") for n in range(25)
    ]

    assert answers == [302] * 25


def test_twenty_wrong_passwords_still_lock_the_address_even_for_the_right_one(make_app, make):
    portal = make_app(PROXY_FIX_X_FOR=1)
    person = make.user(password="the right one")
    assert _sign_in_from(portal, person.email, "the right one", "203.0.113.200") == 302

    guesses = [_sign_in_from(portal, person.email, "guess", f"203.0.113.{n}") for n in range(21)]

    assert guesses == [401] * 20 + [429]
    assert _sign_in_from(portal, person.email, "the right one", "203.0.113.201") == 429


def test_a_town_hall_behind_one_address_signs_in_at_half_past_eight(make_app, make):
    """The per-address limit (SIGN_IN_RATE_LIMIT) counted every sign-in: behind one
    address (a town hall's NAT, a VDI farm), the sixth colleague to sign in within the
    minute was refused with 429. Only refused attempts count per address now."""
    portal = make_app(PROXY_FIX_X_FOR=1, SIGN_IN_RATE_LIMIT="5 per minute")
    colleagues = [make.user(password="their own") for _ in range(12)]

    answers = [_sign_in_from(portal, p.email, "their own", "192.0.2.80") for p in colleagues]

    assert answers == [302] * 12
    guesses = [_sign_in_from(portal, p.email, "guess", "192.0.2.80") for p in colleagues[:6]]
    assert guesses == [401] * 5 + [429]
