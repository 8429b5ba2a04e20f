"""Catalogue reads: search, details, requests, budgets, usefulness, reference footprints."""

import functools
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import NamedTuple

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.catalogue import footprint
from app.catalogue.models import (
    CatalogueBudget,
    CatalogueItem,
    CatalogueRequest,
    CatalogueRequestLine,
    CatalogueUsefulMark,
    catalogue_alternative,
)
from app.catalogue.reference import category_reference
from app.core import cache
from app.core.audit import AuditEvent
from app.core.devices import DEVICE_TYPES
from app.core.models import Department
from app.core.person_figures import person_figure
from app.core.time import utcnow
from app.extensions import db

PER_PAGE = 25
# Each request to decide is a card with its lines and a note to write: ten a page.
REQUESTS_PER_PAGE = 10
SORTS = ("name", "footprint", "-footprint")
# Review list: services graded E or worse that fewer than this many people find useful.
REVIEW_GRADES = ("E", "F", "G")
REVIEW_MAX_MARKS = 3
AMBER_FROM, RED_ABOVE = 0.8, 1.0  # share of the budget used


@dataclass(frozen=True)
class Filters:
    q: str = ""
    kind: str = ""
    category: str = ""
    grade: str = ""
    status: str = "available"
    sort: str = "name"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The stored words with a space before each, so that one LIKE finds a word's start.
_SEARCHED_WORDS = literal(" ") + CatalogueItem.search_text


def search_terms(q: str) -> list[str]:
    """What was typed, as the words each term holds (`normalise_search`): « l'eau » is
    "l eau", found as those two words one after the other; eight terms at most. A plural
    is searched as its stem (`singular_stem`): "écrans" finds « Écran 24 pouces »."""
    folded = (footprint.normalise_search(term) for term in q.split()[:8])
    return [footprint.singular_stem(term) for term in folded if term]


def _matching(filters: Filters) -> Select:
    """The items matching the filters, in no order."""
    return _searched(filters)[0]


def _searched(filters: Filters) -> tuple[Select, ColumnElement | None]:
    """The items matching the filters, and how well each matches the words searched
    (`_relevance`; None without words)."""
    query, relevance = select(CatalogueItem), None
    if filters.q:
        languages = tuple(current_app.config["LANGUAGES"])
        terms = search_terms(filters.q)
        if not terms:  # nothing but punctuation: no word to find
            query = query.where(false())
        by_words, named_categories = [], set()
        for term in terms:
            # The start of a word, not any part of one: "eau" found inside « bureautique »
            # listed every service of the collaboration category. The stored text holds
            # its words one space apart (normalise_search), on SQLite and PostgreSQL alike.
            # The term anywhere first: a pattern opening with a space tries every space of
            # every row, and this one leaves it the few rows holding the term.
            escaped = _escape_like(term)
            found = and_(
                CatalogueItem.search_text.like(f"%{escaped}%", escape="\\"),
                _SEARCHED_WORDS.like(f"% {escaped}%", escape="\\"),
            )
            by_words.append(found)
            # The stored text holds the category's key alone ("laptop"): its names in
            # every language ("ordinateur portable") are matched here, where they are
            # translated, so that no stored copy has to follow the translations.
            named, kinds = footprint.categories_matching(term, languages)
            categories = named + _kinds_named_by_none(found, kinds)
            if categories:
                named_categories.update(categories)
                found = or_(found, CatalogueItem.category.in_(categories))
            query = query.where(found)
        if terms:
            relevance = _relevance(and_(*by_words), sorted(named_categories))
    if filters.kind:
        query = query.where(CatalogueItem.kind == filters.kind)
    if filters.category:
        query = query.where(CatalogueItem.category == filters.category)
    if filters.grade:
        query = query.where(CatalogueItem.grade == filters.grade)
    if filters.status in ("available", "discontinued"):
        query = query.where(CatalogueItem.status == filters.status)
    return query, relevance


def _relevance(by_words, categories: list[str]) -> ColumnElement:
    """0 for a piece of equipment of a category the words name (« téléphone », « iphone »:
    the smartphones), 1 for other equipment the words name, 2 for a service they name,
    3 for a service found by its category alone: « téléphone » listed 12 call centres
    (telephony) by name before the 5 smartphones, one per department. Computed on the
    rows found only, with no query of its own."""
    equipment = CatalogueItem.kind == "equipment"
    ranks = [(and_(equipment, CatalogueItem.category.in_(categories)), 0)] if categories else []
    return case(*ranks, (equipment, 1), (by_words, 2), else_=3)


