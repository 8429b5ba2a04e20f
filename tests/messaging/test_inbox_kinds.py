"""The inbox's messages, each kind rendered once and filled (app/messaging/inbox.py):
every message keeps its own state, date, language and the reader's own CSRF token."""

import re
from datetime import UTC, datetime

from app.extensions import db
from tests.conftest import CSRF_RE, csrf_token, login
from tests.messaging.conftest import deliver_to_everyone, inbox_of

HX = {"HX-Request": "true"}


_deliver, _inbox = deliver_to_everyone, inbox_of


def _reading(client, make, template, count: int, locale: str = "en") -> tuple:
    """Someone signed in with `count` messages of one template: (them, their messages)."""
    me = make.user(locale=locale)
    news = template()
    for _ in range(count):
        _deliver(news)
    login(client, me)
    return me, _inbox(me)


def _article(page: str, message_id: int) -> str:
    start = page.index('<article class="message')
    start = page.index(f'id="message-{message_id}"', start)
    return page[page.rindex("<article", 0, start) : page.index("</article>", start)]


def _spaced(page: str) -> str:
    """The page, its no-break spaces (French typography: "9 h") as plain ones."""
    return page.replace("\u202f", " ").replace("\xa0", " ")


def test_a_read_message_and_an_unread_one_each_show_their_own_state(client, make, template):
    _me, (first, second, third) = _reading(client, make, template, 3)
    client.get("/messaging/")  # every kind rendered once already
    client.post(f"/messaging/inbox/{second.id}/read", data={"csrf_token": csrf_token(client)})
    page = client.get("/messaging/").get_data(as_text=True)
    for unread in (first, third):
        shown = _article(page, unread.id)
        assert '<span class="tag">Unread</span>' in shown
        assert f'action="/messaging/inbox/{unread.id}/read"' in shown
    read = _article(page, second.id)
    assert "Unread" not in read and "/read" not in read
    assert f'action="/messaging/inbox/{second.id}/delete"' in read


def test_each_reader_sees_the_date_in_their_language_and_the_time_of_paris(client, make, template):
    french, english = make.user(locale="fr"), make.user(locale="en")
    _deliver(template(), now=datetime(2026, 3, 16, 8, 0, tzinfo=UTC))  # 9 h in Paris
    login(client, french)
    page = _spaced(client.get("/messaging/").get_data(as_text=True))
    assert (
        '<span class="hint message-when">16 mars 2026, 9 h</span>' in page
        and "Marquer comme lu" in page
    )
    login(client, english)
    page = _spaced(client.get("/messaging/").get_data(as_text=True))
    assert (
        '<span class="hint message-when">16 Mar 2026, 09:00</span>' in page
        and "Mark as read" in page
    )
    assert "Marquer comme lu" not in page


def test_the_forms_of_my_messages_carry_my_own_csrf_token(app, client, make, template):
    me, colleague = make.user(), make.user()
    _deliver(template())
    pages = []
    for person in (me, colleague):
        reader = app.test_client()
        login(reader, person)
        pages.append(reader.get("/messaging/").get_data(as_text=True))
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) for page in pages]
    assert [len(found) for found in tokens] == [1, 1]
    assert tokens[0] != tokens[1]
    for page, found in zip(pages, tokens, strict=True):
        assert found == {CSRF_RE.search(page).group(1)}


def test_a_message_on_page_two_comes_back_to_page_two_without_javascript(client, make, template):
    _me, messages = _reading(client, make, template, 21)
    oldest = messages[0]
    newest = messages[-1]
    first = client.get("/messaging/").get_data(as_text=True)
    second = client.get("/messaging/?page=2").get_data(as_text=True)
    assert f'action="/messaging/inbox/{newest.id}/read"' in first
    assert f'action="/messaging/inbox/{oldest.id}/read?page=2"' in second
    assert f'hx-post="/messaging/inbox/{oldest.id}/read"' in second


def test_marking_read_with_htmx_says_so_for_that_message_only(client, make, template):
    _me, (first, second) = _reading(client, make, template, 2)
    fragment = client.post(
        f"/messaging/inbox/{first.id}/read", data={"csrf_token": csrf_token(client)}, headers=HX
    ).get_data(as_text=True)
    assert f'id="message-{first.id}"' in fragment and "Marked as read." in fragment
    assert 'name="csrf_token" value="' + csrf_token(client) in fragment
    client.post(f"/messaging/inbox/{second.id}/read", data={"csrf_token": csrf_token(client)})
    page = client.get("/messaging/").get_data(as_text=True)
    assert "Marked as read." not in _article(page, first.id)


