"""Reads of the recycling domain: points by distance, returns by viewer, statistics."""

import functools
import math
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    bindparam,
    case,
    func,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.orm import selectinload

from app.auth.models import User, UserRole
from app.core import cache
from app.core.devices import DEVICE_TYPES
from app.core.i18n import alphabetical
from app.core.time import local_iso, local_zone, utcnow
from app.core.types import UTCDateTime
from app.core.urls import MAX_ID, within_pages
from app.extensions import db
from app.recycling import hours
from app.recycling.forms import (
    WALK_IN_WITHDRAWN_LABEL,
    condition_choices,
    step_choices,
    wipe_method_choices,
    wipe_status_choices,
)
from app.recycling.models import (
    CORRECTION,
    EVERY_STATUS,
    LEAVES_THE_ADMINISTRATION,
    NEVER_HANDED_IN,
    OPEN_STATUSES,
    OUTCOMES,
    OWNER_STEPS,
    REUSE_OUTCOMES,
    SIGNED_CHAIN,
    STATUSES,
    WALK_IN,
    WITHDRAWN,
    CollectionPoint,
    CustodyStep,
    DeviceReturn,
    PointAgent,
    accepted_in_order,
)
from app.recycling.services import RECEIPT_ALPHABET, normalise_asset_tag

# Typical mass of one device, to estimate kilograms of e-waste collected.
TYPICAL_WEIGHT_KG = {
    "laptop": 2.0,
    "desktop": 7.5,
    "monitor": 4.5,
    "smartphone": 0.18,
    "tablet": 0.5,
    "printer": 9.0,
    "accessory": 0.4,
}
# Shown in the reader's language on the statistics page, in English in the open data.
WEIGHT_SOURCE = _l(
    "Typical masses of current business models from manufacturers' product data sheets "
    "(Empreinte estimate, ±30%)"
)
EMBODIED_SOURCE = _l("Boavizta / ADEME Base Impacts–NegaOctet reference data (catalogue)")
EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def list_points(active_only: bool = True) -> list[CollectionPoint]:
    """Collection points by commune name (active ones only unless asked)."""
    query = select(CollectionPoint)  # its commune comes joined (the sort reads its name)
    if active_only:
        query = query.where(CollectionPoint.active.is_(True))
    else:  # the admin list: each point's agents, loaded with the points, not a query each
        query = query.options(  # (their roles come with them: User.role_rows is selectin)
            selectinload(CollectionPoint.agent_rows).selectinload(PointAgent.user)
        )
    return _by_commune(db.session.scalars(query))


def list_staff_points() -> list[CollectionPoint]:
    """The staff's list: every point, the temporarily closed ones included (people look
    for their usual point, and read there why it is closed), by commune name."""
    return _by_commune(db.session.scalars(select(CollectionPoint)))


def opening_hours_in_use() -> set[str]:
    """The opening hours of every point (the closed ones too: the staff's list shows their
    hours' state)."""
    return set(db.session.scalars(select(CollectionPoint.opening_hours).distinct()))


def _by_commune(points) -> list[CollectionPoint]:
    return sorted(points, key=lambda p: (alphabetical(p.commune.name), alphabetical(p.name)))


def working_agents(point: CollectionPoint) -> list[User]:
    """The point's agents who can still handle its returns: active, and still agents.

    An admin may revoke the role or deactivate the person while the assignment stays:
    such an agent no longer sees the desk, so the point waits for nobody. The role itself,
    as `open_points_only_staffed_by` asks: the point form offers only agents."""
    return [
        row.user for row in point.agent_rows if row.user.is_active and "agent" in row.user.roles
    ]


def list_point_labels(point_ids: list[int]) -> list[str]:
    """The points `point_ids`, each named with its commune (`CollectionPoint.label`), in
    alphabetical order: the agent's points, as their statistics page names them."""
    if not point_ids:
        return []
    query = select(CollectionPoint).where(CollectionPoint.id.in_(point_ids))
    return sorted((p.label for p in db.session.scalars(query)), key=alphabetical)


def list_points_of(point_ids: list[int]) -> list[CollectionPoint]:
    """The agent's points (`agent_point_ids`), open or closed, by name and commune: the
    desk links to each one's poster."""
    if not point_ids:
        return []
    query = select(CollectionPoint).where(CollectionPoint.id.in_(point_ids))
    return sorted(db.session.scalars(query), key=lambda p: alphabetical(p.label))


def list_closed_points(point_ids: list[int] | None) -> list[CollectionPoint]:
    """The temporarily closed points among the agent's (`agent_point_ids`: None for
    every point), by name and commune: the desk says so, with the admin's note."""
    if point_ids == []:
        return []
    query = select(CollectionPoint).where(CollectionPoint.active.is_(False))
    if point_ids is not None:
        query = query.where(CollectionPoint.id.in_(point_ids))
    return sorted(db.session.scalars(query), key=lambda p: alphabetical(p.label))


def sort_by_distance(
    points: list[CollectionPoint], latitude: float, longitude: float
) -> list[tuple[CollectionPoint, float]]:
    """Points with their distance from (latitude, longitude), nearest first."""
    pairs = [(p, haversine_km(latitude, longitude, p.latitude, p.longitude)) for p in points]
    return sorted(pairs, key=lambda pair: (pair[1], pair[0].id))


def nearest_open_point(
    point: CollectionPoint, device_type: str | None = None, open_points=None
) -> CollectionPoint | None:
    """The open point nearest to `point` (a closed one: where its people go instead), that
    takes `device_type` when one is given; None when no other open point does.

    `open_points`: `list_points()`, read once by a caller asking for several types."""
    candidates = [
        other
        for other in (list_points() if open_points is None else open_points)
        if other.id != point.id
        and (device_type is None or device_type in other.accepted_device_types)
    ]
    pairs = sort_by_distance(candidates, point.latitude, point.longitude)
    return pairs[0][0] if pairs else None


def open_point_instead(point: CollectionPoint | None, device_type: str | None = None):
    """The open point a form sent to `point`, closed meanwhile, is offered instead: the
    nearest to it that takes `device_type`, else the nearest (None: `point` is open or
    unknown, or no other point is open)."""
    if point is None or point.active:
        return None
    open_points = list_points()
    return nearest_open_point(point, device_type, open_points) or nearest_open_point(
        point, None, open_points
    )


class CommuneCentre(NamedTuple):
    name: str
    latitude: float
    longitude: float


def work_commune(user: User) -> CommuneCentre | None:
    """The user's work commune (their own, else their department's): name and centre.

    The same for everyone of a commune until a place changes: kept per process, so that
    the collection points page loads neither the commune nor the department."""

    def read() -> CommuneCentre | None:
        commune = user.commune or (user.department.commune if user.department else None)
        return CommuneCentre(commune.name, commune.latitude, commune.longitude) if commune else None

    key = (user.commune_id, None if user.commune_id else user.department_id)
    return cache.value("recycling.work_commune", key, ("people",), read)


def origin_for(user: User) -> tuple[float, float] | None:
    """The centre of the user's work commune, the default origin of 'nearest to me'."""
    commune = work_commune(user)
    return (commune.latitude, commune.longitude) if commune else None


def nearest_point_id(user: User) -> int | None:
    """The id of the active point nearest to the user's work commune."""

    def nearest_id():
        origin = origin_for(user)
        points = list_points() if origin else []
        return sort_by_distance(points, *origin)[0][0].id if points else 0

    # The same answer for everyone of a commune until a point or a place changes (home,
    # return form). Keyed by the person's ids: finding their commune's centre loaded
    # the commune (and the department) at every request.
    key = (user.commune_id, None if user.commune_id else user.department_id)
    return cache.value("recycling.nearest", key, ("points", "people"), nearest_id) or None


