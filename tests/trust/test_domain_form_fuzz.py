"""Property tests over the domain forms (clean-up, recycling, catalogue, messaging), through
the real routes with a valid CSRF token and a signed-in person of the right role: any input
gives a clear answer (never a 5xx), and input the server refuses leaves the database exactly
as it was."""

import uuid
from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.catalogue.forms import AddToRequestForm, LifetimeForm, SearchForm, SubmitRequestForm
from app.catalogue.models import CatalogueItem
from app.catalogue.services import complete_footprint
from app.cleanup import services as cleanup_services
from app.cleanup.api import ActionInput
from app.cleanup.forms import ActionTypeForm, CampaignForm, CorrectActionForm, LogActionForm
from app.core.devices import DEVICE_TYPES
from app.core.time import utcnow
from app.extensions import db, limiter
from app.messaging import queries as messaging_queries
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.forms import ScheduleForm, SendTestForm, TemplateForm
from app.messaging.models import MessageTemplate
from app.recycling.forms import ReturnForm
from tests.conftest import csrf_token, login
from tests.recycling.conftest import RecyclingFactories
from tests.trust.fuzzing import (
    budget,
    checkbox,
    date_text,
    form,
    fuzzes,
    maybe_text,
    number,
    numeric_text,
    refusal_changed_nothing,
    refused_or_flashed,
    text,
)
from tests.trust.sweep import database_fingerprint

FUZZ = budget(10)
template_text = st.one_of(
    maybe_text,
    st.lists(
        st.sampled_from(
            ["{{ first_name }}", "{{", "}}", "{% if x %}", "{% endif %}", "{% for %}", "{#", "x"]
        )
    ).map(" ".join),
    st.tuples(text, st.sampled_from(["{{ ", "{% ", "{{ unsubscribe_url }}"]), text).map("".join),
)


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client, csrf_token(client)


# --- clean-up -----------------------------------------------------------------------------


@pytest.fixture
def campaign(app, make):
    organiser = make.user(roles=("organiser",))
    types = cleanup_services.ensure_default_action_types()
    now = utcnow()
    data = {
        "name_fr": "Nettoyage",
        "name_en": "Clean-up",
        "description_fr": "",
        "description_en": "",
        "starts_at": now - timedelta(days=2),
        "ends_at": now + timedelta(days=19),
        "all_departments": True,
        "department_ids": [],
        "goals": {"GB": 100},
        "rules": [
            {"action_type_id": t.id, "points_per_unit": t.points_per_unit, "daily_cap": t.daily_cap}
            for t in types
        ],
    }
    campaign = cleanup_services.create_campaign(organiser, data, now - timedelta(days=10))
    cleanup_services.publish_campaign(campaign, organiser, now - timedelta(days=9))
    db.session.commit()
    return campaign


@fuzzes(LogActionForm)
@FUZZ
@given(
    action_type=st.one_of(
        st.sampled_from(["delete-mail", "empty-cloud", "return-device", ""]), maybe_text
    ),
    quantity=numeric_text,
    fragment=st.booleans(),
)
def test_logging_an_action_never_fails_and_refusals_change_nothing(
    app, make, campaign, action_type, quantity, fragment
):
    limiter.reset()
    client, token = _client(app, make.user())
    before = database_fingerprint()
    headers = {"HX-Request": "true"} if fragment else {}
    response = client.post(
        f"/cleanup/campaigns/{campaign.id}/actions",
        data=form(action_type=action_type, quantity=quantity, csrf_token=token),
        headers=headers,
    )
    if fragment:
        refusal_changed_nothing(response, before, response.status_code >= 400)
    else:  # a refusal shows the page again (4xx), a success redirects
        assert response.status_code in (302, 400, 409, 422)
        refused = response.status_code >= 400 or refused_or_flashed(response, client)
        refusal_changed_nothing(response, before, refused)


