"""A collection agent opening the statistics got a bare 403. The page now answers an agent
with the figures of the points they are agent of, and says which; an admin still sees
every point's; anyone else still gets 403. The scope is read from the agent's account: no
parameter widens it. Since 6 December the downloads follow the same scope."""

import html
import re

import pytest

from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import NOW


@pytest.fixture
def two_points(make, rec):
    """(agent of the first point, its point, the other point): three laptops returned at
    the first point (one still declared), two at the other."""
    owner = make.user()
    mine = rec.point(name="Mairie annexe", commune=make.commune(name="Bègles"))
    other = rec.point(name="Hôtel de ville", commune=make.commune(name="Cenon"))
    agent = rec.agent(mine)
    colleague = rec.agent(other)
    for n, (point, by) in enumerate([(mine, agent), (mine, agent), (other, colleague)]):
        services.confirm_receipt(rec.device_return(owner, point, asset_tag=f"S-{n}"), by, NOW)
    services.confirm_receipt(rec.device_return(owner, other, asset_tag="S-9"), colleague, NOW)
    rec.device_return(owner, mine, asset_tag="S-8")  # declared, not received yet
    db.session.commit()
    return agent, mine, other


def _facts(page: str) -> dict[str, str]:
    """The headline figures, term -> value, as read."""
    found = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page)
    return {html.unescape(term): html.unescape(value) for term, value in found}


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_an_agent_sees_their_own_points_counts(client, two_points):
    agent, _mine, _other = two_points
    agent.locale = "en"
    db.session.commit()
    login(client, agent)
    facts = _facts(client.get("/recycling/admin/statistics").get_data(as_text=True))
    assert (facts["Devices returned"], facts["Declared, not received yet"]) == ("2", "1")


def test_an_agent_does_not_see_another_points_figures(client, two_points):
    agent, _mine, other = two_points
    login(client, agent)
    page = _text(client.get(f"/recycling/admin/statistics?point_id={other.id}&point={other.id}"))
    assert ("Mairie annexe" in page, "Hôtel de ville" in page) == (True, False)


def test_the_agents_page_names_their_point_in_french(client, two_points):
    agent, _mine, _other = two_points
    login(client, agent)
    page = _text(client.get("/recycling/admin/statistics"))
    assert (
        "Chiffres du point de collecte dont vous êtes agent\u00a0: Mairie annexe · Bègles." in page
    )


def test_the_agents_page_offers_their_points_download(client, two_points):
    agent, _mine, _other = two_points
    login(client, agent)
    page = client.get("/recycling/admin/statistics").get_data(as_text=True)
    assert "statistics.csv" in page


def test_an_agent_of_no_point_sees_no_figures_and_is_told_why(client, make, two_points):
    login(client, make.user(roles=("employee", "agent"), locale="en"))
    page = _text(client.get("/recycling/admin/statistics"))
    assert (
        "You are not an agent of any collection point yet" in page,
        _facts(page)["Devices returned"],
    ) == (True, "0")


def test_an_employee_still_gets_403(client, make, two_points):
    login(client, make.user())
    assert client.get("/recycling/admin/statistics").status_code == 403


def test_an_admin_still_sees_every_point_and_the_downloads(client, make, two_points):
    login(client, make.user(roles=("admin",), locale="en"))
    page = _text(client.get("/recycling/admin/statistics"))
    assert (
        _facts(page)["Devices returned"],
        "Hôtel de ville" in page and "Mairie annexe" in page,
        "Figures of every collection point." in page,
        "statistics.csv" in page,
    ) == ("4", True, True, True)


def test_an_agent_never_downloads_another_points_figures(client, two_points):
    agent, _mine, other = two_points
    login(client, agent)
    text = _text(client.get(f"/recycling/admin/statistics.csv?point_id={other.id}"))
    assert ("Mairie annexe" in text, "Hôtel de ville" in text) == (True, False)


def test_the_points_page_links_agents_to_their_statistics(client, two_points):
    agent, _mine, _other = two_points
    login(client, agent)
    page = client.get("/recycling/").get_data(as_text=True)
    assert 'href="/recycling/admin/statistics"' in page
