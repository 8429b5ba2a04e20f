"""A refused campaign form says at its top how many fields to correct, each linked to its
field, and an empty name says what to type (review of Dec 6: only the focused field was
told, with a bare "This field is required.")."""

import html
import re

from tests.cleanup.conftest import in_days, post_new_campaign
from tests.conftest import csrf_token, login


def _summary(page: str) -> str:
    match = re.search(
        r'<div class="notice error-summary" role="alert"[^>]*>(.*?)</div>', page, re.S
    )
    return html.unescape(re.sub(r"[ \n\t]+", " ", match.group(1))) if match else ""


def _error_of(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else ""


def test_new_campaign_summary_counts_and_links_the_refused_fields_in_french(client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    client.get("/cleanup/campaigns/new")  # creates the built-in action types
    response = post_new_campaign(
        client, name_en="", starts_at=in_days(100, "09:00"), ends_at=in_days(99, "09:00")
    )
    page = response.get_data(as_text=True)
    summary = _summary(page)
    assert response.status_code == 422
    assert "Rien n'a été enregistré. Corrigez les champs signalés ci-dessous." in summary
    assert "2\u00a0champs à corriger\u00a0:" in summary
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert links == ["name_en", "ends_at"]
    assert (
        "Nom (anglais)\u00a0: Donnez le nom de la campagne en anglais\u00a0: il s'affiche "
        "pour le personnel qui lit le portail en anglais." in summary
    )
    assert "Ce champ est obligatoire." not in page


def test_an_empty_name_says_what_to_type_in_english(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    client.get("/cleanup/campaigns/new")
    page = post_new_campaign(client, name_fr=" ").get_data(as_text=True)
    assert _error_of(page, "name_fr") == (
        "Give the campaign's name in French: it shows to staff who read the portal in French."
    )
    assert "1 field to correct:" in _summary(page)


def test_the_edit_form_has_the_summary_too(client, make):
    organiser = make.user(roles=("organiser",), locale="en")
    login(client, organiser)
    client.get("/cleanup/campaigns/new")
    created = post_new_campaign(client)
    edit_url = created.headers["Location"].rstrip("/") + "/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert "error-summary" not in form
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    data.update(csrf_token=csrf_token(client), name_en="", ends_at=in_days(90, "09:00"))
    page = client.post(edit_url, data=data).get_data(as_text=True)
    summary = _summary(page)
    assert re.findall(r'<a href="#([^"]+)">', summary) == ["name_en", "ends_at"]
