"""Messaging fixtures: a real SMTP server (aiosmtpd) on loopback, and helpers."""

import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from app.core.personalisation import Variable, register_variables
from app.extensions import db
from app.messaging import services
from tests.cleanup.conftest import flagged, make_campaign  # noqa: F401 - campaigns name audiences


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []
        self.raw = []  # the bytes as they came, line endings included
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append((envelope.rcpt_tos[0], message))
            self.raw.append(envelope.original_content)
        return "250 OK"

    def recipients(self) -> list[str]:
        with self.lock:
            return [to for to, _ in self.messages]


@pytest.fixture
def smtp(app):
    """A real SMTP server; the app sends to it during the test."""
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    handler.port = port
    yield handler
    controller.stop()
    app.config.update(saved)


@pytest.fixture
def smtp_down(app):
    """SMTP settings pointing at a port where nothing listens."""
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    yield
    app.config.update(saved)


@pytest.fixture
def config(app):
    """Change app settings for one test only."""
    saved = {}

    def set_(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield set_
    app.config.update(saved)


@pytest.fixture
def points_provider(app):
    """Registers `points` and `team_name` as the clean-up domain would (not in this branch)."""
    registry = app.extensions.setdefault("empreinte.variables", [])
    before = list(registry)

    def provider(users, now, context):
        return {u.id: {"points": u.id * 10, "team_name": "Équipe"} for u in users}

    register_variables(
        app, [Variable("points", "Points", 120), Variable("team_name", "Team", "DNUM")], provider
    )
    yield
    registry[:] = before


@pytest.fixture
def template(make):
    """A valid template in both languages."""

    def build(key="hello", **texts):
        data = {
            "key": key,
            "name": "Hello",
            "subject_fr": "Bonjour {{ first_name }}",
            "body_fr": "Bonjour {{ first_name }}.\n\nDésabonnement : {{ unsubscribe_url }}",
            "subject_en": "Hello {{ first_name }}",
            "body_en": "Hello {{ first_name }}.\n\nUnsubscribe: {{ unsubscribe_url }}",
        }
        data.update(texts)
        author = make.user(roles=("organiser",))
        from app.core.time import utcnow

        saved = services.save_template(None, data, author, utcnow())
        db.session.commit()
        return saved

    return build


def deliver_to_everyone(template, count: int = 1, now=None) -> None:
    """Send `template` to everyone `count` times through the real dispatch job, at `now`
    (the real clock by default): the inbox then holds what people would find in it."""
    from app.core.time import utcnow
    from app.messaging import jobs

    now = now or utcnow()
    for _ in range(count):
        dispatch = services.create_dispatch(template, "everyone", {}, now, now)
        db.session.commit()
        jobs.run_dispatch(dispatch.id, clock=lambda: now)


def inbox_of(user) -> list:
    """The person's inbox deliveries, oldest first."""
    from sqlalchemy import select

    from app.messaging.models import Delivery

    return db.session.scalars(
        select(Delivery)
        .where(Delivery.user_id == user.id, Delivery.channel == "inbox")
        .order_by(Delivery.id)
    ).all()


# A template whose texts render with the previewed person's names.
PREVIEW = {
    "key": "x",
    "name": "x",
    "subject_fr": "Objet {{ first_name }}",
    "body_fr": "Corps pour {{ display_name }}",
    "subject_en": "Subject {{ first_name }}",
    "body_en": "Body for {{ display_name }}",
}


def coming(month: int, day: int, clock: str = "09:00") -> str:
    """The next `day` of `month` after today in Paris, as the date field writes it
    ("2027-01-05T09:00"): always within the year a message may be planned ahead."""
    from datetime import date

    from app.core.time import local_zone, utcnow

    today = utcnow().astimezone(local_zone()).date()
    moment = date(today.year, month, day)
    if moment <= today:
        moment = moment.replace(year=today.year + 1)
    return f"{moment.isoformat()}T{clock}"


def template_form(**texts) -> dict:
    """The new template form, filled in both languages (`texts` change or add fields)."""
    return {
        "key": "news",
        "name": "News",
        "subject_fr": "Bonjour",
        "body_fr": "Bonjour",
        "subject_en": "Hello",
        "body_en": "Hello",
        **texts,
    }
