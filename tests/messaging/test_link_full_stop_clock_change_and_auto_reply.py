"""Messaging in the browser and by mail: links that took in the full stop
after them, a count read out at every change of the schedule form, a daily message
skipped on the day clocks go forward, the page an erased person reaches from an old
e-mail, a cancelled dispatch "not counted yet", and out-of-office replies to mailings."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Dispatch
from tests.conftest import browser_sign_in, login, shown
from tests.messaging.conftest import deliver_to_everyone

# --- 1. a link followed by a full stop or a parenthesis leads where it says ----------------


def _html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def test_a_link_ending_a_sentence_leads_to_its_page_in_the_inbox_and_the_html_email(
    app, client, make, template, smtp, config
):
    """ "Le portail : {{ portal_url }}." linked to ".../." and "(… guides)." to "guides)."
    (a 404 behind every such link), in the inbox and in the e-mail's HTML part."""
    config(MAIL_WORKING_HOURS="24/7", PUBLIC_BASE_URL="https://empreinte.example")
    reader = make.user(email="camille@example.org", email_opt_in=True, locale="fr")
    body = "Le portail : {{ portal_url }}.\n(Voir aussi {{ portal_url }}cleanup/guides.)"
    deliver_to_everyone(template(body_fr=body))
    portal = '<a href="https://empreinte.example/">Le portail</a>.'
    guides = (
        '(Voir aussi <a href="https://empreinte.example/cleanup/guides">'
        "https://empreinte.example/cleanup/guides</a>.)"
    )
    login(client, reader)
    inbox = client.get("/messaging/").get_data(as_text=True)
    # In the portal, its own links lead by their path (test_inbox_links_to_the_portal.py).
    assert '<a href="/">Le portail</a>.' in inbox
    assert (
        '(Voir aussi <a href="/cleanup/guides">https://empreinte.example/cleanup/guides</a>.)'
        in inbox
    )
    [(_to, message)] = smtp.messages
    html = _html_part(message)
    assert portal in html and guides in html


# --- 2. the count of recipients is read out when the recipients change, only -------------


@pytest.mark.browser
def test_the_count_of_recipients_is_not_read_out_again_at_each_choice_of_when(page, make, template):
    """Each change of the form (the kind, the rhythm, the time, the template) fetched the
    count again, and each answer was read out: "2 destinataires" came four times."""
    template()
    make.user(roles=("organiser",), email="nora@example.org", display_name="Nora Benali")
    browser_sign_in(page, "nora@example.org")
    page.goto("/messaging/schedule")
    page.get_by_label("Groupe de destinataires (obligatoire)", exact=True).select_option(
        label="Tout le monde"
    )
    expect(page.locator("#announcer")).to_have_text("2 destinataires")
    counts = []
    page.on("request", lambda r: counts.append(r.url) if "audience-size" in r.url else None)
    said = "window.said"  # what #announcer is given from now on
    page.evaluate(
        """() => { window.said = []; const region = document.getElementById('announcer');
        new MutationObserver(() => window.said.push(region.textContent.trim()))
          .observe(region, {childList: true, subtree: true, characterData: true}); }"""
    )
    page.get_by_label("Récurrent").check()
    page.get_by_label("Fréquence").select_option(label="Chaque jour")
    page.get_by_label("Heure (heure de Paris)", exact=True).fill("08:45")
    page.get_by_label("Heure (heure de Paris)", exact=True).blur()
    page.wait_for_timeout(600)  # past the moment an answer would have come
    assert counts == []
    assert not any("destinataires" in words for words in page.evaluate(said))
    # Changing the recipients still counts them again, and says so.
    page.get_by_label("Groupe de destinataires (obligatoire)", exact=True).select_option(
        label="Un rôle"
    )
    shown(page, "Choisissez un rôle pour compter les destinataires.").wait_for()
    assert len(counts) == 1


# --- 3. a daily message goes out on the day the clocks go forward ------------------------