@fuzzes(CampaignForm)
@FUZZ
@given(
    name_fr=maybe_text,
    name_en=maybe_text,
    description=maybe_text,
    starts_at=date_text,
    ends_at=date_text,
    goal_gb=numeric_text,
    goal_participants=numeric_text,
    all_departments=checkbox,
    departments=st.lists(text, max_size=3),
    rule_type=numeric_text,
    rule_points=numeric_text,
    rule_cap=numeric_text,
)
def test_creating_a_campaign_never_fails_and_refusals_change_nothing(
    app,
    make,
    name_fr,
    name_en,
    description,
    starts_at,
    ends_at,
    goal_gb,
    goal_participants,
    all_departments,
    departments,
    rule_type,
    rule_points,
    rule_cap,
):
    limiter.reset()
    client, token = _client(app, make.user(roles=("organiser",)))
    assert client.get("/cleanup/campaigns/new").status_code == 200  # default action types
    before = database_fingerprint()
    data = form(
        name_fr=name_fr,
        name_en=name_en,
        description_fr=description,
        description_en=description,
        starts_at=starts_at,
        ends_at=ends_at,
        goal_gb=goal_gb,
        goal_participants=goal_participants,
        all_departments=all_departments,
        csrf_token=token,
        **{
            "rules-0-action_type_id": rule_type,
            "rules-0-enabled": "y",
            "rules-0-points_per_unit": rule_points,
            "rules-0-daily_cap": rule_cap,
        },
    )
    data["departments"] = departments
    response = client.post("/cleanup/campaigns/new", data=data)
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(ActionTypeForm)
@FUZZ
@given(
    name=maybe_text,
    guide=maybe_text,
    points=numeric_text,
    cap=numeric_text,
    flag_above=numeric_text,
    max_quantity=numeric_text,
    factor=numeric_text,
    low=numeric_text,
    high=numeric_text,
    source=maybe_text,
)
def test_editing_a_guide_never_fails_and_refusals_change_nothing(
    app, make, name, guide, points, cap, flag_above, max_quantity, factor, low, high, source
):
    limiter.reset()
    client, token = _client(app, make.user(roles=("organiser",)))
    assert client.get("/cleanup/guides/delete-mail/edit").status_code == 200
    before = database_fingerprint()
    data = form(
        name_fr=name,
        name_en=name,
        guide_fr=guide,
        guide_en=guide,
        points_per_unit=points,
        daily_cap=cap,
        flag_above=flag_above,
        max_quantity=max_quantity,
        kg_co2e_per_unit=factor,
        kg_co2e_low=low,
        kg_co2e_high=high,
        factor_source=source,
        csrf_token=token,
    )
    response = client.post("/cleanup/guides/delete-mail/edit", data=data)
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


# --- recycling ----------------------------------------------------------------------------


