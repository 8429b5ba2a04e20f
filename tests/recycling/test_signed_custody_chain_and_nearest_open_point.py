"""Recycling: a point closed while its return form is open offers the
open point nearest to it; the chain of custody signs its names and places (a name changed
or a step deleted no longer verifies, older steps still do); a device reused inside the
administration frees its asset tag; the return form reports every problem at once."""

import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import delete, select, update

from app import create_app
from app.config import TestConfig
from app.core.types import UTCDateTime
from app.extensions import db
from app.recycling import services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.conftest import login
from tests.factories import Factories
from tests.recycling.conftest import NOW, RecyclingFactories, error_at


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _words(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(response)))


def _selected_point(page: str) -> str:
    """The option the return form's point menu shows chosen."""
    menu = re.search(r'<select[^>]*name="collection_point_id".*?</select>', page, re.S).group(0)
    chosen = re.findall(r"<option selected[^>]*>([^<]*)</option>", menu)
    return chosen[0] if chosen else re.findall(r"<option[^>]*>([^<]*)</option>", menu)[0]


# --- 1. A point closed while the return form is open -------------------------------------


@pytest.fixture
def closed_meanwhile(make, rec):
    """Three open points (« Ambarès-et-Lagrave » first in the menu, far away); the one of
    Talence is closed by an admin after an employee opened its form."""
    far = make.commune(name="Ambarès-et-Lagrave", latitude=44.925, longitude=-0.486)
    talence = make.commune(name="Talence", latitude=44.806, longitude=-0.589)
    gradignan = make.commune(name="Gradignan", latitude=44.773, longitude=-0.615)
    rec.point(commune=far, name="Mairie d'Ambarès-et-Lagrave")
    closing = rec.point(commune=talence, name="Mairie de Talence")
    rec.point(commune=gradignan, name="Mairie de Gradignan")
    services.set_point_active(closing, False, make.user(roles=("admin",)), NOW, "Travaux")
    db.session.commit()
    return closing


def _declare(auth, point_id, **data):
    data = {"collection_point_id": point_id, "device_type": "monitor", "condition": "working",
            "form_token": "tok-1", **data}  # fmt: skip
    return auth.post("/recycling/returns/new", data)


def test_a_point_closed_meanwhile_preselects_the_open_point_nearest_to_it(
    client, auth, make, closed_meanwhile
):
    login(client, make.user(locale="en"))
    refused = _declare(auth, closed_meanwhile.id)
    page = _text(refused)
    assert refused.status_code == 422
    assert _selected_point(page) == "Mairie de Gradignan"
    assert error_at(page, "collection_point_id") == (
        "The collection point “Mairie de Talence” is temporarily closed: the open point "
        "nearest to it, “Mairie de Gradignan”, is chosen instead. Check it and send again."
    )
    assert db.session.scalar(select(sa.func.count(DeviceReturn.id))) == 0


def test_sent_again_the_return_is_recorded_at_the_point_chosen_instead(
    client, auth, make, closed_meanwhile
):
    login(client, make.user(locale="en"))
    page = _text(_declare(auth, closed_meanwhile.id))
    chosen = re.search(r'<option selected value="(\d+)"', page).group(1)
    assert _declare(auth, chosen, form_token="tok-2").status_code == 302
    recorded = db.session.scalar(select(DeviceReturn))
    assert recorded.point.name == "Mairie de Gradignan"


# --- 2. The chain of custody signs the names shown and the steps' places -----------------


@pytest.fixture
def chain(client, make, rec):
    """A laptop received, its receipt undone, received again, by « Alex Agent »; an admin
    reading its receipt signed in (English): staff read the chain of custody signature by
    signature, its owner in plain words (test_custody_in_plain_words_for_its_owner.py)."""
    point = rec.point()
    first, agent = rec.agent(point), rec.agent(point)
    agent.display_name = "Alex Agent"
    owner = make.user(locale="en")
    device_return = rec.device_return(owner, point, now=NOW)
    services.confirm_receipt(device_return, first, NOW + timedelta(hours=1))
    services.undo_receipt(device_return, first, "Wrong row", NOW + timedelta(hours=2))
    services.confirm_receipt(device_return, agent, NOW + timedelta(hours=3))
    db.session.commit()
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    chain.receipt, chain.agent = device_return.receipt_number, agent
    return chain


def _receipt_page(client, receipt) -> str:
    db.session.expire_all()
    return _words(client.get(f"/recycling/returns/{receipt}"))


def test_an_untouched_chain_verifies_every_step_and_warns_of_nothing(client, chain):
    page = _receipt_page(client, chain.receipt)
    assert page.count("Signature verified") == 4
    assert "altered after it was signed" not in page


def test_a_name_changed_in_the_database_no_longer_verifies(client, chain):
    db.session.execute(
        update(CustodyStep)
        .where(CustodyStep.actor_id == chain.agent.id)
        .values(actor_name="Someone Else")
    )
    db.session.commit()
    page = _receipt_page(client, chain.receipt)
    last = page.split("signed by Someone Else")[1]
    assert "Signature does not match: this step was altered" in last
    assert "Warning: this chain of custody was altered after it was signed." in page


