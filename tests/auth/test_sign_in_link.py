"""Signing in with a one-time link sent by e-mail, through the real forms and a real
SMTP server: what a person without a password (or who forgot theirs) does."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.auth import services
from app.auth.models import SignInLink
from app.core.privacy import retention_hooks
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login

LINK_RE = re.compile(r"https?://\S+/auth/sign-in/link/[\w-]+")


def ask_for_link(client, email, path="/auth/sign-in/link"):
    """Ask for a link through the form. The e-mail leaves once the answer has (the WSGI
    server closes the answer): `buffered` makes the test client close it too."""
    return client.post(
        path, data={"link-email": email, "csrf_token": csrf_token(client)}, buffered=True
    )


def link_in(message) -> str:
    """The path of the sign-in link an e-mail carries."""
    found = LINK_RE.search(message.get_body(("plain",)).get_content())
    assert found, "no sign-in link in the e-mail"
    return urlsplit(found.group(0)).path


def sign_in_with(client, path):
    return client.post(path, data={"csrf_token": csrf_token(client)})


def links_of(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SignInLink).where(SignInLink.user_id == user.id)
    )


def test_a_person_without_a_password_signs_in_with_the_link_they_receive(client, make, smtp):
    person = make.user(password=None, display_name="Maëlle Dupuy", email="maelle@example.org")
    answer = ask_for_link(client, "Maelle@Example.org")
    assert answer.status_code == 200
    assert "Consultez votre messagerie" in answer.get_data(as_text=True)
    [(to, message)] = smtp.messages
    assert to == "maelle@example.org"
    assert message["Subject"] == "Votre lien de connexion à Empreinte"
    assert "Bonjour Maëlle" in message.get_body(("plain",)).get_content()
    path = link_in(message)
    page = client.get(path)
    assert page.status_code == 200
    assert "maelle@example.org" in page.get_data(as_text=True)
    assert client.get("/").status_code == 302  # opening the link alone signs nobody in
    answer = sign_in_with(client, path)
    assert answer.status_code == 302 and urlsplit(answer.headers["Location"]).path == "/"
    assert "Maëlle" in client.get("/").get_data(as_text=True)
    assert db.session.get(type(person), person.id).locale == "fr"  # kept, as at sign-in


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(client, make, smtp):
    make.user(email="known@example.org")
    known = ask_for_link(client, "known@example.org").get_data(as_text=True)
    unknown = ask_for_link(client, "nobody@example.org").get_data(as_text=True)
    assert _same_text(unknown, known)
    assert smtp.recipients() == ["known@example.org"]


def _same_text(one: str, other: str) -> bool:
    """The two answers, told apart only by the address typed and the CSRF tokens."""
    # A CSRF token is signed with the second it was made in: two answers a second apart
    # carry different ones, in the forms' values and in the body's htmx headers.
    strip = re.compile(r'value="[^"]*"|"X-CSRFToken": "[^"]*"|(nobody|known)@example\.org')
    return strip.sub("", one) == strip.sub("", other)


def test_an_erased_or_deactivated_account_gets_no_link(client, make, smtp):
    """The deactivated one is told so by e-mail instead
    (test_deactivated_account_told_whom_to_ask.py); the erased one gets nothing."""
    erased = make.user(email="gone@example.org")
    erase_user(erased, utcnow())
    make.user(email="left@example.org", active=False)
    db.session.commit()
    for address in ("gone@example.org", "left@example.org"):
        assert ask_for_link(client, address).status_code == 200
    assert smtp.recipients() == ["left@example.org"]
    assert "/auth/sign-in/link/" not in smtp.messages[0][1].get_body(("plain",)).get_content()
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 0


def test_a_link_works_once_and_spends_the_others(app, client, make, smtp):
    make.user(email="twice@example.org")
    ask_for_link(client, "twice@example.org")
    ask_for_link(client, "twice@example.org")
    first, second = (link_in(message) for _, message in smtp.messages)
    assert sign_in_with(client, first).status_code == 302
    other_browser = app.test_client()
    for path in (first, second):
        page = other_browser.get(path)
        assert page.status_code == 404
        assert "Ce lien de connexion ne fonctionne plus" in page.get_data(as_text=True)
        assert sign_in_with(other_browser, path).status_code == 404
    assert other_browser.get("/").status_code == 302


def test_an_expired_link_signs_nobody_in(client, make):
    person = make.user()
    _person, raw = services.create_sign_in_link(person.email, utcnow() - timedelta(minutes=16))
    db.session.commit()
    path = f"/auth/sign-in/link/{raw}"
    assert client.get(path).status_code == 404
    assert sign_in_with(client, path).status_code == 404
    assert client.get("/").status_code == 302


def test_a_link_still_signs_in_within_its_minutes(client, make):
    person = make.user()
    _person, raw = services.create_sign_in_link(person.email, utcnow() - timedelta(minutes=14))
    db.session.commit()
    assert sign_in_with(client, f"/auth/sign-in/link/{raw}").status_code == 302
    assert client.get("/").status_code == 200


def test_the_e_mail_is_in_the_persons_language_and_on_the_public_address(
    client, make, smtp, config
):
    config(PUBLIC_BASE_URL="https://empreinte.example.fr/")
    make.user(email="reader@example.org", locale="en", display_name="Sam Lee")
    ask_for_link(client, "reader@example.org")
    [(_to, message)] = smtp.messages
    assert message["Subject"] == "Your sign-in link to Empreinte"
    body = message.get_body(("plain",)).get_content()
    assert "Hello Sam" in body and "within 15 minutes" in body
    url = LINK_RE.search(body).group(0)
    # The portal's public address, not the one this request came to (localhost here).
    assert url.startswith("https://empreinte.example.fr/auth/sign-in/link/")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en"
    assert "List-Unsubscribe" not in message  # a service asked for, not news


def test_a_bad_address_is_refused_with_a_message_and_changes_nothing(client, make, smtp):
    answer = ask_for_link(client, "not an address")
    assert answer.status_code == 422
    # In the words of the rest of the portal (WTForms says « Adresse électronique »).
    assert "Cette adresse e-mail n'est pas valide." in answer.get_data(as_text=True)
    assert smtp.messages == []
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 0


def test_a_mail_server_down_says_so_not_an_error(client, make, smtp_down):
    # Said alike for every address (tests/auth/test_sign_in_link_mail_down.py).
    make.user(email="down@example.org")
    answer = ask_for_link(client, "down@example.org")
    assert answer.status_code == 503
    assert "pas pu être envoyé pour l&#39;instant" in answer.get_data(as_text=True)


def test_asking_for_links_is_rate_limited(client, make, smtp):
    people = [make.user(email=f"many{n}@example.org") for n in range(6)]
    statuses = [ask_for_link(client, person.email).status_code for person in people]
    assert statuses == [200] * 5 + [429]
    assert len(smtp.messages) == 5


def test_a_person_has_at_most_three_links_working_at_once(app, client, make, smtp):
    """The rate limit counts per address asking: from several, anyone could fill a
    colleague's mailbox with links, dozens of them working at once."""
    make.user(email="target@example.org")
    for n in range(5):
        asking = app.test_client()  # another browser each time, as from another address
        asking.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        answer = ask_for_link(asking, "target@example.org")
        assert answer.status_code == 200
        assert "Consultez votre messagerie" in answer.get_data(as_text=True)
    assert smtp.recipients() == ["target@example.org"] * 3
    # Once one of them is used (which spends the others), a new one can be asked for.
    assert sign_in_with(app.test_client(), link_in(smtp.messages[0][1])).status_code == 302
    ask_for_link(app.test_client(), "target@example.org")
    assert len(smtp.messages) == 4


