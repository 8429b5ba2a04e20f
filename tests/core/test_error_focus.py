"""A form shown again with its errors puts the focus where the correcting starts: its
summary of the fields to correct, else the first of them."""

import re

from tests.conftest import csrf_token, login


def _autofocused(page: str) -> list[str]:
    return re.findall(r"<(?:input|select|textarea)\b[^>]*\bautofocus\b[^>]*>", page)


def test_a_refused_full_page_form_focuses_its_error_summary(client, make):
    """After a refused submit the focus stayed on the page's body, the errors far below.
    It goes to the summary of what to correct, which links to each field: focusing the
    first field scrolled the summary out of view at 200 % zoom."""
    login(client, make.user(roles=("organiser",), locale="en"))
    response = client.post(
        "/cleanup/campaigns/new", data={"csrf_token": csrf_token(client), "name_en": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 422)
    focused = re.findall(r"<\w+\b[^>]*\bautofocus\b[^>]*>", page)
    assert len(focused) == 1 and "error-summary" in focused[0]
    first_invalid = re.search(r"<(?:input|select|textarea)\b[^>]*aria-invalid=\"true\"[^>]*>", page)
    first_id = re.search(r'\bid="([^"]+)"', first_invalid.group(0)).group(1)
    summary = page[page.index(focused[0]) :]
    assert f'href="#{first_id}"' in summary[: summary.index("</div>")]


def test_a_page_without_errors_takes_no_focus(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    assert _autofocused(client.get("/cleanup/campaigns/new").get_data(as_text=True)) == []


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def test_a_refused_page_says_so_in_its_title_and_an_accepted_one_does_not(client, make):
    """The title is what a screen reader reads first of a page sent back with errors."""
    login(client, make.user(roles=("organiser",), locale="fr"))
    refused = client.post(
        "/cleanup/campaigns/new", data={"csrf_token": csrf_token(client), "name_en": ""}
    )
    assert refused.status_code == 422
    assert _title(refused.get_data(as_text=True)).startswith("Erreur\u00a0: ")
    assert not _title(client.get("/cleanup/campaigns/new").get_data(as_text=True)).startswith(
        "Erreur"
    )
