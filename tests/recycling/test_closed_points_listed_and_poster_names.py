"""RGAA: closed points stay in the staff list with their note, the
closure is worded for any name and asked first, the poster says what it is, the admin's
links name their point, the open/closed dot is not read out."""

import html
import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from app.core.time import local_zone
from app.extensions import db
from app.recycling.models import CollectionPoint
from tests.conftest import browser_sign_in, login

NOTE = "Travaux jusqu'au 3 décembre"
CLOSED_FR = "Le point de collecte «\u00a0Cité municipale – Bordeaux\u00a0» est fermé temporairement"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _closed(rec, **overrides):
    return rec.point(
        name="Cité municipale – Bordeaux", active=False, closure_note=NOTE, **overrides
    )


def _card(page: str, point_id: int) -> str:
    return page.split(f'id="point-{point_id}"', 1)[1].split("</li>", 1)[0]


def test_a_closed_point_stays_in_the_staff_list_with_its_note(client, make, rec):
    rec.point(name="Mairie de Pessac")
    closed = _closed(rec)
    login(client, make.user(locale="fr"))
    card = _card(_text(client.get("/recycling/")), closed.id)
    assert f"{CLOSED_FR}\u00a0: Travaux jusqu&#39;au 3 décembre" in card


def test_a_closed_point_in_the_staff_list_offers_no_return(client, make, rec):
    closed = _closed(rec)
    login(client, make.user(locale="fr"))
    card = _card(_text(client.get("/recycling/")), closed.id)
    assert "returns/new" not in card and "Déposer" not in card
    assert "/poster" not in card  # its (closed) poster: on its agents' desk
    assert 'data-open="suspended"' in _text(client.get("/recycling/points/cards"))


