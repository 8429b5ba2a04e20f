"""Catalogue writes and rules. Services take explicit arguments, flush, never commit."""

import functools
import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import String, bindparam, cast, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.catalogue import footprint
from app.catalogue.audit import TRACKED_FIELDS, audit_changes, budget_summary, changes_summary
from app.catalogue.models import (
    CatalogueBudget,
    CatalogueItem,
    CatalogueRequest,
    CatalogueRequestLine,
    CatalogueUsefulMark,
)
from app.catalogue.reference import BOAVIZTA_URL, archetype_reference, category_reference
from app.core.audit import AuditEvent, erase_audit_texts, record_audit
from app.core.i18n import current_language, format_moment, format_number
from app.core.models import Department
from app.core.signals import request_decided
from app.core.sql import upsert_insert
from app.core.time import local_iso
from app.core.urls import database_id
from app.extensions import db

MAX_LINE_QUANTITY = 50
# The statuses an admin's decision gives; a withdrawal is the requester's.
DECIDED = ("approved", "refused")


class CatalogueError(Exception):
    """A rule was broken; the message is translated and safe to show. `field` names the
    item's field (the form's field, the CSV's column) it is about, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ItemChangedMeanwhile(CatalogueError):
    """An edit form opened before the item's last change (another admin's save, an
    import, a withdrawal): saving it would put back what that change did."""


class RefusalReasonMissing(CatalogueError):
    """A refusal without a note: the error belongs next to that request's note field."""


class OwnRequest(CatalogueError):
    """An admin deciding a request they sent themselves: another admin decides it."""


def complete_footprint(values: dict, grid_factor: float) -> dict:
    """Fill derived figures: reference data for blank equipment figures, use, yearly, grade.

    Equipment left without an embodied figure takes its category's boaviztapi
    archetype's (with its range and lifetime), without a yearly kWh its kWh (and range);
    each is credited to that source (`_credited_source`).
    """
    problems = footprint_problems(values)
    if problems:
        field, message = next(iter(problems.items()))
        raise CatalogueError(message, field)
    values = dict(values)
    if values["kind"] == "equipment":
        reference = category_reference(values["category"])
        # Without one, the manufacture figure is required (`footprint_problems`); a blank
        # electricity figure stays unknown, counted as none and said so on the item page.
        if reference is not None:
            values = _with_reference_figures(values, reference)
        if values.get("lifetime_years") is None:
            values["lifetime_years"] = 4.0
        values["grid_factor"] = grid_factor
        values["use_kgco2e_per_year"] = footprint.use_kgco2e(
            values.get("use_kwh_per_year") or 0.0, grid_factor
        )
        embodied, lifetime = values["embodied_kgco2e"], values["lifetime_years"]
    else:
        embodied, lifetime = None, None
        values.update(
            embodied_kgco2e=None,
            embodied_min_kgco2e=None,
            embodied_max_kgco2e=None,
            lifetime_years=None,
            use_kwh_min=None,
            use_kwh_max=None,
            grid_factor=None,
        )
    values["annual_kgco2e"] = footprint.annual_kgco2e(
        embodied, lifetime, values["use_kgco2e_per_year"]
    )
    values["grade"] = footprint.grade_for(values["category"], values["annual_kgco2e"])
    values["search_text"] = search_text(values)
    return values


def footprint_problems(values: dict, refused=frozenset()) -> dict[str, str]:
    """What keeps an item's figures from being completed, every one at once, by field:
    missing figures (or reference data for them), a missing source, estimates on the
    wrong side of their figure, a refurbished note they contradict. `refused`: the fields
    already refused as typed (None in `values`), which were not left blank."""
    problems = {}
    takes_reference = False
    if values["kind"] == "equipment":
        problems, takes_reference = _equipment_figure_problems(values, refused)
    elif values.get("use_kgco2e_per_year") is None:
        problems["use_kgco2e_per_year"] = _("Enter the service's footprint per user per year.")
    if not takes_reference and not (values.get("source") or "").strip():
        problems["source"] = _(
            "Give the source of the figures (data set and version, or a citation)."
        )
    if "embodied_kgco2e" not in refused:  # a figure refused as typed is no blank one
        problems |= refurbished_note_problems(values)
    return problems | footprint.range_problems(values)


def refurbished_note_problems(values: dict) -> dict[str, str]:
    """The refurbished note (`footprint.REFURBISHED_NOTE`) as a description beside figures
    it does not describe, by field. It says the manufacture figure is a share of the same
    new device's reference (Boavizta) figure: beside a hand estimate, or a reference figure
    taken whole (a blank manufacture figure takes the new device's), it contradicts the
    page it opens."""
    noted = [
        field
        for field in ("description_fr", "description_en")
        if (values.get(field) or "").strip() in footprint.REFURBISHED_NOTES
    ]
    if not noted or _refurbished_share_of_reference(values):
        return {}
    message = _(
        "This description says the manufacture counts for a share of the same new "
        "device's reference (Boavizta) figure, which the manufacture figure here is not: "
        "say what these figures are, or leave the description blank."
    )
    return dict.fromkeys(noted, message)


def _refurbished_share_of_reference(values: dict) -> bool:
    """Whether the manufacture figure is the refurbished share of a Boavizta model's that
    its source cites, as the seed works it out for a refurbished model."""
    embodied = values.get("embodied_kgco2e")
    if embodied is None:  # the reference's whole figure, the new device's
        return False
    for model in footprint.boavizta_models_cited(values.get("source"), "embedded"):
        try:
            new = archetype_reference(model).embodied_kgco2e
        except KeyError:  # a model this Boavizta version does not know
            continue
        share = new * footprint.REFURBISHED_SHARE[1]
        if math.isclose(embodied, share, rel_tol=1e-3, abs_tol=0.01):
            return True
    return False


