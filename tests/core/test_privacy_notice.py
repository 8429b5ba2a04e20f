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
