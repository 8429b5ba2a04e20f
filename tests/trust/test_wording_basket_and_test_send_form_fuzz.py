"""Property tests over these routes, on the sweeps' world:
a running campaign's names and descriptions, sign-out everywhere, the basket line removal
carrying the request's comment, the test-send with the texts as typed, the comparison of
ticked items, the clock-change note and the receipt's status. Any input gives a clear
answer (never a 5xx); input the server refuses leaves every row as it was."""

import html
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from hypothesis import example, given
from hypothesis import strategies as st

from app.auth.forms import ConfirmForm
from app.auth.models import User
from app.catalogue.forms import MAX_NOTE, SubmitRequestForm
from app.cleanup import services as cleanup_services
from app.cleanup.audit_changes import campaign_settings
from app.cleanup.forms import CampaignForm
from app.cleanup.models import CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from app.messaging.forms import SendTestForm
from tests.trust.fuzzing import (
    budget,
    checkbox,
    date_text,
    extra_fields,
    form,
    fresh_world,
    fuzzes,
    maybe_text,
    numeric_text,
    refusal_changed_nothing,
    refused_or_flashed,
    text,
)
from tests.trust.matrix_world import TEMPLATE
from tests.trust.sweep import database_fingerprint

FUZZ = budget(12)
PARTICIPANTS = ("employee_a", "employee_b", "agent")


def _signed_in(world, persona):
    client, _user = world.client(persona)
    return client, world.token(persona)


def _campaign_settings(campaign_id: int) -> dict:
    """What a running campaign's wording edit must never touch: dates, goals, scope, rules."""
    db.session.expire_all()
    settings = campaign_settings(db.session.get(CleanupCampaign, campaign_id))
    return {k: v for k, v in settings.items() if k not in ("name_fr", "name_en")}


def _version(world) -> str:
    return cleanup_services.campaign_version(db.session.get(CleanupCampaign, world.ids["campaign"]))


def _wording(world, **overrides) -> dict:
    """A valid correction of the running campaign's names and descriptions."""
    return {
        "name_fr": "Nettoyage de printemps",
        "name_en": "Spring clean-up",
        "description_fr": "Corrigée",
        "description_en": "Corrected",
        "version": _version(world),
        **overrides,
    }


# --- a running campaign's names and descriptions -----------------------------------------


@fuzzes(CampaignForm)
@FUZZ
@given(
    name_fr=maybe_text,
    name_en=maybe_text,
    description=maybe_text,
    version=st.one_of(st.just("valid"), st.just("stale"), numeric_text),
    starts_at=date_text,
    ends_at=date_text,
    goal=numeric_text,
    all_departments=checkbox,
    rule_points=numeric_text,
    extra=extra_fields,
)
@example(  # a valid correction, with dates, goals and rules sent along: those are ignored
    name_fr="Nettoyage corrigé", name_en="Clean-up corrected", description="Mieux dit",
    version="valid", starts_at="2020-01-01T00:00", ends_at="2020-01-02T00:00", goal="1",
    all_departments="", rule_points="1000", extra={},
)  # fmt: skip
@example(  # the names of a form opened before another organiser's save
    name_fr="Nettoyage", name_en="Clean-up", description=None, version="stale",
    starts_at=None, ends_at=None, goal=None, all_departments=None, rule_points=None, extra={},
)  # fmt: skip
@example(  # U+0000: PostgreSQL text cannot hold it
    name_fr="Net\x00toyage", name_en="Clean-up", description="\x00", version="valid",
    starts_at=None, ends_at=None, goal=None, all_departments=None, rule_points=None, extra={},
)  # fmt: skip
def test_correcting_a_running_campaign_s_wording_never_fails_and_touches_nothing_else(
    app, make, name_fr, name_en, description, version, starts_at, ends_at, goal,
    all_departments, rule_points, extra,
):  # fmt: skip
    world = fresh_world(make)
    client, token = _signed_in(world, "organiser")
    campaign_id = world.ids["campaign"]
    settings = _campaign_settings(campaign_id)
    sent_version = {"valid": _version(world), "stale": str(int(_version(world)) - 1)}
    data = form(
        name_fr=name_fr, name_en=name_en, description_fr=description,
        description_en=description, version=sent_version.get(version, version),
        starts_at=starts_at, ends_at=ends_at, goal_gb=goal, all_departments=all_departments,
        **{"rules-0-action_type_id": "1", "rules-0-enabled": "y",
           "rules-0-points_per_unit": rule_points},
    )  # fmt: skip
    data = {**extra, **data, "csrf_token": token}
    before = database_fingerprint()
    response = client.post(f"/cleanup/campaigns/{campaign_id}/edit", data=data)
    assert response.status_code in (302, 400, 422), response.status_code
    refused = response.status_code >= 400 or refused_or_flashed(response, client)
    refusal_changed_nothing(response, before, refused)
    assert _campaign_settings(campaign_id) == settings  # names and descriptions only