def test_a_daily_message_is_sent_on_the_day_clocks_go_forward_though_yesterdays_ran_late(
    app, make, template, smtp, config
):
    """Saturday's 9:00 ran 0.4 s late, Sunday's (summer time) 0.1 s late: 22 h 59 min
    59.7 s apart, less than the 23 hours allowed, and Sunday's message was skipped."""
    config(MAIL_WORKING_HOURS="24/7")
    make.user(email="yes@example.org", email_opt_in=True)
    saturday = datetime(2027, 3, 27, 8, 0, tzinfo=UTC)  # 9:00 in Paris (winter time)
    schedule = services.schedule_message(
        template(), "everyone", {}, "cron", saturday - timedelta(days=1), cron="0 9 * * *"
    )
    db.session.commit()
    jobs.run_schedule(schedule.id, clock=lambda: saturday + timedelta(milliseconds=400))
    sunday = datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 9:00 in Paris (summer time)
    jobs.run_schedule(schedule.id, clock=lambda: sunday + timedelta(milliseconds=100))
    sent = db.session.scalars(select(Dispatch.due_at).where(Dispatch.schedule_id == schedule.id))
    assert len(sent.all()) == 2
    assert smtp.recipients() == ["yes@example.org"] * 2


# --- 4. the unsubscribe link of an erased person's old e-mail -----------------------------


def _page_text(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    main = page.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).replace("\u00a0", " ").split())


def test_an_erased_person_s_old_unsubscribe_link_speaks_of_no_inbox_nor_profile(
    app, client, make, template, smtp, config
):
    """It said their messages stayed in their portal inbox (erased) and to turn e-mails
    back on in their profile (gone)."""
    config(MAIL_WORKING_HOURS="24/7")
    person = make.user(email="camille@example.org", email_opt_in=True, locale="fr")
    deliver_to_everyone(template())
    [(_to, message)] = smtp.messages
    link = message["List-Unsubscribe"].strip("<>").split("/messaging/", 1)[1]
    erase_user(db.session.get(User, person.id), utcnow())
    db.session.commit()
    page = client.get(f"/messaging/{link}")
    said = _page_text(page)
    # Since the review of 6 December: the answer to any link not valid (its holder must not
    # learn that the person was erased), which speaks of no inbox.
    assert page.status_code == 404
    assert said.startswith("Lien de désabonnement non valide")
    assert "boîte de réception" not in said
    assert "<form" not in page.get_data(as_text=True).split("<main", 1)[1]


# --- 5. a cancelled dispatch is not "not counted yet" -------------------------------------


def test_a_cancelled_dispatch_reads_no_recipients_not_recipients_to_count(
    auth, client, make, template
):
    """Its recipients read "not counted yet" to a screen reader, as if it would still go."""
    organiser = make.user(roles=("organiser",), locale="fr")
    now = utcnow()
    dispatch = services.schedule_message(
        template(), "everyone", {}, "at", now, actor=organiser, at=now + timedelta(days=2)
    )
    db.session.commit()
    login(client, organiser)
    auth.post(f"/messaging/dispatches/{dispatch.id}/cancel")
    for page in (f"/messaging/dispatches/{dispatch.id}", "/messaging/dispatches"):
        said = _page_text(client.get(page))
        assert "Annulé" in said and "aucun : annulé avant l'envoi" in said
        assert "pas encore comptés" not in said


# --- 6. a mailing asks for no out-of-office reply ------------------------------------------


def test_a_message_by_e_mail_says_it_was_sent_automatically(app, make, template, smtp, config):
    """Every e-mail of a dispatch to 2,000 people drew an out-of-office reply from each
    absent reader, to an address nobody reads."""
    config(MAIL_WORKING_HOURS="24/7")
    make.user(email="camille@example.org", email_opt_in=True)
    deliver_to_everyone(template())
    [(_to, message)] = smtp.messages
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
