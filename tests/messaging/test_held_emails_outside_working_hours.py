"""Outside the working hours (a Saturday): a message deleted before its
held e-mail goes, the held e-mail rendered again on Monday, no word on the confirmation
page that a one-off message's e-mails will wait, the demo inbox out of order, the e-mails'
Date header, the English opening hours inside a sentence, the dispatch page on a phone."""

import html
import random
import re
import sys
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.catalogue.models import CatalogueRequest
from app.cleanup.models import CleanupAction
from app.config import Config
from app.core import time as clock
from app.core.personalisation import Variable, register_variables
from app.extensions import db
from app.messaging import jobs, seed, services
from app.messaging.models import Delivery, Dispatch
from app.messaging.seed import in_office_hours
from app.recycling.models import CustodyStep, DeviceReturn
from tests.conftest import browser_sign_in, login
from tests.messaging.conftest import inbox_of
from tests.recycling.conftest import RecyclingFactories

# Saturday 5 December 2026, 19:30 in Paris: e-mails wait for Monday 08:00.
SATURDAY = datetime(2026, 12, 5, 18, 30, tzinfo=UTC)
# Monday 7 December 2026, 08:05 in Paris: the working hours are open.
MONDAY_MORNING = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)
# Thursday 3 December 2026, 15:00 in Paris: in office hours.
THURSDAY = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
HOURS = "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"
EMPLOYEE = "employee@demo.empreinte.fr"


@pytest.fixture
def working_hours(config):
    """The working hours a portal gets when MAIL_WORKING_HOURS is not set."""
    config(MAIL_WORKING_HOURS=Config.MAIL_WORKING_HOURS, TIMEZONE="Europe/Paris")


@pytest.fixture
def stop_clock(monkeypatch):
    """Stops the portal's clock at a given moment, in every module that reads it."""
    real = clock.utcnow
    stopped = {}

    def stop(moment: datetime) -> None:
        stopped["at"] = moment

        def frozen():
            return stopped["at"]

        monkeypatch.setattr(clock, "utcnow", frozen)
        for name, module in list(sys.modules.items()):
            current = getattr(module, "utcnow", None)
            if (
                name.startswith("app")
                and current is not None
                and current in (real, stopped.get("fn"))
            ):
                monkeypatch.setattr(module, "utcnow", frozen)
        stopped["fn"] = frozen

    yield stop
    for name, module in list(sys.modules.items()):  # modules first imported meanwhile
        if name.startswith("app") and getattr(module, "utcnow", None) is stopped.get("fn"):
            module.utcnow = real


@pytest.fixture
def figures(app):
    """A variable whose value changes with the figures of the moment (`figures["points"]`)."""
    registry = app.extensions.setdefault("empreinte.variables", [])
    before = list(registry)
    values = {"points": "120"}

    def provider(users, now, context):
        return {user.id: {"score": values["points"]} for user in users}

    register_variables(app, [Variable("score", "Score", "120")], provider)
    yield values
    registry[:] = before


@pytest.fixture
def scored(make, figures):
    """A template saying the person's score, in both languages."""
    texts = {
        "key": "score",
        "name": "Score",
        "subject_fr": "Votre score : {{ score }}",
        "body_fr": "Bonjour {{ first_name }}, vous avez {{ score }} points.",
        "subject_en": "Your score: {{ score }}",
        "body_en": "Hello {{ first_name }}, you have {{ score }} points.",
    }
    template = services.save_template(None, texts, make.user(roles=("organiser",)), SATURDAY)
    db.session.commit()
    return template


def _send_on_saturday(template) -> Dispatch:
    """A message sent to everyone "now" on Saturday: in the inboxes at once, e-mails held."""
    dispatch = services.create_dispatch(template, "everyone", {}, SATURDAY, SATURDAY)
    db.session.commit()
    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    return dispatch


def _email_row(person) -> Delivery:
    return db.session.scalar(
        select(Delivery).where(Delivery.user_id == person.id, Delivery.channel == "email")
    )


def _text(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("\u00a0", " ").split())


# --- 1. a message deleted before its held e-mail went ---------------------------------------


def _delete_in_inbox(auth, client, person) -> None:
    login(client, person)
    [inbox] = inbox_of(person)
    response = auth.post(f"/messaging/inbox/{inbox.id}/delete", {"confirm": "yes"})
    assert response.status_code == 302