def _equipment_figure_problems(values: dict, refused) -> tuple[dict[str, str], bool]:
    """Equipment's blank manufacture and electricity figures each take the category's
    reference (Boavizta) figure, credited to the reference (`_credited_source`); the
    source typed credits the figures typed. A typed source beside two reference figures
    would credit none of them: it is refused at its field rather than dropped. Returns
    the problems by field, and whether the typed source may be left blank."""
    embodied_blank = values.get("embodied_kgco2e") is None
    kwh_blank = values.get("use_kwh_per_year") is None
    typed_source = (values.get("source") or "").strip()
    reference = category_reference(values["category"])
    if reference is None:
        if embodied_blank:
            return {
                "embodied_kgco2e": _(
                    "No reference data exists for this category: enter the figures and "
                    "their source."
                )
            }, False
        return {}, False
    cited, own = reference.cited_in(typed_source)
    if embodied_blank and kwh_blank:
        # The reference's own citation, kept in the field from an earlier save, is its.
        if own and not refused & {"embodied_kgco2e", "use_kwh_per_year"}:
            return {
                "source": _(
                    "Manufacture and electricity use are blank, so both take the reference "
                    "figures (Boavizta), credited to their own source: this source would "
                    "credit none of them. Leave it blank, or enter the figures it gives."
                )
            }, True
        return {}, True
    embodied_ref, kwh_ref = _reference_parts(values, reference, own)
    uncredited = _uncredited_figure(typed_source, own, cited, embodied_ref, kwh_ref)
    if uncredited:
        return {"source": uncredited}, True
    credited = _credited_source(typed_source, reference, embodied_ref, kwh_ref)
    if len(credited) > SOURCE_MAX:
        return {
            "source": _(
                "This source and the reference's cited beside it pass %(n)s characters: "
                "shorten it.",
                n=SOURCE_MAX,
            )
        }, embodied_ref
    return {}, embodied_ref


def _reference_parts(values: dict, reference, own: str) -> tuple[bool, bool]:
    """Whether the manufacture and the electricity figures are the reference's: left
    blank, or, beside a source naming nothing but the reference, its very figure (the
    edit form shows it filled in: cleared with the source, it stays credited)."""
    parts = []
    for figure, given in (
        ("embodied_kgco2e", reference.embodied_kgco2e),
        ("use_kwh_per_year", reference.use_kwh_per_year),
    ):
        value = values.get(figure)
        parts.append(value is None or (not own and value == given))
    return parts[0], parts[1]


def _uncredited_figure(typed_source: str, own: str, cited: set[str], embodied_ref, kwh_ref):
    """Why the figure typed beside a reference figure is credited to nothing: the source
    names only the reference's part (a blank source beside a typed manufacture figure is
    said by `footprint_problems`). None when the source credits it."""
    if embodied_ref == kwh_ref:
        return None
    typed_phase = "use" if embodied_ref else "embedded"
    if own or typed_phase in cited or not (typed_source or embodied_ref):
        return None
    if embodied_ref:
        return _(
            "The electricity use typed needs its source: the reference cited for the blank "
            "manufacture figure does not give it. Enter its source, or leave the "
            "electricity use blank to take the reference's too."
        )
    return _(
        "The manufacture figure typed needs its source: the reference cited for the blank "
        "electricity use does not give it. Enter its source, or leave the manufacture "
        "figure blank to take the reference's too."
    )


def _with_reference_figures(values: dict, reference) -> dict:
    """`values` whose blank manufacture and electricity figures take the reference's, each
    credited to it. A blank electricity figure beside a typed manufacture was stored blank
    and counted as none: a flattering grade, and an item page that answered 500."""
    embodied_blank = values.get("embodied_kgco2e") is None
    kwh_blank = values.get("use_kwh_per_year") is None
    typed = (values.get("source") or "").strip()
    parts = _reference_parts(values, reference, reference.cited_in(typed)[1])
    values["source"] = _credited_source(typed, reference, *parts)
    if parts[0]:
        # The manufacture figure is the reference's: « no reference data set covers this
        # item, these figures are an estimate » would contradict the source cited.
        values["estimate"] = False
    if (embodied_blank or kwh_blank) and not (values.get("source_url") or "").strip():
        # Credited to Boavizta, as the seeded items are: its address with its name.
        values["source_url"] = BOAVIZTA_URL
    if embodied_blank:
        values.update(
            embodied_kgco2e=reference.embodied_kgco2e,
            embodied_min_kgco2e=reference.embodied_min_kgco2e,
            embodied_max_kgco2e=reference.embodied_max_kgco2e,
        )
        if values.get("lifetime_years") is None:
            values["lifetime_years"] = reference.lifetime_years
    if kwh_blank:
        values.update(
            use_kwh_per_year=reference.use_kwh_per_year,
            use_kwh_min=reference.use_kwh_min,
            use_kwh_max=reference.use_kwh_max,
        )
    return values


# The stored source's length (`CatalogueItem.source`).
SOURCE_MAX = 400


def _credited_source(typed: str, reference, embodied_ref: bool, kwh_ref: bool) -> str:
    """The source of an item whose figures are part typed, part reference: the typed
    source, then the reference's citation naming the part it gives (Boavizta's own words
    for the phases, as its archetype's name, the same in every language). A citation of
    the part already in the typed source (from an earlier save, or the whole reference's)
    is not added again: saving an item never grows its source."""
    if embodied_ref == kwh_ref:
        return reference.source if embodied_ref else typed
    phase = "embedded" if embodied_ref else "use"
    if phase in reference.cited_in(typed)[0]:
        return typed
    cited = reference.citation(phase)
    return f"{typed}; {cited}" if typed else cited


# Equipment's figures: a service has none of them (`complete_footprint` blanks them).
EQUIPMENT_ONLY_FIGURES = (
    "embodied_kgco2e",
    "embodied_min_kgco2e",
    "embodied_max_kgco2e",
    "use_kwh_per_year",
    "use_kwh_min",
    "use_kwh_max",
    "lifetime_years",
)


def service_figure_problems(values: dict, item=None) -> dict[str, str]:
    """A service's figures typed where only equipment has one, by field: saved, they were
    dropped without a word (as a use footprint typed for equipment is refused). The
    figure `item` already holds, sent back as its form or export shows it, is none typed."""
    if values.get("kind") != "service":
        return {}
    message = _(
        "This figure is for equipment: a service is counted by its footprint per user per "
        "year alone. Leave it blank."
    )
    return {
        column: message
        for column in EQUIPMENT_ONLY_FIGURES
        if values.get(column) is not None
        and (item is None or values[column] != getattr(item, column))
    }


