"""A page of the audit log past its end (an old link, a narrower filter) shows the last
page, as the portal's other lists do, not "1 event" over "No event matches"."""

import html

from app.core.audit import record_audit
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def test_a_page_past_the_end_shows_the_last_page(client, make):
    admin = make.user(roles=("admin",), locale="en")
    record_audit(admin, "role.grant", "user", admin.id, utcnow(), "agent")
    db.session.commit()
    login(client, admin)
    page = html.unescape(client.get("/admin/audit?page=99999").get_data(as_text=True))
    assert "1 event" in page
    assert "No event matches these filters." not in page


def test_with_javascript_the_swapped_table_is_the_last_page_too(client, make):
    admin = make.user(roles=("admin",), locale="en")
    record_audit(admin, "role.grant", "user", admin.id, utcnow(), "agent")
    db.session.commit()
    login(client, admin)
    answer = client.get("/admin/audit?page=99999", headers={"HX-Request": "true"})
    assert "No event matches these filters." not in answer.get_data(as_text=True)