# Browsing without words: the 42 pieces of equipment before the 1,600 services (28 copies
# of « Agenda partagé », one per department, opened the list).
_EQUIPMENT_FIRST = case((CatalogueItem.kind == "equipment", 0), else_=1)


def _count(query: Select) -> int:
    """How many rows a query finds."""
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def count_items(filters: Filters) -> int:
    """How many items match the filters."""
    return _count(_matching(filters))


def search_items(filters: Filters, page: int, locale: str, per_page: int = PER_PAGE):
    """One page of items matching the filters, and how many match in all."""
    query, relevance = _searched(filters)
    total = _count(query)
    name = CatalogueItem.sort_name_en if locale == "en" else CatalogueItem.sort_name_fr
    order = {
        # The default order: what the words name best first, or equipment first.
        "name": (_EQUIPMENT_FIRST if relevance is None else relevance, name, CatalogueItem.id),
        "footprint": (CatalogueItem.annual_kgco2e, name, CatalogueItem.id),
        "-footprint": (CatalogueItem.annual_kgco2e.desc(), name, CatalogueItem.id),
    }[filters.sort if filters.sort in SORTS else "name"]
    items = db.session.scalars(
        query.order_by(*order).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return items, total


def _kinds_named_by_none(found, categories: list[str]) -> list[str]:
    """Of the `categories` a term names a kind of item of ("souris": the accessories),
    those none of whose items is `found` by it: "souris" lists « Souris filaire » alone
    (not every accessory with it, a keyboard among them), and the accessories only in a
    catalogue that names no mouse. One query, only for such a term."""
    if not categories:
        return []
    named = db.session.scalars(
        select(CatalogueItem.category)
        .where(found, CatalogueItem.category.in_(categories))
        .distinct()
    )
    return sorted(set(categories) - set(named))


def get_item(item_id: int) -> CatalogueItem | None:
    # Alternatives load when read: an item page served from the cache does not read them.
    return db.session.get(CatalogueItem, item_id)


class ItemHead(NamedTuple):
    """What a page shows of an item around cached content: a few of its ~40 columns."""

    id: int
    kind: str
    status: str
    name_fr: str
    name_en: str
    lifetime_years: float | None
    annual_kgco2e: float
    grade: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr


def item_head(item_id: int) -> ItemHead | None:
    """The item's head, kept until the catalogue changes; None when there is no such item.

    The item page's body is a cached fragment; loading the whole item row for the few
    fields around it cost a fifth of the page.
    """
    return cache.row_head(CatalogueItem, item_id, ItemHead)


def count_requests_to_decide_holding(item_id: int) -> int:
    """How many requests waiting for a decision hold the item: withdrawn, its line in
    each reads « no longer in the catalogue, not counted »."""
    return db.session.scalar(
        select(func.count(CatalogueRequest.id)).where(
            TO_DECIDE,
            select(CatalogueRequestLine.id)
            .where(
                CatalogueRequestLine.request_id == CatalogueRequest.id,
                CatalogueRequestLine.item_id == item_id,
            )
            .exists(),
        )
    )


# The repair service the advice to repair before replacing links to (`seed.py` seeds
# it), found by its code, which an admin's renaming or translating keeps.
REPAIR_SERVICE_CODE = "SV-REPAIR"


def repair_service() -> ItemHead | None:
    """The repair service while it is in the catalogue; None otherwise."""
    item_id = db.session.scalar(
        select(CatalogueItem.id).where(
            func.lower(CatalogueItem.code) == REPAIR_SERVICE_CODE.lower(),
            CatalogueItem.status == "available",
        )
    )
    return item_head(item_id) if item_id is not None else None


def get_items(ids: list[int]) -> list[CatalogueItem]:
    """Items by id, in the order asked."""
    found = {
        i.id: i for i in db.session.scalars(select(CatalogueItem).where(CatalogueItem.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]


def usefulness_count(item_id: int) -> int:
    return db.session.scalar(
        select(func.count(CatalogueUsefulMark.id)).where(CatalogueUsefulMark.item_id == item_id)
    )


def is_marked_useful(user, item_id: int) -> bool:
    return (
        db.session.scalar(
            select(CatalogueUsefulMark.id).where(
                CatalogueUsefulMark.item_id == item_id, CatalogueUsefulMark.user_id == user.id
            )
        )
        is not None
    )


# Requests -------------------------------------------------------------------


def get_basket(user) -> CatalogueRequest | None:
    return db.session.scalar(
        select(CatalogueRequest)
        .options(selectinload(CatalogueRequest.lines).selectinload(CatalogueRequestLine.item))
        .where(CatalogueRequest.user_id == user.id, CatalogueRequest.status == "draft")
    )


# The person's request being prepared, as "item:quantity,…", read with the person: the
# item page says how many of its item the request holds without a query of its own.
BASKET_FIGURE = "catalogue_basket"
_NOT_READ = object()


def basket_subquery(user_id_column):
    """The lines of the person's request being prepared as one text (NULL: none).

    'draft' is written into the statement, not bound: the draft's index is partial
    (`status = 'draft'`), and SQLite prepares again a statement whose bound value decides
    whether a partial index applies, at every execution. This one is part of the
    signed-in person's query, sent by every page: 100 µs prepared again, 15 µs not."""
    line, req = CatalogueRequestLine.__table__, CatalogueRequest.__table__
    entry = cast(line.c.item_id, String) + ":" + cast(line.c.quantity, String)
    return (
        select(func.aggregate_strings(entry, ","))
        .select_from(line.join(req, line.c.request_id == req.c.id))
        .where(req.c.user_id == user_id_column, req.c.status == literal_column("'draft'"))
        .scalar_subquery()
    )


@functools.cache
def _quantity_in_basket_statement():
    """Built once (user and item bound): every item page asks for it, and building
    the join and its cache key cost more than running it on SQLite."""
    return (
        select(CatalogueRequestLine.quantity)
        .join(CatalogueRequest)
        .where(
            CatalogueRequest.user_id == bindparam("user_id"),
            CatalogueRequest.status == "draft",
            CatalogueRequestLine.item_id == bindparam("item_id"),
        )
    )


def quantity_in_basket(user, item_id: int) -> int:
    """How many of this item the user's request being prepared already holds (0 if none)."""
    packed = person_figure(BASKET_FIGURE, user.id, lambda: _NOT_READ)
    if packed is _NOT_READ:  # a write, or someone else than the signed-in person
        held = db.session.scalar(
            _quantity_in_basket_statement(), {"user_id": user.id, "item_id": item_id}
        )
        return held or 0
    wanted = f"{item_id}:"
    for entry in (packed or "").split(","):
        if entry.startswith(wanted):
            return int(entry[len(wanted) :])
    return 0


def list_my_requests(user) -> list[CatalogueRequest]:
    """The user's sent requests, newest first."""
    return db.session.scalars(
        select(CatalogueRequest)
        .options(selectinload(CatalogueRequest.lines).selectinload(CatalogueRequestLine.item))
        .where(CatalogueRequest.user_id == user.id, CatalogueRequest.status != "draft")
        .order_by(CatalogueRequest.submitted_at.desc(), CatalogueRequest.id.desc())
    ).all()


def get_my_request(user, request_id: int) -> CatalogueRequest | None:
    """One of the user's own requests; None for anyone else's."""
    return db.session.scalar(
        select(CatalogueRequest).where(
            CatalogueRequest.id == request_id, CatalogueRequest.user_id == user.id
        )
    )


def get_request(request_id: int) -> CatalogueRequest | None:
    return db.session.get(CatalogueRequest, request_id)


TO_DECIDE = CatalogueRequest.status == "submitted"


def requests_to_decide_count() -> int:
    return db.session.scalar(select(func.count(CatalogueRequest.id)).where(TO_DECIDE))


def list_requests_to_decide(page: int, per_page: int = REQUESTS_PER_PAGE):
    """Submitted requests, oldest first, for the admin."""
    total = requests_to_decide_count()
    rows = db.session.scalars(
        select(CatalogueRequest)
        .where(TO_DECIDE)
        .options(
            selectinload(CatalogueRequest.lines).selectinload(CatalogueRequestLine.item),
            selectinload(CatalogueRequest.user),
            selectinload(CatalogueRequest.department),
        )
        .order_by(CatalogueRequest.submitted_at, CatalogueRequest.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return rows, total


def list_waiting_of_department(department_id: int | None, request_ids) -> list:
    """The requests among `request_ids` from `department_id` still waiting for a decision,
    in the queue's order, with what their budget figures read (lines, items)."""
    if department_id is None or not request_ids:
        return []
    return db.session.scalars(
        select(CatalogueRequest)
        .where(
            TO_DECIDE,
            CatalogueRequest.department_id == department_id,
            CatalogueRequest.id.in_(sorted(request_ids)),
        )
        .options(
            selectinload(CatalogueRequest.lines).selectinload(CatalogueRequestLine.item),
            selectinload(CatalogueRequest.user),
        )
        .order_by(CatalogueRequest.submitted_at, CatalogueRequest.id)
    ).all()


def lighter_alternatives(item: CatalogueItem) -> list[CatalogueItem]:
    """Available alternatives with a lower yearly footprint as the pages write it
    (`footprint.lighter_as_shown`)."""
    return [
        a
        for a in item.alternatives
        if a.status == "available"
        and footprint.lighter_as_shown(a.annual_kgco2e, item.annual_kgco2e)
    ]


# Budgets --------------------------------------------------------------------


def year_bounds(year: int, zone) -> tuple[datetime, datetime]:
    """The UTC instants where a local calendar year starts and ends."""
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    return start, end


def approved_footprint_by_department(
    year: int, zone, department_ids: set[int] | None = None
) -> dict[int, float]:
    """Yearly kgCO2e added by the requests approved in `year`, per department (only
    those of `department_ids` when given): each request counted as its total is written
    (`footprint.request_as_written`, a line's figure as written times its quantity), so
    that what the queue says approving adds is what the budget then counts. The
    quantities are summed in the database per frozen figure, each figure written here."""
    start, end = year_bounds(year, zone)
    query = (
        select(
            CatalogueRequest.department_id,
            CatalogueRequestLine.annual_kgco2e,
            func.sum(CatalogueRequestLine.quantity),
        )
        .join(CatalogueRequestLine)
        .where(
            CatalogueRequest.status == "approved",
            CatalogueRequestLine.not_counted.is_(False),  # retired, approved for nothing
            CatalogueRequest.decided_at >= start,
            CatalogueRequest.decided_at < end,
            CatalogueRequest.department_id.is_not(None),
        )
        .group_by(CatalogueRequest.department_id, CatalogueRequestLine.annual_kgco2e)
    )
    if department_ids is not None:
        query = query.where(CatalogueRequest.department_id.in_(sorted(department_ids)))
    totals: dict[int, Decimal] = {}
    for department_id, unit, quantity in db.session.execute(query):
        added = footprint.shown_figure(unit or 0.0) * int(quantity or 0)
        totals[department_id] = totals.get(department_id, Decimal(0)) + added
    return {department_id: float(total) for department_id, total in totals.items()}


def shown_share(used: float, budget: float | None) -> float | None:
    """The share of the budget used as the page writes it, worked out from the two figures
    as written (`footprint.shown_figure`, `footprint.budget_as_written`): to the whole
    percent, or to a tenth of a percent within a point of a threshold, so that two rows
    both shown at "80 %" never get different statuses (79.6 % and 80.5 % say why they
    do). A used figure written above the budget never reads "100 %": its share takes
    the decimals that show it above (207.4 of 207.3 is "100.05 %"), nor one below it:
    rounded down, 99.96 % is "99.9 %". None for no budget or one written 0."""
    if budget is None:
        return None
    written_budget = footprint.budget_as_written(budget)
    if not written_budget:
        return None
    written_used = footprint.shown_figure(used)
    exact = written_used / written_budget
    ratio = float(exact)
    near = any(abs(ratio - threshold) < 0.01 for threshold in (AMBER_FROM, RED_ABOVE))
    digits = 3 if near else 2
    # Half up on the exact quotient, as people round (`footprint.half_up`): round() of
    # the float rounded half to even, 84.5 % read « 84 % » and 12.5 % « 12 % ».
    share = float(footprint.half_up(exact, digits))
    while written_used > written_budget and share <= RED_ABOVE and digits < 12:
        digits += 1
        share = float(footprint.half_up(exact, digits))
    if written_used < written_budget and share >= RED_ABOVE:
        # Under the budget, never "100 %": 99.96 % reads « 99,9 % », as it is.
        share = float(exact.quantize(Decimal(1).scaleb(-digits), ROUND_FLOOR))
    return share


def budget_colour(used: float, budget: float | None) -> str:
    """green up to 80 % of the budget, amber up to 100 %, red above; 'none' without budget.

    Judged on the figures as written, never on the unrounded ones: red when the used
    figure as written is above the budget as written (a budget written 0 is passed by
    anything written above 0), green or amber on the share as shown (shown_share)."""
    if budget is None:
        return "none"
    if footprint.shown_figure(used) > footprint.budget_as_written(budget):
        return "red"
    ratio = shown_share(used, budget)
    if ratio is None or ratio <= AMBER_FROM:
        return "green"
    return "amber"


@dataclass
class BudgetRow:
    department: Department
    budget: float | None
    used: float
    previous_used: float
    colour: str
    # Whether the year shown is over: until then, nothing approved yet is no change.
    year_ended: bool = True

    @property
    def share(self) -> float | None:
        """The share used, rounded as it is shown and judged (shown_share)."""
        return shown_share(self.used, self.budget)

    @property
    def change(self) -> float | None:
        """Year-on-year change of what was added, as a fraction; None without last year,
        and None while the year shown has nothing approved and is not over (not started,
        or nothing approved yet): "−100 %" said a fall nobody made."""
        if not self.previous_used:
            return None
        if not self.used and not self.year_ended:
            return None
        return (self.used - self.previous_used) / self.previous_used


def department_budgets(year: int, zone, now: datetime | None = None) -> list[BudgetRow]:
    """Every department with a budget or approved requests this year or last; `now`
    (the clock, by default the present) tells whether the year shown is over."""
    budgets = {
        b.department_id: b.budget_kgco2e
        for b in db.session.scalars(select(CatalogueBudget).where(CatalogueBudget.year == year))
    }
    used = approved_footprint_by_department(year, zone)
    previous = approved_footprint_by_department(year - 1, zone)
    year_ended = (now or utcnow()) >= year_bounds(year, zone)[1]
    ids = set(budgets) | set(used) | set(previous)
    departments = db.session.scalars(select(Department).where(Department.id.in_(ids))).all()
    rows = [
        BudgetRow(
            department=d,
            budget=budgets.get(d.id),
            used=used.get(d.id, 0.0),
            previous_used=previous.get(d.id, 0.0),
            colour=budget_colour(used.get(d.id, 0.0), budgets.get(d.id)),
            year_ended=year_ended,
        )
        for d in departments
    ]
    order = {"red": 0, "amber": 1, "green": 2, "none": 3}
    return sorted(rows, key=lambda r: (order[r.colour], -(r.share or 0), r.department.code))


@dataclass(frozen=True)
class BudgetUse:
    """A request's department budget in `year`: what approved requests used, and what
    approving the request would bring it to (`adding`: its total as written, 0 once it
    is decided, being counted in `used` when approved). `after` is exactly what `used`
    reads once the request is approved: both add the same written figures."""

    year: int
    budget: float | None
    used: float
    adding: float

    @property
    def share(self) -> float | None:
        return shown_share(self.used, self.budget)

    @property
    def colour(self) -> str:
        return budget_colour(self.used, self.budget)

    @property
    def after(self) -> float:
        return float(Decimal(str(self.used)) + Decimal(str(self.adding)))

    @property
    def share_after(self) -> float | None:
        return shown_share(self.after, self.budget)

    @property
    def colour_after(self) -> str:
        """Judged as the budgets page judges a department: red is over the budget."""
        return budget_colour(self.after, self.budget)


def request_budget_uses(requests, year: int, zone) -> dict[int, BudgetUse]:
    """Each request's department budget use in `year`, by request id; requests without
    a department are left out. Two queries for all the requests, whatever their number
    (the budgets, then the approved totals), their lines being loaded already."""
    department_ids = {r.department_id for r in requests if r.department_id is not None}
    if not department_ids:
        return {}
    budgets = dict(
        db.session.execute(
            select(CatalogueBudget.department_id, CatalogueBudget.budget_kgco2e).where(
                CatalogueBudget.year == year,
                CatalogueBudget.department_id.in_(sorted(department_ids)),
            )
        ).all()
    )
    used = approved_footprint_by_department(year, zone, department_ids)
    return {
        r.id: BudgetUse(
            year=year,
            budget=budgets.get(r.department_id),
            used=used.get(r.department_id, 0.0),
            adding=float(footprint.request_as_written(r)) if r.status == "submitted" else 0.0,
        )
        for r in requests
        if r.department_id is not None
    }


# Usefulness -------------------------------------------------------------------


def _marks_subquery():
    return (
        select(CatalogueUsefulMark.item_id, func.count(CatalogueUsefulMark.id).label("marks"))
        .group_by(CatalogueUsefulMark.item_id)
        .subquery()
    )


def usefulness_rows(page: int, review_only: bool, per_page: int = PER_PAGE):
    """Services with their usefulness marks and footprint (per user and in all).

    review_only: high footprint (grade E–G) and low usefulness, heaviest first.
    """
    marks = _marks_subquery()
    count = func.coalesce(marks.c.marks, 0)
    query = (
        select(CatalogueItem, count.label("marks"))
        .outerjoin(marks, marks.c.item_id == CatalogueItem.id)
        .where(CatalogueItem.kind == "service", CatalogueItem.status == "available")
    )
    if review_only:
        query = query.where(CatalogueItem.grade.in_(REVIEW_GRADES), count < REVIEW_MAX_MARKS)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(CatalogueItem.annual_kgco2e.desc(), count, CatalogueItem.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return rows, total


# Contracts for other domains --------------------------------------------------


def reference_embodied_by_device_type() -> dict[str, float]:
    """Median embodied kgCO2e of available new (not refurbished) catalogue equipment, per
    DEVICE_TYPES key: what making a new device costs, which a device returned and reused
    or recycled is compared with. A refurbished model's figure is a share of a new one's
    (`footprint.is_refurbished`): counted, the median moved as they came and went.

    Falls back to the boaviztapi archetype of the category when the catalogue has
    no new one; printers and accessories have no archetype in boaviztapi 2.5.0, so
    without catalogue ones the value is 0.0 (nothing is claimed).
    """
    rows = db.session.execute(
        select(
            CatalogueItem.category,
            CatalogueItem.embodied_kgco2e,
            CatalogueItem.name_fr,
            CatalogueItem.name_en,
            CatalogueItem.description_fr,
        ).where(
            CatalogueItem.kind == "equipment",
            CatalogueItem.status == "available",
            CatalogueItem.embodied_kgco2e.is_not(None),
        )
    )
    values: dict[str, list[float]] = {}
    for category, embodied, name_fr, name_en, description in rows:
        if not footprint.is_refurbished(name_fr, name_en, description):
            values.setdefault(category, []).append(embodied)
    result = {}
    for key in DEVICE_TYPES:
        if values.get(key):
            result[key] = float(statistics.median(values[key]))
        else:
            reference = category_reference(key)
            result[key] = reference.embodied_kgco2e if reference else 0.0
    return result


def devices_due_for_renewal(now: datetime) -> Select:
    """People whose approved equipment is older than the item's expected lifetime."""
    rows = db.session.execute(
        select(CatalogueRequest.user_id, CatalogueRequest.decided_at, CatalogueItem.lifetime_years)
        .join(CatalogueRequestLine, CatalogueRequestLine.request_id == CatalogueRequest.id)
        .join(CatalogueItem, CatalogueItem.id == CatalogueRequestLine.item_id)
        .where(
            CatalogueRequest.status == "approved",
            # A line approved when its item had left the catalogue gave the person nothing.
            CatalogueRequestLine.not_counted.is_(False),
            CatalogueRequest.user_id.is_not(None),
            CatalogueItem.kind == "equipment",
            CatalogueItem.lifetime_years.is_not(None),
        )
    )
    due = {
        user_id
        for user_id, decided_at, lifetime in rows
        if decided_at + timedelta(days=365.25 * lifetime) < now
    }
    return select(User.id).where(
        User.id.in_(sorted(due)), User.active.is_(True), User.anonymised_at.is_(None)
    )


def lighter_choice(item_ids: tuple[int, ...]) -> tuple[ItemHead, ItemHead] | None:
    """The first of these items that has a lighter available alternative (as the pages
    write both figures: `footprint.lighter_as_shown`), and the lightest one; kept until
    the catalogue changes (the same basket, the same answer).

    Two small queries rather than each item and each alternative list one by one; and
    not one four-table join, which PostgreSQL took longer to plan than to run.
    """

    def compute():
        columns = cache.head_columns(CatalogueItem, ItemHead)
        found = {
            row[0]: ItemHead(*row)
            for row in db.session.execute(select(*columns).where(CatalogueItem.id.in_(item_ids)))
        }
        rows = db.session.execute(
            select(catalogue_alternative.c.item_id, *columns)
            .join(CatalogueItem, CatalogueItem.id == catalogue_alternative.c.alternative_id)
            .where(
                catalogue_alternative.c.item_id.in_(list(found)),
                CatalogueItem.status == "available",
            )
            .order_by(CatalogueItem.annual_kgco2e, CatalogueItem.id)
        ).all()
        for item in (found[i] for i in item_ids if i in found):
            for item_id, *values in rows:  # lightest first
                alternative = ItemHead(*values)
                if item_id == item.id and footprint.lighter_as_shown(
                    alternative.annual_kgco2e, item.annual_kgco2e
                ):
                    return item, alternative
        return None

    key = (cache.digest(item_ids),)
    return cache.value("catalogue.lighter_choice", key, ("catalogue",), compute)


@functools.cache
def _open_requests_statement():
    """Built once (user bound): every dashboard view asks for it."""
    # A basket emptied line by line stays a draft: it is no request being prepared (home
    # said « pas encore envoyée » of it, where My requests says « Rien pour l'instant »).
    holds_lines = (
        select(CatalogueRequestLine.id)
        .where(CatalogueRequestLine.request_id == CatalogueRequest.id)
        .exists()
    )
    return (
        select(CatalogueRequest.id, CatalogueRequest.status)
        .where(
            CatalogueRequest.user_id == bindparam("user_id"),
            or_(
                CatalogueRequest.status == "submitted",
                and_(CatalogueRequest.status == "draft", holds_lines),
            ),
        )
        .order_by(CatalogueRequest.id.desc())
        .limit(5)
    )


@functools.cache
def _basket_items_statement():
    """Built once (request bound): the items of a basket, in the order they were added."""
    return (
        select(CatalogueRequestLine.item_id)
        .where(CatalogueRequestLine.request_id == bindparam("request_id"))
        .order_by(CatalogueRequestLine.id)
    )


def dashboard_summary(user) -> dict:
    """Open requests of the user (id and status) and a lighter choice for the basket."""
    open_requests = db.session.execute(_open_requests_statement(), {"user_id": user.id}).all()
    basket = next((r for r in open_requests if r.status == "draft"), None)
    suggestion = None
    if basket is not None:
        item_ids = tuple(db.session.scalars(_basket_items_statement(), {"request_id": basket.id}))
        suggestion = lighter_choice(item_ids) if item_ids else None
    return {"open_requests": open_requests, "suggestion": suggestion}


DECIDED = CatalogueRequest.status.in_(("approved", "refused"))


def list_decided_requests(year: int, zone) -> list[CatalogueRequest]:
    """The requests approved or refused in `year` (the local calendar year of their
    decision), in the order they were decided, with their lines and department."""
    start, end = year_bounds(year, zone)
    return db.session.scalars(
        select(CatalogueRequest)
        .where(DECIDED, CatalogueRequest.decided_at >= start, CatalogueRequest.decided_at < end)
        .options(
            selectinload(CatalogueRequest.lines).selectinload(CatalogueRequestLine.item),
            selectinload(CatalogueRequest.department),
        )
        .order_by(CatalogueRequest.decided_at, CatalogueRequest.id)
    ).all()


# Imports ----------------------------------------------------------------------

# What the audit log records of an item changed in the portal: a form's save (or making it
# available again), its alternatives, its withdrawal. An import records its own edits at
# the moment of its "import" event, never after it.
PORTAL_EDITS = ("update", "set_alternatives", "discontinue")


def portal_edits_since_last_import(item_ids) -> tuple[datetime | None, dict[int, datetime]]:
    """When the catalogue was last imported (None: never), and the items among `item_ids`
    changed in the portal since, each with the moment of its last change: a file exported
    before such a change puts the item back as it was."""
    last_import = db.session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.object_type == "catalogue_item", AuditEvent.action == "import"
        )
    )
    if last_import is None or not item_ids:
        return last_import, {}
    rows = db.session.execute(
        select(AuditEvent.object_id, func.max(AuditEvent.at))
        .where(
            AuditEvent.object_type == "catalogue_item",
            AuditEvent.action.in_(PORTAL_EDITS),
            AuditEvent.at > last_import,
            AuditEvent.object_id.in_(sorted(str(item_id) for item_id in item_ids)),
        )
        .group_by(AuditEvent.object_id)
    )
    return last_import, {int(object_id): at for object_id, at in rows}
