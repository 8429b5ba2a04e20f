"""The web UI and the real `flask scheduler run` process together (what `make run` starts):
an organiser publishes a scoped campaign, the scheduler delivers its launch message to the
people in scope, by inbox and e-mail, and to nobody else."""

import signal
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services as cleanup
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Delivery, Dispatch
from tests.conftest import login
from tests.messaging.test_processes import FLASK, ROOT, _env, _wait_for


@pytest.mark.slow
def test_publishing_in_the_ui_and_the_scheduler_process_deliver_the_launch_message(
    app, auth, client, make, smtp, tmp_path
):
    scoped, other = make.department(), make.department()
    reader = make.user(department=scoped, locale="en", email_opt_in=True,
                       email="reader@example.org")  # fmt: skip
    outsider = make.user(department=other, email_opt_in=True)
    organiser = make.user(roles=("organiser",), with_department=False)
    now = utcnow()
    types = cleanup.ensure_default_action_types()
    campaign = cleanup.create_campaign(organiser, {
        "name_fr": "Grand ménage", "name_en": "Big clean-up", "description_fr": "",
        "description_en": "", "starts_at": now - timedelta(minutes=5),
        "ends_at": now + timedelta(days=21), "all_departments": False,
        "department_ids": [scoped.id], "goals": {"GB": 100},
        "rules": [{"action_type_id": t.id, "points_per_unit": t.points_per_unit,
                   "daily_cap": t.daily_cap} for t in types],
    }, now)  # fmt: skip
    db.session.commit()

    login(client, organiser)
    response = auth.post(f"/cleanup/campaigns/{campaign.id}/publish", {})
    assert response.status_code == 302
    launch = db.session.scalar(select(Dispatch).where(Dispatch.template.has(key="campaign-launch")))
    assert launch is not None and launch.status == "scheduled"

    log_path = tmp_path / "scheduler.log"
    with log_path.open("w") as log:
        scheduler = subprocess.Popen(
            [*FLASK, "scheduler", "run"],
            cwd=ROOT,
            env=_env(app, smtp.port, tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            done = _wait_for(lambda: db.session.get(Dispatch, launch.id).status == "done")
        finally:
            scheduler.send_signal(signal.SIGTERM)
            scheduler.wait(timeout=20)
    assert done, log_path.read_text()[-3000:]

    assert smtp.recipients() == ["reader@example.org"]
    _to, mail = smtp.messages[0]
    assert str(mail["Subject"]) == "It starts now: Big clean-up"
    inbox = db.session.scalars(
        select(Delivery.user_id).where(Delivery.dispatch_id == launch.id, Delivery.channel == "inbox",
                                       Delivery.status == "delivered")
    ).all()  # fmt: skip
    assert inbox == [reader.id] and outsider.id not in inbox

    # The reader finds it in the portal inbox, with the unread count.
    login(client, reader)
    messages = client.get("/api/v1/me/messages").get_json()
    assert messages["unread"] == 1
    assert messages["messages"][0]["subject"] == "It starts now: Big clean-up"
