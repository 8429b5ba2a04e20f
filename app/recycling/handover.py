"""Handing devices over in batches: a recycler, a charity or a refurbisher takes a pallet of
devices from a collection point against one hand-over slip. Each device still gets its own
signed outcome step through `services.record_outcome`, as when handed over one by one:
the chain of custody, the owner's notice and every rule stay those of a single outcome."""

from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.devices import DEVICE_TYPES
from app.core.i18n import format_number
from app.extensions import db
from app.recycling import services
from app.recycling.models import CORRECTION, LEAVES_THE_ADMINISTRATION, CustodyStep, DeviceReturn
from app.recycling.queries import TYPICAL_WEIGHT_KG
from app.recycling.services import ReturnError

# A hand-over names the slip it went under: its page lists the devices of that slip.
SLIP_MISSING = _l(
    "Enter the hand-over slip number: the slip's page lists the devices handed over under it."
)
NOTHING_TICKED = _l("Tick at least one device to hand over.")
# How many devices one slip takes at once: a pallet, with room to spare.
BATCH_LIMIT = 200


def attested_donation_error(receipts: list[str]) -> str:
    """Why a donation is refused until its box is ticked: a device donated as it is leaves
    with whatever data its owner left on it, so one wiped on their word only (no certified
    wipe) is donated once the agent has said they checked. The devices are named as the
    "Data" column names them ("Wiped by the owner (attestation)") and by their receipt
    numbers, found in the list without reading every row (portal.js says it too, before
    asking anything)."""
    return _(
        "These devices ticked were wiped by their owner (attestation), with no certified wipe: "
        "%(receipts)s. Tick the box to confirm you checked they hold no data any more before "
        "donating them, or record their certified wipe first.",
        receipts=", ".join(receipts),
    )


def wiped_on_word_only(device_return: DeviceReturn) -> bool:
    """A device that holds data, wiped by its owner (or the person who brought it) on their
    word only: no certified wipe was recorded for it."""
    kind = DEVICE_TYPES.get(device_return.device_type)
    return (
        kind is not None
        and kind.data_bearing
        and device_return.data_wiped
        and not any(step.step == "wiped" for step in device_return.steps)
    )


def data_line(device_return: DeviceReturn, with_certificate: bool = False) -> str:
    """A device's data as a hand-over lists it (the page to tick, the printed slip): its
    certified wipe (`with_certificate`: and the certificate's number, as it stands), a
    wipe on someone's word only, said as such and never as "nothing to do" (as the
    return's own page says it), or no data to wipe."""
    wipe = next((s for s in device_return.steps if s.step == "wiped"), None)
    if wipe is not None:
        number = wipe.current("certificate_number")
        if with_certificate and number:
            return _("Certified wipe, certificate no. %(number)s", number=number)
        return _("Certified wipe recorded")
    if wiped_on_word_only(device_return):
        if device_return.walked_in:
            return _("Wiped before it was brought, as said at the desk")
        return _("Wiped by the owner (attestation)")
    kind = DEVICE_TYPES.get(device_return.device_type)
    return _("No certified wipe needed") if kind and kind.data_bearing else _("No data")


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
    recipient: str | None, slip: str | None, attested_checked: bool = False,
) -> tuple[list[DeviceReturn], str, str]:  # fmt: skip
    """The returns a batch would hand over, with the recipient and slip as signed, or
    ReturnError naming what refuses it (a field, or the devices that cannot go): checked
    whole before anything is written, so a refused batch changes nothing. A donation of
    devices wiped on their owner's word only needs `attested_checked` (`attested_donation_error`)."""
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
    on_word = [number for number in wanted if wiped_on_word_only(found[number])]
    if outcome == "donated" and not attested_checked and on_word:
        raise ReturnError(attested_donation_error(on_word), "attested_checked")
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
    attested_checked: bool = False,
) -> list[DeviceReturn]:  # fmt: skip
    """Record the outcome of each device ticked, handed over to one organisation under one
    slip: one signed step each (`services.record_outcome`). A device that cannot go (taken
    meanwhile by another agent) raises ReturnError; the caller rolls the batch back."""
    returns, recipient, slip = check_handover_batch(
        point_id, agent, receipts, outcome, recipient, slip, attested_checked
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


class SlipSummary(NamedTuple):
    """One slip of a point, as its list shows it."""

    slip: str
    recipients: list[str]
    first_at: datetime
    last_at: datetime
    devices: int
    kg: float  # estimated from each type's typical mass (TYPICAL_WEIGHT_KG)


def list_point_slips(point_id: int) -> list[SlipSummary]:
    """The hand-over slips of one point, the latest first: each slip number with its
    organisation, day, number of devices and estimated kilograms. Read in two queries (the
    outcome steps, then the corrections of their slip or organisation), not a chain per
    device: a value corrected reads as it stands, as on the slip's page."""
    rows = db.session.execute(
        select(
            CustodyStep.id, CustodyStep.handover_slip, CustodyStep.recipient, CustodyStep.at,
            DeviceReturn.device_type,
        )
        .join(DeviceReturn, DeviceReturn.id == CustodyStep.return_id)
        .where(DeviceReturn.point_id == point_id, CustodyStep.step.in_(LEAVES_THE_ADMINISTRATION))
    ).all()  # fmt: skip
    values = {row.id: {"handover_slip": row.handover_slip, "recipient": row.recipient}
              for row in rows}  # fmt: skip
    corrections = db.session.execute(
        select(CustodyStep.corrects_id, CustodyStep.corrected_field, CustodyStep.new_value)
        .join(DeviceReturn, DeviceReturn.id == CustodyStep.return_id)
        .where(
            DeviceReturn.point_id == point_id,
            CustodyStep.step == CORRECTION,
            CustodyStep.corrected_field.in_(("handover_slip", "recipient")),
        )
        .order_by(CustodyStep.id)
    ).all()
    for corrects_id, field, new_value in corrections:
        if corrects_id in values:
            values[corrects_id][field] = new_value
    slips: dict[str, dict] = {}
    for row in rows:
        slip = values[row.id]["handover_slip"]
        if not slip:  # handed over one by one without a slip: no slip to find again
            continue
        entry = slips.setdefault(slip, {"recipients": set(), "at": [], "devices": 0, "kg": 0.0})
        if recipient := values[row.id]["recipient"]:
            entry["recipients"].add(recipient)
        entry["at"].append(row.at)
        entry["devices"] += 1
        entry["kg"] += TYPICAL_WEIGHT_KG.get(row.device_type, 0.0)
    summaries = [
        SlipSummary(slip, sorted(e["recipients"]), min(e["at"]), max(e["at"]), e["devices"],
                    round(e["kg"], 1))
        for slip, e in slips.items()
    ]  # fmt: skip
    return sorted(summaries, key=lambda s: (s.last_at, s.slip), reverse=True)
