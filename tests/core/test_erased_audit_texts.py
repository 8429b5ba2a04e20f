"""An erasure takes out what organisers and admins wrote about the person: a rejected
entry's reason stayed on the entry and, with a refused request's note, in the audit log,
where its CSV and its "Containing" filter found them by the person's name. The events
themselves stay: who decided what, and when."""

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.catalogue import services as catalogue
from app.cleanup import services as cleanup
from app.cleanup.models import CleanupAction
from app.core.audit import AuditEvent, record_consent_change
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.catalogue.conftest import make_item  # noqa: F401 - the refused request's item
from tests.cleanup.conftest import make_campaign  # noqa: F401 - the rejected entry's campaign
from tests.conftest import login

REASON = "Louis Laurent, 80 GB in one day is not credible"
NOTE = "Louis Laurent already has a laptop (asset PC-1234)"


@pytest.fixture
def running(make_campaign):  # noqa: F811
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


@pytest.fixture
def erased(make, make_item, running):  # noqa: F811
    """Louis Laurent's flagged entry rejected and his request refused, both with words
    naming him; then he is erased."""
    now = utcnow()
    person = make.user(display_name="Louis Laurent", email="louis.laurent@example.org")
    organiser = make.user(roles=("organiser",))
    admin = make.user(roles=("admin",), locale="en")
    entry = cleanup.log_action(person, running, "delete-mail", 15, now)
    assert entry.status == "flagged"
    cleanup.review_action(entry, organiser, False, REASON, now)
    catalogue.add_to_basket(person, make_item(), 1, now)
    request = catalogue.submit_basket(person, "", now)
    catalogue.decide_request(request, admin, False, NOTE, now)
    db.session.commit()
    erase_user(person, now + timedelta(minutes=1))
    db.session.commit()
    return SimpleNamespace(entry_id=entry.id, request_id=request.id, admin=admin)


def _csv_summaries(client, query: str = "") -> list[str]:
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/audit.csv{query}").text)))
    return [f"{row[5]} {row[9]}" for row in rows[1:]]  # as the page words it, and stored


def test_erasure_blanks_the_reasons_on_the_persons_entry(erased):
    entry = db.session.get(CleanupAction, erased.entry_id)
    assert (entry.review_reason, entry.flag_reason) == ("", "")


def test_erasure_keeps_the_flag_reason_of_an_entry_still_waiting_for_review(make, running):
    """The organiser who reviews it later still reads why it was flagged."""
    now = utcnow()
    person = make.user()
    entry = cleanup.log_action(person, running, "delete-mail", 15, now)
    db.session.commit()
    erase_user(person, now)
    db.session.commit()
    assert db.session.get(CleanupAction, entry.id).flag_reason != ""


def test_the_audit_filter_no_longer_finds_the_texts_by_the_persons_name(client, erased):
    login(client, erased.admin)
    assert _csv_summaries(client, "?text=Louis Laurent") == []
    page = client.get("/admin/audit?text=laurent").get_data(as_text=True)
    assert "No event matches these filters." in page


def test_the_audit_page_and_its_csv_no_longer_show_the_texts(client, erased):
    login(client, erased.admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    summaries = " ".join(_csv_summaries(client))
    for shown in (page, summaries):
        assert "not credible" not in shown and "PC-1234" not in shown


def test_the_decisions_stay_in_the_audit_log_saying_their_text_was_erased(client, erased):
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id).where(
            AuditEvent.summary == "text erased"
        )
    ).all()
    assert sorted(events) == [
        ("refused", "catalogue_request", str(erased.request_id)),
        ("reject", "cleanup_action", str(erased.entry_id)),
    ]
    login(client, erased.admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.count("Text erased with the person&#39;s data") == 2


def test_a_refused_correction_keeps_its_figures_and_loses_its_reason(make, running):
    now = utcnow()
    person, organiser = make.user(), make.user(roles=("organiser",))
    entry = cleanup.log_action(person, running, "delete-mail", 1, now)
    cleanup.correct_action(person, entry, 15, now + timedelta(minutes=5))
    cleanup.review_action(entry, organiser, False, REASON, now + timedelta(minutes=6))
    db.session.commit()
    erase_user(person, now + timedelta(minutes=7))
    db.session.commit()
    summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "reject"))
    assert summary == "correction[GB] 15 -> 1"


def test_retention_takes_a_reviews_reason_out_of_the_audit_log_too(make, make_campaign):  # noqa: F811
    """Months after a campaign ended its entries name nobody: the organiser's reason
    copied into the audit log goes with the one on the entry."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))
    person = make.user(display_name="Louis Laurent")
    entry = cleanup.log_action(person, campaign, "delete-mail", 15, now)
    cleanup.review_action(entry, make.user(roles=("organiser",)), False, REASON, now)
    db.session.commit()
    cleanup.anonymise_old_actions(now + timedelta(days=400), months=12)
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == str(entry.id))
    ).all()
    assert events and all("Laurent" not in event.summary for event in events)


def test_a_review_after_the_erasure_keeps_the_decision_not_its_words(make, running):
    """An organiser may still decide an erased person's waiting entry: the reason typed
    would name them after their erasure, for nobody to read. It is not kept."""
    now = utcnow()
    person = make.user(display_name="Louis Laurent")
    entry = cleanup.log_action(person, running, "delete-mail", 15, now)
    db.session.commit()
    erase_user(person, now)
    db.session.commit()
    cleanup.review_action(entry, make.user(roles=("organiser",)), False, REASON, now)
    db.session.commit()
    decided = db.session.get(CleanupAction, entry.id)
    assert (decided.status, decided.review_reason) == ("rejected", "")
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "cleanup_action", AuditEvent.object_id == str(entry.id)
        )
    ).all()
    assert [event.action for event in events] == ["reject"]
    assert all("Laurent" not in event.summary for event in events)


def test_the_erased_persons_own_events_name_them_as_anonymised_not_by_a_placeholder(client, erased):
    """An event the person made themselves (a consent changed in their profile) said
    `erased-<id>@invalid` in the Who column, while the Object column said « Anonymised
    person »."""
    person = db.session.scalar(select(User).where(User.anonymised_at.is_not(None)))
    record_consent_change(person, False, "profile", utcnow() - timedelta(days=1))
    db.session.commit()
    login(client, erased.admin)
    page = client.get("/admin/audit?action=email_consent_withdrawn").get_data(as_text=True)
    document = client.get("/admin/audit.csv?action=email_consent_withdrawn").text
    assert "@invalid" not in page and "@invalid" not in document
    assert "<td>Anonymised person</td> <td>E-mail consent withdrawn</td>" in " ".join(page.split())
    assert [row[1] for row in csv.reader(io.StringIO(document))][1:] == ["Anonymised person"]
