"""Templates and dispatches: empty subjects, e-mail-only links taking the author's
text along, the unsubscribe page's language button, deleting templates, and what a sent
dispatch sent."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.audiences import unsubscribe_token
from app.messaging.models import Delivery, Dispatch, MessageTemplate
from app.messaging.rendering import portal_copy
from tests.conftest import csrf_token, login
from tests.messaging.conftest import deliver_to_everyone, inbox_of

BASE = "http://127.0.0.1:5000"
HX = {"HX-Request": "true"}
BADGES_FR = "{% if badges %}Bravo pour vos badges : {{ badges }}{% endif %}"
BADGES_EN = "{% if badges %}Well done for your badges: {{ badges }}{% endif %}"


def _text(response) -> str:
    """The page's words, tags left out and spaces made plain."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"\s+", " ", words.replace("\u00a0", " ").replace("\u202f", " "))


def _form(**texts) -> dict:
    return {
        "key": "news",
        "name": "Weekly news",
        "subject_fr": "Nouvelles",
        "body_fr": "Bonjour {{ first_name }}.",
        "subject_en": "News",
        "body_en": "Hello {{ first_name }}.",
        **texts,
    }


def _stored_template(**texts) -> MessageTemplate:
    """A template written straight to the table, as one saved before a check came."""
    template = MessageTemplate(**_form(**texts))
    db.session.add(template)
    db.session.commit()
    return template


def _plain(email) -> str:
    return email.get_body(("plain",)).get_content()


# --- 1. a subject that comes out empty ----------------------------------------------------


def test_a_subject_empty_for_a_reader_without_badges_is_refused_at_save(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    response = auth.post(
        "/messaging/templates/new",
        data=_form(subject_fr=BADGES_FR, subject_en=BADGES_EN, action="save"),
    )
    assert response.status_code == 422
    assert "This subject comes out empty for a reader without badges" in _text(response)
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "news")) is None


