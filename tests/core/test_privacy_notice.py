"""The privacy notice tells people their rights and where to exercise them."""

import re

from tests.conftest import login


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_notice_points_to_the_profile_the_officer_and_the_cnil(app, client, monkeypatch):
    page = client.get("/privacy?lang=fr").get_data(as_text=True)
    assert 'Depuis <a href="/auth/profile">votre profil</a>' in page
    assert "réclamation à la CNIL" in page
    assert "mailto:" not in page  # no address configured: the officer is named only

    monkeypatch.setitem(app.config, "PRIVACY_CONTACT", "dpo@example.org")
    english = client.get("/privacy?lang=en").get_data(as_text=True)
    assert '<a href="mailto:dpo@example.org">dpo@example.org</a>' in english
    assert "lodge a complaint with the CNIL" in _text(english)


def test_a_contact_address_is_written_as_text_not_as_markup(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PRIVACY_CONTACT", '"><script>alert(1)</script>')
    page = client.get("/privacy").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_the_authority_running_the_portal_is_named_as_configured(make_app):
    other = make_app(ORGANISATION_NAME="Toulouse Métropole", PRIVACY_CONTACT="dpo@example.org")
    client = other.test_client()
    page = _text(client.get("/privacy?lang=fr").get_data(as_text=True))
    assert "les campagnes organisées par Toulouse Métropole." in page
    assert "délégué à la protection des données désigné par Toulouse Métropole" in page
    assert (
        "portail du numérique responsable proposé par Toulouse Métropole à son personnel." in page
    )
    assert "Bordeaux" not in page


def test_the_authority_s_name_is_written_as_text_not_as_markup(make_app):
    other = make_app(ORGANISATION_NAME="Ville <b>& Co</b>")
    page = other.test_client().get("/privacy?lang=en").get_data(as_text=True)
    assert "<b>" not in page and "Ville &lt;b&gt;&amp; Co&lt;/b&gt;" in page


def test_without_an_officer_address_the_notice_says_whom_to_ask(client):
    page = _text(client.get("/privacy?lang=en").get_data(as_text=True))
    assert "ask the administrators of this portal, who pass your request on to" in page


def test_the_retention_periods_are_the_configured_ones(make_app):
    other = make_app(ACTION_RETENTION_MONTHS=18, MESSAGE_BODY_RETENTION_DAYS=45)
    page = _text(other.test_client().get("/privacy?lang=en").get_data(as_text=True))
    assert "pseudonymised 18 months after their campaign closes" in page
    assert "deleted 45 days after its delivery" in page
    assert "twelve months" not in page


def test_a_single_month_or_day_is_written_in_the_singular(make_app):
    other = make_app(ACTION_RETENTION_MONTHS=1, MESSAGE_BODY_RETENTION_DAYS=1, ERASURE_DELAY_DAYS=1)
    page = _text(other.test_client().get("/privacy?lang=en").get_data(as_text=True))
    assert "pseudonymised 1 month after" in page and "deleted 1 day after" in page
    assert "carried out 1 day after you make it" in page


def test_the_erasure_delay_is_given_with_numbers_written_for_the_reader(make_app):
    other = make_app(ERASURE_DELAY_DAYS=30, MESSAGE_BODY_RETENTION_DAYS=1000)
    client = other.test_client()
    french = client.get("/privacy?lang=fr").get_data(as_text=True)
    english = _text(client.get("/privacy?lang=en").get_data(as_text=True))
    assert "supprimé 1\u202f000 jours après sa remise" in french  # a narrow no-break space
    assert "exécutée 30 jours après que vous l'avez faite" in _text(french)
    assert "carried out 30 days after you make it" in english
    assert "deleted 1,000 days after" in english


def test_without_contacts_an_employee_is_told_whom_to_ask_not_a_setting(client, make):
    """The set-up hint (« l'administrateur … doit la renseigner (réglage …) ») is an
    administrator's task, not something an employee can act on."""
    login(client, make.user(locale="fr"))
    page = _text(client.get("/privacy").get_data(as_text=True))
    assert "PRIVACY_CONTROLLER_CONTACT" not in page and "PRIVACY_CONTACT" not in page
    assert (
        "Son adresse de contact n'a pas encore été indiquée : renseignez-vous auprès "
        "de la direction du numérique de votre organisation." in page
    )
    assert (
        "L'adresse de son délégué à la protection des données n'a pas encore été "
        "indiquée : renseignez-vous auprès de la direction du numérique de "
        "votre organisation." in page
    )


def test_without_contacts_a_visitor_signed_out_sees_no_setting_either(client):
    page = _text(client.get("/privacy?lang=en").get_data(as_text=True))
    assert "PRIVACY_CONTROLLER_CONTACT" not in page and "PRIVACY_CONTACT" not in page
    assert "has not been given yet: ask your organisation's digital department." in page


def test_without_contacts_an_administrator_is_told_which_settings_to_fill_in(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = _text(client.get("/privacy").get_data(as_text=True))
    assert "must fill it in (setting PRIVACY_CONTROLLER_CONTACT)." in page
    assert "must fill it in (setting PRIVACY_CONTACT)." in page
