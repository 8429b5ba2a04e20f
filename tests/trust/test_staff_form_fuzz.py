"""Property tests over the organisers', agents' and admins' forms, through the real routes
(real client, real CSRF token, real database) on the sweeps' world: any input gives a clear
answer (never a 5xx), and input the server refuses leaves every row as it was.

Each example starts from the world as built (a draft, a running campaign with a flagged
entry, returns waiting for receipt, wipe and outcome, a submitted request…), so an example
that succeeds does not leave the next one a different state to work on."""

import csv
import io
import re

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.auth.forms import DepartmentForm
from app.catalogue.forms import BudgetForm, ConfirmImportForm, DecisionForm, ImportForm, ItemForm
from app.cleanup.forms import CampaignForm, EndNowForm, ExtendForm, ReviewForm
from app.cleanup.models import CleanupActionType
from app.core.admin_forms import (
    AccountStatusForm,
    AuditFilterForm,
    DepartmentsForm,
    DirectoryConfirmForm,
    DirectoryForm,
    RoleForm,
    StaffNumberForm,
    UserSearchForm,
)
from app.core.admin_services import GRANTABLE_ROLES
from app.core.devices import DEVICE_TYPES
from app.core.models import Commune, Department
from app.extensions import db
from app.messaging.forms import RescheduleForm
from app.recycling.forms import (
    CloseForm,
    ConfirmForm,
    CorrectionForm,
    ErasedOwnerUndoForm,
    OutcomeForm,
    PointForm,
    UndoReceiptForm,
    WipeForm,
)
from app.recycling.handover_views import HandoverForm
from app.recycling.models import OUTCOMES, WIPE_METHODS, DeviceReturn
from tests.cleanup.conftest import in_days
from tests.recycling.conftest import local_today
from tests.trust.fuzzing import (
    budget,
    checkbox,
    date_text,
    extra_fields,
    flashed_errors,
    form,
    fresh_world,
    fuzzes,
    maybe_text,
    number,
    numeric_text,
    refusal_changed_nothing,
    refused_or_flashed,
    text,
)
from tests.trust.sweep import database_fingerprint

FUZZ = budget(15)
TODAY = local_today()


def _one_of_or(values, other=maybe_text):
    """A valid value most of the time, anything otherwise."""
    return st.one_of(st.sampled_from(list(values)), other)


def _signed_in(world, persona):
    client, _user = world.client(persona)
    return client, world.token(persona)


# --- organisers ---------------------------------------------------------------------------


@fuzzes(CampaignForm)
@FUZZ
@given(
    name_fr=maybe_text,
    name_en=_one_of_or(["Clean-up"]),
    starts_at=date_text,
    ends_at=date_text,
    goal=numeric_text,
    all_departments=checkbox,
    departments=st.lists(numeric_text.filter(lambda v: v is not None), max_size=2),
    rule_type=st.one_of(st.just("valid"), numeric_text),
    rule_points=numeric_text,
    rule_cap=numeric_text,
    twin_rule=st.booleans(),
)
@example(  # was a 500: a valid edit re-inserted the campaign's action types
    name_fr="Nettoyage", name_en="Clean-up", starts_at=in_days(40, "09:00"),
    ends_at=in_days(71, "18:00"), goal="12.5", all_departments="y", departments=[],
    rule_type="valid", rule_points="2", rule_cap="50", twin_rule=False,
)  # fmt: skip
@example(  # the same action type posted twice: refused, nothing changed
    name_fr="Nettoyage", name_en="Clean-up", starts_at=in_days(40, "09:00"),
    ends_at=in_days(71, "18:00"), goal=None, all_departments="y", departments=[],
    rule_type="valid", rule_points="2", rule_cap="50", twin_rule=True,
)  # fmt: skip
def test_editing_a_draft_campaign_never_fails_and_refusals_change_nothing(
    app, make, name_fr, name_en, starts_at, ends_at, goal, all_departments, departments,
    rule_type, rule_points, rule_cap, twin_rule,
):  # fmt: skip
    world = fresh_world(make)
    client, token = _signed_in(world, "organiser")
    if rule_type == "valid":
        rule_type = str(db.session.scalar(select(func.min(CleanupActionType.id))))
    before = database_fingerprint()
    data = form(
        name_fr=name_fr, name_en=name_en, description_fr=name_fr, starts_at=starts_at,
        ends_at=ends_at, goal_gb=goal, goal_devices=goal, all_departments=all_departments,
        csrf_token=token,
        **{"rules-0-action_type_id": rule_type, "rules-0-enabled": "y",
           "rules-0-points_per_unit": rule_points, "rules-0-daily_cap": rule_cap},
    )  # fmt: skip
    data["departments"] = departments
    if twin_rule:  # the same action type twice
        data.update(
            {k.replace("rules-0-", "rules-1-"): v for k, v in data.items() if "rules-0" in k}
        )
    response = client.post(f"/cleanup/campaigns/{world.ids['draft_campaign']}/edit", data=data)
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(ExtendForm)
@FUZZ
@given(ends_at=date_text, campaign=st.sampled_from(["campaign", "closed_campaign"]))
def test_extending_a_campaign_never_fails_and_refusals_change_nothing(app, make, ends_at, campaign):
    world = fresh_world(make)
    client, token = _signed_in(world, "organiser")
    before = database_fingerprint()
    response = client.post(
        f"/cleanup/campaigns/{world.ids[campaign]}/extend",
        data=form(ends_at=ends_at, csrf_token=token),
    )
    assert response.status_code in (302, 400, 422)
    refused = response.status_code >= 400 or refused_or_flashed(response, client)
    refusal_changed_nothing(response, before, refused)


