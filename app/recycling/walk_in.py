"""A device brought to a collection desk that nobody declared (a walk-in): someone comes
with a device they never declared, brings a colleague's, or staff found it in a cupboard.
The agent records it at their point, received by them at once, with its owner when they
name one (an active account, by staff number or e-mail address) and with none otherwise.

Its chain of custody starts with the agent's signed WALK_IN step, in place of an owner's
declaration, followed by their receipt (`services._add_step`, as every step is signed);
from there it follows every return's path: wipe, outcome, hand-over. Flush, never commit.
"""

import re
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.audit import AuditEvent, record_audit
from app.core.database import savepoint
from app.core.devices import DEVICE_TYPES
from app.core.signals import device_return_received, device_returned
from app.extensions import db
from app.recycling.forms import ASSET_TAG, ASSET_TAG_LENGTH
from app.recycling.models import CONDITIONS, WALK_IN, CollectionPoint, DeviceReturn
from app.recycling.queries import receipt_number_from
from app.recycling.services import (
    ONE_WIPE_CHOICE,
    TAG_TAKEN,
    WALK_IN_WITHDRAWN,
    AssetTagTaken,
    ReturnError,
    _add_step,
    _handles_point,
    new_receipt_number,
    normalise_asset_tag,
    receipt_number_for_form,
)

OWNER_LENGTH = 254  # an e-mail address's longest; a staff number holds 32
UNKNOWN_OWNER = _l(
    "No active account has this staff number or e-mail address. Check it with the person, "
    "or leave the field empty to record the device without an owner."
)
OWN_DEVICE = _l(
    "You cannot record a device of your own: another agent of the point, or an "
    "administrator, receives it."
)
NOT_THEIR_POINT = _l("You do not handle this collection point: nothing was recorded.")
DATA_QUESTION = _l(
    "This device may hold data: say whether it was wiped before it was brought, or choose "
    "a certified wipe at the point."
)


class WalkIn(NamedTuple):
    """What the agent says of the device brought (the form's answers, as typed)."""

    device_type: str | None
    condition: str | None
    data_wiped: bool = False
    wipe_requested: bool = False
    asset_tag: str | None = None
    owner: str | None = None  # a staff number or an e-mail address; None or "": nobody


def find_owner(identifier: str | None) -> User | None:
    """The active account whose e-mail address or staff number this is, in any case;
    None for none, and for two staff numbers differing only in case."""
    text = (identifier or "").strip()[:OWNER_LENGTH]
    if not text:
        return None
    if "@" in text:  # addresses are stored in lower case (an import's perhaps not)
        stored, fold, value, folded = User.email, func.lower, text.lower(), text.lower()
    else:
        stored, fold, value, folded = User.staff_number, func.upper, text, text.upper()
    active = (User.active.is_(True), User.anonymised_at.is_(None))
    # As stored first, through its unique index; then in any case.
    exact = db.session.scalar(select(User).where(stored == value, *active))
    if exact is not None:
        return exact
    found = db.session.scalars(select(User).where(fold(stored) == folded, *active).limit(2)).all()
    return found[0] if len(found) == 1 else None


class TagRecordedHere(AssetTagTaken):
    """The tag is held by a live return at a point the agent handles, which they may open:
    `receipt`, its number, which the form's page links to that return's page."""

    def __init__(self, message, receipt: str):
        super().__init__(message, "asset_tag")
        self.receipt = receipt


def _tag_refusal(agent: User, existing: DeviceReturn) -> ReturnError:
    """A live return holds the tag. At a point the agent handles it is named by its
    receipt (perhaps their own walk-in of a moment ago; one still waiting as declared is
    the device's own declaration, its receipt to confirm instead); elsewhere it is refused
    as a declaration is (TAG_TAKEN), naming nothing of it."""
    if not _handles_point(agent, existing.point_id):
        return AssetTagTaken(TAG_TAKEN, "asset_tag")
    receipt = existing.receipt_number
    if existing.status == "declared":
        return TagRecordedHere(
            _("This device is already recorded under receipt %(receipt)s, a declaration "
              "waiting at %(point)s: open it and confirm its receipt instead.",
              receipt=receipt, point=existing.point.label),
            receipt,
        )  # fmt: skip
    return TagRecordedHere(
        _("This device is already recorded under receipt %(receipt)s.", receipt=receipt),
        receipt,
    )


def tag_problem(agent: User, asset_tag: str | None) -> ReturnError | None:
    """Why the walk-in form refuses this asset tag (a live return holds it, `_tag_refusal`),
    or None; the unique tag still decides (`record_walk_in`)."""
    key = normalise_asset_tag((asset_tag or "").strip()[:64])
    existing = (
        db.session.scalar(select(DeviceReturn).where(DeviceReturn.asset_tag_key == key))
        if key
        else None
    )
    return _tag_refusal(agent, existing) if existing is not None else None


