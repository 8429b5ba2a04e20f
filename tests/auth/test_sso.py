"""Single sign-on against a real OpenID Connect provider, in its own process on a
loopback port (oidc-provider-mock: Authlib's server, signed ID tokens, discovery, PKCE,
nonces required)."""

import html
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from tests.conftest import csrf_token, login


@pytest.fixture
def sso_app(make_app, identity_provider):
    return make_app(
        OIDC_ISSUER=identity_provider,
        OIDC_CLIENT_ID="empreinte",
        OIDC_CLIENT_SECRET="a-secret-of-the-test",
        PUBLIC_BASE_URL="https://empreinte.example.org",
        ORGANISATION_NAME="Bordeaux Métropole",
    )


def set_identity(identity_provider, sub, **claims):
    answer = requests.put(f"{identity_provider}/users/{quote(sub)}", json=claims, timeout=5)
    assert answer.status_code == 204


def sign_in_at_provider(client, sub, start="/auth/sso", action=None):
    """Follow the portal to the provider, sign in there as `sub` (or press `action`),
    and come back: the portal's answer to the callback."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302, to_provider.get_data(as_text=True)
    form = {"sub": sub} if action is None else {"action": action}
    back = requests.post(to_provider.location, data=form, allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.netloc == "empreinte.example.org"  # PUBLIC_BASE_URL, not the request's
    return client.get(f"{callback.path}?{callback.query}")


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_person_signs_in_with_their_work_account_and_lands_where_they_were_going(
    sso_app, identity_provider, make
):
    lea = make.user(email="lea.martin@example.org", password=None)
    client = sso_app.test_client()
    sign_in_page = page_text(client.get("/auth/sign-in?next=/catalogue/"))
    assert "Me connecter avec mon compte Bordeaux Métropole" in sign_in_page
    assert 'href="/auth/sso?next=/catalogue/"' in sign_in_page

    to_provider = client.get("/auth/sso?next=/catalogue/")
    query = parse_qs(urlsplit(to_provider.location).query)
    assert query["client_id"] == ["empreinte"] and query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["https://empreinte.example.org/auth/sso/callback"]
    assert query["nonce"] and query["state"]

    done = sign_in_at_provider(client, "Lea.Martin@example.org", start="/auth/sso?next=/catalogue/")
    assert done.status_code == 302 and done.location == "/catalogue/"
    assert f"{lea.display_name}" in page_text(client.get("/auth/profile"))


def test_an_address_without_an_account_is_told_to_ask_for_one_and_is_not_signed_in(
    sso_app, identity_provider
):
    client = sso_app.test_client()
    answer = sign_in_at_provider(client, "not.in.the.directory@example.org")
    assert answer.status_code == 403
    assert (
        "vous connaît comme not.in.the.directory@example.org, mais Empreinte n'a aucun compte "
        "actif pour cette adresse" in page_text(answer)
    )
    assert client.get("/auth/profile").status_code == 302  # still signed out


def test_a_deactivated_or_erased_account_does_not_sign_in(sso_app, identity_provider, make):
    make.user(email="left@example.org", active=False)
    client = sso_app.test_client()
    assert sign_in_at_provider(client, "left@example.org").status_code == 403
    assert client.get("/auth/profile").status_code == 302


def test_an_address_the_provider_says_is_unverified_is_not_enough(sso_app, identity_provider, make):
    make.user(email="claimed@example.org")
    set_identity(
        identity_provider, "someone-else", email="claimed@example.org", email_verified=False
    )
    client = sso_app.test_client()
    answer = sign_in_at_provider(client, "someone-else")
    assert answer.status_code == 403
    assert "n'a pas donné d'adresse e-mail professionnelle vérifiée" in page_text(answer)
    assert client.get("/auth/profile").status_code == 302


def test_a_cancelled_sign_in_offers_to_try_again(sso_app, identity_provider):
    client = sso_app.test_client()
    answer = sign_in_at_provider(client, "", action="deny")
    assert answer.status_code == 400
    assert "La connexion n'a pas abouti" in page_text(answer)
    assert 'href="/auth/sso"' in page_text(answer)


def test_a_callback_from_another_browser_s_sign_in_is_refused(sso_app, identity_provider, make):
    """Login CSRF: a code and state sent to someone else's browser sign nobody in there."""
    make.user(email="attacker@example.org")
    attacker = sso_app.test_client()
    to_provider = attacker.get("/auth/sso")
    back = requests.post(
        to_provider.location,
        data={"sub": "attacker@example.org"},
        allow_redirects=False,
        timeout=5,
    )
    callback = urlsplit(back.headers["Location"])
    victim = sso_app.test_client()
    answer = victim.get(f"{callback.path}?{callback.query}")
    assert answer.status_code == 400
    assert victim.get("/auth/profile").status_code == 302


def test_a_provider_that_does_not_answer_is_said_so_in_french(make_app):
    app = make_app(
        OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="empreinte", OIDC_CLIENT_SECRET="s"
    )
    answer = app.test_client().get("/auth/sso")
    assert answer.status_code == 503
    assert "ne répond pas. Réessayez dans un instant" in page_text(answer)


def test_without_a_provider_there_is_no_single_sign_on(client):
    assert "/auth/sso" not in client.get("/auth/sign-in").get_data(as_text=True)
    assert client.get("/auth/sso").status_code == 404
    assert client.get("/auth/sso/callback?code=x&state=y").status_code == 404


def test_someone_signed_in_already_goes_home(sso_app, make):
    client = sso_app.test_client()
    login(client, make.user())
    assert client.get("/auth/sso").location == "/"


