"""The agent's reason for undoing a receipt, written in the other language than its
owner's, is said so in the plain text « (en anglais) »; the HTML e-mail and the inbox
page wrap it in its `lang` as well, or a screen reader read an English reason with a
French voice (RGAA 8.7). A reason in the owner's own language is left as it is."""

from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.recycling import services
from tests.conftest import csrf_token, login
from tests.messaging import conftest as messaging

# A real SMTP server (aiosmtpd), and settings changed for one test: messaging's fixtures.
smtp, config = messaging.smtp, messaging.config


def _undone(client, make, rec, config, agent_locale: str, owner_locale: str, reason: str):
    """A laptop received then undone by an agent writing in `agent_locale`, its notice
    delivered; the owner signed in."""
    config(MAIL_WORKING_HOURS="24/7")
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point)
    agent.locale = agent_locale
    owner = make.user(locale=owner_locale, email_opt_in=True)
    laptop = rec.device_return(owner, point, now=utcnow() - timedelta(hours=1))
    services.confirm_receipt(laptop, agent, utcnow() - timedelta(minutes=30))
    db.session.commit()
    messaging_jobs.deliver_due()  # the receipt's notice, out of the way
    login(client, agent)
    response = client.post(
        f"/recycling/agent/returns/{laptop.receipt_number}/undo-receipt",
        data={"csrf_token": csrf_token(client), "reason": reason},
    )
    assert response.status_code == 302
    messaging_jobs.deliver_due()
    login(client, owner)
    return owner


def _undo_mail(smtp):
    """The undone receipt's e-mail: its plain-text and HTML parts."""
    _to, mail = smtp.messages[-1]  # after the receipt's own
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def test_an_english_reason_is_marked_in_a_french_owners_e_mail_and_inbox(
    client, make, rec, smtp, config
):
    _undone(client, make, rec, config, "en", "fr", "Wrong device: a mouse")
    plain, rich = _undo_mail(smtp)
    assert "Mairie de Pessac\u00a0: Wrong device: a mouse (en anglais). Votre" in plain
    marked = '<span lang="en">Wrong device: a mouse</span> <span class="hint">(en anglais)</span>'
    assert marked in rich
    assert marked in client.get("/messaging/").get_data(as_text=True)


def test_a_french_reason_is_marked_in_an_english_owners_e_mail_and_inbox(
    client, make, rec, smtp, config
):
    _undone(client, make, rec, config, "fr", "en", "Mauvais appareil, une souris")
    plain, rich = _undo_mail(smtp)
    assert "Mairie de Pessac: Mauvais appareil, une souris (in French). Your" in plain
    marked = (
        '<span lang="fr">Mauvais appareil, une souris</span> <span class="hint">(in French)</span>'
    )
    assert marked in rich
    assert marked in client.get("/messaging/").get_data(as_text=True)


def test_a_reason_in_the_owners_language_is_not_marked(client, make, rec, smtp, config):
    _undone(client, make, rec, config, "fr", "fr", "Mauvais appareil, une souris")
    plain, rich = _undo_mail(smtp)
    assert "Mauvais appareil, une souris. Votre" in plain and "(en français)" not in plain
    assert "Pessac\u00a0: Mauvais appareil, une souris. Votre" in rich
    assert "<span lang=" not in rich
    inbox = client.get("/messaging/").get_data(as_text=True)
    assert "Mauvais appareil, une souris. Votre" in inbox
    assert '<span lang="fr">Mauvais' not in inbox
