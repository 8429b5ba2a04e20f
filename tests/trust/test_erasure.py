"""Erasure: asked from the profile, executed by an admin, the delay job or the CLI."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.privacy_models import ErasureRequest
from app.core.privacy_services import (
    erase_user,
    execute_due_erasures,
    export_personal_data,
    request_erasure,
)
from app.extensions import db
from tests.conftest import login
from tests.trust.world import add_activity, aggregates, build_world, send_message

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_person_asks_for_erasure_from_the_profile(client, auth, make):
    user = make.user()
    login(client, user)
    response = auth.post("/auth/profile/erasure", {"confirm": "y"})
    assert response.status_code == 302
    request = db.session.scalar(select(ErasureRequest).where(ErasureRequest.user_id == user.id))
    assert request is not None and request.pending
    assert "/auth/profile/erasure/cancel" in client.get("/auth/profile").get_data(as_text=True)


def test_erasure_request_without_confirmation_changes_nothing(client, auth, make):
    user = make.user()
    login(client, user)
    assert auth.post("/auth/profile/erasure", {}).status_code == 422
    assert db.session.scalar(select(ErasureRequest)) is None


def test_person_can_withdraw_their_request(client, auth, make):
    user = make.user()
    login(client, user)
    auth.post("/auth/profile/erasure", {"confirm": "y"})
    auth.post("/auth/profile/erasure/cancel")
    request = db.session.scalar(select(ErasureRequest))
    assert request.cancelled_at is not None and not request.pending


def test_admin_sees_pending_requests_and_executes_one(client, auth, make):
    person = make.user(display_name="Zoé Garnier")
    admin = make.user(roles=("admin",))
    request = request_erasure(person, NOW)
    db.session.commit()
    login(client, admin)
    assert "Zoé Garnier" in client.get("/admin/erasures").get_data(as_text=True)
    response = auth.post(f"/admin/erasures/{request.id}/execute")
    assert response.status_code == 302
    person = db.session.get(User, person.id)
    assert person.anonymised_at is not None
    assert person.email == f"erased-{person.id}@invalid"
    assert "Zoé Garnier" not in client.get("/admin/erasures").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "erase"))
    assert event.actor_id == admin.id and event.object_id == str(person.id)


def test_executing_an_unknown_or_done_request_is_404(client, auth, make):
    admin = make.user(roles=("admin",))
    login(client, admin)
    assert auth.post("/admin/erasures/999/execute").status_code == 404


def test_erasure_anonymises_the_account(make):
    user = make.user(display_name="Inès Roux", email_opt_in=True)
    user_id, old_pseudonym = user.id, user.pseudonym
    make.add_role(user, "organiser")
    erase_user(user, NOW)
    db.session.commit()
    user = db.session.get(User, user_id)
    assert user.email == f"erased-{user_id}@invalid"
    assert "Inès" not in user.display_name and user.pseudonym != old_pseudonym
    assert user.password_hash is None and user.anonymised_at == NOW
    assert user.email_opt_in is False and user.leaderboard_visibility == "hidden"
    assert user.roles == {"employee"}


def test_erased_account_cannot_sign_in_and_its_sessions_and_tokens_end(
    app, client, auth, make, token_for
):
    user = make.user()
    raw_token = token_for(user)
    other_device = app.test_client()
    login(other_device, user)
    assert other_device.get("/").status_code == 200
    email = user.email
    erase_user(user, NOW)
    db.session.commit()
    assert other_device.get("/").status_code == 302
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"}).status_code
        == 401
    )
    assert auth.sign_in(email).status_code == 401


def test_domain_totals_are_identical_before_and_after_erasure(make, fake_domain):
    team = make.department()
    alice, bob = make.user(department=team), make.user(department=team)
    carol = make.user()
    fake_domain.add(alice, 5, "c1", note="Alice's note")
    fake_domain.add(alice, 2, "c2")
    fake_domain.add(bob, 3, "c1")
    fake_domain.add(carol, 11, "c2")
    before = fake_domain.totals()
    erase_user(alice, NOW)
    db.session.commit()
    assert fake_domain.totals() == before
    assert fake_domain.export(alice) == []
    assert fake_domain.export(bob) == [{"campaign": "c1", "quantity": 3, "note": ""}]


def test_delay_job_executes_only_requests_older_than_the_delay(make):
    old, recent = make.user(), make.user()
    request_erasure(old, NOW - timedelta(days=31))
    request_erasure(recent, NOW - timedelta(days=29))
    db.session.commit()
    assert execute_due_erasures(NOW, delay_days=30) == 1
    db.session.commit()
    assert db.session.get(User, old.id).anonymised_at == NOW
    assert db.session.get(User, recent.id).anonymised_at is None


def test_erasure_job_is_registered_and_reads_the_configured_delay(app, make):
    from app.core.jobs import registered_jobs

    jobs = {job.job_id: job for job in registered_jobs(app)}
    assert {"core.erasure", "core.retention"} <= set(jobs)
    assert app.config["ERASURE_DELAY_DAYS"] == 30
    user = make.user()
    request_erasure(user, datetime(2020, 1, 1, tzinfo=UTC))
    db.session.commit()
    jobs["core.erasure"].func()
    assert db.session.get(User, user.id).anonymised_at is not None


def test_cli_erase_needs_yes_then_erases(runner, make):
    user = make.user()
    result = runner.invoke(args=["privacy", "erase", user.email])
    assert result.exit_code != 0 and db.session.get(User, user.id).anonymised_at is None
    result = runner.invoke(args=["privacy", "erase", user.email, "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.get(User, user.id).anonymised_at is not None


def test_cli_erase_unknown_email_fails_clearly(runner):
    result = runner.invoke(args=["privacy", "erase", "nobody@example.org", "--yes"])
    assert result.exit_code != 0 and "No account" in result.output


def test_erasure_keeps_every_total_of_every_domain_exactly(make):
    world = build_world(make, NOW)
    team = make.department()
    alice, bob = make.user(department=team), make.user(department=team)
    carol = make.user()
    for person, tag in ((alice, "alice"), (bob, "bob"), (carol, "carol")):
        add_activity(world, person, tag)
    send_message(world)
    before = aggregates(world)
    assert before["campaign_totals"]["participants"] == 3
    assert before["recycling"] and before["budgets"] and before["dispatches"]
    erase_user(alice, NOW)
    db.session.commit()
    assert aggregates(world) == before
    document = export_personal_data(db.session.get(User, alice.id), NOW)
    assert document["actions"] == [] and document["returns"] == []
    assert all(m["body"] is None for m in document["messages"])
    assert document["requests"]["requests"] == []


def test_the_admin_reads_on_which_day_each_request_is_carried_out_anyway(client, make):
    person = make.user(display_name="Zoé Garnier")
    request_erasure(person, NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",)))
    page = client.get("/admin/erasures").get_data(as_text=True)
    # NOW + ERASURE_DELAY_DAYS (30), on the portal's calendar.
    assert re.search(r'data-label="Exécutée automatiquement le">25 déc. 2026<', page)
