"""The audit log words a recurring message's rhythm as the confirmation page does, in
the reader's language, and names an expression it cannot word as a custom rhythm."""

import html
import re

from app.extensions import db
from app.messaging.models import MessageTemplate
from tests.conftest import login


def _text(response) -> str:
    return re.sub(
        r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(True)))
    )


def _schedule(auth, **fields):
    template = MessageTemplate(
        key="digest", name="Digest", subject_fr="Bonjour", body_fr="Bonjour {{ first_name }}",
        subject_en="Hello", body_en="Hello {{ first_name }}",
    )  # fmt: skip
    db.session.add(template)
    db.session.commit()
    data = {"template": template.id, "audience": "everyone", "kind": "cron", "confirm": "yes"}
    return auth.post("/messaging/schedule", data={**data, **fields})


def test_a_recurring_message_is_worded_in_the_audit_log(client, auth, make):
    login(client, make.user(roles=("organiser",)))
    assert _schedule(auth, repeat="weekly", weekday="0", time="09:00").status_code == 302
    admin = make.user(roles=("admin",))
    login(client, admin)
    french = _text(client.get("/admin/audit"))
    assert "Chaque lundi à 9\u00a0h" in french and "0 9 * * mon" not in french
    admin.locale = "en"
    db.session.commit()
    assert "Every Monday at 09:00" in _text(client.get("/admin/audit"))


def test_a_rhythm_that_cannot_be_worded_is_named_a_custom_rhythm(client, auth, make):
    login(client, make.user(roles=("organiser",)))
    assert _schedule(auth, repeat="custom", cron="0 9 1,15 * *").status_code == 302
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    assert "Custom rhythm “0 9 1,15 * *”" in _text(client.get("/admin/audit"))
    admin.locale = "fr"
    db.session.commit()
    assert "Rythme personnalisé «\u00a00 9 1,15 * *\u00a0»" in _text(client.get("/admin/audit"))