def test_a_running_campaign_s_correction_is_saved_in_both_languages(app, make):
    world = fresh_world(make)
    client, token = _signed_in(world, "organiser")
    campaign_id = world.ids["campaign"]
    response = client.post(
        f"/cleanup/campaigns/{campaign_id}/edit", data={**_wording(world), "csrf_token": token}
    )
    assert response.status_code == 302
    db.session.expire_all()
    campaign = db.session.get(CleanupCampaign, campaign_id)
    assert (campaign.name_fr, campaign.name_en) == ("Nettoyage de printemps", "Spring clean-up")


def test_participants_cannot_correct_a_running_campaign_s_wording(app, make):
    """A valid correction, sent by a participant (A, who logged an entry, B, an agent):
    403 or 404 and nothing changed; the organiser's same request is saved."""
    world = fresh_world(make)
    url = f"/cleanup/campaigns/{world.ids['campaign']}/edit"
    for persona in PARTICIPANTS:
        client, token = _signed_in(world, persona)
        before = database_fingerprint()
        response = client.post(url, data={**_wording(world), "csrf_token": token})
        assert response.status_code in (403, 404), (persona, response.status_code)
        assert database_fingerprint() == before, f"{persona}'s refused correction changed data"
    anonymous = app.test_client()
    before = database_fingerprint()
    response = anonymous.post(url, data=_wording(world))
    assert response.status_code in (302, 400, 401)
    assert database_fingerprint() == before


def test_an_empty_name_of_a_running_campaign_is_refused_in_french(app, make):
    """The error is said in the person's language (French by default), at the field."""
    world = fresh_world(make)
    client, token = _signed_in(world, "organiser")
    before = database_fingerprint()
    response = client.post(
        f"/cleanup/campaigns/{world.ids['campaign']}/edit",
        data={**_wording(world, name_fr="  "), "csrf_token": token},
    )
    assert response.status_code == 422
    assert database_fingerprint() == before
    english = "Give the campaign's name in French: it shows to staff who read the portal in French."
    with current_app.test_request_context(), force_locale("fr"):
        french = gettext(english)
    assert french != english
    assert french in html.unescape(response.get_data(as_text=True))


# --- sign-out everywhere -------------------------------------------------------------------


@fuzzes(ConfirmForm)
@FUZZ
@given(
    csrf=st.one_of(st.none(), text, st.sampled_from(["", "not-a-token", "x" * 5000])),
    extra=extra_fields,
)
def test_sign_out_everywhere_without_a_valid_token_signs_nobody_out(app, make, csrf, extra):
    """A forged request (no CSRF token, or a wrong one) must not end anyone's sessions."""
    world = fresh_world(make)
    client, _user = world.client("employee_a")
    before = database_fingerprint()
    response = client.post("/auth/profile/sign-out-everywhere", data=form(csrf_token=csrf, **extra))
    assert response.status_code == 400
    assert database_fingerprint() == before
    assert client.get("/auth/profile").status_code == 200  # still signed in


