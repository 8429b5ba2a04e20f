"""The Preview button without JavaScript: the preview from the texts whatever the key or
name, their errors at their fields and named, linked, over the preview; nothing saved."""

import html

from sqlalchemy import func, select

from app.extensions import db
from app.messaging.models import MessageTemplate
from tests.conftest import login
from tests.messaging.conftest import PREVIEW

HX = {"HX-Request": "true"}
KEY_ERROR = "Utilisez des minuscules, des chiffres et des tirets."


def _organiser(client, make):
    login(client, make.user(roles=("organiser",), display_name="Nora Benali"))


def _templates() -> int:
    return db.session.scalar(select(func.count()).select_from(MessageTemplate))


def _preview_area(page: str) -> str:
    return page.split('id="preview-heading"', 1)[1]


def test_a_bad_key_still_previews_says_the_error_and_saves_nothing(auth, client, make):
    _organiser(client, make)
    before = _templates()
    response = auth.post(
        "/messaging/templates/new", data={**PREVIEW, "key": "Ma Lettre", "action": "preview"}
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Body for Nora Benali" in _preview_area(page)
    assert KEY_ERROR in page.split('id="preview-heading"', 1)[0]  # at its field
    assert "Utilisez le bouton Aperçu pour voir le message." not in page
    assert _templates() == before


def test_the_note_over_the_preview_links_to_the_key(auth, client, make):
    _organiser(client, make)
    response = auth.post(
        "/messaging/templates/new", data={**PREVIEW, "key": "Ma Lettre", "action": "preview"}
    )
    area = html.unescape(_preview_area(response.get_data(as_text=True)))
    assert "Le modèle n'est pas enregistré." in area
    assert f'<a href="#key">Clé</a> — {KEY_ERROR}' in area
    assert 'href="#name"' not in area


def test_a_draft_without_key_nor_name_previews_naming_both(auth, client, make):
    _organiser(client, make)
    before = _templates()
    draft = {k: v for k, v in PREVIEW.items() if k not in ("key", "name")}
    response = auth.post("/messaging/templates/new", data={**draft, "action": "preview"})
    area = _preview_area(response.get_data(as_text=True))
    assert "Body for Nora Benali" in area
    assert 'href="#key"' in area and 'href="#name"' in area
    assert _templates() == before


def test_a_text_too_long_is_listed_with_the_key_not_rendered(auth, client, make):
    _organiser(client, make)
    data = {**PREVIEW, "key": "Ma Lettre", "subject_en": "S" * 301, "action": "preview"}
    response = auth.post("/messaging/templates/new", data=data)
    area = html.unescape(_preview_area(response.get_data(as_text=True)))
    # One list of what stops the save: the text's own problem, then the key, linked.
    summary = area.split("Le modèle ne peut pas encore être enregistré ni planifié", 1)[1]
    assert "Objet en anglais — Le champ ne peut pas contenir plus de 300 caractères." in summary
    assert 'href="#key"' in summary and "n'est pas enregistré" not in area
    assert "Body for Nora Benali" not in area


def test_an_edited_template_without_name_previews_and_keeps_its_name(auth, client, make, template):
    tpl = template()
    _organiser(client, make)
    data = {**PREVIEW, "key": tpl.key, "name": "", "action": "preview"}
    response = auth.post(f"/messaging/templates/{tpl.id}", data=data)
    area = _preview_area(response.get_data(as_text=True))
    assert "Body for Nora Benali" in area and 'href="#name"' in area
    db.session.refresh(tpl)
    assert tpl.name == "Hello" and tpl.body_en.startswith("Hello")


def test_the_live_preview_has_no_note_while_typing_a_bad_key(auth, client, make):
    _organiser(client, make)
    response = auth.post(
        "/messaging/templates/preview", data={**PREVIEW, "key": "Ma Lettre"}, headers=HX
    )
    fragment = response.get_data(as_text=True)
    assert "Body for Nora Benali" in fragment
    assert "pas enregistré" not in fragment and 'href="#key"' not in fragment
