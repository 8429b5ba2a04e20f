"""A recycling coordinator's review of the statistics: the only wipe figure was « Données
effacées » in « Par devenir » (devices whose latest step is the wipe); the spreadsheet's
« Appareils » column added declared devices to those received; months were of
declaration only, and French Excel turned « 2025-06 » into a date; the e-waste headline
counted devices reused inside the administration and those still at the points; no
commune was named; kilograms were rounded one way here, another there; the agent's
intro was a fragment."""

import csv
import html
import io
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.recycling import queries, services
from tests.conftest import login
from tests.recycling.conftest import NOW

STATISTICS = "/recycling/admin/statistics"
WIPES = "/recycling/admin/statistics/wipes"
SPREADSHEET = "/recycling/admin/statistics-spreadsheet.csv"


@pytest.fixture
def point(make, rec):
    return rec.point(name="Mairie", commune=make.commune(name="Ambarès-et-Lagrave"))


@pytest.fixture
def agent(rec, point):
    return rec.agent(point)


@pytest.fixture
def returns(make, rec, point, agent):
    """At one point, all declared on 1 October 2026 (Paris):
    laptop A wiped by an agent, then recycled with Ecologic (corrected to « Ecologic SA »);
    laptop B, the owner's attestation only, donated to « Emmaüs »;
    laptop C, certified wipe requested, received 40 days before NOW (overdue);
    laptop D, certified wipe requested, received at NOW (not overdue);
    a monitor received, then reused inside the administration (no data);
    a laptop declared and never received yet (counts in no wipe figure)."""
    declared = NOW - timedelta(days=55)
    owner = make.user()

    def declare(device_type="laptop", **answers):
        answers.setdefault("wipe_requested", False)
        return rec.device_return(owner, point, device_type, now=declared, **answers)

    wiped = declare(wipe_requested=True)
    services.confirm_receipt(wiped, agent, NOW - timedelta(days=3))
    services.record_wipe(wiped, agent, "crypto_erase", date(2026, 11, 24), "C-1", NOW)
    services.record_outcome(wiped, agent, "recycled", NOW, recipient="Ecologic")
    step = next(s for s in wiped.steps if s.step == "recycled")
    services.correct_step(wiped, agent, step.id, "recipient", "Ecologic SA", "Typo", NOW)
    attested = declare(data_wiped=True)
    services.confirm_receipt(attested, agent, NOW)
    services.record_outcome(attested, agent, "donated", NOW, recipient="Emmaüs")
    overdue = declare(wipe_requested=True)
    services.confirm_receipt(overdue, agent, NOW - timedelta(days=40))
    recent = declare(wipe_requested=True)
    services.confirm_receipt(recent, agent, NOW)
    monitor = declare("monitor")
    services.confirm_receipt(monitor, agent, NOW)
    services.record_outcome(monitor, agent, "reused", NOW)
    declare(wipe_requested=True)
    db.session.commit()


def _page(client, user, url=STATISTICS) -> str:
    login(client, user)
    text = html.unescape(re.sub(r"<[^>]+>", " ", client.get(url).get_data(as_text=True)))
    return re.sub(r"\s+", " ", text)


def _rows(client, user) -> list[dict]:
    login(client, user)
    text = client.get(SPREADSHEET).get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";" if user.locale == "fr" else ","))


# --- 1. data wiping ----------------------------------------------------------------------


def test_the_wipe_figures_count_each_category_by_device_type(returns):
    wipes = queries.wipe_statistics(None, None, NOW)
    assert dict(wipes["by_type"]) == {
        "laptop": {"done": 1, "owner_attested": 1, "requested": 2, "no_data": 0, "overdue": 1},
        "monitor": {"done": 0, "owner_attested": 0, "requested": 0, "no_data": 1, "overdue": 0},
    }


def test_the_wipe_page_shows_the_table_in_french(client, make, returns):
    page = _page(client, make.user(roles=("admin",), locale="fr"), WIPES)
    assert (
        "Effacement certifié fait Attestation du propriétaire seulement "
        "Effacement certifié demandé, pas encore fait Dont au point depuis plus de 30 jours "
        "Aucune donnée à effacer"
    ) in page
    assert "Ordinateur portable 1 1 2 1 0" in page and "Total 1 1 2 1 1" in page


def test_the_statistics_page_links_to_the_wipe_page(client, make, returns):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = client.get(STATISTICS).get_data(as_text=True)
    assert f'href="{WIPES}">l\'effacement des données' in html.unescape(page)


def test_an_employee_may_not_read_the_wipe_page(client, make, returns):
    login(client, make.user())
    assert client.get(WIPES).status_code == 403


def test_an_agent_of_another_point_sees_no_wipe_figures(client, make, rec, returns):
    page = _page(client, rec.agent(rec.point(), locale="en"), WIPES)
    assert "No device returned yet." in page and "Ecologic" not in page


def test_the_wipe_page_refuses_a_mistyped_year_with_why(client, make, returns):
    login(client, make.user(roles=("admin",), locale="en"))
    response = client.get(WIPES, query_string={"year": "20x6"})
    assert response.status_code == 400 and "Choose a year from" in response.text


def test_the_downloads_carry_the_wipe_status(client, make, returns):
    login(client, make.user(roles=("admin",), locale="en"))
    rows = list(csv.DictReader(io.StringIO(client.get(f"{STATISTICS}.csv").text)))
    statuses = Counter()
    for row in rows:  # the two laptops waiting were received in two months: two rows
        statuses[row["device_type"], row["status"], row["wipe_status"]] += int(row["devices"])
    assert statuses == {
        ("laptop", "recycled", "done"): 1,
        ("laptop", "donated", "owner_attested"): 1,
        ("laptop", "received", "requested"): 2,
        ("laptop", "declared", "requested"): 1,
        ("monitor", "reused", "no_data"): 1,
    }


