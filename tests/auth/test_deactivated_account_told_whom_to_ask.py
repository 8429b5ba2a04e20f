"""A deactivated person was told "Wrong e-mail address or password." with their right
password, and asking for a sign-in link said one was on its way while none came. With
the right password they are told the account is deactivated and whom to ask; a link
request answers as for every address, and e-mails them that notice instead of a link."""

import html

from app.core.time import utcnow
from app.extensions import db
from tests.auth.test_sign_in_link import ask_for_link

DEACTIVATED = "Votre compte Empreinte est désactivé"


def _deactivated(make, **fields):
    user = make.user(email="jeanne@example.org", display_name="Jeanne Roux", **fields)
    user.active, user.deactivated_by, user.deactivated_at = False, "admin", utcnow()
    db.session.commit()
    return user


def test_the_right_password_of_a_deactivated_account_says_whom_to_ask(client, auth, make):
    _deactivated(make, locale="fr")
    answer = auth.sign_in("jeanne@example.org")
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 403
    assert f"{DEACTIVATED}\u00a0: vous ne pouvez pas vous connecter." in page
    assert "administrateurs du portail" in page
    assert client.get("/").status_code == 302  # nobody signed in


def test_a_wrong_password_of_a_deactivated_account_says_nothing_of_it(auth, make):
    _deactivated(make)
    answer = auth.sign_in("jeanne@example.org", password="not her password")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 401
    assert "désactivé" not in page


def test_a_link_asked_for_a_deactivated_account_answers_as_any_and_sends_the_notice(
    client, make, smtp
):
    _deactivated(make, password=None)
    deactivated = ask_for_link(client, "jeanne@example.org")
    unknown = ask_for_link(client, "nobody@example.org")
    assert deactivated.status_code == unknown.status_code == 200
    assert deactivated.get_data(as_text=True).replace("jeanne", "nobody") == unknown.get_data(
        as_text=True
    )
    [(to, message)] = smtp.messages
    assert to == "jeanne@example.org"
    assert message["Subject"] == DEACTIVATED
    body = message.get_body(("plain",)).get_content()
    assert "Aucun lien n'est envoyé" in body and "/auth/sign-in/link/" not in body
    assert "administrateurs du portail" in body


def test_the_deactivated_notice_is_sent_at_most_three_times_within_a_links_lifetime(
    client, make, smtp
):
    _deactivated(make, password=None)
    for _ in range(4):
        ask_for_link(client, "jeanne@example.org")
    assert len(smtp.messages) == 3