@fuzzes(EndNowForm)
@FUZZ
@given(reason=maybe_text, campaign=st.sampled_from(["campaign", "closed_campaign"]))
@example(reason="Reorganisation of the departments", campaign="campaign")
def test_ending_a_campaign_now_never_fails_and_refusals_change_nothing(app, make, reason, campaign):
    world = fresh_world(make)
    client, token = _signed_in(world, "organiser")
    before = database_fingerprint()
    response = client.post(
        f"/cleanup/campaigns/{world.ids[campaign]}/end-now",
        data=form(reason=reason, csrf_token=token),
    )
    assert response.status_code in (302, 400, 422)
    refused = response.status_code >= 400 or refused_or_flashed(response, client)
    refusal_changed_nothing(response, before, refused)


@fuzzes(ReviewForm)
@FUZZ
@given(decision=_one_of_or(["accept", "reject"]), reason=maybe_text, twice=st.booleans())
@example(decision="accept", reason=None, twice=False)  # was a 500: no reason field at all
def test_reviewing_an_entry_never_fails_and_refusals_change_nothing(
    app, make, decision, reason, twice
):
    world = fresh_world(make)
    client, token = _signed_in(world, "organiser")
    url = f"/cleanup/actions/{world.ids['action']}/review"
    data = form(decision=decision, reason=reason, csrf_token=token)
    if twice:  # a second decision on an entry no longer waiting is refused
        client.post(url, data={"decision": "accept", "csrf_token": token})
        with client.session_transaction() as session:
            session.pop("_flashes", None)
    before = database_fingerprint()
    response = client.post(url, data=data)
    assert response.status_code in (302, 400, 422)
    refused = response.status_code >= 400 or refused_or_flashed(response, client)
    refusal_changed_nothing(response, before, refused)


# --- agents -------------------------------------------------------------------------------