def test_the_latest_wipe_step_is_not_read_as_every_device_wiped(client, make, rec, point, agent):
    laptop = rec.device_return(make.user(), point, "laptop")
    services.confirm_receipt(laptop, agent, NOW)
    services.record_wipe(laptop, agent, "crypto_erase", date(2026, 11, 25), "C-9", NOW)
    db.session.commit()
    page = _page(client, make.user(roles=("admin",), locale="fr"))
    assert "Effacé, devenir à enregistrer 1" in page and "Données effacées" not in page


# --- 2, 3, 5, 7. the spreadsheet ---------------------------------------------------------


def test_the_spreadsheet_devices_returned_add_up_to_the_page(client, make, returns):
    admin = make.user(roles=("admin",), locale="en")
    rows = _rows(client, admin)
    returned = sum(int(r["Devices returned"]) for r in rows)
    declared = sum(int(r["Declared, not received yet"]) for r in rows)
    page = _page(client, admin)
    assert (returned, declared) == (5, 1)
    assert "Devices returned 5 Declared, not received yet 1" in page


def test_the_spreadsheet_gives_each_month_as_a_year_and_a_month_number(client, make, returns):
    rows = _rows(client, make.user(roles=("admin",), locale="fr"))
    recycled = next(r for r in rows if r["Statut"] == "Recyclé")
    months = [
        recycled[name]
        for name in (
            "Année de déclaration",
            "Mois de déclaration",
            "Année de réception",
            "Mois de réception",
            "Année de remise hors de l'administration",
            "Mois de remise hors de l'administration",
        )
    ]
    assert months == ["2026", "10", "2026", "11", "2026", "11"]


def test_the_spreadsheet_leaves_no_receipt_month_to_a_declared_device(client, make, returns):
    rows = _rows(client, make.user(roles=("admin",), locale="fr"))
    declared = next(r for r in rows if r["Statut"] == "Déclaré")
    assert (declared["Année de réception"], declared["Mois de réception"]) == ("", "")


def test_the_open_data_keeps_iso_months_of_receipt_and_hand_over(client, make, returns):
    login(client, make.user(roles=("admin",), locale="fr"))
    records = client.get(f"{STATISTICS}.json").get_json()["records"]
    overdue = next(r for r in records if r["received_month"] == "2026-10")
    recycled = next(r for r in records if r["status"] == "recycled")
    assert (overdue["month"], overdue["handover_month"], recycled["handover_month"]) == (
        "2026-10",
        None,
        "2026-11",
    )


def test_the_spreadsheet_names_the_commune_next_to_its_code(client, make, returns, point):
    header = list(_rows(client, make.user(roles=("admin",), locale="fr"))[0])
    rows = _rows(client, make.user(roles=("admin",), locale="fr"))
    assert header[6:8] == ["Code INSEE de la commune", "Commune"]
    assert {(r[header[6]], r["Commune"]) for r in rows} == {
        (point.commune.insee_code, "Ambarès-et-Lagrave")
    }


# --- 4. e-waste that left the administration --------------------------------------------


def test_the_ewaste_headline_counts_only_devices_that_left(client, make, returns):
    # Recycled and donated laptops: 2 × 2.0 kg; the reused monitor and the laptops still
    # at the point are received (4 × 2.0 + 4.5 kg) but did not leave.
    page = _page(client, make.user(roles=("admin",), locale="fr"))
    assert "(donnés, reconditionnés, recyclés) 4,0 kg" in page
    assert "ceux encore aux points 12,5 kg" in page


def test_the_outcome_table_gives_each_status_its_mass(client, make, returns):
    page = _page(client, make.user(roles=("admin",), locale="en"))
    assert "Received by an agent 2 4.0 kg" in page
    assert "Reused inside the administration 1 4.5 kg" in page


def test_the_ewaste_is_given_by_recipient_as_corrected(returns):
    assert queries.ewaste_by_recipient(None, None) == [
        {"outcome": "donated", "kind": "charity", "recipient": "Emmaüs",
         "devices": 1, "kg_ewaste": 2.0},
        {"outcome": "recycled", "kind": "recycling", "recipient": "Ecologic SA",
         "devices": 1, "kg_ewaste": 2.0},
    ]  # fmt: skip


def test_the_wipe_page_names_each_recipient_and_its_kind(client, make, returns):
    page = _page(client, make.user(roles=("admin",), locale="fr"), WIPES)
    assert "Ecologic SA Filière de recyclage 1 2,0 kg" in page
    assert "Emmaüs Association 1 2,0 kg" in page


# --- 6, 8. rounding and the agent's intro ----------------------------------------------


def test_every_mass_on_the_page_has_one_decimal_and_a_rounding_note(client, make, returns):
    page = _page(client, make.user(roles=("admin",), locale="fr"))
    masses = re.findall(r"(\d[\d\u202f\u00a0]*(?:,\d+)?) kg(?! CO)", page)
    typical = {"2", "7,5", "4,5", "0,18", "0,5", "9", "0,4"}  # a device's typical weight
    assert masses and all(
        "," in m and len(m.split(",")[1]) == 1 for m in masses if m not in typical
    )
    assert "Les masses sont arrondies à 0,1 kg à chaque ligne" in page


def test_the_agent_s_intro_is_a_sentence(client, rec, point, returns):
    page = _page(client, rec.agent(point, locale="fr"))
    assert (
        "Ambarès-et-Lagrave. Des pages dédiées présentent les appareils déposés par "
        "direction et l'effacement des données et les destinataires des déchets "
        "électroniques , avec leurs téléchargements."  # a tag taken off before the comma
    ) in page
