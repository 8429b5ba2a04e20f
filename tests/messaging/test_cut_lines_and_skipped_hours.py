"""A review's findings: a body line giving the inbox link amid other words is told it
reads cut short in the inbox copy (saved all the same), and a moment the clocks skip is
refused at "Date and time", as a campaign's dates are."""

import html
import re

from sqlalchemy import func, select

from app.extensions import db
from app.messaging.models import Dispatch, MessageTemplate
from tests.conftest import login

CUT = "See {{ portal_url }}/cleanup/guides and {{ inbox_url }}"


def _text(response) -> str:
    words = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"\s+", " ", words.replace("\u00a0", " "))


def _form(**texts) -> dict:
    return {
        "key": "guides",
        "name": "Guides",
        "subject_fr": "Guides",
        "body_fr": "Bonjour {{ first_name }}.",
        "subject_en": "Guides",
        "body_en": "Hello {{ first_name }}.",
        **texts,
    }


def _body_hint(page: str, field: str) -> str:
    return html.unescape(page.split(f'id="{field}-hint">', 1)[1].split("</p>", 1)[0])


def test_saving_a_body_with_the_inbox_link_amid_words_warns_at_that_body(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    saved = auth.post(
        "/messaging/templates/new", data=_form(body_en=CUT, action="save"), follow_redirects=True
    )
    assert saved.status_code == 200 and "Template saved." in _text(saved)  # not refused
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "guides"))
    page = saved.get_data(as_text=True)
    assert _body_hint(page, "body_en") == (
        "The inbox copy leaves {{ inbox_url }} out of its line, whose sentence may then stop "
        "short: put that link on a line of its own."
    )
    assert re.search(r'<textarea [^>]*aria-describedby="body_en-hint"', page)
    assert 'id="body_fr-hint"' not in page


def test_previewing_says_it_in_french_and_a_line_of_its_own_is_not_told(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    own_line = (
        "Voir {{ portal_url }}/cleanup/guides.\nVotre boîte de réception\u00a0: {{inbox_url}}"
    )
    page = auth.post(
        "/messaging/templates/new",
        data=_form(body_fr=CUT, body_en=own_line.replace("Voir", "See"), action="preview"),
    ).get_data(as_text=True)
    assert _body_hint(page, "body_fr").startswith(
        "La copie dans la boîte de réception du portail perd {{ inbox_url }} et garde le reste"
    )
    assert 'id="body_en-hint"' not in page


def _schedule_at_the_skipped_hour(auth, template, **choices):
    """The schedule form sent to everyone with 02:30 on the night the clocks go forward
    in its date field, and `choices` (kind, confirm)."""
    data = {"template": template.id, "audience": "everyone", "at": "2027-03-28T02:30"}
    return auth.post("/messaging/schedule", data=data | choices)


def test_a_time_the_clocks_skip_is_refused_at_the_date_and_nothing_scheduled(
    auth, client, make, template
):
    login(client, make.user(roles=("organiser",), locale="en"))
    answer = _schedule_at_the_skipped_hour(auth, template(), kind="at", confirm="yes")
    assert answer.status_code == 422
    error = answer.get_data(as_text=True).split('id="at-error">', 1)[1].split("</p>", 1)[0]
    assert html.unescape(error) == (
        "This time does not exist in Paris: clocks go forward from 02:00 to 03:00 that night."
    )
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == 0


def test_a_skipped_time_left_in_the_date_field_does_not_stop_sending_now(
    auth, client, make, template
):
    login(client, make.user(roles=("organiser",), locale="en"))
    answer = _schedule_at_the_skipped_hour(auth, template(), kind="now")
    assert 'id="at-error"' not in answer.get_data(as_text=True)
