"""Scheduling asks first: no audience chosen in advance, and a page that says how many
people, when and how often, before anything is sent or planned."""

import html
import re

from sqlalchemy import select

from app.extensions import db
from app.messaging.models import Dispatch, Schedule
from tests.conftest import login
from tests.messaging.conftest import coming

HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _organiser_and_staff(client, make, staff=2):
    """The signed-in organiser and `staff` others (the template's author is a fourth)."""
    for _n in range(staff):
        make.user()
    login(client, make.user(roles=("organiser",)))


def _nothing_planned() -> bool:
    return (
        db.session.scalar(select(Dispatch)) is None and db.session.scalar(select(Schedule)) is None
    )


def _question(page: str) -> str:
    question = page.split('id="schedule-question"', 1)[1].split(">", 1)[1].split("</p>", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", "", question)).strip()


def _answer(auth, page: str, answer: str):
    """Post the confirmation page's own form (its hidden fields) with an answer."""
    form = page.split('id="schedule-confirm"', 1)[1].split("</form>", 1)[0]
    fields = dict(HIDDEN_RE.findall(form))
    fields = {name: html.unescape(value) for name, value in fields.items()}
    return auth.post("/messaging/schedule", data={**fields, "confirm": answer})


def test_no_audience_is_chosen_in_advance(client, make):
    _organiser_and_staff(client, make)
    page = client.get("/messaging/schedule").get_data(as_text=True)
    audience = re.search(r'<select[^>]*id="audience".*?</select>', page, re.S).group(0)
    assert "selected" not in audience
    assert re.search(r'<option value="">Choisissez un groupe de destinataires</option>', audience)
    assert "destinataire" not in page.split('id="audience-size"', 1)[1].split("</p>", 1)[0]


def test_scheduling_without_an_audience_asks_for_one_at_its_field(auth, client, make, template):
    """ "Everyone" used to be preselected: a slip sent to all staff."""
    tpl = template()
    _organiser_and_staff(client, make)
    response = auth.post(
        "/messaging/schedule", data={"template": tpl.id, "kind": "now", "confirm": "yes"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="audience-error">Choisissez qui reçoit le message.</p>' in page
    assert _nothing_planned()


def test_no_audience_chosen_shows_no_count_but_what_to_do_with_and_without_htmx(client, make):
    _organiser_and_staff(client, make)
    said = "Choisissez un groupe de destinataires pour en compter les personnes."
    for headers in ({"HX-Request": "true"}, {}):
        page = client.get("/messaging/audience-size?audience=", headers=headers)
        size = page.get_data(as_text=True).split('<p id="audience-size"', 1)[1].split("</p>")[0]
        assert said in html.unescape(size) and not re.search(r"\d+ destinataire", size)
        assert ("<html" in page.get_data(as_text=True)) is not bool(headers)
        # The live count (htmx) says what to do; asked for as a whole page, it is refused.
        assert page.status_code == (200 if headers else 422)


def test_sending_now_asks_first_with_the_audience_size_and_sends_nothing(
    auth, client, make, template
):
    tpl = template()
    _organiser_and_staff(client, make, staff=2)
    response = auth.post(
        "/messaging/schedule", data={"template": tpl.id, "audience": "everyone", "kind": "now"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _question(page) == "Envoyer à 4 personnes maintenant\u00a0?"
    assert "Tout le monde (4 destinataires)" in html.unescape(page)
    assert _nothing_planned()


def test_yes_on_the_confirmation_sends_what_was_asked(auth, client, make, template):
    tpl = template()
    _organiser_and_staff(client, make)
    page = auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "role", "role": "organiser", "kind": "now"},
    ).get_data(as_text=True)
    assert _question(page) == "Envoyer à 2 personnes maintenant\u00a0?"
    response = _answer(auth, page, "yes")
    assert response.status_code == 302
    dispatch = db.session.scalar(select(Dispatch))
    assert (dispatch.audience_key, dispatch.audience_params) == ("role", {"role": "organiser"})


def test_change_something_brings_the_form_back_as_it_was_and_sends_nothing(
    auth, client, make, template
):
    tpl = template()
    _organiser_and_staff(client, make)
    page = auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "role", "role": "organiser", "kind": "now"},
    ).get_data(as_text=True)
    response = _answer(auth, page, "no")
    form = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="schedule-form"' in form
    assert '<option selected value="role">' in form
    assert '<option value="organiser" selected>' in form
    assert _nothing_planned()


def test_a_recurring_message_left_at_its_defaults_is_confirmed_in_words(
    auth, client, make, template
):
    """Ticking "Recurring" then "Schedule" by mistake made a weekly message to everyone;
    the question now says the rhythm, so the default is a choice made knowingly."""
    tpl = template()
    _organiser_and_staff(client, make)
    page = auth.post(
        "/messaging/schedule",
        data={
            "template": tpl.id,
            "audience": "everyone",
            "kind": "cron",
            "repeat": "weekly",
            "weekday": "0",
            "month_day": "1",
            "time": "09:00",
        },
    ).get_data(as_text=True)
    assert _question(page) == "Envoyer à 4 personnes chaque lundi à 9\u00a0h\u00a0?"
    assert "Chaque lundi à 9\u00a0h" in page and "Prochain envoi" in page
    assert _nothing_planned()
    assert _answer(auth, page, "yes").status_code == 302
    assert db.session.scalar(select(Schedule.cron)) == "0 9 * * mon"


def test_a_custom_rhythm_and_a_date_are_confirmed_as_asked(auth, client, make, template):
    tpl = template()
    _organiser_and_staff(client, make)
    custom = auth.post(
        "/messaging/schedule",
        data={
            "template": tpl.id,
            "audience": "everyone",
            "kind": "cron",
            "repeat": "custom",
            "cron": "0 9 1,15 * *",
        },
    ).get_data(as_text=True)
    assert "au rythme «\u00a00 9 1,15 * *\u00a0»" in _question(custom)
    later = auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "everyone", "kind": "at", "at": coming(1, 5)},
    ).get_data(as_text=True)
    assert f"Envoyer à 4 personnes le 5 janv. {coming(1, 5)[:4]}, 9\u00a0h" in _question(later)
    assert _nothing_planned()


def test_a_refusal_comes_before_the_question(auth, client, make, template):
    """An empty audience or a past date is refused at once, not after a "yes"."""
    tpl = template()
    _organiser_and_staff(client, make)
    response = auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "everyone", "kind": "at", "at": "2001-01-05T09:00"},
    )
    assert response.status_code == 422
    assert 'id="schedule-question"' not in response.get_data(as_text=True)
    assert _nothing_planned()
