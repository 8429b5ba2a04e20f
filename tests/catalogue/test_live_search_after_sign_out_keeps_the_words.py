"""A live search sent after the session ended answers « sign in again » with a link back
to the catalogue: the link came from the address the page showed (HX-Current-URL), which
a live search updates only once its results arrive, so the words typed were lost."""

import re
from urllib.parse import parse_qs, urlsplit

from tests.conftest import csrf_token, login


def _sign_in_link(answer) -> dict:
    link = re.search(r'href="(/auth/sign-in[^"]*)"', answer.get_data(as_text=True)).group(1)
    return parse_qs(urlsplit(link.replace("&amp;", "&")).query)


def _signed_out_in_another_tab(client, make):
    login(client, make.user(locale="en"))
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client)})


def test_the_sign_in_link_keeps_the_words_of_a_live_search(client, make):
    _signed_out_in_another_tab(client, make)
    answer = client.get(
        "/catalogue/?q=ordinateur&category=",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/catalogue/"},
    )
    assert answer.status_code == 401
    assert _sign_in_link(answer) == {"next": ["/catalogue/?q=ordinateur&category="]}


def test_a_part_of_another_page_still_leads_back_to_the_page_shown(client, make):
    _signed_out_in_another_tab(client, make)
    answer = client.get(
        "/catalogue/?q=ordinateur",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/?tab=news"},
    )
    assert answer.status_code == 401
    assert _sign_in_link(answer) == {"next": ["/?tab=news"]}
