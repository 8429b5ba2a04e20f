"""Handing devices over in batches: a recycler, a charity or a refurbisher takes a pallet of
devices from a collection point against one hand-over slip. Each device still gets its own
signed outcome step through `services.record_outcome`, as when handed over one by one:
the chain of custody, the owner's notice and every rule stay those of a single outcome."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.i18n import format_number
from app.extensions import db
from app.recycling import services
from app.recycling.models import CORRECTION, LEAVES_THE_ADMINISTRATION, CustodyStep, DeviceReturn
from app.recycling.services import ReturnError

# A hand-over names the slip it went under: its page lists the devices of that slip.
SLIP_MISSING = _l(
    "Enter the hand-over slip number: the slip's page lists the devices handed over under it."
)
NOTHING_TICKED = _l("Tick at least one device to hand over.")
# How many devices one slip takes at once: a pallet, with room to spare.
BATCH_LIMIT = 200


def ready_condition(agent: User):
    """Devices ready to leave: received and wiped, or received needing no certified wipe,
    with no outcome yet, and not declared by the agent (another agent signs those)."""
    return (
        DeviceReturn.status.in_(("received", "wiped")),
        or_(DeviceReturn.status == "wiped", DeviceReturn.wipe_requested.is_(False)),
        or_(DeviceReturn.user_id.is_(None), DeviceReturn.user_id != agent.id),
    )


def list_ready_returns(point_id: int, agent: User) -> list[DeviceReturn]:
    """The devices of one point ready to be handed over, received first."""
    query = (
        select(DeviceReturn)
        .where(DeviceReturn.point_id == point_id, *ready_condition(agent))
        .options(selectinload(DeviceReturn.steps))
        .order_by(DeviceReturn.updated_at, DeviceReturn.id)
    )
    return list(db.session.scalars(query))


def count_own_waiting(point_id: int, agent: User) -> int:
    """The agent's own declarations at the point that wait for an outcome: not listed."""
    query = select(DeviceReturn.id).where(
        DeviceReturn.point_id == point_id,
        DeviceReturn.user_id == agent.id,
        DeviceReturn.status.in_(("received", "wiped")),
    )
    return len(db.session.scalars(query).all())


def _slip_taken_by_another(point_id: int, slip: str, recipient: str) -> str | None:
    """The organisation a slip number of this point was already recorded for, when it is
    another one: one slip, one organisation, so its page lists one hand-over."""
    query = (
        select(CustodyStep.recipient)
        .join(DeviceReturn, DeviceReturn.id == CustodyStep.return_id)
        .where(DeviceReturn.point_id == point_id, CustodyStep.handover_slip == slip)
        .limit(1)
    )
    earlier = db.session.scalar(query)
    if earlier is not None and earlier.casefold() != recipient.casefold():
        return earlier
    return None


def check_handover_batch(
    point_id: int, agent: User, receipts: list[str], outcome: str,
    recipient: str | None, slip: str | None,
) -> tuple[list[DeviceReturn], str, str]:  # fmt: skip
    """The returns a batch would hand over, with the recipient and slip as signed, or
    ReturnError naming what refuses it (a field, or the devices that cannot go): checked
    whole before anything is written, so a refused batch changes nothing."""
    if outcome not in LEAVES_THE_ADMINISTRATION:
        raise ReturnError(_l("Choose an outcome."), "outcome")
    recipient, slip = services.check_handover(outcome, recipient, slip)
    if not slip:
        raise ReturnError(SLIP_MISSING, "handover_slip")
    wanted = list(dict.fromkeys(r.strip().upper() for r in receipts if r and r.strip()))
    if not wanted:
        raise ReturnError(NOTHING_TICKED, "receipts")
    if len(wanted) > BATCH_LIMIT:
        raise ReturnError(
            _l("Hand over %(count)s devices at most under one slip.",
               count=format_number(BATCH_LIMIT)),
            "receipts",
        )  # fmt: skip
    found = {
        r.receipt_number: r
        for r in db.session.scalars(
            select(DeviceReturn).where(
                DeviceReturn.receipt_number.in_(wanted), DeviceReturn.point_id == point_id
            )
        )
    }
    elsewhere = [number for number in wanted if number not in found]
    if elsewhere:
        raise ReturnError(
            _l("Not at this collection point: %(receipts)s. Nothing was recorded.",
               receipts=", ".join(elsewhere[:10])),
            "receipts",
        )  # fmt: skip
    refused = []
    for number in wanted:
        try:
            services.check_outcome(found[number], outcome, agent, recipient, slip)
        except ReturnError as error:
            refused.append(f"{number} ({error.message})")
    if refused:
        raise ReturnError(
            _l("These devices cannot be handed over now: %(devices)s. Nothing was recorded.",
               devices=pgettext("between two items of a list", "; ").join(refused[:5])),
            "receipts",
        )  # fmt: skip
    if (earlier := _slip_taken_by_another(point_id, slip, recipient)) is not None:
        raise ReturnError(
            _l("Slip %(slip)s was already recorded at this point for %(recipient)s: check "
               "the number.", slip=slip, recipient=earlier),
            "handover_slip",
        )  # fmt: skip
    return [found[number] for number in wanted], recipient, slip


def hand_over(
    point_id: int, agent: User, receipts: list[str], outcome: str,
    recipient: str | None, slip: str | None, now: datetime, language: str | None = None,
) -> list[DeviceReturn]:  # fmt: skip
    """Record the outcome of each device ticked, handed over to one organisation under one
    slip: one signed step each (`services.record_outcome`). A device that cannot go (taken
    meanwhile by another agent) raises ReturnError; the caller rolls the batch back."""
    returns, recipient, slip = check_handover_batch(
        point_id, agent, receipts, outcome, recipient, slip
    )
    for device_return in returns:
        services.record_outcome(
            device_return, agent, outcome, now, recipient=recipient, handover_slip=slip,
            language=language,
        )  # fmt: skip
    return returns


def list_slip_steps(point_id: int, slip: str) -> list[CustodyStep]:
    """The outcome steps under one slip at one point, in the order signed: recorded
    under it, or corrected to it (a slip number corrected away no longer lists them)."""
    corrected_to = select(CustodyStep.corrects_id).where(
        CustodyStep.step == CORRECTION,
        CustodyStep.corrected_field == "handover_slip",
        CustodyStep.new_value == slip,
    )
    query = (
        select(CustodyStep)
        .join(DeviceReturn, DeviceReturn.id == CustodyStep.return_id)
        .where(
            DeviceReturn.point_id == point_id,
            or_(CustodyStep.handover_slip == slip, CustodyStep.id.in_(corrected_to)),
        )
        .order_by(CustodyStep.at, CustodyStep.id)
    )
    return [step for step in db.session.scalars(query) if step.current("handover_slip") == slip]
