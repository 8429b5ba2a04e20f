"""The examples the template editor shows are in the language they are shown in: an
organiser writing the English text read « Direction du numérique » as the department."""

import html

from tests.conftest import login

HX = {"HX-Request": "true"}
TEAM = {
    "key": "x",
    "name": "x",
    "subject_fr": "Équipe",
    "body_fr": "Votre équipe : {{ team_name }}",
    "subject_en": "Team",
    "body_en": "Your team: {{ team_name }}",
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
    assert "Your team: Digital Department" in preview
    assert "Votre équipe : Direction du numérique" in preview


def test_the_editor_lists_the_example_department_in_the_page_language(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get("/messaging/templates/new", headers={"Accept-Language": "en"})
    text = html.unescape(page.get_data(as_text=True))
    assert "Your department (e.g. Digital Department)" in text
    assert "Direction du numérique" not in text
