"""RGAA 4.1: the roles table's refusal outside the row header, the
language of English and French fields, the language radio of the profile."""

import html
import re

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from tests.conftest import login
from tests.core.test_admin_roles_focus import _sign_in
from tests.core.test_only_agent_of_a_point import agent, make_point, revoke_agent


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _refused_row(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    manon = agent(make, display_name="Manon Fabre", email="manon@example.org")
    make_point(make, "Mairie de Pessac", [manon])
    answer = revoke_agent(auth, manon, **{"HX-Request": "true"})
    assert answer.status_code == 409
    return manon, _text(answer)


def test_the_refusal_is_not_part_of_the_row_header(client, auth, make):
    """The row header named every cell « Manon Fabre manon@… Manon Fabre est la seule… »."""
    _, row = _refused_row(client, auth, make)
    header = re.search(r"<th scope=\"row\".*?</th>", row, re.S).group(0)
    assert "seule personne" not in header
    assert re.sub(r"<[^>]+>", "", header) == "Manon Fabre manon@example.org"


def test_the_refusal_sits_by_the_revoke_button_which_it_describes(client, auth, make):
    manon, row = _refused_row(client, auth, make)
    cell = next(c for c in row.split("<td")[1:] if 'value="revoke:agent"' in c)
    message_id = f"person-{manon.id}-message"
    assert f'aria-describedby="{message_id}"' in cell
    assert re.search(rf'<span id="{message_id}" class="error"[^>]*>Manon Fabre est la seule', cell)
    assert row.count(f'aria-describedby="{message_id}"') == 1  # only the refused action's


def test_the_refused_button_takes_the_focus_described_by_why_said_once(client, auth, make):
    """Focused itself, the message was a nameless group; copied into #announcer as well,
    it was said twice. The button keeps the focus (autofocus, honoured by htmx), and its
    description is the refusal."""
    _, row = _refused_row(client, auth, make)
    assert "data-announce" not in row
    assert re.search(
        r'<button [^>]*value="revoke:agent"[^>]*aria-describedby="person-\d+-message" autofocus',
        row,
    )
    assert re.search(r'<span id="person-\d+-message" class="error">', row)


class LanguagesForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Nom")
    name_fr = StringField("Nom en français")
    body_en = TextAreaField("Texte en anglais")
    title_en = StringField("Titre en anglais")


def test_the_field_macro_gives_a_language_field_its_language_not_its_label(app):
    page = """{% from "_macros.html" import field %}{{ field(form.name) }}{{ field(form.name_fr) }}
    {{ field(form.body_en) }}{{ field(form.title_en, lang="fr") }}"""
    with app.test_request_context():
        out = render_template_string(page, form=LanguagesForm())
    assert '<input id="name" name="name" type="text" value="">' in out
    assert re.search(r'<input id="name_fr" lang="fr" name="name_fr"', out)
    assert re.search(r'<textarea id="body_en" lang="en" name="body_en"', out)
    assert re.search(r'<input id="title_en" lang="fr" name="title_en"', out)  # the caller's
    assert "<label" in out and not re.search(r"<label[^>]*lang=", out)


def test_the_english_directions_of_a_point_are_marked_english(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _text(client.get("/recycling/admin/points/new"))
    assert re.search(
        r'<textarea id="directions_en" lang="en"|<input id="directions_en" lang="en"', page
    )
    assert re.search(r'id="directions_fr" lang="fr"', page)


def test_each_language_of_the_profile_is_named_in_that_language(client, make):
    login(client, make.user(locale="fr"))
    page = _text(client.get("/auth/profile"))
    assert re.search(r'<label for="locale-\d+" lang="en">English</label>', page)
    assert re.search(r'<label for="locale-\d+" lang="fr">Français</label>', page)


@pytest.mark.browser
def test_in_a_browser_the_refusal_is_focused_and_said_once(page, make):
    from playwright.sync_api import expect

    make.user(roles=("admin",), email="admin@example.org")
    manon = agent(make, display_name="Manon Fabre", email="manon@example.org")
    make_point(make, "Mairie de Pessac", [manon])
    _sign_in(page, "admin@example.org")
    page.goto("/admin/roles?q=manon")

    page.get_by_role(
        "button", name="Retirer le rôle «\u00a0Agent de collecte\u00a0» à Manon Fabre"
    ).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("alertdialog")  # revoking asks first
    dialog.get_by_role(
        "button", name="Retirer le rôle «\u00a0Agent de collecte\u00a0» à Manon Fabre"
    ).click()

    button = page.get_by_role(
        "button", name="Retirer le rôle «\u00a0Agent de collecte\u00a0» à Manon Fabre"
    )
    expect(button).to_be_focused()
    expect(button).to_have_accessible_description(re.compile("^Manon Fabre est la seule"))
    page.wait_for_timeout(400)  # past the moment #announcer would be filled
    expect(page.locator("#announcer")).to_have_text("")
