"""A one-line box keeps one line: a line break sent in it (a script, a pasted text) is
saved as a space, as the box shows it; a text area keeps its lines."""

from sqlalchemy import select

from app.extensions import db
from app.messaging.models import MessageTemplate
from tests.conftest import login
from tests.messaging.conftest import template_form


def test_a_subject_sent_with_line_breaks_is_saved_on_one_line(auth, client, make):
    """Stored on two lines, the subject read differently in the edit box (which drops
    the break when saved again) and in the e-mail's header."""
    login(client, make.user(roles=("organiser",)))
    answer = auth.post(
        "/messaging/templates/new",
        data=template_form(subject_fr="Sujet\r\nBcc: evil@example.org", body_fr="Ligne 1\nLigne 2"),
    )
    assert answer.status_code == 302
    template = db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "news"))
    assert template.subject_fr == "Sujet Bcc: evil@example.org"
    assert template.body_fr == "Ligne 1\nLigne 2"  # a text area keeps its lines


def test_an_organisers_reason_written_on_several_lines_keeps_them(app):
    from app.cleanup.forms import ReviewForm

    with app.test_request_context(
        method="POST", data={"decision": "reject", "reason": "Pas de preuve.\nMerci."}
    ):
        form = ReviewForm(meta={"csrf": False})
        assert form.validate()
        assert form.reason.data == "Pas de preuve.\nMerci."
