"""A team without published figures never reads « a 0 point » in a message: an organiser
previewing a campaign message for herself, for a campaign outside her department or in
which her department has no counted entry, read « Votre direction, …, a 0 point. ». Her
team is on no board: it is given no figures, as a withheld team's member is (README)."""

import html
import re
from datetime import timedelta

from app.cleanup import services
from app.cleanup.integration import campaign_variables
from app.core.time import utcnow
from app.extensions import db
from app.messaging.builtins import BUILTIN_TEMPLATES
from tests.conftest import csrf_token, login

HX = {"HX-Request": "true"}
TEXTS = ("subject_fr", "body_fr", "subject_en", "body_en")


def _running(make_campaign, **overrides):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=5),
                         **overrides)  # fmt: skip


def _preview(client, campaign, key="campaign-reminder") -> str:
    """The built-in message `key` as the signed-in organiser previews it for herself."""
    texts = {field: BUILTIN_TEMPLATES[key][field] for field in TEXTS}
    data = {"key": "x", "name": "x", "recipient": "", "campaign_id": str(campaign.id), **texts,
            "csrf_token": csrf_token(client)}  # fmt: skip
    response = client.post("/messaging/templates/preview", data=data, headers=HX)
    assert response.status_code == 200
    words = html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", words)


def _digital_team(make, campaign):
    """A department of three with counted points (shown on the boards)."""
    digital = make.department(name_fr="Direction du numérique", name_en="Digital Department")
    for _ in range(3):
        services.log_action(make.user(department=digital), campaign, "delete-mail", 2, utcnow())
    db.session.commit()
    return digital


def test_a_campaign_outside_her_department_gives_her_no_team_line(client, make, make_campaign):
    digital = make.department(name_fr="Direction du numérique", name_en="Digital Department")
    campaign = _running(make_campaign, all_departments=False, department_ids=[digital.id])
    _digital_team_members = [make.user(department=digital) for _ in range(3)]
    for person in _digital_team_members:
        services.log_action(person, campaign, "delete-mail", 2, utcnow())
    db.session.commit()
    finance = make.department(name_fr="Direction des finances", name_en="Finance Department")
    login(client, make.user(roles=("organiser",), department=finance, locale="fr"))

    preview = _preview(client, campaign)
    assert "Vous avez 0 point." in preview  # her own score is said, her team's is not
    assert "Votre direction" not in preview and "a 0 point" not in preview
    assert "Your department" not in preview and "has 0 points" not in preview


def test_a_department_with_no_counted_entry_gives_no_team_line(client, make, make_campaign):
    campaign = _running(make_campaign)
    _digital_team(make, campaign)
    finance = make.department(name_fr="Direction des finances", name_en="Finance Department")
    login(client, make.user(roles=("organiser",), department=finance, locale="fr"))

    preview = _preview(client, campaign, "campaign-results")
    assert "Vous avez 0 point." in preview
    assert "Votre direction" not in preview and "a 0 point" not in preview


def test_a_department_with_figures_still_gives_its_team_line(client, make, make_campaign):
    campaign = _running(make_campaign)
    digital = _digital_team(make, campaign)
    login(client, make.user(roles=("organiser",), department=digital, locale="fr"))
    assert "Votre direction, Direction du numérique, a 60 points (rang 1)." in _preview(
        client, campaign
    )


def test_its_team_figures_printed_anyway_say_not_published(make, make_campaign):
    campaign = _running(make_campaign)
    _digital_team(make, campaign)
    finance = make.department(name_fr="Direction des finances", name_en="Finance Department")
    reader = make.user(department=finance, locale="fr")
    values = campaign_variables([reader], utcnow(), {"campaign_id": campaign.id})[reader.id]
    assert str(values["team_name"]) == "Direction des finances" and not values["team_name"]
    assert [str(values[name]) for name in ("team_points", "team_points_text", "team_rank")] == [
        "non publié"
    ] * 3
    assert not values["team_points"] and not values["team_rank"]
