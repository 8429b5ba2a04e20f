"""Property tests over the desk's walk-in, through the real routes on the sweeps' world:
undoing a walk-in's receipt (the undo form, whose success now withdraws the record) never
fails, refusals change nothing and a success leaves a chain that verifies; anything typed
in the desk's search, and then in the walk-in form's address it may lead to, gets an
answer (never a 5xx) and changes nothing, and a tag offered is filled in as typed."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from app.core.time import utcnow
from app.extensions import db
from app.recycling import queries, services, walk_in
from app.recycling.forms import UndoReceiptForm
from app.recycling.models import CollectionPoint, DeviceReturn
from tests.trust.fuzzing import (
    budget,
    form,
    fresh_world,
    fuzzes,
    maybe_text,
    refusal_changed_nothing,
    text,
)
from tests.trust.sweep import database_fingerprint


def _walk_in(world) -> DeviceReturn:
    """A monitor brought to A's point without a declaration, received by its agent, for A."""
    point = db.session.get(CollectionPoint, world.ids["point"])
    recorded, _created = walk_in.record_walk_in(
        world.users["agent"],
        point,
        walk_in.WalkIn("monitor", "working", owner=world.a.email),
        utcnow() - timedelta(minutes=5),
    )
    db.session.commit()
    return recorded


@fuzzes(UndoReceiptForm)
@budget(15)
@given(reason=maybe_text)
@example(reason="Wrong device")
def test_undoing_a_walk_ins_receipt_never_fails_and_refusals_change_nothing(app, make, reason):
    world = fresh_world(make)
    recorded = _walk_in(world)
    client, _agent = world.client("agent")
    before = database_fingerprint()
    response = client.post(
        f"/recycling/agent/returns/{recorded.receipt_number}/undo-receipt",
        data=form(reason=reason, csrf_token=world.token("agent")),
    )
    assert response.status_code in (302, 400, 422)
    refusal_changed_nothing(response, before, response.status_code >= 400)
    db.session.expire_all()
    stored = db.session.get(DeviceReturn, recorded.id)
    assert stored.status == ("withdrawn" if response.status_code == 302 else "received")
    assert not services.check_custody(stored).broken


# What an agent types or scans: tags, receipt numbers, addresses, anything.
typed = st.one_of(
    text,
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9./_ -]{0,45}", fullmatch=True),
    st.sampled_from(["RC-7K3M-9QXD", "rc 7k3m 9qxd", "TRUST-A-1", "https://x/recycling/agent"]),
)


@budget(25)
@given(searched=typed)
@example(searched=" bm-pc 0099 ")
def test_a_desk_search_and_its_walk_in_offer_never_fail_nor_change_anything(app, make, searched):
    world = fresh_world(make)
    client, _agent = world.client("agent")
    before = database_fingerprint()
    response = client.get("/recycling/agent", query_string={"receipt": searched})
    assert response.status_code in (200, 302)
    page = unescape(response.get_data(as_text=True))
    offered = re.search(r'<a href="(/recycling/agent/walk-in\?[^"]*asset_tag=[^"]*)">', page)
    # Offered exactly when nothing was found and what was typed can be an asset tag.
    expected = walk_in.tag_to_offer(queries.desk_search_term(searched))
    assert (offered is not None) == (response.status_code == 200 and expected is not None)
    if offered is not None:
        address = offered.group(1)
        assert parse_qs(urlsplit(address).query)["asset_tag"] == [expected]
        opened = client.get(address)
        assert opened.status_code == 200
        field = re.search(r'<input[^>]*id="asset_tag"[^>]*>', unescape(opened.text)).group(0)
        assert f'value="{expected}"' in field
    # Typed straight into the walk-in form's address: an answer, the tag only if it is one.
    opened = client.get("/recycling/agent/walk-in", query_string={"asset_tag": searched})
    assert opened.status_code == 200
    assert database_fingerprint() == before
