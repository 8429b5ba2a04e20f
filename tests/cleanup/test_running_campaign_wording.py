"""A running campaign's names and descriptions can be corrected from its edit page (both
languages), and nothing else: with the edit form's version check, audited as any edit."""

import html
import re

from sqlalchemy import select

from app.cleanup.models import CleanupCampaign
from app.core.audit import AuditEvent
from app.extensions import db
from tests.conftest import csrf_token, login


def _edit_page(client, campaign) -> str:
    return client.get(f"/cleanup/campaigns/{campaign.id}/edit").get_data(as_text=True)


def _sent(client, campaign, **changes) -> dict:
    page = _edit_page(client, campaign)
    data = {
        "csrf_token": csrf_token(client),
        "name_fr": campaign.name_fr,
        "name_en": campaign.name_en,
        "description_fr": "",
        "description_en": "",
        "version": re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1),
    }
    data.update(changes)
    return data


def _saved(campaign_id) -> CleanupCampaign:
    db.session.expire_all()
    return db.session.get(CleanupCampaign, campaign_id)


def test_the_running_campaigns_page_links_to_its_words_form(client, make, running):
    login(client, make.user(roles=("organiser",)))
    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True))
    assert f'<a href="/cleanup/campaigns/{running.id}/edit">Corriger ses noms' in page
    form = _edit_page(client, running)
    assert 'name="name_fr"' in form and 'name="description_en"' in form
    assert 'name="starts_at"' not in form and 'name="goal_gb"' not in form
    assert "rules-0-points_per_unit" not in form


def test_names_and_descriptions_are_corrected_and_audited(client, make, running):
    login(client, make.user(roles=("organiser",)))
    dates, rules = (running.starts_at, running.ends_at), len(running.action_rules)
    data = _sent(
        client,
        running,
        name_fr="Grand ménage",
        name_en="Big clean-up",
        description_fr="Bonne chance",
        description_en="Good luck",
        # Fields of the full form are not read: a running campaign's rules are fixed.
        starts_at="2030-01-01T09:00",
        goal_gb="1",
    )
    response = client.post(f"/cleanup/campaigns/{running.id}/edit", data=data)
    assert response.status_code == 302
    saved = _saved(running.id)
    assert (saved.name_fr, saved.name_en) == ("Grand ménage", "Big clean-up")
    assert (saved.description_fr, saved.description_en) == ("Bonne chance", "Good luck")
    assert (saved.starts_at, saved.ends_at) == dates and len(saved.action_rules) == rules
    assert {g.unit: g.target for g in saved.goals}["GB"] == 100
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "update").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.object_id == str(running.id)
    assert "Big clean-up" in event.summary or "Grand ménage" in event.summary


def test_a_save_from_a_stale_form_is_refused_showing_what_was_typed(client, make, running):
    login(client, make.user(roles=("organiser",)))
    stale = _sent(client, running, name_en="Mine")
    first = _sent(client, running, name_en="Theirs")
    assert client.post(f"/cleanup/campaigns/{running.id}/edit", data=first).status_code == 302
    response = client.post(f"/cleanup/campaigns/{running.id}/edit", data=stale)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    typed = re.search(r'data-testid="typed-name_en">(.*?)</span>', page).group(1)
    assert typed == 'Vous aviez saisi\u00a0: <span lang="en">Mine'
    assert "Quelqu'un d'autre a modifié cette campagne" in page
    assert _saved(running.id).name_en == "Theirs"


def test_an_empty_name_is_refused_at_its_field(client, make, running):
    login(client, make.user(roles=("organiser",)))
    response = client.post(
        f"/cleanup/campaigns/{running.id}/edit", data=_sent(client, running, name_fr=" ")
    )
    assert response.status_code == 422
    assert 'id="name_fr-error"' in response.get_data(as_text=True)
    assert _saved(running.id).name_fr == "Nettoyage"


def test_an_employee_cannot_correct_them(client, make, running):
    login(client, make.user())
    data = {"csrf_token": csrf_token(client), "name_fr": "X", "name_en": "X"}
    assert client.post(f"/cleanup/campaigns/{running.id}/edit", data=data).status_code == 403
    assert _saved(running.id).name_fr == "Nettoyage"


def test_a_correction_without_the_page_token_changes_nothing(client, make, running):
    login(client, make.user(roles=("organiser",)))
    data = _sent(client, running, name_fr="Sans jeton")
    del data["csrf_token"]
    response = client.post(f"/cleanup/campaigns/{running.id}/edit", data=data)
    assert response.status_code in (400, 422)
    assert _saved(running.id).name_fr == "Nettoyage"