@fuzzes(WipeForm)
@FUZZ
@given(
    method=_one_of_or(WIPE_METHODS),
    wipe_date=date_text,
    certificate=_one_of_or(["CERT-2026-001"]),
    receipt=st.sampled_from(["received_receipt", "receipt", "unwiped_receipt"]),
)
@example(method="crypto_erase", wipe_date=TODAY, certificate="C-1", receipt="received_receipt")
def test_recording_a_wipe_never_fails_and_refusals_change_nothing(
    app, make, method, wipe_date, certificate, receipt
):
    world = fresh_world(make)
    client, token = _signed_in(world, "agent")
    before = database_fingerprint()
    response = client.post(
        f"/recycling/agent/returns/{world.ids[receipt]}/wipe",
        data=form(
            method=method, wipe_date=wipe_date, certificate_number=certificate, csrf_token=token
        ),
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(OutcomeForm)
@FUZZ
@given(
    outcome=_one_of_or(OUTCOMES),
    note=maybe_text,
    recipient=maybe_text,
    receipt=st.sampled_from(["unwiped_receipt", "received_receipt", "receipt"]),
)
@example(outcome="recycled", note="ok", recipient="Ecologic", receipt="unwiped_receipt")
def test_recording_an_outcome_never_fails_and_refusals_change_nothing(
    app, make, outcome, note, recipient, receipt
):
    world = fresh_world(make)
    client, token = _signed_in(world, "agent")
    before = database_fingerprint()
    response = client.post(
        f"/recycling/agent/returns/{world.ids[receipt]}/outcome",
        data=form(outcome=outcome, note=note, recipient=recipient, csrf_token=token),
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(UndoReceiptForm)
@FUZZ
@given(reason=maybe_text, receipt=st.sampled_from(["received_receipt", "receipt"]))
@example(reason="Wrong row", receipt="received_receipt")
def test_undoing_a_receipt_never_fails_and_refusals_change_nothing(app, make, reason, receipt):
    world = fresh_world(make)
    client, token = _signed_in(world, "agent")
    before = database_fingerprint()
    response = client.post(
        f"/recycling/agent/returns/{world.ids[receipt]}/undo-receipt",
        data=form(reason=reason, csrf_token=token),
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(CorrectionForm)
@FUZZ
@given(
    target=_one_of_or(["wipe"]),
    new_value=_one_of_or(["CERT-2026-002"]),
    reason=maybe_text,
    extra=extra_fields,
)
@example(target="wipe", new_value="CERT-2026-002", reason="Typo", extra={})
def test_correcting_a_signed_value_never_fails_and_refusals_change_nothing(
    app, make, target, new_value, reason, extra
):
    from app.core.time import local_zone, utcnow
    from app.recycling import services
    from app.recycling.models import CustodyStep

    world = fresh_world(make)
    client, token = _signed_in(world, "agent")
    receipt = world.ids["received_receipt"]
    returned = db.session.scalar(select(DeviceReturn).where(DeviceReturn.receipt_number == receipt))
    agent = db.session.get(type(returned.user), returned.steps[-1].actor_id)
    services.record_wipe(
        returned,
        agent,
        "crypto_erase",
        utcnow().astimezone(local_zone()).date(),
        "CERT-1",
        utcnow(),
    )
    db.session.commit()
    wipe = db.session.scalar(select(CustodyStep.id).where(CustodyStep.step == "wiped"))
    field = f"{wipe}:certificate_number" if target == "wipe" else target
    before = database_fingerprint()
    response = client.post(
        f"/recycling/agent/returns/{receipt}/correct",
        data={**extra, **form(field=field, new_value=new_value, reason=reason, csrf_token=token)},
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(ConfirmForm)
@FUZZ
@given(extra=extra_fields, fragment=st.booleans())
def test_confirming_a_receipt_ignores_stray_fields(app, make, extra, fragment):
    world = fresh_world(make)
    client, token = _signed_in(world, "agent")
    response = client.post(
        f"/recycling/agent/returns/{world.ids['receipt']}/receive",
        data={**extra, "csrf_token": token},
        headers={"HX-Request": "true"} if fragment else {},
    )
    receipt = world.ids["receipt"]
    returned = db.session.scalar(select(DeviceReturn).where(DeviceReturn.receipt_number == receipt))
    # A NUL character in them is taken out before the view reads the form, like any other.
    assert response.status_code == (200 if fragment else 302)
    assert returned.status == "received"


@fuzzes(ConfirmForm)
@FUZZ
@given(
    campaign=st.one_of(st.just("running"), st.integers(min_value=1, max_value=2**31 - 1)),
    receipt=st.sampled_from(["receipt", "received_receipt"]),
    extra=extra_fields,
)
@example(campaign="running", receipt="receipt", extra={})
def test_counting_a_return_in_a_campaign_never_fails_and_refusals_change_nothing(
    app, make, campaign, receipt, extra
):
    """The receipt's « Count this return in … » (`recycling.count_return_in`): any
    campaign id gives a clear answer, and a refusal leaves every row as it was."""
    world = fresh_world(make)
    client, token = _signed_in(world, "employee_a")
    campaign_id = world.ids["campaign"] if campaign == "running" else campaign
    before = database_fingerprint()
    response = client.post(
        f"/recycling/returns/{world.ids[receipt]}/count-in",
        data={**extra, "campaign_id": campaign_id, "csrf_token": token},
    )
    assert response.status_code in (302, 400, 404)
    refusal_changed_nothing(
        response, before, response.status_code >= 400 or bool(flashed_errors(client))
    )


# --- admins: collection points ------------------------------------------------------------


@fuzzes(PointForm)
@FUZZ
@given(
    editing=st.booleans(),
    name=_one_of_or(["Médiathèque"]),
    commune=st.one_of(st.just("valid"), numeric_text),
    address=_one_of_or(["3 rue du Port"]),
    latitude=st.one_of(st.just("44.84"), numeric_text),
    longitude=st.one_of(st.just("-0.58"), numeric_text),
    opening_hours=_one_of_or(["24/7", "Mo-Fr 08:30-12:00; PH off", "Mo-Zz 99:00"]),
    accepted=st.lists(_one_of_or(DEVICE_TYPES, text), max_size=3),
    agents=st.lists(st.one_of(st.just("agent"), number), max_size=2),
    directions=maybe_text,
)
@example(
    editing=False, name="Médiathèque", commune="valid", address="3 rue du Port",
    latitude="44.84", longitude="-0.58", opening_hours="24/7", accepted=["laptop"],
    agents=["agent"], directions="Accueil",
)  # fmt: skip
def test_saving_a_collection_point_never_fails_and_refusals_change_nothing(
    app, make, editing, name, commune, address, latitude, longitude, opening_hours, accepted,
    agents, directions,
):  # fmt: skip
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    commune_id = db.session.scalar(select(Commune.id).limit(1))
    data = form(
        name=name, commune_id=str(commune_id) if commune == "valid" else commune,
        address=address, latitude=latitude, longitude=longitude, opening_hours=opening_hours,
        directions_fr=directions, directions_en=directions, csrf_token=token,
    )  # fmt: skip
    data["accepted_types"] = accepted
    data["agent_ids"] = [str(world.users["agent"].id) if a == "agent" else a for a in agents]
    url = (
        f"/recycling/admin/points/{world.ids['point']}/edit"
        if editing
        else "/recycling/admin/points/new"
    )
    before = database_fingerprint()
    response = client.post(url, data=data)
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(CloseForm)
@FUZZ
@given(note=maybe_text, reopen=st.booleans())
def test_closing_a_point_never_fails_and_refusals_change_nothing(app, make, note, reopen):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    before = database_fingerprint()
    action = "reopen" if reopen else "close"
    response = client.post(
        f"/recycling/admin/points/{world.ids['point']}/{action}",
        data=form(closure_note=note, csrf_token=token),
    )
    assert response.status_code in (302, 400, 409, 422)
    refused = response.status_code >= 400 or bool(flashed_errors(client))
    refusal_changed_nothing(response, before, refused)


# --- admins: catalogue --------------------------------------------------------------------


@fuzzes(DecisionForm)
@FUZZ
@given(decision=_one_of_or(["approve", "refuse"]), note=maybe_text, twice=st.booleans())
def test_deciding_a_request_never_fails_and_refusals_change_nothing(
    app, make, decision, note, twice
):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    url = f"/catalogue/admin/requests/{world.ids['request']}/decide"
    if twice:  # a decided request cannot be decided again
        client.post(url, data={"decision": "approve", "csrf_token": token})
        with client.session_transaction() as session:
            session.pop("_flashes", None)
    before = database_fingerprint()
    response = client.post(url, data=form(decision=decision, note=note, csrf_token=token))
    assert response.status_code in (302, 400)
    refusal_changed_nothing(response, before, refused_or_flashed(response, client))


@fuzzes(BudgetForm)
@FUZZ
@given(
    department=st.one_of(st.just("valid"), numeric_text),
    year=st.one_of(st.integers(1990, 2110).map(str), numeric_text),
    amount=st.one_of(st.just("1200.5"), numeric_text),
)
@example(department="valid", year="2026", amount="1200.5")
def test_setting_a_budget_never_fails_and_refusals_change_nothing(
    app, make, department, year, amount
):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    department_id = db.session.scalar(select(Department.id).limit(1))
    before = database_fingerprint()
    response = client.post(
        "/catalogue/admin/budgets",
        data=form(
            department_id=str(department_id) if department == "valid" else department,
            year=year,
            budget_kgco2e=amount,
            csrf_token=token,
        ),
    )
    assert response.status_code in (302, 400)
    refusal_changed_nothing(response, before, refused_or_flashed(response, client))


@fuzzes(ItemForm)
@FUZZ
@given(
    editing=st.booleans(),
    code=_one_of_or(["NEW-ITEM-1", "TRUST-LAPTOP", "TRUST-MAIL"]),
    kind=_one_of_or(["equipment", "service"]),
    category=_one_of_or(["laptop", "email", "smartphone"]),
    name=_one_of_or(["Portable léger"]),
    embodied=numeric_text,
    use=numeric_text,
    lifetime=numeric_text,
    source=_one_of_or(["Boavizta v1"]),
    source_url=_one_of_or(["https://example.org/study", "javascript:alert(1)"]),
    estimate=checkbox,
    user_count=numeric_text,
    alternatives=_one_of_or(["TRUST-MAIL", "TRUST-LAPTOP, NO-SUCH-CODE", "NEW-ITEM-1"]),
)
@example(
    editing=False, code="NEW-ITEM-1", kind="equipment", category="laptop", name="Portable",
    embodied="250", use="20", lifetime="5", source="Boavizta v1",
    source_url="https://example.org/study", estimate=None, user_count=None,
    alternatives="TRUST-MAIL",
)  # fmt: skip
def test_saving_a_catalogue_item_never_fails_and_refusals_change_nothing(
    app, make, editing, code, kind, category, name, embodied, use, lifetime, source,
    source_url, estimate, user_count, alternatives,
):  # fmt: skip
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    url = (
        f"/catalogue/admin/items/{world.ids['item']}/edit"
        if editing
        else "/catalogue/admin/items/new"
    )
    before = database_fingerprint()
    response = client.post(
        url,
        data=form(
            code=code, kind=kind, category=category, name_fr=name, name_en=name,
            description_fr=source, embodied_kgco2e=embodied, embodied_min_kgco2e=embodied,
            use_kwh_per_year=use, use_kgco2e_per_year=use, lifetime_years=lifetime,
            source=source, source_url=source_url, estimate=estimate, user_count=user_count,
            alternatives=alternatives, csrf_token=token,
        ),
    )  # fmt: skip
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


@fuzzes(ImportForm)
@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=300),
        text.map(str.encode),
        st.tuples(st.integers(0, 30), text),  # one cell of the export
        st.lists(st.lists(text, max_size=25), max_size=3),  # the export's header, fuzzed rows
    ),
    filename=_one_of_or(["items.csv", "items.CSV", "items.txt", "items"], text),
)
def test_importing_a_catalogue_never_fails_and_refusals_change_nothing(
    app, make, content, filename
):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    export = list(csv.reader(io.StringIO(client.get("/catalogue/export.csv").text)))
    if isinstance(content, tuple):  # change one cell of a real line
        column, value = content
        export[1][column % len(export[1])] = value
        content = _csv(export)
    elif isinstance(content, list):
        content = _csv([export[0], *content])
    before = database_fingerprint()
    response = client.post(
        "/catalogue/admin/import",
        data={"file": (io.BytesIO(content), filename), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 400, 422)
    refusal_changed_nothing(response, before, True)  # a preview writes nothing either


@fuzzes(ConfirmImportForm)
@FUZZ
@given(
    cell=st.tuples(st.integers(0, 30), text),  # one cell of the export, changed
    token=st.one_of(st.none(), text, st.just("previewed")),
)
def test_confirming_an_import_never_fails_and_refusals_change_nothing(app, make, cell, token):
    world = fresh_world(make)
    client, csrf = _signed_in(world, "admin")
    export = list(csv.reader(io.StringIO(client.get("/catalogue/export.csv").text)))
    export[1][cell[0] % len(export[1])] = cell[1]
    preview = client.post(
        "/catalogue/admin/import",
        data={"file": (io.BytesIO(_csv(export)), "items.csv"), "csrf_token": csrf},
        content_type="multipart/form-data",
    ).text
    if token == "previewed":
        found = re.search(r'name="token" type="hidden" value="([^"]+)"', preview)
        token = found.group(1) if found else None
    before = database_fingerprint()
    response = client.post(
        "/catalogue/admin/import/confirm", data=form(token=token, csrf_token=csrf)
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(
        response, before, response.status_code >= 400 or bool(flashed_errors(client))
    )


# --- admins: roles and audit log ----------------------------------------------------------


@fuzzes(RoleForm)
@FUZZ
@given(
    change=_one_of_or(
        [
            f"{verb}:{role}"
            for verb in ("grant", "revoke")
            for role in (*GRANTABLE_ROLES, "employee")
        ]
        + ["grant", "revoke:", ":agent", "grant:agent:admin"]
    ),
    person=st.sampled_from(["employee_b", "admin"]),
)
def test_changing_a_role_never_fails_and_refusals_change_nothing(app, make, change, person):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    before = database_fingerprint()
    response = client.post(
        f"/admin/roles/{world.users[person].id}", data=form(change=change, csrf_token=token)
    )
    assert response.status_code in (302, 400)
    refusal_changed_nothing(
        response, before, response.status_code == 400 or bool(flashed_errors(client))
    )


@fuzzes(AccountStatusForm)
@FUZZ
@given(
    change=_one_of_or(["deactivate", "reactivate", "delete", "Deactivate", ""]),
    person=st.sampled_from(["employee_b", "admin"]),
)
def test_changing_an_account_s_status_never_fails_and_refusals_change_nothing(
    app, make, change, person
):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    before = database_fingerprint()
    response = client.post(
        f"/admin/people/{world.users[person].id}/status",
        data=form(change=change, csrf_token=token),
    )
    assert response.status_code in (302, 400)
    refusal_changed_nothing(
        response, before, response.status_code == 400 or bool(flashed_errors(client))
    )


@fuzzes(StaffNumberForm)
@FUZZ
@given(staff_number=maybe_text, person=st.sampled_from(["employee_b", "admin"]))
@example(staff_number="N3001", person="employee_b")
def test_changing_a_staff_number_never_fails_and_refusals_change_nothing(
    app, make, staff_number, person
):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    before = database_fingerprint()
    response = client.post(
        f"/admin/people/{world.users[person].id}/staff-number",
        data=form(staff_number=staff_number, csrf_token=token),
    )
    assert response.status_code in (302, 400, 409, 422)
    refusal_changed_nothing(
        response, before, response.status_code >= 400 or bool(flashed_errors(client))
    )


@fuzzes(DirectoryForm)
@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=300),
        text.map(str.encode),
        st.lists(st.lists(text, max_size=5), max_size=3),  # the header, fuzzed rows
    ),
    filename=_one_of_or(["staff.csv", "staff.CSV", "staff.txt"], text),
    deactivate=checkbox,
    check_only=checkbox,
)
@example(content=[["x@example.org", "X"]], filename="staff.csv", deactivate="y", check_only="")
def test_importing_the_staff_directory_never_fails_and_refusals_change_nothing(
    app, make, content, filename, deactivate, check_only
):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    if isinstance(content, list):
        content = _csv([["email", "display_name", "department"], *content])
    _upload_refused_or_saved(
        client,
        "/admin/directory",
        file=(io.BytesIO(content), filename),
        deactivate_missing=deactivate,
        check_only=check_only,
        csrf_token=token,
    )