def test_a_message_whose_content_was_erased_says_so(client, make, template):
    _me, (erased, kept) = _reading(client, make, template, 2)
    erased.subject = erased.body = None
    db.session.commit()
    page = client.get("/messaging/").get_data(as_text=True)
    gone = _article(page, erased.id)
    assert "(content erased)" in gone and "end of its retention period" in gone
    shown = _article(page, kept.id)
    assert kept.subject in shown and "(content erased)" not in shown


def test_a_message_in_another_language_than_the_page_is_marked_with_its_own(client, make, template):
    """Written in French for someone now reading in English: a screen reader reads its
    subject and body in French; the buttons stay in the page's language."""
    me = make.user(locale="fr")
    _deliver(template())
    me.locale = "en"
    db.session.commit()
    login(client, me)
    (message,) = _inbox(me)
    shown = _article(client.get("/messaging/").get_data(as_text=True), message.id)
    assert f'<span lang="fr">{message.subject}</span>' in shown
    assert '<div class="message-body" lang="fr">' in shown
    assert ">Mark as read<" in shown
    me.locale = "fr"
    db.session.commit()
    same = _article(client.get("/messaging/").get_data(as_text=True), message.id)
    assert "lang=" not in same


def test_the_home_panel_marks_a_subject_in_another_language_too(client, make, template):
    """« Latest messages » on the home page lists the same subjects as the inbox: one
    written in French, read on an English page, is read out in French (WCAG 3.1.2)."""
    me = make.user(locale="fr")
    _deliver(template())
    me.locale = "en"
    db.session.commit()
    login(client, me)
    (message,) = _inbox(me)
    home = client.get("/").get_data(as_text=True)
    assert re.search(rf'<a href="/messaging/#message-{message.id}" lang="fr">', home)
    me.locale = "fr"
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert f'<a href="/messaging/#message-{message.id}">' in home


def test_buttons_of_messages_with_the_same_subject_say_when_each_came(client, make, template):
    """Eight weekly digests: « Supprimer Votre semaine…, 30 nov. 2026, 9 h » tells them apart."""
    me = make.user(locale="fr")
    news = template()
    _deliver(news, now=datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    _deliver(news, now=datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    login(client, me)
    page = _spaced(client.get("/messaging/").get_data(as_text=True))
    older, newer = _inbox(me)
    assert f"{older.subject}</span>, 23 nov. 2026, 9 h</span>" in _article(page, older.id)
    assert f"{newer.subject}</span>, 30 nov. 2026, 9 h</span>" in _article(page, newer.id)


def _written_in(client, make, template, page_language: str, sent_in: str):
    """A message delivered in `sent_in` to someone now reading in `page_language`."""
    me = make.user(locale=sent_in)
    _deliver(template())
    me.locale = page_language
    db.session.commit()
    login(client, me)
    (message,) = _inbox(me)
    return me, message


def test_a_subject_in_french_on_an_english_inbox_says_in_french(client, make, template):
    """A sighted reader is told why the subject is in another language, in the page's."""
    _me, message = _written_in(client, make, template, "en", "fr")
    shown = _article(client.get("/messaging/").get_data(as_text=True), message.id)
    assert f'{message.subject}</span> <span class="hint">(in French)</span></h2>' in shown


def test_a_subject_in_english_on_a_french_inbox_says_en_anglais(client, make, template):
    me, message = _written_in(client, make, template, "fr", "en")
    shown = _article(client.get("/messaging/").get_data(as_text=True), message.id)
    assert f'{message.subject}</span> <span class="hint">(en anglais)</span></h2>' in shown
    me.locale = "en"
    db.session.commit()
    same = _article(client.get("/messaging/").get_data(as_text=True), message.id)
    assert "(in English)" not in same and "(en anglais)" not in same


def test_the_home_panel_says_a_subject_is_in_french_on_an_english_page(client, make, template):
    me, message = _written_in(client, make, template, "en", "fr")
    home = client.get("/").get_data(as_text=True)
    assert f'{message.subject}</a> <span class="hint">(in French)</span>' in home
    me.locale = "fr"
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "(en français)" not in home and f"{message.subject}</a> <span" in home


def test_the_home_panel_says_a_subject_is_in_english_on_a_french_page(client, make, template):
    _me, message = _written_in(client, make, template, "fr", "en")
    home = client.get("/").get_data(as_text=True)
    assert f'{message.subject}</a> <span class="hint">(en anglais)</span>' in home
