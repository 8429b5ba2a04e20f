"""Browser journeys: a person downloads their data, then asks for their erasure; an
admin on a phone carries out erasures and changes roles."""

import json
from pathlib import Path

import pytest

from app.core.privacy_models import ErasureRequest
from app.core.privacy_services import request_erasure
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import browser_sign_in
from tests.trust.world import add_activity, build_world, send_message


@pytest.mark.browser
@pytest.mark.journey
def test_person_downloads_their_data_and_asks_for_erasure(page, make):
    user = make.user(email="ines@example.org", display_name="Inès Roux")
    world = build_world(make, utcnow())
    add_activity(world, user, "ines")
    send_message(world)
    page.goto("/auth/sign-in")
    page.locator("#email").fill(user.email)
    page.get_by_label("Mot de passe").fill("correct horse battery")
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/auth/profile")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données").click()
    document = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert document["profile"]["email"] == "ines@example.org"
    # Every domain's section carries this person's own data.
    assert {a["action_type"] for a in document["actions"]} >= {"delete-mail", "unsubscribe"}
    assert document["badges"][0]["badges"]
    assert [r["asset_tag"] for r in document["returns"]] == ["BM-INES-0", "BM-INES-1"]
    assert document["returns"][0]["custody"][-1]["step"] == "reused"
    delivered = [m["subject"] for m in document["messages"] if m["status"] == "delivered"]
    assert delivered == ["Bonjour Inès"]
    assert document["requests"]["requests"][0]["comment"] == "For ines's team"
    assert page.get_by_label("Je comprends").get_attribute("required") is not None
    page.get_by_label("Je comprends").check()
    page.get_by_role("button", name="Demander mon effacement").click()
    page.get_by_role("button", name="Retirer ma demande d'effacement").wait_for()
    db.session.expire_all()
    assert db.session.query(ErasureRequest).filter_by(user_id=user.id).count() == 1


def _fits_a_phone(page) -> bool:
    """At 320 px, the page's table fits its box: nothing to scroll sideways to."""
    box = page.locator("main .table-scroll").first
    box.wait_for()
    return box.evaluate("b => b.scrollWidth <= b.clientWidth")


@pytest.mark.browser
def test_an_admin_on_a_phone_sees_each_erasure_request_whole_with_its_button(page, make):
    person = make.user(
        email="marie-christine.delacroix-fontaine@services-techniques.example.org",
        display_name="Marie-Christine Delacroix-Fontaine",
    )
    request_erasure(person, utcnow())
    db.session.commit()
    admin = make.user(roles=("admin",))
    page.set_viewport_size({"width": 320, "height": 640})
    browser_sign_in(page, admin)
    page.goto("/admin/erasures")
    assert _fits_a_phone(page)
    button = page.get_by_role(
        "button", name="Effacer Marie-Christine Delacroix-Fontaine maintenant"
    )
    assert button.evaluate("b => b.getBoundingClientRect().right <= window.innerWidth")


@pytest.mark.browser
def test_an_admin_on_a_phone_reads_the_whole_message_of_a_change_of_role(page, make):
    make.user(
        email="mariechristine.delacroixfontaine@servicestechniques.example.org",
        display_name="Marie-Christine Delacroix-Fontaine",
    )
    admin = make.user(roles=("admin",))
    page.set_viewport_size({"width": 320, "height": 640})
    browser_sign_in(page, admin)
    page.goto("/admin/roles?q=delacroix")
    page.get_by_role(
        "button",
        name="Attribuer le rôle «\u00a0Organisateur\u00a0» à Marie-Christine Delacroix-Fontaine",
    ).click()
    page.get_by_text("Rôle «\u00a0Organisateur\u00a0» attribué à").wait_for()
    assert _fits_a_phone(page)
