"""A portal whose TIMEZONE is not Paris's (Indian/Reunion, a French authority overseas)
names its own zone on the messaging pages and forms, which said « heure de Paris »;
Paris's portal words them as before."""

import html
import re
from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from tests.conftest import login

REUNION = "Indian/Reunion"


def _text(response) -> str:
    return re.sub(
        r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(True)))
    )


def test_a_dispatch_page_names_the_configured_zone(client, make_app, make, template):
    organiser = make.user(roles=("organiser",), locale="fr")
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now + timedelta(days=2), now)
    db.session.commit()
    overseas = make_app(TIMEZONE=REUNION).test_client()
    for each in (client, overseas):
        login(each, organiser)
    assert "Prévu le (heure de Paris) " in _text(client.get(f"/messaging/dispatches/{dispatch.id}"))
    page = _text(overseas.get(f"/messaging/dispatches/{dispatch.id}"))
    assert "Prévu le (heure\u00a0: La Réunion) " in page
    assert "Nouvelles date et heure (heure\u00a0: La Réunion)" in page
    assert "heure de Paris" not in page


def test_the_list_of_dispatches_names_the_configured_zone(client, make_app, make):
    organiser = make.user(roles=("organiser",), locale="fr")
    overseas = make_app(TIMEZONE=REUNION).test_client()
    for each in (client, overseas):
        login(each, organiser)
    assert "Les heures sont à l'heure de Paris." in _text(client.get("/messaging/dispatches"))
    page = _text(overseas.get("/messaging/dispatches"))
    assert "Les heures sont à l'heure locale (heure\u00a0: La Réunion)." in page


def test_the_schedule_form_labels_its_time_in_the_configured_zone(client, make_app, make):
    organiser = make.user(roles=("organiser",), locale="en")
    overseas = make_app(TIMEZONE=REUNION).test_client()
    for each in (client, overseas):
        login(each, organiser)
    page = _text(client.get("/messaging/schedule"))
    assert "Date and time (Paris time)" in page and "Time (Paris time)" in page
    page = _text(overseas.get("/messaging/schedule"))
    assert "Date and time (Réunion Time)" in page and "Time (Réunion Time)" in page
    assert "Paris time" not in page
