"""English that reads as English, not as a translation: the accessibility statement, the
privacy notice's rights, and the statistics' margin written with "%" as the portal
writes it everywhere else. French names quoted on an English page say they are French
(RGAA 8.7)."""

import html
import re

from tests.conftest import login


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.get_data(as_text=True)))


def test_the_english_statement_reads_as_english(make_app):
    client = make_app(ACCESSIBILITY_STATEMENT_DATE="2026-12-05").test_client()
    page = text(client.get("/accessibility?lang=en"))
    assert "This statement was drawn up on 5 December 2026." in page
    assert "If you cannot access some content or a service, contact" in page
    assert "that prevents you from accessing content or a service" in page
    for translated in ("established on", "use a content", "keeps you from a content"):
        assert translated not in page


def test_french_names_on_the_english_statement_are_marked_french(client):
    page = text(client.get("/accessibility?lang=en"))
    assert (
        "the RGAA (<span lang=\"fr\">Référentiel général d'amélioration de l'accessibilité</span>)"
        in page
    )
    assert 'write a message to the <span lang="fr">Défenseur des droits</span>' in page
    assert (
        '<span lang="fr">Défenseur des droits</span>, <span lang="fr">Libre réponse 71120</span>, '
        "75342 Paris CEDEX 07."
    ) in page


def test_the_french_statement_keeps_its_words_without_extra_marks(client):
    page = text(client.get("/accessibility?lang=fr"))
    assert "Cette déclaration a été établie le" in page
    assert "RGAA (Référentiel général d'amélioration de l'accessibilité)" in page
    assert "au Défenseur des droits (defenseurdesdroits.fr)\u00a0;" in page
    assert "Si vous ne pouvez pas accéder à un contenu ou à un service" in page
    assert '<span lang="fr">' not in page


def test_the_english_privacy_notice_names_the_gdpr_s_right_to_restriction(make_app):
    for settings in ({"PRIVACY_CONTACT": "dpo@example.org"}, {"PRIVACY_CONTACT": ""}):
        page = text(make_app(**settings).test_client().get("/privacy?lang=en"))
        assert "another right (restriction, objection)" in page
        assert "limitation" not in page
    french = text(make_app().test_client().get("/privacy?lang=fr"))
    assert "un autre droit (limitation, opposition)" in french


def test_the_statistics_margin_is_written_with_a_percent_sign(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = text(client.get("/recycling/admin/statistics"))
    assert "(Empreinte estimate, ±30%)" in page
    assert "percent" not in page


def test_the_open_data_source_writes_the_margin_with_a_percent_sign(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    sources = client.get("/recycling/admin/statistics.json").get_json()["sources"]
    assert "(Empreinte estimate, ±30%)" in sources["kg_ewaste"]
