"""`GET /api/v1/dispatches/<id>` read `counts.delivered: 2996` (inbox
and e-mail rows added together) where the dispatch's page said "Recipients: 2,004". The
API gives the page's figures: people, and each channel's rows by status."""

from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from tests.conftest import login


def _dispatch_json(client, make, dispatch) -> dict:
    login(client, make.user(roles=("organiser",)))
    return client.get(f"/api/v1/dispatches/{dispatch.id}").get_json()


def test_a_dispatch_reads_as_its_page_people_and_each_channel(client, make, template, smtp, config):
    config(MAIL_WORKING_HOURS="24/7")
    make.user(email_opt_in=True)
    make.user(email_opt_in=False)
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    body = _dispatch_json(client, make, dispatch)
    # The template's author is in "everyone" too, without consent: three people.
    assert body["recipients"] == 3
    assert body["channels"] == {
        "inbox": {"delivered": 3, "pending": 0, "skipped": 0, "failed": 0},
        "email": {"delivered": 1, "pending": 0, "skipped": 2, "failed": 0},
    }
    assert body["counts"] == {"delivered": 4, "pending": 0, "skipped": 2, "failed": 0}


def test_a_dispatch_not_yet_counted_has_no_recipients_rather_than_none(client, make, template):
    """The page says "not counted yet" before the dispatch goes; 0 would read "nobody"."""
    make.user()
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now + timedelta(days=1), now)
    db.session.commit()
    assert _dispatch_json(client, make, dispatch)["recipients"] is None


def test_the_api_document_says_counts_are_rows_and_recipients_people(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    properties = schema["DispatchStatus"]["properties"]
    assert "not people" in properties["counts"]["description"]
    assert properties["recipients"]["description"].startswith("people")
    assert set(properties["channels"]["properties"]) == {"inbox", "email"}
