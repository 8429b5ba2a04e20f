"""Review of today's changes: any template name holding " / " was split into a French and
an English half, meant for the built-ins only. An organiser's « Questions / réponses » read
« Questions » on French pages and « réponses » on English ones, and « A / B » and « A / C »
both read « A ». An organiser's name is shown whole; a built-in's in the page's language."""

import html
import re

import pytest

from app.extensions import db
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.services import template_by_key
from tests.conftest import login
from tests.messaging.conftest import template_form


def _text(response) -> str:
    page = html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def organiser_templates(auth, client, make):
    """Log in an organiser in `locale`, who writes templates named `names`: their keys."""

    def write(locale: str, *names: str) -> list:
        login(client, make.user(roles=("organiser",), locale=locale))
        keys = []
        for number, name in enumerate(names):
            key = f"organiser-{number}"
            response = auth.post("/messaging/templates/new", template_form(key=key, name=name))
            assert response.status_code == 302
            keys.append(template_by_key(key))
        return keys

    return write


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_an_organiser_s_name_with_a_slash_is_its_page_s_title_and_heading(
    client, organiser_templates, locale
):
    [template] = organiser_templates(locale, "Questions / réponses")
    page = html.unescape(client.get(f"/messaging/templates/{template.id}").get_data(as_text=True))
    page = page.replace("\u00a0", " ")
    assert re.search(r"<title>\s*Questions / réponses ·", page)
    assert re.search(r"<h1[^>]*>\s*Questions / réponses\s*</h1>", page)
    # The delete confirmation names it whole too.
    question = {
        "fr": "Supprimer le modèle « Questions / réponses » ?",
        "en": "Delete the template “Questions / réponses”?",
    }
    assert f'data-confirm="{question[locale]}' in page


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_schedule_form_offers_an_organiser_s_name_whole(client, organiser_templates, locale):
    qa, a_b, a_c = organiser_templates(locale, "Questions / réponses", "A / B", "A / C")
    page = html.unescape(client.get("/messaging/schedule").get_data(as_text=True))
    assert f'<option value="{qa.id}">Questions / réponses (organiser-0)</option>' in page
    assert f'<option value="{a_b.id}">A / B (organiser-1)</option>' in page
    assert f'<option value="{a_c.id}">A / C (organiser-2)</option>' in page


def test_the_template_list_tells_a_b_from_a_c(client, organiser_templates):
    organiser_templates("fr", "A / B", "A / C")
    page = _text(client.get("/messaging/templates"))
    assert "A / B" in page and "A / C" in page


@pytest.mark.parametrize(
    ("locale", "shown"), [("fr", "Dernières 48 heures"), ("en", "Last 48 hours")]
)
def test_a_built_in_s_name_is_still_in_the_page_s_language(
    client, organiser_templates, locale, shown
):
    ensure_builtin_templates()
    db.session.commit()
    organiser_templates(locale)
    last_48h = template_by_key("campaign-last-48h")
    page = html.unescape(client.get(f"/messaging/templates/{last_48h.id}").get_data(as_text=True))
    assert re.search(rf"<title>\s*{shown} ·", page)
    assert re.search(rf"<h1[^>]*>\s*{shown}\s*</h1>", page)
