"""The organiser's messaging pages in plain English: the notice of upcoming dispatches on
a template they use, the past date refused at scheduling, and what the inbox copy of a
preview leaves out."""

import html
import re

from sqlalchemy import select

from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import login
from tests.messaging.conftest import PREVIEW, coming
from tests.messaging.test_same_message_twice import _yes


def _words(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_template_page_says_upcoming_dispatches_use_it(auth, client, make, template):
    tpl = template()
    make.user(roles=("admin",))
    login(client, make.user(roles=("organiser",), locale="en"))
    fields = {"template": tpl.id, "audience": "role", "role": "admin", "kind": "at"}
    _yes(
        auth,
        auth.post("/messaging/schedule", data={**fields, "at": coming(1, 5)}).get_data(
            as_text=True
        ),
    )
    assert db.session.scalar(select(Dispatch)) is not None
    editor = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    notice = _words(editor.split('id="planned-sends">', 1)[1].split("</div>", 1)[0])
    assert (
        "Upcoming dispatches use this template: what you save here is what they will send."
        in notice
    )


def test_a_past_date_asks_for_a_future_date_and_time(auth, client, make, template):
    tpl = template()
    login(client, make.user(roles=("organiser",), locale="en"))
    data = {"template": tpl.id, "audience": "everyone", "kind": "at", "at": "2020-01-06T09:00"}
    page = _words(auth.post("/messaging/schedule", data=data).get_data(as_text=True))
    assert "This date is in the past: choose a future date and time." in page
    assert "moment to come" not in page


def test_the_preview_says_what_the_inbox_copy_leaves_out(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    body = "Hello {{ first_name }}.\n\nYour inbox: {{ inbox_url }}"
    data = {**PREVIEW, "body_en": body, "action": "preview"}
    page = _words(auth.post("/messaging/templates/new", data=data).get_data(as_text=True))
    assert (
        "The inbox copy leaves out the inbox and unsubscribe links, which only the e-mail has."
        in page
    )