def test_an_undone_receipt_deleted_from_the_database_is_said_missing(client, chain):
    db.session.execute(delete(CustodyStep).where(CustodyStep.step == "receipt_undo"))
    db.session.commit()
    page = _receipt_page(client, chain.receipt)
    assert "Warning: this chain of custody was altered after it was signed." in page
    assert (
        "Signature verified, but 1 signed step before this one is missing: it was deleted"
        in page.split("signed by Alex Agent")[1]
    )


def test_the_last_step_deleted_from_the_database_is_said_missing(client, chain):
    last = db.session.scalars(select(CustodyStep).order_by(CustodyStep.id.desc())).first()
    db.session.delete(last)
    db.session.commit()
    page = _receipt_page(client, chain.receipt)
    assert "Warning: this chain of custody was altered after it was signed." in page
    assert (
        "The chain ends before the return's status, “Received by an agent”: its last signed "
        "step is missing." in page
    )


def test_the_last_step_deleted_with_the_status_set_back_is_said(client, chain):
    """Every step left verifies and the status follows from the last: only the return's
    seal (its status and number of steps, signed) shows the deletion."""
    last = db.session.scalars(select(CustodyStep).order_by(CustodyStep.id.desc())).first()
    db.session.delete(last)
    db.session.execute(
        update(DeviceReturn)
        .where(DeviceReturn.receipt_number == chain.receipt)
        .values(status="declared")
    )
    db.session.commit()
    page = _receipt_page(client, chain.receipt)
    assert page.count("Signature verified") == 3
    assert "Warning: this chain of custody was altered after it was signed." in page
    assert (
        "The return's status and the number of its steps are no longer those signed: its "
        "last signed step was deleted and its status set back." in page
    )


def test_a_chain_sealed_and_untouched_says_nothing_of_its_seal(client, chain):
    page = _receipt_page(client, chain.receipt)
    assert db.session.scalar(select(DeviceReturn.chain_seal)) is not None
    assert "no longer those signed" not in page


def test_an_agents_erasure_leaves_the_chain_verified(client, chain, runner):
    result = runner.invoke(args=["privacy", "erase", chain.agent.email, "--yes"])
    assert result.exit_code == 0, result.output
    page = _receipt_page(client, chain.receipt)
    assert "Alex Agent" not in page
    assert page.count("Signature verified") == 4
    assert "altered after it was signed" not in page


def _as_signed_before_7_december(receipt: str) -> None:
    """Its steps signed as before 7 December: neither the name nor the place."""
    device_return = db.session.scalar(
        select(DeviceReturn).where(DeviceReturn.receipt_number == receipt)
    )
    for step in device_return.steps:
        step.signed_as = 1
        step.signature = services.sign_step(receipt, step)
    db.session.commit()


def test_steps_signed_before_the_chain_still_verify(client, chain):
    _as_signed_before_7_december(chain.receipt)
    page = _receipt_page(client, chain.receipt)
    assert page.count("Signature verified") == 4
    assert "altered after it was signed" not in page


def test_a_name_changed_on_an_older_step_shows_its_accounts_name(client, chain):
    """Its name was not signed, its account was: the page names the account."""
    _as_signed_before_7_december(chain.receipt)
    db.session.execute(
        update(CustodyStep)
        .where(CustodyStep.actor_id == chain.agent.id)
        .values(actor_name="Someone Else")
    )
    db.session.commit()
    page = _receipt_page(client, chain.receipt)
    assert "Someone Else" not in page and "signed by Alex Agent" in page


def _point_then(commune) -> SimpleNamespace:
    """A collection point stored with the columns of then (today's model has more)."""
    points_then = sa.table(
        "recycling_collection_point",
        *(sa.column(name) for name in ("id", "commune_id", "name", "address", "latitude",
                                       "longitude", "opening_hours", "accepted_types",
                                       "directions_fr", "directions_en", "active",
                                       "closure_note")),
        sa.column("created_at", UTCDateTime()),
    )  # fmt: skip
    point_id = db.session.execute(
        points_then.insert().values(
            commune_id=commune.id, name="Point", address="1 place de la Mairie",
            latitude=commune.latitude, longitude=commune.longitude, opening_hours="24/7",
            accepted_types="laptop,monitor", directions_fr="", directions_en="", active=True,
            closure_note="", created_at=NOW,
        ).returning(points_then.c.id)
    ).scalar_one()  # fmt: skip
    db.session.commit()
    return SimpleNamespace(id=point_id)