def item_problems(
    values: dict, alternatives: list[str], item=None, refused=frozenset()
) -> dict[str, str]:
    """Everything `create_item` (or `update_item` of `item`) and `set_alternatives` would
    refuse, by field, checked in one pass so a form can show every error at once
    (`refused`: the fields the form already refused)."""
    problems = {}
    try:
        check_category(values["kind"], values["category"])
    except CatalogueError as error:
        problems[error.field] = str(error)
    else:  # figures are judged against a known kind and category
        dropped = reference_dropped_problems(values, item)
        values = reference_figures_followed(values, item)
        problems |= footprint_problems(values, refused)
        problems |= stray_range_problems(values, refused)
        problems |= dropped  # said in place of « No reference data exists »
    problems |= service_figure_problems(values, item)
    taken_by = item_with_code(values["code"], item)
    if taken_by is not None:
        problems["code"] = code_taken_message(taken_by)
    # The item itself, by the code typed or the one stored: dropped without a word, its
    # save said « Article enregistré » with the alternative typed gone.
    own = {code_key(values["code"]), code_key(item.code) if item else ""} - {""}
    itself = [c for c in alternatives if code_key(c) in own]
    refused = []
    if itself:
        refused.append(_("An item cannot be its own alternative: remove %(code)s.", code=itself[0]))
    missing = _unknown_codes([c for c in alternatives if code_key(c) not in own], "")
    if missing:
        refused.append(_unknown_alternatives(missing))
    if refused:
        # Each its own sentence: "…remove SV-EN-1. Unknown alternative code: NOPE-1."
        problems["alternatives"] = (
            " ".join(r if r.endswith(".") else f"{r}." for r in refused)
            if len(refused) > 1
            else refused[0]
        )
    return problems


def reference_figures_followed(values: dict, item=None) -> dict:
    """`values` sent for `item` in another equipment category, whose figures that came
    from the old category's reference (Boavizta) are blank again, so that they take the
    new category's (`complete_footprint`): the edit form shows them filled in, as if
    typed, and a laptop made a desktop kept the laptop's 181 kg and its citation. A
    figure is the reference's when the item stored it so, credited to the reference, and
    it comes back unchanged; with it go its range and lifetime when unchanged, and the
    old reference's citation. Figures typed stay."""
    if item is None or item.kind != "equipment" or values.get("category") == item.category:
        return values
    old = category_reference(item.category)
    if old is None or values.get("kind") != "equipment":
        return values
    credited = old.cited_in(item.source)[0]
    values = dict(values)
    followed = False
    for phase, names in zip(("embedded", "use"), footprint.RANGES, strict=True):
        figure = names[0]
        stored = getattr(item, figure)
        if phase not in credited or stored != getattr(old, figure):
            continue  # typed, or a share of the reference (refurbished)
        if values.get(figure) != stored:
            continue  # typed in this form
        for name in names:
            if values.get(name) == getattr(item, name):
                values[name] = None
        if phase == "embedded" and values.get("lifetime_years") == old.lifetime_years:
            values["lifetime_years"] = None
        followed = True
    if followed:
        values["source"] = old.cited_in(values.get("source") or "")[1]
    return values


def reference_figures_dropped(values: dict, item=None) -> dict:
    """The values `reference_figures_followed` takes back from `values` sent for `item`
    in an equipment category without reference data (printers, accessories), by field:
    the old category's reference figures, their range, lifetime and citation, which no
    longer apply and are shown blank (the citation taken out of the source). Empty when
    the new category has reference data (they follow it) or nothing came from one."""
    if values.get("kind") != "equipment" or category_reference(values.get("category")):
        return {}
    followed = reference_figures_followed(values, item)
    dropped = {name: value for name, value in followed.items() if value != values.get(name)}
    if "source" in dropped and values.get("source_url") == item.source_url == BOAVIZTA_URL:
        dropped["source_url"] = ""  # the reference's address, given with its citation
    return dropped


def reference_dropped_problems(values: dict, item=None) -> dict[str, str]:
    """The figures `item` took from its old category's reference (Boavizta), sent back
    unchanged into a category that has none, by field: counted as this item's own, a
    printer kept a laptop's figures and citation; left blank, it was refused at a field
    still showing them (« No reference data exists »)."""
    dropped = reference_figures_dropped(values, item)
    if not dropped:
        return {}
    names = {
        "category": footprint.category_label(values["category"]),
        "old": footprint.category_label(item.category),
    }
    messages = {
        "embodied_kgco2e": _(
            "The category %(category)s has no reference figures (Boavizta): the "
            "manufacturing footprint of the category %(old)s, with its range, lifetime and "
            "citation, no longer applies to this item. Enter this item's own figure and its "
            "source, or choose a category that has reference data.",
            **names,
        ),
        "use_kwh_per_year": _(
            "The category %(category)s has no reference figures (Boavizta): the electricity "
            "use of the category %(old)s, with its range and citation, no longer applies to "
            "this item. Enter this item's own figure and its source, leave it blank if it is "
            "unknown, or choose a category that has reference data.",
            **names,
        ),
    }
    return {name: message for name, message in messages.items() if name in dropped}


def stray_range_problems(values: dict, refused=frozenset()) -> dict[str, str]:
    """A low or high estimate typed beside an equipment figure left blank, by field: the
    figure takes the reference's (Boavizta) with its own range, and the range typed was
    dropped without a word. The reference's own range, as the edit form shows it, is
    none typed. A figure refused as typed (`refused`) is no blank one."""
    if values.get("kind") != "equipment":
        return {}
    reference = category_reference(values.get("category"))
    if reference is None:
        return {}
    problems = {}
    messages = {
        "embodied_kgco2e": _(
            "The manufacturing footprint is blank, so it takes the reference figure "
            "(Boavizta) with its own range: leave its low and high estimates blank too, or "
            "enter the figure they go with."
        ),
        "use_kwh_per_year": _(
            "The electricity use is blank, so it takes the reference figure (Boavizta) with "
            "its own range: leave its low and high estimates blank too, or enter the figure "
            "they go with."
        ),
    }
    for figure, low, high in footprint.RANGES:
        if values.get(figure) is not None or figure in refused:
            continue
        for name in (low, high):
            typed = values.get(name)
            if typed is not None and typed != getattr(reference, name):
                problems[name] = messages[figure]
    return problems


def code_key(code: str) -> str:
    """What makes two codes the same: capitals and surrounding spaces aside
    (`LAP-TEST-1` and ` lap-test-1 ` name one item)."""
    return (code or "").strip().lower()


