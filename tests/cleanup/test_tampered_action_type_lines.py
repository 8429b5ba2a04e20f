"""The campaign form's action types, changed by hand: a type sent twice, an extra line
or an unknown type is refused naming what is wrong, and nothing is saved. A repeated
type used to drop the ticked one silently, an extra line to replace a type's figures,
and an unknown one was told "Choose at least one action type" beside five ticked."""

import html
import re

from sqlalchemy import func, select

from app.cleanup import services
from app.cleanup.models import CleanupCampaign, CleanupCampaignActionType
from app.extensions import db
from tests.cleanup.conftest import edit_form, english_organisers_draft, in_days
from tests.conftest import csrf_token, login


def _organiser(client, make, locale="en"):
    login(client, make.user(roles=("organiser",), locale=locale))


def _every_type_ticked(client, url="/cleanup/campaigns/new") -> dict:
    """The form as the page shows it, every action type ticked with its default figures."""
    page = html.unescape(client.get(url).get_data(as_text=True))
    ids = re.findall(r'id="rules-(\d+)-action_type_id"[^>]*value="(\d+)"', page) or [
        (row, value)
        for value, row in re.findall(r'value="(\d+)"[^>]*id="rules-(\d+)-action_type_id"', page)
    ]
    data = {
        "csrf_token": csrf_token(client),
        "name_fr": "Printemps",
        "name_en": "Spring",
        "starts_at": in_days(100, "09:00"),
        "ends_at": in_days(121, "18:00"),
        "all_departments": "y",
    }
    for row, type_id in ids:
        data |= {
            f"rules-{row}-action_type_id": type_id,
            f"rules-{row}-enabled": "y",
            f"rules-{row}-points_per_unit": "2",
            f"rules-{row}-daily_cap": "5",
        }
    assert len(ids) >= 5
    return data


def _campaigns() -> int:
    return db.session.scalar(select(func.count()).select_from(CleanupCampaign))


def _told(response) -> str:
    """The refusal told at the action types' table (and linked from the summary)."""
    page = html.unescape(response.get_data(as_text=True))
    found = re.search(r'<p class="error" id="action-types-error">([^<]*)</p>', page)
    assert found, "no refusal at the action types"
    assert 'href="#action-types"' in page
    return found.group(1)


def test_a_type_sent_on_two_lines_is_refused_naming_it(client, make):
    _organiser(client, make)
    data = _every_type_ticked(client)
    data["rules-0-action_type_id"] = data["rules-1-action_type_id"]
    response = client.post("/cleanup/campaigns/new", data=data)
    assert response.status_code == 422 and _campaigns() == 0
    told = _told(response)
    assert "is sent on more than one line" in told and "Reload the form" in told


def test_an_extra_line_repeating_a_type_is_refused_not_saved_over_it(client, make):
    _organiser(client, make)
    data = _every_type_ticked(client)
    data |= {
        "rules-99-action_type_id": data["rules-0-action_type_id"],
        "rules-99-enabled": "y",
        "rules-99-points_per_unit": "9000",
        "rules-99-daily_cap": "90000",
    }
    response = client.post("/cleanup/campaigns/new", data=data)
    assert response.status_code == 422 and _campaigns() == 0
    assert "is sent on more than one line" in _told(response)


def test_an_unknown_type_is_refused_as_unknown_not_as_none_ticked(client, make):
    _organiser(client, make)
    data = _every_type_ticked(client)
    data["rules-0-action_type_id"] = "999"
    response = client.post("/cleanup/campaigns/new", data=data)
    assert response.status_code == 422 and _campaigns() == 0
    told = _told(response)
    assert "does not exist (999)" in told
    assert "Choose at least one action type" not in response.get_data(as_text=True)


def test_a_line_naming_no_type_is_refused(client, make):
    _organiser(client, make)
    data = _every_type_ticked(client) | {"rules-7-enabled": "y", "rules-7-points_per_unit": "1"}
    response = client.post("/cleanup/campaigns/new", data=data)
    assert response.status_code == 422 and _campaigns() == 0
    assert "A line names no action type" in _told(response)


def test_the_refusal_is_said_in_french(client, make):
    _organiser(client, make, locale="fr")
    data = _every_type_ticked(client)
    data["rules-0-action_type_id"] = data["rules-1-action_type_id"]
    told = _told(client.post("/cleanup/campaigns/new", data=data))
    assert "est envoyé sur plus d'une ligne" in told and "«\u00a0" in told


def test_the_untampered_form_with_every_type_is_saved_with_each_type(client, make):
    _organiser(client, make)
    data = _every_type_ticked(client)
    response = client.post("/cleanup/campaigns/new", data=data)
    assert response.status_code == 302 and _campaigns() == 1
    lines = sum(1 for name in data if name.endswith("-action_type_id"))
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaignActionType)) == lines


def test_the_edit_form_refuses_a_repeated_type_and_keeps_the_rules(client, make, make_campaign):
    draft = english_organisers_draft(client, make, make_campaign)
    before = {(r.action_type_id, r.points_per_unit, r.daily_cap) for r in draft.action_rules}
    data = edit_form(client, draft)
    other = services.ensure_default_action_types()[1]
    data |= {
        "rules-0-action_type_id": str(other.id),
        "rules-1-action_type_id": str(other.id),
        "rules-1-enabled": "y",
        "rules-1-points_per_unit": "4",
        "rules-1-daily_cap": "8",
    }
    response = client.post(f"/cleanup/campaigns/{draft.id}/edit", data=data)
    assert response.status_code == 422
    assert "is sent on more than one line" in _told(response)
    db.session.expire_all()
    after = {
        (r.action_type_id, r.points_per_unit, r.daily_cap)
        for r in db.session.get(CleanupCampaign, draft.id).action_rules
    }
    assert after == before