class PointHead(NamedTuple):
    """What the dashboard and the return form show of a point: seven of its columns."""

    id: int
    name: str
    address: str
    active: bool
    opening_hours: str
    accepted_types: str
    closure_note: str

    @property
    def accepted_device_types(self) -> list[str]:
        return accepted_in_order(self.accepted_types)


def point_head(point_id: int | None, active_only: bool = False) -> PointHead | None:
    """A point's head, kept until a point changes; None when there is no such point."""
    if point_id is None or not 1 <= point_id <= MAX_ID:
        return None  # a number no id can hold (a typed or fuzzed value) is no point

    head = cache.row_head(CollectionPoint, point_id, PointHead)
    return None if head is None or (active_only and not head.active) else head


def nearest_point(user: User) -> PointHead | None:
    """The active point nearest to the user's work commune."""
    return point_head(nearest_point_id(user))


def get_point(point_id: int | None, active_only: bool = False) -> CollectionPoint | None:
    if point_id is None or not 1 <= point_id <= MAX_ID:
        return None  # a number no id can hold (a typed or fuzzed value) is no point
    point = db.session.get(CollectionPoint, point_id)
    if point is None or (active_only and not point.active):
        return None
    return point


def point_json(point: CollectionPoint, now: datetime) -> dict:
    """The API representation of a collection point."""
    return {
        "id": point.id,
        "name": point.name,
        "commune": point.commune.name,
        "insee_code": point.commune.insee_code,
        "latitude": point.latitude,
        "longitude": point.longitude,
        "address": point.address,
        "opening_hours": point.opening_hours,
        "open_now": hours.is_open(point.opening_hours, now),
        "accepted_device_types": point.accepted_device_types,
    }


def agent_point_ids(user: User) -> list[int] | None:
    """Ids of the points the agent handles; None means every point (admins)."""
    if user.has_role("admin"):
        return None
    return list(
        db.session.scalars(select(PointAgent.point_id).where(PointAgent.user_id == user.id))
    )


def open_points_only_staffed_by(user_id: int) -> list:
    """The open points this person is the only agent of, by name: no one else assigned
    there holds the agent role on an active account, so nobody would handle returns
    there without them."""
    other = (
        select(PointAgent.id)
        .join(User, User.id == PointAgent.user_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            PointAgent.point_id == CollectionPoint.id,
            PointAgent.user_id != user_id,
            UserRole.role == "agent",
            User.active.is_(True),
            User.anonymised_at.is_(None),
        )
    )
    points = db.session.scalars(
        select(CollectionPoint)
        .join(PointAgent, PointAgent.point_id == CollectionPoint.id)
        .where(
            PointAgent.user_id == user_id,
            CollectionPoint.active.is_(True),
            ~other.exists(),
        )
    ).all()
    return sorted(points, key=lambda point: alphabetical(point.name))


def list_admin_contacts(limit: int = 3) -> list[tuple[str, str]]:
    """Names and e-mail addresses of a few active administrators, by name: whom an agent
    assigned to no point asks to be added to one."""
    rows = db.session.execute(
        select(User.display_name, User.email)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "admin", User.active.is_(True), User.anonymised_at.is_(None))
    ).all()
    admins = sorted((tuple(row) for row in rows), key=lambda admin: alphabetical(admin[0]))
    return admins[:limit]


def _return_by_receipt(receipt_number: str) -> DeviceReturn | None:
    """The return of a receipt number, however its case and spaces were typed."""
    return db.session.scalar(
        select(DeviceReturn).where(DeviceReturn.receipt_number == receipt_number.strip().upper())
    )


def get_return_for_viewer(receipt_number: str, user: User) -> DeviceReturn | None:
    """The return if `user` owns it, handles its point, or is an admin; else None (404)."""
    device_return = _return_by_receipt(receipt_number)
    if device_return is None:
        return None
    if device_return.user_id == user.id or user.has_role("admin"):
        return device_return
    if user.has_role("agent") and device_return.point_id in (agent_point_ids(user) or []):
        return device_return
    return None


def get_return_for_agent(
    receipt_number: str, user: User, point_ids: list[int] | None
) -> DeviceReturn | None:
    """The return if `user` is an agent of its point (or an admin).

    `point_ids`: `agent_point_ids(user)`, which the caller asks once and passes to every
    read of the request (the desk lists, finds and links with the same ids)."""
    if not user.has_role("agent"):
        return None
    device_return = _return_by_receipt(receipt_number)
    if device_return is None:
        return None
    return device_return if point_ids is None or device_return.point_id in point_ids else None


RECEIPT_BODY = re.compile(f"[{RECEIPT_ALPHABET}]{{8}}")

# The portal's addresses of one return: the owner's receipt (and its status part), the
# desk's page of it (and its steps), whatever PUBLIC_BASE_URL they were made with.
RETURN_ADDRESS = re.compile(r"/recycling/(?:agent/)?returns/([^/?#\s]+)", re.IGNORECASE)
# What the desk reads of a search: a portal's address is a few hundred characters at
# most; a receipt number or an asset tag, 64.
DESK_SEARCH_LENGTH = 2048
DESK_TERM_LENGTH = 64


def desk_search_term(typed: str | None) -> str:
    """What the desk looks for in what was typed or scanned: the receipt number of a
    portal's return address (a handheld scanner types the whole content of a receipt's
    QR code, `PUBLIC_BASE_URL/recycling/agent/returns/RC-…`, then Enter), else the text
    itself, cut to a receipt number's or an asset tag's length."""
    text = (typed or "")[:DESK_SEARCH_LENGTH].strip()
    if (address := RETURN_ADDRESS.search(text)) and (
        number := receipt_number_from(address.group(1))
    ):
        return number
    return text[:DESK_TERM_LENGTH].strip()


def receipt_number_from(typed: str | None) -> str | None:
    """The receipt number someone typed loosely ('rc 7k3m 9qxd', '7K3M9QXD'), written as
    it is stored ('RC-7K3M-9QXD'); None when it cannot be one.

    Without its prefix a number is still unambiguous: every receipt has eight characters
    after 'RC'."""
    compact = re.sub(r"[^0-9A-Z]", "", (typed or "")[:64].upper())
    if len(compact) == 10 and compact.startswith("RC"):
        compact = compact[2:]
    if not RECEIPT_BODY.fullmatch(compact):
        return None
    return f"RC-{compact[:4]}-{compact[4:]}"


def find_return_for_agent(
    typed: str | None, user: User, point_ids: list[int] | None
) -> DeviceReturn | None:
    """The return whose receipt number was typed at the desk, if the agent may handle it
    (`point_ids` as for `get_return_for_agent`)."""
    receipt_number = receipt_number_from(typed)
    return get_return_for_agent(receipt_number, user, point_ids) if receipt_number else None


def _stored_tag_key() -> ColumnElement:
    """A return's stored asset tag written as `services.normalise_asset_tag` writes it: a
    withdrawn return's tag is no longer in `asset_tag_key` (freed for a new declaration),
    only in `asset_tag`."""
    tag = DeviceReturn.asset_tag
    for mark in (" ", "-", "_", "."):
        tag = func.replace(tag, mark, "")
    return func.upper(tag)


def list_returns_by_tag(
    typed: str | None, user: User, point_ids: list[int] | None, limit: int = 20
) -> list[DeviceReturn]:
    """The returns at the agent's points (`point_ids` as for `get_return_for_agent`) whose
    asset tag was typed at the desk, however spelt: a person who brings the device without
    the receipt. The one still waiting for a step first, then the newest."""
    key = normalise_asset_tag((typed or "").strip()[:64])
    if key is None or point_ids == [] or not user.has_role("agent"):
        return []
    query = select(DeviceReturn).where(
        (DeviceReturn.asset_tag_key == key) | (_stored_tag_key() == key)
    )
    if point_ids is not None:
        query = query.where(DeviceReturn.point_id.in_(point_ids))
    waiting_first = case((DeviceReturn.status.in_(OPEN_STATUSES), 0), else_=1)
    order = (waiting_first, DeviceReturn.declared_at.desc(), DeviceReturn.id.desc())
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def find_returns_for_agent(
    typed: str | None, user: User, point_ids: list[int] | None
) -> list[DeviceReturn]:
    """What the desk's search names: the return of the receipt number typed, else those
    carrying the asset tag typed (`list_returns_by_tag`), at the agent's points."""
    found = find_return_for_agent(typed, user, point_ids)
    return [found] if found is not None else list_returns_by_tag(typed, user, point_ids)


