"""The privacy notice tells people their rights and where to exercise them."""

import re


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
    assert "les campagnes de Toulouse Métropole." in page
    assert "délégué à la protection des données de Toulouse Métropole" in page
    assert "portail du numérique responsable des agents de Toulouse Métropole." in page
    assert "Bordeaux" not in page


def test_the_authority_s_name_is_written_as_text_not_as_markup(make_app):
    other = make_app(ORGANISATION_NAME="Ville <b>& Co</b>")
    page = other.test_client().get("/privacy?lang=en").get_data(as_text=True)
    assert "<b>" not in page and "Ville &lt;b&gt;&amp; Co&lt;/b&gt;" in page
