"""The page after asking for a sign-in link never promises more than it knows: the link
leaves after the answer (its time must not tell who works here), so a failed sending is
only logged, and the page says whom to contact when nothing arrives."""

import html

from tests.conftest import csrf_token


def ask_link(client, email, language="fr"):
    answer = client.post(
        "/auth/sign-in/link",
        data={"link-email": email, "csrf_token": csrf_token(client)},
        headers={"Accept-Language": language},
        buffered=True,
    )
    return answer.status_code, html.unescape(answer.get_data(as_text=True))


# A mail server that answers (one that does not is said at once: test_sign_in_link_mail_down.py).
def test_the_page_says_to_contact_the_helpdesk_when_nothing_arrives(client, make, smtp):
    person = make.user(email="lea@example.org")

    status, page = ask_link(client, person.email)

    assert status == 200
    assert "Toujours rien\u00a0? Contactez votre assistance informatique" in page


def test_an_address_with_accented_letters_is_warned_about_on_the_page(client, smtp):
    status, page = ask_link(client, "élodie.françois@example.org", "en")

    assert status == 200
    assert "This address has accented or other non-ASCII letters" in page
    assert "ask your IT helpdesk" in page


def test_a_plain_address_gets_no_such_warning(client, smtp):
    _status, page = ask_link(client, "lea@example.org", "en")

    assert "non-ASCII" not in page
