"""A saved template's preview and "Send me a test" speak of the campaign of its next
sending: a message planned for the staff of a campaign starting next Monday was previewed
and tested about the running one, where `goals_progress` (given only with a campaign
named) had no value. The test chooses its campaign beside its button, and one that cannot
be written says why on the editor itself, not only on its dispatch's page."""

import html
import re
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.models import TEST_AUDIENCE, Dispatch
from tests.conftest import login

HX = {"HX-Request": "true"}
GOALS = {
    "subject_fr": "Objectifs de {{ campaign_name }}",
    "body_fr": "Où en est {{ campaign_name }} ?",
    "subject_en": "Goals of {{ campaign_name }}",
    "body_en": "Where {{ campaign_name }} stands:{{ goals_progress }}",
}


def _next_monday() -> datetime:
    """Next Monday at 09:00 in Paris (a week ahead when today is Monday)."""
    today = utcnow().astimezone(local_zone()).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(9, 0), tzinfo=local_zone())


def _planned(make, make_campaign, template, **texts):
    """A campaign running now and one starting next Monday (two goals each), an English
    organiser in both scopes, and a template planned for the coming campaign's staff."""
    now = utcnow()
    make_campaign(name_en="Running clean-up", starts_at=now - timedelta(days=2),
                  ends_at=now + timedelta(days=20))  # fmt: skip
    starts = _next_monday()
    coming = make_campaign(name_en="Monday clean-up", starts_at=starts,
                           ends_at=starts + timedelta(days=14))  # fmt: skip
    organiser = make.user(roles=("organiser",), locale="en", email="ines@example.org")
    tpl = template(key="goals", **(texts or GOALS))
    services.schedule_message(
        tpl, "campaign-scope", {"campaign_id": str(coming.id)}, "at", now, actor=organiser,
        at=starts + timedelta(hours=1),
    )  # fmt: skip
    db.session.commit()
    return organiser, coming, tpl


def _selected(page: str, name: str) -> str:
    """The value of the option selected in the select `name` ("" for the first one)."""
    select_html = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    chosen = re.search(r'<option selected value="([^"]*)"', select_html)
    return chosen.group(1) if chosen else ""


def _options(page: str, name: str) -> list[str]:
    select_html = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option[^>]* value="([^"]*)"', select_html)


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def _test_form(tpl, page: str, **changes) -> dict:
    """ "Send me a test" as the editor's page sends it, as it came (`changes` aside)."""
    return {
        "key": tpl.key,
        "name": tpl.name,
        **{field: getattr(tpl, field) for field in services.TEMPLATE_FIELDS},
        "recipient": "",
        "campaign_id": _selected(page, "campaign_id"),
        "test_campaign_id": _selected(page, "test_campaign_id"),
        "language": "en",
        "action": "test",
        **changes,
    }


def test_the_editor_previews_the_campaign_of_the_next_dispatch(
    client, make, make_campaign, template
):
    organiser, coming, tpl = _planned(make, make_campaign, template)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    words = _words(page)
    assert _selected(page, "campaign_id") == str(coming.id)
    assert "Where Monday clean-up stands: - 0 GB of 100 GB (0%)" in words
    assert "has no value" not in words and "Running clean-up stands" not in words


def test_the_test_chooses_its_campaign_from_the_same_list_at_the_same_one(
    client, make, make_campaign, template
):
    organiser, coming, tpl = _planned(make, make_campaign, template)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    assert _options(page, "test_campaign_id") == _options(page, "campaign_id")
    assert _selected(page, "test_campaign_id") == str(coming.id)
    field = page.split('name="test_campaign_id"', 1)[0].rsplit("<select", 1)[1]
    assert 'form="template-form"' in field  # sent with the texts as typed


def test_send_me_a_test_goes_about_the_next_dispatch_campaign(
    auth, client, make, make_campaign, template, smtp
):
    organiser, _coming, tpl = _planned(make, make_campaign, template)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    answer = auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl, page))
    assert answer.status_code == 302
    [(to, email)] = smtp.messages
    body = email.get_body(("plain",)).get_content().replace("\u00a0", " ").replace("\u202f", " ")
    assert to == "ines@example.org" and email["Subject"] == "[Test] Goals of Monday clean-up"
    assert "Where Monday clean-up stands:\n- 0 GB of 100 GB (0%)" in body