def declared_at_another_point(typed: str | None, user: User, point_ids: list[int] | None) -> bool:
    """Whether what an agent typed at the desk, found at none of their points, is the full
    receipt number of a declaration still waiting at another point: a device brought to
    the wrong point, not a typo. That one fact only: nothing of the declaration, its owner
    or its point reaches the desk. An admin (`point_ids` None) finds every point's; an
    agent of no point has no "here" to declare it again at.

    Never for an asset tag: tags are printed on devices and run in sequence, so any agent
    could type a colleague's and learn that their device is declared somewhere. A receipt
    number is only known from its owner's receipt (40 random bits, `new_receipt_number`),
    so this unlimited read (a GET, no WRITE_RATE_LIMIT) cannot be used to guess one."""
    if not point_ids or not user.has_role("agent"):
        return False
    receipt_number = receipt_number_from(typed)
    if receipt_number is None:
        return False
    query = select(DeviceReturn.id).where(
        DeviceReturn.receipt_number == receipt_number,
        DeviceReturn.status == "declared",  # withdrawable: no agent received it anywhere
        DeviceReturn.point_id.not_in(point_ids),
    )
    return db.session.scalar(query.limit(1)) is not None


def return_to_open(found: list[DeviceReturn]) -> DeviceReturn | None:
    """The one return the desk opens among those its search found: the only one, or the
    only one still waiting for a step (a tag declared again after a withdrawal); None
    when the agent must choose (the desk lists them) or nothing was found."""
    waiting = [r for r in found if r.status in OPEN_STATUSES]
    if len(found) == 1:
        return found[0]
    return waiting[0] if len(waiting) == 1 else None


# The agents' filter of declarations left waiting: as long as their owners are given
# before a reminder (RECYCLING_REMINDER_DAYS), at least a week.
LONG_WAITING = "waiting"


def long_waiting_days() -> int:
    return max(current_app.config["RECYCLING_REMINDER_DAYS"], 7)


# The agents' filter of devices received long ago and still at the point (received or
# wiped, not handed over yet): a month, after which a device on a shelf is forgotten.
LONG_KEPT = "kept"
LONG_KEPT_DAYS = 30

# The desk's views of work to do: an agent's own returns are not theirs to handle.
WORK_VIEWS = ("todo", LONG_WAITING, LONG_KEPT)


def _last_received_at():
    """When a return was (last) received, in SQL: a receipt undone and made again counts
    from the second."""
    return (
        select(func.max(CustodyStep.at))
        .where(CustodyStep.return_id == DeviceReturn.id, CustodyStep.step == "received")
        .scalar_subquery()
    )


def received_at(device_return: DeviceReturn) -> datetime | None:
    """When the device was (last) received at its point, read from its steps."""
    return max((s.at for s in device_return.steps if s.step == "received"), default=None)


def days_at_point(device_return: DeviceReturn, now: datetime) -> int | None:
    """Whole days (the portal's calendar days) the device has been at its point since it
    was received, while it waits there for its wipe or outcome; None otherwise."""
    if device_return.status not in ("received", "wiped"):
        return None
    received = received_at(device_return)
    if received is None:
        return None
    zone = local_zone()
    return (now.astimezone(zone).date() - received.astimezone(zone).date()).days


def _at_agents_points(query, point_ids: list[int] | None, status: str, agent_id: int | None):
    """`query` kept to the agent's points (`agent_point_ids`: None for every point) and
    to the returns still to handle (`status` "todo"), declared long ago and still not
    received ("waiting"), of one status, or all of them ("all").

    The views of work (WORK_VIEWS) leave out the returns `agent_id` declared: nobody signs
    the steps of their own device (`services._not_their_own`), so counting them would
    keep "Nothing left to handle" from ever being said."""
    if point_ids is not None:
        query = query.where(DeviceReturn.point_id.in_(point_ids))
    if status in WORK_VIEWS and agent_id is not None:
        # Distinct from, not "!=": a return whose owner was erased (no owner) is work too.
        query = query.where(DeviceReturn.user_id.is_distinct_from(agent_id))
    if status == "todo":
        return query.where(DeviceReturn.status.in_(OPEN_STATUSES))
    if status == LONG_WAITING:
        since = utcnow() - timedelta(days=long_waiting_days())
        return query.where(DeviceReturn.status == "declared", DeviceReturn.declared_at <= since)
    if status == LONG_KEPT:
        since = utcnow() - timedelta(days=LONG_KEPT_DAYS)
        return query.where(
            DeviceReturn.status.in_(("received", "wiped")), _last_received_at() <= since
        )
    if status in EVERY_STATUS:
        return query.where(DeviceReturn.status == status)
    return query


# The views of the agents' desk (`?status=`): a value sent back by its forms is one of these.
DESK_VIEWS = ("todo", LONG_WAITING, LONG_KEPT, "all", *EVERY_STATUS)


def count_agent_returns(
    point_ids: list[int] | None, status: str = "todo", agent_id: int | None = None
) -> int:
    """How many returns one view of the desk lists (`_at_agents_points`, for the agent
    `agent_id`): the count the desk shows, again after a receipt moved a return out of
    that view."""
    count = select(func.count(DeviceReturn.id))
    return db.session.scalar(_at_agents_points(count, point_ids, status, agent_id))


def returns_to_handle_count(point_ids: list[int] | None, agent_id: int) -> int:
    """Returns at the agent's points (`agent_point_ids`) still waiting for a step, but
    their own: the home page counts what the desk's "To handle" lists."""
    return count_agent_returns(point_ids, "todo", agent_id)


def list_declared_today(
    point_ids: list[int] | None, agent_id: int, now: datetime, limit: int = 20
) -> list[DeviceReturn]:
    """The declarations made today (the portal's day) at the agent's points
    (`agent_point_ids`, or the one point the desk stands at) and not received yet, the
    newest first, but the agent's own: whoever just declared at the desk is among the
    first, where "To handle" lists the longest waiting first."""
    if point_ids == []:
        return []
    local = now.astimezone(local_zone())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)
    query = select(DeviceReturn).where(
        DeviceReturn.status == "declared",
        DeviceReturn.declared_at >= midnight,
        DeviceReturn.user_id.is_distinct_from(agent_id),
    )
    if point_ids is not None:
        query = query.where(DeviceReturn.point_id.in_(point_ids))
    order = (DeviceReturn.declared_at.desc(), DeviceReturn.id.desc())
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def list_own_open_returns(point_ids: list[int] | None, agent_id: int, limit: int = 50):
    """The returns the agent declared themselves at their points (`agent_point_ids`) and
    still waiting for a step, oldest first: left out of their work (`WORK_VIEWS`), the
    desk lists them apart, for another agent to receive."""
    if point_ids == []:
        return []
    query = select(DeviceReturn).where(
        DeviceReturn.user_id == agent_id, DeviceReturn.status.in_(OPEN_STATUSES)
    )
    if point_ids is not None:
        query = query.where(DeviceReturn.point_id.in_(point_ids))
    order = (DeviceReturn.declared_at.asc(), DeviceReturn.id.asc())
    return db.session.scalars(query.order_by(*order).limit(limit)).all()


# The views of returns still waiting for a step: the longest waiting come first.
OLDEST_FIRST = ("todo", LONG_WAITING, LONG_KEPT, *OPEN_STATUSES)


