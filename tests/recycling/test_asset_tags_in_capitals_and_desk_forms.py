"""Recycling: the desk's closing question says the owner *may*
declare the device again; the demo points' French access text has its no-break space;
an asset tag is kept in capitals, whatever case was typed; on a phone the desk's two
forms stand apart."""

import html
import random
import re
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, update

from app import create_app
from app.config import TestConfig
from app.core.time import utcnow
from app.extensions import db
from app.recycling import seed
from app.recycling.models import DeviceReturn, PointAgent
from tests.conftest import browser_sign_in, login
from tests.databases import (
    add_columns_of_later_revisions,
    fresh_postgresql_database,
    runs_on_postgresql,
)
from tests.factories import Factories
from tests.recycling.conftest import RecyclingFactories
from tests.recycling.test_api import _bearer

# An ordinary space where French wants a no-break one: before : ; ? ! » and after «.
BREAKING_SPACE = re.compile(r" [:;?!»]|« ")


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _waiting_return(app, make, rec, monkeypatch, agent_locale):
    """A return declared eight days ago and reminded, and its point's agent."""
    monkeypatch.setitem(app.config, "RECYCLING_REMINDER_DAYS", 7)
    point = rec.point()
    agent = make.user(roles=("employee", "agent"), locale=agent_locale)
    db.session.add(PointAgent(point_id=point.id, user_id=agent.id))
    declared = utcnow() - timedelta(days=8)
    device_return = rec.device_return(make.user(), point, now=declared)
    device_return.reminded_at = declared + timedelta(days=7)
    db.session.commit()
    return agent, device_return


@pytest.mark.parametrize(
    ("locale", "says"),
    [
        ("en", "Its owner is told that the device never came, and may declare it again"),
        (
            "fr",
            "Son propriétaire est averti que l'appareil n'est jamais arrivé, et peut le "
            "déclarer à nouveau pour l'apporter plus tard",
        ),
    ],
)
def test_closing_a_declaration_says_its_owner_may_declare_it_again(
    app, client, make, rec, monkeypatch, locale, says
):
    """It read « et le déclare à nouveau », as if the owner or the portal would."""
    agent, laptop = _waiting_return(app, make, rec, monkeypatch, locale)
    login(client, agent)
    page = _text(client.get(f"/recycling/agent/returns/{laptop.receipt_number}"))
    form = re.search(r'<form[^>]*/not-brought"[^>]*>', page, re.S).group(0)
    assert says in form


def test_the_demo_points_french_access_text_keeps_its_spaces_with_the_punctuation(make):
    make.commune(name="Pessac")
    make.commune(name="Bordeaux")
    french = [
        (row["name"], row["address"], row["directions_fr"])
        for row in seed._points(random.Random(1))
    ]
    assert any(";" in directions for _, _, directions in french)
    assert [text for row in french for text in row if BREAKING_SPACE.search(text)] == []


def _declare_in_lower_case(auth, point, tag):
    data = {"collection_point_id": point.id, "device_type": "monitor", "condition": "broken",
            "asset_tag": tag}  # fmt: skip
    response = auth.post("/recycling/returns/new", data)
    assert response.status_code == 302
    return response.location.rsplit("/", 1)[1]


def test_a_tag_typed_in_lower_case_shows_in_capitals_on_the_receipt_and_the_desk(
    client, auth, make, rec
):
    point = rec.point()
    agent = rec.agent(point)
    owner = make.user(locale="en")
    auth.sign_in(owner)
    receipt = _declare_in_lower_case(auth, point, "bm-t0-0001")
    receipt_page = _text(client.get(f"/recycling/returns/{receipt}"))
    latest = _text(client.get("/recycling/my-returns"))
    login(client, agent)
    desk = _text(client.get("/recycling/agent"))
    for page in (receipt_page, latest, desk):
        assert "BM-T0-0001" in page and "bm-t0-0001" not in page


def test_the_api_keeps_a_tag_in_capitals(client, make, rec):
    point = rec.point()
    login(client, make.user())

    body = {"collection_point_id": point.id, "device_type": "monitor", "condition": "broken",
            "asset_tag": "bm-t0-0002"}  # fmt: skip
    made = client.post("/api/v1/device-returns", json=body, headers=_bearer(client))
    assert made.status_code == 201
    shown = client.get(f"/api/v1/device-returns/{made.get_json()['receipt_number']}")
    assert shown.get_json()["asset_tag"] == "BM-T0-0002"


BEFORE = "20261208_cleanup_guide_words"
REVISION = "20261209_recycling_tag_capitals"


@pytest.fixture
def old_portal(tmp_path):
    """A portal's database at the revision before the tags' one, in its app context."""
    if runs_on_postgresql():
        with fresh_postgresql_database("empreinte_tag_capitals") as url:
            yield from _portal_at(url)
    else:
        yield from _portal_at(f"sqlite:///{tmp_path / 'tag-capitals.db'}")


def _portal_at(url: str):
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with portal.app_context():
        upgrade(revision=BEFORE)
        # Today's code declares the returns below: the later revisions' columns it reads.
        add_columns_of_later_revisions(db.engine)
        yield portal
        db.session.remove()
        db.engine.dispose()


def test_the_upgrade_puts_the_tags_already_stored_in_capitals(old_portal):
    make = Factories()
    rec = RecyclingFactories(make)
    point = rec.point()
    typed = rec.device_return(make.user(), point, asset_tag="BM-T0-0003")
    untagged = rec.device_return(make.user(), point, device_type="monitor")
    # As stored before: the tag as typed.
    db.session.execute(
        update(DeviceReturn).where(DeviceReturn.id == typed.id).values(asset_tag="bm-t0-0003")
    )
    db.session.commit()
    upgrade(revision=REVISION)
    db.session.expire_all()
    tags = dict(db.session.execute(select(DeviceReturn.id, DeviceReturn.asset_tag)).all())
    assert tags == {typed.id: "BM-T0-0003", untagged.id: None}


@pytest.mark.browser
def test_on_a_phone_the_desks_two_forms_stand_apart(page, make, rec):
    """« Ouvrir le dépôt » sat right against the « Statut » label of the filter below."""
    point = rec.point()
    agent = rec.agent(point)

    def gap() -> float:
        button = page.get_by_role("button", name="Ouvrir le dépôt").bounding_box()
        label = page.locator("label[for=status]").bounding_box()
        return label["y"] - (button["y"] + button["height"])

    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, agent)
    page.goto("/recycling/agent")
    assert gap() >= 24
    # On a wide screen the forms keep their layout: no rule, no extra room.
    page.set_viewport_size({"width": 1280, "height": 900})
    second = page.locator("form.toolbar").nth(1)
    assert second.evaluate("form => getComputedStyle(form).borderTopWidth") == "0px"
    assert second.evaluate("form => getComputedStyle(form).marginTop") == "0px"