def walk_in_problems(
    agent: User, point: CollectionPoint, answers: WalkIn
) -> tuple[list[ReturnError], User | None]:
    """Every rule the walk-in breaks, each at its field (in the form's order), and the
    owner its answers name (None: nobody, or not found)."""
    problems = []
    kind = DEVICE_TYPES.get(answers.device_type or "")
    if kind is None:
        problems.append(ReturnError(_l("Choose a device type."), "device_type"))
    elif answers.device_type not in point.accepted_device_types:
        problems.append(
            ReturnError(
                _l("%(point)s does not accept this type of device: %(type)s.",
                   point=point.name, type=kind.label),
                "device_type",
            )
        )  # fmt: skip
    if answers.condition not in CONDITIONS:
        problems.append(ReturnError(_l("Say whether the device works."), "condition"))
    if (taken := tag_problem(agent, answers.asset_tag)) is not None:
        problems.append(taken)
    if kind is not None and kind.data_bearing:
        if not (answers.data_wiped or answers.wipe_requested):
            problems.append(ReturnError(DATA_QUESTION, "wipe_requested"))
        elif answers.data_wiped and answers.wipe_requested:
            problems.append(ReturnError(ONE_WIPE_CHOICE, "wipe_requested"))
    owner = None
    if (answers.owner or "").strip():
        owner = find_owner(answers.owner)
        if owner is None:
            problems.append(ReturnError(UNKNOWN_OWNER, "owner"))
        elif owner.id == agent.id:
            # Their own receipt would score for them in clean-up campaigns, signed by them.
            problems.append(ReturnError(OWN_DEVICE, "owner"))
    return problems, owner


def _receipt_number_for(agent: User, form_token: str) -> str:
    """The receipt number one walk-in form, sent by one agent, is recorded under: sent
    twice (a double click, Back then Send), the same number, which the unique receipt
    number refuses a second time."""
    return receipt_number_for_form(agent.id, form_token, "walk-in-form")


def _facts(point: CollectionPoint, answers: WalkIn, owner: User | None) -> tuple:
    """What a walk-in records, as `_facts_of` reads them back from a stored one."""
    bearing = answers.device_type in DEVICE_TYPES and DEVICE_TYPES[answers.device_type].data_bearing
    return (
        point.id,
        answers.device_type,
        answers.condition,
        normalise_asset_tag((answers.asset_tag or "").strip()[:64]),
        bool(bearing and answers.data_wiped),
        bool(bearing and answers.wipe_requested),
        owner.id if owner else None,
    )


def _facts_of(device_return: DeviceReturn) -> tuple:
    return (
        device_return.point_id,
        device_return.device_type,
        device_return.condition,
        device_return.asset_tag_key,
        device_return.data_wiped,
        device_return.wipe_requested,
        device_return.user_id,
    )


def already_recorded(
    agent: User, form_token: str | None, point: CollectionPoint, answers: WalkIn
) -> DeviceReturn | None:
    """The walk-in this agent already recorded from this very form with the same
    answers (sent twice), if any; answers changed since (Back, then another device) are
    recorded anew."""
    if not form_token:
        return None
    number = _receipt_number_for(agent, form_token)
    earlier = db.session.scalar(select(DeviceReturn).where(DeviceReturn.receipt_number == number))
    if earlier is None or not earlier.walked_in or earlier.steps[0].actor_id != agent.id:
        return None
    owner = find_owner(answers.owner) if (answers.owner or "").strip() else None
    return earlier if _facts_of(earlier) == _facts(point, answers, owner) else None