def test_a_message_deleted_on_saturday_is_not_emailed_on_monday(
    auth, client, make, scored, figures, smtp, working_hours, stop_clock
):
    stop_clock(SATURDAY)
    person = make.user(email="lea@example.org", email_opt_in=True, locale="fr")
    _send_on_saturday(scored)
    assert _email_row(person).status == "pending" and smtp.recipients() == []
    _delete_in_inbox(auth, client, person)

    jobs.deliver_due(clock=lambda: MONDAY_MORNING)
    assert smtp.recipients() == []


def test_a_message_deleted_before_its_email_went_is_exported_without_its_content(
    auth, client, make, scored, figures, smtp, working_hours, stop_clock
):
    stop_clock(SATURDAY)
    person = make.user(email="lea@example.org", email_opt_in=True, locale="fr")
    dispatch = _send_on_saturday(scored)
    _delete_in_inbox(auth, client, person)

    jobs.deliver_due(clock=lambda: MONDAY_MORNING)
    exported = client.get("/auth/profile/export").get_json(force=True)["messages"]
    assert sorted((m["channel"], m["deleted"], m["subject"]) for m in exported) == [
        ("email", True, None),
        ("inbox", True, None),
    ]
    row = _email_row(person)
    # No content kept; the reason it was skipped, a code saying nothing of the person.
    assert (row.status, row.subject, row.body, row.error) == ("skipped", None, None, "deleted")
    assert row.deleted_at is not None
    assert db.session.get(Dispatch, dispatch.id).status == "done"  # nothing left waiting


# --- 2. a held e-mail goes with what holds when it goes ------------------------------------


def test_a_held_email_goes_with_the_figures_of_when_it_goes(
    client, make, scored, figures, smtp, working_hours, stop_clock
):
    """It went with Saturday's words, relative times wrong by
    Monday (« Il reste 4 jours »); rendered when it goes, its inbox copy as it went."""
    stop_clock(SATURDAY)
    person = make.user(
        email="lea@example.org", display_name="Léa Roux", email_opt_in=True, locale="fr"
    )
    _send_on_saturday(scored)
    [inbox] = inbox_of(person)
    assert inbox.subject == "Votre score : 120"
    figures["points"] = "480"  # by Monday the figures moved on
    db.session.commit()

    jobs.deliver_due(clock=lambda: MONDAY_MORNING)
    [(_to, email)] = smtp.messages
    assert str(email["Subject"]) == "Votre score : 480"
    assert "Bonjour Léa, vous avez 480 points." in email.get_body(("plain",)).get_content()
    assert inbox_of(person)[0].subject == "Votre score : 120"


def test_a_held_email_goes_in_the_language_its_reader_switched_to_meanwhile(
    client, make, scored, figures, smtp, working_hours, stop_clock
):
    """Written in French on Saturday, it went in French on Monday
    to someone who had switched to English. It goes in English, rendered on Monday."""
    stop_clock(SATURDAY)
    person = make.user(
        email="lea@example.org", display_name="Léa Roux", email_opt_in=True, locale="fr"
    )
    _send_on_saturday(scored)
    person.locale = "en"
    figures["points"] = "480"
    db.session.commit()

    jobs.deliver_due(clock=lambda: MONDAY_MORNING)
    [(_to, email)] = smtp.messages
    assert str(email["Subject"]) == "Your score: 480"
    assert email["Content-Language"] == "en"
    assert "Hello Léa, you have 480 points." in email.get_body(("plain",)).get_content()
    assert inbox_of(person)[0].subject == "Votre score : 120"  # the inbox copy as it went
    assert _email_row(person).locale == "en"


# --- 3. the confirmation page says a one-off message's e-mails will wait --------------------


def _confirmation(auth, client, make, template, **when) -> str:
    login(client, make.user(roles=("organiser",), locale="en"))
    page = auth.post(
        "/messaging/schedule",
        data={"template": template.id, "audience": "everyone", **when},
    )
    assert page.status_code == 200
    return _text(page)


