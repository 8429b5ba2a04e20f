"""Employees saw no collective recycling figure: the statistics are for agents and admins.
`/recycling/figures`, for every signed-in employee, gives this year's figures of the whole
authority: devices returned, how many kept in use or recycled, and the manufacturing
footprint avoided; totals only, nothing of any person, department or point; linked from
the collection points page."""

import html
import re
from datetime import timedelta

import pytest

from app.core.time import local_zone, utcnow
from app.extensions import db
from app.recycling import queries, services
from tests.conftest import login
from tests.recycling.test_avoided_footprint_of_new_models_only import _model

FIGURES = "/recycling/figures"


def _text(response) -> str:
    words = re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True)))
    return " ".join(words.split()).replace("\u00a0", " ").replace("\u202f", " ")


def _figures(page: str) -> dict[str, str]:
    """The page's figures, by their term."""
    facts = re.search(r'<dl class="facts" data-testid="collective-figures">(.*?)</dl>', page, re.S)
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html.unescape(facts.group(1)))
    spaced = {"\u00a0": " ", "\u202f": " "}
    return {term.translate(str.maketrans(spaced)): value.translate(str.maketrans(spaced))
            for term, value in pairs}  # fmt: skip


@pytest.fixture
def year_of_returns(make, rec):
    """This year: a laptop reused, a printer donated, a monitor recycled, a tablet received
    only, a phone declared only, a laptop withdrawn; and a laptop reused last year."""
    _model("laptop", "Portable de référence", "Reference laptop", 250.0)
    _model("printer", "Imprimante de référence", "Reference printer", 100.0)
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point)
    owner = make.user(display_name="Camille Owner")
    now = utcnow()
    local_year_start = now.astimezone(local_zone()).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    this_year = max(now - timedelta(hours=2), local_year_start + timedelta(minutes=5))

    def returned(device_type, outcome=None, received=True, at=this_year):
        device_return = rec.device_return(
            owner, point, device_type, now=at, wipe_requested=False, data_wiped=True
        )
        if received:
            services.confirm_receipt(device_return, agent, at)
        if outcome:
            services.record_outcome(
                device_return, agent, outcome, at,
                recipient=None if outcome == "reused" else "Emmaüs Connect",
            )  # fmt: skip
        db.session.commit()
        return device_return

    returned("laptop", "reused")
    returned("printer", "donated")
    returned("monitor", "recycled")
    returned("tablet")
    returned("smartphone", received=False)
    withdrawn = returned("laptop", received=False)
    services.withdraw_return(owner, withdrawn, this_year)
    db.session.commit()
    returned("laptop", "reused", at=local_year_start - timedelta(days=30))
    return owner


def test_an_employee_reads_this_years_totals_of_the_whole_authority(client, make, year_of_returns):
    login(client, make.user(locale="fr"))  # no role, no return of their own
    response = client.get(FIGURES)
    assert response.status_code == 200
    year = utcnow().astimezone(local_zone()).year
    assert f"<title>Chiffres de la collecte {year}" in response.text
    assert _figures(response.get_data(as_text=True)) == {
        "Appareils déposés": "4 appareils, 16,0 kg",
        "Gardés en usage : réemployés dans l'administration, donnés ou reconditionnés": (
            "2 appareils, 11,0 kg"
        ),
        "Recyclés": "1 appareil, 4,5 kg",
        "Reçus, devenir pas encore enregistré": "1 appareil, 0,5 kg",
        "Empreinte de fabrication évitée en gardant des appareils en usage": "350 kg CO₂e",
    }


def test_the_figures_are_the_statistics_totals_of_the_year(make, year_of_returns):
    year = utcnow().astimezone(local_zone()).year
    stats = queries.statistics(None, year)
    figures = queries.collective_figures(year)
    assert figures["returned"] == stats["total"] == 4
    assert figures["kgco2e_avoided"] == stats["kgco2e_avoided"] == 350.0


def test_the_masses_are_the_statistics_pages_rounded_once(make, year_of_returns):
    """Review of 7 December: the page showed no kilogram. Each count's mass is the
    statistics page's: every device received, and by status summed then rounded once."""
    year = utcnow().astimezone(local_zone()).year
    stats = queries.statistics(None, year)
    figures = queries.collective_figures(year)
    by_status = {status: kg for status, _n, kg in stats["by_status"]}
    assert figures["kg_returned"] == stats["kg_received"] == 16.0
    assert figures["kg_recycled"] == by_status["recycled"] == 4.5
    assert figures["kg_kept_in_use"] == 11.0  # a laptop reused (2), a printer donated (9)
    assert figures["kg_in_progress"] == by_status["received"] + by_status["wiped"] == 0.5


def test_no_person_department_or_point_is_named(client, make, year_of_returns):
    login(client, make.user(locale="fr"))
    page = _text(client.get(FIGURES))
    for personal in ("Camille Owner", "RC-", "Mairie de Pessac", "Emmaüs"):
        assert personal not in page


def test_the_collection_points_page_links_to_them(client, make):
    login(client, make.user(locale="fr"))
    page = client.get("/recycling/").get_data(as_text=True)
    assert f'<a href="{FIGURES}">' in page


def test_the_page_speaks_english_too_and_says_nothing_returned_yet(client, make):
    login(client, make.user(locale="en"))
    figures = _figures(client.get(FIGURES).get_data(as_text=True))
    assert figures["Devices returned"] == "0 devices, 0.0 kg"
    assert figures["Manufacturing footprint avoided by keeping devices in use"] == "0 kg CO₂e"


def test_signing_in_is_required(client):
    response = client.get(FIGURES)
    assert response.status_code in (302, 401)
