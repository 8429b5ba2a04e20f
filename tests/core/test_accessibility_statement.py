"""The accessibility statement the RGAA asks of public services, named in every footer."""

import html
import re

import pytest

from app.core.settings_check import settings_warnings
from tests.conftest import login


def text(response) -> str:
    """The page with runs of ASCII white space made one space (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.get_data(as_text=True)))


def test_every_page_names_the_status_and_leads_to_the_statement(client, make):
    footer = 'href="/accessibility">Accessibilité\u00a0: non conforme</a>'
    assert footer in text(client.get("/auth/sign-in"))
    assert footer in text(client.get("/privacy"))
    english = text(client.get("/accessibility?lang=en"))
    assert 'href="/accessibility">Accessibility: not compliant</a>' in english


def test_without_an_audit_the_statement_says_not_compliant_and_how_to_get_help(client):
    page = text(client.get("/accessibility?lang=fr"))
    assert "<h1>Déclaration d'accessibilité</h1>" in page
    assert "Empreinte est non conforme avec le RGAA" in page
    assert "Aucun audit RGAA de ce déploiement n'a encore été réalisé." in page
    assert "contactez la direction du numérique de votre organisation (Bordeaux Métropole)" in page
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in page
    assert "WCAG 2.1" in page and "ne remplacent pas l'audit" in page


def test_an_audited_deployment_gives_its_status_date_rate_and_contact(make_app):
    app = make_app(
        ACCESSIBILITY_STATUS="partially-compliant",
        ACCESSIBILITY_AUDIT_DATE="2026-11-30",
        ACCESSIBILITY_COMPLIANCE_RATE="87",
        ACCESSIBILITY_CONTACT="accessibilite@example.org",
    )
    page = text(app.test_client().get("/accessibility?lang=fr"))
    assert "Accessibilité\u00a0: partiellement conforme" in page
    assert "Empreinte est partiellement conforme avec le RGAA" in page
    assert re.search(r"L'audit du 30 novembre 2026 a relevé 87\s?% des critères applicables", page)
    assert '<a href="mailto:accessibilite@example.org">accessibilite@example.org</a>' in page
    assert "Aucun audit" not in page


@pytest.mark.parametrize(
    "settings",
    [
        {"ACCESSIBILITY_STATUS": "compliant-enough", "ACCESSIBILITY_AUDIT_DATE": ""},
        {"ACCESSIBILITY_STATUS": "fully-compliant", "ACCESSIBILITY_AUDIT_DATE": "soon"},
        {"ACCESSIBILITY_AUDIT_DATE": "2026-11-30", "ACCESSIBILITY_COMPLIANCE_RATE": "140"},
    ],
)
def test_a_setting_the_page_cannot_read_never_claims_more(make_app, settings):
    # create_app refuses these at start (tests/core/test_settings_check.py); the page
    # still reads them defensively should one reach it.
    app = make_app()
    app.config.update(settings)
    page = text(app.test_client().get("/accessibility?lang=en"))
    assert "Accessibility: not compliant" in page  # without a readable audit, or as audited
    if settings.get("ACCESSIBILITY_STATUS"):
        assert "Empreinte is not compliant" in page
        assert "No RGAA audit of this deployment has been carried out yet." in page
    else:
        assert "This status comes from the audit of 30 November 2026." in page
        assert "140" not in page


def test_a_contact_address_is_written_as_text_not_as_markup(make_app):
    app = make_app(ACCESSIBILITY_CONTACT='"><script>alert(1)</script>')
    page = app.test_client().get("/accessibility").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_the_statement_gives_its_configured_date_in_the_reader_s_language(make_app):
    client = make_app(ACCESSIBILITY_STATEMENT_DATE="2026-12-02").test_client()
    assert "Cette déclaration a été établie le 2 décembre 2026." in text(
        client.get("/accessibility?lang=fr")
    )
    assert "This statement was drawn up on 2 December 2026." in text(
        client.get("/accessibility?lang=en")
    )


def test_without_a_configured_date_the_statement_gives_its_text_s_or_a_later_audit_s(make_app):
    unset = text(make_app().test_client().get("/accessibility?lang=en"))
    assert "This statement was drawn up on 5 December 2026." in unset  # STATEMENT_WRITTEN
    audited = make_app(
        ACCESSIBILITY_STATUS="partially-compliant", ACCESSIBILITY_AUDIT_DATE="2027-03-01"
    )
    assert "This statement was drawn up on 1 March 2027." in text(
        audited.test_client().get("/accessibility?lang=en")
    )


def test_without_its_own_contact_the_statement_gives_the_data_protection_officer_s(make_app):
    page = text(make_app(PRIVACY_CONTACT="dpo@example.org").test_client().get("/accessibility"))
    assert '<a href="mailto:dpo@example.org">dpo@example.org</a>' in page
    assert "direction du numérique" not in page


def test_a_web_address_as_contact_is_a_link_to_it(make_app):
    app = make_app(ACCESSIBILITY_CONTACT="https://example.org/signaler")
    page = text(app.test_client().get("/accessibility?lang=en"))
    assert (
        "If you cannot access some content or a service, tell us: "
        '<a href="https://example.org/signaler">https://example.org/signaler</a>.'
    ) in page


def test_without_any_contact_an_employee_sees_no_setting(client, make):
    login(client, make.user(locale="fr"))
    page = text(client.get("/accessibility"))
    assert "ACCESSIBILITY_CONTACT" not in page and "PRIVACY_CONTACT" not in page
    assert "contactez la direction du numérique de votre organisation" in page


def test_without_any_contact_an_administrator_is_told_which_setting_to_fill_in(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = text(client.get("/accessibility"))
    assert (
        "the administrator of this portal must fill it in "
        "(setting ACCESSIBILITY_CONTACT, or else PRIVACY_CONTACT)."
    ) in page


def _production(**settings):
    values = {"ENV_NAME": "production", "PRIVACY_CONTACT": "", **settings}
    return settings_warnings(values.get)


def test_a_production_portal_is_warned_of_an_undated_statement():
    assert any(w.startswith("ACCESSIBILITY_STATEMENT_DATE is empty") for w in _production())
    dated = _production(ACCESSIBILITY_STATEMENT_DATE="2026-12-02")
    assert not any("ACCESSIBILITY_STATEMENT_DATE" in w for w in dated)


def test_a_production_portal_is_warned_when_no_one_can_be_told_of_a_barrier():
    assert any(w.startswith("ACCESSIBILITY_CONTACT is empty") for w in _production())
    for given in (
        {"ACCESSIBILITY_CONTACT": "a11y@example.org"},
        {"PRIVACY_CONTACT": "dpo@example.org"},
    ):
        assert not any("ACCESSIBILITY_CONTACT" in w for w in _production(**given))
