"""A message template saved from an editor opened before another save of it is refused,
as a campaign's or a collection point's: tab B, opened before tab A changed the English
subject, saved its English body and put the old subject back without a word. Now nothing
is saved, the organiser is told who changed which text, what they typed stays in the
form, and a second save made knowing goes through."""

import html
import re

import pytest

from app.extensions import db
from app.messaging.models import MessageTemplate
from tests.conftest import login


def _version(page: str) -> str:
    return re.search(r'<input[^>]*name="version"[^>]*value="([^"]*)"', page).group(1)


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _data(tpl, version, **changes) -> dict:
    data = {name: getattr(tpl, name) for name in
            ("key", "name", "subject_fr", "body_fr", "subject_en", "body_en")}  # fmt: skip
    return {**data, **changes, "version": version}


@pytest.fixture
def two_tabs(client, auth, make, template):
    """A template opened twice (tabs A and B), A saved with a new English subject:
    (template, B's version)."""
    tpl = template()
    login(client, make.user(roles=("organiser",), locale="en", display_name="Alice Martin"))
    url = f"/messaging/templates/{tpl.id}"
    tab_a = _version(client.get(url).get_data(as_text=True))
    tab_b = _version(client.get(url).get_data(as_text=True))
    saved = auth.post(url, _data(tpl, tab_a, subject_en="New subject {{ first_name }}"))
    assert saved.status_code == 302
    return tpl, tab_b


def _save_from_b(auth, tpl, version):
    body = "Hello again {{ first_name }}.\n\nUnsubscribe: {{ unsubscribe_url }}"
    return auth.post(
        f"/messaging/templates/{tpl.id}",
        _data(tpl, version, subject_en="Hello {{ first_name }}", body_en=body),
    )


def test_a_save_from_the_older_tab_is_refused(auth, two_tabs):
    tpl, tab_b = two_tabs
    assert _save_from_b(auth, tpl, tab_b).status_code == 409


def test_the_refused_save_keeps_the_other_tab_s_subject(auth, two_tabs):
    tpl, tab_b = two_tabs
    _save_from_b(auth, tpl, tab_b)
    db.session.expire_all()
    saved = db.session.get(MessageTemplate, tpl.id)
    assert (saved.subject_en, saved.body_en) == (
        "New subject {{ first_name }}",
        "Hello {{ first_name }}.\n\nUnsubscribe: {{ unsubscribe_url }}",
    )


def test_the_refusal_says_who_changed_which_text(auth, two_tabs):
    tpl, tab_b = two_tabs
    page = _words(_save_from_b(auth, tpl, tab_b).get_data(as_text=True))
    assert "Someone else changed this template after you opened it" in page
    assert "Alice Martin" in page
    assert "Subject in English" in page


def test_the_refusal_is_said_in_french(client, auth, make, two_tabs):
    tpl, tab_b = two_tabs
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = _words(_save_from_b(auth, tpl, tab_b).get_data(as_text=True))
    assert "Quelqu'un d'autre a modifié ce modèle" in page
    assert "Objet en anglais" in page


def test_what_the_older_tab_typed_stays_in_the_form(auth, two_tabs):
    tpl, tab_b = two_tabs
    page = _save_from_b(auth, tpl, tab_b).get_data(as_text=True)
    assert "Hello again {{ first_name }}." in html.unescape(page)


def test_a_second_save_made_knowing_goes_through(auth, two_tabs):
    tpl, tab_b = two_tabs
    page = _save_from_b(auth, tpl, tab_b).get_data(as_text=True)
    assert _save_from_b(auth, tpl, _version(page)).status_code == 302
    db.session.expire_all()
    assert db.session.get(MessageTemplate, tpl.id).body_en.startswith("Hello again")


def test_a_form_sent_without_a_version_is_saved_as_before(auth, two_tabs):
    tpl, _tab_b = two_tabs
    data = _data(tpl, "", body_en="Hi {{ first_name }}.\n\nUnsubscribe: {{ unsubscribe_url }}")
    del data["version"]
    assert auth.post(f"/messaging/templates/{tpl.id}", data).status_code == 302