def list_agent_returns(
    point_ids: list[int] | None, status: str, page: int, agent_id: int, per_page: int = 25
):
    """The returns of the agent's points (`agent_point_ids`; see `_at_agents_points`, for
    the agent `agent_id`):
    those still waiting oldest first, so the first page holds who waited longest; the
    others (all, finished, withdrawn) newest first. Those received long ago (LONG_KEPT)
    by the day of their receipt, as the view counts them: the longest at the point first,
    whenever they were declared."""
    if status == LONG_KEPT:
        order = (_last_received_at().asc(), DeviceReturn.id.asc())
    elif status in OLDEST_FIRST:
        order = (DeviceReturn.declared_at.asc(), DeviceReturn.id.asc())
    else:
        order = (DeviceReturn.declared_at.desc(), DeviceReturn.id.desc())
    # Its steps with it: each row says whether it was brought without a declaration
    # (`DeviceReturn.walked_in`), without a query per row.
    rows = select(DeviceReturn).options(selectinload(DeviceReturn.steps)).order_by(*order)
    query = _at_agents_points(rows, point_ids, status, agent_id)

    def fetch(number: int):
        pagination = db.paginate(query, page=number, per_page=per_page, error_out=False)
        return pagination, pagination.total

    # A page past the end (an old link, a view that shrank) shows the last page, and an
    # empty view its first: never "page 40 of 18" over an empty table.
    pagination, _total, shown, _pages = within_pages(fetch, page, per_page)
    # The rows are the page shown's; the paginator of an empty view is asked again for
    # its first page, which it names and links from.
    return pagination if pagination.page == shown else fetch(shown)[0]


def desk_row_at(rows, device_return, status: str):
    """Where `device_return` stands on a page of the desk's view `status` (rows as
    `list_agent_returns` gives them): its own row, or, once it left the view (a receipt
    in "Declared"), the row that took its place; None past the page's last row."""
    stood = (device_return.declared_at, device_return.id)
    for row in rows:
        here = (row.declared_at, row.id)
        if here == stood or (here > stood if status in OLDEST_FIRST else here < stood):
            return row
    return None


def _opens_on_walk_in():
    """Whether a return's chain of custody opens on WALK_IN (`DeviceReturn.walked_in`), in
    SQL: its first step is its walk-in (no other step comes before it)."""
    first = (
        select(CustodyStep.step)
        .where(CustodyStep.return_id == DeviceReturn.id)
        .order_by(CustodyStep.id)
        .limit(1)
        .scalar_subquery()
    )
    return first == WALK_IN