def item_with_code(code: str, item=None) -> CatalogueItem | None:
    """Another item than `item` whose code is `code`, capitals and spaces aside. Codes
    are ASCII (the form's and the import's pattern), which SQL's lower() folds alike on
    SQLite and PostgreSQL."""
    query = select(CatalogueItem).where(func.lower(CatalogueItem.code) == code_key(code))
    if item is not None:
        query = query.where(CatalogueItem.id != item.id)
    return db.session.scalars(query.limit(1)).first()


def code_taken_message(other) -> str:
    """Why a code is refused: the item that already has it (a CatalogueItem, or a row of
    its code and names), by its code and name."""
    name = other.name_en if current_language() == "en" else other.name_fr
    return _(
        "Item %(code)s, “%(name)s”, already has this code (capital letters aside).",
        code=other.code,
        name=name,
    )


def committed_item_with_code(code: str):
    """The code and names of the item saved with `code` (capitals aside), read outside
    this session, whose transaction a refused write has spoilt: None if there is none."""
    query = select(CatalogueItem.code, CatalogueItem.name_fr, CatalogueItem.name_en).where(
        func.lower(CatalogueItem.code) == code_key(code)
    )
    with db.engine.connect() as connection:
        return connection.execute(query.limit(1)).first()


def flush_item(code: str) -> None:
    """Write an item whose `code` was found free a moment ago. Another admin's save may
    have taken it since, in other capitals too: the unique index on lower(code) refuses
    the second, which is told as a code taken before, at the code field and naming the
    item, never as an error page. The caller rolls back, as after any CatalogueError."""
    try:
        db.session.flush()
    except IntegrityError:
        taken_by = committed_item_with_code(code)
        if taken_by is None:
            raise  # another constraint: a fault of ours, not the person's
        raise CatalogueError(code_taken_message(taken_by), "code") from None


def _items_by_code_key(codes: list[str]) -> dict[str, CatalogueItem]:
    """The items with these codes, capitals and spaces aside as every code is compared
    (`eq-lap-06` names EQ-LAP-06), by `code_key`."""
    keys = {code_key(c) for c in codes if code_key(c)}
    if not keys:
        return {}
    found = db.session.scalars(
        select(CatalogueItem).where(func.lower(CatalogueItem.code).in_(keys))
    ).all()
    return {code_key(item.code): item for item in found}


def _unknown_codes(codes: list[str], own_code: str) -> list[str]:
    """The alternative codes no item has, sorted (the item's own code is ignored)."""
    codes = {c for c in codes if code_key(c) and code_key(c) != code_key(own_code)}
    known = _items_by_code_key(list(codes))
    return sorted(c for c in codes if code_key(c) not in known)


def _unknown_alternatives(missing: list[str]) -> str:
    return ngettext(
        "Unknown alternative code: %(codes)s",
        "Unknown alternative codes: %(codes)s",
        len(missing),
        codes=", ".join(missing),
    )


def search_text(values: dict) -> str:
    """What the text search matches: both names, the code and the category's key (its
    names in each language are matched at search time: queries.search_items)."""
    parts = (values.get("name_fr"), values.get("name_en"), values.get("code"), values["category"])
    return footprint.normalise_search(" ".join(p for p in parts if p))[:600]


def check_category(kind: str, category: str) -> None:
    if kind not in footprint.KINDS:
        raise CatalogueError(_("Unknown kind: write equipment or service."), "kind")
    if footprint.kind_of(category) != kind:
        raise CatalogueError(_("Unknown category for this kind of item."), "category")


def _refuse_taken_code(code: str, item=None) -> None:
    taken_by = item_with_code(code, item)
    if taken_by is not None:
        raise CatalogueError(code_taken_message(taken_by), "code")


def create_item(values: dict, actor, now: datetime, grid_factor: float) -> CatalogueItem:
    """Add an item to the catalogue (figures completed from reference data)."""
    values = {**values, "code": values["code"].strip()}
    check_category(values["kind"], values["category"])
    _refuse_taken_code(values["code"])
    values = complete_footprint(values, grid_factor)
    item = CatalogueItem(
        **{k: v for k, v in values.items() if hasattr(CatalogueItem, k)},
        created_at=now,
        updated_at=now,
    )
    db.session.add(item)
    flush_item(item.code)
    record_audit(actor, "create", "catalogue_item", item.id, now, creation_summary(item))
    return item


def creation_summary(item: CatalogueItem) -> str:
    """A new item's audit summary: its code, then the figures and source it starts with,
    as an edit's ("CODE: embodied_kgco2e - -> 255; …; source "" -> "Boavizta v2"")."""
    started = {key: getattr(item, key) for key in TRACKED_FIELDS}
    return changes_summary({"code": item.code}, started)


