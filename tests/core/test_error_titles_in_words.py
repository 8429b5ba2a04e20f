"""An error page's title and heading say what happened in words, then the code: a bare
« Erreur 404 » told a reader of the tab or of the page's headings nothing."""

import re

from tests.conftest import login


def _title_and_heading(response) -> tuple[str, str]:
    page = response.get_data(as_text=True).replace("&#39;", "'")
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1].strip()
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)[1].strip()
    return title, heading


def test_a_missing_page_is_named_in_english(client):
    response = client.get("/no-such-page?lang=en")
    assert response.status_code == 404
    assert _title_and_heading(response) == (
        "Page not found (error 404) · Empreinte",
        "Page not found (error 404)",
    )


def test_a_refused_page_is_named_in_french(client, make):
    login(client, make.user(locale="fr"))
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert _title_and_heading(response) == (
        "Accès refusé (erreur 403) · Empreinte",
        "Accès refusé (erreur 403)",
    )


def test_a_method_not_allowed_is_named_in_french(client):
    response = client.delete("/privacy")
    assert response.status_code == 405
    assert _title_and_heading(response)[1] == "Action non autorisée ici (erreur 405)"
