"""A notice template (an entry accepted, a device received…) goes to one person when it
concerns them: the organiser's pages never offer to schedule it, and asking to schedule
one says so instead of quietly preselecting another template."""

import html
import re

from sqlalchemy import select

from app.extensions import db
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.models import MessageTemplate
from tests.conftest import login


def _notice():
    ensure_builtin_templates()
    db.session.commit()
    return db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "entry-accepted"))


def test_the_templates_list_offers_no_schedule_link_for_a_notice(client, make):
    notice = _notice()
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get("/messaging/templates").get_data(as_text=True)
    assert f"/messaging/schedule?template={notice.id}" not in page
    assert "Sent by the portal, to one person at a time" in page


def test_a_notice_s_own_page_says_it_cannot_be_scheduled(client, make):
    notice = _notice()
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/messaging/templates/{notice.id}").get_data(as_text=True)
    assert f"/messaging/schedule?template={notice.id}" not in page
    assert "it cannot be scheduled" in page


def test_asking_to_schedule_a_notice_says_so_and_preselects_nothing_in_its_place(client, make):
    notice = _notice()
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(
        client.get(f"/messaging/schedule?template={notice.id}").get_data(as_text=True)
    )
    assert re.search(r'<p class="error" id="template-error">[^<]*ne peut pas être planifié', page)
    # Only the empty choice is selected: the browser shows no template as chosen.
    select = re.search(r'<select[^>]*id="template".*?</select>', page, re.S).group(0)
    assert re.findall(r"<option[^>]*\bselected\b[^>]*>", select) == ['<option selected value="">']