def _claim_version(item: CatalogueItem, seen: str, now: datetime) -> None:
    """Move the item's version on from `seen` in one conditional UPDATE: of two saves
    from forms opened on the same version, the database lets only the first through
    (the second finds the version moved, also on PostgreSQL's read committed)."""
    try:
        seen_at = datetime.fromisoformat(seen)
    except ValueError:
        seen_at = None
    if seen_at is None or seen_at.tzinfo is None:
        raise ItemChangedMeanwhile(changed_since_message(item))
    later = now if now > seen_at else seen_at + _TICK
    claimed = db.session.execute(
        update(CatalogueItem)
        .where(CatalogueItem.id == item.id, CatalogueItem.updated_at == seen_at)
        .values(updated_at=later)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.refresh(item)
        raise ItemChangedMeanwhile(changed_since_message(item))
    item.updated_at = seen_at  # as read: `touch_item` moves it on to `later`


def item_version(item: CatalogueItem) -> str:
    """What an edit form keeps of the item it was opened on: the moment of its last
    change, to the microsecond (`update_item(seen=…)`)."""
    return item.updated_at.isoformat() if item.updated_at else ""


def touch_item(item: CatalogueItem, now: datetime) -> None:
    """Mark an item changed at `now`, always later than its previous change: two changes
    within one tick of the clock would otherwise leave the same version, and a form
    opened between them would save over the second unseen."""
    previous = item.updated_at
    item.updated_at = now if previous is None or now > previous else previous + _TICK


_TICK = timedelta(microseconds=1)


def changed_since_message(item: CatalogueItem) -> str:
    """Why an edit form opened before the item's last change is refused: by whom and
    when it changed, and what that change was when the audit log words it."""
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "catalogue_item", AuditEvent.object_id == str(item.id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    when = format_moment(item.updated_at)
    actor = db.session.get(User, event.actor_id) if event and event.actor_id else None
    if actor is not None:
        message = _(
            "This item was changed by %(name)s on %(moment)s, after this form was opened: "
            "nothing was saved.",
            name=actor.display_name,
            moment=when,
        )
    else:
        message = _(
            "This item was changed on %(moment)s, after this form was opened: nothing was saved.",
            moment=when,
        )
    worded = audit_changes(event.summary) if event and event.action == "update" else None
    if worded:
        message += " " + _("That change: %(changes)s.", changes=worded)
    return (
        message
        + " "
        + _(
            "What you typed is kept below: check it against the item as it is now, then save "
            "again to keep it."
        )
    )


def update_item(
    item: CatalogueItem,
    values: dict,
    actor,
    now: datetime,
    grid_factor: float,
    seen: str | None = None,
):
    """Change an item's fields; derived figures are recomputed. `seen`: the version
    (`item_version`) the edit form was opened on; a later change refuses the save
    (`ItemChangedMeanwhile`), even one committed by another request a moment ago."""
    values = {**values, "code": values["code"].strip()}
    check_category(values["kind"], values["category"])
    _refuse_taken_code(values["code"], item)
    dropped = reference_dropped_problems(values, item)
    if dropped:
        field, message = next(iter(dropped.items()))
        raise CatalogueError(message, field)
    values = complete_footprint(reference_figures_followed(values, item), grid_factor)
    fields = [key for key in values if hasattr(CatalogueItem, key)]
    if seen is not None:
        _claim_version(item, seen, now)
    before = {key: getattr(item, key) for key in fields}
    for key in fields:
        setattr(item, key, values[key])
    touch_item(item, now)
    flush_item(values["code"])
    # What changed, so a wrong footprint can be traced: app.catalogue.audit words it.
    if any(before[key] != values[key] for key in fields):
        summary = changes_summary(before, values)
        record_audit(actor, "update", "catalogue_item", item.id, now, summary)
    return item


def set_alternatives(item: CatalogueItem, codes: list[str], actor, now: datetime) -> None:
    """Point an item to lower-footprint alternatives, by code."""
    codes = [c for c in codes if code_key(c) and code_key(c) != code_key(item.code)]
    by_key = _items_by_code_key(codes)
    missing = {c for c in codes if code_key(c) not in by_key}
    if missing:
        raise CatalogueError(_unknown_alternatives(sorted(missing)), "alternatives")
    # In the order typed, each once, under its stored code (`eq-lap-06` is EQ-LAP-06).
    found = list({code_key(c): by_key[code_key(c)] for c in codes}.values())
    if {a.id for a in item.alternatives} == {a.id for a in found}:
        return  # the edit form sends them with every save: unchanged, nothing to record
    kept = {a.id for a in item.alternatives}
    refused = [r for a in found if a.id not in kept for r in alternative_refusals(item, a)]
    if refused:
        raise CatalogueError(" ".join(refused), "alternatives")
    item.alternatives = found
    db.session.flush()
    # The item's own code first, as in every item event: the log is searched by code.
    summary = f"{item.code}: {','.join(a.code for a in found) or '-'}"
    record_audit(actor, "set_alternatives", "catalogue_item", item.id, now, summary)


def alternative_refusals(item, alternative) -> list[str]:
    """Why `alternative`, newly given, is no lighter choice for `item`: withdrawn (never
    shown), of another category (grades and figures compare within a category: a
    service's figure is per user, a device's per device), or not lighter as the pages
    write both figures (`footprint.lighter_as_shown`). Each the pages would drop in
    silence. Both are items, or an import line's values read as one (`code`, `status`,
    `category`, `annual_kgco2e`)."""
    code = alternative.code
    if alternative.status != "available":
        return [
            _(
                "%(code)s is withdrawn from the catalogue: it would never be shown as an "
                "alternative. Remove it.",
                code=code,
            )
        ]
    if alternative.category != item.category:
        return [
            _(
                "%(code)s is in another category (%(category)s): an alternative is of the "
                "item's own category. Remove it.",
                code=code,
                category=footprint.category_label(alternative.category),
            )
        ]
    if not footprint.lighter_as_shown(alternative.annual_kgco2e, item.annual_kgco2e):
        return [
            _(
                "%(code)s is not lighter than this item (%(its)s against %(this)s kg CO₂e a year): "
                "it would never be shown as an alternative. Remove it.",
                code=code,
                its=format_number(float(footprint.shown_figure(alternative.annual_kgco2e))),
                this=format_number(float(footprint.shown_figure(item.annual_kgco2e))),
            )
        ]
    return []


def discontinue_item(item: CatalogueItem, actor, now: datetime) -> None:
    """Take an item out of the catalogue; requests already made keep it."""
    item.status = "discontinued"
    touch_item(item, now)
    db.session.flush()
    record_audit(actor, "discontinue", "catalogue_item", item.id, now, item.code)


def make_item_available(item: CatalogueItem, actor, now: datetime) -> None:
    """Offer a discontinued item again; an available one stays as it is, unrecorded."""
    if item.status == "available":
        return
    before = {"code": item.code, "status": item.status}
    item.status = "available"
    touch_item(item, now)
    db.session.flush()
    # An edit of its status, as the form's would be recorded: "CODE: status … -> available".
    summary = changes_summary(before, {"code": item.code, "status": item.status})
    record_audit(actor, "update", "catalogue_item", item.id, now, summary)


# Requests -----------------------------------------------------------------


@functools.cache
def _basket_statement(dialect: str):
    """The basket's upsert, built once per dialect, its values bound at each call."""
    table = CatalogueRequest.__table__
    statement = upsert_insert(dialect)(table).values(
        user_id=bindparam("user_id"),
        department_id=bindparam("department_id"),
        status="draft",
        created_at=bindparam("now"),
    )
    return statement.on_conflict_do_update(
        # The partial unique index's own column and condition (`ix_catalogue_request_one_draft`),
        # written out: a bound 'draft' matched it only until PostgreSQL prepared the statement.
        index_elements=["user_id"],
        index_where=text("status = 'draft'"),
        set_={"status": statement.excluded.status},  # a draft stays one: the row is locked
    ).returning(table.c.id)


def get_or_create_basket(user, now: datetime) -> CatalogueRequest:
    """The person's request being prepared, opened on first use, locked until commit.

    One statement: INSERT .. ON CONFLICT DO UPDATE .. RETURNING, on the index that holds
    one draft per person. Looking first let two adds at once (a double click) each find
    none and open one. Now the second waits for the first (PostgreSQL locks the row,
    SQLite the database) and adds to the same basket, reading the lines the first put in.
    """
    basket_id = db.session.execute(
        _basket_statement(db.session.get_bind().dialect.name),
        {"user_id": user.id, "department_id": user.department_id, "now": now},
    ).scalar_one()
    return db.session.get(CatalogueRequest, basket_id)


def add_to_basket(
    user, item: CatalogueItem, quantity: int, now: datetime, form_token: str | None = None
) -> CatalogueRequestLine:
    """Put an available item in the user's basket (adds to the quantity already there).

    `form_token`: the add form's own (one per rendered form). The same form sent again
    with the same quantity (a double click, with or without JavaScript) changes nothing
    and gives the line as the first left it: the second send waits for the first on the
    basket (`get_or_create_basket`), then reads its line and token."""
    if item.status != "available":
        raise CatalogueError(_("This item is discontinued and can no longer be requested."))
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise CatalogueError(
            _("The quantity must be between 1 and %(n)s.", n=MAX_LINE_QUANTITY), "quantity"
        )
    basket = get_or_create_basket(user, now)
    line = next((line for line in basket.lines if line.item_id == item.id), None)
    form_token = (form_token or "")[:64] or None
    if (
        line is not None
        and form_token is not None
        and (line.form_token, line.form_quantity) == (form_token, quantity)
    ):
        return line
    held = line.quantity if line is not None else 0
    if held + quantity > MAX_LINE_QUANTITY:
        # Capping in silence left people believing their whole quantity was added.
        raise CatalogueError(too_many_message(held), "quantity")
    if line is None:
        line = CatalogueRequestLine(request=basket, item=item, quantity=0)
        db.session.add(line)
    line.quantity = held + quantity
    line.form_token, line.form_quantity = form_token, quantity
    db.session.flush()
    return line


def too_many_message(held: int) -> str:
    """Why a quantity does not fit beside the `held` ones already asked for, and how many
    more would: none is said in words ("you cannot add more"), not as "0 more"."""
    values = {"held": format_number(held), "n": format_number(MAX_LINE_QUANTITY)}
    if held >= MAX_LINE_QUANTITY:
        return ngettext(
            "Your request already holds %(held)s of this item: you cannot add more "
            "(%(n)s per item).",
            "Your request already holds %(held)s of this item: you cannot add more "
            "(%(n)s per item).",
            held,
            **values,
        )
    return ngettext(
        "Your request already holds %(held)s of this item: you can add at most "
        "%(more)s more (%(n)s per item).",
        "Your request already holds %(held)s of this item: you can add at most "
        "%(more)s more (%(n)s per item).",
        held,
        more=format_number(MAX_LINE_QUANTITY - held),
        **values,
    )


def remove_basket_line(user, line_id: int) -> CatalogueRequestLine | None:
    """Remove a line from the user's own basket: the line removed (its item and quantity
    are named to them), None when it is not theirs."""
    line = db.session.scalar(
        select(CatalogueRequestLine)
        .join(CatalogueRequest)
        .where(
            CatalogueRequestLine.id == line_id,
            CatalogueRequest.user_id == user.id,
            CatalogueRequest.status == "draft",
        )
    )
    if line is None:
        return None
    line.item  # noqa: B018 - loaded while the line is in the session, to be named after
    db.session.delete(line)
    db.session.flush()
    return line


def keep_basket_comment(user, comment: str) -> None:
    """Keep the comment typed for the request being prepared, not sent yet: removing a
    withdrawn line before sending reloads the page, which then still holds it."""
    basket = db.session.scalar(
        select(CatalogueRequest).where(
            CatalogueRequest.user_id == user.id, CatalogueRequest.status == "draft"
        )
    )
    if basket is not None:
        basket.comment = (comment or "").strip()[:500]
        db.session.flush()


def submit_basket(user, comment: str, now: datetime) -> CatalogueRequest:
    """Send the basket for approval; the footprint of each line is frozen."""
    basket = db.session.scalar(
        select(CatalogueRequest)
        .where(CatalogueRequest.user_id == user.id, CatalogueRequest.status == "draft")
        # An add at the same moment waits (`get_or_create_basket`), then opens a new basket:
        # its line never lands, unfrozen, in the request just sent.
        .with_for_update()
    )
    if basket is None or not basket.lines:
        raise CatalogueError(_("Your request is empty: add items first."))
    for line in basket.lines:
        if line.item.status != "available":
            raise CatalogueError(
                _(
                    "%(name)s: this item is no longer in the catalogue. Remove it before "
                    "sending your request.",
                    name=line.item.name(user.locale or "fr"),
                )
            )
        line.annual_kgco2e = line.item.annual_kgco2e
    basket.status = "submitted"
    basket.comment = (comment or "").strip()[:500]
    basket.submitted_at = now
    basket.department_id = user.department_id
    db.session.flush()
    return basket


def _close_submitted(request: CatalogueRequest, status: str, decider, now: datetime, note=""):
    """Move a request waiting for a decision to `status`, unless it was closed meanwhile.
    `decider`: the admin who approved or refused it; None for a withdrawal, which is no
    decision (the person's export would list it among those they decided as staff).

    One conditional UPDATE: an admin's decision and the requester's withdrawal sent at
    the same moment cannot both apply; the second is told what happened.
    """
    decided_by_id = decider.id if decider is not None else None
    closed = db.session.execute(
        update(CatalogueRequest)
        .where(CatalogueRequest.id == request.id, CatalogueRequest.status == "submitted")
        .values(status=status, decided_at=now, decided_by_id=decided_by_id, decision_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(request)
    if not closed:
        if request.status == "withdrawn" and request.withdrawn_on_erasure:
            # Erasure withdraws the person's waiting requests, then detaches them: the
            # person did not take it back, and nobody is left to receive the items. One
            # they withdrew before is detached alike, and still theirs to have withdrawn.
            raise CatalogueError(
                _(
                    "This request was withdrawn because the personal data of the person "
                    "who sent it was erased."
                )
            )
        if request.status == "withdrawn":
            raise CatalogueError(_("This request was withdrawn by the person who sent it."))
        raise CatalogueError(already_decided(request))


def already_decided(request: CatalogueRequest) -> str:
    """What became of a request someone else decided first, by whom and when: « already
    decided » left the admin who lost the race to find out whether it was approved."""
    if request.status not in ("approved", "refused"):
        return _("This request has already been decided.")
    decider = db.session.get(User, request.decided_by_id) if request.decided_by_id else None
    when = format_moment(request.decided_at) if request.decided_at else ""
    approved = request.status == "approved"
    if decider is None:  # erased since: the decision stays, nobody to name
        if approved:
            return _("This request was already approved on %(moment)s.", moment=when)
        return _("This request was already refused on %(moment)s.", moment=when)
    name = decider.display_name
    if approved:
        return _(
            "This request was already approved by %(name)s on %(moment)s.", name=name, moment=when
        )
    return _("This request was already refused by %(name)s on %(moment)s.", name=name, moment=when)


def refuse_own_request(request: CatalogueRequest, admin) -> None:
    """Staff never sign off their own work: an admin's own request waits for another admin."""
    if request.user_id is not None and request.user_id == admin.id:
        raise OwnRequest(_("You sent this request yourself: another administrator decides on it."))


def decide_request(request: CatalogueRequest, admin, approve: bool, note: str, now: datetime):
    """Approve or refuse a submitted request (never one the admin sent)."""
    refuse_own_request(request, admin)
    note = (note or "").strip()[:500]
    if not approve and not note:
        # A refusal without a word leaves the requester guessing what to ask for instead.
        raise RefusalReasonMissing(_("Give the requester the reason for the refusal."))
    status = "approved" if approve else "refused"
    # Read before closing: once approved, every line counts as frozen.
    not_counted = [line for line in request.lines if not line.counted]
    _close_submitted(request, status, admin, now, note)
    if approve:
        # An item discontinued since the request was sent is « not counted » in the queue,
        # as in the basket: the approval charges the budget nothing for it, and gives it
        # to nobody. The figure frozen at sending stays what was asked for.
        for line in not_counted:
            line.not_counted = True
        db.session.flush()
    record_audit(admin, request.status, "catalogue_request", request.id, now, request.decision_note)
    if request.user_id is not None:  # an erased requester has no one to tell
        request_decided.send(
            current_app._get_current_object(),
            request_id=request.id,
            user_id=request.user_id,
            approved=approve,
            now=now,
        )
    return request


def withdraw_request(user, request_id: int, now: datetime) -> CatalogueRequest | None:
    """The requester takes back a request still waiting for a decision.

    None when the request is not theirs. It leaves the admins' queue and never counts
    in a budget; the person sends a new one if they still need the items.
    """
    request = db.session.scalar(
        select(CatalogueRequest).where(
            CatalogueRequest.id == request_id,
            CatalogueRequest.user_id == user.id,
            CatalogueRequest.status != "draft",
        )
    )
    if request is None:
        return None
    try:
        _close_submitted(request, "withdrawn", None, now)
    except CatalogueError:
        if request.status == "withdrawn":  # sent twice: the first one did it
            raise CatalogueError(_("You have already withdrawn this request.")) from None
        raise CatalogueError(
            _("This request has been decided: it can no longer be withdrawn.")
        ) from None
    return request


def request_again(
    user, request_id: int, now: datetime
) -> tuple[int, list[CatalogueItem], list[CatalogueItem]] | None:
    """Put the items of one of my decided or withdrawn requests back in my basket.

    None when the request is not theirs or still waits for a decision. Returns how many
    lines went back, the items left out because they are no longer available and those
    left out because the basket would hold more than MAX_LINE_QUANTITY of them.
    """
    request = db.session.scalar(
        select(CatalogueRequest).where(
            CatalogueRequest.id == request_id,
            CatalogueRequest.user_id == user.id,
            CatalogueRequest.status.in_(("approved", "refused", "withdrawn")),
        )
    )
    if request is None:
        return None
    added, unavailable, too_many = 0, [], []
    for line in request.lines:
        if line.item.status != "available":
            unavailable.append(line.item)
            continue
        try:
            add_to_basket(user, line.item, line.quantity, now)
        except CatalogueError:  # more than a line may hold: nothing added for this one
            too_many.append(line.item)
            continue
        added += 1
    return added, unavailable, too_many


# Budgets and usefulness -----------------------------------------------------


def set_budget(department_id: int, year: int, amount: float, actor, now: datetime):
    """Set (or change) a department's yearly footprint budget, to a tenth at most.

    One INSERT .. ON CONFLICT DO NOTHING, then the row read locked: two admins setting
    the same first budget at once each looked, found none and inserted (the second a
    500), and both were told it was saved. Now the second waits for the first
    (PostgreSQL locks the row, SQLite the database) and changes the budget the first set,
    its audit event saying from what."""
    amount = float(amount) + 0.0  # -0 is 0: « 10 → -0 » was saved and logged
    if amount < 0:
        raise CatalogueError(_("A budget cannot be negative."))
    if not footprint.tenth_at_most(amount):
        raise CatalogueError(str(footprint.BUDGET_TO_A_TENTH))
    table = CatalogueBudget.__table__
    inserted = db.session.execute(
        upsert_insert(db.session.get_bind().dialect.name)(table)
        .values(department_id=department_id, year=year, budget_kgco2e=amount, updated_at=now)
        .on_conflict_do_nothing(index_elements=["department_id", "year"])
        .returning(table.c.id)
    ).scalar_one_or_none()
    budget = db.session.scalars(
        select(CatalogueBudget)
        .where(CatalogueBudget.department_id == department_id, CatalogueBudget.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    before = None if inserted is not None else budget.budget_kgco2e
    budget.budget_kgco2e = amount
    budget.updated_at = now
    db.session.flush()
    # Which department, and from what: "Carbon budget #30 · 2026: 12.5" traced neither.
    department = db.session.get(Department, department_id)
    summary = budget_summary(department, year, before, amount)
    record_audit(actor, "set_budget", "catalogue_budget", budget.id, now, summary)
    return budget


def toggle_useful(user, item: CatalogueItem, now: datetime) -> bool:
    """Mark a service useful to the user, or take the mark back. Returns the new state."""
    if item.kind != "service":
        raise CatalogueError(_("Only services can be marked useful."))
    if item.status != "available":
        # Counted, such a mark fed the admins' usefulness review of a service gone.
        raise CatalogueError(_("This service is discontinued and can no longer be marked useful."))
    mark = db.session.scalar(
        select(CatalogueUsefulMark).where(
            CatalogueUsefulMark.item_id == item.id, CatalogueUsefulMark.user_id == user.id
        )
    )
    if mark is not None:
        db.session.delete(mark)
        db.session.flush()
        return False
    db.session.add(CatalogueUsefulMark(item_id=item.id, user_id=user.id, created_at=now))
    db.session.flush()
    return True


# Personal data ----------------------------------------------------------------


def request_status_name(status: str) -> str:
    """A request's status as its pages (`status_text` in `_label.html`) and the personal
    data export say it."""
    names = {
        "draft": _("Not sent yet"),
        "submitted": _("Waiting for a decision"),
        "approved": _("Approved"),
        "refused": _("Refused"),
        "withdrawn": _("Withdrawn"),
    }
    return names.get(status, status)


def export_personal_data(user) -> dict:
    """A person's requests and usefulness marks, JSON-serialisable: each item's code and
    each status with its name in the language of the locale in force (the export forces
    the person's), each moment with the portal's local offset."""
    language = current_language()
    requests = db.session.scalars(
        select(CatalogueRequest)
        .where(CatalogueRequest.user_id == user.id)
        .order_by(CatalogueRequest.id)
        .options(selectinload(CatalogueRequest.lines).selectinload(CatalogueRequestLine.item))
    ).all()
    marks = db.session.execute(
        select(CatalogueUsefulMark.created_at, CatalogueItem)
        .join(CatalogueItem, CatalogueItem.id == CatalogueUsefulMark.item_id)
        .where(CatalogueUsefulMark.user_id == user.id)
        .order_by(CatalogueUsefulMark.created_at)
    ).all()
    return {
        "requests": [
            {
                "id": r.id,
                "status": r.status,
                "status_name": request_status_name(r.status),
                "comment": r.comment,
                "created_at": local_iso(r.created_at),
                "submitted_at": local_iso(r.submitted_at),
                # A withdrawal is stored as the request's closing time; it is no decision.
                "decided_at": _iso_unless(r.decided_at, r.status == "withdrawn"),
                "withdrawn_at": _iso_unless(r.decided_at, r.status != "withdrawn"),
                "decision_note": r.decision_note,
                "lines": [
                    {
                        "item": line.item.code,
                        "item_name": line.item.name(language),
                        "quantity": line.quantity,
                    }
                    for line in r.lines
                ],
                # As the request's page writes it, and its department's budget counts it.
                "total_annual_kgco2e": float(footprint.request_as_written(r)),
            }
            for r in requests
        ],
        "useful_marks": [
            {"item": item.code, "item_name": item.name(language), "at": local_iso(at)}
            for at, item in marks
        ],
    }


def _iso_unless(moment: datetime | None, hidden: bool) -> str | None:
    return None if hidden else local_iso(moment)


def requester(object_id: str):
    """Whose request an audit event names (`register_audit_subject`): nobody once they
    are erased."""
    return select(CatalogueRequest.user_id).where(CatalogueRequest.id == database_id(object_id))


def decided_requests(user) -> list[dict]:
    """The requests the person approved or refused as an admin, for their export's
    `staff_records`: which (its id, as the audit log names it), when and how; nothing of
    the requester nor of what they asked for."""
    rows = db.session.execute(
        select(CatalogueRequest.id, CatalogueRequest.status, CatalogueRequest.decided_at)
        .where(
            CatalogueRequest.decided_by_id == user.id,
            # Withdrawals are the requester's own, never a decision (older rows held the
            # requester there too: migration 20261206_catalogue_withdrawals clears them).
            CatalogueRequest.status.in_(DECIDED),
        )
        .order_by(CatalogueRequest.decided_at, CatalogueRequest.id)
    )
    return [
        {
            "request": request_id,
            "status": status,
            "status_name": request_status_name(status),
            "decided_at": local_iso(decided_at),
        }
        for request_id, status, decided_at in rows
    ]


def audited_requests(user):
    """The person's requests as the audit log names them, each since it was created
    (`PersonalData.audited`)."""
    return "catalogue_request", select(
        cast(CatalogueRequest.id, String), CatalogueRequest.created_at
    ).where(CatalogueRequest.user_id == user.id)


def erase_personal_data(user, now: datetime) -> None:
    """Delete the person's basket, withdraw their requests still waiting for a decision
    (nobody is left to receive the items: they leave the admins' queue, and no approval
    charges a budget for them), marked as withdrawn by the erasure (those the person
    withdrew themselves stay theirs), then detach their requests and marks from them.

    Sent requests keep their department and lines, so every budget total stays exactly
    the same; free text that may identify them goes, the decision notes the audit log
    copied too (its events stay).
    """
    erase_audit_texts(
        "catalogue_request",
        select(cast(CatalogueRequest.id, String)).where(CatalogueRequest.user_id == user.id),
    )
    drafts = select(CatalogueRequest.id).where(
        CatalogueRequest.user_id == user.id, CatalogueRequest.status == "draft"
    )
    db.session.execute(
        delete(CatalogueRequestLine).where(CatalogueRequestLine.request_id.in_(drafts))
    )
    db.session.execute(
        delete(CatalogueRequest).where(
            CatalogueRequest.user_id == user.id, CatalogueRequest.status == "draft"
        )
    )
    # One conditional UPDATE, as a withdrawal: an admin's decision sent at the same
    # moment applies first or is told the request was withdrawn (`_close_submitted`).
    # Undated (`withdrawn_on_erasure` says why it closed): the erasure's moment on a
    # detached request would lead back to the anonymised account, erased at that moment.
    db.session.execute(
        update(CatalogueRequest)
        .where(CatalogueRequest.user_id == user.id, CatalogueRequest.status == "submitted")
        .values(status="withdrawn", decided_at=None, decided_by_id=None, withdrawn_on_erasure=True)
    )
    db.session.execute(
        update(CatalogueRequest)
        .where(CatalogueRequest.user_id == user.id)
        .values(user_id=None, comment="", decision_note="")
    )
    db.session.execute(
        update(CatalogueUsefulMark)
        .where(CatalogueUsefulMark.user_id == user.id)
        .values(user_id=None)
    )
    db.session.flush()
    db.session.expire_all()
