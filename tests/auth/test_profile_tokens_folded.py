"""Personal API tokens stay on the profile, folded under "For developers": open once the
person has a token, or when the token form has something to say."""

import re

from tests.conftest import login

FOLDED = re.compile(r'<details class="developer-tokens"( open)?>')


def _details(page):
    found = FOLDED.search(page)
    assert found, "no folded tokens section"
    return found


def test_a_newcomer_sees_the_tokens_folded_with_a_plain_explanation(client, make):
    login(client, make.user(locale="en"))
    page = client.get("/auth/profile").get_data(as_text=True)
    assert _details(page).group(1) is None
    assert 'id="tokens-title">For developers: personal API tokens</summary>' in page
    assert "You do not need one to use the portal." in page
    assert 'action="/auth/profile/tokens"' in page  # still there, folded


def test_the_tokens_are_open_for_someone_who_has_one(client, auth, make):
    login(client, make.user(locale="en"))
    created = auth.post("/auth/profile/tokens", {"name": "my script"}).get_data(as_text=True)
    assert _details(created).group(1) == " open"
    assert _details(client.get("/auth/profile").get_data(as_text=True)).group(1) == " open"


def test_the_tokens_are_open_when_the_form_is_refused(client, auth, make):
    login(client, make.user(locale="en"))
    answer = auth.post("/auth/profile/tokens", {"name": ""})
    assert answer.status_code == 422
    assert _details(answer.get_data(as_text=True)).group(1) == " open"


def test_the_folded_section_is_in_french(client, make):
    login(client, make.user(locale="fr"))
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "Pour les développeurs\u00a0: jetons d'API personnels" in page
