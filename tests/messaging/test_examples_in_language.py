"""The examples the template editor shows are in the language they are shown in: an
organiser writing the English text read « Direction du numérique » as the department."""

import html

from tests.conftest import login

HX = {"HX-Request": "true"}
TEAM = {
    "key": "x",
    "name": "x",
    "subject_fr": "Équipe",
    "body_fr": "Votre direction : {{ team_name }}",
    "subject_en": "Team",
    "body_en": "Your department: {{ team_name }}",
}


def _preview_for(auth, recipient: str) -> str:
    data = TEAM | {"recipient": recipient}
    response = auth.post("/messaging/templates/preview", data=data, headers=HX)
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def test_a_preview_for_a_colleague_gives_the_example_department_in_each_language(
    auth, client, make, make_campaign
):
    make_campaign()
    make.user(email="paule@example.org", display_name="Paule Collègue")
    login(client, make.user(roles=("organiser",), locale="en"))
    preview = _preview_for(auth, "paule@example.org")
    assert "Your department: Digital and IT Department" in preview
    assert "Votre direction : Direction du numérique et des systèmes d'information" in preview


def test_the_editor_lists_the_example_department_in_the_page_language(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get("/messaging/templates/new", headers={"Accept-Language": "en"})
    text = html.unescape(page.get_data(as_text=True))
    assert "The recipient's department (e.g. Digital and IT Department)" in text
    assert "Direction du numérique" not in text


def test_the_editor_says_whose_points_a_variable_gives(client, make):
    """The help speaks of the recipient, not of the organiser reading it."""
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get("/messaging/templates/new", headers={"Accept-Language": "en"})
    text = html.unescape(page.get_data(as_text=True))
    assert "The recipient's points in the campaign" in text
    assert "The recipient's badges, comma-separated" in text
    assert "Your points" not in text and "Your badges" not in text
