"""The template editor, end to end: Enter in "Preview for" saved the template,
an unchanged built-in saved from the browser looked edited (CR LF line breaks), a refused
preview address was never read out, "Preview updated." was read out at each visit.
The browser side of these is in test_browser.py."""

import html
import re

from app.extensions import db
from app.messaging import services
from app.messaging.builtins import (
    BUILTIN_TEMPLATES,
    SHIPPED_TEXTS,
    ensure_builtin_templates,
    shipped_fingerprint,
)
from tests.conftest import login
from tests.messaging.conftest import PREVIEW

HX = {"HX-Request": "true"}
RESTORE = "Rétablir le texte fourni"


def _announced(fragment: str) -> list[str]:
    found = re.findall(r"<p[^>]*data-announce>([^<]*)</p>", fragment)
    return [html.unescape(text) for text in found]


def _builtin(key: str = "campaign-launch"):
    ensure_builtin_templates()
    template = services.template_by_key(key)
    db.session.commit()
    return template


def _as_a_browser_sends_it(template) -> dict:
    """The editor's form as a browser posts it: a textarea's line breaks are CR LF."""
    data = {field: getattr(template, field) for field in services.TEMPLATE_FIELDS}
    data = {field: text.replace("\n", "\r\n") for field, text in data.items()}
    return {**data, "key": template.key, "name": template.name, "action": "save"}


# --- 1. Enter in "Preview for" previews, never saves ---------------------------------------


def _first_submit_button(page: str) -> str:
    form = page.split('id="template-form"', 1)[1].split("</form>", 1)[0]
    return re.search(r'<button type="submit"[^>]*>', form)[0]


def test_the_editors_first_submit_button_previews_so_that_enter_never_saves(client, make):
    """Enter in a one-line field presses the form's first submit button: it was "Save"."""
    login(client, make.user(roles=("organiser",)))
    for url in ("/messaging/templates/new", f"/messaging/templates/{_builtin().id}"):
        first = _first_submit_button(client.get(url).get_data(as_text=True))
        assert 'value="preview"' in first and "#preview-heading" in first
        # Out of sight and out of the Tab order: the visible "Preview" button stays the one.
        assert 'tabindex="-1"' in first and 'aria-hidden="true"' in first


# --- 2. an unchanged built-in saved from the browser is not "edited" -----------------------


def test_saving_an_unchanged_builtin_from_the_browser_offers_no_restore(auth, client, make):
    template = _builtin()
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        f"/messaging/templates/{template.id}",
        data=_as_a_browser_sends_it(template),
        follow_redirects=True,
    )
    page = html.unescape(response.get_data(as_text=True))
    assert "Modèle enregistré." in page and RESTORE not in page
    db.session.refresh(template)
    assert all("\r" not in getattr(template, f) for f in services.TEMPLATE_FIELDS)
    assert template.body_fr == BUILTIN_TEMPLATES[template.key]["body_fr"]


def test_a_builtin_saved_with_cr_lf_before_the_fix_is_not_called_edited(client, make):
    """Copies saved before line breaks were normalised keep their CR LF: no migration."""
    template = _builtin()
    for field in services.TEMPLATE_FIELDS:
        setattr(template, field, getattr(template, field).replace("\n", "\r\n"))
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = html.unescape(client.get(f"/messaging/templates/{template.id}").get_data(as_text=True))
    assert RESTORE not in page
    # Nor does the fingerprint take it for an edit: an older text would still be updated.
    assert shipped_fingerprint(template) == SHIPPED_TEXTS[template.key][-1]


def test_an_edited_builtin_still_offers_the_restore(auth, client, make):
    template = _builtin()
    login(client, make.user(roles=("organiser",)))
    data = _as_a_browser_sends_it(template)
    data["body_en"] += "\r\nOne more line."
    auth.post(f"/messaging/templates/{template.id}", data=data)
    page = html.unescape(client.get(f"/messaging/templates/{template.id}").get_data(as_text=True))
    assert RESTORE in page


def test_a_lone_cr_is_a_line_break_too(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    texts = {**PREVIEW, "key": "old-mac", "body_fr": "Un\rDeux", "action": "save"}
    auth.post("/messaging/templates/new", data=texts)
    assert services.template_by_key("old-mac").body_fr == "Un\nDeux"


# --- 3. a refused "Preview for" address is read out ---------------------------------------


# An address nobody has is no longer refused (review of 6 December: the form told who has
# an account): only one not well formed is.


def test_an_address_not_well_formed_is_read_out_too(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    fragment = auth.post(
        "/messaging/templates/preview",
        data={**PREVIEW, "recipient": "camille@"},
        headers={**HX, "HX-Trigger": "recipient"},
    ).get_data(as_text=True)
    assert _announced(fragment) == ["Aperçu pour\u00a0: Cette adresse e-mail n'est pas valide."]


def test_typing_elsewhere_does_not_repeat_the_refusal(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    fragment = auth.post(
        "/messaging/templates/preview",
        data={**PREVIEW, "recipient": "camille@"},
        headers={**HX, "HX-Trigger": "preview"},
    ).get_data(as_text=True)
    assert _announced(fragment) == []


# --- 4. "Preview updated." only after a change asked for ----------------------------------


def test_the_editor_comes_with_its_preview_rather_than_asking_it_on_load(client, make):
    """The preview asked on load read out "Preview updated." at each visit, over "Template
    saved." after a save."""
    login(client, make.user(roles=("organiser",), display_name="Nora Benali"))
    page = html.unescape(client.get(f"/messaging/templates/{_builtin().id}").get_data(as_text=True))
    preview = re.search(r'<div id="preview"[^>]*>', page)[0]
    assert "load" not in preview
    shown = page.split('id="preview"', 1)[1]
    assert "Utilisez le bouton Aperçu" not in shown and "Nora" in shown
