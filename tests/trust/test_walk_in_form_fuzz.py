"""Property test over the desk's walk-in form (a device brought without a declaration),
through its real route on the sweeps' world: any input gives a clear answer (never a
5xx), and input the server refuses leaves every row as it was."""

from hypothesis import example, given
from hypothesis import strategies as st

from app.core.devices import DEVICE_TYPES
from app.recycling.forms import WalkInForm
from tests.trust.fuzzing import (
    budget,
    checkbox,
    form,
    fresh_world,
    fuzzes,
    maybe_text,
    refusal_changed_nothing,
)
from tests.trust.sweep import database_fingerprint


@fuzzes(WalkInForm)
@budget(15)
@given(
    device_type=st.one_of(st.sampled_from(sorted(DEVICE_TYPES)), maybe_text),
    condition=st.one_of(st.sampled_from(["working", "broken"]), maybe_text),
    asset_tag=maybe_text,
    # One answer of two (a radio), none, anything, or both at once (a crafted request).
    wipe_requested=st.one_of(
        checkbox, st.sampled_from(["y", "n"]), st.lists(st.sampled_from(["y", "n"]), max_size=3)
    ),
    # Nobody, an account of the world (by address), its agent themselves, or anything.
    owner=st.one_of(st.sampled_from(["", "employee_a", "agent"]), maybe_text),
    form_token=maybe_text,
)
@example(device_type="monitor", condition="working", asset_tag=None, wipe_requested=None,
         owner="employee_a", form_token=None)  # fmt: skip
def test_recording_a_walk_in_never_fails_and_refusals_change_nothing(
    app, make, device_type, condition, asset_tag, wipe_requested, owner, form_token
):
    world = fresh_world(make)
    client, _agent = world.client("agent")
    named = world.users.get(owner) if owner else None
    before = database_fingerprint()
    response = client.post(
        f"/recycling/agent/walk-in/{world.ids['point']}",
        data=form(
            device_type=device_type,
            condition=condition,
            asset_tag=asset_tag,
            wipe_requested=wipe_requested,
            owner=named.email if named is not None else owner,
            form_token=form_token,
            csrf_token=world.token("agent"),
        ),
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)
