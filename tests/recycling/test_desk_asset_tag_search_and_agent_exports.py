"""At the desk: an agent could not find a return by the asset tag the desk
shows (a person who comes with the device but without the receipt); a tagged device
declared again at another point landed on the first receipt without saying the point
chosen was not taken; an agent had no download of their own points' statistics."""

import csv
import html
import io

import pytest

from app.extensions import db
from app.recycling import services
from tests.conftest import csrf_token, login
from tests.recycling.conftest import NOW, error_at

TAG = "BM-PRI-001574"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def desk(make, rec):
    """(agent of Pessac, Pessac, Talence, owner, the printer tagged BM-PRI-001574 the
    owner declared at Pessac); Talence has another agent."""
    pessac = rec.point(name="Mairie", commune=make.commune(name="Pessac"))
    talence = rec.point(name="Forum", commune=make.commune(name="Talence"))
    agent = rec.agent(pessac)
    rec.agent(talence)
    owner = make.user(locale="en")
    printer = rec.device_return(owner, pessac, "printer", asset_tag=TAG)
    return agent, pessac, talence, owner, printer


def _return_of(receipt: str) -> str:
    return f"/recycling/agent/returns/{receipt}"


# --- 1. the desk finds a return by its asset tag ----------------------------------------


@pytest.mark.parametrize("typed", [TAG, "bm-pri-001574", " BM PRI 001574 ", "bmpri001574"])
def test_the_desk_opens_the_return_of_an_asset_tag_however_typed(client, desk, typed):
    agent, _pessac, _talence, _owner, printer = desk
    login(client, agent)
    response = client.get("/recycling/agent", query_string={"receipt": typed})
    assert response.headers.get("Location") == _return_of(printer.receipt_number)


def test_the_desk_does_not_find_a_tag_declared_at_another_agents_point(client, make, rec, desk):
    """Not opened there, nor said to be declared elsewhere: a tag is printed on the device
    and guessable, so only a receipt number earns that hint
    (test_desk_other_point_hint_and_undo_reason). The tag is said to be recorded, as the
    walk-in form it is then not offered would say (test_desk_search_offers_a_walk_in)."""
    _agent, _pessac, talence, _owner, _printer = desk
    login(client, rec.agent(talence))
    response = client.get("/recycling/agent", query_string={"receipt": TAG})
    assert (response.status_code, error_at(_text(response), "receipt")) == (
        200,
        "Aucun dépôt ne porte ce numéro de reçu ou d'inventaire à vos points de collecte. "
        "Ce numéro d'inventaire est déjà enregistré, pour un appareil déposé par une autre "
        "personne.",
    )


def test_an_admin_finds_a_tag_at_any_point(client, make, desk):
    login(client, make.user(roles=("admin",)))
    response = client.get("/recycling/agent", query_string={"receipt": "bm pri 001574"})
    assert response.headers.get("Location") == _return_of(desk[4].receipt_number)


def test_the_desk_opens_the_waiting_return_of_a_tag_withdrawn_once(client, make, rec, desk):
    agent, pessac, _talence, owner, _printer = desk
    withdrawn = rec.device_return(make.user(), pessac, "printer", asset_tag="BM-PRI-777")
    services.withdraw_return(withdrawn.user, withdrawn, NOW)
    again = rec.device_return(owner, pessac, "printer", asset_tag="bm pri 777")
    db.session.commit()
    login(client, agent)
    response = client.get("/recycling/agent", query_string={"receipt": "BM-PRI-777"})
    assert response.headers["Location"] == _return_of(again.receipt_number)


def test_the_desk_lists_the_returns_of_a_tag_when_none_waits(client, make, rec, desk):
    agent, pessac, _talence, owner, _printer = desk
    numbers = []
    for person in (owner, make.user()):
        withdrawn = rec.device_return(person, pessac, "printer", asset_tag="BM-PRI-888")
        services.withdraw_return(person, withdrawn, NOW)
        db.session.commit()
        numbers.append(withdrawn.receipt_number)
    agent.locale = "en"
    db.session.commit()
    login(client, agent)
    response = client.get("/recycling/agent", query_string={"receipt": "bm-pri-888"})
    page = _text(response)
    assert (
        response.status_code,
        "Several returns carry this asset tag" in page,
        all(f'href="{_return_of(n)}"' in page for n in numbers),
        error_at(page, "receipt"),
    ) == (200, True, True, "")