def test_the_preview_says_the_subject_can_come_out_empty(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    response = auth.post(
        "/messaging/templates/preview", data=_form(subject_en=BADGES_EN), headers=HX
    )
    assert "Subject in English — This subject comes out empty" in _text(response)


def test_a_subject_that_comes_out_empty_goes_out_with_the_template_name(make, smtp):
    person = make.user(email="reader@example.org", email_opt_in=True, locale="en")
    template = _stored_template(subject_en='{% if display_name == "" %}Hi{% endif %}')
    deliver_to_everyone(template)
    [(to, email)] = smtp.messages
    assert (to, email["Subject"]) == ("reader@example.org", "Weekly news")
    assert inbox_of(person)[0].subject == "Weekly news"


def _delivered_without_subject(person, make) -> Delivery:
    """A message delivered with an empty subject, before subjects were checked."""
    template = _stored_template()
    now = utcnow()
    dispatch = services.create_dispatch(template, "everyone", {}, now, now)
    delivery = Delivery(
        dispatch_id=dispatch.id,
        user_id=person.id,
        channel="inbox",
        status="delivered",
        locale="en",
        subject="",
        body="Your badges: Premier pas",
        delivered_at=now,
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery


def test_a_message_with_an_empty_subject_is_not_called_erased_in_the_inbox(client, make):
    person = make.user(locale="en")
    _delivered_without_subject(person, make)
    login(client, person)
    words = _text(client.get("/messaging/"))
    assert "(content erased)" not in words
    assert "(no subject)" in words and "Mark as read (no subject)" in words
    assert "Your badges: Premier pas" in words


def test_a_message_with_an_empty_subject_is_named_on_the_home_page(client, make):
    person = make.user(locale="en")
    delivery = _delivered_without_subject(person, make)
    login(client, person)
    page = client.get("/").get_data(as_text=True)
    assert f'#message-{delivery.id}">(no subject)</a>' in page


# --- 2. e-mail-only links take only themselves along ---------------------------------------


def test_the_inbox_copy_keeps_the_rest_of_a_line_giving_the_inbox_link(make, smtp):
    person = make.user(email_opt_in=True, locale="en")
    body = "Hello.\n\nThe portal: {{ portal_url }} - your inbox: {{ inbox_url }}"
    deliver_to_everyone(_stored_template(body_en=body))
    assert inbox_of(person)[0].body == f"Hello.\n\nThe portal: {BASE}/"


def test_an_email_keeps_a_line_giving_the_unsubscribe_link_with_another_one(make, smtp):
    make.user(email_opt_in=True, locale="en")
    body = "Hello.\n\nThe portal: {{ portal_url }} - stop: {{ unsubscribe_url }}"
    deliver_to_everyone(_stored_template(body_en=body))
    [(_to, email)] = smtp.messages
    assert f"The portal: {BASE}/ - stop: {BASE}/messaging/unsubscribe/" in _plain(email)


def test_send_me_a_test_keeps_a_line_giving_the_unsubscribe_link_with_another_one(
    auth, client, make, smtp
):
    organiser = make.user(roles=("organiser",), locale="en")
    body = "Hello.\n\nThe portal: {{ portal_url }} — stop: {{ unsubscribe_url }}"
    template = _stored_template(body_en=body)
    login(client, organiser)
    auth.post(f"/messaging/templates/{template.id}/test", data={"language": "en"})
    [(_to, email)] = smtp.messages
    assert f"The portal: {BASE}/ — stop: {BASE}/messaging/test-unsubscribe" in _plain(email)


def test_a_footer_line_alone_still_leaves_the_inbox_copy_whole():
    links = [f"{BASE}/messaging/", f"{BASE}/messaging/unsubscribe/abc"]
    body = f"Hello. Great news! More in your inbox: {links[0]}.\n\nVotre boîte\u00a0: {links[0]}"
    assert portal_copy(body, links) == "Hello. Great news!"


def test_the_preview_shows_the_inbox_copy(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    body = "Hello.\n\nThe portal: {{ portal_url }} - your inbox: {{ inbox_url }}"
    page = auth.post("/messaging/templates/preview", data=_form(body_en=body), headers=HX)
    inbox = page.get_data(as_text=True).split("In the portal inbox")[-1]
    # The link named by its label (RGAA 6.1), the inbox's own link left out.
    assert f'<a href="{BASE}/">The portal</a>' in inbox and "your inbox" not in inbox


# --- 3. the unsubscribe page's language button ----------------------------------------------


def test_the_language_button_switches_the_unsubscribe_page_for_this_visit(client, make):
    person = make.user(email_opt_in=True, locale="fr")
    url = f"/messaging/unsubscribe/{unsubscribe_token(person.id)}"
    assert "Se désabonner des e-mails" in _text(client.get(url))
    client.post("/language", data={"lang": "en", "next": url, "csrf_token": csrf_token(client)})
    assert "Unsubscribe from e-mails" in _text(client.get(url))
    assert person.locale == "fr"  # the saved language stays the person's


# --- 4. deleting a template -----------------------------------------------------------------


def _delete(auth, template):
    return auth.post(f"/messaging/templates/{template.id}/delete", follow_redirects=True)


def test_a_template_never_sent_is_deleted(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    template = _stored_template()
    answer = _delete(auth, template)
    assert "Template “Weekly news” deleted." in _text(answer)
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "news")) is None


def test_a_template_sent_leaves_the_schedule_form_and_its_dispatch_keeps_its_text(
    auth, client, make, smtp
):
    person = make.user(email_opt_in=True, locale="en")
    template = _stored_template(subject_en="Spring news")
    deliver_to_everyone(template)
    login(client, make.user(roles=("organiser",), locale="en"))
    _delete(auth, template)
    schedule_form = client.get("/messaging/schedule").get_data(as_text=True)
    assert "Weekly news" not in schedule_form
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.template_id == template.id))
    page = _text(client.get(f"/messaging/dispatches/{dispatch.id}"))
    assert "Spring news" in page and "Its template has been deleted since." in page
    assert inbox_of(person)[0].subject == "Spring news"