@functools.cache
def _my_returns_statement():
    """Built once (user, limit and offset bound): the points page, the list of all one's
    returns and the dashboard ask for it.

    The columns those lists show, not the returns with their point and commune (about
    30 columns and three objects a row), and how many returns the person has in all (a
    window over the same rows: no second query).
    """
    return (
        select(
            DeviceReturn.receipt_number,
            DeviceReturn.declared_at,
            DeviceReturn.status,
            CollectionPoint.name.label("point_name"),
            # Three returns of one day at one point are told apart by what they are.
            DeviceReturn.device_type,
            DeviceReturn.asset_tag,
            func.count().over().label("total"),
            # A withdrawn walk-in was withdrawn by an agent, not "by you" (asked of the
            # withdrawn ones only: the others' steps are never read).
            case((DeviceReturn.status == WITHDRAWN, _opens_on_walk_in()), else_=False).label(
                "walked_in"
            ),
        )
        .join(CollectionPoint, CollectionPoint.id == DeviceReturn.point_id)
        .where(DeviceReturn.user_id == bindparam("user_id"))
        .order_by(DeviceReturn.declared_at.desc(), DeviceReturn.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def list_my_returns(user: User, limit: int = 5, offset: int = 0) -> list:
    """The user's returns, newest first: rows of receipt_number, declared_at, status,
    point_name, device_type, asset_tag, total (how many they have in all) and walked_in
    (a withdrawn walk-in, `recycling_status` names it so)."""
    # Plain rows through the connection: the ORM's execution (no object to load here)
    # cost as much again as the statement itself.
    db.session.flush()
    connection = db.session.connection()
    values = {"user_id": user.id, "limit": limit, "offset": offset}
    return connection.execute(_my_returns_statement(), values).all()


MY_RETURNS_PER_PAGE = 20


def my_returns_page(user: User, page: int, per_page: int = MY_RETURNS_PER_PAGE):
    """One page of all the user's returns, newest first (only theirs): rows as
    `list_my_returns`, the total, the page shown and the page count."""

    def fetch(number: int):
        rows = list_my_returns(user, per_page, (number - 1) * per_page)
        if rows or number == 1:
            return rows, rows[0].total if rows else 0
        # Past the end (an old link): the total says which page is the last.
        count = select(func.count(DeviceReturn.id)).where(DeviceReturn.user_id == user.id)
        return rows, db.session.scalar(count)

    return within_pages(fetch, page, per_page)


def _month_expression(now: datetime) -> ColumnElement | None:
    """The month each device was declared, as people there read it: in the portal's zone
    (Europe/Paris), so that one declared on 1 June at 00:30 counts in June, not in May as
    in UTC. None when nothing was declared.

    Neither database is asked to convert: SQLite knows no zone. The months run from the
    first declaration's to this one (`now`), or to the last declaration's if later."""
    first, last = db.session.execute(
        select(func.min(DeviceReturn.declared_at), func.max(DeviceReturn.declared_at))
    ).one()
    if first is None:  # no declaration: no month
        return None
    return months_of_declarations(first, max(last, now))


def months_of_declarations(first: datetime, last: datetime) -> ColumnElement:
    """The month of each declaration, from `first`'s month to `last`'s: each month starts
    at a local midnight, an instant, and a declaration is in the month whose start it
    follows and whose end it precedes.

    A declaration committed after `first` and `last` were read, later than `last`, is in
    no month of these: it counts in the month after `last`'s, its own unless the read was
    more than a month old, rather than in none (a NULL month the tables cannot sort)."""
    return _months_of(DeviceReturn.declared_at, first, last)


def _months_of(moment: ColumnElement, first: datetime, last: datetime) -> ColumnElement:
    """The month of `moment` (a column of instants) in the portal's zone, for the instants
    from `first`'s month to `last`'s (a later one: the month after `last`'s), as
    `_local_month` says it: each month starts at a local midnight."""
    zone = local_zone()
    month = first.astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month = month.replace(tzinfo=None)
    end = last.astimezone(zone).replace(tzinfo=None)
    whens = []
    while month <= end:
        following = (month + timedelta(days=32)).replace(day=1)
        # Local midnight of the next month's first day, whatever its offset from UTC.
        whens.append((moment < following.replace(tzinfo=zone), f"{month:%Y-%m}"))
        month = following
    return case(*whens, else_=f"{month:%Y-%m}")


# The first year the statistics may be limited to: a year before it is refused as mistyped.
FIRST_STATISTICS_YEAR = 2000


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of the calendar `year` and of the next, in the portal's zone
    (Europe/Paris): a device declared on 1 January at 00:30 there is in the new year."""
    zone = local_zone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _declared_in(query, year: int | None):
    """`query` limited to the declarations of the calendar `year` (None: every year)."""
    if year is None:
        return query
    start, end = year_bounds(year)
    return query.where(DeviceReturn.declared_at >= start, DeviceReturn.declared_at < end)


def statistics_years(now: datetime) -> list[int]:
    """The years the statistics pages offer, newest first: from the first declaration's
    (in the portal's zone) to this one's."""
    first = db.session.scalar(select(func.min(DeviceReturn.declared_at)))
    this_year = now.astimezone(local_zone()).year
    start = first.astimezone(local_zone()).year if first else this_year
    return list(range(this_year, max(min(start, this_year), FIRST_STATISTICS_YEAR) - 1, -1))


def _grouped_returns(
    point_ids: list[int] | None = None, year: int | None = None
) -> tuple[list[dict], dict[int, CollectionPoint]]:
    """The open-data table (`grouped_returns`) and the points it names, by id; only the
    returns of the points `point_ids` unless None (`agent_point_ids`: every point), and
    of the calendar `year` unless None."""
    from app.catalogue.queries import reference_embodied_by_device_type

    points = {p.id: p for p in db.session.scalars(select(CollectionPoint))}
    month = _month_expression(utcnow())
    if month is None or point_ids == []:  # nothing declared yet, or no point to count
        return [], points
    embodied = reference_embodied_by_device_type()
    return returns_by_month(month, points, embodied, point_ids, year), points


def _avoided(device_type: str, status: str, count: int, stored: float | None, unset: int,
             embodied: dict[str, float]) -> float:  # fmt: skip
    """The footprint `count` devices of a type and status avoided: the figures stored with
    their outcomes (`stored`, their sum), and today's (`embodied`) for the `unset` ones
    given theirs outside the portal's services (none since the column came)."""
    if status not in REUSE_OUTCOMES:
        return 0.0
    return (stored or 0.0) + embodied.get(device_type, 0.0) * unset


# What became of a device's data, as the statistics count it (`wipe_status`): a
# certified wipe an agent recorded, the owner's word only that they wiped it, a certified
# wipe requested and not recorded yet, or neither (a device holding no data).
WIPE_CATEGORIES = ("done", "owner_attested", "requested", "no_data")
# Days after its receipt from which a certified wipe still not recorded is overdue.
WIPE_OVERDUE_DAYS = 30


def _wipe_category(wiped: bool, requested: bool, owner_wiped: bool) -> str:
    """A device's WIPE_CATEGORIES key: the recorded wipe first, then a request standing,
    then the owner's attestation."""
    if wiped:
        return "done"
    if requested:
        return "requested"
    return "owner_attested" if owner_wiped else "no_data"


def device_wipe_category(device_return: DeviceReturn) -> str:
    """One device's WIPE_CATEGORIES key, as the statistics count it (`wipe_status`)."""
    wiped = any(step.step == "wiped" for step in device_return.steps)
    return _wipe_category(wiped, device_return.wipe_requested, device_return.data_wiped)


def list_devices_at_points(point_ids: list[int] | None) -> list[DeviceReturn]:
    """The devices an agent received that are still at the points `point_ids` (None:
    every point), waiting for their wipe or outcome (received or wiped), by point, then
    the longest there first: the desk's download."""
    if point_ids == []:
        return []
    query = (
        select(DeviceReturn)
        .where(DeviceReturn.status.in_(("received", "wiped")))
        .options(selectinload(DeviceReturn.steps))
        .order_by(DeviceReturn.point_id, DeviceReturn.id)
    )
    if point_ids is not None:
        query = query.where(DeviceReturn.point_id.in_(point_ids))
    returns = list(db.session.scalars(query))
    return sorted(
        returns, key=lambda r: (alphabetical(r.point.label), received_at(r) or r.declared_at)
    )


def _local_month(moment: datetime | None) -> str | None:
    """`moment`'s month in the portal's zone (`2026-06`), None for no moment."""
    return None if moment is None else f"{moment.astimezone(local_zone()):%Y-%m}"


def _step_time(*steps: str) -> ColumnElement:
    """The latest time a return's chain recorded one of `steps` (None if it did not)."""
    return type_coerce(
        select(func.max(CustodyStep.at))
        .where(CustodyStep.return_id == DeviceReturn.id, CustodyStep.step.in_(steps))
        .correlate(DeviceReturn)
        .scalar_subquery(),
        UTCDateTime(),
    )


def _device_facts(month: ColumnElement, point_ids: list[int] | None, year: int | None):
    """One row per device handed in (none withdrawn or closed unbrought) of the points
    `point_ids` unless None, declared in the calendar `year` unless None: its month of
    declaration (`month`), point, type, status, stored footprint, data answers, when an
    agent last received it and handed it over outside the administration, and whether a
    certified wipe was recorded."""
    wiped = (
        select(CustodyStep.id)
        .where(CustodyStep.return_id == DeviceReturn.id, CustodyStep.step == "wiped")
        .correlate(DeviceReturn)
        .exists()
    )
    query = select(
        month.label("month"),
        DeviceReturn.point_id,
        DeviceReturn.device_type,
        DeviceReturn.status,
        DeviceReturn.embodied_kgco2e,
        DeviceReturn.wipe_requested,
        DeviceReturn.data_wiped,
        _step_time("received").label("received_at"),
        _step_time(*LEAVES_THE_ADMINISTRATION).label("handed_over_at"),
        wiped.label("wiped"),
    ).where(DeviceReturn.status.not_in(NEVER_HANDED_IN))
    if point_ids is not None:
        query = query.where(DeviceReturn.point_id.in_(point_ids))
    return db.session.execute(_declared_in(query, year)).all()


# What the open-data table's rows are grouped by, in its order (`returns_by_month`).
GROUPED_BY = (
    "month", "received_month", "handover_month", "point_id", "device_type", "status", "wipe",
)  # fmt: skip


def _handed_in_facts(month: ColumnElement):
    """One row per device handed in (none withdrawn or closed unbrought), with what the
    open-data table groups by: its month of declaration (`month`), of receipt (None while
    declared) and of hand-over outside the administration (None unless it left), in the
    portal's zone, as `_local_month` says them; its point, type, status, wipe category
    (`_wipe_category`) and stored footprint. Its custody steps are read in one grouped
    pass rather than three subqueries for each return."""
    steps = (
        select(
            CustodyStep.return_id,
            func.max(case((CustodyStep.step == "received", CustodyStep.at))).label("received"),
            func.max(case((CustodyStep.step.in_(LEAVES_THE_ADMINISTRATION), CustodyStep.at))).label(
                "handed_over"
            ),
            func.max(case((CustodyStep.step == "wiped", 1), else_=0)).label("wiped"),
        )
        .group_by(CustodyStep.return_id)
        .subquery()
    )
    received = type_coerce(steps.c.received, UTCDateTime())
    handed_over = type_coerce(steps.c.handed_over, UTCDateTime())
    first, last = db.session.execute(
        select(func.min(CustodyStep.at), func.max(CustodyStep.at)).where(
            CustodyStep.step.in_(("received", *LEAVES_THE_ADMINISTRATION))
        )
    ).one()
    received_month = handover_month = null()
    if first is not None:  # a month for each receipt and hand-over, to today's
        last = max(last, utcnow())
        received_month = case(
            (DeviceReturn.status == "declared", null()),
            (received.is_(None), null()),
            else_=_months_of(received, first, last),
        )
        handover_month = case(
            (DeviceReturn.status.not_in(LEAVES_THE_ADMINISTRATION), null()),
            (handed_over.is_(None), null()),
            else_=_months_of(handed_over, first, last),
        )
    wipe = case(
        (func.coalesce(steps.c.wiped, 0) == 1, "done"),
        (DeviceReturn.wipe_requested.is_(True), "requested"),
        (DeviceReturn.data_wiped.is_(True), "owner_attested"),
        else_="no_data",
    )
    return (
        select(
            month.label("month"),
            received_month.label("received_month"),
            handover_month.label("handover_month"),
            DeviceReturn.point_id,
            DeviceReturn.device_type,
            DeviceReturn.status,
            wipe.label("wipe"),
            DeviceReturn.embodied_kgco2e,
        )
        .outerjoin(steps, steps.c.return_id == DeviceReturn.id)
        .where(DeviceReturn.status.not_in(NEVER_HANDED_IN))
    )


def returns_by_month(
    month: ColumnElement,
    points: dict[int, CollectionPoint],
    embodied: dict[str, float],
    point_ids: list[int] | None = None,
    year: int | None = None,
) -> list[dict]:
    """The open-data table's rows, each declaration in the month `month` gives it, of the
    points `point_ids` only unless None, of the calendar `year` only unless None; `points`
    gains any point the rows name that it lacks. A device reused, donated or refurbished
    avoided the footprint stored with its outcome (`embodied`: today's, for one without).

    Rows group the devices of one month of declaration, month of receipt (none while
    declared), month of hand-over outside the administration (none unless donated,
    refurbished or recycled), point, type, status and `wipe_status` (WIPE_CATEGORIES).
    The database groups them (`_handed_in_facts`): each of 3,000 returns read into Python
    at every view of the figures, which every employee sees, cost more than the page."""
    facts = _handed_in_facts(month)
    if point_ids is not None:
        facts = facts.where(DeviceReturn.point_id.in_(point_ids))
    facts = _declared_in(facts, year).subquery()
    keys = [facts.c[name] for name in GROUPED_BY]
    rows = db.session.execute(
        select(
            *keys,
            func.count(),
            func.sum(facts.c.embodied_kgco2e),
            func.count() - func.count(facts.c.embodied_kgco2e),
        ).group_by(*keys)
    )
    # devices, footprint stored, how many with none stored
    groups = {tuple(key): (count, stored or 0.0, unset) for *key, count, stored, unset in rows}
    table = []
    # None (no receipt, no hand-over yet) first among its column's values: the only
    # columns that may hold one hold months, which "" precedes.
    for key in sorted(groups, key=lambda k: (k[0], k[1] or "", k[2] or "", *k[3:])):
        declared, received, handed_over, point_id, device_type, status, wipe = key
        count, stored, unset = groups[key]
        if point_id not in points:  # a point created since `points` was read
            points[point_id] = db.session.get(CollectionPoint, point_id)
        point = points[point_id]
        avoided = _avoided(device_type, status, count, stored, unset, embodied)
        # Only what an agent received was collected: a device declared and still
        # expected (or never brought) weighs nothing yet.
        collected = status != "declared"
        table.append(
            {
                "month": declared,
                "received_month": received,
                "handover_month": handed_over,
                "point_id": point_id,
                "point": point.name,
                "insee_code": point.commune.insee_code,
                "commune": point.commune.name,
                "device_type": device_type,
                "status": status,
                "wipe_status": wipe,
                "devices": count,
                "kg_ewaste": (
                    round(TYPICAL_WEIGHT_KG.get(device_type, 0.0) * count, 2) if collected else 0.0
                ),
                "kgco2e_avoided": round(avoided, 1),
            }
        )
    return table


def grouped_returns(point_ids: list[int] | None = None, year: int | None = None) -> list[dict]:
    """Counts by month of declaration (in the portal's zone), point, device type and
    status: the open-data table; of the points `point_ids` only unless None (an agent's,
    `agent_point_ids`), of the calendar `year` only unless None.

    A declaration withdrawn, or closed because the device never came, is left out: no
    device changed hands."""
    return _grouped_returns(point_ids, year)[0]


def grouped_returns_and_points(
    point_ids: list[int] | None = None, year: int | None = None
) -> tuple[list[dict], dict[int, CollectionPoint]]:
    """The open-data table and the points it names, by id: the spreadsheet download
    names each point with its commune."""
    return _grouped_returns(point_ids, year)


def statistics(point_ids: list[int] | None = None, year: int | None = None) -> dict:
    """Totals by type, point (named with its commune), outcome and month of declaration
    (in the portal's zone), e-waste mass and avoided footprint: of every point, or of the
    points `point_ids` only (an agent's, `agent_point_ids`); of the devices declared in
    the calendar `year` only unless None.

    `total` counts the devices an agent received (returned); `expected`, those declared
    and not received yet, which count in no mass. The tables by type, point and month
    count both apart, as (returned, expected), so that each column adds up to its
    headline; a declaration withdrawn or closed unbrought counts nowhere.

    `kg_ewaste`: the devices handed over outside the administration (donated,
    refurbished, recycled: the e-waste that left it); `kg_received`: every device
    received, those reused inside it and those still at the points too; `kg_by_status`:
    the mass of each status. Masses are summed unrounded, then rounded to 0.1 kg."""
    table, points = _grouped_returns(point_ids, year)
    by_type, by_point, by_status, by_month = Counter(), Counter(), Counter(), Counter()
    # Declared, not received yet: by type, point and month, beside those returned.
    waiting_type, waiting_point, waiting_month = Counter(), Counter(), Counter()
    kg_by_type, avoided_by_type = defaultdict(float), defaultdict(float)
    kg_by_status = defaultdict(float)
    for row in table:
        by_status[row["status"]] += row["devices"]
        if row["status"] == "declared":
            types, places, months = waiting_type, waiting_point, waiting_month
        else:
            types, places, months = by_type, by_point, by_month
        types[row["device_type"]] += row["devices"]
        # By id: two communes may each have a point of the same name.
        places[row["point_id"]] += row["devices"]
        months[row["month"]] += row["devices"]
        kg_by_type[row["device_type"]] += row["kg_ewaste"]
        kg_by_status[row["status"]] += row["kg_ewaste"]
        avoided_by_type[row["device_type"]] += row["kgco2e_avoided"]
    # Named with their commune, which tells two points of one name apart.
    labels = {point_id: points[point_id].label for point_id in set(by_point) | set(waiting_point)}
    return {
        "total": sum(by_type.values()),
        "expected": by_status["declared"],
        "by_type": [
            (t, by_type[t], waiting_type[t], round(kg_by_type[t], 1), round(avoided_by_type[t], 1))
            for t in DEVICE_TYPES
            if by_type[t] or waiting_type[t]
        ],
        "by_point": sorted(
            ((label, by_point[p], waiting_point[p]) for p, label in labels.items()),
            key=lambda row: (-row[1], -row[2], alphabetical(row[0])),
        ),
        "by_status": [(s, by_status[s], round(kg_by_status[s], 1)) for s in STATUSES],
        "by_outcome": [(o, by_status[o]) for o in OUTCOMES],
        "by_month": sorted(
            (m, by_month[m], waiting_month[m]) for m in set(by_month) | set(waiting_month)
        ),
        "kg_ewaste": round(sum(kg_by_status[s] for s in LEAVES_THE_ADMINISTRATION), 1),
        "kg_received": round(sum(kg_by_type.values()), 1),
        "kgco2e_avoided": round(sum(avoided_by_type.values()), 1),
        "weights": TYPICAL_WEIGHT_KG,
        # Unrounded, for figures that add statuses up and round once (`collective_figures`).
        "kg_by_status_unrounded": dict(kg_by_status),
    }


def wipe_statistics(point_ids: list[int] | None, year: int | None, now: datetime) -> dict:
    """What became of the data of the devices an agent received, by device type: a
    certified wipe recorded, the owner's attestation only, a certified wipe requested and
    not recorded yet (`overdue`: of those, the ones at a point, received more than
    WIPE_OVERDUE_DAYS before `now`), or no data; of the points `point_ids` unless None,
    declared in the calendar `year` unless None. Rows in DEVICE_TYPES order, and `total`."""
    if point_ids == []:
        return {"by_type": [], "total": dict.fromkeys((*WIPE_CATEGORIES, "overdue"), 0)}
    overdue_before = now - timedelta(days=WIPE_OVERDUE_DAYS)
    counts = defaultdict(Counter)
    for row in _device_facts(literal_column("''"), point_ids, year):
        if row.status == "declared":  # not in an agent's hands yet
            continue
        category = _wipe_category(row.wiped, row.wipe_requested, row.data_wiped)
        counts[row.device_type][category] += 1
        if (
            category == "requested"
            and row.status == "received"
            and row.received_at is not None
            and row.received_at < overdue_before
        ):
            counts[row.device_type]["overdue"] += 1
    order = [t for t in DEVICE_TYPES if t in counts] + sorted(set(counts) - set(DEVICE_TYPES))
    total = Counter()
    for counted in counts.values():
        total.update(counted)
    keys = (*WIPE_CATEGORIES, "overdue")
    return {
        "by_type": [(t, {k: counts[t][k] for k in keys}) for t in order],
        "total": {k: total[k] for k in keys},
    }


# Who receives the devices handed over outside the administration, by outcome.
RECIPIENT_KINDS = {"recycled": "recycling", "donated": "charity", "refurbished": "refurbisher"}


def ewaste_by_recipient(point_ids: list[int] | None, year: int | None) -> list[dict]:
    """The devices handed over outside the administration (LEAVES_THE_ADMINISTRATION) and
    their estimated mass, by outcome and by the organisation that received them, as its
    name stands (corrected or not; None for a hand-over recorded without one); of the
    points `point_ids` unless None, declared in the calendar `year` unless None. Most
    kilograms first."""
    if point_ids == []:
        return []
    query = (
        select(CustodyStep.id, CustodyStep.step, CustodyStep.recipient, DeviceReturn.device_type)
        .join(DeviceReturn, DeviceReturn.id == CustodyStep.return_id)
        .where(
            CustodyStep.step.in_(LEAVES_THE_ADMINISTRATION),
            CustodyStep.step == DeviceReturn.status,
        )
    )
    if point_ids is not None:
        query = query.where(DeviceReturn.point_id.in_(point_ids))
    handovers = db.session.execute(_declared_in(query, year)).all()
    # A recipient corrected after it was signed (`services.correct_step`): its last value.
    corrected = dict(
        db.session.execute(
            select(CustodyStep.corrects_id, CustodyStep.new_value)
            .where(
                CustodyStep.step == CORRECTION,
                CustodyStep.corrected_field == "recipient",
                CustodyStep.corrects_id.in_([h.id for h in handovers]),
            )
            .order_by(CustodyStep.id)
        ).all()
    )
    groups = defaultdict(lambda: [0, 0.0])
    for step_id, outcome, recipient, device_type in handovers:
        name = corrected.get(step_id, recipient) or None
        group = groups[(outcome, name)]
        group[0] += 1
        group[1] += TYPICAL_WEIGHT_KG.get(device_type, 0.0)
    rows = [
        {
            "outcome": outcome,
            "kind": RECIPIENT_KINDS[outcome],
            "recipient": name,
            "devices": devices,
            "kg_ewaste": round(kg, 1),
        }
        for (outcome, name), (devices, kg) in groups.items()
    ]
    return sorted(
        rows,
        key=lambda r: (-r["kg_ewaste"], LEAVES_THE_ADMINISTRATION.index(r["outcome"]),
                       r["recipient"] is None, alphabetical(r["recipient"] or "")),
    )  # fmt: skip


def collective_figures(year: int) -> dict:
    """The whole authority's figures of the devices declared in the calendar `year`, for
    every employee (`statistics` of every point): devices returned (received by an
    agent), how many kept in use (reused, donated, refurbished: REUSE_OUTCOMES) or
    recycled, how many still waiting for their outcome, each with its mass (`kg_*`), and
    the manufacturing footprint avoided. Totals only: nothing of any person, department
    or point."""
    stats = statistics(None, year)
    outcomes = dict(stats["by_outcome"])
    kept, recycled = sum(outcomes[o] for o in REUSE_OUTCOMES), outcomes["recycled"]
    kg = stats["kg_by_status_unrounded"]

    def mass(*statuses: str) -> float:
        # Summed unrounded, then rounded once to 0.1 kg, as the statistics page does.
        return round(sum(kg.get(status, 0.0) for status in statuses), 1)

    return {
        "returned": stats["total"],
        "kept_in_use": kept,
        "recycled": recycled,
        "in_progress": stats["total"] - kept - recycled,
        "kgco2e_avoided": stats["kgco2e_avoided"],
        # The typical masses (`TYPICAL_WEIGHT_KG`) of the same devices: the statistics
        # page's « Mass of every device received », its recycled row, and the others.
        "kg_returned": stats["kg_received"],
        "kg_kept_in_use": mass(*REUSE_OUTCOMES),
        "kg_recycled": mass("recycled"),
        "kg_in_progress": mass("received", "wiped"),
    }


NO_DEPARTMENT = 0  # the group of returns whose owner has no department (or was erased)


def returns_by_department(
    point_ids: list[int] | None, minimum: int, year: int | None = None
) -> list[dict]:
    """Devices returned, declared and not received yet, e-waste and footprint avoided by
    the owner's department (as it is now), of the points `point_ids` only unless None, of
    the devices declared in the calendar `year` only unless None; the footprint each
    device's outcome stored (`returns_by_month`).

    A department whose devices came from fewer than `minimum` people (LEADERBOARD_MIN_TEAM,
    as the leaderboards) shows no figures, nor do the smallest others needed so that the
    totals, published beside it, cannot give its own (`withheld_teams`): its devices would
    be one or two people's. Returns of erased accounts and people without a department
    form one group (`NO_DEPARTMENT`), counted as one person for the erased ones.
    Withheld groups come last (`withheld`: "small" or "protecting"), the others by
    devices returned; `department` is None for the group without one."""
    from app.catalogue.queries import reference_embodied_by_device_type
    from app.cleanup.queries import withheld_teams
    from app.core.models import Department

    if point_ids == []:
        return []
    department = func.coalesce(User.department_id, NO_DEPARTMENT)
    base = (
        select(department.label("department"))
        .select_from(DeviceReturn)
        .outerjoin(User, User.id == DeviceReturn.user_id)
        .where(DeviceReturn.status.not_in(NEVER_HANDED_IN))
    )
    if point_ids is not None:
        base = base.where(DeviceReturn.point_id.in_(point_ids))
    base = _declared_in(base, year)
    counts = db.session.execute(
        base.add_columns(
            DeviceReturn.device_type,
            DeviceReturn.status,
            func.count(DeviceReturn.id),
            func.sum(DeviceReturn.embodied_kgco2e),
            func.count(DeviceReturn.id) - func.count(DeviceReturn.embodied_kgco2e),
        ).group_by(department, DeviceReturn.device_type, DeviceReturn.status)
    ).all()
    # People, not devices: three laptops of one person are still one person's.
    people = dict(
        db.session.execute(
            base.add_columns(
                func.count(DeviceReturn.user_id.distinct())
                + func.max(case((DeviceReturn.user_id.is_(None), 1), else_=0))
            ).group_by(department)
        ).all()
    )
    embodied = reference_embodied_by_device_type()
    groups = defaultdict(lambda: {"returned": 0, "expected": 0, "kg": 0.0, "avoided": 0.0})
    for group, device_type, status, count, stored, unset in counts:
        figures = groups[group]
        if status == "declared":
            figures["expected"] += count
            continue
        figures["returned"] += count
        figures["kg"] += TYPICAL_WEIGHT_KG.get(device_type, 0.0) * count
        figures["avoided"] += _avoided(device_type, status, count, stored, unset, embodied)
    withheld = withheld_teams(
        [(group, f["returned"] + f["expected"], people.get(group, 0)) for group, f in groups.items()],
        minimum,
    )  # fmt: skip
    names = {
        d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(groups)))
    }
    rows = []
    for group, f in groups.items():
        row = {"department": names.get(group), "withheld": withheld.get(group)}
        if not row["withheld"]:
            row.update(returned=f["returned"], expected=f["expected"],
                       kg_ewaste=round(f["kg"], 1), kgco2e_avoided=round(f["avoided"], 1))  # fmt: skip
        rows.append(row)

    def name(row):
        return alphabetical(row["department"].name_fr) if row["department"] else alphabetical("")

    return sorted(
        rows,
        key=lambda r: (bool(r["withheld"]), -r.get("returned", 0), -r.get("expected", 0), name(r)),
    )


def _own_status_name(key: str, walked_in: bool = False) -> str:
    """A status or step as its owner reads it on their receipt (`recycling_status` with
    `mine`): their own withdrawal is "by you", not "by the person"; a walk-in's, by an
    agent."""
    if walked_in and key == WITHDRAWN:
        return str(WALK_IN_WITHDRAWN_LABEL)
    if key == "withdrawn":
        return _("Withdrawn by you")
    return str(dict(step_choices()).get(key, key))


def _exported_step(step) -> dict:
    """A custody step for its owner's export: named, and at the portal's local time."""
    wipe_methods = dict(wipe_method_choices())
    return {
        "step": step.step,
        "step_name": _own_status_name(step.step),
        **step_json(step),
        "at": local_iso(step.at),
        "wipe_method_name": (
            str(wipe_methods.get(step.wipe_method, step.wipe_method)) if step.wipe_method else None
        ),
    }


def wipe_json(device_return: DeviceReturn) -> dict:
    """What became of a return's data, from its chain of custody: `wipe_status` (one of
    WIPE_STATUSES) and the certified wipe's `wipe_certificate`; `data_wiped` only says the
    owner wiped it themselves, so a device an agent wiped still has it false. A request
    made for a device never handed in (withdrawn, closed unbrought) is no longer pending:
    "not_needed", while `wipe_requested` keeps the owner's answer."""
    wipe = next((s for s in device_return.steps if s.step == "wiped"), None)
    if wipe is not None:  # its certificate number as it stands, corrected or not
        return {"wipe_status": "done", "wipe_certificate": wipe.current("certificate_number")}
    # Withdrawn or closed unbrought: the request ended with the declaration.
    status = "requested" if device_return.wipe_request_stands else "not_needed"
    return {"wipe_status": status, "wipe_certificate": None}


def _owner_answers(device_return: DeviceReturn) -> dict:
    """The owner's two answers at declaring, in words, each a whole sentence to translate."""
    return {
        "data_wiped_name": (
            _("Data wiped by the owner before handing it in: yes")
            if device_return.data_wiped
            else _("Data wiped by the owner before handing it in: no")
        ),
        "wipe_requested_name": (
            _("Certified wipe asked of the agent: yes")
            if device_return.wipe_requested
            else _("Certified wipe asked of the agent: no")
        ),
    }


def _exported_wipe(device_return: DeviceReturn) -> dict:
    """The owner's answers (kept as stored, with their words) and what became of the data."""
    outcome = wipe_json(device_return)
    return {
        "data_wiped": device_return.data_wiped,
        "wipe_requested": device_return.wipe_requested,
        **_owner_answers(device_return),
        "wipe_status": outcome["wipe_status"],
        "wipe_status_name": str(dict(wipe_status_choices())[outcome["wipe_status"]]),
        "wipe_certificate": outcome["wipe_certificate"],
    }


def personal_returns(user: User) -> list[dict]:
    """Everything the domain holds about the person: their returns and custody steps, each
    device type, condition, status and step named in the language in force (the export
    forces the person's), each moment with the portal's local offset."""
    conditions = dict(condition_choices())
    returns = db.session.scalars(
        select(DeviceReturn)
        .where(DeviceReturn.user_id == user.id)
        .order_by(DeviceReturn.id)
        .options(selectinload(DeviceReturn.steps))
    ).all()
    return [
        {
            "receipt_number": r.receipt_number,
            "collection_point": r.point.name,
            "device_type": r.device_type,
            "device_type_name": (
                str(DEVICE_TYPES[r.device_type].label)
                if r.device_type in DEVICE_TYPES
                else r.device_type
            ),
            "asset_tag": r.asset_tag,
            "condition": r.condition,
            "condition_name": str(conditions.get(r.condition, r.condition)),
            **_exported_wipe(r),
            "status": r.status,
            "status_name": _own_status_name(r.status, r.walked_in),
            "declared_at": local_iso(r.declared_at),
            # When the owner was reminded of a device no agent had received yet (the
            # agents' page says so): null when never.
            "reminded_at": local_iso(r.reminded_at),
            "custody": [_exported_step(s) for s in r.steps],
        }
        for r in returns
    ]


def signed_steps(user: User) -> list[dict]:
    """The custody steps an agent signed, for their data export: what they did, when and
    where, and to which receipt (the reference their signature and their audit events
    carry); of the return nothing about its owner: neither who they are, nor the asset
    tag, nor the step's note, which speaks of the owner and goes with their data."""
    rows = db.session.execute(
        select(CustodyStep, DeviceReturn.receipt_number, DeviceReturn.device_type,
               CollectionPoint.name)
        .join(DeviceReturn, DeviceReturn.id == CustodyStep.return_id)
        .join(CollectionPoint, CollectionPoint.id == DeviceReturn.point_id)
        .where(CustodyStep.actor_id == user.id, CustodyStep.step.not_in(OWNER_STEPS))
        .order_by(CustodyStep.at, CustodyStep.id)
    ).all()  # fmt: skip
    statuses, wipe_methods = dict(step_choices()), dict(wipe_method_choices())
    return [
        {
            "receipt_number": receipt,
            "collection_point": point,
            "device_type": device_type,
            "device_type_name": (
                str(DEVICE_TYPES[device_type].label) if device_type in DEVICE_TYPES else device_type
            ),
            "step": step.step,
            "step_name": str(statuses.get(step.step, step.step)),
            "at": local_iso(step.at),
            "wipe_method": step.wipe_method,
            "wipe_method_name": (
                str(wipe_methods.get(step.wipe_method, step.wipe_method))
                if step.wipe_method
                else None
            ),
            "wipe_date": step.wipe_date.isoformat() if step.wipe_date else None,
            "certificate_number": step.current("certificate_number"),
            # Who took the device away: an organisation, not the owner.
            "recipient": step.current("recipient"),
            "handover_slip": step.current("handover_slip"),
            "signature": step.signature,
        }
        for step, receipt, device_type, point in rows
    ]


def signer_name(step) -> str | None:
    """The name of the agent who signed a step, as signed (SIGNED_CHAIN); for a step
    signed before names were, its account's, which the signature covers (the stored name
    was not); None once their account is erased, and for the owner's own steps."""
    if step.step in OWNER_STEPS or not step.actor_name:
        return None
    if (step.signed_as or SIGNED_CHAIN) >= SIGNED_CHAIN:
        return step.actor_name
    actor = step.actor
    return actor.display_name if actor is not None and actor.anonymised_at is None else None


def step_signer(step) -> str | None:
    """Who a step says did it: the agent's name as signed (`signer_name`), "Anonymised
    agent" once their account is erased, "The portal, automatically" for a declaration
    the portal closed; None for the owner's own steps, where nobody is named."""
    if step.step in OWNER_STEPS:
        return None
    if step.by_the_portal:  # a declaration the daily job closed: no agent signed it
        return _("The portal, automatically")
    return signer_name(step) or _("Anonymised agent")


def step_json(step) -> dict:
    """A custody step for the API and its owner's export: a value corrected by a later
    step as it stands (the correction step says what it was)."""
    return {
        "step": step.step,
        "at": step.at.isoformat(),
        "by": step_signer(step),
        "wipe_method": step.wipe_method,
        "wipe_date": step.wipe_date.isoformat() if step.wipe_date else None,
        "certificate_number": step.current("certificate_number"),
        "recipient": step.current("recipient"),
        "handover_slip": step.current("handover_slip"),
        "note": step.note or None,
        "correction": correction_json(step),
        "signature": step.signature,
    }


def correction_json(step) -> dict | None:
    """What a correction step corrected (None on every other step)."""
    if step.step != CORRECTION:
        return None
    target = step.corrected_step
    return {
        "corrects": (
            {"step": target.step, "at": target.at.isoformat()} if target is not None else None
        ),
        "field": step.corrected_field,
        "old_value": step.old_value,
        "new_value": step.new_value,
        "reason": step.reason or None,
    }
