"""The new template form submitted empty said WTForms' « Ce champ
est requis. » under Clé and Nom; template names read in both languages on a French page
(the schedule form's choices, a template's title and heading)."""

import html
import re

from app.extensions import db
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.services import template_by_key
from tests.conftest import login
from tests.messaging.conftest import template_form


def _text(response) -> str:
    page = html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def _posted_empty(auth, client, make, locale: str) -> str:
    login(client, make.user(roles=("organiser",), locale=locale))
    response = auth.post("/messaging/templates/new", template_form(key="", name=""))
    assert response.status_code == 422
    return _text(response)


def test_an_empty_key_and_name_say_what_to_give_in_french(auth, client, make):
    page = _posted_empty(auth, client, make, "fr")
    assert "Ce champ est requis" not in page
    assert "Ce champ est obligatoire" not in page
    assert "Donnez une clé au modèle, par exemple lettre-printemps." in page
    assert "Donnez un nom au modèle." in page


def test_an_empty_key_and_name_say_what_to_give_in_english(auth, client, make):
    page = _posted_empty(auth, client, make, "en")
    assert "This field is required" not in page
    assert "Give the template a key, for example spring-letter." in page
    assert "Give the template a name." in page


def _launch(client, make, locale: str):
    ensure_builtin_templates()
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale=locale))
    return template_by_key("campaign-launch")


def test_the_schedule_form_names_templates_in_french_on_a_french_page(client, make):
    launch = _launch(client, make, "fr")
    page = html.unescape(client.get("/messaging/schedule").get_data(as_text=True))
    assert f'<option value="{launch.id}">Lancement de campagne (campaign-launch)</option>' in page
    assert "Campaign launch" not in page


def test_a_built_in_template_s_page_is_titled_in_the_page_s_language(client, make):
    launch = _launch(client, make, "fr")
    page = _text(client.get(f"/messaging/templates/{launch.id}"))
    assert "Lancement de campagne · Empreinte" in page
    assert "Campaign launch" not in page


def test_in_english_the_english_name(client, make):
    launch = _launch(client, make, "en")
    page = html.unescape(client.get("/messaging/schedule").get_data(as_text=True))
    assert f'<option value="{launch.id}">Campaign launch (campaign-launch)</option>' in page
    assert "Lancement de campagne" not in page
