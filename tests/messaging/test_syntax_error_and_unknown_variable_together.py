"""A text with a syntax error and a mistyped variable gets both said at once: the
unknown variable ("did you mean first_name?") came only after the syntax error was
fixed and the template saved a second time. Found tag by tag when the whole text does
not parse, and never a name the text itself defines (a loop's, a "set")."""

import html

from flask_babel import force_locale

from app.messaging.rendering import check_source
from tests.conftest import login
from tests.messaging.conftest import template_form

BROKEN = "Hello {{ firstname }},\n\n{% if points %}\nWell done."


def _field_error(page: str, name: str) -> str:
    error = page.split(f'id="{name}-error">', 1)[1].split("</p>", 1)[0]
    return " ".join(html.unescape(error).replace("\u00a0", " ").split())


def test_saving_says_the_unclosed_block_and_the_unknown_variable_at_once(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    response = auth.post("/messaging/templates/new", data=template_form(body_en=BROKEN))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(page, "body_en") == (
        "Line 1: unknown variable “firstname”: did you mean “first_name”? "
        "Line 3: the “if” block is not closed: add “{% endif %}” where it ends."
    )


def test_the_preview_names_both_too(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    data = {**template_form(body_en=BROKEN), "recipient": ""}
    fragment = auth.post(
        "/messaging/templates/preview", data=data, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    words = " ".join(html.unescape(fragment).split())
    assert "firstname" in words and "{% endif %}" in words


def test_names_the_text_defines_are_not_taken_for_unknown_ones(app):
    texts = [
        "{% for item in badges %}{{ item }} {{ loop.index }}{% endfor %}{% if points",
        "{% set total = 3 %}{{ total }}\n{% if points %}",
    ]
    with app.test_request_context(), force_locale("en"):
        found = [[problem.reason for problem in check_source("body_en", text)] for text in texts]
    assert [len(problems) for problems in found] == [1, 1]
    assert not any("Unknown variable" in reason for problems in found for reason in problems)


def test_a_statement_that_may_define_names_leaves_the_variables_unsaid(app):
    text = "{% macro line(name) %}{{ name }}{% endmacro %}{{ line(firstname) }}{% if points"
    with app.test_request_context(), force_locale("en"):
        problems = check_source("body_en", text)
    assert len(problems) == 1 and "Unknown variable" not in problems[0].reason


def test_a_variable_left_unclosed_still_lets_the_earlier_ones_be_checked(app):
    with app.test_request_context(), force_locale("en"):
        problems = check_source("body_en", "{{ frist_name }} and {{ points")
    assert [problem.reason for problem in problems][1:] == [
        "Unknown variable “frist_name”: did you mean “first_name”?"
    ]
