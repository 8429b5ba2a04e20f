"""A template using `goals_progress` (or `ended_early_reason`), which only a message about
one campaign has, scheduled to an audience that names none ("A role → Organiser") was
refused as if another moment could give it a value. No moment can: the refusal says the
audience must be a campaign's, at the audience, which takes the focus."""

import html

from sqlalchemy import func, select

from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import login

GOALS = {
    "subject_fr": "Objectifs",
    "body_fr": "Où en sommes-nous :{{ goals_progress }}",
    "subject_en": "Goals",
    "body_en": "Where we stand:{{ goals_progress }}",
}


def _field_error(page: str, name: str) -> str:
    error = page.split(f'id="{name}-error">', 1)[1].split("</p>", 1)[0]
    return " ".join(html.unescape(error).replace("\u00a0", " ").split())


def test_an_audience_naming_no_campaign_is_refused_at_the_audience(
    auth, client, make, make_campaign, template
):
    make_campaign()
    login(client, make.user(roles=("organiser",), locale="en"))
    goals = template(key="goals", **GOALS)
    asked = {"template": goals.id, "audience": "role", "role": "organiser", "kind": "now"}
    response = auth.post("/messaging/schedule", data=asked)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(page, "audience") == (
        "This template uses goals_progress, which has a value only in a message about one "
        "clean-up campaign: no moment gives it to this audience. Choose the audience of a "
        "campaign (the staff in its scope, its participants…) and that campaign, or a "
        "template without it."
    )
    planned = select(func.count()).where(Dispatch.template_id == goals.id)
    assert "Choose another moment" not in page and db.session.scalar(planned) == 0


def test_the_refusal_is_in_french_on_a_french_page(auth, client, make, make_campaign, template):
    make_campaign()
    login(client, make.user(roles=("organiser",), locale="fr"))
    asked = {"template": template(key="goals", **GOALS).id, "audience": "everyone", "kind": "now"}
    page = auth.post("/messaging/schedule", data=asked).get_data(as_text=True)
    assert _field_error(page, "audience").startswith(
        "Ce modèle utilise goals_progress, qui n'a de valeur que dans un message sur une "
        "campagne de nettoyage : aucun moment ne la donne à ce groupe de destinataires."
    )


def test_a_campaign_audience_is_asked_to_confirm(auth, client, make, make_campaign, template):
    campaign = make_campaign()
    make.user()
    login(client, make.user(roles=("organiser",), locale="en"))
    asked = {"template": template(key="goals", **GOALS).id, "audience": "campaign-scope",
             "campaign_id": str(campaign.id), "kind": "now"}  # fmt: skip
    response = auth.post("/messaging/schedule", data=asked)
    assert response.status_code == 200 and 'id="schedule-confirm"' in response.get_data(True)
