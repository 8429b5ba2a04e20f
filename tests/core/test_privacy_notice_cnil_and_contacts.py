"""The privacy notice links to the CNIL; its missing contacts are said on the page and
logged at a production start, so that operators set them."""

import logging

CNIL_LINK = '<a href="https://www.cnil.fr/" hreflang="fr">www.cnil.fr</a>'


def test_the_cnil_site_is_a_link_in_french(client):
    page = client.get("/privacy?lang=fr").get_data(as_text=True)
    assert f"adresser une réclamation à la CNIL ({CNIL_LINK})." in page


def test_the_cnil_site_is_a_link_in_english(client):
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert f"lodge a complaint with the CNIL ({CNIL_LINK})." in page


def _production_start(make_app, caplog, **settings) -> list[str]:
    """The warnings logged while a production portal is built with `settings`."""
    caplog.set_level(logging.WARNING, logger="app.core.settings_check")
    make_app(
        ENV_NAME="production",
        ORGANISATION_NAME="Toulouse Métropole",
        SECRET_KEY="rT9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k",
        PUBLIC_BASE_URL="https://empreinte.bordeaux-metropole.fr",
        MAIL_DEFAULT_SENDER="Empreinte <no-reply@bordeaux-metropole.fr>",
        **settings,
    )
    return [r.getMessage() for r in caplog.records if r.name == "app.core.settings_check"]


def test_a_production_start_without_contacts_warns_of_each(make_app, caplog):
    warnings = _production_start(
        make_app, caplog, PRIVACY_CONTROLLER_CONTACT="", PRIVACY_CONTACT=""
    )
    assert any(w.startswith("PRIVACY_CONTROLLER_CONTACT is empty") for w in warnings)
    assert any(w.startswith("PRIVACY_CONTACT is empty") for w in warnings)


def test_a_production_start_with_contacts_warns_of_neither(make_app, caplog):
    warnings = _production_start(
        make_app,
        caplog,
        PRIVACY_CONTROLLER_CONTACT="Hôtel de Métropole, 33045 Bordeaux",
        PRIVACY_CONTACT="dpo@bordeaux-metropole.fr",
    )
    assert not any(w.startswith("PRIVACY_") for w in warnings)


def test_a_development_portal_without_contacts_still_says_not_given_yet(client):
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "Its contact address has not been given yet" in page
    assert "The address of its data protection officer has not been given yet" in page
