"""The messaging pages that list moments say once that they are Paris time, as the forms'
fields do ("Date and time (Paris time)"): the list of dispatches, a dispatch's page and
the confirmation. Once a page, never after each moment."""

import html
import re
from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from tests.conftest import login
from tests.messaging.conftest import coming


def _text(response) -> str:
    return re.sub(
        r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(True)))
    )


def _planned(make, template, locale="en"):
    organiser = make.user(roles=("organiser",), locale=locale)
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now + timedelta(days=2), now)
    db.session.commit()
    return organiser, dispatch


def test_the_list_of_dispatches_says_its_times_are_paris_time_once(client, make, template):
    organiser, _dispatch = _planned(make, template)
    login(client, organiser)
    page = _text(client.get("/messaging/dispatches"))
    assert page.count("Paris time") == 1 and "Times are in Paris time." in page


def test_a_dispatch_page_says_its_due_time_is_paris_time(client, make, template):
    organiser, dispatch = _planned(make, template, locale="fr")
    login(client, organiser)
    page = _text(client.get(f"/messaging/dispatches/{dispatch.id}"))
    # Its facts say it; the form moving it says it of its own field.
    assert "Prévu le (heure de Paris) " in page
    assert "Nouvelles date et heure (heure de Paris)" in page and page.count("heure de Paris") == 2


def test_the_confirmation_says_when_in_paris_time(auth, client, make, template):
    login(client, make.user(roles=("organiser",), locale="en"))
    make.user()
    asked = {"template": template().id, "audience": "everyone", "kind": "at", "at": coming(3, 2)}
    page = _text(auth.post("/messaging/schedule", data=asked))
    assert "When (Paris time) " in page and page.count("Paris time") == 1


def test_a_recurring_confirmation_says_its_next_sending_in_paris_time(auth, client, make, template):
    login(client, make.user(roles=("organiser",), locale="en"))
    make.user()
    weekly = {"kind": "cron", "repeat": "weekly", "weekday": "0", "time": "09:00"}
    asked = {"template": template().id, "audience": "everyone", **weekly}
    page = _text(auth.post("/messaging/schedule", data=asked))
    assert "Next sending (Paris time) " in page
