"""Times of day written the reader's way (« 9 h », « 10 h 30 » in French), a test send's
page naming its audience in words, and built-in texts that follow a new release unless
an organiser edited them."""

import html
import re
from datetime import time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.i18n import format_clock, regional_locale
from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.builtins import (
    BUILTIN_TEMPLATES,
    SHIPPED_TEXTS,
    ensure_builtin_templates,
    shipped_fingerprint,
)
from app.messaging.models import Dispatch, MessageTemplate
from tests.conftest import login
from tests.messaging.conftest import coming


def _text(response) -> str:
    return re.sub(
        r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(True)))
    )


# --- times of day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "french", "english"),
    [
        (time(9, 0), "9\u00a0h", "09:00"),
        (time(10, 30), "10\u00a0h\u00a030", "10:30"),
        (time(0, 5), "0\u00a0h\u00a005", "00:05"),
    ],
)
def test_a_time_of_day_is_written_as_french_typography_has_it(app, moment, french, english):
    with app.test_request_context():
        with force_locale("fr"):
            assert format_clock(moment) == french
        with force_locale(regional_locale("en")):
            assert format_clock(moment) == english


def _ask_at(auth, tpl, at: str):
    return auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "everyone", "kind": "at", "at": at},
    )


def test_the_confirmation_writes_a_one_off_time_in_each_language(auth, client, make, template):
    tpl = template()
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    french = _text(_ask_at(auth, tpl, coming(1, 5, "10:30")))
    assert (
        f"le 5 janv. {coming(1, 5)[:4]}, 10\u00a0h\u00a030\u00a0?" in french
        and "10:30" not in french
    )
    organiser.locale = "en"
    db.session.commit()
    english = _text(_ask_at(auth, tpl, coming(1, 5, "10:30")))
    assert f"on 5 Jan {coming(1, 5)[:4]}, 10:30?" in english


def test_the_dispatch_page_writes_its_due_time_in_french(client, make, template):
    due = utcnow().replace(month=1, day=5, hour=9, minute=30) + timedelta(days=800)
    dispatch = services.create_dispatch(template(), "everyone", {}, due, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = _text(client.get(f"/messaging/dispatches/{dispatch.id}"))
    assert "10\u00a0h\u00a030" in page  # 09:30 UTC is 10:30 in Paris in January


# --- a dispatch's audience in words -------------------------------------------------------


def test_a_test_sends_page_names_its_audience_in_words(auth, client, make, template, smtp):
    """It read "user : 2", the author's id, to anyone typing its address."""
    tpl = template()
    author = make.user(roles=("organiser",), display_name="Nora Benali")
    login(client, author)
    auth.post(f"/messaging/templates/{tpl.id}/test")
    dispatch_id = db.session.scalar(select(Dispatch.id))
    own = _text(client.get(f"/messaging/dispatches/{dispatch_id}"))
    assert "Groupe de destinataires Un test envoyé à vous-même" in own
    assert "user" not in own and f": {author.id}" not in own
    # Another organiser no longer sees it at all (test_render_limits_and_test_send_access.py).


def test_a_department_or_role_dispatch_names_its_audience(client, make, template):
    department = make.department(name_fr="Direction du numérique")
    tpl = template()
    now = utcnow()
    by_department = services.create_dispatch(
        tpl, "department", {"department_id": str(department.id)}, now + timedelta(days=1), now
    )
    by_role = services.create_dispatch(tpl, "role", {"role": "agent"}, now + timedelta(days=1), now)
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = _text(client.get(f"/messaging/dispatches/{by_department.id}"))
    assert "Groupe de destinataires Une direction\u00a0: Direction du numérique Prévu le" in page
    page = _text(client.get(f"/messaging/dispatches/{by_role.id}"))
    audience = page.split("Groupe de destinataires ", 1)[1].split(" Prévu le", 1)[0]
    assert audience.startswith("Un rôle\u00a0: ") and "agent" not in audience


# --- built-in texts follow a new release ---------------------------------------------------


def _installed(key: str, **texts) -> MessageTemplate:
    """A built-in template as an older release installed it."""
    template = MessageTemplate(
        key=key, name=BUILTIN_TEMPLATES[key]["name"], builtin=True,
        **{**{f: BUILTIN_TEMPLATES[key][f] for f in ("subject_fr", "subject_en", "body_en")},
           **texts},
    )  # fmt: skip
    db.session.add(template)
    db.session.commit()
    return template


def _old_custody_text() -> str:
    return BUILTIN_TEMPLATES["device-custody"]["body_fr"].replace(
        "chaîne de traçabilité", "chaîne de garde"
    )


# The subjects the custody notice was shipped with until 5 December ("returned" read
# oddly for a device that never came, or a point that closed).
OLD_CUSTODY_SUBJECTS = {
    "subject_fr": "Des nouvelles de l'appareil que vous avez rapporté",
    "subject_en": "News of the device you returned",
}


def test_an_unedited_builtin_template_takes_the_new_text_on_the_templates_page(client, make):
    custody = _installed("device-custody", body_fr=_old_custody_text(), **OLD_CUSTODY_SUBJECTS)
    login(client, make.user(roles=("organiser",)))
    assert client.get("/messaging/templates").status_code == 200
    db.session.expire_all()
    custody = db.session.get(MessageTemplate, custody.id)
    assert "chaîne de traçabilité" in custody.body_fr and "chaîne de garde" not in custody.body_fr
    assert custody.subject_en == BUILTIN_TEMPLATES["device-custody"]["subject_en"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == str(custody.id)))
    assert (event.action, event.actor_id, event.summary) == ("restore", None, "device-custody")


def test_the_custody_notice_shipped_before_takes_its_new_subject(app, make):
    body_fr = BUILTIN_TEMPLATES["device-custody"]["body_fr"]
    custody = _installed("device-custody", body_fr=body_fr, **OLD_CUSTODY_SUBJECTS)
    with app.test_request_context():
        assert "device-custody" in ensure_builtin_templates()
    db.session.commit()
    db.session.expire_all()
    custody = db.session.get(MessageTemplate, custody.id)
    assert custody.subject_fr == BUILTIN_TEMPLATES["device-custody"]["subject_fr"]


def test_an_edited_builtin_template_is_never_overwritten(app, make):
    edited = _old_custody_text().replace("Bonjour", "Bonjour et merci,", 1)
    custody = _installed("device-custody", body_fr=edited)
    with app.test_request_context():
        assert "device-custody" not in ensure_builtin_templates()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(MessageTemplate, custody.id).body_fr == edited
    assert db.session.scalar(select(AuditEvent)) is None


def test_an_organisers_own_template_with_a_builtin_text_is_left_alone(app):
    own = MessageTemplate(key="my-custody", name="Mine", builtin=False,
                          **{f: BUILTIN_TEMPLATES["device-custody"][f] for f in
                             ("subject_fr", "subject_en", "body_en")},
                          body_fr=_old_custody_text())  # fmt: skip
    db.session.add(own)
    db.session.commit()
    ensure_builtin_templates()
    db.session.commit()
    assert "chaîne de garde" in db.session.get(MessageTemplate, own.id).body_fr


def test_every_builtin_text_is_the_last_one_its_history_knows():
    """Changing a built-in text: append its new fingerprint to SHIPPED_TEXTS (and keep the
    old ones), or installed copies would stay as they were, or be taken for edited."""
    assert set(SHIPPED_TEXTS) == set(BUILTIN_TEMPLATES)
    for key, texts in BUILTIN_TEMPLATES.items():
        assert SHIPPED_TEXTS[key][-1] == shipped_fingerprint(texts), key
