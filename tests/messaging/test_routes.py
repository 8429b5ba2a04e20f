"""Messaging pages through the client: inbox, unsubscribe, templates, preview, schedule."""

import html
import re

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, queries, services
from app.messaging.audiences import unsubscribe_token
from app.messaging.builtins import BUILTIN_TEMPLATES, ensure_builtin_templates
from app.messaging.models import Delivery, Dispatch, MessageTemplate, Schedule
from tests.conftest import CSRF_RE, csrf_token, login
from tests.messaging.conftest import PREVIEW, coming, template_form

HX = {"HX-Request": "true"}
CONFIRMED = {"confirm": "yes"}  # the organiser's "yes" on the confirmation page


def _deliver(template, now=None):
    now = now or utcnow()
    dispatch = services.create_dispatch(template, "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    return dispatch


def _without_token(page: str) -> str:
    """The page, its CSRF token (signed with the second it was made in) set aside."""
    token = CSRF_RE.search(page).group(1)
    return page.replace(token, "…")


def _message_of(user):
    return db.session.scalar(
        select(Delivery).where(Delivery.user_id == user.id, Delivery.channel == "inbox")
    )


def test_inbox_lists_my_message_and_counts_unread_in_the_menu(client, make, template):
    user = make.user(display_name="Inès Roux")
    _deliver(template())
    login(client, user)
    page = client.get("/messaging/").get_data(as_text=True)
    assert "Bonjour Inès" in page
    assert 'class="badge"' in page


def test_my_inbox_copy_leaves_out_the_email_footer_that_my_email_keeps(client, make, smtp, config):
    """In the portal the reader is in the inbox already: no "Your inbox" link, no
    one-click unsubscribe link; a link within the portal to the e-mail choice instead."""
    config(MAIL_WORKING_HOURS="24/7")
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    me = make.user(email="me@example.org", locale="en", email_opt_in=True)
    _deliver(services.template_by_key("campaign-launch"))
    login(client, me)
    page = client.get("/messaging/").get_data(as_text=True)
    fragment = client.post(
        f"/messaging/inbox/{_message_of(me).id}/read",
        data={"csrf_token": csrf_token(client)},
        headers=HX,
    ).get_data(as_text=True)
    for shown in (page, fragment):
        assert "Every action counts" in shown
        assert "Your inbox:" not in shown and "Stop receiving these e-mails" not in shown
        assert "/messaging/unsubscribe/" not in shown and base not in shown
    assert 'href="/auth/profile#prefs-title"' in page
    text = dict(smtp.messages)["me@example.org"].get_body(("plain",)).get_content()
    assert f"Your inbox: {base}/messaging/\n" in text
    # The body's own "Stop receiving…" line gives way to the footer's: one link, once.
    assert "Stop receiving these e-mails" not in text
    assert text.count(f"{base}/messaging/unsubscribe/") == 1
    assert f"Unsubscribe from these e-mails: {base}/messaging/unsubscribe/" in text
    html_part = dict(smtp.messages)["me@example.org"].get_body(("html",)).get_content()
    assert html_part.count("/messaging/unsubscribe/") == 1


def test_the_badge_follows_deliveries_and_reading_from_page_to_page(client, make, template):
    """The badge is read with the person at each page view: never a count of an earlier page."""
    user = make.user()
    login(client, user)
    assert 'class="badge"' not in client.get("/privacy").get_data(as_text=True)
    _deliver(template())
    assert 'class="badge"' in client.get("/privacy").get_data(as_text=True)
    client.post(
        f"/messaging/inbox/{_message_of(user).id}/read", data={"csrf_token": csrf_token(client)}
    )
    assert 'class="badge"' not in client.get("/privacy").get_data(as_text=True)


def test_mark_read_without_javascript_redirects_to_the_inbox(client, make, template):
    user = make.user()
    _deliver(template())
    login(client, user)
    message = _message_of(user)
    response = client.post(
        f"/messaging/inbox/{message.id}/read", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    assert _message_of(user).read_at is not None


def test_mark_all_as_read_reads_only_my_inbox(client, make, template):
    me, colleague = make.user(locale="en"), make.user(locale="en")
    tpl = template()
    _deliver(tpl)
    login(client, me)
    assert "Mark all as read" not in client.get("/messaging/").get_data(as_text=True)  # one
    _deliver(tpl)
    _deliver(tpl)
    page = client.get("/messaging/").get_data(as_text=True)
    assert "3 unread messages" in page and "Mark all as read" in page

    response = client.post("/messaging/inbox/read", data={"csrf_token": csrf_token(client)})
    assert response.headers["Location"].endswith("/messaging/")
    page = client.get("/messaging/").get_data(as_text=True)
    assert "3 messages marked as read." in page
    assert "No unread message." in page and 'class="badge"' not in page
    assert "Mark all as read" not in page
    unread = select(Delivery).where(Delivery.channel == "inbox", Delivery.read_at.is_(None))
    still_unread = {d.user_id for d in db.session.scalars(unread)}
    assert me.id not in still_unread and colleague.id in still_unread  # theirs stay
    assert client.post("/messaging/inbox/read", data={}).status_code == 400  # no token


def _inbox_rows(user):
    """The person's inbox copies, oldest first."""
    return db.session.scalars(
        select(Delivery)
        .where(Delivery.user_id == user.id, Delivery.channel == "inbox")
        .order_by(Delivery.id)
    ).all()


@pytest.fixture
def my_inbox(client, make, template):
    """Me, signed in, with `count` unread messages: returns me and my inbox rows, oldest first."""

    def build(count=3, **user):
        me = make.user(**user)
        news = template()
        for _ in range(count):
            _deliver(news)
        login(client, me)
        return me, _inbox_rows(me)

    return build


def _post_hx(client, url: str) -> str:
    """An htmx POST (with the CSRF token) and the fragment it answers."""
    return client.post(url, data={"csrf_token": csrf_token(client)}, headers=HX).get_data(
        as_text=True
    )


def _out_of_band(fragment: str) -> tuple[str, str]:
    """The inbox head and the menu entry an htmx answer sends out of band."""
    head = fragment.split('id="inbox-head" hx-swap-oob="true">', 1)[1].split("</div>", 1)[0]
    menu = fragment.split("""hx-swap-oob="innerHTML:.main-nav a[href='/messaging/']">""", 1)[1]
    return head, menu


def test_deleting_a_message_erases_it_from_my_inbox_only_and_keeps_the_counts(
    client, make, template, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    me, colleague = make.user(locale="en", email_opt_in=True), make.user(locale="en")
    dispatch = _deliver(template())
    counts = queries.dispatch_counts(dispatch.id)
    assert counts["channels"]["email"]["delivered"] == 1
    login(client, me)
    mine = _message_of(me)
    fragment = client.post(
        f"/messaging/inbox/{mine.id}/delete",
        data={"csrf_token": csrf_token(client)},
        headers=HX,
    )
    assert fragment.status_code == 200
    assert f'<p class="hint" id="message-{mine.id}" data-announce>Message deleted.</p>' in (
        fragment.get_data(as_text=True)
    )
    page = client.get("/messaging/").get_data(as_text=True)
    assert "No message yet." in page and 'class="badge"' not in page
    # Its content is gone from both copies, inbox and e-mail; its status stays.
    rows = db.session.scalars(select(Delivery).where(Delivery.user_id == me.id)).all()
    assert {(r.channel, r.status, r.subject, r.body) for r in rows} == {
        ("inbox", "delivered", None, None),
        ("email", "delivered", None, None),
    }
    assert "Hello" in _message_of(colleague).subject  # theirs stays
    assert queries.dispatch_counts(dispatch.id) == counts  # what organisers follow
    # Again, or someone else's: 404, and nothing changes.
    again = client.post(
        f"/messaging/inbox/{mine.id}/delete", data={"csrf_token": csrf_token(client)}
    )
    assert again.status_code == 404
    theirs = _message_of(colleague)
    refused = client.post(
        f"/messaging/inbox/{theirs.id}/delete", data={"csrf_token": csrf_token(client)}
    )
    assert refused.status_code == 404 and _message_of(colleague).body is not None
    assert client.post(f"/messaging/inbox/{theirs.id}/delete").status_code == 400  # no token


def test_deleting_read_messages_leaves_the_unread_ones(client, my_inbox):
    _me, (first, second, third) = my_inbox(3, locale="en")
    assert "Delete read messages" not in client.get("/messaging/").get_data(as_text=True)
    for message in (first, second):
        client.post(f"/messaging/inbox/{message.id}/read", data={"csrf_token": csrf_token(client)})
    page = client.get("/messaging/").get_data(as_text=True)
    assert "Delete read messages" in page
    response = client.post("/messaging/inbox/delete-read", data={"csrf_token": csrf_token(client)})
    assert response.headers["Location"].endswith("/messaging/")
    page = client.get("/messaging/").get_data(as_text=True)
    assert "2 read messages deleted." in page
    assert f'id="message-{third.id}"' in page and f'id="message-{first.id}"' not in page
    assert "Delete read messages" not in page and "1 unread message" in page
    assert client.post("/messaging/inbox/delete-read", data={}).status_code == 400


def test_my_data_export_marks_the_messages_i_deleted(client, my_inbox):
    me, (first, _second) = my_inbox(2)
    client.post(f"/messaging/inbox/{first.id}/delete", data={"csrf_token": csrf_token(client)})
    exported = services.export_messages(me)
    # Both messages: the database keeps the deleted one's rows, so the export says them.
    assert [(m["channel"], m["status"], m["deleted"]) for m in exported] == [
        ("inbox", "delivered", False),
        ("email", "skipped", False),
        ("inbox", "delivered", True),
        ("email", "skipped", True),
    ]


def test_mark_read_with_htmx_returns_the_message_fragment(client, make, template):
    user = make.user()
    _deliver(template())
    login(client, user)
    message = _message_of(user)
    response = client.post(
        f"/messaging/inbox/{message.id}/read",
        data={"csrf_token": csrf_token(client)},
        headers=HX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and f"message-{message.id}" in body


def test_reading_or_deleting_one_message_with_htmx_updates_the_counts_and_the_badge(
    client, my_inbox
):
    """As marking all does (a reload), one message read or deleted changes the inbox's
    "N unread messages" and the menu badge: sent out of band with the message."""
    _me, (first, second, _third) = my_inbox(3)
    head, menu = _out_of_band(_post_hx(client, f"/messaging/inbox/{first.id}/read"))
    assert "2 messages non lus" in head and "Tout marquer comme lu" in head
    assert menu.startswith('Messages <span class="badge"><span aria-hidden="true">2</span>')
    assert '<span class="visually-hidden">2 messages non lus</span>' in menu

    deleted = _post_hx(client, f"/messaging/inbox/{second.id}/delete")
    head, menu = _out_of_band(deleted)
    assert "1 message non lu" in head and "Tout marquer comme lu" not in head
    assert menu.startswith('Messages <span class="badge"><span aria-hidden="true">1</span>')
    assert '<span class="visually-hidden">1 message non lu</span>' in menu
    assert "Message supprimé." in deleted


def test_nobody_can_mark_someone_elses_message(client, make, template):
    owner, other = make.user(), make.user()
    _deliver(template())
    login(client, other)
    response = client.post(
        f"/messaging/inbox/{_message_of(owner).id}/read", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 404 and _message_of(owner).read_at is None


def test_unsubscribe_page_asks_then_confirm_button_withdraws_consent(client, make):
    user = make.user(email_opt_in=True)
    url = f"/messaging/unsubscribe/{unsubscribe_token(user.id)}"
    assert client.get(url).status_code == 200
    assert db.session.get(User, user.id).email_opt_in is True  # GET changes nothing
    client.post(url, data={"csrf_token": csrf_token(client)})
    assert db.session.get(User, user.id).email_opt_in is False


def test_one_click_unsubscribe_post_needs_no_session_nor_csrf(client, make):
    user = make.user(email_opt_in=True)
    response = client.post(
        f"/messaging/unsubscribe/{unsubscribe_token(user.id)}",
        data={"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert db.session.get(User, user.id).email_opt_in is False


def test_a_forged_unsubscribe_token_is_refused(client, make):
    user = make.user(email_opt_in=True)
    response = client.post(
        "/messaging/unsubscribe/forged.token", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 404 and db.session.get(User, user.id).email_opt_in


def test_employees_cannot_reach_organiser_pages(client, make):
    login(client, make.user())
    assert client.get("/messaging/templates").status_code == 403
    assert client.get("/messaging/dispatches").status_code == 403


def test_a_template_with_an_unknown_variable_is_refused_with_its_line(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/templates/new",
        data={
            "key": "news",
            "name": "News",
            "subject_fr": "Bonjour",
            "body_fr": "Bonjour\n{{ prenom }}",
            "subject_en": "Hello",
            "body_en": "Hello",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "prenom" in page and "2" in page
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "news")) is None


def _field_error(page: str, field: str) -> str:
    """The error shown at a form field, its text unescaped, checked to be announced."""
    tag = re.search(rf'<(?:input|textarea)[^>]*id="{field}"[^>]*>', page).group()
    assert 'aria-invalid="true"' in tag and f"{field}-error" in tag, tag
    return html.unescape(page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0])


JINJA_PROBLEMS = [
    ("Bonjour\n{{ first_name|shout }}", "Ligne 2", "«\u00a0shout\u00a0» n'est pas un filtre"),
    ("Bonjour\n\n{{ first_name.__class__ }}", "Ligne 3", "pas utiliser «\u00a0__class__\u00a0»"),
    ("Bonjour\n{% if first_name %}oublié", "Ligne 2", "le bloc «\u00a0if\u00a0» n'est pas fermé"),
    ("{{ first_name first_name }}", "Ligne 1", "syntaxe de modèle n'est pas valide"),
    ("{% if first_name is shouted %}!{% endif %}", "Ligne 1", "n'est pas un test connu"),
    ("{{ first_name + 1 }}", "Ligne 1", "impossible de calculer ceci"),
]


def test_a_template_jinja_refuses_is_explained_in_words_at_its_field_and_not_saved(
    auth, client, make
):
    """Unknown filter, unsafe attribute, syntax: a sentence in French with its line, at the
    text's field; never Jinja's English (an unknown filter was a server error)."""
    login(client, make.user(roles=("organiser",)))
    for body, line, reason in JINJA_PROBLEMS:
        response = auth.post("/messaging/templates/new", data=template_form(body_fr=body))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, body
        message = _field_error(page, "body_fr")
        assert message.startswith(line) and reason in message, (body, message)
        for english in ("No filter named", "unsafe", "unexpected", "Jinja", "concatenate"):
            assert english not in page, (body, english)
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "news")) is None


UNCLOSED = "Bonjour,\n\n{}\nÀ bientôt\n{{{{ unsubscribe_url }}}}"


@pytest.mark.parametrize(
    ("left_open", "reason"),
    [
        ("{{ first_name", "une variable ouverte par «\u00a0{{\u00a0» n'est pas fermée"),
        ("{{ first_name }", "une variable ouverte par «\u00a0{{\u00a0» n'est pas fermée"),
        ("{% if first_name", "une instruction ouverte par «\u00a0{%\u00a0» n'est pas fermée"),
        ("{# à relire", "un commentaire ouvert par «\u00a0{#\u00a0» n'est pas fermé"),
        ("{% for x in [1] %}{{ x }}", "le bloc «\u00a0for\u00a0» n'est pas fermé"),
    ],
)
def test_something_left_open_is_named_with_the_line_where_it_opens(
    auth, client, make, left_open, reason
):
    """An unclosed variable was reported as a block missing its "endif", at the last line."""
    login(client, make.user(roles=("organiser",)))
    body = UNCLOSED.format(left_open)
    response = auth.post("/messaging/templates/new", data=template_form(body_fr=body))
    message = html.unescape(_field_error(response.get_data(as_text=True), "body_fr"))
    assert response.status_code == 422
    assert message.startswith(f"Ligne 3\u00a0: {reason}"), message


def test_an_edit_jinja_refuses_leaves_the_saved_template_as_it_was(auth, client, make, template):
    login(client, make.user(roles=("organiser",)))
    saved = template()
    before = saved.body_en
    response = auth.post(
        f"/messaging/templates/{saved.id}",
        data=template_form(key=saved.key, body_en="Hi {{ first_name|shout }}"),
    )
    assert response.status_code == 422
    assert "n'est pas un filtre" in _field_error(response.get_data(as_text=True), "body_en")
    db.session.expire_all()
    assert db.session.get(MessageTemplate, saved.id).body_en == before


def test_an_organiser_saves_a_template(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/templates/new",
        data={
            "key": "news",
            "name": "News",
            "subject_fr": "Bonjour {{ first_name }}",
            "body_fr": "Bonjour",
            "subject_en": "Hello {{ first_name }}",
            "body_en": "Hello",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "news"))


def test_an_organiser_puts_back_the_text_a_builtin_template_ships_with(auth, client, make):
    """Edits undone, or a newer release's wording brought to an existing install."""
    ensure_builtin_templates()
    launch = services.template_by_key("campaign-launch")
    edit_page = f"/messaging/templates/{launch.id}"
    login(client, make.user(roles=("organiser",)))
    assert "Rétablir le texte fourni" not in client.get(edit_page).get_data(as_text=True)
    edited = {f: getattr(launch, f) for f in services.TEMPLATE_FIELDS} | {"name": launch.name}
    edited["subject_fr"] = "C'est parti : {{ campaign_name }}"  # a plain space before ":"
    assert auth.post(edit_page, data={**edited, "action": "save"}).status_code == 302
    page = client.get(edit_page).get_data(as_text=True)
    assert "Rétablir le texte fourni" in page

    response = auth.post(f"{edit_page}/restore", follow_redirects=True)
    assert "Le texte fourni avec Empreinte est rétabli." in response.get_data(as_text=True)
    db.session.refresh(launch)
    assert launch.subject_fr == BUILTIN_TEMPLATES["campaign-launch"]["subject_fr"]
    assert launch.body_en == BUILTIN_TEMPLATES["campaign-launch"]["body_en"]
    assert (
        db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "restore"))
        == "campaign-launch"
    )
    assert "Rétablir le texte fourni" not in client.get(edit_page).get_data(as_text=True)


def test_only_a_builtin_template_can_be_restored_and_only_by_organisers(auth, client, make):
    own = services.save_template(None, {**PREVIEW, "key": "own"}, make.user(), utcnow())
    db.session.commit()
    login(client, make.user())
    assert auth.post(f"/messaging/templates/{own.id}/restore").status_code == 403
    login(client, make.user(roles=("organiser",)))
    response = auth.post(f"/messaging/templates/{own.id}/restore", follow_redirects=True)
    assert "Seul un modèle fourni avec Empreinte a un texte à rétablir." in response.get_data(
        as_text=True
    )
    db.session.refresh(own)
    assert own.subject_fr == PREVIEW["subject_fr"]
    assert auth.post("/messaging/templates/999999/restore").status_code == 404


def test_live_preview_renders_both_languages_for_the_chosen_recipient(auth, client, make):
    make.user(email="zoe@example.org", display_name="Zoé Petit")
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/templates/preview", data={**PREVIEW, "recipient": "zoe@example.org"}, headers=HX
    )
    body = response.get_data(as_text=True)
    assert "<html" not in body
    # Someone else's preview shows the examples, their name too (review of 6 December).
    assert "Corps pour Dominique Exemple" in body and "Body for Alex Example" in body
    assert "Zoé" not in body


def test_a_preview_for_a_colleague_never_shows_their_working_unsubscribe_link(
    auth, client, make, smtp
):
    """The link unsubscribes without signing in: in an organiser's preview it is a
    placeholder; the message the colleague receives carries the real one."""
    colleague = make.user(email="zoe@example.org", email_opt_in=True)
    token = unsubscribe_token(colleague.id)
    login(client, make.user(roles=("organiser",)))
    texts = {
        **PREVIEW,
        "body_fr": "Stop : {{ unsubscribe_url }}",
        "body_en": "{{ unsubscribe_url }}",
    }
    for headers in (HX, {}):
        response = auth.post(
            "/messaging/templates/preview",
            data={**texts, "recipient": "zoe@example.org"},
            headers=headers,
        )
        body = response.get_data(as_text=True)
        assert "/messaging/unsubscribe/…" in body and token not in body
    saved = auth.post("/messaging/templates/new", data={**texts, "action": "preview"})
    assert token not in saved.get_data(as_text=True)

    _deliver(services.save_template(None, texts, colleague, utcnow()))
    mailed = {to: m.get_body(("plain",)).get_content() for to, m in smtp.messages}
    assert f"/messaging/unsubscribe/{token}" in mailed["zoe@example.org"]


def test_a_preview_naming_a_variable_only_notices_give_explains_it_in_words(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    texts = {**PREVIEW, "body_fr": "{{ custody_news }}", "body_en": "{{ custody_news }}"}
    body = auth.post("/messaging/templates/preview", data=texts, headers=HX).get_data(as_text=True)
    assert "is undefined" not in body and "Rendu impossible" not in body
    assert (
        "La variable custody_news n&#39;est fournie que dans les notifications sur un "
        "appareil rapporté, pas dans un aperçu." in body
    )


def test_the_preview_explains_a_jinja_problem_in_words_with_and_without_htmx(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    data = {**PREVIEW, "body_en": "Hi\n{{ first_name|shout }}"}
    fragment = auth.post("/messaging/templates/preview", data=data, headers=HX)
    page = auth.post("/messaging/templates/preview", data=data)
    assert fragment.status_code == page.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True) and "<html" in page.get_data(as_text=True)
    for response in (fragment, page):
        shown = html.unescape(response.get_data(as_text=True))
        assert "Ligne 2\u00a0: «\u00a0shout\u00a0» n'est pas un filtre" in shown
        assert "No filter named" not in shown


def test_preview_without_javascript_shows_the_whole_editor(auth, client, make):
    login(client, make.user(roles=("organiser",), display_name="Nora Benali"))
    response = auth.post("/messaging/templates/new", data={**PREVIEW, "action": "preview"})
    body = response.get_data(as_text=True)
    assert "<html" in body and "Body for Nora Benali" in body
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "x")) is None


def test_test_send_reaches_my_inbox_and_my_mailbox(auth, client, make, template, smtp):
    organiser = make.user(roles=("organiser",), email="me@example.org")
    tpl = template()
    login(client, organiser)
    auth.post(f"/messaging/templates/{tpl.id}/test")
    assert smtp.recipients() == ["me@example.org"]
    assert _message_of(organiser).status == "delivered"


def test_audience_size_is_shown_with_and_without_htmx(client, make):
    make.user()
    login(client, make.user(roles=("organiser",)))
    fragment = client.get("/messaging/audience-size?audience=everyone", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "2 " in fragment.get_data(as_text=True)
    page = client.get("/messaging/audience-size?audience=everyone").get_data(as_text=True)
    assert "<html" in page and "2 " in page


def test_the_schedule_page_comes_with_its_audience_size(client, make):
    """Shown from the start, the size is not fetched on load: a size fetched on load was
    read out to screen readers as a change the organiser had not made."""
    make.user()
    make.user()
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/audience-size?audience=everyone").get_data(as_text=True)
    size = page.split('id="audience-size"', 1)[1].split("</p>", 1)[0]
    assert "3 destinataires" in size
    # Not on load; and only when the recipients change (review 24: not at every change).
    assert 'hx-trigger="change from:closest fieldset"' in page


def test_scheduling_an_empty_audience_is_refused_with_a_message(auth, client, make, template):
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "role", "role": "agent", "kind": "now"},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Dispatch)) is None


