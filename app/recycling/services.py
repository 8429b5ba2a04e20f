"""Writes of the recycling domain: returns, custody steps, points. Flush, never commit."""

import hashlib
import hmac
import json
import re
import secrets
from datetime import date, datetime, timedelta
from typing import NamedTuple

import opening_hours
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User, UserRole
from app.core.audit import SUMMARY_LENGTH, AuditEvent, erase_audit_texts, record_audit
from app.core.database import savepoint
from app.core.devices import DEVICE_TYPES
from app.core.edit_versions import hold_version
from app.core.i18n import format_day, format_number
from app.core.models import Commune
from app.core.signals import (
    collection_point_closed,
    custody_step_recorded,
    device_receipt_undone,
    device_return_received,
    device_return_waiting,
    device_return_withdrawn,
    device_returned,
)
from app.core.signatures import signing_keys
from app.core.time import local_zone
from app.core.urls import database_id
from app.extensions import db
from app.recycling import hours
from app.recycling.device_names import device_type_names
from app.recycling.hours_rules import doubtful_hours, read_rules
from app.recycling.models import (
    BACK_IN_SERVICE,
    CONDITIONS,
    CORRECTABLE_FIELDS,
    CORRECTABLE_LENGTHS,
    CORRECTION,
    LEAVES_THE_ADMINISTRATION,
    NEVER_HANDED_IN,
    NOT_BROUGHT,
    OUTCOMES,
    OWNER_STEPS,
    RECEIPT_UNDONE,
    REUSE_OUTCOMES,
    SIGNED_CHAIN,
    WALK_IN,
    WIPE_METHODS,
    WITHDRAWN,
    CollectionPoint,
    CustodyStep,
    DeviceReturn,
    PointAgent,
)

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a desk
# A point further than this from its commune's centre is a typing mistake (the largest
# commune of the metropolis spans about 10 km).
MAX_KM_FROM_COMMUNE = 15
ONE_WIPE_CHOICE = _l(
    "Choose one answer: you wiped the device yourself, or the agent does a certified wipe."
)
NO_AGENT_MESSAGE = _l(
    "An open collection point needs at least one agent to receive its returns: choose one."
)
BAD_HOURS_MESSAGE = _l("These opening hours are not in OpenStreetMap syntax.")
# The same declaration sent again within this time is taken as sent twice (Back then Send
# on the return form): long enough for someone to go back and press Send, short enough
# that a second, identical device declared later is not held up (an assumption).
REPEAT_WINDOW = timedelta(minutes=10)


class ReturnError(ValueError):
    """A return that cannot be stored; `message` is for the user, `field` names the input."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message  # lazy: translated where it is shown
        self.field = field


class AssetTagTaken(ReturnError):
    """Someone else already returned a device with this asset tag."""


def normalise_asset_tag(raw: str | None) -> str | None:
    """Asset tags compare without case, spaces, dashes, dots or underscores ('pc-0042' = 'PC 0042')."""
    key = re.sub(r"[\s\-_.]", "", (raw or "")).upper()
    return key or None


def new_receipt_number() -> str:
    """A short receipt number such as 'RC-7K3M-9QXD' (40 random bits)."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"RC-{chars[:4]}-{chars[4:]}"


def receipt_number_for_form(user_id: int, form_token: str, form: str = "return-form") -> str:
    """The receipt number one return form, sent by one person, is recorded under: the
    same form sent twice (a double click, Back then Send again) gives the same number,
    which the unique receipt number then refuses a second time. Keyed with the secret
    key, so nobody can aim at another person's receipt. `form`: which form (the desk's
    walk-in has its own numbers)."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{form}|{user_id}|{form_token}".encode()
    bits = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:5], "big")
    chars = "".join(RECEIPT_ALPHABET[(bits >> (5 * i)) & 31] for i in range(8))
    return f"RC-{chars[:4]}-{chars[4:]}"


def _step_payload(receipt: str, step: CustodyStep, position: int) -> bytes:
    """What a step's signature covers. `position`: how many steps come before it in its
    chain (SIGNED_CHAIN on), so that a step deleted before it, or it moved, no longer
    verifies."""
    parts = (
        receipt,
        step.step,
        step.at.isoformat(timespec="seconds"),
        str(step.actor_id or ""),
        step.wipe_method or "",
        step.wipe_date.isoformat() if step.wipe_date else "",
        step.certificate_number or "",
    )
    # The note (an outcome's, an undone receipt's reason) is free text that may name the
    # owner: never signed, so that it can be erased with their data (`erase_returns`)
    # and every step still verifies.
    # A hand-over (since 18 December) is signed only where there is one: every step
    # signed before keeps the payload it was signed with, and one given a recipient
    # afterwards, or stripped of it, no longer verifies.
    handover = (
        (step.recipient or "", step.handover_slip or "")
        if step.recipient is not None or step.handover_slip is not None
        else ()
    )
    if not _chained(step):  # as signed before 7 December, name and place aside
        return "|".join((*parts, *handover)).encode()
    # A correction (always chained) signs which step it corrects, by its place in the
    # chain, the field, the values before and after, and its reason.
    correction = (
        ("correction", _corrected_position(step), step.corrected_field or "",
         step.old_value or "", step.new_value or "", step.reason or "")
        if step.step == CORRECTION
        else ()
    )  # fmt: skip
    # The name shown with the step, and its place; JSON, so that no text typed in one
    # field can pass for another. Not the previous step's signature: an erasure signs
    # the owner's declaration again (`erase_returns`), which would break every later link.
    return json.dumps(
        ["chain", *parts, step.actor_name or "", position, *handover, *correction]
    ).encode()


def _corrected_position(step: CustodyStep) -> int:
    """The place, in its chain, of the step a correction corrects (-1: none found)."""
    target = step.corrected_step
    steps = step.device_return.steps if step.device_return is not None else []
    return next((i for i, other in enumerate(steps) if other is target), -1)


def sign_step(receipt: str, step: CustodyStep, key: str | None = None, position: int = 0) -> str:
    """HMAC-SHA256 of the step's facts with the portal's secret key (or `key`);
    `position`: how many steps come before it in its chain."""
    key = key or current_app.config["SECRET_KEY"]
    return hmac.new(
        key.encode(), _step_payload(receipt, step, position), hashlib.sha256
    ).hexdigest()


def chain_seal(receipt: str, status: str, steps: int, key: str | None = None) -> str:
    """HMAC-SHA256 of a return's status and of how many custody steps its chain holds:
    the one change a step's own signature cannot show is the last step deleted along
    with the status set back to the one before."""
    key = key or current_app.config["SECRET_KEY"]
    payload = json.dumps(["seal", receipt, status, steps]).encode()
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


def _seal_holds(device_return: DeviceReturn) -> bool:
    """Whether the return's status and chain length are as sealed (yes when no step was
    added since seals began)."""
    seal, receipt = device_return.chain_seal, device_return.receipt_number
    if seal is None:
        return True
    count = len(device_return.steps)
    return any(
        hmac.compare_digest(seal, chain_seal(receipt, device_return.status, count, key))
        for key in reversed(signing_keys())
    )


def _signed_at(receipt: str, step: CustodyStep, position: int) -> bool:
    return any(
        hmac.compare_digest(step.signature, sign_step(receipt, step, key, position))
        for key in reversed(signing_keys())
    )


def _position(step: CustodyStep) -> int:
    """How many steps come before this one in its return's chain, as stored."""
    steps = step.device_return.steps
    return next((i for i, other in enumerate(steps) if other is step), len(steps))


def step_is_authentic(receipt: str, step: CustodyStep, position: int | None = None) -> bool:
    """True when the stored signature still matches the step's facts (since
    SIGNED_CHAIN, its name and its place in the chain too: `position`, else where its
    return's chain holds it), signed with the current secret key or a former one
    (SECRET_KEY_FALLBACKS): rolling the key out does not make every past step look
    tampered with."""
    return _signed_at(receipt, step, _position(step) if position is None else position)


# How many deleted steps `check_custody` looks past: more than a chain ever holds.
MAX_MISSING_STEPS = 20


class CustodyCheck(NamedTuple):
    """What the chain of custody of a return says about itself (`check_custody`)."""

    verified: dict[int, bool]  # by step id: its own facts are as signed
    missing_before: dict[int, int]  # by step id: signed steps deleted just before it
    out_of_place: set[int]  # step ids signed elsewhere in the chain (moved or copied)
    missing_at_end: bool  # the return's status follows from no step left: its last is gone
    # The status and the number of steps are not those sealed, though each step verifies
    # and the status follows from the last: a last step deleted, the status set back.
    seal_broken: bool = False

    @property
    def broken(self) -> bool:
        """Whether the chain was altered after it was signed."""
        return bool(
            not all(self.verified.values())
            or self.missing_before
            or self.out_of_place
            or self.missing_at_end
            or self.seal_broken
        )


def _chained(step: CustodyStep) -> bool:
    """Whether the step signs its name and place (SIGNED_CHAIN; a row not stored yet does)."""
    return (step.signed_as or SIGNED_CHAIN) >= SIGNED_CHAIN