def test_the_upgrade_keeps_every_signed_step_verifying_and_frees_reused_tags(
    empty_database_url,
):
    """A portal's database before 20261207_recycling_signed_chain: its steps, signed with
    the payload of then, verify after the upgrade; its reused device's tag is free."""
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with portal.app_context():
        upgrade(revision="20261207_auth_token_scope")
        make = Factories()
        rec = RecyclingFactories(make)
        point = _point_then(make.commune())
        # Pseudonyms given: at this revision closed boards keep no label, which a draw reads.
        agent = rec.agent(point, pseudonym="Ancien 1")
        owner = make.user(pseudonym="Ancien 2")
        # The returns' columns of then (today's model has more).
        returns_then = sa.table(
            "recycling_device_return",
            *(sa.column(name) for name in ("id", "receipt_number", "user_id", "point_id",
                                           "device_type", "asset_tag", "asset_tag_key",
                                           "condition", "data_wiped", "wipe_requested",
                                           "status")),
            sa.column("declared_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()),
        )  # fmt: skip
        returns = {}
        for status, tag in (("reused", "PC-1"), ("recycled", "PC-2")):
            receipt = f"RC-OLD{tag[-1]}-AAAA"
            db.session.execute(
                returns_then.insert().values(
                    receipt_number=receipt, user_id=owner.id, point_id=point.id,
                    device_type="monitor", asset_tag=tag, asset_tag_key=tag.replace("-", ""),
                    condition="working", data_wiped=False, wipe_requested=False,
                    status=status, declared_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
            returns[status] = db.session.execute(
                sa.select(returns_then.c.id, returns_then.c.receipt_number).where(
                    returns_then.c.receipt_number == receipt
                )
            ).one()
        db.session.commit()
        steps = sa.table(
            "recycling_custody_step",
            *(sa.column(name) for name in ("return_id", "step", "actor_id", "actor_name",
                                           "signature", "note")),
            sa.column("at", UTCDateTime()),
        )  # fmt: skip
        for status, device_return in returns.items():
            for hours, name, actor in ((0, "declared", owner), (1, "received", agent),
                                       (2, status, agent)):  # fmt: skip
                at = NOW + timedelta(hours=hours)
                step = CustodyStep(step=name, at=at, actor_id=actor.id, signed_as=1)
                db.session.execute(
                    steps.insert().values(
                        return_id=device_return.id, step=name, at=at, actor_id=actor.id,
                        actor_name="" if actor is owner else agent.display_name, note="",
                        signature=services.sign_step(device_return.receipt_number, step),
                    )
                )  # fmt: skip
        db.session.commit()
        upgrade(revision="heads")
        db.session.expire_all()
        checks = [services.check_custody(r) for r in db.session.scalars(select(DeviceReturn))]
        keys = dict(
            db.session.execute(select(DeviceReturn.status, DeviceReturn.asset_tag_key)).all()
        )
        db.session.remove()
        db.engine.dispose()
    assert [(all(c.verified.values()), c.broken) for c in checks] == [(True, False)] * 2
    assert keys == {"reused": None, "recycled": "PC2"}


# --- 3. A device reused inside the administration can be returned again -------------------


def _handled(make, rec, point, agent, outcome: str, tag: str) -> None:
    device_return = rec.device_return(
        make.user(), point, "monitor", asset_tag=tag, wipe_requested=False
    )
    services.confirm_receipt(device_return, agent, NOW + timedelta(hours=1))
    services.record_outcome(
        device_return, agent, outcome, NOW + timedelta(hours=2),
        recipient=None if outcome == "reused" else "Ecologic",
    )  # fmt: skip
    db.session.commit()


def test_a_reused_devices_tag_can_be_declared_again_by_someone_else(client, auth, make, rec):
    point = rec.point()
    _handled(make, rec, point, rec.agent(point), "reused", "BM-MON-0042")
    login(client, make.user(locale="en"))
    sent = _declare(auth, point.id, asset_tag="bm mon 0042")
    assert sent.status_code == 302
    assert db.session.scalar(select(sa.func.count(DeviceReturn.id))) == 2


def test_a_recycled_devices_tag_is_still_refused(client, auth, make, rec):
    point = rec.point()
    _handled(make, rec, point, rec.agent(point), "recycled", "BM-MON-0043")
    login(client, make.user(locale="en"))
    page = _text(_declare(auth, point.id, asset_tag="BM-MON-0043"))
    assert "already been returned by someone else" in error_at(page, "asset_tag")


# --- 5. The return form reports every problem at once ------------------------------------


def test_a_bad_tag_and_no_data_answer_are_reported_together(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    page = _text(_declare(auth, point.id, device_type="laptop", asset_tag="PC#42"))
    assert "underscores" in error_at(page, "asset_tag")
    assert "This device may hold data" in error_at(page, "wipe_requested")


def test_a_tag_taken_and_no_condition_are_reported_together(client, auth, make, rec):
    point = rec.point()
    rec.device_return(make.user(), point, "monitor", asset_tag="BM-MON-7", wipe_requested=False)
    login(client, make.user(locale="en"))
    page = _text(_declare(auth, point.id, asset_tag="BM-MON-7", condition=""))
    assert "already been returned by someone else" in error_at(page, "asset_tag")
    assert error_at(page, "condition") == "Say whether the device works."


def test_the_demo_seeds_chains_of_custody_are_intact(app):
    import random

    from app.core.demo import seed_core
    from app.recycling.seed import seed_recycling

    rng = random.Random(7)
    seed_core(rng, 40)
    seed_recycling(rng, returns=80)
    db.session.commit()
    returns = db.session.scalars(select(DeviceReturn)).all()
    assert returns and not [r for r in returns if services.check_custody(r).broken]
