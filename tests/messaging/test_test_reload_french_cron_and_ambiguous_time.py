"""Templates and schedules: a test sent again on reload, a new template's
errors told over two saves, French day names in a cron, a one-off at a time that happens
twice, and a delete offered for a template with a send to come."""

import html
import re

from sqlalchemy import func, select

from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import login


def _tests_sent() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Dispatch).where(Dispatch.audience_key == "user")
    )


def _test_form(tpl, **texts) -> dict:
    return {
        "key": tpl.key,
        "name": tpl.name,
        "subject_fr": "Objet tapé",
        "body_fr": "Texte tapé.",
        "subject_en": tpl.subject_en,
        "body_en": tpl.body_en,
        "recipient": "",
        "language": "fr",
        "action": "test",
        **texts,
    }


# --- 1. a test, reloaded or resent, goes once ---------------------------------------------


def test_a_test_answers_by_a_redirect_to_the_editor_at_its_answer(
    auth, client, make, template, smtp
):
    organiser = make.user(roles=("organiser",), locale="fr", email="nora@example.org")
    tpl = template()
    login(client, organiser)
    response = auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/messaging/templates/{tpl.id}#test-answer"


def test_the_editor_after_a_test_shows_its_answer_by_the_button_and_the_text_as_typed(
    auth, client, make, template, smtp
):
    organiser = make.user(roles=("organiser",), locale="fr", email="nora@example.org")
    tpl = template()
    login(client, organiser)
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl, language="en"))
    page = html.unescape(client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True))
    answer = page.split('id="test-answer"', 1)[1].split("</p>", 1)[0]
    assert "nora@example.org" in answer
    assert re.search(r'name="subject_fr"[^>]*value="Objet tapé"', page)
    assert re.search(r'<option[^>]*selected value="en"', page.split('name="language"', 1)[1])
    again = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    assert 'id="test-answer"' not in again  # shown once: a reload shows no answer


def test_reloading_after_a_test_sends_nothing_more(auth, client, make, template, smtp):
    organiser = make.user(roles=("organiser",), locale="fr", email="nora@example.org")
    tpl = template()
    login(client, organiser)
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl), follow_redirects=True)
    client.get(f"/messaging/templates/{tpl.id}")
    assert len(smtp.messages) == 1 and _tests_sent() == 1


def test_the_same_test_posted_again_moments_later_is_not_sent_twice(
    auth, client, make, template, smtp
):
    organiser = make.user(roles=("organiser",), locale="fr", email="nora@example.org")
    tpl = template()
    login(client, organiser)
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl))
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl))
    page = html.unescape(client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True))
    assert len(smtp.messages) == 1 and _tests_sent() == 1
    answer = page.split('id="test-answer"', 1)[1].split("</p>", 1)[0]
    assert "pas renvoyé" in answer


def test_a_changed_text_or_language_is_a_new_test(auth, client, make, template, smtp):
    organiser = make.user(roles=("organiser",), locale="fr", email="nora@example.org")
    tpl = template()
    login(client, organiser)
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl))
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl, language="en"))
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl, body_fr="Autre."))
    assert len(smtp.messages) == 3


# --- 2. a new template's errors, all on the first save ------------------------------------


_ALL_WRONG = {
    "key": "Rappel R32!",
    "name": "Rappel",
    "subject_fr": "",
    "body_fr": "Bonjour {{ first_name }",
    "subject_en": "",
    "body_en": "",
    "action": "save",
}