def test_the_first_schedule_page_keeps_the_built_in_templates_it_offers(auth, client, make):
    """A fresh install creates the built-in templates on the first schedule page; the
    organiser's choice among them must still exist when the form is posted."""
    make.user()
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/schedule").get_data(as_text=True)
    offered = re.search(r'<option value="(\d+)">Lancement de campagne', page).group(1)
    response = auth.post(
        "/messaging/schedule",
        data={"template": offered, "audience": "everyone", "kind": "now", **CONFIRMED},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Dispatch.template_id)) == int(offered)


def test_scheduling_at_a_time_creates_a_dispatch(auth, client, make, template):
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={
            "template": tpl.id,
            "audience": "everyone",
            "kind": "at",
            "at": coming(1, 5),
            **CONFIRMED,
        },
    )
    assert response.status_code == 302
    dispatch = db.session.scalar(select(Dispatch))
    assert dispatch.due_at.isoformat() == f"{coming(1, 5)[:10]}T08:00:00+00:00"


def _schedule_recurring(auth, template, **fields):
    return auth.post(
        "/messaging/schedule",
        data={
            "template": template.id,
            "audience": "everyone",
            "kind": "cron",
            **CONFIRMED,
            **fields,
        },
    )


def test_a_weekly_message_is_chosen_by_day_and_time_and_listed_in_words(
    auth, client, make, template
):
    login(client, make.user(roles=("organiser",)))
    response = _schedule_recurring(
        auth, template(), repeat="weekly", weekday="2", time="08:30", cron="ignored"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Schedule.cron)) == "30 8 * * wed"
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    assert "Chaque mercredi à 8\u00a0h\u00a030" in listing and "<code>" not in listing
    assert "Prochain envoi" in listing and "8\u00a0h\u00a030</td>" in listing
    assert 'data-label="Répétition\u00a0:"' in listing  # each value named on a phone


