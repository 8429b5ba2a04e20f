"""The schedule page: focus on the refused audience parameter,
a count without JavaScript that keeps the form, clear confirmation words, and dispatches
whose recipients are not counted yet."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.models import Dispatch, Schedule
from tests.conftest import login
from tests.messaging.conftest import coming
from tests.messaging.test_routes import _deliver

HX = {"HX-Request": "true"}


def _tag(page: str, element: str, attribute: str) -> str:
    """The opening tag of the first `element` with `attribute` (e.g. 'id="at"')."""
    return re.search(rf"<{element}\b[^>]*\b{attribute}[^>]*>", page).group(0)


def test_a_refused_audience_parameter_takes_the_focus(auth, client, make, template):
    """ "Choose a campaign." was shown at its field while the focus stayed on the page."""
    login(client, make.user(roles=("organiser",)))
    tpl = template()
    response = auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "campaign-participants", "kind": "now"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "autofocus" in _tag(page, "select", 'id="campaign_id"')
    assert page.count("autofocus") == 1  # only the first refused field


def test_a_refused_field_before_the_parameter_keeps_the_focus(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule", data={"audience": "campaign-participants", "kind": "now"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "autofocus" in _tag(page, "select", 'id="template"')
    assert page.count("autofocus") == 1


def _filled(tpl) -> dict:
    return {
        "template": str(tpl.id),
        "audience": "everyone",
        "kind": "at",
        "at": coming(5, 6, "09:30"),
    }


def _assert_filled(page: str, tpl) -> None:
    assert (
        f'<option selected value="{tpl.id}">'
        in page.split('id="template"', 1)[1].split("</select>", 1)[0]
    )
    assert f'value="{coming(5, 6, "09:30")}"' in _tag(page, "input", 'id="at"')
    assert "checked" in _tag(page, "input", 'value="at"')
    assert "3 destinataires" in page.split('id="audience-size"', 1)[1].split("</p>", 1)[0]


def test_counting_without_javascript_keeps_every_field_and_plans_nothing(
    auth, client, make, template
):
    """The count used to be a GET that reset the template, "When" and the date, and put
    the CSRF token in the address."""
    make.user()
    login(client, make.user(roles=("organiser",)))
    tpl = template()
    page = client.get("/messaging/schedule").get_data(as_text=True)
    button = page.split(">Compter les destinataires<", 1)[0].rsplit("<button", 1)[1]
    assert "formmethod" not in button and 'name="count"' in button
    response = auth.post("/messaging/schedule", data={**_filled(tpl), "count": "yes"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    _assert_filled(page, tpl)
    assert 'class="error"' not in page
    assert db.session.scalar(select(Dispatch)) is None
    assert db.session.scalar(select(Schedule)) is None


def test_counting_without_a_csrf_token_is_refused(client, make, template):
    login(client, make.user(roles=("organiser",)))
    response = client.post("/messaging/schedule", data={**_filled(template()), "count": "yes"})
    assert response.status_code == 400


def test_the_count_by_address_refills_the_form_and_htmx_leaves_the_token_out(
    client, make, template
):
    make.user()
    login(client, make.user(roles=("organiser",)))
    tpl = template()
    page = client.get("/messaging/audience-size", query_string=_filled(tpl))
    _assert_filled(page.get_data(as_text=True), tpl)
    fragment = client.get("/messaging/audience-size", query_string=_filled(tpl), headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'hx-params="not csrf_token"' in page.get_data(as_text=True)


def test_counting_with_bad_input_shows_the_form_again(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={"template": "x", "audience": "nobody", "kind": "?", "at": "soon", "count": "yes"},
    )
    assert response.status_code == 200
    assert 'value="soon"' in _tag(response.get_data(as_text=True), "input", 'id="at"')


def test_the_recurring_confirmation_says_schedule_and_has_no_link_that_starts_over(
    auth, client, make, template
):
    make.user()
    login(client, make.user(roles=("organiser",)))
    tpl = template()
    response = auth.post(
        "/messaging/schedule",
        data={
            "template": tpl.id,
            "audience": "everyone",
            "kind": "cron",
            "repeat": "daily",
            "time": "09:00",
        },
    )
    page = response.get_data(as_text=True)
    assert 'id="schedule-confirm"' in page, page
    assert ">Le planifier</button>" in page and "Le répéter" not in page
    main = page.split("<main", 1)[1]
    assert 'href="/messaging/schedule"' not in main  # only "Change something" goes back


def test_dispatches_not_prepared_yet_show_no_recipient_count(client, make, template):
    """ "Recipients 0" was shown for a dispatch still waiting for its date."""
    make.user()
    tpl = template()
    now = utcnow()
    waiting = services.create_dispatch(tpl, "everyone", {}, now + timedelta(days=3), now)
    db.session.commit()
    sent = _deliver(tpl)
    login(client, make.user(roles=("organiser",)))
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    rows = listing.split("<h2>", 2)[2].split('<tr role="row">')[1:]  # upcoming, then past
    by_id = {
        dispatch.id: next(r for r in rows if f'/messaging/dispatches/{dispatch.id}"' in r)
        for dispatch in (waiting, sent)
    }
    # About how many, as on its page (the list said « — »).
    assert "environ 3, comptés au moment de l'envoi" in html.unescape(by_id[waiting.id])
    assert re.search(r'data-label="Destinataires\W+">2</td>', by_id[sent.id])
    detail = client.get(f"/messaging/dispatches/{waiting.id}").get_data(as_text=True)
    # Its page says about how many, as its confirmation did (review of 6 December).
    assert "environ 3, comptés au moment de l'envoi" in html.unescape(detail)
    assert "pas encore comptés" not in detail