@fuzzes(DirectoryConfirmForm)
@FUZZ
@given(
    token=st.one_of(st.none(), text, st.just("kept")),
    deactivating=st.one_of(numeric_text, st.just("seen")),
)
@example(token="kept", deactivating="seen")
def test_confirming_a_directory_import_never_fails_and_refusals_change_nothing(
    app, make, token, deactivating
):
    world = fresh_world(make)
    client, csrf = _signed_in(world, "admin")
    asked = client.post(
        "/admin/directory",
        data={
            "file": (io.BytesIO(_csv([["email", "display_name"], ["new@example.org", "New"]])),
                     "staff.csv"),
            "deactivate_missing": "y",
            "csrf_token": csrf,
        },
        content_type="multipart/form-data",
    ).text  # fmt: skip
    if token == "kept":
        found = re.search(r'name="token" type="hidden" value="([^"]+)"', asked)
        token = found.group(1) if found else None
    if deactivating == "seen":
        found = re.search(r'name="deactivating" type="hidden" value="([^"]+)"', asked)
        deactivating = found.group(1) if found else None
    before = database_fingerprint()
    response = client.post(
        "/admin/directory/confirm",
        data=form(token=token, deactivating=deactivating, csrf_token=csrf),
    )
    assert response.status_code in (302, 400, 409, 422)
    refusal_changed_nothing(
        response, before, response.status_code >= 400 or bool(flashed_errors(client))
    )


