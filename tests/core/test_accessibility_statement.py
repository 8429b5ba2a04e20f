"""The accessibility statement the RGAA asks of public services, named in every footer."""

import html
import re

import pytest


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