@pytest.mark.parametrize(
    "when",
    [{"kind": "now"}, {"kind": "at", "at": "2026-12-06T10:00"}],
    ids=["now", "sunday"],
)
def test_a_one_off_message_outside_the_working_hours_is_told_before_yes(
    auth, client, make, scored, working_hours, stop_clock, when
):
    stop_clock(SATURDAY)
    page = _confirmation(auth, client, make, scored, **when)
    assert "Confirm the message" in page
    assert (
        "The e-mails of this message wait for the sending hours (right to disconnect): "
        "the inbox copies go at once, the e-mails on Monday, 7 December 2026 at 08:00." in page
    )


def test_the_warning_reads_in_french(auth, client, make, scored, working_hours, stop_clock):
    stop_clock(SATURDAY)
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = _text(
        auth.post(
            "/messaging/schedule",
            data={"template": scored.id, "audience": "everyone", "kind": "now"},
        )
    )
    assert (
        "Les e-mails de ce message attendent les heures d'envoi (droit à la déconnexion) : "
        "les copies dans la boîte de réception du portail partent aussitôt, les e-mails le lundi "
        "7 décembre 2026 à 8 h." in page.replace("\u202f", " ")
    )


def test_a_one_off_message_in_the_working_hours_has_no_such_warning(
    auth, client, make, scored, working_hours, stop_clock
):
    stop_clock(THURSDAY)
    page = _confirmation(auth, client, make, scored, kind="now")
    assert "Send to 2 people now?" in page
    assert "wait for the sending hours" not in page


# --- 4. the demo inbox in order --------------------------------------------------------------


