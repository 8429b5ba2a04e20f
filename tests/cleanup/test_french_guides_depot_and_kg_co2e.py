"""The guides in French: the device return's guide said the module « enregistre le retour »
where every page says « dépôt », and the CO₂ factor read « kgCO₂e estimés par unité »
where the rest of the portal writes « kg CO₂e » (held by a no-break space)."""

import html

from app.cleanup import services
from tests.conftest import login

NBSP = "\u00a0"


def test_the_guides_say_depot_and_kg_co2e(client, make):
    services.ensure_default_action_types()
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get("/cleanup/guides").text)
    assert "le module Recyclage enregistre le dépôt" in page
    assert "enregistre le retour" not in page
    assert f"kg{NBSP}CO₂e estimés par unité" in page and "kgCO₂e" not in page


def test_the_guide_edit_form_writes_kg_co2e(client, make):
    services.ensure_default_action_types()
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(client.get("/cleanup/guides/delete-mail/edit").text)
    assert f"kg{NBSP}CO₂e estimés par unité" in page
    assert f"Estimation basse (kg{NBSP}CO₂e par unité)" in page
    assert f"Estimation haute (kg{NBSP}CO₂e par unité)" in page
    assert "kgCO₂e" not in page


def test_the_english_guides_write_kg_co2e_too(client, make):
    services.ensure_default_action_types()
    login(client, make.user(locale="en"))
    page = html.unescape(client.get("/cleanup/guides").text)
    assert "Estimated kg CO₂e per unit" in page and "kgCO₂e" not in page
