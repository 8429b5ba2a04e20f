"""Every collection point card on /recycling/ showed « Affiche à imprimer » (a poster for
the point's staff) to every employee, right against « Déposer un appareil ici » with no
gap: mis-taps on a phone. The poster's link is now on the desk of the point's agents
(and on the admins' list of points), and the card's action stands apart, a 44 px target."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import browser_sign_in, login


def _text(response) -> str:
    return response.get_data(as_text=True)


def _card(page: str, point_id: int) -> str:
    return re.search(
        rf'<li class="card point-card" id="point-{point_id}".*?</li>', page, re.S
    ).group(0)


@pytest.fixture
def points(make, rec):
    mine = rec.point(name="Mairie de Cenon", opening_hours="24/7")
    other = rec.point(name="Mairie de Lormont", opening_hours="24/7")
    return mine, other


def test_an_employee_s_cards_offer_no_poster(client, make, points):
    login(client, make.user(locale="fr"))
    page = _text(client.get("/recycling/"))
    for point in points:
        card = _card(page, point.id)
        assert "Déposer un appareil ici" in card
        assert "/poster" not in card and "Affiche" not in card


def test_an_agent_s_desk_links_to_the_posters_of_their_points_only(client, rec, points):
    mine, other = points
    login(client, rec.agent(mine))
    desk = _text(client.get("/recycling/agent"))
    assert "Affiches de vos points de collecte" in desk
    assert f'href="/recycling/points/{mine.id}/poster">Affiche à imprimer' in desk
    assert f"/recycling/points/{other.id}/poster" not in desk
    # Their cards on the points page stay everyone's: no poster there either.
    assert "/poster" not in _text(client.get("/recycling/"))


def test_the_poster_of_an_agent_s_closed_point_says_it_is_closed(client, rec, points):
    mine, _other = points
    mine.active = False
    db.session.commit()
    login(client, rec.agent(mine))
    desk = _text(client.get("/recycling/agent"))
    line = re.search(rf'<a href="/recycling/points/{mine.id}/poster">[^<]*</a>[^<·]*', desk).group(
        0
    )
    assert "Fermé temporairement" in line


def test_an_admin_finds_every_poster_on_the_list_of_points(client, make, points):
    login(client, make.user(roles=("employee", "admin"), locale="fr"))
    page = _text(client.get("/recycling/admin/points"))
    for point in points:
        assert f"/recycling/points/{point.id}/poster" in page


@pytest.mark.browser
def test_on_a_360_px_phone_the_card_s_action_is_a_comfortable_target(page, make, points):
    page.set_viewport_size({"width": 360, "height": 740})
    browser_sign_in(page, make.user(locale="fr"))
    page.goto("/recycling/?sort=name")
    card = page.locator(f"#point-{points[0].id}")
    button = card.get_by_role("link", name=re.compile("Déposer un appareil ici"))
    expect(button).to_be_visible()
    expect(card.get_by_role("link", name=re.compile("Affiche"))).to_have_count(0)
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 24
    # Nothing else to tap within 8 px of it in its card.
    others = card.locator("a, button, summary").all()
    for other in others:
        other_box = other.bounding_box()
        if other_box is None or other_box == box:
            continue
        apart_x = max(
            other_box["x"] - (box["x"] + box["width"]),
            box["x"] - (other_box["x"] + other_box["width"]),
        )
        apart_y = max(
            other_box["y"] - (box["y"] + box["height"]),
            box["y"] - (other_box["y"] + other_box["height"]),
        )
        assert max(apart_x, apart_y) >= 8