@fuzzes(ReturnForm)
@FUZZ
@given(
    point=st.one_of(st.just("valid"), numeric_text),
    device_type=st.one_of(st.sampled_from(sorted(DEVICE_TYPES)), maybe_text),
    condition=st.one_of(st.sampled_from(["working", "broken"]), maybe_text),
    asset_tag=maybe_text,
    # One answer of two (a radio), none, anything, or both at once (a crafted request).
    wipe_requested=st.one_of(
        checkbox, st.sampled_from(["y", "n"]), st.lists(st.sampled_from(["y", "n"]), max_size=3)
    ),
)
def test_declaring_a_return_never_fails_and_refusals_change_nothing(
    app, make, point, device_type, condition, asset_tag, wipe_requested
):
    limiter.reset()
    collection_point = RecyclingFactories(make).point()
    client, token = _client(app, make.user())
    before = database_fingerprint()
    response = client.post(
        "/recycling/returns/new",
        data=form(
            collection_point_id=str(collection_point.id) if point == "valid" else point,
            device_type=device_type,
            condition=condition,
            asset_tag=asset_tag,
            wipe_requested=wipe_requested,
            csrf_token=token,
        ),
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


# --- catalogue ----------------------------------------------------------------------------


@pytest.fixture
def item(app):
    values = complete_footprint(
        {
            "code": "FUZZ-1",
            "kind": "equipment",
            "category": "laptop",
            "name_fr": "Portable",
            "name_en": "Laptop",
            "description_fr": "",
            "description_en": "",
            "source": "Test source v1",
            "embodied_kgco2e": 200.0,
            "lifetime_years": 4.0,
            "use_kwh_per_year": 100.0,
        },
        0.052,
    )
    item = CatalogueItem(
        **{k: v for k, v in values.items() if hasattr(CatalogueItem, k)}, status="available"
    )
    db.session.add(item)
    db.session.commit()
    return item


@fuzzes(SearchForm)
@FUZZ
@given(
    q=maybe_text,
    kind=st.one_of(st.sampled_from(["", "equipment", "service"]), maybe_text),
    category=st.one_of(st.sampled_from(["", "laptop"]), maybe_text),
    grade=st.one_of(st.sampled_from(["", "A", "G"]), maybe_text),
    status=st.one_of(st.sampled_from(["available", "all"]), maybe_text),
    sort=maybe_text,
    page=numeric_text,
    fragment=st.booleans(),
)
@example(  # was a 500 on PostgreSQL: text cannot hold U+0000
    q="\x00", kind=None, category=None, grade=None, status=None, sort=None, page=None,
    fragment=False,
)  # fmt: skip
def test_catalogue_search_never_fails_and_changes_nothing(
    app, make, item, q, kind, category, grade, status, sort, page, fragment
):
    client, _token = _client(app, make.user())
    before = database_fingerprint()
    response = client.get(
        "/catalogue/",
        query_string=form(
            q=q, kind=kind, category=category, grade=grade, status=status, sort=sort, page=page
        ),
        headers={"HX-Request": "true"} if fragment else {},
    )
    assert response.status_code in (200, 400)
    assert database_fingerprint() == before


@fuzzes(AddToRequestForm, SubmitRequestForm)
@FUZZ
@given(quantity=numeric_text, comment=maybe_text)
def test_basket_and_request_forms_never_fail_and_refusals_change_nothing(
    app, make, item, quantity, comment
):
    limiter.reset()
    client, token = _client(app, make.user())
    before = database_fingerprint()
    response = client.post(
        f"/catalogue/items/{item.id}/request", data=form(quantity=quantity, csrf_token=token)
    )
    assert response.status_code in (302, 400, 422)  # 422: the item's page, refused quantity
    refused = response.status_code >= 400 or response.location.endswith(f"/items/{item.id}")
    refusal_changed_nothing(response, before, refused)

    before = database_fingerprint()
    response = client.post(
        "/catalogue/requests/submit", data=form(comment=comment, csrf_token=token)
    )
    assert response.status_code in (302, 400, 422)  # 422: the comment shown again, refused
    refused = response.status_code >= 400 or response.location.endswith("/catalogue/requests")
    refusal_changed_nothing(response, before, refused)


# --- messaging ----------------------------------------------------------------------------


@fuzzes(TemplateForm)
@FUZZ
@given(
    key=st.one_of(st.sampled_from(["spring-news", "x"]), maybe_text),
    name=maybe_text,
    subject_fr=template_text,
    body_fr=template_text,
    subject_en=template_text,
    body_en=template_text,
    recipient=maybe_text,
    action=st.one_of(st.none(), st.sampled_from(["preview", "save"])),
)
def test_saving_a_template_never_fails_and_refusals_change_nothing(
    app, make, key, name, subject_fr, body_fr, subject_en, body_en, recipient, action
):
    limiter.reset()
    client, token = _client(app, make.user(roles=("organiser",)))
    before = database_fingerprint()
    response = client.post(
        "/messaging/templates/new",
        data=form(
            key=key,
            name=name,
            subject_fr=subject_fr,
            body_fr=body_fr,
            subject_en=subject_en,
            body_en=body_en,
            recipient=recipient,
            action=action,
            csrf_token=token,
        ),
    )
    assert response.status_code in (200, 302, 400, 422)
    # A preview (200) and a refusal (422) both leave the database as it was.
    refusal_changed_nothing(response, before, response.status_code != 302)


@fuzzes(SendTestForm)
@FUZZ
@given(language=st.one_of(st.none(), st.sampled_from(["fr", "en", "de"]), maybe_text))
def test_sending_myself_a_test_never_fails_and_refusals_change_nothing(app, make, language):
    limiter.reset()
    client, token = _client(app, make.user(roles=("organiser",)))
    template = MessageTemplate(
        key=f"t-{uuid.uuid4().hex[:8]}", name="Test", subject_fr="Bonjour", body_fr="Texte",
        subject_en="Hello", body_en="Text",
    )  # fmt: skip
    db.session.add(template)
    db.session.commit()
    before = database_fingerprint()
    response = client.post(
        f"/messaging/templates/{template.id}/test",
        data=form(language=language, csrf_token=token),
    )
    assert response.status_code in (302, 400)
    refusal_changed_nothing(response, before, response.status_code == 400)


@fuzzes(ScheduleForm)
@FUZZ
@given(
    template=st.one_of(st.just("valid"), numeric_text),
    audience=st.one_of(st.sampled_from(["everyone"]), maybe_text),
    kind=st.one_of(st.sampled_from(["now", "at", "cron"]), maybe_text),
    at=date_text,
    cron=st.one_of(st.sampled_from(["0 9 * * mon", "* * * * *", "61 25 * * *"]), maybe_text),
    repeat=st.one_of(
        st.sampled_from(["daily", "weekdays", "weekly", "monthly", "custom"]), maybe_text
    ),
    weekday=st.one_of(st.sampled_from(["0", "6", "7", "-1"]), numeric_text),
    month_day=st.one_of(st.sampled_from(["1", "28", "29", "0"]), numeric_text),
    time=st.one_of(st.sampled_from(["09:00", "23:59", "24:00", "9h"]), maybe_text),
    confirm=st.one_of(st.sampled_from(["", "yes", "no"]), maybe_text),
)
def test_scheduling_never_fails_and_refusals_change_nothing(
    app, make, template, audience, kind, at, cron, repeat, weekday, month_day, time, confirm
):
    limiter.reset()
    client, token = _client(app, make.user(roles=("organiser",)))
    ensure_builtin_templates()
    db.session.commit()
    valid = str(min(t.id for t in messaging_queries.list_templates()))
    before = database_fingerprint()
    response = client.post(
        "/messaging/schedule",
        data=form(
            template=valid if template == "valid" else template,
            audience=audience,
            kind=kind,
            at=at,
            cron=cron,
            repeat=repeat,
            weekday=weekday,
            month_day=month_day,
            time=time,
            confirm=confirm,
            csrf_token=token,
        ),
    )
    # 200: the question before sending ("Send to N people now?"), which changes nothing.
    assert response.status_code in (200, 302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code != 302)


@fuzzes(CorrectActionForm)
@FUZZ
@given(quantity=numeric_text, fragment=st.booleans())
def test_correcting_an_entry_never_fails_and_refusals_change_nothing(
    app, make, campaign, quantity, fragment
):
    limiter.reset()
    user = make.user()
    action = cleanup_services.log_action(user, campaign, "delete-mail", 2, utcnow())
    db.session.commit()
    client, token = _client(app, user)
    before = database_fingerprint()
    response = client.post(
        f"/cleanup/actions/{action.id}/correct",
        data=form(quantity=quantity, csrf_token=token),
        headers={"HX-Request": "true"} if fragment else {},
    )
    if fragment:
        refused = response.status_code >= 400
    else:  # a refusal shows the page again (4xx), a success redirects
        assert response.status_code in (302, 400, 409, 422)
        refused = response.status_code >= 400 or refused_or_flashed(response, client)
    refusal_changed_nothing(response, before, refused)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=5,
)


