"""Recycling: points of one name in two communes told apart
(statistics, desk, links), the audit log found by the words it shows, a closed point's
QR code proposing the open point nearest to it, printers on the poster's wipe line,
required radio groups marked, months counted in Paris time, the desk's « N° de reçu »,
the asset tag's message, hours with French day names, the questions' « Annuler » back to
their section, and an agent's own declarations left out of their work."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.core.time import local_zone
from app.extensions import db
from app.recycling import queries, services
from tests.conftest import csrf_token, login
from tests.recycling.conftest import NOW, error_at


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _words(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(response)))


# --- 1. two points of one name, in two communes ------------------------------------------


@pytest.fixture
def twins(make, rec):
    """Two open points named « Mairie annexe », in Bègles and in Talence, and an agent of
    both."""
    begles = make.commune(name="Bègles", latitude=44.8086, longitude=-0.5478)
    talence = make.commune(name="Talence", latitude=44.8064, longitude=-0.5896)
    first = rec.point(commune=begles, name="Mairie annexe")
    second = rec.point(commune=talence, name="Mairie annexe")
    twins.points, twins.agent = (first, second), rec.agent(first, second)
    return twins


def test_the_statistics_count_each_point_of_a_shared_name_apart(client, make, rec, twins):
    for point in twins.points:
        rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _words(client.get("/recycling/admin/statistics"))
    assert "Mairie annexe · Bègles 0 1" in page
    assert "Mairie annexe · Talence 0 1" in page


def test_the_desk_names_each_return_s_point_with_its_commune(client, make, rec, twins):
    for point in twins.points:
        rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    login(client, twins.agent)
    cells = re.findall(r'data-label="Point :">([^<]*)</td>', _text(client.get("/recycling/agent")))
    assert sorted(cells) == ["Mairie annexe · Bègles", "Mairie annexe · Talence"]


def test_a_name_that_says_its_commune_is_not_followed_by_it_again(client, make, rec):
    bordeaux = make.commune(name="Bordeaux")
    point = rec.point(commune=bordeaux, name="Cité municipale – Bordeaux")
    rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    login(client, rec.agent(point))
    cells = re.findall(r'data-label="Point :">([^<]*)</td>', _text(client.get("/recycling/agent")))
    assert cells == ["Cité municipale – Bordeaux"]


def test_the_desk_s_closure_notice_names_the_closed_point_s_commune(client, twins):
    twins.points[1].active = False
    db.session.commit()
    login(client, twins.agent)
    page = _text(client.get("/recycling/agent"))
    assert "Le point de collecte « Mairie annexe · Talence » est fermé temporairement" in page


def test_each_point_s_links_have_a_name_of_their_own(client, make, twins):
    login(client, make.user(locale="fr"))
    page = _text(client.get("/recycling/?sort=name"))
    for commune in ("Bègles", "Talence"):
        assert f"Déposer un appareil ici (Mairie annexe · {commune})" in _words_of(page)
    # Their posters, on their agent's desk (no longer on the staff's cards).
    login(client, twins.agent)
    desk = _text(client.get("/recycling/agent"))
    for commune in ("Bègles", "Talence"):
        assert f"Affiche à imprimer (Mairie annexe · {commune})" in _words_of(desk)


def _words_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


# --- 2. the audit log found by the words it shows ----------------------------------------


@pytest.fixture
def custody(make, rec):
    """A return given away, another closed as never brought, a third whose receipt was
    undone: their receipt numbers."""
    point = rec.point()
    agent = rec.agent(point)
    donated, never, undone = (
        rec.device_return(make.user(), point, "monitor", wipe_requested=False) for _ in range(3)
    )
    for device_return in (donated, undone):
        services.confirm_receipt(device_return, agent, NOW + timedelta(hours=1))
    services.record_outcome(
        donated, agent, "donated", NOW + timedelta(hours=2), "", recipient="Emmaüs Connect"
    )
    services.undo_receipt(undone, agent, "Mauvaise ligne", NOW + timedelta(hours=2))
    services.close_not_brought(never, agent, NOW + timedelta(days=20), 7)
    db.session.commit()
    return {"donated": donated.receipt_number, "never": never.receipt_number,
            "undone": undone.receipt_number}  # fmt: skip


def _found(client, words: str) -> set[str]:
    page = _text(client.get("/admin/audit", query_string={"text": words}))
    return set(re.findall(r"RC-[0-9A-Z]{4}-[0-9A-Z]{4}", page))


@pytest.mark.parametrize(
    ("locale", "words", "which"),
    [
        ("fr", "Donné", "donated"),
        ("fr", "Réception annulée", "undone"),
        ("fr", "jamais arrivé", "never"),
        ("en", "Donated", "donated"),
        ("en", "Receipt undone", "undone"),
        ("en", "never came", "never"),
    ],
)
def test_the_audit_search_finds_a_return_s_event_by_its_shown_words(
    client, make, custody, locale, words, which
):
    login(client, make.user(roles=("admin",), locale=locale))
    assert _found(client, words) == {custody[which]}


# --- 3. a closed point's QR code ---------------------------------------------------------


def test_a_closed_point_s_qr_code_proposes_the_open_point_nearest_to_it(client, make, rec):
    office = make.commune(name="Bordeaux", latitude=44.84, longitude=-0.58)
    rec.point(commune=office, name="Cité municipale")  # nearest to the person's office
    far = make.commune(name="Ambarès", latitude=44.93, longitude=-0.48)
    closed = rec.point(commune=far, name="Mairie d'Ambarès", active=False)
    near_closed = rec.point(commune=far, name="Médiathèque", latitude=44.935)
    login(client, make.user(locale="fr", commune_id=office.id))
    page = _text(client.get(f"/recycling/returns/new?point={closed.id}"))
    assert f'<option selected value="{near_closed.id}">' in page
    assert "Le point de collecte « Mairie d'Ambarès » est fermé temporairement." in page
    assert "Le point de collecte ouvert le plus proche, « Médiathèque · Ambarès »" in page


# --- 4. the poster's wipe line -----------------------------------------------------------


def test_the_poster_s_wipe_line_names_printers_too(client, make, rec):
    point = rec.point()
    login(client, make.user())
    page = _words(client.get(f"/recycling/points/{point.id}/poster"))
    assert (
        "Ordinateur portable, ordinateur fixe, smartphone, tablette et imprimante : effacez "
        "vos données ou demandez un effacement certifié à l'agent." in page
    )
    assert "Laptop, desktop computer, smartphone, tablet, and printer: wipe your data" in page


def test_a_point_taking_no_device_with_data_prints_no_wipe_line(client, make, rec):
    point = rec.point(accepted_types="monitor,accessory")
    login(client, make.user())
    assert "effacez vos données" not in _words(client.get(f"/recycling/points/{point.id}/poster"))


# --- 5. the return form's required groups ------------------------------------------------


def test_the_return_form_s_radio_groups_say_they_are_required(client, make, rec):
    rec.point()
    login(client, make.user(locale="fr"))
    page = _text(client.get("/recycling/returns/new"))
    legends = [
        re.sub(r"<[^>]+>", "", legend) for legend in re.findall(r"<legend>(.*?)</legend>", page)
    ]
    assert legends == [
        "Type d'appareil (obligatoire)",
        "État (obligatoire)",
        "Données de l'appareil (obligatoire)",
    ]
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', page)
    assert radios and all(re.search(r"\brequired\b", radio) for radio in radios)


# --- 6. months in Paris time -------------------------------------------------------------


def test_a_device_declared_just_after_midnight_in_paris_counts_in_that_month(make, rec):
    point = rec.point()
    # 1 June 2026, 00:30 in Paris: still 31 May in UTC.
    at = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)
    rec.device_return(make.user(), point, "monitor", now=at, wipe_requested=False)
    assert [month for month, *_counts in queries.statistics()["by_month"]] == ["2026-06"]
    assert [row["month"] for row in queries.grouped_returns()] == ["2026-06"]


def test_the_months_of_several_years_follow_paris_time(make, rec):
    point = rec.point()
    moments = [
        datetime(2025, 12, 31, 23, 30, tzinfo=UTC),  # 1 January 2026 in Paris
        datetime(2026, 3, 31, 21, 59, tzinfo=UTC),  # 31 March, 23:59 in Paris (summer time)
        datetime(2026, 3, 31, 22, 0, tzinfo=UTC),  # 1 April, midnight in Paris
    ]
    for at in moments:
        rec.device_return(make.user(), point, "monitor", now=at, wipe_requested=False)
    months = {month: waiting for month, _n, waiting in queries.statistics()["by_month"]}
    assert months == {"2026-01": 1, "2026-03": 1, "2026-04": 1}


def test_the_statistics_say_which_month_they_count(client, make, rec):
    rec.device_return(make.user(), rec.point(), "monitor", wipe_requested=False)
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _words(client.get("/recycling/admin/statistics"))
    assert "Par mois de déclaration" in page and "Mois de déclaration" in page
    assert "à l'heure de Paris" in page
    months = client.get("/recycling/admin/statistics.json").get_json()["months"]
    assert "declared" in months and "Europe/Paris" in months and "UTC" not in months


# --- 7. the desk's receipt numbers -------------------------------------------------------


def test_the_desk_s_first_column_says_it_holds_receipt_numbers(client, twins):
    login(client, twins.agent)
    twins.agent.locale = "fr"
    db.session.commit()
    page = _text(client.get("/recycling/agent"))
    assert '<th scope="col" role="columnheader">N° de reçu</th>' in page


# --- 8. minor wording --------------------------------------------------------------------


def test_the_asset_tag_s_message_names_the_underscore_it_accepts(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    data = {"collection_point_id": point.id, "device_type": "monitor", "condition": "working"}
    refused = auth.post("/recycling/returns/new", {**data, "asset_tag": "PC#42"})
    assert "underscores" in error_at(_text(refused), "asset_tag")
    accepted = auth.post("/recycling/returns/new", {**data, "asset_tag": "PC_42"})
    assert accepted.status_code == 302


def test_hours_with_french_day_names_name_the_part_that_cannot_be_read(auth, point_data):
    point_data["opening_hours"] = "Lu-Ve 8h30-12h"
    page = _text(auth.post("/recycling/admin/points/new", point_data))
    error = error_at(page, "opening_hours")
    assert "“Lu-Ve” cannot be read" in error
    assert "Mo, Tu, We, Th, Fr, Sa, Su" in error


@pytest.fixture
def received(client, make, rec):
    """A laptop received at its agent's point, its certified wipe asked; the agent signed in."""
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point, "laptop")
    services.confirm_receipt(device_return, agent, datetime.now(UTC))
    db.session.commit()
    login(client, agent)
    return device_return


