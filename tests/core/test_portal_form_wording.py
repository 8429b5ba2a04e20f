"""A forged choice or an unreadable date is refused in the portal's words, the same in
every form: not WTForms' stock « N'est pas un choix valide. » or « N'est pas une
date/heure valide. »."""

import html
import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.extensions import db
from app.recycling.models import DeviceReturn
from tests.cleanup.conftest import make_campaign, participant, post_new_campaign  # noqa: F401
from tests.conftest import login
from tests.recycling.conftest import rec  # noqa: F401 (fixture)

CHOOSE_FR = "Choisissez l'une des options proposées."


def error_at(response, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', response.text, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def test_a_forged_action_type_is_refused_in_the_portals_words(participant):  # noqa: F811
    response = participant.log("zzz", "2", htmx=False)
    assert response.status_code == 422
    assert error_at(response, "action_type") == CHOOSE_FR
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0


def test_a_forged_device_type_is_refused_in_the_portals_words(client, auth, make, rec):  # noqa: F811
    point = rec.point()
    login(client, make.user())
    form = {"collection_point_id": point.id, "device_type": "toaster", "condition": "working"}
    response = auth.post("/recycling/returns/new", form)
    assert error_at(response, "device_type") == CHOOSE_FR
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 0


def test_a_forged_language_is_refused_in_the_portals_words_in_english(client, auth, make):
    user = make.user(locale="en")
    login(client, user)
    response = auth.post("/auth/profile/preferences", {"locale": "de", "visibility": "name"})
    assert response.status_code == 422
    assert error_at(response, "locale") == "Choose one of the options offered."
    assert db.session.get(User, user.id).locale == "en"


@pytest.mark.parametrize(
    ("field", "typed"), [("starts_at", "20266-12-25T09:00"), ("ends_at", "not a date")]
)
def test_a_campaigns_unreadable_date_is_asked_in_the_portals_words(client, make, field, typed):
    login(client, make.user(roles=("organiser",)))
    response = post_new_campaign(client, **{field: typed})
    assert response.status_code == 422
    assert error_at(response, field) == "Saisissez une date et une heure valides."
    assert db.session.scalar(select(func.count(CleanupCampaign.id))) == 0


def test_a_schedules_unreadable_moment_is_asked_in_the_portals_words(client, auth, make):
    login(client, make.user(roles=("organiser",)))
    response = auth.post("/messaging/schedule", {"kind": "at", "at": "2026-13-45T09:00"})
    assert error_at(response, "at") == "Saisissez une date et une heure valides."


def test_a_schedules_unreadable_time_is_asked_in_the_portals_words(client, auth, make):
    login(client, make.user(roles=("organiser",)))
    response = auth.post("/messaging/schedule", {"kind": "cron", "time": "25:99"})
    assert error_at(response, "time") == "Saisissez une heure valide."


def test_any_forms_unreadable_date_is_asked_in_the_portals_words(app):
    """Every DateField of every form: the shared wording, in the reader's language."""
    from flask_babel import force_locale
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import DateField

    class OneDay(FlaskForm):
        class Meta:
            csrf = False

        day = DateField()

    with app.test_request_context(), force_locale("fr"):
        form = OneDay(formdata=MultiDict({"day": "2026-02-30"}))
        assert not form.validate()
        assert form.day.errors == ["Saisissez une date valide."]


def test_a_forged_department_among_tick_boxes_is_refused_in_the_portals_words(client, make):
    login(client, make.user(roles=("organiser",)))
    response = post_new_campaign(client, all_departments=None, departments="99999")
    assert response.status_code == 422
    assert error_at(response, "departments") == CHOOSE_FR
