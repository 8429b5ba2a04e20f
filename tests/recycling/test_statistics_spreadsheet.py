"""The statistics' only CSV was the open data (commas, no byte order mark): French Excel
put each line in one column and read « Ambarès » as « AmbarÃ¨s ». A second download
writes the same table as a spreadsheet opens it, in the reader's language, beside the
open data, which keeps its columns; an agent gets their own points' rows only."""

import csv
import io

import pytest

from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import NOW

SPREADSHEET = "/recycling/admin/statistics-spreadsheet.csv"


@pytest.fixture
def returns(make, rec):
    """At « Mairie · Ambarès-et-Lagrave »: a monitor received (4.5 kg), one declared."""
    point = rec.point(name="Mairie", commune=make.commune(name="Ambarès-et-Lagrave"))
    owner = make.user()
    received = rec.device_return(owner, point, "monitor", asset_tag="M-1")
    services.confirm_receipt(received, rec.agent(point), NOW)
    rec.device_return(owner, point, "monitor", asset_tag="M-2")
    db.session.commit()
    return point


def _download(client, make, locale: str):
    login(client, make.user(roles=("admin",), locale=locale))
    return client.get(SPREADSHEET)


def _rows(response, delimiter: str) -> list[list[str]]:
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_the_french_spreadsheet_starts_with_a_byte_order_mark(client, make, returns):
    assert _download(client, make, "fr").get_data().startswith("\ufeff".encode())


def test_the_french_spreadsheet_has_french_headers_between_semicolons(client, make, returns):
    header = _rows(_download(client, make, "fr"), ";")[0]
    assert header[6:10] == [
        "Code INSEE de la commune",
        "Commune",
        "Point de collecte",
        "Type d'appareil",
    ]


def test_the_french_spreadsheet_keeps_accents_and_writes_decimal_commas(client, make, returns):
    rows = _rows(_download(client, make, "fr"), ";")[1:]
    received = next(row for row in rows if row[10] == "Reçu par un agent")
    assert received[7:] == ["Ambarès-et-Lagrave", "Mairie · Ambarès-et-Lagrave", "Écran",
                            "Reçu par un agent", "Aucune donnée à effacer", "1", "0", "4,5",
                            "0,0"]  # fmt: skip


def test_the_english_spreadsheet_has_english_headers_and_commas(client, make, returns):
    response = _download(client, make, "en")
    rows = _rows(response, ",")
    assert (response.get_data(as_text=True)[0], rows[0][-2:], len(rows)) == (
        "\ufeff",
        ["Estimated mass (kg)", "Footprint avoided (kg CO₂e)"],
        3,
    )


def test_the_spreadsheet_is_named_apart_from_the_open_data(client, make, returns):
    login(client, make.user(roles=("admin",), locale="fr"))
    names = [
        client.get(url).headers["Content-Disposition"]
        for url in (SPREADSHEET, "/recycling/admin/statistics.csv")
    ]
    assert names == [
        "attachment; filename=empreinte-depots-appareils-tableur.csv",
        "attachment; filename=empreinte-depots-appareils.csv",
    ]


def test_the_open_data_keeps_its_commas_columns_and_no_byte_order_mark(client, make, returns):
    login(client, make.user(roles=("admin",), locale="fr"))
    text = client.get("/recycling/admin/statistics.csv").get_data(as_text=True)
    assert text.splitlines()[0] == (
        "month,received_month,handover_month,insee_code,commune,point_id,point,device_type,"
        "status,wipe_status,devices,kg_ewaste,kgco2e_avoided"
    )


def test_the_admins_page_labels_both_downloads(client, make, returns):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = client.get("/recycling/admin/statistics").get_data(as_text=True)
    assert (
        f'href="{SPREADSHEET}">Télécharger pour un tableur (Excel, LibreOffice)</a>' in page,
        'href="/recycling/admin/statistics.csv">Télécharger les données ouvertes (CSV)</a>' in page,
    ) == (True, True)


def test_an_agent_gets_their_points_spreadsheet_and_its_link(client, rec, returns):
    # Since 6 December an agent downloads their own points' figures (limited server-side:
    # test_desk_asset_tag_search_and_agent_exports.py).
    agent = rec.agent(returns)
    db.session.commit()
    login(client, agent)
    page = client.get("/recycling/admin/statistics").get_data(as_text=True)
    assert (client.get(SPREADSHEET).status_code, SPREADSHEET in page) == (200, True)


def test_an_employee_gets_403(client, make, returns):
    login(client, make.user())
    assert client.get(SPREADSHEET).status_code == 403


def test_signed_out_the_spreadsheet_asks_to_sign_in(client, returns):
    assert client.get(SPREADSHEET).status_code in (302, 401)


def test_a_point_named_like_a_formula_stays_text(client, make, rec):
    point = rec.point(name="=HYPERLINK(1)", commune=make.commune(name="Cenon"))
    services.confirm_receipt(rec.device_return(make.user(), point), rec.agent(point), NOW)
    db.session.commit()
    assert _rows(_download(client, make, "fr"), ";")[1][8].startswith("'=HYPERLINK(1)")
