"""A draft campaign's launch message checked before publishing: the template preview
offers drafts, named as such, with their real name and dates; a message about one is
still refused."""

import html
from datetime import timedelta

from sqlalchemy import func, select

from app.core.i18n import sentence_moment
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import login
from tests.messaging.test_campaign_message_drafts_and_test_marking import (
    _campaign_options,
    _launch_template,
    _schedule,
)

HX = {"HX-Request": "true"}
TEXTS = {
    "subject_fr": "{{ campaign_name }}",
    "body_fr": "Du {{ campaign_starts }} au {{ campaign_ends }}",
    "subject_en": "{{ campaign_name }}",
    "body_en": "From {{ campaign_starts }} to {{ campaign_ends }}",
}


def _draft(make_campaign):
    starts = utcnow() + timedelta(days=40)
    return make_campaign(name_fr="Semaine du numérique responsable",
                         name_en="Responsible digital week", starts_at=starts,
                         ends_at=starts + timedelta(days=7), publish=False)  # fmt: skip


def _preview(auth, campaign_id, recipient: str = "") -> str:
    data = {"key": "x", "name": "x", "recipient": recipient, "campaign_id": str(campaign_id)}
    response = auth.post("/messaging/templates/preview", data=data | TEXTS, headers=HX)
    return html.unescape(response.get_data(as_text=True))


def test_the_preview_offers_a_draft_campaign_named_as_a_draft(client, make, make_campaign):
    published = make_campaign(name_fr="Printemps sobre")
    draft = _draft(make_campaign)
    login(client, make.user(roles=("organiser",), locale="fr"))
    options = _campaign_options(client.get("/messaging/templates/new").get_data(as_text=True))
    assert options[str(draft.id)].startswith("Semaine du numérique responsable (brouillon, ")
    assert options[str(published.id)].startswith("Printemps sobre (")


def test_a_draft_previews_with_its_real_name_and_dates(auth, client, make, make_campaign):
    draft = _draft(make_campaign)
    make.user(email="paule@example.org", display_name="Paule Collègue")
    login(client, make.user(roles=("organiser",), locale="fr"))
    zone = local_zone()
    for recipient in ("", "paule@example.org"):  # for me and for a colleague alike
        preview = _preview(auth, draft.id, recipient)
        assert "Semaine du numérique responsable" in preview, recipient
        assert "Responsible digital week" in preview, recipient
        for language in ("fr", "en"):
            assert sentence_moment(draft.starts_at, language, zone) in preview, language
            assert sentence_moment(draft.ends_at, language, zone) in preview, language


def test_a_message_about_the_draft_previewed_is_still_refused(auth, client, make, make_campaign):
    make.user()
    draft = _draft(make_campaign)
    login(client, make.user(roles=("organiser",), locale="fr"))
    assert "Semaine du numérique responsable" in _preview(auth, draft.id)
    response = _schedule(auth, _launch_template(), draft.id)
    assert response.status_code == 422
    assert "Aucun message ne peut être envoyé sur cette campagne" in html.unescape(
        response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == 0


def test_the_schedule_form_still_offers_no_draft(client, make, make_campaign):
    draft = _draft(make_campaign)
    login(client, make.user(roles=("organiser",)))
    options = _campaign_options(client.get("/messaging/schedule").get_data(as_text=True))
    assert str(draft.id) not in options