def _back_link(page: str) -> str:
    """Where the question's « Annuler » leads."""
    return re.findall(r'<a href="([^"]+)">Annuler</a>', page)[-1]


def test_without_script_cancelling_the_wipe_goes_back_to_its_form(client, received):
    receipt = received.receipt_number
    asked = client.post(
        f"/recycling/agent/returns/{receipt}/wipe",
        data={"csrf_token": csrf_token(client), "method": "crypto_erase",
              "wipe_date": datetime.now(local_zone()).date().isoformat(),  # Paris's day
              "certificate_number": "CERT-1", "ask_first_after_check": "1"},
    )  # fmt: skip
    assert asked.status_code == 200
    assert _back_link(_text(asked)) == f"/recycling/agent/returns/{receipt}#wipe-heading"


def test_without_script_cancelling_the_outcome_goes_back_to_its_form(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    services.confirm_receipt(device_return, agent, NOW)
    db.session.commit()
    login(client, agent)
    receipt = device_return.receipt_number
    asked = client.post(
        f"/recycling/agent/returns/{receipt}/outcome",
        data={"csrf_token": csrf_token(client), "outcome": "recycled", "recipient": "Ecologic",
              "ask_first_after_check": "1"},
    )  # fmt: skip
    assert asked.status_code == 200
    assert _back_link(_text(asked)) == f"/recycling/agent/returns/{receipt}#outcome-heading"


# --- 9. an agent's own declarations are not their work -----------------------------------


@pytest.fixture
def own(client, make, rec):
    """An agent of a point who declared a device there themselves, signed in (French)."""
    point = rec.point()
    agent = rec.agent(point)
    agent.locale = "fr"
    db.session.commit()
    rec.device_return(agent, point, "monitor", wipe_requested=False)
    login(client, agent)
    own.point, own.agent = point, agent
    return own


def test_an_agent_s_own_declaration_is_not_counted_on_their_home_page(client, own):
    assert "à traiter" not in _words(client.get("/"))


def test_the_desk_says_nothing_is_left_to_handle_beside_one_s_own_declaration(client, own):
    page = _words(client.get("/recycling/agent"))
    assert "0 dépôt " in page
    assert "Plus rien à traiter à vos points de collecte." in page


def test_the_desk_lists_one_s_own_declaration_apart_for_another_agent(client, own):
    page = _text(client.get("/recycling/agent"))
    own_part = page.split("Vos propres dépôts, à recevoir par un autre agent", 1)[1]
    assert own_part.count('<tr id="return-') == 1
    assert "Votre propre déclaration" in own_part and "Confirmer la réception" not in own_part


def test_another_agent_still_has_it_to_handle(client, make, rec, own):
    colleague = rec.agent(own.point)
    colleague.locale = "fr"
    db.session.commit()
    login(client, colleague)
    assert "1 dépôt à traiter à vos points de collecte" in _words(client.get("/"))
    assert "1 dépôt " in _words(client.get("/recycling/agent"))