def _status_after(steps: list[CustodyStep]) -> str | None:
    """The status a chain of custody leaves its return in: its last step's, corrections
    skipped (they correct a value, never the status); None for a chain with none. An
    undone receipt leaves it declared again, but a walk-in's (`undone_status`) withdrawn."""
    last = next((step for step in reversed(steps) if step.step != CORRECTION), None)
    if last is None:
        return None
    return undone_status(steps) if last.step == RECEIPT_UNDONE else last.step


def undone_status(steps: list[CustodyStep]) -> str:
    """The status an undone receipt leaves a return in, read from its chain: "declared",
    waiting for its device again; withdrawn for a device brought without a declaration
    (its chain opens on WALK_IN), which nobody will bring: it was at the desk already, or
    recorded by mistake."""
    return WITHDRAWN if steps and steps[0].step == WALK_IN else "declared"


def check_custody(device_return: DeviceReturn) -> CustodyCheck:
    """Each step's signature, and whether a signed step was deleted or moved since.

    A step signed since SIGNED_CHAIN signs its place: one found at another place tells
    how many steps were deleted before it (or that it was moved). The last step cannot
    say that a step after it was deleted: the return's status then follows from none.
    Steps signed before (SIGNED_CHAIN) are checked alone: the chain starts after them."""
    receipt, steps = device_return.receipt_number, device_return.steps
    verified, missing, moved = {}, {}, set()
    expected = 0  # the place signed by the step before, plus one
    for index, step in enumerate(steps):
        if not _chained(step):
            verified[step.id] = _signed_at(receipt, step, index)
            if any(_chained(earlier) for earlier in steps[:index]):
                moved.add(step.id)  # an old step after a chained one: copied there
            expected = index + 1
            continue
        # Where it was signed: here, after deleted steps, or (moved, copied) before.
        places = [index, *range(expected, len(steps) + MAX_MISSING_STEPS), *range(expected)]
        signed = next((p for p in dict.fromkeys(places) if _signed_at(receipt, step, p)), None)
        verified[step.id] = signed is not None
        if signed is None:  # its facts were changed: its place cannot be read
            expected += 1
        elif signed < expected:
            moved.add(step.id)
        else:
            if signed > expected:
                missing[step.id] = signed - expected
            expected = signed + 1
    chained = any(_chained(step) for step in steps)
    at_end = chained and _status_after(steps) != device_return.status
    # Said only when nothing above explains it: a step deleted in the middle changes the
    # count too, and is shown where it was.
    unexplained = not (at_end or missing or moved or not all(verified.values()))
    return CustodyCheck(
        verified, missing, moved, at_end, unexplained and not _seal_holds(device_return)
    )


def _add_step(
    device_return: DeviceReturn, step: str, actor: User | None, now: datetime,
    status: str | None = None, announce: bool = True, **facts,
):  # fmt: skip
    # The owner's own steps keep no name, whichever way they were declared (form, API,
    # seed): the point's agents read "by the person who returned it". A step is the
    # return's new status, but for an undone receipt (`status` then says which) and a
    # correction (the status stays). `announce` False: the owner hears nothing of this
    # step (a walk-in's first, which its receipt right after tells).
    position = len(device_return.steps)
    row = CustodyStep(
        step=step,
        at=now.replace(microsecond=0),
        actor_id=actor.id if actor else None,
        actor_name=actor.display_name if actor and step not in OWNER_STEPS else "",
        signed_as=SIGNED_CHAIN,
        **facts,
    )
    # In its chain before it is signed: a correction's signature reads the chain.
    device_return.steps.append(row)
    row.signature = sign_step(device_return.receipt_number, row, position=position)
    device_return.status = status or step
    device_return.chain_seal = chain_seal(
        device_return.receipt_number, device_return.status, len(device_return.steps)
    )
    device_return.updated_at = now
    owner_id = device_return.user_id
    if announce and actor is not None and owner_id and actor.id != owner_id:
        # An agent's step: the owner hears of it (not of their own declaration).
        custody_step_recorded.send(
            current_app._get_current_object(), device_return=device_return, step=step, now=now
        )
    return row


def check_return(point: CollectionPoint | None, device_type: str, condition: str,
                 data_wiped: bool, wipe_requested: bool) -> None:  # fmt: skip
    """Raise ReturnError when the point, type, condition or wipe choice is not acceptable."""
    problems = return_problems(point, device_type, condition, data_wiped, wipe_requested)
    if problems:
        raise problems[0]


def return_problems(
    point: CollectionPoint | None, device_type: str | None, condition: str | None,
    data_wiped: bool, wipe_requested: bool, instead: CollectionPoint | None = None,
    user: User | None = None, asset_tag: str | None = None,
) -> list[ReturnError]:  # fmt: skip
    """Every rule a declaration breaks (point, type, condition, wipe choice; with `user`,
    the asset tag), each at its field, in the order `check_return` refuses them: the
    return form reports them all at once. `instead`: the open point offered in place of
    a closed `point`, which the message names and the device type is checked against."""
    problems = []
    if point is None:
        problems.append(ReturnError(_l("Choose a collection point."), "collection_point_id"))
    elif not point.active and instead is not None:
        problems.append(
            ReturnError(
                _l("The collection point “%(point)s” is temporarily closed: the open point "
                   "nearest to it, “%(other)s”, is chosen instead. Check it and send again.",
                   point=point.name, other=instead.label),
                "collection_point_id",
            )
        )  # fmt: skip
    elif not point.active:
        problems.append(
            ReturnError(
                _l(
                    "The collection point “%(point)s” is temporarily closed. Choose another point.",
                    point=point.name,
                ),
                "collection_point_id",
            )
        )
    offered = instead if point is not None and not point.active else point
    kind = DEVICE_TYPES.get(device_type or "")
    if kind is None:
        problems.append(ReturnError(_l("Choose a device type."), "device_type"))
    elif offered is not None and device_type not in offered.accepted_device_types:
        problems.append(
            ReturnError(
                _l("%(point)s does not accept this type of device: %(type)s.",
                   point=offered.name, type=kind.label),
                "device_type",
            )
        )  # fmt: skip
    if condition not in CONDITIONS:
        problems.append(ReturnError(_l("Say whether the device works."), "condition"))
    if kind is not None and kind.data_bearing and not (data_wiped or wipe_requested):
        problems.append(
            ReturnError(
                _l(
                    "This device may hold data: confirm that you wiped it, or ask the agent for a certified wipe."
                ),
                "data_wiped",
            )
        )
    if kind is not None and kind.data_bearing and data_wiped and wipe_requested:
        # The receipt would tell only one of them: the person says which is true.
        problems.append(ReturnError(ONE_WIPE_CHOICE, "data_wiped"))
    if user is not None and (taken := asset_tag_problem(user, asset_tag, device_type)):
        problems.append(taken)
    return problems


TAG_TAKEN = _l("A device with this asset tag has already been returned by someone else.")


def asset_tag_problem(user: User, asset_tag: str | None, device_type: str | None):
    """Why this asset tag cannot be declared by `user` for this type (ReturnError), or
    None: read before the declaration, so that the form says it with the other problems;
    the unique constraint still decides (`register_device_return`)."""
    key = normalise_asset_tag((asset_tag or "").strip()[:64])
    if key is None:
        return None
    existing = db.session.scalar(select(DeviceReturn).where(DeviceReturn.asset_tag_key == key))
    return _tag_refusal(existing, user, device_type) if existing is not None else None


def _tag_refusal(existing: DeviceReturn, user: User, device_type: str | None):
    """Why a declaration of the tag `existing` holds is refused, or None: the person's own
    declaration of the same device (or of a type not chosen yet), given again."""
    if existing.user_id == user.id and device_type and existing.device_type != device_type:
        # Another of the person's devices, or a typing mistake: not the same return.
        return ReturnError(
            _l("You already declared this asset tag for another type of device, "
               "“%(type)s” (receipt %(receipt)s): check the tag.",
               type=_device_label(existing.device_type), receipt=existing.receipt_number),
            "asset_tag",
        )  # fmt: skip
    if existing.user_id == user.id:
        return None
    return AssetTagTaken(TAG_TAKEN, "asset_tag")