def record_walk_in(
    agent: User, point: CollectionPoint, answers: WalkIn, now: datetime,
    form_token: str | None = None,
) -> tuple[DeviceReturn, bool]:  # fmt: skip
    """Record a device brought without a declaration, received by `agent` at `point`;
    (return, created): the same form sent again gives the walk-in it recorded.

    Two signed steps, the agent's: WALK_IN, then "received". Audited as a receipt
    (summary WALK_IN). A named owner sees it among their returns and is told of its
    receipt as of any (`custody_step_recorded`); it counts in the running clean-up
    campaigns they take part in already, and only there (`device_returned` with nothing
    chosen: the return form's privacy rule, `cleanup.services.log_device_return`), as
    soon as received (`device_return_received`). Without an owner it counts nowhere."""
    if not _handles_point(agent, point.id):
        raise ReturnError(NOT_THEIR_POINT)
    if (earlier := already_recorded(agent, form_token, point, answers)) is not None:
        return earlier, False
    problems, owner = walk_in_problems(agent, point, answers)
    if problems:
        raise problems[0]
    bearing = DEVICE_TYPES[answers.device_type].data_bearing
    tag = (answers.asset_tag or "").strip()[:64].upper() or None
    key = normalise_asset_tag(tag)
    for attempt in range(3):
        number = (
            _receipt_number_for(agent, form_token)
            if form_token and attempt == 0
            else new_receipt_number()
        )
        device_return = DeviceReturn(
            receipt_number=number,
            user_id=owner.id if owner else None,
            point_id=point.id,
            device_type=answers.device_type,
            asset_tag=tag,
            asset_tag_key=key,
            condition=answers.condition,
            data_wiped=bearing and answers.data_wiped,
            wipe_requested=bearing and answers.wipe_requested,
            declared_at=now,
            updated_at=now,
        )
        # Nobody declared it: its owner hears of its receipt, the step that follows.
        _add_step(device_return, WALK_IN, agent, now, status="declared", announce=False)
        try:
            with savepoint():  # the unique tag and receipt number decide, as for a declaration
                db.session.add(device_return)
        except IntegrityError:
            if (earlier := already_recorded(agent, form_token, point, answers)) is not None:
                return earlier, False
            if key and (
                taken := db.session.scalar(
                    select(DeviceReturn).where(DeviceReturn.asset_tag_key == key)
                )
            ):
                raise _tag_refusal(agent, taken) from None
            continue  # a receipt-number collision, or the form's answers changed
        _add_step(device_return, "received", agent, now)
        db.session.flush()
        record_audit(agent, "receive", "device_return", number, now, WALK_IN)
        app = current_app._get_current_object()
        if owner is not None:
            device_returned.send(app, device_return=device_return, user=owner, now=now, count_in=())
        device_return_received.send(app, device_return=device_return, agent=agent, now=now)
        return device_return, True
    raise ReturnError(_l("Please try again."))  # pragma: no cover - three collisions in a row


def tag_to_offer(typed: str | None) -> str | None:
    """What the desk's search found nowhere, as the walk-in form's asset tag (stripped),
    when it can be one: a valid asset tag (the form's rule, `normalise_asset_tag` giving
    its key), not a receipt number written with its prefix (« RC-7K3M-9QXD »: a receipt
    mistyped or of another portal, no device's label). None otherwise."""
    text = (typed or "").strip()
    key = normalise_asset_tag(text)
    if key is None or len(text) > ASSET_TAG_LENGTH or not re.fullmatch(ASSET_TAG, text):
        return None
    if key.startswith("RC") and receipt_number_from(text) is not None:
        return None
    return text


# The desk's answer when the tag typed, found at none of the agent's points, is held by a
# live return elsewhere: the walk-in form would refuse it (`tag_problem`), and says no more.
TAG_RECORDED = _l("This asset tag is already recorded, for a device returned by someone else.")


def desk_offer(agent: User, typed: str | None) -> tuple[str | None, ReturnError | None]:
    """What the desk's search, finding nothing at the agent's points, offers: (the tag for
    the walk-in form, None) when the form would accept it (`tag_to_offer`, `tag_problem`);
    (None, the form's refusal) when a live return holds the tag; (None, None) otherwise."""
    tag = tag_to_offer(typed)
    refusal = tag_problem(agent, tag) if tag is not None else None
    return (None, refusal) if refusal is not None else (tag, None)


def audit_walk_in(summary: str) -> str | None:
    """A walk-in's receipt ("receive" events storing WALK_IN) in the reader's words; None
    for anything else."""
    return _("Brought without a declaration") if summary == WALK_IN else None


def audit_walk_in_withdrawn(summary: str) -> str | None:
    """A walk-in's receipt undone, which withdrew it ("cancel" events storing
    `walk_in_withdrawn: <reason>`, `services.undo_receipt`), in the reader's words; None
    for anything else."""
    prefix = f"{WALK_IN_WITHDRAWN}: "
    if not summary.startswith(prefix):
        return None
    return _(
        "Receipt undone and record withdrawn (brought without a declaration): %(reason)s",
        reason=summary[len(prefix) :],
    )


def _of_returns(condition):
    return and_(AuditEvent.object_type == "device_return", condition)


# The log's "Containing" search finds walk-ins by the words it shows them with
# (`audit_walk_in`: « Apporté sans déclaration »; `audit_walk_in_withdrawn`: « Réception
# annulée et enregistrement retiré »), each (action, sample summary, the events storing one).
AUDIT_SEARCHED = (
    ("receive", WALK_IN, _of_returns(AuditEvent.summary == WALK_IN)),
    (
        "cancel",
        f"{WALK_IN_WITHDRAWN}: ",  # worded without its reason
        _of_returns(AuditEvent.summary.startswith(f"{WALK_IN_WITHDRAWN}: ", autoescape=True)),
    ),
)