def _error_at(page: str, name: str) -> str:
    match = re.search(rf'id="{name}-error"[^>]*>(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def test_a_new_templates_every_problem_is_at_its_field_on_the_first_save(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    response = auth.post("/messaging/templates/new", data=_ALL_WRONG)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    for name in ("key", "subject_fr", "body_fr", "subject_en", "body_en"):
        assert _error_at(page, name), name


def test_the_summary_lists_them_all_and_the_key_is_focused(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = auth.post("/messaging/templates/new", data=_ALL_WRONG).get_data(as_text=True)
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    summary = html.unescape(summary)
    for label in ("Clé", "Objet en français", "Message en français", "Objet en anglais"):
        assert label in summary, label
    assert "Message en anglais" in summary
    [focused] = re.findall(r"<(?:input|textarea)[^>]*autofocus[^>]*>", page)
    assert 'name="key"' in focused


def test_a_key_already_taken_is_said_with_the_texts_problems(auth, client, make, template):
    template(key="rappel")
    login(client, make.user(roles=("organiser",), locale="fr"))
    data = {**_ALL_WRONG, "key": "rappel"}
    page = html.unescape(auth.post("/messaging/templates/new", data=data).get_data(as_text=True))
    assert "existe déjà" in _error_at(page, "key") and _error_at(page, "subject_fr")


# --- 3. French day and month names in a custom cron ---------------------------------------


def _custom(auth, tpl, cron: str):
    from tests.messaging.test_routes import CONFIRMED

    data = {"template": tpl.id, "audience": "everyone", "kind": "cron", "repeat": "custom"}
    return auth.post("/messaging/schedule", data={**data, **CONFIRMED, "cron": cron})


def test_a_cron_with_a_french_day_name_is_scheduled_on_that_day(auth, client, make, template):
    from app.messaging.models import Schedule
    from app.messaging.recurrence import cron_trigger

    login(client, make.user(roles=("organiser",), locale="fr"))
    assert _custom(auth, template(), "30 2 * * dim").status_code == 302
    schedule = db.session.scalar(select(Schedule))
    assert str(cron_trigger(schedule.cron).fields[4]) == "sun"


def test_french_month_names_are_read_too():
    from app.messaging.recurrence import cron_trigger

    trigger = cron_trigger("0 9 1 août,déc lun-ven")
    assert (str(trigger.fields[1]), str(trigger.fields[4])) == ("aug,dec", "mon-fri")


def test_a_french_day_name_is_described_and_warned_about_as_the_english_one(app):
    """« 30 2 * * dim » is Sundays at 2:30: described so, with the clock changes' note
    that "30 2 * * sun" gets (it was shown as typed, with no note)."""
    from app.messaging.recurrence import clock_change_note, describe_cron

    with app.test_request_context():
        assert (
            describe_cron("0 9 * * lun")
            == describe_cron("0 9 * * mon")
            == "Chaque lundi à 9\u00a0h"
        )
        assert clock_change_note("30 2 * * dim") == clock_change_note("30 2 * * sun") is not None


def test_a_wrong_field_is_named_with_its_allowed_values(auth, client, make, template):
    from app.messaging.models import Schedule

    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(_custom(auth, template(), "30 25 * * dim").get_data(as_text=True))
    error = _error_at(page, "cron")
    assert "heure" in error and "«\u00a025\u00a0»" in error and "0 à 23" in error
    assert db.session.scalar(select(Schedule)) is None


def test_the_cron_hint_gives_a_french_example_on_french_pages(client, make, template):
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(client.get("/messaging/schedule").get_data(as_text=True))
    assert "0 9 * * lun" in page and "0 9 * * mon" not in page


# --- 4. a one-off at a time that comes twice ----------------------------------------------


def _night_the_clocks_go_back() -> str:
    """The next last Sunday of October in Paris, within the year a message may be planned."""
    from datetime import date, timedelta

    from app.core.time import local_zone, utcnow

    today = utcnow().astimezone(local_zone()).date()
    for year in (today.year, today.year + 1):
        day = date(year, 10, 31)
        day -= timedelta(days=(day.weekday() + 1) % 7)  # back to Sunday
        if day > today:
            return day.isoformat()
    raise AssertionError("no such night ahead")


def _at(auth, tpl, moment: str, **more):
    data = {"template": tpl.id, "audience": "everyone", "kind": "at", "at": moment}
    return auth.post("/messaging/schedule", data={**data, **more})


def test_the_confirmation_says_which_0230_a_one_off_goes_at(auth, client, make, template):
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = _at(auth, template(), f"{_night_the_clocks_go_back()}T02:30").get_data(as_text=True)
    note = html.unescape(page.split('id="clock-change-note"', 1)[1].split("</p>", 1)[0])
    assert "2\u00a0h\u00a030 revient deux fois" in note and "première" in note


def test_a_time_said_once_gets_no_note(auth, client, make, template):
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = _at(auth, template(), f"{_night_the_clocks_go_back()}T03:30").get_data(as_text=True)
    assert 'id="clock-change-note"' not in page


def test_the_dispatchs_page_says_it_too(auth, client, make, template):
    from tests.messaging.test_routes import CONFIRMED

    login(client, make.user(roles=("organiser",), locale="fr"))
    moment = f"{_night_the_clocks_go_back()}T02:30"
    response = _at(auth, template(), moment, **CONFIRMED)
    assert response.status_code == 302
    dispatch = db.session.scalar(select(Dispatch))
    assert dispatch.due_at.hour == 0  # 02:30 summer time, the first one
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    note = page.split('id="clock-change-note"', 1)[1].split("</p>", 1)[0]
    assert "revient deux fois" in note and "première" in note


# --- 5. a template with a send to come is not offered for deletion ------------------------


def _pending_dispatch(tpl):
    from datetime import timedelta

    from app.core.time import utcnow
    from app.messaging import services

    now = utcnow()
    dispatch = services.create_dispatch(tpl, "everyone", {}, now + timedelta(days=2), now)
    db.session.commit()
    return dispatch


def test_a_template_with_a_send_to_come_offers_no_delete_but_says_why(client, make, template):
    login(client, make.user(roles=("organiser",), locale="fr"))
    tpl = template()
    dispatch = _pending_dispatch(tpl)
    page = html.unescape(client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True))
    assert f"/messaging/templates/{tpl.id}/delete" not in page
    why = page.split('id="not-deletable"', 1)[1].split("</div>", 1)[0]
    assert "ne peut pas être supprimé" in why
    assert f'href="/messaging/dispatches/{dispatch.id}"' in why


def test_the_server_still_refuses_to_delete_it(auth, client, make, template):
    from app.messaging.models import MessageTemplate

    login(client, make.user(roles=("organiser",), locale="fr"))
    tpl = template()
    _pending_dispatch(tpl)
    auth.post(f"/messaging/templates/{tpl.id}/delete", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(MessageTemplate, tpl.id).archived_at is None


def test_a_template_with_nothing_to_come_still_offers_its_delete(client, make, template):
    login(client, make.user(roles=("organiser",), locale="fr"))
    tpl = template()
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    assert f"/messaging/templates/{tpl.id}/delete" in page and 'id="not-deletable"' not in page