def register_device_return(
    user: User,
    point: CollectionPoint | None,
    device_type: str,
    condition: str,
    now: datetime,
    asset_tag: str | None = None,
    data_wiped: bool = False,
    wipe_requested: bool = False,
    form_token: str | None = None,
    repeat_window: timedelta | None = None,
    another_than: str | None = None,
    count_in=(),
) -> tuple[DeviceReturn, bool]:
    """Declare a return; (return, created). A tag already returned by the same person
    gives the original return (created False); by someone else, AssetTagTaken. The same
    form (`form_token`) sent again with the same answers gives the original too, and so
    does the same declaration sent again within `repeat_window` (the return form's Back
    then Send), unless `another_than` names it: the person said it is another device.
    `count_in`: the ids of the running clean-up campaigns the person chose to count it in
    (those they take part in already count it anyway)."""
    check_return(point, device_type, condition, data_wiped, wipe_requested)
    if not DEVICE_TYPES[device_type].data_bearing:
        data_wiped = wipe_requested = False
    # Stored in capitals, as labels are printed: receipts, desk and notices show one form.
    tag = (asset_tag or "").strip()[:64].upper() or None
    key = normalise_asset_tag(tag)
    if repeat_window is not None:
        facts = (point.id, device_type, key, condition, data_wiped, wipe_requested)
        earlier = latest_same_declaration(user, facts, now - repeat_window)
        if earlier is not None and earlier.receipt_number != another_than:
            return earlier, False
    from_form = receipt_number_for_form(user.id, form_token) if form_token else None
    for attempt in range(3):
        number = from_form if from_form and attempt == 0 else new_receipt_number()
        device_return = DeviceReturn(
            receipt_number=number,
            user_id=user.id,
            point_id=point.id,
            device_type=device_type,
            asset_tag=tag,
            asset_tag_key=key,
            condition=condition,
            data_wiped=data_wiped,
            wipe_requested=wipe_requested,
            declared_at=now,
            updated_at=now,
        )
        _add_step(device_return, "declared", user, now)
        try:
            # A savepoint: the unique constraint decides between concurrent
            # submissions, and only this insert is undone when it loses.
            with savepoint():
                db.session.add(device_return)
        except IntegrityError:
            existing = (
                db.session.scalar(select(DeviceReturn).where(DeviceReturn.asset_tag_key == key))
                if key
                else None
            )
            if existing is None:
                resent = _same_declaration(number, device_return)
                if resent is not None:
                    return resent, False
                continue  # a receipt-number collision, or the form's answers changed
            refusal = _tag_refusal(existing, user, device_type)
            if refusal is None:
                return existing, False
            raise refusal from None
        device_returned.send(
            current_app._get_current_object(),
            device_return=device_return,
            user=user,
            now=now,
            count_in=tuple(count_in),
        )
        return device_return, True
    raise ReturnError(_l("Please try again."))  # pragma: no cover - three collisions in a row


def latest_same_declaration(user: User, facts: tuple, since: datetime) -> DeviceReturn | None:
    """The person's latest return declared since `since` with the same point, device type,
    asset tag (normalised), condition and data answers, neither withdrawn nor closed.

    Without JavaScript, Back after a declaration loads the form again (pages are sent
    no-store) with a new form token, and the browser fills the answers in again: the form
    token cannot tell that send from the first, the answers and the moment do."""
    point_id, device_type, key, condition, data_wiped, wipe_requested = facts
    return db.session.scalar(
        select(DeviceReturn)
        .where(
            DeviceReturn.user_id == user.id,
            DeviceReturn.point_id == point_id,
            DeviceReturn.device_type == device_type,
            DeviceReturn.asset_tag_key == key,  # IS NULL when there is no tag
            DeviceReturn.condition == condition,
            DeviceReturn.data_wiped.is_(data_wiped),
            DeviceReturn.wipe_requested.is_(wipe_requested),
            DeviceReturn.status.not_in(NEVER_HANDED_IN),
            DeviceReturn.declared_at >= since,
        )
        .order_by(DeviceReturn.declared_at.desc(), DeviceReturn.id.desc())
        .limit(1)
    )


def _device_label(device_type: str) -> str:
    kind = DEVICE_TYPES.get(device_type)
    return str(kind.label) if kind else device_type


def _same_declaration(number: str, new: DeviceReturn) -> DeviceReturn | None:
    """The return already stored under this receipt number when it is the same
    declaration sent again: same person, point, device and answers, not withdrawn or
    closed since (a form sent again then declares the device anew)."""
    existing = db.session.scalar(select(DeviceReturn).where(DeviceReturn.receipt_number == number))
    facts = ("user_id", "point_id", "device_type", "asset_tag_key", "condition", "data_wiped",
             "wipe_requested")  # fmt: skip
    if existing is None or existing.status in NEVER_HANDED_IN:
        return None
    if any(getattr(existing, fact) != getattr(new, fact) for fact in facts):
        return None
    return existing