@fuzzes(ActionInput)
@FUZZ
@given(
    body=st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "action_type": st.one_of(
                    st.sampled_from(["delete-mail", "empty-cloud"]), json_value
                ),
                "quantity": st.one_of(number, json_value),
            },
        ),
        json_value,
    )
)
def test_logging_through_the_api_never_fails_and_refusals_change_nothing(
    app, make, campaign, token_for, body
):
    limiter.reset()
    bearer = {"Authorization": f"Bearer {token_for(make.user())}"}
    before = database_fingerprint(skip=("api_token",))  # a call notes the token's last use
    response = app.test_client().post(
        f"/api/v1/campaigns/{campaign.id}/actions", json=body, headers=bearer
    )
    assert response.status_code in (201, 400, 409, 422), response.status_code
    if response.status_code >= 400:
        assert database_fingerprint(skip=("api_token",)) == before


@fuzzes(LifetimeForm)
@FUZZ
@given(years=numeric_text, fragment=st.booleans(), simulator=st.booleans())
def test_lifetime_simulator_never_fails_and_changes_nothing(
    app, make, item, years, fragment, simulator
):
    client, _token = _client(app, make.user())
    url = f"/catalogue/items/{item.id}/lifetime" if simulator else f"/catalogue/items/{item.id}"
    before = database_fingerprint()
    response = client.get(
        url,
        query_string=form(years=years),
        headers={"HX-Request": "true"} if fragment else {},
    )
    assert response.status_code in (200, 302, 400)
    assert database_fingerprint() == before