@fuzzes(DepartmentsForm)
@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=300),
        text.map(str.encode),
        st.lists(st.lists(text, max_size=5), max_size=3),  # the header, fuzzed rows
    ),
    check_only=checkbox,
)
@example(content=[["NEW", "Nouvelle", "New", ""]], check_only="")
def test_importing_departments_never_fails_and_refusals_change_nothing(
    app, make, content, check_only
):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    if isinstance(content, list):
        content = _csv([["code", "name_fr", "name_en", "commune"], *content])
    _upload_refused_or_saved(
        client,
        "/admin/departments",
        file=(io.BytesIO(content), "departments.csv"),
        check_only=check_only,
        csrf_token=token,
    )


def _upload_refused_or_saved(client, path: str, **fields) -> None:
    """Upload a CSV file to an admin import page: a clear answer, and only a saved
    import (302) may change anything; a check, a wrong file or a refusal changes nothing."""
    before = database_fingerprint()
    response = client.post(path, data=form(**fields), content_type="multipart/form-data")
    assert response.status_code in (200, 302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code != 302)


@fuzzes(AuditFilterForm, UserSearchForm)
@FUZZ
@given(
    action=_one_of_or(["", "grant_role", "create"]),
    object_type=_one_of_or(["", "user", "collection_point"]),
    actor=maybe_text,
    since=date_text,
    until=date_text,
    q=maybe_text,
    page=numeric_text,
    fragment=st.booleans(),
)
@example(  # was a 500 on PostgreSQL: text cannot hold U+0000
    action="", object_type="", actor="a\x00", since=None, until=None, q="\x00", page=None,
    fragment=False,
)  # fmt: skip
def test_admin_searches_never_fail_and_change_nothing(
    app, make, action, object_type, actor, since, until, q, page, fragment
):
    world = fresh_world(make)
    client, _token = _signed_in(world, "admin")
    headers = {"HX-Request": "true"} if fragment else {}
    filters = form(
        action=action, object_type=object_type, actor=actor, since=since, until=until, page=page
    )
    # A download of the audit log is itself audited (the privacy notice says so): nothing
    # else changes.
    before = database_fingerprint(skip=("audit_event",))
    events = _events_but_downloads()
    for url in ("/admin/audit", "/admin/audit.csv"):
        response = client.get(url, query_string=filters, headers=headers)
        assert response.status_code in (200, 400)
    response = client.get("/admin/roles", query_string=form(q=q, page=page), headers=headers)
    assert response.status_code in (200, 400)
    assert database_fingerprint(skip=("audit_event",)) == before
    assert _events_but_downloads() == events


