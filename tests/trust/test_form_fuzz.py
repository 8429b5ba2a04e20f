"""Property tests over the core forms: any input gives a clear answer (never a 5xx),
and input the form refuses leaves the database exactly as it was."""

from urllib.parse import quote, urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.auth import services as auth_services
from app.auth.forms import (
    ConfirmForm,
    ErasureForm,
    NewPasswordForm,
    PasswordForm,
    PreferencesForm,
    SignInForm,
    SignInLinkForm,
    TokenForm,
)
from app.auth.models import ApiToken, SignInLink, User
from app.core.time import utcnow
from app.extensions import db, limiter
from tests.conftest import csrf_token, login
from tests.trust.fuzzing import budget, fuzzes
from tests.trust.sweep import database_fingerprint

FUZZ = budget(25)
text = st.text(max_size=300)
maybe_text = st.one_of(st.none(), text)


def _form(**fields) -> dict:
    return {name: value for name, value in fields.items() if value is not None}


@pytest.fixture
def signed_in(app, make):
    user = make.user()
    client = app.test_client()
    login(client, user)
    return client, user, csrf_token(client)


@fuzzes(SignInForm)
@FUZZ
@given(email=maybe_text, password=maybe_text)
def test_sign_in_never_fails_and_opens_no_session_on_bad_credentials(app, make, email, password):
    limiter.reset()
    client = app.test_client()
    token = csrf_token(client)
    before = database_fingerprint()
    response = client.post(
        "/auth/sign-in", data=_form(email=email, password=password, csrf_token=token)
    )
    assert response.status_code in (401, 422, 429)
    assert database_fingerprint() == before
    assert client.get("/").status_code == 302


@fuzzes(SignInLinkForm)
@FUZZ
@given(email=st.one_of(st.sampled_from(["known@example.org", " KNOWN@example.org "]), maybe_text))
@example(email="known@example.org\x00")
def test_asking_for_a_sign_in_link_never_fails_and_links_only_a_known_address(
    app, make, smtp, email
):
    limiter.reset()
    if not db.session.scalar(select(User).where(User.email == "known@example.org")):
        make.user(email="known@example.org")
    client = app.test_client()
    token = csrf_token(client)
    links = db.session.scalar(select(func.count()).select_from(SignInLink))
    response = client.post(
        "/auth/sign-in/link",
        data=_form(**{"link-email": email}, csrf_token=token),
        buffered=True,
    )
    assert response.status_code in (200, 422)
    added = db.session.scalar(select(func.count()).select_from(SignInLink)) - links
    typed = (email or "").replace("\x00", "")  # taken out before any form reads it
    known = response.status_code == 200 and typed.strip().lower() == "known@example.org"
    assert added == (1 if known else 0)
    assert client.get("/").status_code == 302  # asking signs nobody in


@FUZZ
@given(token=text)
@example(token="x" * 5000)
def test_any_sign_in_link_token_is_a_clear_answer_and_signs_nobody_in(app, make, token):
    limiter.reset()
    client = app.test_client()
    path = "/auth/sign-in/link/" + quote(token, safe="")
    assert client.get(path).status_code in (404, 308)
    before = database_fingerprint()
    response = client.post(path, data={"csrf_token": csrf_token(client)})
    assert response.status_code in (404, 405, 308)
    assert database_fingerprint() == before
    assert client.get("/").status_code == 302


@fuzzes(PreferencesForm)
@FUZZ
@given(
    locale=st.one_of(st.sampled_from(["fr", "en"]), maybe_text),
    visibility=st.one_of(st.sampled_from(["name", "pseudonym", "hidden"]), maybe_text),
    opt_in=st.one_of(st.sampled_from(["y", ""]), maybe_text),
)
def test_preferences_accept_only_valid_values(signed_in, locale, visibility, opt_in):
    client, user, token = signed_in
    before = database_fingerprint()
    response = client.post(
        "/auth/profile/preferences",
        data=_form(locale=locale, visibility=visibility, email_opt_in=opt_in, csrf_token=token),
    )
    assert response.status_code in (302, 422)
    if response.status_code == 422:
        assert database_fingerprint() == before
    saved = db.session.get(User, user.id)
    assert saved.locale in ("fr", "en", None)
    assert saved.leaderboard_visibility in ("name", "pseudonym", "hidden")