@pytest.mark.parametrize("odd_next", ["//[", "//x]"])
def test_a_next_address_that_cannot_be_read_is_left_out_not_an_error(
    client, auth, make, smtp, odd_next
):
    person = make.user(email="odd@example.org")
    answer = client.post(
        "/auth/sign-in/link",
        query_string={"next": odd_next},
        data={"link-email": person.email, "csrf_token": csrf_token(client)},
        buffered=True,
    )
    assert answer.status_code == 200
    [(_to, message)] = smtp.messages
    assert "next=" not in message.get_body(("plain",)).get_content()
    answer = client.post(
        "/auth/sign-in",
        query_string={"next": odd_next},
        data={
            "email": person.email,
            "password": "correct horse battery",
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code == 302 and urlsplit(answer.headers["Location"]).path == "/"


def test_a_signed_in_person_is_sent_home_and_spends_nothing(client, auth, make):
    person = make.user()
    _person, raw = services.create_sign_in_link(person.email, utcnow())
    db.session.commit()
    auth.sign_in(person)
    assert client.get(f"/auth/sign-in/link/{raw}").status_code == 302
    assert services.usable_sign_in_link(raw, utcnow()) is not None


def test_a_link_opened_where_someone_else_is_signed_in_says_so_then_switches(client, auth, make):
    """A shared computer: the link's owner must not carry on in the other person's
    account, nor read what that session held (a token just created)."""
    alice = make.user(email="alice@example.org", display_name="Alice Martin")
    bob = make.user(email="bob@example.org", display_name="Bob Petit")
    _person, raw = services.create_sign_in_link(bob.email, utcnow())
    db.session.commit()
    auth.sign_in(alice)
    alice_devices = db.session.get(type(alice), alice.id).session_token
    with client.session_transaction() as session:
        session["new_api_token"] = "emp_alices_secret"
    page = client.get(f"/auth/sign-in/link/{raw}")
    assert page.status_code == 200
    assert (
        "Ce navigateur est connecté avec le compte alice@example.org. Vous connecter avec ce "
        "lien déconnecte ce compte de ce navigateur." in page.get_data(as_text=True)
    )
    assert sign_in_with(client, f"/auth/sign-in/link/{raw}").status_code == 302
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert "bob@example.org" in profile and "alice@example.org" not in profile
    assert "emp_alices_secret" not in profile
    db.session.expire_all()
    assert db.session.get(type(alice), alice.id).session_token == alice_devices


def test_erasure_deletes_the_persons_links(make):
    person = make.user()
    services.create_sign_in_link(person.email, utcnow())
    db.session.commit()
    erase_user(person, utcnow())
    db.session.commit()
    assert links_of(person) == 0


@pytest.mark.parametrize(
    ("created_ago", "spent", "kept"),
    [
        (timedelta(minutes=5), False, True),  # still usable
        (timedelta(hours=2), False, True),  # expired today: kept a day for the record
        (timedelta(days=2), False, False),  # expired long ago
        (timedelta(days=2), True, False),  # spent long ago
    ],
)
def test_retention_deletes_links_spent_or_expired_over_a_day_ago(make, created_ago, spent, kept):
    person = make.user()
    created = utcnow() - created_ago
    _person, raw = services.create_sign_in_link(person.email, created)
    if spent:
        services.redeem_sign_in_link(raw, created + timedelta(minutes=1))
    db.session.commit()
    for hook in retention_hooks():
        hook(utcnow())
    db.session.commit()
    assert links_of(person) == (1 if kept else 0)


def _signed_in_by_link(client, person) -> None:
    _person, raw = services.create_sign_in_link(person.email, utcnow())
    db.session.commit()
    assert sign_in_with(client, f"/auth/sign-in/link/{raw}").status_code == 302


def test_after_a_link_sign_in_a_forgotten_password_is_replaced_without_the_old_one(
    app, client, auth, make
):
    person = make.user(email="forgot@example.org")
    _signed_in_by_link(client, person)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'name="current_password"' not in page
    assert "sans saisir l'ancien" in page
    answer = auth.post(
        "/auth/profile/password",
        {"new_password": "a brand new secret", "confirm_password": "a brand new secret"},
    )
    assert answer.status_code == 302
    auth.sign_out()
    assert auth.sign_in(person, password="a brand new secret").status_code == 302
    # The exemption was spent with the sign-in it came from.
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'name="current_password"' in page


def test_a_person_without_a_password_may_choose_one_after_a_link_sign_in(client, auth, make):
    person = make.user(password=None)
    login(client, person)
    assert "Vous n'avez pas de mot de passe" in _profile_password_section(client)
    assert 'name="new_password"' not in _profile_password_section(client)
    auth.sign_out()
    _signed_in_by_link(client, person)
    assert "Enregistrer mon nouveau mot de passe" in _profile_password_section(client)


def _profile_password_section(client) -> str:
    page = client.get("/auth/profile").get_data(as_text=True)
    start = page.find('id="password-title"')
    return page[start : page.find("</section>", start)] if start != -1 else ""


@pytest.mark.parametrize("how", ["password", "link long ago", "another person's link"])
def test_otherwise_the_current_password_is_still_asked(client, auth, make, how):
    person = make.user()
    if how == "password":
        auth.sign_in(person)
    elif how == "link long ago":
        _signed_in_by_link(client, person)
        with client.session_transaction() as session:
            person_id, signed_in_at = session["signed_in_by_link_at"]
            session["signed_in_by_link_at"] = [person_id, signed_in_at - 16 * 60]
    else:
        other = make.user()
        _signed_in_by_link(client, other)
        auth.sign_out()
        auth.sign_in(person)
        with client.session_transaction() as session:  # as if the mark had stayed
            session["signed_in_by_link_at"] = [other.id, int(utcnow().timestamp())]
    hash_before = db.session.get(type(person), person.id).password_hash
    answer = auth.post(
        "/auth/profile/password",
        {"new_password": "a brand new secret", "confirm_password": "a brand new secret"},
    )
    assert answer.status_code == 422
    assert db.session.get(type(person), person.id).password_hash == hash_before


def test_the_link_leads_to_the_page_the_person_was_going_to(client, make, smtp):
    """Signed out, a person follows a link to a campaign, asks for a sign-in link there,
    and lands on that page; a link to another site is dropped on the way."""
    make.user(email="going@example.org")
    for wanted, landing in (("/recycling/", "/recycling/"), ("https://evil.example/", "/")):
        smtp.messages.clear()
        ask_for_link(client, "going@example.org", f"/auth/sign-in/link?next={wanted}")
        [(_to, message)] = smtp.messages
        link = urlsplit(re.search(r"https?://\S+", message.get_body(("plain",)).get_content())[0])
        answer = sign_in_with(client, f"{link.path}?{link.query}")
        assert urlsplit(answer.headers["Location"]).path == landing
        client.post("/auth/sign-out", data={"csrf_token": csrf_token(client)})


def test_the_e_mail_is_sent_with_crlf_lines_even_with_a_long_link(client, make, smtp):
    """SMTP servers refuse bare line feeds; a message ending its lines with LF alone was
    one "line" to the server, refused past 998 bytes (a long page to come back to)."""
    make.user(email="long@example.org")
    ask_for_link(client, "long@example.org", "/auth/sign-in/link?next=/cleanup/" + "x" * 1500)
    assert smtp.recipients() == ["long@example.org"]
    assert smtp.raw[-1].count(b"\r\n") > 5 and b"\n" not in smtp.raw[-1].replace(b"\r\n", b"")


def test_an_address_with_accents_gets_its_link(client, make, smtp):
    make.user(email="josé@exämple.org")
    ask_for_link(client, "josé@exämple.org")
    [(to, message)] = smtp.messages
    assert to == "josé@exämple.org" and message["To"] == "josé@exämple.org"


def test_a_link_used_where_someone_else_was_signed_in_ends_that_session_for_good(
    app, client, auth, make
):
    """Switching accounts on a shared computer signs the other person out of this browser:
    a copy of their cookie taken before no longer signs them in."""
    alice = make.user(email="alice@example.org")
    bob = make.user(email="bob@example.org")
    _person, raw = services.create_sign_in_link(bob.email, utcnow())
    db.session.commit()
    auth.sign_in(alice)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/").status_code == 200
    assert sign_in_with(client, f"/auth/sign-in/link/{raw}").status_code == 302
    assert copy.get("/").status_code == 302
    assert "bob@example.org" in client.get("/auth/profile").get_data(as_text=True)
