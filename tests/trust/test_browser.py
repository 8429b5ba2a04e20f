"""Browser journey: a person downloads their data, then asks for their erasure."""

import json
from pathlib import Path

import pytest

from app.core.privacy_models import ErasureRequest
from app.core.time import utcnow
from app.extensions import db
from tests.trust.world import add_activity, build_world, send_message


@pytest.mark.browser
def test_person_downloads_their_data_and_asks_for_erasure(page, make):
    user = make.user(email="ines@example.org", display_name="Inès Roux")
    world = build_world(make, utcnow())
    add_activity(world, user, "ines")
    send_message(world)
    page.goto("/auth/sign-in")
    page.get_by_label("Adresse e-mail").fill(user.email)
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
    assert [r["asset_tag"] for r in document["returns"]] == ["BM-ines-0", "BM-ines-1"]
    assert document["returns"][0]["custody"][-1]["step"] == "reused"
    assert [m["subject"] for m in document["messages"]] == ["Bonjour Inès"]
    assert document["requests"]["requests"][0]["comment"] == "For ines's team"
    assert page.get_by_label("Je comprends").get_attribute("required") is not None
    page.get_by_label("Je comprends").check()
    page.get_by_role("button", name="Demander mon effacement").click()
    page.get_by_role("button", name="Retirer ma demande d'effacement").wait_for()
    db.session.expire_all()
    assert db.session.query(ErasureRequest).filter_by(user_id=user.id).count() == 1