def test_a_template_without_the_variable_is_tested_about_the_next_dispatch_campaign(
    auth, client, make, make_campaign, template, smtp
):
    texts = {**GOALS, "body_en": "Hello from {{ campaign_name }}."}
    organiser, _coming, tpl = _planned(make, make_campaign, template, **texts)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    auth.post(f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl, page))
    [(_to, email)] = smtp.messages
    assert "Hello from Monday clean-up." in email.get_body(("plain",)).get_content()


def test_a_test_that_cannot_be_written_says_which_variable_on_the_editor(
    auth, client, make, make_campaign, template, smtp
):
    organiser, _coming, tpl = _planned(make, make_campaign, template)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    own = _test_form(tpl, page, test_campaign_id="")  # "The recipient's own campaign"
    answer = auth.post(f"/messaging/templates/{tpl.id}/test", data=own, follow_redirects=True)
    said = _words(answer.get_data(as_text=True).split('id="test-answer"', 1)[1].split("</p>")[0])
    assert said.endswith(
        "The test could not be written: the variable goals_progress has a value only in a "
        "message about one campaign. Choose its campaign in “Campaign of the test”; nothing "
        "was sent."
    )
    assert smtp.messages == []


def test_a_test_failing_for_another_reason_names_the_variable_too(
    auth, client, make, make_campaign, template, smtp
):
    texts = {**GOALS, "body_en": "Results: {{ results_url }}"}
    organiser, _coming, tpl = _planned(make, make_campaign, template, **texts)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    answer = auth.post(
        f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl, page), follow_redirects=True
    )
    said = _words(answer.get_data(as_text=True).split('id="test-answer"', 1)[1].split("</p>")[0])
    assert said.endswith(
        "The test could not be written: the variable results_url has no value for you at "
        "this moment. Nothing was sent."
    )


def test_a_test_dispatch_page_has_no_small_group_notes(
    auth, client, make, make_campaign, template, smtp
):
    organiser, _coming, tpl = _planned(make, make_campaign, template)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    auth.post(
        f"/messaging/templates/{tpl.id}/test", data=_test_form(tpl, page, test_campaign_id="")
    )
    test = db.session.scalar(select(Dispatch).where(Dispatch.audience_key == TEST_AUDIENCE))
    words = _words(client.get(f"/messaging/dispatches/{test.id}").get_data(as_text=True))
    assert "A test to yourself" in words
    assert "fewer than" not in words and "administrators" not in words
    assert "ines@example.org" in words and "goals_progress" in words


def test_the_preview_of_the_recipient_s_own_campaign_says_where_to_choose_one(
    auth, client, make, make_campaign, template
):
    organiser, _coming, tpl = _planned(make, make_campaign, template)
    login(client, organiser)
    data = {"key": tpl.key, "name": tpl.name, **GOALS, "recipient": "", "campaign_id": ""}
    preview = _words(
        auth.post("/messaging/templates/preview", data=data, headers=HX).get_data(as_text=True)
    )
    assert (
        "The variable goals_progress has a value only in a message about one campaign: "
        "choose it in “About the campaign”." in preview
    )


def test_the_test_follows_a_campaign_chosen_for_the_preview(
    auth, client, make, make_campaign, template
):
    organiser, coming, tpl = _planned(make, make_campaign, template)
    login(client, organiser)
    data = {"key": tpl.key, "name": tpl.name, **GOALS, "recipient": "", "campaign_id": "",
            "test_campaign_id": str(coming.id)}  # fmt: skip
    changed = {**HX, "HX-Trigger": "campaign_id"}
    answer = auth.post("/messaging/templates/preview", data=data, headers=changed)
    fragment = answer.get_data(as_text=True)
    oob = fragment.split('<div id="test-campaign-field" hx-swap-oob="true">', 1)[1]
    assert _selected(oob, "test_campaign_id") == ""
    typing = auth.post("/messaging/templates/preview", data=data, headers=HX)
    assert "test-campaign-field" not in typing.get_data(as_text=True)  # only when it changes


def test_the_recipient_s_own_campaign_chosen_stays_chosen_after_a_save(
    auth, client, make, make_campaign, template
):
    organiser, _coming, tpl = _planned(make, make_campaign, template)
    login(client, organiser)
    page = client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True)
    form = _test_form(tpl, page, campaign_id="", action="save")
    form["version"] = re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)
    saved = auth.post(f"/messaging/templates/{tpl.id}", data=form)
    assert saved.status_code == 302
    again = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert _selected(again, "campaign_id") == ""