def _events_but_downloads() -> list[int]:
    from app.core.audit import AuditEvent

    statement = select(AuditEvent.id).where(AuditEvent.action != "download_audit_log")
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


@fuzzes(ErasedOwnerUndoForm)
@FUZZ
@given(reason=maybe_text, extra=extra_fields)
def test_undoing_an_erased_owners_receipt_keeps_no_typed_text(app, make, reason, extra):
    from app.core.privacy_services import erase_user
    from app.core.time import utcnow
    from app.recycling.models import CustodyStep

    world = fresh_world(make)
    client, token = _signed_in(world, "agent")
    receipt = world.ids["received_receipt"]
    returned = db.session.scalar(select(DeviceReturn).where(DeviceReturn.receipt_number == receipt))
    erase_user(returned.user, utcnow())
    db.session.commit()
    before = database_fingerprint()
    response = client.post(
        f"/recycling/agent/returns/{receipt}/undo-receipt",
        data={**extra, **form(reason=reason, csrf_token=token)},
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)
    # Whatever was typed, the steps keep no text of it (`ERASED_OWNER_UNDO_REASON`).
    steps = select(CustodyStep.note).where(CustodyStep.return_id == returned.id)
    typed = (reason or "").strip()
    assert not typed or typed not in db.session.scalars(steps).all()