@fuzzes(PasswordForm)
@FUZZ
@given(current=maybe_text, new=maybe_text, confirm=maybe_text)
def test_password_change_with_wrong_current_password_changes_nothing(
    signed_in, current, new, confirm
):
    client, _user, token = signed_in
    if current == "correct horse battery":
        current = "wrong"
    before = database_fingerprint()
    response = client.post(
        "/auth/profile/password",
        data=_form(
            current_password=current, new_password=new, confirm_password=confirm, csrf_token=token
        ),
    )
    assert response.status_code == 422
    assert database_fingerprint() == before


@fuzzes(NewPasswordForm)
@FUZZ
@given(new=maybe_text, confirm=maybe_text)
@example(new="long enough\x00", confirm="long enough\x00")
def test_a_new_password_after_a_link_sign_in_is_validated_and_refusals_change_nothing(
    app, make, new, confirm
):
    limiter.reset()
    person = make.user()
    _person, raw = auth_services.create_sign_in_link(person.email, utcnow())
    db.session.commit()
    client = app.test_client()
    token = csrf_token(client)
    client.post(f"/auth/sign-in/link/{raw}", data={"csrf_token": token})
    before = database_fingerprint()
    response = client.post(
        "/auth/profile/password",
        data=_form(new_password=new, confirm_password=confirm, csrf_token=csrf_token(client)),
    )
    assert response.status_code in (302, 422)
    if response.status_code == 422:
        assert database_fingerprint() == before


@fuzzes(TokenForm)
@FUZZ
@given(name=maybe_text)
@example(name="my\x00script")  # was a 500 on PostgreSQL: text cannot hold U+0000
def test_token_names_are_validated_and_refusals_change_nothing(signed_in, name):
    client, user, token = signed_in
    count = db.session.scalar(select(func.count()).select_from(ApiToken))
    typed = None if name is None else name.replace("\x00", "")  # taken out before the form
    valid = typed is not None and typed.strip() != "" and len(typed) <= 80
    # A name one of their active tokens bears is refused too.
    valid = valid and not auth_services.api_token_name_taken(user, typed)
    response = client.post("/auth/profile/tokens", data=_form(name=name, csrf_token=token))
    # A created token is shown in the answer itself (never carried in the cookie).
    assert response.status_code in (200, 422)
    added = db.session.scalar(select(func.count()).select_from(ApiToken)) - count
    assert added == (1 if response.status_code == 200 else 0)
    assert (response.status_code == 200) == valid


@fuzzes(ErasureForm)
@FUZZ
@given(confirm=st.one_of(st.sampled_from(["y", "on", ""]), maybe_text))
def test_erasure_request_needs_the_box_ticked_and_refusals_change_nothing(signed_in, confirm):
    client, _user, token = signed_in
    before = database_fingerprint()
    response = client.post("/auth/profile/erasure", data=_form(confirm=confirm, csrf_token=token))
    assert response.status_code in (302, 422)
    if response.status_code == 422:
        assert database_fingerprint() == before
    client.post("/auth/profile/erasure/cancel", data={"csrf_token": token})


@fuzzes(ConfirmForm)
@FUZZ
@given(
    lang=st.one_of(st.sampled_from(["fr", "en"]), maybe_text),
    next_url=st.one_of(
        st.sampled_from(["/catalogue/", "//evil.example", "https://evil.example/", "javascript:x"]),
        maybe_text,
    ),
)
def test_language_switch_never_fails_and_stays_on_the_portal(signed_in, lang, next_url):
    client, _user, token = signed_in
    before = database_fingerprint()
    response = client.post("/language", data=_form(lang=lang, next=next_url, csrf_token=token))
    assert response.status_code in (302, 400)  # 400: a NUL character
    if response.status_code == 302:
        assert urlsplit(response.location).netloc in ("", "localhost")
    if lang not in ("fr", "en") or response.status_code == 400:
        assert database_fingerprint() == before
