"""A draft published from several tabs at the same moment is published once: one audit
event, its edit version moved once, its publication time kept; the other requests get
the "already published" answer. Real requests in threads, on the test database."""

import html
import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.cleanup.models import CleanupCampaign
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login

ALREADY = "This campaign is already published."


def test_four_publications_at_once_publish_once(app, make, make_campaign):
    organiser = make.user(roles=("organiser",), locale="en")
    now = utcnow()
    draft = make_campaign(organiser=organiser, publish=False,
                          starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=20))  # fmt: skip
    campaign_id, version = draft.id, draft.edit_version
    clients = []
    for _ in range(4):
        client = app.test_client()
        login(client, organiser)
        clients.append((client, csrf_token(client)))
    db.session.remove()  # the threads' sessions alone touch the database from here
    # A partner that never comes breaks the barrier: the others then end.
    barrier = threading.Barrier(len(clients), timeout=20)
    answers, failures = [], []

    def publish(client, token):
        with app.app_context():
            try:
                barrier.wait()
                response = client.post(
                    f"/cleanup/campaigns/{campaign_id}/publish",
                    data={"csrf_token": token},
                    follow_redirects=True,
                )
                answers.append(html.unescape(response.get_data(as_text=True)))
            except Exception as error:  # said by the assertion below, not lost in a thread
                failures.append(repr(error))
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=publish, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert sum("Campaign published." in page for page in answers) == 1
    assert sum(ALREADY in page for page in answers) == 3
    events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "cleanup_campaign",
            AuditEvent.object_id == str(campaign_id),
            AuditEvent.action == "publish",
        )
    )  # fmt: skip
    assert events == 1
    campaign = db.session.get(CleanupCampaign, campaign_id)
    assert campaign.edit_version == version + 1
