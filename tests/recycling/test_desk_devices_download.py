"""Review of 7 December: the agent desk had no download. « Télécharger les appareils … »
gives the devices received and still at the agent's own points, as a spreadsheet opens
them (byte order mark; in French semicolons and decimal commas), with what became of each
one's data in the statistics' words; another point's devices never, whatever is asked."""

import csv
import io
from datetime import timedelta

import pytest

from app.core.csv_safety import BYTE_ORDER_MARK
from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import NOW

URL = "/recycling/agent/devices.csv"


@pytest.fixture
def desk(make, rec):
    """(agent of Pessac, Pessac, Talence): at Pessac a laptop wiped, a monitor received
    and a tablet only declared; at Talence a laptop received."""
    pessac = rec.point(name="Mairie", commune=make.commune(name="Pessac"))
    talence = rec.point(name="Forum", commune=make.commune(name="Talence"))
    agent, colleague, other = rec.agent(pessac, locale="fr"), rec.agent(pessac), rec.agent(talence)
    owner = make.user()
    laptop = rec.device_return(owner, pessac, asset_tag="BM-POR-1")
    services.confirm_receipt(laptop, colleague, NOW)
    services.record_wipe(laptop, colleague, "software_overwrite", NOW.date(), "CERT-9", NOW)
    monitor = rec.device_return(owner, pessac, "monitor", wipe_requested=False)
    services.confirm_receipt(monitor, colleague, NOW - timedelta(days=3))
    rec.device_return(owner, pessac, "tablet")
    services.confirm_receipt(rec.device_return(owner, talence, asset_tag="BM-TAL"), other, NOW)
    db.session.commit()
    return agent, pessac, talence


def _rows(response, delimiter=";") -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_an_agent_downloads_the_devices_at_their_point_for_a_french_spreadsheet(client, desk):
    agent, _pessac, _talence = desk
    login(client, agent)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        "attachment; filename=empreinte-appareils-aux-points-"
    )
    header, *rows = _rows(response)
    assert header[:3] == ["N° de reçu", "Point de collecte", "Type d'appareil"]
    by_type = {row[2]: dict(zip(header, row, strict=True)) for row in rows}
    assert sorted(by_type) == ["Ordinateur portable", "Écran"]  # not the tablet declared
    laptop, monitor = by_type["Ordinateur portable"], by_type["Écran"]
    assert (laptop["Point de collecte"], laptop["Numéro d'inventaire"]) == (
        "Mairie · Pessac", "BM-POR-1",
    )  # fmt: skip
    assert (laptop["Effacement des données"], laptop["Numéro de certificat"]) == (
        "Effacement certifié fait", "CERT-9",
    )  # fmt: skip
    assert (laptop["Statut"], laptop["Masse estimée (kg)"]) == ("Données effacées", "2,0")
    assert monitor["Effacement des données"] == "Aucune donnée à effacer"
    assert monitor["Statut"] == "Reçu par un agent"


def test_in_english_it_is_comma_separated(client, make, desk):
    agent, _pessac, _talence = desk
    agent.locale = "en"
    db.session.commit()
    login(client, agent)
    header, *rows = _rows(client.get(URL), delimiter=",")
    assert header[0] == "Receipt no." and {row[-1] for row in rows} == {"2.0", "4.5"}


def test_another_point_is_never_given(client, desk):
    agent, pessac, talence = desk
    login(client, agent)
    assert client.get(f"{URL}?point={talence.id}").status_code == 404
    assert client.get(f"{URL}?point=999999999999").status_code == 404
    _header, *rows = _rows(client.get(f"{URL}?point={pessac.id}"))
    assert len(rows) == 2


def test_an_admin_gets_every_point_and_an_employee_403(client, make, desk):
    login(client, make.user(roles=("admin",)))
    _header, *rows = _rows(client.get(URL))
    assert len(rows) == 3
    login(client, make.user())
    assert client.get(URL).status_code == 403


def test_the_desk_links_the_download_of_the_point_it_stands_at(client, desk):
    agent, _pessac, _talence = desk
    login(client, agent)
    page = client.get("/recycling/agent").get_data(as_text=True)
    assert f'href="{URL}" download>Télécharger les appareils de vos points (tableur)' in page