@pytest.fixture
def seeded_on_saturday(runner, stop_clock, working_hours):
    stop_clock(SATURDAY)
    result = runner.invoke(args=["demo", "seed", "--employees", "150"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(User).where(User.email == EMPLOYEE))


def _event_of(context: dict) -> datetime:
    """The moment of what a notice tells: a decision, an agent's step, a reminder."""
    if "entry_id" in context:
        return db.session.get(CleanupAction, context["entry_id"]).reviewed_at
    if "request_id" in context:
        return db.session.get(CatalogueRequest, context["request_id"]).decided_at
    if context.get("step") == "declared":
        return db.session.get(DeviceReturn, context["return_id"]).reminded_at
    return db.session.scalar(
        select(func.min(CustodyStep.at)).where(
            CustodyStep.return_id == context["return_id"], CustodyStep.step == context["step"]
        )
    )


def _seeded_notices(employee) -> list[tuple[str, datetime, datetime]]:
    """(template, event, delivered) of each notice in the person's inbox."""
    from app.messaging.models import MessageTemplate

    rows = db.session.execute(
        select(MessageTemplate.key, Dispatch.context, Delivery.delivered_at)
        .join(Dispatch, Dispatch.id == Delivery.dispatch_id)
        .join(MessageTemplate, MessageTemplate.id == Dispatch.template_id)
        .where(Delivery.user_id == employee.id, Delivery.channel == "inbox")
    ).all()
    return [(key, _event_of(context), delivered) for key, context, delivered in rows]


def test_the_seeded_rejection_comes_after_the_entry_was_rejected(seeded_on_saturday):
    [(_key, rejected, delivered)] = [
        notice for notice in _seeded_notices(seeded_on_saturday) if notice[0] == "entry-rejected"
    ]
    assert rejected <= delivered <= SATURDAY


def test_no_seeded_notice_comes_before_what_it_tells(seeded_on_saturday):
    notices = _seeded_notices(seeded_on_saturday)
    assert len(notices) >= 8
    early = [(key, event, at) for key, event, at in notices if not event <= at <= SATURDAY]
    assert early == []


def test_seeded_on_a_thursday_every_message_came_in_office_hours(runner, stop_clock):
    stop_clock(THURSDAY)
    result = runner.invoke(args=["demo", "seed", "--employees", "150"])
    assert result.exit_code == 0, result.output
    employee = db.session.scalar(select(User).where(User.email == EMPLOYEE))
    notices = _seeded_notices(employee)
    assert len(notices) >= 8
    assert [at for _key, _event, at in notices if not in_office_hours(at)] == []
    assert [(key, event, at) for key, event, at in notices if not event <= at <= THURSDAY] == []


def test_the_seeded_unread_messages_are_the_newest(seeded_on_saturday):
    rows = db.session.execute(
        select(Delivery.delivered_at, Delivery.read_at)
        .where(Delivery.user_id == seeded_on_saturday.id, Delivery.channel == "inbox")
        .order_by(Delivery.delivered_at)
    ).all()
    read = [read_at is not None for _delivered_at, read_at in rows]
    assert read.count(False) >= 1 and read.count(True) >= 5
    first_unread = read.index(False)
    assert not any(read[first_unread:]), read  # nothing read after the first unread


class _Whimsical(random.Random):
    """A generator whose every other draw is high: a reader who skips a message."""

    def __init__(self):
        super().__init__(5)
        self.high = False

    def random(self):
        self.high = not self.high
        return 0.9 if self.high else 0.1


def test_the_unread_messages_of_a_seeded_inbox_are_the_newest_whatever_the_draw(
    client, make, template
):
    """The seed's reads, oldest first: a message skipped once left the 16 October notice
    unread under a page of read ones."""
    person = make.user(locale="en")
    news = template()
    mondays = [datetime(2026, 10, 12, 8, 0, tzinfo=UTC) + timedelta(weeks=n) for n in range(7)]
    dispatches = []
    for monday in mondays:  # notices to this person alone, as the seed's are
        dispatch = services.create_dispatch(news, "person", {"user_id": person.id}, monday, monday)
        db.session.commit()
        jobs.run_dispatch(dispatch.id, clock=lambda at=monday: at)
        dispatches.append(dispatch)
    seed._read_some(_Whimsical(), person, dispatches, SATURDAY)
    db.session.commit()
    login(client, person)
    page = client.get("/messaging/").get_data(as_text=True)
    states = re.findall(r'class="message( message-unread)?"', page)  # newest first
    assert states == [" message-unread"] * 2 + [""] * 5


# --- 5a. the e-mails' Date header ------------------------------------------------------------


def test_an_email_is_dated_with_the_paris_offset(make, scored, figures, smtp, config):
    config(MAIL_WORKING_HOURS="24/7", TIMEZONE="Europe/Paris")
    make.user(email="lea@example.org", email_opt_in=True)
    _send_on_saturday(scored)
    [(_to, email)] = smtp.messages
    assert not str(email["Date"]).endswith("-0000")
    dated = parsedate_to_datetime(str(email["Date"]))
    assert dated.utcoffset() == timedelta(hours=1)  # Paris in winter
    assert abs(dated - datetime.now(UTC)) < timedelta(minutes=5)  # when it was sent


# --- 5b. the English opening hours inside a sentence -----------------------------------------


def test_the_english_opening_hours_in_a_sentence_keep_only_the_capitals_of_names(
    client, make, stop_clock
):
    points = RecyclingFactories(make)
    commune = make.commune(name="Pessac")
    points.point(commune=commune, name="Mairie de Pessac", address="Place de la Ve République",
                 opening_hours=HOURS)  # fmt: skip
    english = make.user(locale="en", commune_id=commune.id)
    dispatch = services.create_dispatch(
        services.template_by_key("weekly-digest"), "everyone", {}, SATURDAY, SATURDAY
    )
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: SATURDAY)
    login(client, english)
    page = _text(client.get("/messaging/"))
    assert (
        "Nearest collection point: Mairie de Pessac – Place de la Ve République (Monday to "
        "Friday: 08:30–12:00, 13:30–17:00; Saturday: 09:00–12:00; Sunday: closed; public "
        "holidays: closed)." in page
    )


# --- 5c. the dispatch page on a phone --------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 390])
def test_the_channel_table_of_a_dispatch_fits_a_phone(page, make, scored, smtp, width):
    organiser = make.user(roles=("organiser",), email="nora@example.org", locale="en")
    dispatch = _send_on_saturday(scored)
    browser_sign_in(page, organiser)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/messaging/dispatches/{dispatch.id}")
    box = page.locator("#dispatch-progress .table-scroll")
    box.wait_for()
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    email_row = page.locator("#dispatch-progress tbody tr").nth(1)
    failed = email_row.locator("td").nth(3)
    label = failed.evaluate("c => getComputedStyle(c, '::before').content")
    assert label.strip('"') == "Failed: "
    right = failed.evaluate("c => c.getBoundingClientRect().right")
    assert right <= width