@FUZZ
@given(extra=extra_fields)
def test_sign_out_everywhere_ends_every_session_and_ignores_stray_fields(app, make, extra):
    world = fresh_world(make)
    client, token = _signed_in(world, "employee_a")
    other_device = app.test_client()
    other_device.set_cookie("session", client.get_cookie("session").value)
    token_before = db.session.get(User, world.a.id).session_token
    response = client.post("/auth/profile/sign-out-everywhere", data={**extra, "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.a.id).session_token != token_before
    assert other_device.get("/auth/profile").status_code == 302  # the old cookie is refused


# --- the basket line removal, with the request's comment ----------------------------------


@fuzzes(SubmitRequestForm)
@FUZZ
@given(
    comment=st.one_of(maybe_text, st.just("x" * 5000), st.just("note\x00")),
    whose=st.sampled_from(["employee_a", "employee_b", "organiser"]),
    line=st.one_of(st.just("A's line"), st.integers(min_value=-5, max_value=2**40)),
    extra=extra_fields,
)
def test_removing_a_basket_line_never_fails_and_others_change_nothing(
    app, make, comment, whose, line, extra
):
    """A's own line with any comment, someone else's line (B's, the organiser's), or an
    id that names nothing: a clear answer, and a refusal keeps the line and the comment."""
    world = fresh_world(make)
    client, token = _signed_in(world, whose)
    line_id = world.ids["line"] if line == "A's line" else line
    before = database_fingerprint()
    path = f"/catalogue/requests/lines/{line_id}/remove" if line_id >= 0 else None
    if path is None:
        return  # a negative id matches no route (int converter)
    response = client.post(path, data={**extra, **form(comment=comment), "csrf_token": token})
    assert response.status_code in (302, 400, 404, 422), response.status_code
    refusal_changed_nothing(response, before, response.status_code != 302)
    if whose != "employee_a" or line != "A's line":
        assert response.status_code in (400, 404, 422)


def test_a_too_long_comment_with_a_removal_is_refused_in_french(app, make):
    """Said at the field in the person's language; the line and the comment stay."""
    world = fresh_world(make)
    client, token = _signed_in(world, "employee_a")
    before = database_fingerprint()
    response = client.post(
        f"/catalogue/requests/lines/{world.ids['line']}/remove",
        data={"comment": "x" * (MAX_NOTE + 1), "csrf_token": token},
    )
    assert response.status_code == 422
    assert database_fingerprint() == before
    english = "Your comment is too long (at most %(max)d characters)."
    with current_app.test_request_context(), force_locale("fr"):
        french = gettext(english, max=MAX_NOTE)
    assert french != english % {"max": MAX_NOTE}
    assert html.unescape(response.get_data(as_text=True)).count(french) >= 1


# --- the test-send, with the texts as typed ------------------------------------------------


template_text = st.one_of(
    maybe_text, st.sampled_from(["{{ first_name }}", "{{", "{% if %}", "{{ unsubscribe_url }}"])
)


@fuzzes(SendTestForm)
@FUZZ
@given(
    language=st.one_of(st.none(), st.sampled_from(["fr", "en", "de"]), maybe_text),
    subject_fr=template_text,
    body_fr=template_text,
    subject_en=template_text,
    body_en=template_text,
    recipient=maybe_text,
    persona=st.sampled_from(["organiser", "organiser", "employee_b"]),
)
def test_sending_a_test_of_the_typed_text_never_fails_and_refusals_change_nothing(
    app, make, language, subject_fr, body_fr, subject_en, body_en, recipient, persona
):
    world = fresh_world(make)
    client, token = _signed_in(world, persona)
    template_id = world.ids["template"]
    before = database_fingerprint()
    response = client.post(
        f"/messaging/templates/{template_id}/test",
        data=form(
            key=TEMPLATE["key"],
            name=TEMPLATE["name"],
            subject_fr=subject_fr,
            body_fr=body_fr,
            subject_en=subject_en,
            body_en=body_en,
            recipient=recipient,
            language=language,
            csrf_token=token,
        ),
    )
    if persona == "employee_b":
        assert response.status_code in (403, 404)
        assert database_fingerprint() == before
        return
    assert response.status_code in (302, 400, 422), response.status_code
    refusal_changed_nothing(response, before, response.status_code != 302)
    if response.status_code == 302:  # back to the editor, at the test's answer
        assert response.location.endswith(f"/messaging/templates/{template_id}#test-answer")


def test_reloading_the_test_send_address_sends_nothing(app, make):
    """GET on the test-send address (left in the bar after a test): the editor, nothing sent."""
    world = fresh_world(make)
    client, _token = _signed_in(world, "organiser")
    template_id = world.ids["template"]
    before = database_fingerprint()
    response = client.get(f"/messaging/templates/{template_id}/test")
    assert response.status_code == 302
    assert response.location.endswith(f"/messaging/templates/{template_id}")
    assert database_fingerprint() == before


# --- reads: the comparison, the clock-change note, the receipt's status -------------------

ids = st.one_of(st.integers(min_value=-(2**63), max_value=2**63).map(str), text)


@FUZZ
@given(
    ticked=st.lists(st.one_of(st.sampled_from(["item", "service"]), ids), max_size=6),
    place=st.dictionaries(st.sampled_from(["q", "kind", "sort", "page"]), text, max_size=3),
    fragment=st.booleans(),
)
def test_comparing_ticked_items_never_fails_and_changes_nothing(app, make, ticked, place, fragment):
    world = fresh_world(make)
    client, _token = _signed_in(world, "employee_b")
    query = [("ids", str(world.ids[t]) if t in ("item", "service") else t) for t in ticked]
    before = database_fingerprint()
    response = client.get(
        "/catalogue/compare",
        query_string=query + list(place.items()),
        headers={"HX-Request": "true"} if fragment else {},
    )
    assert response.status_code in (200, 302, 400), response.status_code
    assert database_fingerprint() == before


@FUZZ
@given(
    kind=st.one_of(st.sampled_from(["now", "at", "cron"]), maybe_text),
    repeat=st.one_of(st.sampled_from(["daily", "weekly", "monthly", "custom"]), maybe_text),
    time=st.one_of(st.sampled_from(["02:30", "03:00", "24:00", "9h"]), maybe_text),
    weekday=st.one_of(st.sampled_from(["0", "6", "7"]), numeric_text),
    month_day=st.one_of(st.sampled_from(["1", "31", "0"]), numeric_text),
    cron=st.one_of(st.sampled_from(["30 2 * * *", "61 25 * * *"]), maybe_text),
    fragment=st.booleans(),
)
def test_the_clock_change_note_never_fails_and_changes_nothing(
    app, make, kind, repeat, time, weekday, month_day, cron, fragment
):
    world = fresh_world(make)
    client, _token = _signed_in(world, "organiser")
    before = database_fingerprint()
    response = client.get(
        "/messaging/clock-change",
        query_string=form(
            kind=kind, repeat=repeat, time=time, weekday=weekday, month_day=month_day, cron=cron
        ),
        headers={"HX-Request": "true"} if fragment else {},
    )
    assert response.status_code in (200, 400), response.status_code
    assert database_fingerprint() == before


@FUZZ
@given(
    receipt=st.one_of(st.sampled_from(["mine", "received"]), text.filter(lambda t: "/" not in t)),
    until=st.one_of(st.none(), numeric_text),
    persona=st.sampled_from(["employee_a", "employee_b", "agent", "admin"]),
    fragment=st.booleans(),
)
def test_the_receipt_s_status_is_its_owner_s_only_and_changes_nothing(
    app, make, receipt, until, persona, fragment
):
    world = fresh_world(make)
    client, _token = _signed_in(world, persona)
    number = {"mine": world.ids["receipt"], "received": world.ids["received_receipt"]}
    named = number.get(receipt, receipt)
    if not named or named in (".", ".."):
        return  # no such URL
    before = database_fingerprint()
    response = client.get(
        f"/recycling/returns/{named}/status",
        query_string=form(until=until),
        headers={"HX-Request": "true"} if fragment else {},
    )
    assert response.status_code < 500
    assert database_fingerprint() == before
    if persona != "employee_a" or receipt not in number:
        assert response.status_code in (404, 308), response.status_code
    else:
        assert response.status_code == (200 if fragment else 302)


def test_the_receipt_s_status_stops_polling_after_its_window(app, make):
    """A polling window already past (or absurd) stops the polling: no 500."""
    world = fresh_world(make)
    client, _token = _signed_in(world, "employee_a")
    url = f"/recycling/returns/{world.ids['receipt']}/status"
    past = int((utcnow() - timedelta(minutes=1)).timestamp())
    for until in (str(past), str(2**70), "-1", "nan"):
        response = client.get(url, query_string={"until": until}, headers={"HX-Request": "true"})
        assert response.status_code == 200, (until, response.status_code)