@fuzzes(DepartmentForm)
@FUZZ
@given(
    department=st.one_of(st.just("valid"), st.just(""), numeric_text, maybe_text),
    person=st.sampled_from(["employee_b", "admin"]),
)
@example(department="valid", person="employee_b")
@example(department="2147483648", person="employee_b")  # beyond an INTEGER column
def test_changing_a_department_never_fails_and_refusals_change_nothing(
    app, make, department, person
):
    world = fresh_world(make)
    client, token = _signed_in(world, "admin")
    if department == "valid":
        department = str(db.session.scalar(select(func.max(Department.id))))
    before = database_fingerprint()
    response = client.post(
        f"/admin/people/{world.users[person].id}/department",
        data=form(department=department, csrf_token=token),
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(RescheduleForm)
@FUZZ
@given(at=date_text)
@example(at="2001-01-01T10:00")  # in the past
@example(at="9999-12-31T23:59")  # beyond a year
def test_moving_a_dispatch_never_fails_and_refusals_change_nothing(app, make, at):
    from datetime import timedelta

    from app.core.time import utcnow
    from app.messaging import services as messaging_services

    world = fresh_world(make)
    client, token = _signed_in(world, "organiser")
    now = utcnow()
    texts = {"subject_fr": "Bonjour", "body_fr": "Bonjour", "subject_en": "Hi", "body_en": "Hi"}
    template = messaging_services.save_template(
        None, {"key": "fuzz-move", "name": "Fuzz", **texts}, world.users["organiser"], now
    )
    dispatch = messaging_services.create_dispatch(
        template, "everyone", {}, now + timedelta(days=3), now
    )
    db.session.commit()
    before = database_fingerprint()
    response = client.post(
        f"/messaging/dispatches/{dispatch.id}/reschedule", data=form(at=at, csrf_token=token)
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)


@fuzzes(HandoverForm)
@FUZZ
@given(
    receipts=st.lists(
        st.one_of(st.sampled_from(["unwiped_receipt", "received_receipt", "receipt"]), text),
        max_size=3,
    ),
    outcome=_one_of_or(OUTCOMES),
    recipient=maybe_text,
    slip=maybe_text,
)
@example(receipts=["unwiped_receipt"], outcome="recycled", recipient="Ecologic", slip="BX-1")
@example(receipts=["unwiped_receipt", "received_receipt"], outcome="recycled",
         recipient="Ecologic", slip="BX-1")  # fmt: skip
def test_handing_over_a_batch_never_fails_and_refusals_change_nothing(
    app, make, receipts, outcome, recipient, slip
):
    world = fresh_world(make)
    client, token = _signed_in(world, "agent")
    before = database_fingerprint()
    response = client.post(
        f"/recycling/agent/handover/{world.ids['point']}",
        data=form(
            receipts=[world.ids.get(r, r) for r in receipts],
            outcome=outcome,
            recipient=recipient,
            handover_slip=slip,
            csrf_token=token,
        ),
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)