def _move_status(
    device_return: DeviceReturn, from_statuses: tuple[str, ...], status: str, now: datetime,
    **values,
) -> bool:  # fmt: skip
    """Move a return from one of `from_statuses` to `status` unless it left them meanwhile.

    One conditional UPDATE: two steps sent at the same moment (an agent's receipt and the
    person's withdrawal, a double-clicked outcome) cannot both apply. False (the row
    reloaded) when the other came first.
    """
    moved = db.session.execute(
        update(DeviceReturn)
        .where(DeviceReturn.id == device_return.id, DeviceReturn.status.in_(from_statuses))
        .values(status=status, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(device_return)
    return bool(moved)


def _leave_declared(device_return: DeviceReturn, status: str, now: datetime, **values) -> bool:
    """Move a return from "declared" to `status` unless it left that state meanwhile."""
    return _move_status(device_return, ("declared",), status, now, **values)


WIPE_ALREADY_RECORDED = _l("The wipe of this device has already been recorded.")
OUTCOME_ALREADY_RECORDED = _l("The outcome of this device has already been recorded.")


def _already_recorded(device_return: DeviceReturn, step: str) -> None:
    """Refuse a wipe or an outcome (`step`) for a return past it (sent twice, or by two
    agents at once): the step stays as first recorded."""
    if device_return.status in OUTCOMES:
        raise ReturnError(OUTCOME_ALREADY_RECORDED)
    if step == "wiped" and device_return.status == "wiped":
        raise ReturnError(WIPE_ALREADY_RECORDED)


OWN_DEVICE = _l(
    "You declared this return yourself: another agent of the point, or an administrator, "
    "signs its custody steps."
)


def _not_their_own(device_return: DeviceReturn, agent: User | None) -> None:
    """Refuse a custody step signed by the person who declared the return: its receipt
    scores in the clean-up campaigns, and its certified wipe is the proof the person
    asked for; neither proves anything signed by the same hand."""
    if agent is not None and agent.id == device_return.user_id:
        raise ReturnError(OWN_DEVICE)


def confirm_receipt(device_return: DeviceReturn, agent: User, now: datetime) -> None:
    """The agent confirms the device is in their hands (never one they declared)."""
    _not_their_own(device_return, agent)
    if not _leave_declared(device_return, "received", now):
        if device_return.status == WITHDRAWN:
            raise ReturnError(_l("This declaration was withdrawn by the person who made it."))
        if device_return.status == NOT_BROUGHT:
            raise ReturnError(CLOSED_NOT_BROUGHT)
        raise ReturnError(_l("This return has already been received."))
    _add_step(device_return, "received", agent, now)
    db.session.flush()
    record_audit(agent, "receive", "device_return", device_return.receipt_number, now)
    device_return_received.send(
        current_app._get_current_object(), device_return=device_return, agent=agent, now=now
    )


def withdraw_return(user: User, device_return: DeviceReturn, now: datetime) -> None:
    """The person takes back a declaration while no agent has received the device.

    The return stays, marked withdrawn with a signed step, so the receipt keeps its
    meaning; its asset tag is free for a later declaration, and its entries waiting for
    the device in running clean-up campaigns are removed (`device_return_withdrawn`):
    they scored nothing yet, a return scores once received.
    """
    if device_return.user_id != user.id:
        raise ReturnError(_l("Only the person who declared this return can withdraw it."))
    if not _leave_declared(device_return, WITHDRAWN, now, asset_tag_key=None):
        if device_return.status == WITHDRAWN:
            raise ReturnError(_l("You have already withdrawn this declaration."))
        if device_return.status == NOT_BROUGHT:
            raise ReturnError(
                _l("An agent closed this declaration because the device never came: there "
                   "is nothing to withdraw. To hand the device in, declare it again.")
            )  # fmt: skip
        raise ReturnError(
            _l("An agent has received this device: the declaration can no longer be withdrawn.")
        )
    _add_step(device_return, WITHDRAWN, user, now)
    db.session.flush()
    device_return_withdrawn.send(
        current_app._get_current_object(), return_id=device_return.id, user=user, now=now
    )


# Read by the agent at the desk, not by the owner: what happened, and what the agent can
# tell the owner who comes with the device after all.
CLOSED_NOT_BROUGHT = _l(
    "This declaration was closed because the device never came: it cannot be received. "
    "If the device is here now, its owner can declare it again at an open collection point."
)


def _handles_point(agent: User, point_id: int) -> bool:
    """Whether `agent` handles the returns of this point: an admin (every point), or an
    agent assigned to it."""
    if agent.has_role("admin"):
        return True
    assigned = select(PointAgent.id).where(
        PointAgent.point_id == point_id, PointAgent.user_id == agent.id
    )
    return agent.has_role("agent") and db.session.scalar(assigned.limit(1)) is not None


def check_not_brought(
    device_return: DeviceReturn, agent: User, now: datetime, waiting_days: int
) -> None:
    """ReturnError unless `agent` may close this declaration as never brought: still
    declared, at one of their points, and left waiting long enough that its owner had
    their chance: declared `waiting_days` ago (`queries.long_waiting_days`: the
    reminder's delay, at least a week) and reminded, or twice as long ago (reminders
    turned off, or the owner erased before theirs)."""
    _not_their_own(device_return, agent)
    if not _handles_point(agent, device_return.point_id):
        raise ReturnError(_l("This return was declared at a collection point you do not handle."))
    if device_return.status == WITHDRAWN:
        raise ReturnError(_l("This declaration was withdrawn by the person who made it."))
    if device_return.status == NOT_BROUGHT:
        raise ReturnError(_l("This declaration is already closed: the device never came."))
    if device_return.status != "declared":
        raise ReturnError(
            _l("An agent has received this device: its declaration cannot be closed as never "
               "brought.")
        )  # fmt: skip
    declared = device_return.declared_at
    late = declared <= now - timedelta(days=waiting_days)
    reminded = device_return.reminded_at is not None
    if not late or not (reminded or declared <= now - timedelta(days=2 * waiting_days)):
        raise ReturnError(
            _l("Too early to close this declaration, made on %(date)s: it can be closed "
               "%(days)s days after it was declared once its owner has been reminded, or "
               "%(twice)s days after it was declared.",
               date=format_day(declared), days=format_number(waiting_days),
               twice=format_number(2 * waiting_days))
        )  # fmt: skip


def may_close_not_brought(
    device_return: DeviceReturn, agent: User, now: datetime, waiting_days: int
) -> bool:
    """Whether the agent's page offers to close this declaration (`check_not_brought`)."""
    try:
        check_not_brought(device_return, agent, now, waiting_days)
    except ReturnError:
        return False
    return True


def close_not_brought(
    device_return: DeviceReturn, agent: User, now: datetime, waiting_days: int
) -> None:
    """An agent closes a declaration whose device never came to the point.

    Its own terminal status, "not_brought", not "withdrawn": the owner did not withdraw
    anything, and their receipt, their export and the message they receive must not say
    "Withdrawn by you". Otherwise it ends as a withdrawal does: a signed custody step (the
    agent's, so the owner is told through `custody_step_recorded`), the asset tag free for
    a later declaration, in no statistic, and the clean-up entries waiting for the device
    taken back (`device_return_withdrawn`, sent with the owner, whose points they are).
    """
    check_not_brought(device_return, agent, now, waiting_days)
    if not _leave_declared(device_return, NOT_BROUGHT, now, asset_tag_key=None):
        # Received or withdrawn a moment ago: said as `check_not_brought` says it.
        check_not_brought(device_return, agent, now, waiting_days)
        raise ReturnError(CLOSED_NOT_BROUGHT)  # pragma: no cover - the check above refuses
    _add_step(device_return, NOT_BROUGHT, agent, now)
    db.session.flush()
    record_audit(agent, "close", "device_return", device_return.receipt_number, now, NOT_BROUGHT)
    device_return_withdrawn.send(
        current_app._get_current_object(),
        return_id=device_return.id,
        user=device_return.user,
        now=now,
    )


# How long after a receipt its agent may still undo it: a click on the wrong row at the
# desk is noticed the same day, or at the next day's first look at the desk. An
# assumption (README, Recycling), not a rule of the metropolis.
UNDO_RECEIPT_HOURS = 24
UNDO_REASON_LENGTH = 250  # the step's note
# An erased owner's notes were erased with them, and no erasure runs again: a note typed
# afterwards would stay for ever. The undone receipt of such a return keeps this reason,
# the outcome no note (`check_outcome`).
ERASED_OWNER_UNDO_REASON = _l("Receipt recorded by mistake.")
ERASED_OWNER_NOTE = _l(
    "Its owner's account was erased: a note would be kept for ever, as nothing erases it "
    "any more. Leave the note empty."
)
# The same rule for a device brought without a declaration and recorded with no owner.
NO_OWNER_NOTE = _l(
    "No owner is recorded for this device: a note would be kept for ever, as no erasure "
    "ever reaches it. Leave the note empty."
)
UNDO_REASON_MISSING = _l("Say why this receipt is undone, in a few words.")
# The audit summary of a walk-in's undone receipt, which withdraws it (`undo_receipt`):
# `walk_in_withdrawn: <reason>`, worded by `walk_in.audit_walk_in_withdrawn`.
WALK_IN_WITHDRAWN = "walk_in_withdrawn"


def _receipt_to_undo(device_return: DeviceReturn) -> CustodyStep | None:
    """The receipt step the return's chain ends on, if it ends on one."""
    steps = device_return.steps
    return steps[-1] if steps and steps[-1].step == "received" else None


def check_undo_receipt(
    device_return: DeviceReturn, agent: User, now: datetime, reason: str | None = None
) -> str:
    """The reason an undone receipt would be recorded with, or ReturnError for what
    forbids it: an agent of the point (or an admin) other than the owner, a device
    received and nothing recorded since, within UNDO_RECEIPT_HOURS of its receipt, and a
    reason (`reason` None: everything but the reason, to offer the button)."""
    _not_their_own(device_return, agent)
    if not _handles_point(agent, device_return.point_id):
        raise ReturnError(_l("This return was declared at a collection point you do not handle."))
    if device_return.status == "wiped":
        raise ReturnError(
            _l("The wipe of this device has been recorded since its receipt: the receipt can "
               "no longer be undone.")
        )  # fmt: skip
    if device_return.status in OUTCOMES:
        raise ReturnError(
            _l("The outcome of this device has been recorded since its receipt: the receipt "
               "can no longer be undone.")
        )  # fmt: skip
    receipt = _receipt_to_undo(device_return)
    if device_return.status != "received" or receipt is None:
        raise ReturnError(_l("This device is not recorded as received: there is no receipt to "
                             "undo."))  # fmt: skip
    if now - receipt.at > timedelta(hours=UNDO_RECEIPT_HOURS):
        raise ReturnError(
            _l("Too late to undo this receipt, recorded on %(date)s: a receipt can be undone "
               "within %(hours)s hours.",
               date=format_day(receipt.at), hours=format_number(UNDO_RECEIPT_HOURS))
        )  # fmt: skip
    if reason is None:
        return ""
    if device_return.user_id is None:
        # Nothing will erase a note of an erased owner's return: no typed text is kept.
        return str(ERASED_OWNER_UNDO_REASON)
    reason = reason.strip()
    if not reason:
        raise ReturnError(UNDO_REASON_MISSING, "reason")
    if len(reason) > UNDO_REASON_LENGTH:
        raise ReturnError(
            _l("Keep the reason to %(length)s characters or fewer.",
               length=format_number(UNDO_REASON_LENGTH)),
            "reason",
        )  # fmt: skip
    return reason


def undo_receipt_until(device_return: DeviceReturn) -> datetime | None:
    """Until when the receipt the return's chain ends on may be undone (None: no receipt)."""
    receipt = _receipt_to_undo(device_return)
    return receipt.at + timedelta(hours=UNDO_RECEIPT_HOURS) if receipt else None


def may_undo_receipt(device_return: DeviceReturn, agent: User, now: datetime) -> bool:
    """Whether the agent's page offers to undo this receipt (`check_undo_receipt`)."""
    try:
        check_undo_receipt(device_return, agent, now)
    except ReturnError:
        return False
    return True


def undo_receipt(
    device_return: DeviceReturn, agent: User, reason: str, now: datetime,
    language: str | None = None,
) -> None:  # fmt: skip
    """An agent undoes a receipt recorded by mistake (a click on the wrong row).
    `language`: the one the reason is written in (the agent's interface language).

    The chain of custody is append-only: the receipt step stays, and a signed
    `receipt_undo` step with the reason follows it; the return is "declared" again, moved
    by one conditional UPDATE so that a wipe or an outcome recorded at the same moment
    and this cannot both apply. The owner is told (`custody_step_recorded`). The entries
    the receipt made count in running clean-up campaigns wait for the device again
    (`device_receipt_undone`): received again, they count again, and only they.

    A walk-in's (nobody declared it, nobody will bring it) is withdrawn instead
    (`undone_status`, which `check_custody` reads from the chain): its asset tag free, in
    no statistic, its entries taken out of the running campaigns (`device_return_withdrawn`,
    sent with its owner) as for a withdrawal; audited as WALK_IN_WITHDRAWN.
    """
    reason = check_undo_receipt(device_return, agent, now, reason)
    status = undone_status(device_return.steps)
    withdrawn = status == WITHDRAWN
    freed = {"asset_tag_key": None} if withdrawn else {}
    if not _move_status(device_return, ("received",), status, now, **freed):
        # Wiped, given its outcome or undone a moment ago: said as the check says it.
        check_undo_receipt(device_return, agent, now, reason)
        raise ReturnError(  # pragma: no cover - the check above refuses
            _l("This return has changed meanwhile: look at its chain of custody.")
        )
    written_in = language or agent.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    _add_step(device_return, RECEIPT_UNDONE, agent, now, status=status, note=reason,
              note_lang=written_in[:2])  # fmt: skip
    db.session.flush()
    summary = f"{WALK_IN_WITHDRAWN if withdrawn else RECEIPT_UNDONE}: {reason}"
    record_audit(agent, "cancel", "device_return", device_return.receipt_number, now, summary)
    app = current_app._get_current_object()
    if withdrawn:
        device_return_withdrawn.send(
            app, return_id=device_return.id, user=device_return.user, now=now
        )
        return
    # What the receipt made count waits for the device again; nothing is logged anew (a
    # receipt undone and made again scored in campaigns that had never counted it).
    device_receipt_undone.send(app, return_id=device_return.id, now=now)


def audit_receipt_undone(summary: str) -> str | None:
    """An undone receipt ("cancel" of a return stores `receipt_undo: <reason>`) in the
    reader's words; None for anything else."""
    prefix = f"{RECEIPT_UNDONE}: "
    if not summary.startswith(prefix):
        return None
    return _("Receipt undone: %(reason)s", reason=summary[len(prefix) :])


def audit_not_brought(summary: str) -> str | None:
    """A declaration's closure ("close" events store `not_brought`) in the reader's words;
    None for anything else (a point's closure stores its note)."""
    return _("The device never came") if summary == NOT_BROUGHT else None


def _of_returns(summary_condition):
    return and_(AuditEvent.object_type == "device_return", summary_condition)


# The details a return's events store in a fixed form, which the audit log shows in the
# reader's words (`audit_details`): each (action, a summary of that form, the events
# storing one), so that its "Containing" search finds them by those words (« Donné »,
# « Réception annulée », « jamais arrivé »), in `admin_services.shown_with`.
AUDIT_SEARCHED_DETAILS = (
    *(("outcome", outcome, _of_returns(AuditEvent.summary == outcome)) for outcome in OUTCOMES),
    ("close", NOT_BROUGHT, _of_returns(AuditEvent.summary == NOT_BROUGHT)),
    (
        "cancel",
        f"{RECEIPT_UNDONE}: ",  # worded without its reason: « Réception annulée : »
        _of_returns(AuditEvent.summary.startswith(f"{RECEIPT_UNDONE}: ", autoescape=True)),
    ),
)


def record_wipe(
    device_return: DeviceReturn,
    agent: User,
    method: str,
    wipe_date: date,
    certificate_number: str,
    now: datetime,
) -> None:
    """The agent records the certified wipe of a data-bearing device."""
    certificate = check_wipe(device_return, method, wipe_date, certificate_number, now, agent)
    if not _move_status(device_return, ("received",), "wiped", now):
        _already_recorded(device_return, "wiped")
        raise ReturnError(_l("Confirm receipt before recording the wipe."))  # pragma: no cover
    _add_step(
        device_return,
        "wiped",
        agent,
        now,
        wipe_method=method,
        wipe_date=wipe_date,
        certificate_number=certificate[:64],
    )
    db.session.flush()
    record_audit(agent, "wipe", "device_return", device_return.receipt_number, now, certificate)


def check_wipe(
    device_return: DeviceReturn,
    method: str,
    wipe_date: date,
    certificate_number: str,
    now,
    agent: User | None = None,
) -> str:
    """The certificate number a wipe would be recorded with, or ReturnError for what
    forbids it: checked before asking the agent to sign it, and when recording it."""
    _not_their_own(device_return, agent)
    _already_recorded(device_return, "wiped")
    if device_return.status != "received":
        raise ReturnError(_l("Confirm receipt before recording the wipe."))
    kind = DEVICE_TYPES[device_return.device_type]
    if not kind.data_bearing:
        raise ReturnError(_l("This type of device holds no data to wipe."))
    if method not in WIPE_METHODS:
        raise ReturnError(_l("Choose a wipe method."), "method")
    if method not in kind.wipe_methods:
        # A factory reset leaves a laptop's drive readable: the certificate would lie.
        raise ReturnError(
            _l("This wipe method does not fit this type of device (%(type)s): choose one of "
               "the methods offered.", type=kind.label),
            "method",
        )  # fmt: skip
    received, today = wipe_dates(device_return, now)
    if wipe_date > today:
        raise ReturnError(_l("The wipe date cannot be in the future."), "wipe_date")
    if wipe_date < received:
        # The signed chain of custody would read "received on 5 Dec", then "wiped on 15 Aug".
        raise ReturnError(
            _l("The wipe date cannot be before the device was received, on %(date)s.",
               date=format_day(received)),
            "wipe_date",
        )  # fmt: skip
    certificate = certificate_number.strip()
    if not certificate:
        raise ReturnError(_l("Enter the wipe certificate number."), "certificate_number")
    return certificate


def wipe_dates(device_return: DeviceReturn, now: datetime) -> tuple[date, date]:
    """The first and last dates a wipe of this return may bear, as days in the portal's
    time zone: the day an agent received the device (the day it was declared, before
    that), and today. A receipt undone and recorded again counts from the later one."""
    zone = local_zone()
    received = next(
        (step.at for step in reversed(device_return.steps) if step.step == "received"),
        device_return.declared_at,
    )
    return received.astimezone(zone).date(), now.astimezone(zone).date()


def check_outcome(
    device_return: DeviceReturn, outcome: str, agent: User | None = None,
    recipient: str | None = None, handover_slip: str | None = None, note: str = "",
) -> tuple[str | None, str | None]:  # fmt: skip
    """The hand-over an outcome would be recorded with (`check_handover`), or ReturnError
    when this outcome cannot be recorded now: what `record_outcome` checks before
    writing, and what the question asked without JavaScript checks first. An erased
    owner's return takes no note (ERASED_OWNER_NOTE)."""
    _not_their_own(device_return, agent)
    if device_return.user_id is None and (note or "").strip():
        raise ReturnError(NO_OWNER_NOTE if device_return.walked_in else ERASED_OWNER_NOTE)
    if outcome not in OUTCOMES:
        raise ReturnError(_l("Choose an outcome."), "outcome")
    _already_recorded(device_return, outcome)
    if device_return.status not in ("received", "wiped"):
        raise ReturnError(_l("Confirm receipt before recording the outcome."))
    if device_return.wipe_requested and device_return.status != "wiped":
        raise ReturnError(_l("A certified wipe was requested: record it before the outcome."))
    if outcome not in possible_outcomes(device_return):
        raise ReturnError(STORAGE_DESTROYED, "outcome")
    return check_handover(outcome, recipient, handover_slip)


RECIPIENT_LENGTH = 120  # the step's column
HANDOVER_SLIP_LENGTH = 64


def check_handover(
    outcome: str, recipient: str | None, handover_slip: str | None
) -> tuple[str | None, str | None]:
    """Who received the device and the slip's number, trimmed, as the outcome's step
    signs them: an organisation is required for an outcome that hands the device over
    (LEAVES_THE_ADMINISTRATION), the slip optional; a device reused inside the
    administration is handed to no one, and a name typed for it is refused rather than
    signed away or dropped unseen. (None, None) for no hand-over."""
    recipient, slip = (recipient or "").strip(), (handover_slip or "").strip()
    if outcome not in LEAVES_THE_ADMINISTRATION:
        if recipient or slip:
            raise ReturnError(
                _l("Reused inside the administration, the device is handed over to no "
                   "organisation: leave “Received by” and the slip number empty."),
                "recipient" if recipient else "handover_slip",
            )  # fmt: skip
        return None, None
    if not recipient:
        raise ReturnError(
            _l("Say which organisation received the device (for example Ecologic, or the "
               "charity it was donated to)."),
            "recipient",
        )  # fmt: skip
    if len(recipient) > RECIPIENT_LENGTH:
        raise ReturnError(
            _l("Keep the organisation's name to %(length)s characters or fewer.",
               length=format_number(RECIPIENT_LENGTH)),
            "recipient",
        )  # fmt: skip
    if len(slip) > HANDOVER_SLIP_LENGTH:
        raise ReturnError(
            _l("Keep the slip number to %(length)s characters or fewer.",
               length=format_number(HANDOVER_SLIP_LENGTH)),
            "handover_slip",
        )  # fmt: skip
    return recipient, slip or None


STORAGE_DESTROYED = _l(
    "The storage of this device was physically destroyed: it can only be recycled, not "
    "reused, donated or refurbished."
)


def storage_destroyed(device_return: DeviceReturn) -> bool:
    """Whether the recorded wipe destroyed the device's storage."""
    return any(step.wipe_method == "physical_destruction" for step in device_return.steps)


def possible_outcomes(device_return: DeviceReturn) -> tuple[str, ...]:
    """The outcomes this device can still have: none that needs a working device
    (REUSE_OUTCOMES) once its storage was destroyed."""
    if storage_destroyed(device_return):
        return tuple(outcome for outcome in OUTCOMES if outcome not in REUSE_OUTCOMES)
    return OUTCOMES


def record_outcome(
    device_return: DeviceReturn, agent: User, outcome: str, now: datetime, note: str = "",
    recipient: str | None = None, handover_slip: str | None = None,
    language: str | None = None,
) -> None:  # fmt: skip
    """The agent records what became of the device: reused, donated, refurbished or
    recycled. Reused inside the administration (BACK_IN_SERVICE), the device is in
    service again with its asset tag: the tag is free for its next return. Handed over
    outside it (LEAVES_THE_ADMINISTRATION), the step signs who received it and the
    slip's number (`check_handover`). `language`: the one the note is written in (the
    agent's interface language), marked where it is read in another."""
    recipient, handover_slip = check_outcome(
        device_return, outcome, agent, recipient, handover_slip, note
    )
    from app.catalogue.queries import reference_embodied_by_device_type

    ready = ("wiped",) if device_return.wipe_requested else ("received", "wiped")
    freed = {"asset_tag_key": None} if outcome in BACK_IN_SERVICE else {}
    # The footprint in force now stays this device's: a catalogue changed later does not
    # move what its reuse avoided.
    embodied = reference_embodied_by_device_type().get(device_return.device_type, 0.0)
    if not _move_status(device_return, ready, outcome, now, embodied_kgco2e=embodied, **freed):
        _already_recorded(device_return, outcome)
        raise ReturnError(_l("Confirm receipt before recording the outcome."))  # pragma: no cover
    note = note.strip()[:250]
    written_in = language or agent.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    _add_step(
        device_return, outcome, agent, now, note=note, note_lang=written_in[:2] if note else None,
        recipient=recipient, handover_slip=handover_slip,
    )  # fmt: skip
    db.session.flush()
    record_audit(agent, "outcome", "device_return", device_return.receipt_number, now, outcome)


CORRECTION_REASON_LENGTH = 250  # the step's column


def correctable_steps(device_return: DeviceReturn) -> list[CustodyStep]:
    """The steps of a return whose signed values may be corrected: a wipe's certificate
    number, an outcome's hand-over (CORRECTABLE_FIELDS)."""
    return [step for step in device_return.steps if step.step in CORRECTABLE_FIELDS]


def check_correction(
    device_return: DeviceReturn, agent: User | None, step_id, field: str, new_value: str,
    reason: str,
) -> tuple[CustodyStep, str, str]:  # fmt: skip
    """The step corrected, the new value and the reason, trimmed, or ReturnError naming
    the field that refuses it: nothing is recorded then. Never on one's own device, as
    no step of it is."""
    _not_their_own(device_return, agent)
    step = next((s for s in correctable_steps(device_return) if s.id == step_id), None)
    if step is None or field not in CORRECTABLE_FIELDS[step.step]:
        raise ReturnError(_l("Choose a value this return's chain of custody recorded."), "field")
    new = (new_value or "").strip()
    if not new:
        raise ReturnError(_l("Enter the correct value."), "new_value")
    if len(new) > CORRECTABLE_LENGTHS[field]:
        raise ReturnError(
            _l("Keep the correct value to %(length)s characters or fewer.",
               length=format_number(CORRECTABLE_LENGTHS[field])),
            "new_value",
        )  # fmt: skip
    if new == (step.current(field) or ""):
        raise ReturnError(
            _l("This is the value already recorded: type the correct one."), "new_value"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ReturnError(_l("Say why this value is corrected, in a few words."), "reason")
    if len(reason) > CORRECTION_REASON_LENGTH:
        raise ReturnError(
            _l("Keep the reason to %(length)s characters or fewer.",
               length=format_number(CORRECTION_REASON_LENGTH)),
            "reason",
        )  # fmt: skip
    return step, new, reason


def correct_step(
    device_return: DeviceReturn, agent: User, step_id, field: str, new_value: str,
    reason: str, now: datetime,
) -> CustodyStep:  # fmt: skip
    """An agent corrects a value signed in an earlier step (a typo in a certificate or
    slip number, an organisation's name): a signed correction step is appended, naming
    the step, the field, the values before and after and the reason; the step corrected
    stays as signed, and the return's status does not move. Audited; its owner is told
    (`custody_step_recorded`)."""
    step, new, reason = check_correction(device_return, agent, step_id, field, new_value, reason)
    old = step.current(field) or ""
    row = _add_step(
        device_return, CORRECTION, agent, now, status=device_return.status,
        corrects_id=step.id, corrected_field=field, old_value=old, new_value=new,
        reason=reason,
    )  # fmt: skip
    db.session.flush()
    record_audit(
        agent, "correct", "device_return", device_return.receipt_number, now,
        f"{field}: {old} -> {new}"[:SUMMARY_LENGTH],
    )  # fmt: skip
    return row


class PointChangedMeanwhile(ReturnError):
    """A point's edit form opened before another save of it (an older tab): refused."""


def point_version(point: CollectionPoint) -> str:
    """What the edit form keeps of the point it was opened on (`save_point(seen=…)`)."""
    return str(point.edit_version or 1)


def point_changed_message(point: CollectionPoint) -> str:
    """Why a save from an older edit form is refused: the other change, worded from the
    audit log when it can be, and that what was typed is kept for a knowing second save."""
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "collection_point", AuditEvent.object_id == str(point.id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    message = _(
        "Someone else changed this collection point after you opened this form (or you "
        "did, in another tab): nothing was saved."
    )
    worded = audit_point_changes(event.summary) if event and event.action == "update" else None
    if worded:
        message += " " + _("That change: %(changes)s.", changes=worded)
    return (
        message
        + " "
        + _(
            "What you typed is kept below: check it against the point as it is now (its "
            "agents especially), then save again to keep it."
        )
    )


def save_point(
    point: CollectionPoint | None,
    data: dict,
    admin: User,
    now: datetime,
    seen: str | None = None,
) -> CollectionPoint:
    """Create (point None) or update a collection point from validated form data.
    `seen`: the version (`point_version`) the edit form was opened on; a save since
    refuses this one (`PointChangedMeanwhile`); None: not compared."""
    problems = point_problems(point, data)
    if problems:
        raise problems[0]
    creating = point is None
    if not creating and seen is not None and not hold_version(point, seen):
        raise PointChangedMeanwhile(point_changed_message(point))
    before = {} if creating else point_settings(point)
    if creating:
        point = CollectionPoint(created_at=now, active=True, closure_note="")
        db.session.add(point)
    else:  # in the database, not from the value this request read
        point.edit_version = CollectionPoint.edit_version + 1
    point.commune_id = data["commune_id"]
    point.name = data["name"].strip()
    point.address = data["address"].strip()
    point.latitude = data["latitude"]
    point.longitude = data["longitude"]
    point.opening_hours = data["opening_hours"].strip()
    point.accepted_types = ",".join(t for t in DEVICE_TYPES if t in data["accepted_types"])
    point.directions_fr = (data.get("directions_fr") or "").strip()
    point.directions_en = (data.get("directions_en") or "").strip()
    db.session.flush()
    set_point_agents(point, data.get("agent_ids") or [])
    # A creation stores the values the point starts with (`audit_point_creation` words
    # them), an edit what changed, before -> after (`audit_point_changes` words it).
    after = point_settings(point)
    summary = point_starting_summary(after) if creating else point_changes_summary(before, after)
    record_audit(admin, "create" if creating else "update", "collection_point", point.id, now,
                 summary)  # fmt: skip
    return point


# The settings a point's audit event follows, keyed as stored, and their labels (the
# form's). Agents are stored by account id: an erased agent's name is not kept here.
POINT_SETTINGS = {
    "name": _l("Name"),
    "commune": _l("Commune"),
    "address": _l("Address"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "opening_hours": _l("Opening hours"),
    "accepted_types": _l("Accepted device types"),
    "directions_fr": _l("How to get there (French)"),
    "directions_en": _l("How to get there (English)"),
    "agents": _l("Agents of this point"),
}
_AUDIT_TEXT_CHARS = 100  # two values of every setting changed still fit 500 characters
_AUDIT_TEXT = r'"(?:[^"\\]|\\.)*"'
_AUDIT_NAME = re.compile(rf"({_AUDIT_TEXT}): ")
_AUDIT_PART = re.compile(rf"({'|'.join(POINT_SETTINGS)}) ({_AUDIT_TEXT}) -> ({_AUDIT_TEXT})")


def _point_edits_changing(key: str):
    """The point edits whose details hold a change of `key`: its part follows the name's
    closing quote (`": key "`) or the part before it (`"; key "`). A quote inside a
    stored text is escaped, so a name or hours that merely mention the key are no such
    part (but a text typed to end like one, which the search finds as well)."""
    return and_(
        AuditEvent.object_type == "collection_point",
        or_(
            *(
                AuditEvent.summary.contains(f'"{joint} {key} "', autoescape=True)
                for joint in (":", ";")
            )
        ),
    )


# A point's edit, shown with the names of the settings it changed (« Horaires
# d'ouverture : … → … »): (action, an edit of each setting, the events holding one), so
# that the log's "Containing" search finds edits by those names too, as
# `AUDIT_SEARCHED_DETAILS` does a return's events. The sample's empty values show as « – ».
AUDIT_SEARCHED_EDITS = tuple(
    ("update", f'"": {key} "" -> ""', _point_edits_changing(key)) for key in POINT_SETTINGS
)


def point_settings(point: CollectionPoint) -> dict[str, str]:
    """A point's settings as its audit events store them (texts)."""
    return {
        "name": point.name,
        "commune": point.commune.name if point.commune else str(point.commune_id),
        "address": point.address,
        "latitude": f"{point.latitude:g}",
        "longitude": f"{point.longitude:g}",
        "opening_hours": point.opening_hours,
        "accepted_types": point.accepted_types,
        "directions_fr": point.directions_fr or "",
        "directions_en": point.directions_en or "",
        "agents": ",".join(str(i) for i in sorted(row.user_id for row in point.agent_rows)),
    }


def _audit_text(value: str) -> str:
    if len(value) > _AUDIT_TEXT_CHARS:
        value = value[: _AUDIT_TEXT_CHARS - 1] + "…"
    return json.dumps(value, ensure_ascii=False)


def point_changes_summary(before: dict[str, str], after: dict[str, str]) -> str:
    """The point's name, then each setting changed, `setting "before" -> "after"`, joined
    by "; " (whole settings only, within an event's 500 characters); the name alone
    when nothing changed."""
    parts = [
        f"{key} {_audit_text(before[key])} -> {_audit_text(after[key])}"
        for key in POINT_SETTINGS
        if before.get(key) != after.get(key)
    ]
    summary = f"{_audit_text(after['name'])}: "
    if not parts:
        return after["name"]
    kept = []
    for part in parts:
        if len(summary + "; ".join([*kept, part])) > SUMMARY_LENGTH:
            break
        kept.append(part)
    return summary + "; ".join(kept)


# The settings a new point's audit event lists, the most read first: within the event's
# 500 characters, directions typed at length leave out only themselves.
STARTING_SETTINGS = ("commune", "address", "opening_hours", "accepted_types", "agents",
                     "latitude", "longitude", "directions_fr", "directions_en")  # fmt: skip
_AUDIT_START = re.compile(rf"({'|'.join(STARTING_SETTINGS)}) ({_AUDIT_TEXT})")


def point_starting_summary(settings: dict[str, str]) -> str:
    """A new point's name, then each setting it starts with, `setting "value"`, joined by
    "; " (empty ones left out; whole settings only, within an event's 500 characters)."""
    summary = f"{_audit_text(settings['name'])}: "
    kept = []
    for key in STARTING_SETTINGS:
        if not settings.get(key):
            continue
        part = f"{key} {_audit_text(settings[key])}"
        if len(summary + "; ".join([*kept, part])) > SUMMARY_LENGTH:
            break
        kept.append(part)
    return summary + "; ".join(kept) if kept else settings["name"]


def audit_point_creation(summary: str) -> str | None:
    """A new point's name and the values it started with in the reader's words («
    Mairie · Commune : “Bassens” · Adresse : “…” »), as a catalogue item's creation; None
    for any other details (a name alone, as stored before 20 December)."""

    def worded(key, value):
        return _("%(column)s: %(value)s", column=POINT_SETTINGS[key],
                 value=_audit_value(key, value))  # fmt: skip

    return _worded_audit(summary, _AUDIT_START, worded)


def _worded_audit(summary: str, part_pattern, worded) -> str | None:
    """The point's name then each part `part_pattern` reads, put in words by `worded`,
    joined with " · "; None when the summary is not all such parts (another domain's)."""
    name = _AUDIT_NAME.match(summary)
    if name is None:
        return None
    parts, position = [], name.end()
    while position < len(summary):
        # Part by part, not split on "; ": a text may hold one.
        part = part_pattern.match(summary, position)
        if part is None:
            return None
        try:
            parts.append(worded(*part.groups()))
        except ValueError:  # not what this module stores
            return None
        position = part.end()
        if position < len(summary):
            if not summary.startswith("; ", position):
                return None
            position += 2
    if not parts:
        return None
    return " · ".join([json.loads(name[1]), *parts])


def _audit_value(key: str, stored: str) -> str:
    """A stored setting in the reader's words."""
    value = json.loads(stored)
    if key == "accepted_types":
        return ", ".join(device_type_names(t for t in value.split(",") if t)) or "–"
    if key == "agents":
        ids = [int(i) for i in value.split(",") if i.isdigit()]
        if not ids:
            return "–"
        names = dict(
            db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
        )
        return ", ".join(names.get(i) or str(i) for i in ids) or "–"
    if key in ("latitude", "longitude"):
        return format_number(float(value)) if value else "–"
    return _("“%(name)s”", name=value) if value else "–"


def audit_point_changes(summary: str) -> str | None:
    """A point edit's name and changed settings in the reader's words ("Mairie · Opening
    hours: “…” → “…”"); None for any other details (a name alone, another domain's)."""

    def worded(key, before, after):
        return _("%(setting)s: %(before)s → %(after)s", setting=POINT_SETTINGS[key],
                 before=_audit_value(key, before), after=_audit_value(key, after))  # fmt: skip

    return _worded_audit(summary, _AUDIT_PART, worded)


def point_problems(point: CollectionPoint | None, data: dict) -> list[ReturnError]:
    """Every rule these data break for the point (None: a new one), each at its field.

    All are returned, not the first, so that one submit reports them all; a value the
    form refused (None) is left to the form's own message.
    """
    problems = []
    if reason := hours_problem(data.get("opening_hours") or ""):
        problems.append(ReturnError(reason, "opening_hours"))
    commune_id = data.get("commune_id")
    if commune_id is not None and _name_taken(point, commune_id, data.get("name") or ""):
        problems.append(
            ReturnError(
                _l("A collection point with this name already exists in this commune: "
                   "give this one a name staff can tell apart (its street, its building)."),
                "name",
            )
        )  # fmt: skip
    place = point_place_problem(
        db.session.get(Commune, commune_id) if commune_id is not None else None,
        data.get("latitude"),
        data.get("longitude"),
    )
    if place is not None:
        problems.append(place)
    # A new point opens at once; a closed one may wait for its agents until reopened. An
    # agent whose account is deactivated stays listed for their return, but receives nothing.
    if (point is None or point.active) and not _any_working_agent(data.get("agent_ids") or []):
        problems.append(ReturnError(NO_AGENT_MESSAGE, "agent_ids"))
    return problems


def hours_problem(expression: str) -> str | None:
    """Why these opening hours are refused (in the request's language), or None: not in
    the syntax, not put into words by the pages, or saying what an admin hardly means (a
    point never open, a range ending before it starts, two ranges overlapping)."""
    if not hours.is_valid(expression):
        if part := hours.unparsed_part(expression):
            # Named, with how the syntax writes days: « Lu-Ve » is the French way.
            return _(
                "These opening hours are not in OpenStreetMap syntax: “%(part)s” cannot be "
                "read. Days are written Mo, Tu, We, Th, Fr, Sa, Su and times 08:30-12:00, "
                "e.g. Mo-Fr 08:30-12:00; PH off.",
                part=hours.quoted(part),
            )
        return str(BAD_HOURS_MESSAGE)
    if reason := hours.unreadable_reason(expression):
        return reason
    doubtful = doubtful_hours(read_rules(str(opening_hours.OpeningHours(expression.strip()))))
    if doubtful is None:
        return None
    if doubtful.kind == "never_open":
        # Staff would be sent to a point where nobody receives their device.
        return _(
            "With these hours the point never opens. Enter the days and times it opens; "
            "to stop returns there for a while, keep its usual hours and use "
            "“Close temporarily”."
        )
    if doubtful.kind == "overnight":
        return _(
            "“%(range)s” does not end after it starts on the same day: the pages show each "
            "day's hours within that day. Write a range such as %(example)s, and split "
            "hours past midnight over two days.",
            range=hours.quoted(doubtful.ranges[0]),
            example="08:00-17:00",
        )
    first, second, merged = doubtful.ranges
    return _(
        "“%(first)s” and “%(second)s” overlap: write them as one range (%(merged)s) or "
        "correct one of them.",
        first=hours.quoted(first),
        second=hours.quoted(second),
        merged=hours.quoted(merged),
    )


def _name_key(name: str) -> str:
    """A point's name as two names are compared: without case or spaces."""
    return re.sub(r"\s+", "", name).casefold()


def _name_taken(point: CollectionPoint | None, commune_id: int, name: str) -> bool:
    """Whether another point of this commune bears this name (two identical cards)."""
    key = _name_key(name)
    if not key:
        return False  # the form says the name is missing
    names = db.session.scalars(
        select(CollectionPoint.name).where(
            CollectionPoint.commune_id == commune_id,
            CollectionPoint.id != (point.id if point is not None else -1),
        )
    )
    return any(_name_key(other) == key for other in names)


def _any_working_agent(user_ids: list[int]) -> bool:
    """Whether one of these people holds the agent role on an active account."""
    user_ids = [i for i in map(database_id, user_ids) if i is not None]  # the form refuses others
    if not user_ids:
        return False
    working = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.id.in_(user_ids), UserRole.role == "agent", User.active.is_(True))
        .where(User.anonymised_at.is_(None))
        .limit(1)
    )
    return db.session.scalar(working) is not None


def point_place_problem(
    commune: Commune | None, latitude: float | None, longitude: float | None
) -> ReturnError | None:
    """Why the point may not lie there (at the latitude) unless it is near its commune's
    centre: a point typed far away would be offered as the nearest to the wrong people."""
    # queries imports this module: its haversine is read at call time.
    from app.recycling.queries import haversine_km

    if commune is None:
        return ReturnError(_l("Choose a commune."), "commune_id")
    if latitude is None or longitude is None:
        return None  # the form says the number is missing or wrong
    distance = haversine_km(commune.latitude, commune.longitude, latitude, longitude)
    if distance <= MAX_KM_FROM_COMMUNE:
        return None
    # Said at the field that is wrong: the longitude when the latitude alone, with the
    # commune's longitude, would lie near enough (and the latitude otherwise).
    near_by_latitude = (
        haversine_km(commune.latitude, commune.longitude, latitude, commune.longitude)
        <= MAX_KM_FROM_COMMUNE
    )
    return ReturnError(
        _l(
            "These coordinates lie %(distance)s km from the centre of %(commune)s, more "
            "than %(limit)s km: check the latitude and the longitude, or the commune.",
            distance=format_number(round(distance)),
            commune=commune.name,
            limit=MAX_KM_FROM_COMMUNE,
        ),
        "longitude" if near_by_latitude else "latitude",
    )


def set_point_agents(point: CollectionPoint, agent_ids: list[int]) -> None:
    """Assign exactly these agents to the point."""
    wanted = set(agent_ids)
    current = {row.user_id for row in point.agent_rows}
    for row in list(point.agent_rows):
        if row.user_id not in wanted:
            point.agent_rows.remove(row)
    for user_id in sorted(wanted - current):
        point.agent_rows.append(PointAgent(user_id=user_id))
    db.session.flush()


def set_point_active(
    point: CollectionPoint, active: bool, admin: User, now: datetime, note: str = ""
) -> None:
    """Close a point temporarily (with a note for staff) or reopen it.

    Closing an open point tells the people whose declarations still wait there, once each
    (`collection_point_closed`); closing it again to change the note, or reopening it,
    tells nobody."""
    # As when it is saved: an agent whose role was revoked or whose account is
    # deactivated stays assigned, but would receive none of the returns declared there.
    if active and not _any_working_agent([row.user_id for row in point.agent_rows]):
        raise ReturnError(NO_AGENT_MESSAGE, "agent_ids")
    # One conditional UPDATE: of two closures sent at once (a double click, two admins),
    # one closes the point and has its owners told.
    closing = not active and bool(
        db.session.execute(
            update(CollectionPoint)
            .where(CollectionPoint.id == point.id, CollectionPoint.active.is_(True))
            .values(active=False)
            .execution_options(synchronize_session=False)
        ).rowcount
    )
    point.active = active
    point.closure_note = "" if active else note.strip()[:250]
    db.session.flush()
    record_audit(admin, "reopen" if active else "close", "collection_point", point.id, now,
                 point.closure_note)  # fmt: skip
    if closing:
        _tell_owners_of_closure(point, now)


def _tell_owners_of_closure(point: CollectionPoint, now: datetime) -> None:
    """Send `collection_point_closed` with the owners of the declarations still waiting
    at the point, each with their returns, oldest first (nothing when nobody waits)."""
    waiting = db.session.execute(
        select(DeviceReturn.user_id, DeviceReturn.id)
        .where(
            DeviceReturn.point_id == point.id,
            DeviceReturn.status == "declared",
            DeviceReturn.user_id.is_not(None),
        )
        .order_by(DeviceReturn.declared_at, DeviceReturn.id)
    ).all()
    owners: dict[int, list[int]] = {}
    for user_id, return_id in waiting:
        owners.setdefault(user_id, []).append(return_id)
    if owners:
        collection_point_closed.send(
            current_app._get_current_object(),
            point_id=point.id,
            note=point.closure_note,
            owners=owners,
            now=now,
        )


def remind_waiting_returns(now: datetime, after_days: int) -> int:
    """Remind, once, the owners of devices declared `after_days` days ago or more that no
    agent has received yet; how many were reminded.

    A declaration left waiting is often a device forgotten in a drawer: the point, its
    hours and the way to withdraw the declaration go to its owner (messaging listens to
    `device_return_waiting`). Each return is marked first, in the same transaction, so a
    second run never reminds it again.
    """
    if after_days <= 0:
        return 0
    waiting = db.session.execute(
        select(DeviceReturn.id, DeviceReturn.user_id).where(
            DeviceReturn.status == "declared",
            DeviceReturn.declared_at <= now - timedelta(days=after_days),
            DeviceReturn.reminded_at.is_(None),
            DeviceReturn.user_id.is_not(None),
        )
    ).all()
    if not waiting:
        return 0
    db.session.execute(
        update(DeviceReturn)
        .where(DeviceReturn.id.in_([row.id for row in waiting]))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    app = current_app._get_current_object()
    for row in waiting:
        device_return_waiting.send(app, return_id=row.id, user_id=row.user_id, now=now)
    return len(waiting)


def close_unbrought_returns(now: datetime, after_days: int) -> int:
    """Close, as never brought, the declarations still waiting for their device
    `after_days` days after they were declared (or after their receipt was last undone,
    which made them wait again); how many were closed. 0 or less: none.

    Ends as an agent's closure does (`close_not_brought`): status "not_brought", a signed
    custody step, the asset tag free, audited ("close"), the waiting clean-up entries
    taken back (`device_return_withdrawn`) and the owner told (`device-custody`, inbox,
    and e-mail with consent). The portal signs it: the step has no agent (`actor_id`
    NULL), which the pages read as « par le portail, automatiquement »
    (`CustodyStep.by_the_portal`), and the audit log as "System". Each closure is one
    conditional UPDATE: a receipt or withdrawal recorded meanwhile wins."""
    if after_days <= 0:
        return 0
    since = now - timedelta(days=after_days)
    undone_lately = (
        select(CustodyStep.id)
        .where(
            CustodyStep.return_id == DeviceReturn.id,
            CustodyStep.step == RECEIPT_UNDONE,
            CustodyStep.at > since,
        )
        .exists()
    )
    stale = db.session.scalars(
        select(DeviceReturn)
        .where(
            DeviceReturn.status == "declared",
            DeviceReturn.declared_at <= since,
            ~undone_lately,
        )
        .order_by(DeviceReturn.id)
    ).all()
    app = current_app._get_current_object()
    closed = 0
    for device_return in stale:
        if not _leave_declared(device_return, NOT_BROUGHT, now, asset_tag_key=None):
            continue  # received or withdrawn a moment ago
        _add_step(device_return, NOT_BROUGHT, None, now)
        db.session.flush()
        record_audit(None, "close", "device_return", device_return.receipt_number, now, NOT_BROUGHT)
        device_return_withdrawn.send(
            app, return_id=device_return.id, user=device_return.user, now=now
        )
        if device_return.user_id is not None:  # an erased owner is told nothing
            custody_step_recorded.send(app, device_return=device_return, step=NOT_BROUGHT, now=now)
        closed += 1
    return closed


def audit_facts(summary: str) -> str:
    """What an event about a return keeps on its owner's erasure: the facts a service
    wrote (an outcome's key, `not_brought`, a wipe's certificate number), not an undone
    receipt's reason, a walk-in's too ("" gives way to the erased-text mark)."""
    return "" if summary.startswith((f"{RECEIPT_UNDONE}: ", f"{WALK_IN_WITHDRAWN}: ")) else summary


def return_owner(receipt_number: str):
    """Whose return an audit event names (`register_audit_subject`): nobody once they are
    erased."""
    return select(DeviceReturn.user_id).where(DeviceReturn.receipt_number == receipt_number)


def audited_returns(user: User):
    """The person's returns as the audit log names them, each since it was declared
    (`PersonalData.audited`)."""
    return "device_return", select(DeviceReturn.receipt_number, DeviceReturn.declared_at).where(
        DeviceReturn.user_id == user.id
    )


def erase_returns(user: User, now: datetime) -> None:
    """Detach a person from their returns; the returns and every statistic stay.

    What staff wrote about their returns goes too: every custody step's note (an undone
    receipt's reason, an outcome's note), which no signature covers, and the reasons the
    audit log copied (its events stay). Asset tags stay: the authority's inventory."""
    theirs = DeviceReturn.user_id == user.id
    erase_audit_texts(
        "device_return", select(DeviceReturn.receipt_number).where(theirs), audit_facts
    )
    ids = select(DeviceReturn.id).where(theirs).scalar_subquery()
    steps = db.session.scalars(select(CustodyStep).where(CustodyStep.return_id.in_(ids))).all()
    for step in steps:
        step.note, step.note_lang = "", None
        if step.step in OWNER_STEPS and step.actor_id == user.id:
            _sign_again(step, actor_id=None, actor_name="")
        if step.step == CORRECTION and step.reason:  # signed: signed again without it
            _sign_again(step, reason="")
    db.session.execute(
        update(DeviceReturn).where(DeviceReturn.user_id == user.id).values(user_id=None)
    )
    db.session.execute(delete(PointAgent).where(PointAgent.user_id == user.id))
    db.session.flush()


def erase_signed_steps(user: User, now: datetime) -> None:
    """Take an erased agent's name off the custody steps they signed.

    The steps stay, with their account (now « Anonyme <id> ») as actor_id, and each is
    signed again without the name (`_sign_again`), so every step still verifies and the
    chain of custody still shows which steps one hand signed. The pages then read
    "signed by an anonymised agent". Their notes stay: they speak of the device and its
    owner, not of the agent, and go with the owner's data (`erase_returns`)."""
    signed = db.session.scalars(
        select(CustodyStep)
        .where(CustodyStep.actor_id == user.id, CustodyStep.step.not_in(OWNER_STEPS))
        .options(selectinload(CustodyStep.device_return).selectinload(DeviceReturn.steps))
    ).all()
    for step in signed:
        _sign_again(step, actor_name="")
    db.session.flush()


def _sign_again(step: CustodyStep, **changes) -> None:
    """Change what an erasure takes off a signed step, and sign it again, where it
    stands, only if it verified before: a step altered beforehand stays unverified."""
    receipt, position = step.device_return.receipt_number, _position(step)
    authentic = step_is_authentic(receipt, step, position)
    for name, value in changes.items():
        setattr(step, name, value)
    if authentic:
        step.signature = sign_step(receipt, step, position=position)
