"""A refused audit filter says why where the person is: with JavaScript only the results
are swapped, so the notice carries each field's own message and takes the focus."""

import html
import re

from tests.conftest import login

WRONG_WAY = {"since": "2026-06-01", "until": "2026-01-01"}


def notice(page: str) -> str:
    return re.search(r'<div class="notice" role="alert"[^>]*>(.*?)</div>', page, re.S).group(0)


def test_the_swapped_notice_says_the_field_s_message_and_takes_the_focus(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    response = client.get("/admin/audit", query_string=WRONG_WAY, headers={"HX-Request": "true"})
    said = html.unescape(notice(response.get_data(as_text=True)))
    assert "To (included): This date comes before the “From” date: swap them." in said
    assert 'href="#until"' in said
    assert re.search(r'<div class="notice" role="alert" tabindex="-1" autofocus>', said)


def test_without_javascript_the_field_keeps_the_focus_and_the_notice_says_it_too(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = html.unescape(client.get("/admin/audit", query_string=WRONG_WAY).get_data(as_text=True))
    assert "To (included): This date comes before the “From” date: swap them." in notice(page)
    assert "autofocus" not in notice(page)
    assert re.search(
        r'<input[^>]*autofocus[^>]*id="until"|<input[^>]*id="until"[^>]*autofocus', page
    )
