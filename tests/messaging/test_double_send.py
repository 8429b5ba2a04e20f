"""A confirmation sent twice (Back and « Le planifier » again, a slow network) schedules
once; reading or deleting a message without JavaScript says so and lands where it was."""

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery, Dispatch, Schedule
from tests.conftest import login
from tests.messaging.conftest import coming

HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _confirmation_fields(auth, **fields) -> dict:
    """The fields of the confirmation page's form, as its "yes" sends them."""
    page = auth.post("/messaging/schedule", data=fields).get_data(as_text=True)
    form = page.split('id="schedule-confirm"', 1)[1].split("</form>", 1)[0]
    found = {name: html.unescape(value) for name, value in HIDDEN_RE.findall(form)}
    return {**found, "confirm": "yes"}


def _to_admins(client, make, template) -> dict:
    """Three admins and two other colleagues; the organiser signed in."""
    tpl = template()
    admins = [make.user(roles=("admin",)) for _n in range(3)]
    make.user()
    make.user()
    login(client, make.user(roles=("organiser",)))
    return {"template": tpl.id, "audience": "role", "role": "admin", "admins": admins}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return html.unescape(re.sub(r"[ \t\r\n]+", " ", response.get_data(as_text=True)))


def test_send_now_confirmed_twice_reaches_each_recipient_once(auth, client, make, template):
    setup = _to_admins(client, make, template)
    admins = setup.pop("admins")
    yes = _confirmation_fields(auth, **setup, kind="now")
    first = auth.post("/messaging/schedule", data=yes)
    second = auth.post("/messaging/schedule", data=yes)  # Back, then « Le planifier » again
    dispatch = db.session.scalar(select(Dispatch))
    jobs.run_dispatch(dispatch.id)
    inbox = db.session.scalars(select(Delivery.user_id).where(Delivery.channel == "inbox")).all()
    assert first.status_code == second.status_code == 302
    assert _count(Dispatch) == 1
    assert sorted(inbox) == sorted(admin.id for admin in admins)
    assert second.headers["Location"].endswith(f"/messaging/dispatches/{dispatch.id}")


def test_the_second_answer_says_the_first_dispatch_already_went(auth, client, make, template):
    setup = _to_admins(client, make, template)
    setup.pop("admins")
    yes = _confirmation_fields(auth, **setup, kind="now")
    auth.post("/messaging/schedule", data=yes)
    page = _text(auth.post("/messaging/schedule", data=yes, follow_redirects=True))
    dispatch = db.session.scalar(select(Dispatch))
    assert (
        "Ce message a déjà été planifié par votre première confirmation "
        f"(envoi n°\u00a0{dispatch.id})"
        "\u00a0: il n'est pas envoyé une seconde fois." in page
    )


def test_a_later_send_confirmed_twice_is_scheduled_once(auth, client, make, template):
    setup = _to_admins(client, make, template)
    setup.pop("admins")
    yes = _confirmation_fields(auth, **setup, kind="at", at=coming(1, 5))
    auth.post("/messaging/schedule", data=yes)
    second = auth.post("/messaging/schedule", data=yes)
    dispatch = db.session.scalar(select(Dispatch))
    assert _count(Dispatch) == 1
    assert second.headers["Location"].endswith(f"/messaging/dispatches/{dispatch.id}")


def test_a_recurring_message_confirmed_twice_is_created_once(auth, client, make, template):
    setup = _to_admins(client, make, template)
    setup.pop("admins")
    yes = _confirmation_fields(
        auth, **setup, kind="cron", repeat="weekly", weekday="0", time="09:00"
    )
    auth.post("/messaging/schedule", data=yes)
    page = _text(auth.post("/messaging/schedule", data=yes, follow_redirects=True))
    assert _count(Schedule) == 1
    assert "Ce message récurrent a déjà été planifié par votre première confirmation" in page


def test_asked_and_confirmed_again_the_message_goes_again(auth, client, make, template):
    """Each question has its own token: an organiser who means to send twice can."""
    setup = _to_admins(client, make, template)
    setup.pop("admins")
    for _n in range(2):
        auth.post("/messaging/schedule", data=_confirmation_fields(auth, **setup, kind="now"))
    assert _count(Dispatch) == 2


# --- the inbox without JavaScript -----------------------------------------------------


def _inbox_of_one(make, template, messages=1):
    """A colleague with `messages` messages in the inbox, newest last in the list."""
    tpl = template()
    me = make.user()
    start = utcnow() - timedelta(hours=messages)
    for n in range(messages):
        at = start + timedelta(hours=n)
        dispatch = services.create_dispatch(tpl, "everyone", {}, at, at)
        db.session.commit()
        jobs.run_dispatch(dispatch.id, clock=lambda at=at: at)
    ids = db.session.scalars(
        select(Delivery.id)
        .where(Delivery.user_id == me.id, Delivery.channel == "inbox")
        .order_by(Delivery.delivered_at.desc(), Delivery.id.desc())
    ).all()
    return me, ids


def test_marking_read_without_javascript_lands_back_at_the_message(auth, client, make, template):
    me, (message,) = _inbox_of_one(make, template)
    login(client, me)
    response = auth.post(f"/messaging/inbox/{message}/read")
    # At "Marked as read.", in the place of the button
    # (tests/core/test_nojs_questions_read_messages_and_desk_count.py).
    assert response.headers["Location"].endswith(f"/messaging/#message-{message}-read")


def test_marking_read_without_javascript_says_so(auth, client, make, template):
    me, (message,) = _inbox_of_one(make, template)
    login(client, me)
    page = _text(auth.post(f"/messaging/inbox/{message}/read", follow_redirects=True))
    # Said at the message, open, not at the top of the page (out of view).
    assert 'tabindex="-1" data-announce>Message marqué comme lu.</p>' in page
    assert '<p class="flash' not in page


def test_marking_read_on_the_second_page_comes_back_to_that_page(auth, client, make, template):
    me, ids = _inbox_of_one(make, template, messages=21)
    login(client, me)
    page = client.get("/messaging/?page=2").get_data(as_text=True)
    oldest = ids[-1]
    assert f'action="/messaging/inbox/{oldest}/read?page=2"' in page
    response = auth.post(f"/messaging/inbox/{oldest}/read?page=2")
    assert response.headers["Location"].endswith(f"/messaging/?page=2#message-{oldest}-read")


def test_deleting_without_javascript_lands_at_the_message_now_in_its_place(
    auth, client, make, template
):
    me, (newest, middle, oldest) = _inbox_of_one(make, template, messages=3)
    login(client, me)
    after_middle = auth.post(f"/messaging/inbox/{middle}/delete")
    after_oldest = auth.post(f"/messaging/inbox/{oldest}/delete")
    assert after_middle.headers["Location"].endswith(f"/messaging/#message-{oldest}")
    assert after_oldest.headers["Location"].endswith(f"/messaging/#message-{newest}")


def test_marking_read_with_htmx_still_answers_in_place(auth, client, make, template):
    me, (message,) = _inbox_of_one(make, template)
    login(client, me)
    response = auth.post(f"/messaging/inbox/{message}/read", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'tabindex="-1" data-announce>Message marqué comme lu.</p>' in _text(response)
