"""A temporarily closed point says so, with its note, wherever staff and agents meet it;
the admin list counts only agents who can still work; the desk serves the oldest first."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from app.auth.models import UserRole
from app.extensions import db
from tests.conftest import browser_sign_in, login
from tests.recycling.conftest import NOW

NOTE = "Travaux jusqu'au 3 décembre"


def _closed_point(rec, make, **overrides):
    point = rec.point(name="Mairie de Floirac", **overrides)
    agent = rec.agent(point)
    point.active, point.closure_note = False, NOTE
    db.session.commit()
    return point, agent


def test_the_agent_desk_shows_the_note_of_its_closed_point(client, make, rec):
    # In its commune: the desk names a point with its commune unless its name says it.
    _point, agent = _closed_point(rec, make, commune=make.commune(name="Floirac"))
    agent.locale = "fr"
    db.session.commit()
    login(client, agent)
    page = client.get("/recycling/agent").get_data(as_text=True)
    closed = "Le point de collecte «\u00a0Mairie de Floirac\u00a0» est fermé temporairement"
    assert f"{closed}\u00a0: Travaux jusqu&#39;au 3 décembre" in page


def test_an_agents_return_page_at_a_closed_point_shows_its_note(client, make, rec):
    point, agent = _closed_point(rec, make)
    owner = make.user()
    point.active = True
    db.session.commit()
    device_return = rec.device_return(owner, point)
    point.active, agent.locale = False, "en"
    db.session.commit()
    login(client, agent)
    page = client.get(f"/recycling/agent/returns/{device_return.receipt_number}")
    assert "is temporarily closed: Travaux" in page.get_data(as_text=True)


def test_a_receipt_waiting_at_a_closed_point_says_it_is_closed_not_open(client, make, rec):
    point = rec.point(name="Mairie de Cenon", opening_hours="24/7", agents=[make.user()])
    owner = make.user(locale="en")
    device_return = rec.device_return(owner, point)
    point.active, point.closure_note = False, "Works"
    db.session.commit()
    login(client, owner)
    page = client.get(f"/recycling/returns/{device_return.receipt_number}").get_data(as_text=True)
    bringing = page[page.index('id="bring-title"') :]
    assert "The collection point “Mairie de Cenon” is temporarily closed: Works" in bringing
    assert "open-badge" not in bringing  # "Open" (24/7) would invite the person to come


def test_the_qr_code_of_a_closed_point_says_so_and_offers_another(client, make, rec):
    floirac = make.commune(name="Floirac")
    point, _agent = _closed_point(rec, make, commune=floirac)
    rec.point(name="Médiathèque", commune=floirac)
    login(client, make.user(locale="en"))
    page = client.get(f"/recycling/returns/new?point={point.id}").get_data(as_text=True)
    assert "The collection point “Mairie de Floirac” is temporarily closed: Travaux" in page
    assert "The open collection point nearest to it, “Médiathèque · Floirac”" in page


def test_the_qr_code_of_the_only_point_says_none_other_is_open(client, make, rec):
    point, _agent = _closed_point(rec, make)
    login(client, make.user(locale="en"))
    page = client.get(f"/recycling/returns/new?point={point.id}").get_data(as_text=True)
    assert "No other collection point is open for now." in page


def test_a_refused_return_at_a_closed_point_shows_its_note(client, auth, make, rec):
    point, _agent = _closed_point(rec, make)
    login(client, make.user(locale="en"))
    refused = auth.post(
        "/recycling/returns/new",
        {"collection_point_id": point.id, "device_type": "monitor", "condition": "working"},
    )
    assert refused.status_code == 422
    assert (
        "The collection point “Mairie de Floirac” is temporarily closed: Travaux"
        in refused.get_data(as_text=True)
    )


def test_the_closure_note_label_names_who_sees_it(client, make, rec):
    point = rec.point(agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get(f"/recycling/admin/points/{point.id}/edit").get_data(as_text=True)
    assert "Note shown to staff, to its agents and on the poster (optional)" in page


def test_the_poster_of_a_closed_point_says_it_is_closed_without_qr_code(client, make, rec):
    point, _agent = _closed_point(rec, make)
    login(client, make.user(roles=("admin",)))
    page = client.get(f"/recycling/points/{point.id}/poster").get_data(as_text=True)
    assert "Fermé temporairement" in page and "Temporarily closed" in page
    assert "Travaux jusqu&#39;au 3 décembre" in page
    assert "<svg" not in page and "returns/new" not in page
    assert "/recycling/</code>" in page  # the other points


def test_the_poster_lists_the_device_types_the_point_accepts(client, make, rec):
    point = rec.point(accepted_types="laptop,smartphone", agents=[make.user(roles=("agent",))])
    login(client, make.user())
    page = client.get(f"/recycling/points/{point.id}/poster").get_data(as_text=True)
    assert "Appareils acceptés ici" in page and "Devices accepted here" in page
    assert "Ordinateur portable, smartphone" in page and "Laptop, Smartphone" in page
    assert "Imprimante" not in page and "Printer" not in page


@pytest.mark.parametrize("lost", ["role", "account"])
def test_an_open_point_whose_only_agent_cannot_work_is_counted_unattended(client, make, rec, lost):
    agent = make.user(roles=("employee", "agent"), display_name="Agnès Morel")
    rec.point(name="Mairie de Bègles", agents=[agent])
    if lost == "role":
        db.session.execute(
            delete(UserRole).where(UserRole.user_id == agent.id, UserRole.role == "agent")
        )
    else:
        agent.active = False
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/recycling/admin/points").get_data(as_text=True)
    assert "1 open collection point has no agent" in page
    why = "no longer an agent" if lost == "role" else "account deactivated"
    assert f"Agnès Morel ({why})" in page


def test_an_open_point_with_a_working_agent_is_not_counted_unattended(client, make, rec):
    rec.point(agents=[make.user(roles=("employee", "agent"))])
    login(client, make.user(roles=("admin",), locale="en"))
    assert "has no agent" not in client.get("/recycling/admin/points").get_data(as_text=True)


def test_the_desk_lists_the_returns_to_handle_oldest_first(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    owner = make.user()
    newest = rec.device_return(owner, point, now=NOW)
    oldest = rec.device_return(owner, point, device_type="monitor", now=NOW - timedelta(days=9))
    login(client, agent)
    page = client.get("/recycling/agent").get_data(as_text=True)
    order = re.findall(r'id="return-(RC-[^"]+)"', page)
    assert order == [oldest.receipt_number, newest.receipt_number]
    every = re.findall(r'id="return-(RC-[^"]+)"', client.get("/recycling/agent?status=all").text)
    assert every == [newest.receipt_number, oldest.receipt_number]  # history: newest first


@pytest.mark.browser
def test_on_a_phone_each_admin_point_is_a_block_with_its_links_in_view(page, make, rec):
    agent = make.user(roles=("employee", "agent"))
    rec.point(name="Mairie de Saint-Médard-en-Jalles", agents=[agent])
    point = rec.point(name="Hôtel de Bordeaux Métropole", agents=[agent])
    point.active, point.closure_note = False, NOTE
    db.session.commit()
    admin = make.user(roles=("admin",))
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, admin)
    page.goto("/recycling/admin/points")
    for name in ("Modifier ou rouvrir", "Affiche"):
        link = page.get_by_role("link", name=name).first
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    state = page.get_by_text("Fermé temporairement")
    box = state.bounding_box()
    assert box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
