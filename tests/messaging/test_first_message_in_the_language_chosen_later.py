"""A message written for someone who had not chosen a language yet (never signed in) is
kept in both languages: once they sign in reading the portal in English, their inbox,
home and the API show it in English, not the French « (in French) » copy; the e-mail
that went stays as it was sent."""

import html
import re

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery
from tests.conftest import login
from tests.factories import DEFAULT_PASSWORD

ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").split())


def _sign_in_from_an_english_browser(client, user) -> None:
    page = client.get("/auth/sign-in", headers=ENGLISH_BROWSER).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    form = {"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    assert client.post("/auth/sign-in", data=form, headers=ENGLISH_BROWSER).status_code == 302


def _sent_to(make, template, **person):
    newcomer = make.user(display_name="Ada Lovelace", **person)
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    return newcomer


def test_a_newcomers_first_message_reads_in_the_language_they_then_sign_in_with(
    client, make, template
):
    newcomer = _sent_to(make, template, locale=None)
    _sign_in_from_an_english_browser(client, newcomer)
    inbox = _words(client.get("/messaging/").get_data(as_text=True))
    assert "Hello Ada" in inbox and "Bonjour Ada" not in inbox and "(in French)" not in inbox
    home = _words(client.get("/").get_data(as_text=True))
    assert "Hello Ada" in home and "Bonjour Ada" not in home
    (message,) = client.get("/api/v1/me/messages").get_json()["messages"]
    assert message["subject"] == "Hello Ada"


def test_both_texts_are_kept_only_for_someone_who_had_not_chosen(make, template):
    _sent_to(make, template, locale=None)
    chose = make.user(locale="fr")
    rows = db.session.execute(
        select(Delivery.user_id, Delivery.locale, Delivery.subject, Delivery.other_text).where(
            Delivery.channel == "inbox"
        )
    ).all()
    kept = {row.user_id: row for row in rows}
    newcomer = next(row for row in rows if row.subject == "Bonjour Ada")
    assert newcomer.locale == "fr"
    assert newcomer.other_text["locale"] == "en"
    assert newcomer.other_text["subject"] == "Hello Ada"
    assert chose.id not in kept or kept[chose.id].other_text is None


def test_someone_who_chose_french_still_reads_it_in_french(client, make, template):
    newcomer = _sent_to(make, template, locale=None)
    newcomer.locale = "fr"  # chosen in their preferences meanwhile
    db.session.commit()
    login(client, newcomer)
    inbox = _words(client.get("/messaging/").get_data(as_text=True))
    assert "Bonjour Ada" in inbox and "Hello Ada" not in inbox


def test_deleting_the_message_erases_both_texts(client, make, template):
    newcomer = _sent_to(make, template, locale=None)
    copy = db.session.scalar(
        select(Delivery).where(Delivery.user_id == newcomer.id, Delivery.channel == "inbox")
    )
    assert services.delete_message(newcomer, copy.id, utcnow())
    db.session.commit()
    db.session.refresh(copy)
    assert copy.subject is None and copy.other_text is None