def test_the_privacy_notice_says_what_the_provider_sends(sso_app, client):
    notice = "le portail en reçoit votre adresse e-mail, pour trouver votre compte"
    assert notice in page_text(sso_app.test_client().get("/privacy?lang=fr"))
    assert notice not in page_text(client.get("/privacy?lang=fr"))  # no provider, no word


def test_signing_out_also_signs_out_at_the_provider_so_the_next_person_is_asked(
    sso_app, identity_provider, make
):
    """On a shared computer, the next person must not come in as the previous one."""
    make.user(email="shared.desk@example.org")
    client = sso_app.test_client()
    assert sign_in_at_provider(client, "shared.desk@example.org").status_code == 302
    out = client.post("/auth/sign-out", data={"csrf_token": csrf_token(client)})
    provider_page = urlsplit(out.location)
    assert f"{provider_page.scheme}://{provider_page.netloc}" == identity_provider
    query = parse_qs(provider_page.query)
    assert query["client_id"] == ["empreinte"]
    assert query["post_logout_redirect_uri"] == ["https://empreinte.example.org/auth/sign-in"]
    assert requests.get(out.location, timeout=5).status_code == 200  # the provider's page
    assert client.get("/auth/profile").status_code == 302


def test_signing_out_after_a_password_stays_in_the_portal(sso_app, make):
    client = sso_app.test_client()
    login(client, make.user())
    out = client.post("/auth/sign-out", data={"csrf_token": csrf_token(client)})
    assert out.location == "/auth/sign-in"


def test_the_sign_out_form_may_end_at_the_provider_and_nowhere_else(sso_app, client):
    policy = sso_app.test_client().get("/auth/sign-in").headers["Content-Security-Policy"]
    issuer = sso_app.config["OIDC_ISSUER"]
    assert f"form-action 'self' {issuer};" in policy
    assert "form-action 'self';" in client.get("/auth/sign-in").headers["Content-Security-Policy"]


def test_the_profile_of_someone_without_a_password_names_both_ways_in(
    sso_app, identity_provider, make
):
    make.user(email="no.password@example.org", password=None)
    client = sso_app.test_client()
    assert sign_in_at_provider(client, "no.password@example.org").status_code == 302
    profile = page_text(client.get("/auth/profile"))
    assert "Vous n'avez pas de mot de passe" in profile
    assert "Vous pouvez aussi vous connecter avec votre compte Bordeaux Métropole." in profile


def test_the_provider_s_identifier_finds_the_person_after_their_address_changed_there(
    sso_app, identity_provider, make
):
    from app.auth.models import User
    from app.extensions import db

    chloe = make.user(email="chloe.petit@example.org")
    set_identity(identity_provider, "agent-2231", email="chloe.petit@example.org")
    client = sso_app.test_client()
    assert sign_in_at_provider(client, "agent-2231").status_code == 302
    assert db.session.get(User, chloe.id).sso_subject == "agent-2231"
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client)})

    # The provider renamed her before the staff directory did.
    set_identity(identity_provider, "agent-2231", email="chloe.bernard@example.org")
    again = sso_app.test_client()
    assert sign_in_at_provider(again, "agent-2231").status_code == 302
    assert "chloe.petit@example.org" in page_text(again.get("/auth/profile"))


def test_an_address_linked_to_another_identity_of_the_provider_is_refused(
    sso_app, identity_provider, make
):
    make.user(email="taken@example.org")
    set_identity(identity_provider, "first-identity", email="taken@example.org")
    assert sign_in_at_provider(sso_app.test_client(), "first-identity").status_code == 302
    set_identity(identity_provider, "second-identity", email="taken@example.org")
    client = sso_app.test_client()
    answer = sign_in_at_provider(client, "second-identity")
    assert answer.status_code == 403
    assert "Le compte taken@example.org est lié à une autre identité" in page_text(answer)
    assert client.get("/auth/profile").status_code == 302


def test_the_provider_s_identifier_is_exported_and_erased_with_the_person(
    sso_app, identity_provider, make
):
    from app.auth.models import User
    from app.core.privacy_services import erase_user
    from app.core.time import utcnow
    from app.extensions import db

    person = make.user(email="leaving@example.org")
    set_identity(identity_provider, "agent-77", email="leaving@example.org")
    client = sso_app.test_client()
    sign_in_at_provider(client, "agent-77")
    assert client.get("/auth/profile/export").json["profile"]["sso_subject"] == "agent-77"
    erase_user(db.session.get(User, person.id), utcnow())
    db.session.commit()
    assert db.session.get(User, person.id).sso_subject is None
    assert sign_in_at_provider(sso_app.test_client(), "agent-77").status_code == 403


def test_a_subject_beyond_what_openid_connect_allows_is_not_kept(sso_app, identity_provider, make):
    from app.auth.models import User
    from app.extensions import db

    person = make.user(email="long.sub@example.org")
    long_subject = "s" * 300
    set_identity(identity_provider, long_subject, email="long.sub@example.org")
    assert sign_in_at_provider(sso_app.test_client(), long_subject).status_code == 302
    assert db.session.get(User, person.id).sso_subject is None


def test_starting_single_sign_on_counts_against_the_address_only_when_it_fails(sso_app):
    """Colleagues behind one address (a town hall's NAT) all start single sign-on at
    half past eight: a start that goes to the provider is not counted (it checks no
    secret and sends nothing), so none is refused; the sign-in limit counts failures."""
    client = sso_app.test_client()
    statuses = [client.get("/auth/sso").status_code for _ in range(12)]
    assert statuses == [302] * 12


def test_failed_single_sign_on_returns_count_against_the_address(sso_app):
    """A return from the provider that the portal refuses (no such sign-in under way, a
    forged state) counts: past SIGN_IN_RATE_LIMIT the address waits."""
    client = sso_app.test_client()
    statuses = [
        client.get("/auth/sso/callback?code=forged&state=forged").status_code for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]