def test_the_desks_field_says_it_takes_an_asset_tag(client, desk):
    agent, _pessac, _talence, _owner, _printer = desk
    agent.locale = "en"
    db.session.commit()
    login(client, agent)
    page = _text(client.get("/recycling/agent"))
    assert ('<label for="receipt">Receipt number or asset tag</label>' in page) and (
        "or the asset tag on the device, e.g. BM-PRI-001574" in page
    )


# --- 2. a tagged device declared again at another point ----------------------------------


def _declare(client, point, tag=TAG):
    return client.post(
        "/recycling/returns/new",
        data={"collection_point_id": point.id, "device_type": "printer", "condition": "working",
              "wipe_requested": "y", "asset_tag": tag, "csrf_token": csrf_token(client)},
        follow_redirects=True,
    )  # fmt: skip


def test_declaring_again_at_another_point_says_that_point_was_not_taken(client, desk):
    _agent, _pessac, talence, owner, _printer = desk
    login(client, owner)
    page = _text(_declare(client, talence))
    assert (
        "You had already declared this device at “Mairie · Pessac”: here is your receipt. "
        "The point you chose, “Forum · Talence”, was not taken. To bring the device there "
        "instead, withdraw this declaration (“Withdraw my declaration” below), then declare "
        "it again choosing “Forum · Talence”." in page
    )


def test_declaring_again_at_the_same_point_keeps_the_short_message(client, desk):
    _agent, pessac, _talence, owner, _printer = desk
    login(client, owner)
    page = _text(_declare(client, pessac, "bm pri 001574"))
    assert "You had already declared this device: here is your receipt." in page


def test_declaring_again_a_received_device_elsewhere_says_where_it_is(client, desk):
    agent, _pessac, talence, owner, printer = desk
    services.confirm_receipt(printer, agent, NOW)
    db.session.commit()
    login(client, owner)
    page = _text(_declare(client, talence))
    assert (
        "You had already declared this device at “Mairie · Pessac”, where an agent received "
        "it: here is your receipt. The point you chose, “Forum · Talence”, was not taken."
    ) in page


# --- 3. an agent downloads their own points' statistics ----------------------------------


@pytest.fixture
def two_points(make, rec):
    """(agent of « Mairie · Bègles », the other point): a laptop received at each point."""
    owner = make.user()
    mine = rec.point(name="Mairie", commune=make.commune(name="Bègles"))
    other = rec.point(name="Hôtel de ville", commune=make.commune(name="Cenon"))
    agent = rec.agent(mine)
    for point, tag in ((mine, "S-1"), (other, "S-2")):
        services.confirm_receipt(
            rec.device_return(owner, point, asset_tag=tag), rec.agent(point), NOW
        )
    db.session.commit()
    return agent, mine, other


def test_an_agents_csv_holds_only_their_points(client, two_points):
    agent, mine, _other = two_points
    login(client, agent)
    response = client.get("/recycling/admin/statistics.csv?point_id=0")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert (response.status_code, {row["point_id"] for row in rows}) == (200, {str(mine.id)})


def test_an_agents_json_holds_only_their_points(client, two_points):
    agent, mine, _other = two_points
    login(client, agent)
    data = client.get("/recycling/admin/statistics.json").get_json()
    assert ({r["point_id"] for r in data["records"]}, data["collection_points"]) == (
        {mine.id},
        ["Mairie · Bègles"],
    )


def test_an_agents_spreadsheet_holds_only_their_points(client, two_points):
    agent, _mine, _other = two_points
    login(client, agent)
    text = _text(client.get("/recycling/admin/statistics-spreadsheet.csv"))
    assert ("Mairie · Bègles" in text, "Cenon" in text) == (True, False)


def test_an_agent_of_no_point_downloads_no_figures(client, make, two_points):
    login(client, make.user(roles=("employee", "agent")))
    assert client.get("/recycling/admin/statistics.json").get_json()["records"] == []


def test_an_employee_still_gets_403_on_the_downloads(client, make, two_points):
    login(client, make.user())
    assert client.get("/recycling/admin/statistics.csv").status_code == 403


def test_the_agents_statistics_page_links_the_downloads(client, two_points):
    agent, _mine, _other = two_points
    login(client, agent)
    page = _text(client.get("/recycling/admin/statistics"))
    assert ('href="/recycling/admin/statistics.csv"' in page) and (
        "Les téléchargements ne contiennent que les chiffres de vos points." in page
    )


def test_the_desk_links_the_agents_statistics(client, two_points):
    agent, _mine, _other = two_points
    login(client, agent)
    page = _text(client.get("/recycling/agent"))
    assert '<a href="/recycling/admin/statistics">Statistiques de vos points' in page
