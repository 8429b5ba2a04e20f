"""The template editor in French: after « Ligne 1 : » a reason went on with a capital
(« Une variable… ») or without (« variable inconnue… »); the example of the goal line
let « 12 000 », « Go » and « % » part at a line's end."""

import html
import re

from flask_babel import force_locale

from app.messaging.rendering import TemplateProblem
from tests.conftest import login
from tests.messaging.conftest import template_form

NBSP = "\u00a0"
NNBSP = "\u202f"


def _error(page: str, field: str) -> str:
    return html.unescape(page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0])


def test_every_reason_after_a_line_goes_on_in_lower_case(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    for body, expected in (
        ("Bonjour\n{{ prenom }}", f"Ligne 2{NBSP}: variable inconnue «{NBSP}prenom{NBSP}»."),
        ("{{ first_name", f"Ligne 1{NBSP}: une variable ouverte par «{NBSP}{{{{{NBSP}»"),
    ):
        response = auth.post("/messaging/templates/new", data=template_form(body_fr=body))
        assert response.status_code == 422
        assert _error(response.text, "body_fr").startswith(expected), _error(
            response.text, "body_fr"
        )


def test_a_reason_without_a_line_is_a_sentence_of_its_own(app):
    with app.test_request_context(), force_locale("en"):
        assert str(TemplateProblem("body_en", None, "Unknown variable “x”.")).startswith("Unknown")
        assert str(TemplateProblem("body_en", 3, "Unknown variable “x”.")) == (
            "Line 3: unknown variable “x”."
        )


def test_the_goal_example_holds_its_figures_to_their_units(client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(re.sub(r"<[^>]+>", " ", client.get("/messaging/templates/new").text))
    assert f"12{NNBSP}000{NBSP}Go sur 50{NNBSP}000{NBSP}Go (24{NBSP}%)" in page
