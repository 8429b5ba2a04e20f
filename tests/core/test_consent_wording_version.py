"""A consent event kept only how the consent was given: it now keeps the version of the
consent's wording the person read (the profile checkbox's label and hint, a SHA-256
digest) and its language, and the person's export gives both in `consents`."""

import hashlib
import html
from datetime import UTC, datetime

from sqlalchemy import select

from app.core.audit import AuditEvent, consent_wording, consent_wording_version
from app.extensions import db
from tests.conftest import login

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def test_the_wording_is_the_profile_checkboxs_label_and_hint_in_its_language():
    assert consent_wording("fr").splitlines() == [
        "M'envoyer des encouragements et des nouvelles des campagnes par e-mail",
        "Les messages de service restent dans votre boîte de réception du portail. "
        "Vous pouvez retirer votre consentement à tout moment.",
    ]
    assert consent_wording_version("fr") == _digest(consent_wording("fr"))
    assert consent_wording_version("en") != consent_wording_version("fr")


def test_the_profile_shows_the_wording_the_version_is_made_of(client, make):
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get("/auth/profile").get_data(as_text=True))
    for line in consent_wording("fr").splitlines():
        assert line in page


def test_a_consent_given_in_the_profile_records_the_wording_read_and_the_export_gives_it(
    client, auth, make
):
    person = make.user(locale="en", email_opt_in=False)
    login(client, person)
    answer = auth.post(
        "/auth/profile/preferences",
        {"locale": "en", "visibility": person.leaderboard_visibility, "email_opt_in": "y"},
    )
    assert answer.status_code in (200, 302)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "email_consent_given"))
    assert event.summary == f"profile wording en {consent_wording_version('en')}"

    consents = client.get("/auth/profile/export").get_json(force=True)["consents"]
    assert [
        (change["given"], change["how"], change["wording_language"], change["wording_version"])
        for change in consents["history"]
    ] == [(True, "profile", "en", consent_wording_version("en"))]
    assert consents["wording"]["en"] == {
        "version": consent_wording_version("en"),
        "text": consent_wording("en"),
    }


def test_the_log_still_words_how_the_consent_was_given(client, auth, make):
    person = make.user(locale="en", email_opt_in=True)
    login(client, person)
    auth.post("/auth/profile/preferences", {"locale": "en", "visibility": "name"})
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/admin/audit?action=email_consent_withdrawn").get_data(as_text=True)
    assert "In the profile" in page
    assert "wording en" not in page


def test_an_event_written_before_versions_were_kept_is_exported_without_one(client, make):
    person = make.user(locale="fr")
    db.session.add(
        AuditEvent(
            at=NOW,
            actor_id=person.id,
            action="email_consent_withdrawn",
            object_type="user",
            object_id=str(person.id),
            summary="email_link",
        )
    )
    db.session.commit()
    login(client, person)
    (change,) = client.get("/auth/profile/export").get_json(force=True)["consents"]["history"]
    assert (change["how"], change["wording_version"]) == ("email_link", None)
