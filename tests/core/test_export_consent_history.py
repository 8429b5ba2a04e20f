"""The personal data export gives the history of the e-mail consent (its audit events),
each change dated with how it was made, not only the latest state."""

from datetime import UTC, datetime, timedelta

from app.auth import services as auth_services
from app.extensions import db
from app.messaging import services as messaging
from tests.conftest import login

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_the_export_gives_each_consent_change_dated_and_how(client, make):
    person = make.user(locale="fr", email_opt_in=True)
    messaging.unsubscribe(person.id, NOW)  # the link in an e-mail
    receipt = messaging.undo_receipt(person)
    assert messaging.undo_unsubscribe(person, receipt, NOW + timedelta(minutes=5))
    for minutes, consent in ((60, False), (120, True)):  # then twice in the profile
        auth_services.update_preferences(
            person,
            locale="fr",
            visibility=person.leaderboard_visibility,
            email_opt_in=consent,
            now=NOW + timedelta(minutes=minutes),
        )
    db.session.commit()

    login(client, person)
    events = client.get("/auth/profile/export").get_json(force=True)["audit_events"]

    assert [
        (e["at"][:16], e["action_name"], e["details"], e["actor"])
        for e in events
        if e["action"].startswith("email_consent")
    ] == [
        (
            "2026-11-25T11:00",
            "Retrait du consentement aux e-mails",
            "Par le lien d'un e-mail",
            "self",
        ),
        ("2026-11-25T11:05", "Consentement aux e-mails", "Désabonnement annulé", "self"),
        ("2026-11-25T12:00", "Retrait du consentement aux e-mails", "Dans le profil", "self"),
        ("2026-11-25T13:00", "Consentement aux e-mails", "Dans le profil", "self"),
    ]