def test_a_template_still_planned_is_not_deleted(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    template = _stored_template()
    now = utcnow()
    dispatch = services.create_dispatch(template, "everyone", {}, now + timedelta(days=1), now)
    db.session.commit()
    answer = _text(_delete(auth, template))
    assert f"cannot be deleted while it is still to go out (dispatch {dispatch.id})" in answer
    assert db.session.get(MessageTemplate, template.id).archived_at is None


def test_a_built_in_template_offers_no_delete(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    client.get("/messaging/templates")  # the built-in templates are created on first need
    builtin = db.session.scalar(select(MessageTemplate).where(MessageTemplate.builtin.is_(True)))
    page = client.get(f"/messaging/templates/{builtin.id}").get_data(as_text=True)
    assert "Delete this template" not in page


def test_deleting_asks_first(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/messaging/templates/{_stored_template().id}").get_data(as_text=True)
    form = page.split("/delete", 1)[1].split("</form>", 1)[0]
    assert 'data-confirm="Delete the template “Weekly news”?' in html.unescape(form)


def test_the_key_of_a_deleted_template_is_not_given_again(auth, client, make, smtp):
    make.user(email_opt_in=True)
    template = _stored_template()
    deliver_to_everyone(template)
    login(client, make.user(roles=("organiser",), locale="en"))
    _delete(auth, template)
    answer = auth.post("/messaging/templates/new", data=_form(action="save"))
    assert "A deleted template had this key" in _text(answer)


# --- 5. what a sent dispatch sent -----------------------------------------------------------


def test_a_sent_dispatch_shows_what_it_sent_after_its_template_changed(auth, client, make, smtp):
    make.user(email_opt_in=True)
    organiser = make.user(roles=("organiser",), locale="en")
    template = _stored_template(subject_en="Spring news")
    deliver_to_everyone(template)
    services.save_template(template, _form(subject_en="Autumn news"), organiser, utcnow())
    db.session.commit()
    login(client, organiser)
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.template_id == template.id))
    page = _text(client.get(f"/messaging/dispatches/{dispatch.id}"))
    assert "The message it sent" in page and "Spring news" in page
    assert "Autumn news" not in page
    assert "Edit the template (its text has changed since)" in page


def test_an_email_held_for_the_working_hours_goes_with_the_words_already_sent(make, smtp, config):
    person = make.user(email="held@example.org", email_opt_in=True, locale="en")
    organiser = make.user(roles=("organiser",))
    template = _stored_template(subject_en="Spring news")
    config(MAIL_WORKING_HOURS="off")
    now = utcnow()
    dispatch = services.create_dispatch(template, "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    assert smtp.messages == []  # the inbox copy went; the e-mail waits
    services.save_template(template, _form(subject_en="Autumn news"), organiser, now)
    db.session.commit()
    config(MAIL_WORKING_HOURS="24/7")
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    assert [email["Subject"] for _to, email in smtp.messages] == ["Spring news"]
    assert inbox_of(person)[0].subject == "Spring news"


def test_a_dispatch_whose_text_was_not_kept_says_so_once_its_template_changed(client, make, smtp):
    make.user(email_opt_in=True)
    organiser = make.user(roles=("organiser",), locale="en")
    template = _stored_template()
    deliver_to_everyone(template)
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.template_id == template.id))
    dispatch.sent_text = None  # sent before dispatches kept their text
    services.save_template(template, _form(subject_en="Autumn news"), organiser, utcnow())
    db.session.commit()
    login(client, organiser)
    page = _text(client.get(f"/messaging/dispatches/{dispatch.id}"))
    assert "the text it sent was not kept" in page and "Edit the template" in page
    assert "See or edit" not in page
