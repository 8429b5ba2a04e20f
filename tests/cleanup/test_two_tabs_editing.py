"""Two organisers (or two tabs) saving the same campaign's edit form: the later save, from
a form shown before the earlier save, silently undid it (a lost update). The form now
carries the campaign's version: a save from a version overtaken since is refused (422)
with what to do, nothing changes, and the form shows the campaign as it is now with what
the person had typed under the fields where it differs."""

import html
import re
import threading
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select, update

from app.auth.models import User
from app.cleanup import services
from app.cleanup.models import CleanupCampaign, CleanupGoal
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import draft_with_its_form

STALE = (
    "Quelqu'un d'autre a modifié cette campagne après que vous avez ouvert ce formulaire "
    "(ou vous-même, dans un autre onglet)\u00a0: vos modifications n'ont pas été "
    "enregistrées. Le formulaire montre maintenant la campagne telle qu'elle est\u00a0; "
    "sous chaque champ où vous aviez saisi autre chose, votre saisie est rappelée. "
    "Refaites vos modifications, puis enregistrez."
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


def _campaign(campaign_id: int) -> CleanupCampaign:
    db.session.expire_all()
    return db.session.get(CleanupCampaign, campaign_id)


def _save(client, campaign_id, form):
    return client.post(f"/cleanup/campaigns/{campaign_id}/edit", data=form)


def _two_tabs_then_first_saves(client, make, make_campaign):
    """A draft, two tabs of its edit form opened, the first saved (its English name)."""
    campaign, form = draft_with_its_form(client, make, make_campaign)
    tab_a, tab_b = _shown(client, campaign.id), _shown(client, campaign.id)
    assert _save(client, campaign.id, {**form, **tab_a, "name_en": "Spring A"}).status_code == 302
    return campaign.id, form, tab_b


def test_a_save_from_a_stale_version_is_refused_and_changes_nothing(client, make, make_campaign):
    campaign_id, form, tab_b = _two_tabs_then_first_saves(client, make, make_campaign)
    version = _campaign(campaign_id).edit_version

    late = _save(client, campaign_id, {**form, **tab_b, "goal_gb": "250", "name_fr": "Hiver"})

    assert late.status_code == 422
    assert STALE in html.unescape(late.get_data(as_text=True))
    campaign = _campaign(campaign_id)
    assert (campaign.name_en, campaign.name_fr, _goal_gb(campaign_id)) == (
        "Spring A",
        form["name_fr"],
        100,
    )
    assert campaign.edit_version == version


def test_the_refused_form_shows_the_current_values_and_what_was_typed(client, make, make_campaign):
    campaign_id, form, tab_b = _two_tabs_then_first_saves(client, make, make_campaign)

    late = _save(client, campaign_id, {**form, **tab_b, "goal_gb": "250"})

    page = html.unescape(late.get_data(as_text=True))
    assert 'value="Spring A"' in page and 'value="250"' not in page
    typed = re.search(r'data-testid="typed-goal_gb">([^<]*)<', page)
    assert typed and typed.group(1) == "Vous aviez saisi\u00a0: 250"
    # The English name: the other's change, and what this tab sent (the old name).
    assert re.search(r'data-testid="typed-name_en">Vous aviez saisi\u00a0: <span lang="en">', page)
    assert 'data-testid="typed-name_fr"' not in page  # the same on both sides
    assert f'name="version" type="hidden" value="{_campaign(campaign_id).edit_version}"' in page


def test_the_form_shown_again_after_the_refusal_saves(client, make, make_campaign):
    campaign_id, form, tab_b = _two_tabs_then_first_saves(client, make, make_campaign)
    _save(client, campaign_id, {**form, **tab_b, "goal_gb": "250"})

    again = _save(client, campaign_id, {**form, **_shown(client, campaign_id), "goal_gb": "250"})

    assert again.status_code == 302
    assert _goal_gb(campaign_id) == 250


def test_a_save_moves_the_version_on(client, make, make_campaign):
    campaign, form = draft_with_its_form(client, make, make_campaign)
    before = _shown(client, campaign.id)["version"]

    saved = _save(client, campaign.id, {**form, "version": before, "goal_gb": "300"})

    assert saved.status_code == 302
    assert _goal_gb(campaign.id) == 300
    assert _shown(client, campaign.id)["version"] == str(int(before) + 1)


@pytest.mark.parametrize("version", ["2026-03-01T09:00:00+00:00", "9" * 30, "-1"])
def test_a_save_from_a_version_of_another_kind_is_refused(client, make, make_campaign, version):
    """A tab opened before versions were counters sends the time of the last change; a
    version typed by hand, anything: refused, never a server error."""
    campaign, form = draft_with_its_form(client, make, make_campaign)

    sent = _save(client, campaign.id, {**form, "version": version, "goal_gb": "300"})

    assert sent.status_code == 422
    assert _goal_gb(campaign.id) == 100


def _data(campaign: CleanupCampaign, **changes) -> dict:
    """The edit form's values (campaign_data's shape) of `campaign` as it is, `changes`
    made."""
    data = {
        "name_fr": campaign.name_fr,
        "name_en": campaign.name_en,
        "description_fr": campaign.description_fr,
        "description_en": campaign.description_en,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "all_departments": campaign.all_departments,
        "department_ids": [],
        "goals": {goal.unit: goal.target for goal in campaign.goals},
        "rules": [
            {
                "action_type_id": rule.action_type_id,
                "points_per_unit": rule.points_per_unit,
                "daily_cap": rule.daily_cap,
            }
            for rule in campaign.action_rules
        ],
    }
    return {**data, **changes}


def test_a_change_committed_after_the_save_read_the_campaign_refuses_it(make, make_campaign):
    """Two saves at nearly the same moment: the second read the campaign (and its
    version) before the first committed. Checked against the row that request had read,
    it passed and undid the first; asked of the database, it is refused."""
    organiser = make.user(roles=("organiser",))
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser,
        publish=False,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    version = services.campaign_version(campaign)  # as the second save's form carries it
    second = _data(campaign, name_en="Second")
    with db.engine.begin() as other:  # the first save, committed meanwhile
        other.execute(
            update(CleanupCampaign)
            .where(CleanupCampaign.id == campaign.id)
            .values(name_en="First", edit_version=CleanupCampaign.edit_version + 1)
        )

    try:
        services.update_campaign(campaign, organiser, second, now, version)
    except services.CleanupError as error:
        db.session.rollback()
        refused = error.code
    else:
        db.session.commit()
        refused = None

    assert refused == "stale"
    assert _campaign(campaign.id).name_en == "First"


def test_two_saves_at_the_same_moment_the_second_waits_then_is_refused(make, make_campaign):
    """The first save has written but not committed when the second (from the same
    version) starts writing: the second waits for it, then finds the version moved on."""
    first_organiser, second_organiser = (make.user(roles=("organiser",)) for _ in range(2))
    now = utcnow()
    campaign = make_campaign(
        organiser=first_organiser,
        publish=False,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    version = services.campaign_version(campaign)
    second = _data(campaign, name_en="Second")
    app, campaign_id, second_id = (
        current_app._get_current_object(),
        campaign.id,
        second_organiser.id,
    )
    outcome = {}

    def second_save():
        with app.app_context():
            mine = db.session.get(CleanupCampaign, campaign_id)
            outcome["read"] = True
            try:
                actor = db.session.get(User, second_id)
                services.update_campaign(mine, actor, second, now, version)
            except services.CleanupError as error:
                db.session.rollback()
                outcome["refused"] = error.code
            else:
                db.session.commit()
            finally:
                db.session.remove()

    services.update_campaign(
        campaign, first_organiser, _data(campaign, name_en="First"), now, version
    )
    thread = threading.Thread(target=second_save)
    thread.start()
    thread.join(timeout=1)
    waited = thread.is_alive()  # held by the first save's row
    db.session.commit()
    thread.join(timeout=20)

    assert outcome == {"read": True, "refused": "stale"} and waited
    assert _campaign(campaign_id).name_en == "First"
