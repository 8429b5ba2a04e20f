"""A portal whose TIMEZONE is not Paris's (a French authority overseas, Indian/Reunion)
names its own zone beside its times: its campaign pages, forms and provisional results
said « heure de Paris » of times that were La Réunion's. Paris's portal words them as
before."""

import csv
import html
import io
from datetime import timedelta

from app.core.time import utcnow
from tests.conftest import login

REUNION = "Indian/Reunion"


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def test_a_campaign_page_names_the_configured_zone(client, make_app, make, make_campaign):
    campaign = make_campaign()
    reader = make.user(locale="fr")
    overseas = make_app(TIMEZONE=REUNION).test_client()
    for each in (client, overseas):
        login(each, reader)
    assert "(heure de Paris)" in _page(client, f"/cleanup/campaigns/{campaign.id}")
    page = _page(overseas, f"/cleanup/campaigns/{campaign.id}")
    assert "(heure\u00a0: La Réunion)" in page and "heure de Paris" not in page


def test_the_new_campaign_form_labels_its_dates_in_the_configured_zone(client, make_app, make):
    organiser = make.user(roles=("organiser",), locale="en")
    overseas = make_app(TIMEZONE=REUNION).test_client()
    for each in (client, overseas):
        login(each, organiser)
    page = _page(client, "/cleanup/campaigns/new")
    assert "Starts (Paris time)" in page and "Ends (Paris time)" in page
    page = _page(overseas, "/cleanup/campaigns/new")
    assert "Starts (Réunion Time)" in page and "Ends (Réunion Time)" in page
    assert "Paris time" not in page


def test_a_french_form_label_names_the_configured_zone(client, make_app, make):
    organiser = make.user(roles=("organiser",), locale="fr")
    overseas = make_app(TIMEZONE=REUNION).test_client()
    for each in (client, overseas):
        login(each, organiser)
    assert "Début (heure de Paris)" in _page(client, "/cleanup/campaigns/new")
    assert "Début (heure\u00a0: La Réunion)" in _page(overseas, "/cleanup/campaigns/new")


def _provisional_note(client, organiser, campaign) -> str:
    login(client, organiser)
    response = client.get(f"/cleanup/campaigns/{campaign.id}/interim-results.csv")
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return next(row for row in rows if row[0] == "Campaign")[-1]


def test_the_provisional_spreadsheet_names_the_zone_of_its_time(
    client, make_app, make, make_campaign
):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    organiser = make.user(roles=("organiser",), locale="en")
    note = _provisional_note(client, organiser, campaign)
    assert note.startswith("Provisional figures on ") and " (Paris time): the campaign" in note
    overseas = make_app(TIMEZONE=REUNION).test_client()
    note = _provisional_note(overseas, organiser, campaign)
    assert " (Réunion Time): the campaign is still running" in note