def test_a_closed_point_is_not_open_on_the_map_whatever_its_hours(client, make, rec):
    closed = _closed(rec, opening_hours="24/7")
    login(client, make.user())
    card = _text(client.get("/recycling/points/cards"))
    assert f'id="point-{closed.id}"' in card
    assert re.search(rf'id="point-{closed.id}"[^>]*data-open="suspended"', card)


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        (
            "fr",
            "Le point de collecte «\u00a0Cité municipale – Bordeaux\u00a0» est fermé temporairement.",
        ),
        ("en", "The collection point “Cité municipale – Bordeaux” is temporarily closed."),
    ],
)
def test_closing_a_point_says_so_whatever_the_gender_of_its_name(
    client, auth, make, rec, locale, said
):
    point = rec.point(name="Cité municipale – Bordeaux", agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",), locale=locale))
    auth.post(f"/recycling/admin/points/{point.id}/close", {"closure_note": ""})
    assert said in html.unescape(_text(client.get("/recycling/admin/points")))


def test_closing_a_point_asks_first_in_the_portals_dialog(client, make, rec):
    point = rec.point(name="Cité municipale – Bordeaux", agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",), locale="fr"))
    page = html.unescape(_text(client.get(f"/recycling/admin/points/{point.id}/edit")))
    form = page.split(f'action="/recycling/admin/points/{point.id}/close"', 1)[1].split("</form>")[
        0
    ]
    assert 'data-confirm="Fermer temporairement le point de collecte «\u00a0Cité' in form
    assert 'data-confirm-no="Le laisser ouvert"' in form
    assert '<noscript><input type="hidden" name="ask_first"' in form


def test_closing_a_point_without_javascript_asks_on_a_page_and_changes_nothing(
    client, auth, make, rec
):
    point = rec.point(name="Cité municipale – Bordeaux", agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",), locale="fr"))
    page = html.unescape(_text(client.get(f"/recycling/admin/points/{point.id}/edit")))
    form = page.split(f'action="/recycling/admin/points/{point.id}/close"', 1)[1]
    asked = dict(re.findall(r'name="(ask_first[a-z_]*)" value="([^"]*)"', form.split("</form>")[0]))
    assert set(asked) == {"ask_first", "ask_first_yes", "ask_first_no"}
    question = auth.post(
        f"/recycling/admin/points/{point.id}/close", {"closure_note": "Travaux", **asked}
    )
    assert question.status_code == 200 and "Le laisser ouvert" in _text(question)
    db.session.expire_all()
    assert db.session.get(CollectionPoint, point.id).active
    again = auth.post(f"/recycling/admin/points/{point.id}/close", {"closure_note": "Travaux"})
    assert again.status_code == 302
    db.session.expire_all()
    assert not db.session.get(CollectionPoint, point.id).active


def test_the_poster_title_says_it_is_a_poster(client, make, rec):
    point = rec.point(name="Mairie de Talence")
    login(client, make.user(locale="fr"))
    page = _text(client.get(f"/recycling/points/{point.id}/poster"))
    assert "<title>Affiche – Mairie de Talence · Empreinte</title>" in page


def test_the_poster_title_is_in_the_readers_language(client, make, rec):
    """The tab and the printed file's name are the reader's; the poster stays bilingual."""
    point = rec.point(name="Mairie de Talence")
    login(client, make.user(locale="en"))
    page = _text(client.get(f"/recycling/points/{point.id}/poster"))
    assert '<title lang="en">Poster – Mairie de Talence · Empreinte</title>' in page
    assert "Scan to declare your return" in page and "Scannez pour déclarer votre dépôt" in page


def test_the_poster_title_of_a_closed_point_says_it_is_closed(client, make, rec):
    point = _closed(rec)
    login(client, make.user())
    page = _text(client.get(f"/recycling/points/{point.id}/poster"))
    assert "<title>Affiche – Cité municipale – Bordeaux (fermé temporairement) · Empreinte" in page


def test_the_posters_qr_code_is_an_image_named_by_its_address(client, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    page = html.unescape(_text(client.get(f"/recycling/points/{point.id}/poster")))
    link = re.search(r"<code>([^<]+)</code>", page).group(1)
    svg = re.search(r"<svg[^>]*>\s*<title>([^<]*)</title>", page)
    assert 'role="img"' in svg.group(0) and svg.group(1) == f"Code QR vers {link}"


def test_the_closure_note_on_the_bilingual_poster_has_its_language(client, make, rec):
    point = _closed(rec)
    login(client, make.user(locale="en"))
    page = _text(client.get(f"/recycling/points/{point.id}/poster"))
    assert '<p class="poster-note" lang="fr">Travaux jusqu&#39;au 3 décembre</p>' in page


def test_the_admin_points_links_name_their_point(client, make, rec):
    # Names that say their commune are not followed by it (`models.point_label`).
    talence = make.commune(name="Talence")
    rec.point(name="Mairie de Talence", commune=talence, agents=[make.user(roles=("agent",))])
    _closed(rec, commune=make.commune(name="Bordeaux"))
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _text(client.get("/recycling/admin/points"))
    hidden = '<span class="visually-hidden"> ({})</span></a>'
    assert "Modifier" + hidden.format("Mairie de Talence") in page
    assert "Modifier ou rouvrir" + hidden.format("Cité municipale – Bordeaux") in page
    assert "Affiche" + hidden.format("Mairie de Talence") in page


@pytest.mark.browser
def test_the_open_badge_and_closed_point_read_without_the_dot(page, make, rec):
    """« ○ Fermé » was read « cercle blanc Fermé »; the closed point is named in its card."""
    # Open one minute a day, twelve hours from now in Paris: closed whenever the test runs.
    hour = (datetime.now(local_zone()).hour + 12) % 24
    rec.point(name="Mairie de Talence", opening_hours=f"Mo-Su {hour:02d}:00-{hour:02d}:01")
    _closed(rec)
    user = make.user(locale="fr")
    browser_sign_in(page, user)
    page.goto("/recycling/")
    expect(page.locator(".open-badge.is-closed")).to_contain_text("Fermé")
    # What a screen reader is given: Chromium's own accessibility tree.
    cdp = page.context.new_cdp_session(page)
    names = [
        str(node.get("name", {}).get("value", ""))
        for node in cdp.send("Accessibility.getFullAXTree")["nodes"]
    ]
    assert any("Fermé" in name for name in names)
    assert not [name for name in names if "○" in name or "●" in name]
    expect(page.locator(".point-card", has_text="Cité municipale")).to_contain_text(CLOSED_FR)


@pytest.mark.browser
def test_closing_a_point_asks_in_the_dialog_and_keep_it_open_changes_nothing(page, make, rec):
    point = rec.point(name="Cité municipale – Bordeaux", agents=[make.user(roles=("agent",))])
    admin = make.user(roles=("admin",), locale="fr")
    browser_sign_in(page, admin)
    page.goto(f"/recycling/admin/points/{point.id}/edit")
    page.get_by_role("button", name="Fermer temporairement").click()
    dialog = page.get_by_role("alertdialog", name=re.compile("Fermer temporairement le point"))
    dialog.get_by_role("button", name="Le laisser ouvert").click()
    expect(dialog).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(CollectionPoint, point.id).active
    page.get_by_role("button", name="Fermer temporairement").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Fermer temporairement").click()
    expect(page.get_by_text(CLOSED_FR)).to_be_visible()
    db.session.expire_all()
    assert not db.session.get(CollectionPoint, point.id).active
