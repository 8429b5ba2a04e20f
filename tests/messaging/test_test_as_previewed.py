""" "Send me a test" sends what was just previewed: the text as typed (unsaved) and the
campaign chosen for the preview. It sent the saved text about the organiser's own
campaign, and the page came back without what was typed nor the campaign."""

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Dispatch, MessageTemplate
from tests.conftest import login

SAVED = {
    "subject_fr": "Objet enregistré",
    "body_fr": "Texte enregistré : {{ campaign_name }}.",
    "subject_en": "Saved subject",
    "body_en": "Saved text: {{ campaign_name }}.",
}


def _typed(tpl, campaign_id, **texts) -> dict:
    """The template form as the organiser left it, unsaved, with the test's language."""
    return {
        "key": tpl.key,
        "name": tpl.name,
        **SAVED,
        "subject_fr": "Objet tapé {{ first_name }}",
        "body_fr": "Texte tapé sur {{ campaign_name }}.",
        "recipient": "",
        "campaign_id": str(campaign_id),
        "language": "fr",
        "action": "test",
        **texts,
    }


def _setting(make, make_campaign, template):
    """An organiser in a running campaign's scope, next month's campaign to preview, and
    a saved template."""
    today = utcnow()
    make_campaign(name_fr="Défi en cours")
    coming = make_campaign(name_fr="Semaine du tri", starts_at=today + timedelta(days=30),
                           ends_at=today + timedelta(days=35))  # fmt: skip
    organiser = make.user(
        roles=("organiser",), locale="fr", email="nora@example.org", display_name="Nora Benali"
    )
    return organiser, coming, template(**SAVED)


def _value_of(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))


def test_the_test_email_is_the_typed_text_about_the_campaign_chosen(
    auth, client, make, make_campaign, template, smtp
):
    organiser, coming, tpl = _setting(make, make_campaign, template)
    login(client, organiser)
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_typed(tpl, coming.id))
    [(to, email)] = smtp.messages
    assert to == "nora@example.org"
    assert email["Subject"] == "[Test] Objet tapé Nora"
    body = email.get_body(("plain",)).get_content()
    assert "Texte tapé sur Semaine du tri." in body and "Défi en cours" not in body


def test_sending_a_test_saves_nothing(auth, client, make, make_campaign, template, smtp):
    organiser, coming, tpl = _setting(make, make_campaign, template)
    login(client, organiser)
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_typed(tpl, coming.id))
    db.session.expire_all()
    saved = db.session.get(MessageTemplate, tpl.id)
    assert (saved.subject_fr, saved.body_fr) == (SAVED["subject_fr"], SAVED["body_fr"])


def test_the_page_comes_back_as_typed_with_the_campaign_and_says_where_the_test_went(
    auth, client, make, make_campaign, template, smtp
):
    organiser, coming, tpl = _setting(make, make_campaign, template)
    login(client, organiser)
    response = auth.post(
        f"/messaging/templates/{tpl.id}/test", data=_typed(tpl, coming.id), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _value_of(page, "subject_fr") == "Objet tapé {{ first_name }}"
    campaign = page.split('id="campaign_id"', 1)[1].split("</select>", 1)[0]
    assert re.search(rf'<option selected value="{coming.id}">', campaign)
    answer = page.split('<p id="test-answer" class="flash flash-success"', 1)[1]
    flash = html.unescape(answer.split(">", 1)[1].split("</p>")[0])
    assert "nora@example.org" in flash and "pas encore enregistré" in flash
    assert "Texte tapé sur Semaine du tri." in html.unescape(page)  # its preview too


def test_a_typed_text_that_does_not_render_is_refused_at_its_field_and_nothing_is_sent(
    auth, client, make, make_campaign, template, smtp
):
    organiser, coming, tpl = _setting(make, make_campaign, template)
    login(client, organiser)
    data = _typed(tpl, coming.id, body_fr="Bonjour {{ prenom }}")
    dispatches = db.session.scalar(select(func.count(Dispatch.id)))
    response = auth.post(f"/messaging/templates/{tpl.id}/test", data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    error = page.split('id="body_fr-error">', 1)[1].split("</p>", 1)[0]
    assert "prenom" in error
    assert smtp.messages == [] and db.session.scalar(select(func.count(Dispatch.id))) == dispatches


def test_the_test_button_sends_the_template_form_without_javascript(
    client, make, make_campaign, template
):
    organiser, coming, tpl = _setting(make, make_campaign, template)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}?campaign_id={coming.id}")
    page = page.get_data(as_text=True)
    button = re.search(r"<button[^>]*>M(&#39;|')envoyer un test</button>", page).group(0)
    assert 'form="template-form"' in button
    assert f'formaction="/messaging/templates/{tpl.id}/test"' in button
    language = re.search(r'<select[^>]*name="language"[^>]*>', page).group(0)
    assert 'form="template-form"' in language


def test_the_tests_address_left_in_the_bar_leads_to_the_template_and_sends_nothing(
    client, make, make_campaign, template, smtp
):
    """After a test the page stays at `…/test`: reloaded by its address or opened in a new
    tab, it answered 405."""
    organiser, _coming, tpl = _setting(make, make_campaign, template)
    login(client, organiser)
    dispatches = db.session.scalar(select(func.count()).select_from(Dispatch))

    answer = client.get(f"/messaging/templates/{tpl.id}/test")

    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/messaging/templates/{tpl.id}"
    assert smtp.messages == []
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == dispatches
