"""Two tabs editing the same campaign: the later save, from a form shown before the
earlier save, is refused (409) with what to do; nothing changes and the form shows the
campaign as it is now."""

import html
import re

from sqlalchemy import select

from app.cleanup.models import CleanupCampaign, CleanupGoal
from app.extensions import db
from tests.cleanup.conftest import draft_with_its_form

STALE = (
    "Cette campagne a été modifiée depuis que vous avez ouvert ce formulaire\u00a0: "
    "ses valeurs actuelles sont affichées ci-dessous. Refaites vos modifications, "
    "puis enregistrez."
)


def _shown(client, campaign_id: int) -> dict:
    """The hidden fields of the edit form as a tab shows it (the CSRF token aside)."""
    page = client.get(f"/cleanup/campaigns/{campaign_id}/edit").get_data(as_text=True)
    hidden = re.findall(r'<input[^>]*type="hidden"[^>]*>', page)
    fields = {}
    for tag in hidden:
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and not name[1].startswith("rules-") and name[1] != "csrf_token":
            fields[name[1]] = html.unescape(value[1]) if value else ""
    return fields


def _goal_gb(campaign_id: int) -> float:
    return db.session.scalar(
        select(CleanupGoal.target).where(
            CleanupGoal.campaign_id == campaign_id, CleanupGoal.unit == "GB"
        )
    )


def _save(client, campaign_id, form):
    return client.post(f"/cleanup/campaigns/{campaign_id}/edit", data=form)


def test_a_save_from_a_form_shown_before_another_save_is_refused(client, make, make_campaign):
    campaign, form = draft_with_its_form(client, make, make_campaign)
    campaign_id = campaign.id
    tab_a, tab_b = _shown(client, campaign_id), _shown(client, campaign_id)
    assert _save(client, campaign_id, {**form, **tab_a, "name_en": "Spring A"}).status_code == 302

    late = _save(client, campaign_id, {**form, **tab_b, "goal_gb": "250"})

    page = html.unescape(late.get_data(as_text=True))
    db.session.expire_all()
    assert late.status_code == 409
    assert STALE in page
    assert db.session.get(CleanupCampaign, campaign_id).name_en == "Spring A"
    assert _goal_gb(campaign_id) == 100
    assert 'value="Spring A"' in page and 'value="250"' not in page


def test_the_form_shown_again_after_the_refusal_saves(client, make, make_campaign):
    campaign, form = draft_with_its_form(client, make, make_campaign)
    campaign_id = campaign.id
    tab_a, tab_b = _shown(client, campaign_id), _shown(client, campaign_id)
    _save(client, campaign_id, {**form, **tab_a, "name_en": "Spring A"})
    _save(client, campaign_id, {**form, **tab_b, "goal_gb": "250"})

    again = _save(client, campaign_id, {**form, **_shown(client, campaign_id), "goal_gb": "250"})

    assert again.status_code == 302
    assert _goal_gb(campaign_id) == 250