def test_every_rhythm_becomes_its_cron(auth, client, make, template):
    login(client, make.user(roles=("organiser",)))
    tpl = template()
    for fields, cron in [
        ({"repeat": "daily", "time": "07:00"}, "0 7 * * *"),
        ({"repeat": "weekdays", "time": "12:15"}, "15 12 * * mon-fri"),
        ({"repeat": "monthly", "month_day": "28", "time": "09:00"}, "0 9 28 * *"),
        ({"repeat": "custom", "cron": " 0 9 1,15 * * "}, "0 9 1,15 * *"),
    ]:
        assert _schedule_recurring(auth, tpl, **fields).status_code == 302
        latest = db.session.scalars(select(Schedule).order_by(Schedule.id.desc())).first()
        assert latest.cron == cron
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    assert "Chaque mois, le 28 à 9\u00a0h" in listing
    assert "<code>0 9 1,15 * *</code>" in listing  # a custom rhythm, shown as typed


def test_a_recurrence_missing_its_time_or_expression_is_refused_and_saves_nothing(
    auth, client, make, template
):
    login(client, make.user(roles=("organiser",)))
    tpl = template()
    for fields, field, error in [
        ({"repeat": "custom", "cron": "  "}, "cron", "Indiquez l&#39;expression cron."),
        ({"repeat": "weekly", "weekday": "1", "time": ""}, "time", "Indiquez l&#39;heure"),
        ({"repeat": "weekly", "weekday": "1", "time": "25:00"}, "time", ""),
        ({"repeat": "monthly", "month_day": "31", "time": "09:00"}, "month_day", ""),
        ({"repeat": "weekly", "weekday": "9", "time": "09:00"}, "weekday", ""),
        ({"repeat": "hourly", "time": "09:00"}, "repeat", ""),
    ]:
        response = _schedule_recurring(auth, tpl, **fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        message = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
        assert message.strip() and error in message, fields
    assert db.session.scalar(select(Schedule)) is None


def test_a_cron_expression_that_is_not_valid_is_refused_at_the_cron_field(
    auth, client, make, template
):
    login(client, make.user(roles=("organiser",)))
    response = _schedule_recurring(auth, template(), repeat="custom", cron="every monday")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "n'est pas une expression cron valide" in _field_error(page, "cron")
    assert 'id="kind-error"' not in page  # not at "When"
    assert db.session.scalar(select(Schedule)) is None


def test_a_recurrence_more_often_than_daily_is_refused_at_its_field_and_saves_nothing(
    auth, client, make, template
):
    login(client, make.user(roles=("organiser",)))
    tpl = template()
    for cron in ("* * * * *", "*/15 * * * *", "0 9,17 * * *", "* 9 1 * *"):
        response = _schedule_recurring(auth, tpl, repeat="custom", cron=cron)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, cron
        message = page.split('id="cron-error">', 1)[1].split("</p>", 1)[0]
        assert "au plus une fois par jour" in message, cron
        assert 'aria-invalid="true"' in re.search(r'<input[^>]*id="cron"[^>]*>', page).group()
    assert db.session.scalar(select(Schedule)) is None
    assert "Message planifié" not in client.get("/messaging/dispatches").get_data(as_text=True)


def test_a_stored_rhythm_more_often_than_daily_is_listed_with_a_warning_to_change_it(
    client, make, template
):
    """Saved before the once-a-day rule: the list asks to change it (it sends once a day)."""
    tpl = template()
    for cron in ("*/15 * * * *", "0 9 * * mon"):
        db.session.add(
            Schedule(
                template_id=tpl.id,
                audience_key="everyone",
                audience_params={},
                kind="cron",
                cron=cron,
                created_at=utcnow(),
            )
        )
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    rows = listing.split("<tbody", 1)[1].split("</tbody>", 1)[0].split('<tr role="row">')[1:]
    warned = [row for row in rows if "plus fréquent qu'une fois par jour" in html.unescape(row)]
    assert len(rows) == 2 and len(warned) == 1
    assert "<code>*/15 * * * *</code>" in warned[0] and "planifiez-le de nouveau" in warned[0]


def test_an_audience_without_its_parameter_asks_for_it_in_words_at_its_field(
    auth, client, make, template
):
    login(client, make.user(roles=("organiser",)))
    tpl = template()
    for audience, param, asked in [
        ("campaign-participants", "campaign_id", "Choisissez une campagne."),
        ("department", "department_id", "Choisissez une direction."),
        ("commune", "commune_id", "Choisissez une commune."),
        ("role", "role", "Choisissez un rôle."),
    ]:
        response = auth.post(
            "/messaging/schedule", data={"template": tpl.id, "audience": audience, "kind": "now"}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 422, audience
        assert f'<p class="error" id="{param}-error">{asked}</p>' in page, audience
        select_tag = page.split(f'<select id="{param}"', 1)[1].split(">", 1)[0]
        assert f'aria-describedby="{param}-error"' in select_tag and "aria-invalid" in select_tag
        assert 'id="kind-error"' not in page
    assert db.session.scalar(select(Dispatch)) is None


def test_dispatch_page_shows_counts_with_and_without_htmx(client, make, template):
    make.user(email_opt_in=False)
    dispatch = _deliver(template())
    login(client, make.user(roles=("organiser",)))
    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    fragment = client.get(f"/messaging/dispatches/{dispatch.id}", headers=HX).get_data(as_text=True)
    assert "<html" in page and "<html" not in fragment
    assert "Skipped" in fragment or "Ignorés" in fragment


def test_dashboard_panel_shows_latest_unread(client, make, template):
    user = make.user()
    _deliver(template())
    login(client, user)
    assert "Bonjour Person" in client.get("/").get_data(as_text=True)


def test_the_inbox_pages_through_many_messages(client, make, template):
    user = make.user(locale="en")
    news = template()
    for _ in range(23):
        _deliver(news)
    login(client, user)
    first = client.get("/messaging/").get_data(as_text=True)
    second = client.get("/messaging/?page=2").get_data(as_text=True)
    assert first.count('<article class="message') == 20 and "Page 1 of 2" in first
    assert second.count('<article class="message') == 3 and "Page 2 of 2" in second


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
@pytest.mark.parametrize(
    ("asked", "shown"),
    [("abc", 1), ("-1", 1), ("0", 1), ("1.5", 1), ("9999", 2), ("9" * 40, 2)],
)
def test_an_inbox_page_that_is_not_one_shows_the_first_or_the_last(
    client, make, template, headers, asked, shown
):
    """As every list does: text or a number below 1 is the first page, a number past
    the end the last one (an old link), not a "Not found" page nor "No message yet."."""
    user = make.user(locale="en")
    news = template()
    for _ in range(23):
        _deliver(news)
    login(client, user)
    expected = _inbox_list(client.get(f"/messaging/?page={shown}").get_data(as_text=True))
    response = client.get(f"/messaging/?page={asked}", headers=headers)
    assert response.status_code == 200
    assert _inbox_list(response.get_data(as_text=True)) == expected


def _inbox_list(page: str) -> str:
    """The messages listed and the pagination under them (the rest of the page names
    the address, for the language links)."""
    listed = page.split('<ul class="inbox">', 1)[1].split("</nav>", 1)[0]
    return _without_token(listed)


@pytest.mark.parametrize(("repeat", "warned"), [("daily", True), ("weekdays", False)])
def test_a_rhythm_outside_the_working_hours_is_told_before_scheduling(
    auth, client, make, template, config, repeat, warned
):
    """Every day at 9 h with Monday-to-Friday hours: the e-mails of Saturday and Sunday
    wait for Monday, when three arrive together; the organiser reads it before "yes"."""
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00")
    login(client, make.user(roles=("organiser",), locale="en"))
    page = auth.post(
        "/messaging/schedule",
        data={
            "template": template().id,
            "audience": "everyone",
            "kind": "cron",
            "repeat": repeat,
            "time": "09:00",
        },
    ).get_data(as_text=True)
    assert "Confirm the message" in page
    warning = re.search(r'id="working-hours-warning"[^>]*>(.*?)</p>', page, re.S)
    assert bool(warning) == warned
    if warned:
        text = html.unescape(warning.group(1))
        assert "Some of its sendings fall outside the e-mail working hours" in text
        assert re.search(r"the first on (Saturday|Sunday), .* wait until Monday, ", text)
    assert db.session.scalar(select(func.count(Schedule.id))) == 0  # asked, not scheduled
