"""Views of the catalogue domain: browse, understand a label, request, budgets, admin."""

import functools
import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

from babel.numbers import format_percent
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.auth.decorators import role_required
from app.auth.forms import ConfirmForm
from app.catalogue import (
    footprint,
    pending_imports,
    queries,
    report_export,
    services,
    spelling,
    spreadsheet,
)
from app.catalogue.audit import STATUS_LABELS
from app.catalogue.csv_io import (
    estimate_words,
    export_catalogue_csv,
    export_catalogue_for_spreadsheet,
    figures_as_written,
    import_catalogue_csv,
    spreadsheet_file_name,
)
from app.catalogue.footprint import common_digits, half_up, small_figure_digits, tenths
from app.catalogue.forms import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_MB,
    AddToRequestForm,
    BudgetForm,
    ConfirmImportForm,
    DecisionForm,
    ImportForm,
    ItemForm,
    LifetimeForm,
    SearchForm,
    SubmitRequestForm,
)
from app.catalogue.models import CatalogueItem
from app.catalogue.reference import (
    CATEGORY_ARCHETYPES,
    DEFAULT_USE_HOURS_PER_YEAR,
    category_reference,
    dataset_version,
    device_use_hours,
)
from app.catalogue.seed import description_shown
from app.core import cache, slots
from app.core.confirmation import asks_after_check, question_page
from app.core.csv_import import item_counts, listed, uploaded_csv
from app.core.database import reads_only
from app.core.forms import new_form_token
from app.core.htmx import fragment_title, wants_fragment
from app.core.i18n import current_language, format_kg_co2e, format_number, plural_count
from app.core.models import departments_by_name
from app.core.security import accepts_files
from app.core.time import local_zone, utcnow
from app.core.urls import database_id, requested_page, within_pages
from app.extensions import db

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue", template_folder="templates")
SEARCH_ARGS = ("q", "kind", "category", "grade", "status", "sort")
FILTER_ARGS = ("kind", "category", "grade", "status")  # what narrows the listing (not sort)


@bp.context_processor
def catalogue_helpers():
    return {
        "category_label": footprint.category_label,
        "category_others": footprint.category_others,
        "sources_shown": footprint.sources_shown,
        "sources_in_words": footprint.sources_in_words,
        "share_of_new": footprint.share_of_new,
        "source_link_text": footprint.source_link_text,
        "description_shown": description_shown,
        "share_percent": share_percent,
        "signed_percent": signed_percent,
        "over_budget_question": over_budget_question,
        "budget_seen": budget_seen,
        "request_named": request_named,
        "kg_as_entered": kg_as_entered,
        "kg_wrapping": kg_wrapping,
        "kg_figure": kg_figure,
        "kg_graded": kg_graded,
        "kg_yearly_parts": kg_yearly_parts,
        "kg_line": kg_line,
        "kg_request_total": kg_request_total,
        "request_shown_total": request_shown_total,
        "compare_columns": compare_columns,
        "created_figure": created_figure,
        "years_row": years_row,
        "common_digits": common_digits,
        "kwh": kwh,
        "kg_per_kwh": kg_per_kwh,
        "item_status_name": item_status_name,
        "figures_as_written": figures_as_written,
        "estimate_words": estimate_words,
        "file_heading": spreadsheet.heading,
        "car_kgco2e_per_km": footprint.CAR_KGCO2E_PER_KM,
    }


def item_status_name(status: str) -> str:
    """An item's status in the reader's language ("discontinued" is « Retiré »)."""
    return str(STATUS_LABELS.get(status, status))


def share_percent(share: float) -> str:
    """A share already rounded as it is judged (queries.shown_share), written with the
    decimals it has and no more: "79,6 %" next to a threshold, "57 %" elsewhere."""
    return format_percent(share, locale=get_locale(), decimal_quantization=False)


def signed_percent(change: float) -> str:
    """A change with its sign, « +12 % » or « −41 % »: Babel writes the number in the
    reader's locale, and its minus, a hyphen in Babel's French and English, is written as
    the minus sign (U+2212) that typography and screen readers take for one. A change
    written as 0 has no sign."""
    locale = get_locale()
    pattern = locale.percent_formats[None].pattern.split(";")[0]
    text = format_percent(change, f"+{pattern};-{pattern}", locale=locale)
    if not any(digit in text for digit in "123456789"):
        return format_percent(0, locale=locale)
    return text.replace("-", "\u2212")


def kg_as_entered(value: float) -> str:
    """A figure someone typed (a budget), to a tenth at most and without a trailing ",0":
    425,5 stays 425,5 and 950 stays 950."""
    return f"{format_number(value, '#,##0.#')}\u00a0kg\u00a0CO₂e"


def kg_figure(value: float | None, *range_values: float | None) -> str:
    """A footprint figure as every catalogue page writes it (item page, comparison,
    listing, requests): to a tenth, without a trailing ",0" unless its range, given
    after it, needs the tenth. The item page said "181 kg CO₂e" and the comparison
    "181,0 kg CO₂e" for the same figure."""
    digits = common_digits(value, *range_values)
    return format_kg_co2e(half_up(value, digits), digits)


def kg_graded(value: float, category: str) -> str:
    """A yearly footprint written beside its grade: as `kg_figure`, with the decimals a
    figure near a bound needs to explain the grade (a laptop's 60.04 kg is F, E ending at
    60: « 60,04 kg », not « 60 kg » that reads as an E)."""
    digits = graded_digits(value, category)
    return format_kg_co2e(half_up(value, digits), digits)


def graded_digits(value: float | None, category: str) -> int:
    """The decimals `kg_graded` writes a yearly footprint with."""
    bounds = footprint.THRESHOLDS.get(category)
    digits = common_digits(value)
    if bounds is None or value is None:
        return digits
    grade = footprint.GRADES.index(footprint.grade_for(category, value))
    low = bounds[grade - 1] if grade > 0 else float("-inf")
    high = bounds[grade] if grade < len(bounds) else float("inf")
    while digits < 6 and not low < half_up(value, digits) <= high:
        digits += 1
    return digits


def kg_yearly_parts(item) -> tuple[str, str, bool]:
    """An equipment item's manufacture a year and electricity a year as its page writes
    them above its yearly footprint (`kg_graded`), each as any figure alone (`kg_figure`):
    one stored figure reads the same on every page (a use of 10.2492 kg is « 10,2 » on
    the item page and in Compare; shared out so that the parts added up to the total,
    it read « 10,3 » on one item's page and « 10,2 » on another's). The third value says
    whether the parts as written add up to the total as written: where they do not, the
    page says once that figures are rounded."""
    embodied, lifetime = item.embodied_kgco2e, item.lifetime_years
    share = embodied / lifetime if embodied and lifetime else 0.0
    use = item.use_kgco2e_per_year or 0.0
    total = half_up(item.annual_kgco2e, graded_digits(item.annual_kgco2e, item.category))
    written = [half_up(part, common_digits(part)) for part in (share, use)]
    return kg_figure(share), kg_figure(use), sum(written) == total


def kg_saving(heavier: float, lighter: float) -> str:
    """What the lighter of two items saves a year, as their figures are written: the
    listing's 33,7 and 8,5 save « 25,2 », where their unrounded gap read 25,3."""
    saving = footprint.shown_figure(heavier) - footprint.shown_figure(lighter)
    return kg_figure(float(saving), heavier, lighter)


def kg_line(line) -> str:
    """A request line's yearly footprint as its table writes it (`line_shown`), as any
    figure alone: 2 × 8,5 is « 17 », not « 17,0 »."""
    return kg_figure(float(line_shown(line)))


def line_shown(line) -> Decimal:
    """A request line's yearly footprint as written (`footprint.line_as_written`)."""
    return footprint.line_as_written(line)


def kg_request_total(req) -> str:
    """A request's yearly footprint: its lines as their table writes them, added, so
    that the total is their sum to whoever adds them up (18,1 + 8,5 is « 26,6 », where
    the unrounded total read 26,7). Its department's budget counts the same figure."""
    # With the decimals of its lines as written (« 8,5 + 0,14 = 8,64 »), not of their
    # items' figures: 2 × 8,5 wrote a whole total « 17,0 », where the listing writes « 26 ».
    lines = (float(line_shown(line)) for line in req.lines if line.counted)
    return kg_figure(request_shown_total(req), *lines)


def request_shown_total(req) -> float:
    """The sum of a request's lines as written (`footprint.request_as_written`)."""
    return float(footprint.request_as_written(req))


def created_figure(values: dict, column: str) -> str | None:
    """A figure of an item the import would create, written as its page will write it
    (`kg_graded`, `kg_figure`, `kg_yearly_parts`): « 55,5 », not the stored
    55.4992; its unit is the column heading's. None for a column that is not a footprint
    figure."""
    written = _created_kg(values, column)
    return written and written.removesuffix("\u00a0kg\u00a0CO₂e")


def _created_kg(values: dict, column: str) -> str | None:
    needed = ("kind", "category", "annual_kgco2e", "embodied_kgco2e", "embodied_min_kgco2e",
              "embodied_max_kgco2e", "use_kgco2e_per_year", "lifetime_years")  # fmt: skip
    item = SimpleNamespace(**{name: values.get(name) for name in needed})
    if column not in needed or getattr(item, column) is None:
        return None
    if column == "annual_kgco2e":
        return kg_graded(item.annual_kgco2e, item.category)
    if column == "embodied_kgco2e":
        return kg_figure(item.embodied_kgco2e, item.embodied_min_kgco2e, item.embodied_max_kgco2e)
    if column == "use_kgco2e_per_year":
        if item.kind == "equipment":
            return kg_yearly_parts(item)[1]
        return kg_graded(item.annual_kgco2e, item.category)
    return None


def compare_columns(items) -> list[dict[str, str]]:
    """Compare's figures, one column per item (`compare_column`)."""
    return [compare_column(item) for item in items]


def compare_column(item) -> dict[str, str]:
    """An item's figures in Compare, each written as its own page writes it: the yearly
    footprint as beside its grade (`kg_graded`), the manufacturing footprint with its
    range (`kg_figure`), the use a year as the part of the yearly footprint it is
    (`kg_yearly_parts`). A service's yearly footprint is its use a year: both read the
    same. Rows that shared their decimals wrote « 2,73 » beside the page's « 2,7 », and a
    service's 0,97 as « 1,0 » above « 0,97 ». The unit may go to the next line in a
    narrow column."""
    yearly = kg_graded(item.annual_kgco2e, item.category)
    if item.kind == "equipment":
        made = kg_figure(item.embodied_kgco2e, item.embodied_min_kgco2e, item.embodied_max_kgco2e)
        used = kg_yearly_parts(item)[1]
    else:
        made = kg_figure(item.embodied_kgco2e)
        used = yearly
    return {
        name: text.replace("\u00a0kg", " kg", 1)
        for name, text in (("yearly", yearly), ("made", made), ("used", used))
    }


def years_row(items) -> list[str]:
    """A comparison's row of lifetimes, with a tenth for all once one needs it:
    « 6,0 ans | 6,6 ans », never « 6 ans | 6,6 ans »; « – » where none is known."""
    lifetimes = [item.lifetime_years for item in items]
    digits = int(any(years and tenths(years) % 10 for years in lifetimes))
    pattern = "#,##0.0" if digits else "#,##0"
    return [
        ngettext(
            "%(years)s year",
            "%(years)s years",
            plural_count(years),
            years=format_number(half_up(years, digits), pattern),
        )
        if years
        else "–"
        for years in lifetimes
    ]


def kg_wrapping(value: float | None, *range_values: float | None) -> str:
    """Like `kg_figure`, but the unit may go to the next line in a narrow column."""
    text = kg_figure(value, *range_values)
    return text.replace("\u00a0kg", " kg", 1)


def kwh(value: float | None) -> str:
    """Electricity in kWh, to a tenth at most (two significant digits under one: « 0,05 »,
    not « 0 »), a half up, held to its unit by a no-break space."""
    digits = max(small_figure_digits(value), 1) if value is not None else 1
    pattern = "#,##0." + "#" * digits
    return f"{format_number(half_up(value, digits), pattern)}\u00a0kWh"


def kg_per_kwh(factor: float | None) -> str:
    """A grid's emission factor, "0,052 kg CO₂e" (per kWh, said by the sentence), held
    together by no-break spaces as every other figure and unit of the portal."""
    return f"{format_number(factor, '0.000')}\u00a0kg\u00a0CO₂e"


def listing_title(q: str, filtered: bool, page: int) -> str:
    """The listing's page title, naming what it shows (RGAA 8.6): the words searched, or
    that filters apply, and the page past the first."""
    if q:
        title = _("Results for “%(words)s” – Catalogue", words=q)
    elif filtered:
        title = _("Filtered results – Catalogue")
    else:
        title = _("Catalogue")
    if page > 1:
        return _("%(title)s, page %(page)s", title=title, page=format_number(page))
    return title


# Items ticked to compare, kept from search to search: more than a comparison takes
# (four), few enough to list under the results.
TICKED_AT_MOST = 12
_TICK_BOX = re.compile(r'id="cmp-(\d+)"')


def _ticked_ids() -> tuple[list[int], bool]:
    """The items this person has ticked so far, in the order ticked, as the listing's
    address carries them (`ids`), the first TICKED_AT_MOST of them; and whether some
    were left out (said where the ticked items are, `_ticked.html`)."""
    ids = (database_id(raw) for raw in request.args.getlist("ids"))
    ticked = list(dict.fromkeys(i for i in ids if i is not None))
    return ticked[:TICKED_AT_MOST], len(ticked) > TICKED_AT_MOST


def _with_ticked(
    listing: Markup, ids: list[int], page: int, oob: bool = False, dropped: bool = False
) -> Markup:
    """The cached listing (the same for everyone) with this person's ticked items: their
    boxes in it ticked; above the results, the compare bar (`_compare_bar.html`, how
    many are ticked) and the block listing those it does not show (`_ticked.html`),
    which a new search or page does not swap out, so that a laptop is compared with its
    refurbished version found by another search or on another page. An htmx answer
    (`oob`) brings both after the results, out of band. Ticks past TICKED_AT_MOST
    (`dropped`) are said there, not silently forgotten."""
    text = str(listing)
    listed = 'id="cmp-' in text
    if not ids:  # most views (a benchmarked page): the listing as cached, shared blocks
        extra = cache.fragment(
            "catalogue.ticked_none",
            (current_language(), listed, page > 1 and page, oob),
            (),
            lambda: _compare_bar(0, page, oob, listed) + _ticked_block([], oob),
        )
    else:
        shown = {int(found) for found in _TICK_BOX.findall(text)}
        for item_id in shown.intersection(ids):
            text = text.replace(f'id="cmp-{item_id}"', f'id="cmp-{item_id}" checked')
        apart = [i for i in ids if i not in shown]
        items = queries.get_items(apart) if apart else []
        extra = _compare_bar(len(ids), page, oob, listed or bool(items))
        extra += _ticked_block(items, oob, dropped)
    if oob:
        return Markup(text) + extra  # noqa: S704 - our own autoescaped templates
    return Markup(text.replace(_RESULTS, f"{extra}{_RESULTS}", 1))  # noqa: S704 - idem


_RESULTS = '<div id="results">'


def _compare_bar(count: int, page: int, oob: bool, shown: bool) -> Markup:
    """The compare button and how many items are ticked; an empty bar (for a later live
    search to fill) when there is nothing to tick."""
    return _rendered(
        "catalogue/_compare_bar.html",
        count=count, page=page, oob=oob, shown=shown, limit=TICKED_AT_MOST,
    )  # fmt: skip


def _ticked_block(items: list, oob: bool, dropped: bool = False) -> Markup:
    kept_at_most = format_number(TICKED_AT_MOST) if dropped else None
    return _rendered("catalogue/_ticked.html", items=items, oob=oob, kept_at_most=kept_at_most)


def _listing_place() -> dict[str, str]:
    """The catalogue filters and page someone came from, to take them back there."""
    return {name: request.args[name] for name in (*SEARCH_ARGS, "page") if request.args.get(name)}


def _grid() -> float:
    return current_app.config["GRID_FACTOR_KGCO2E_PER_KWH"]


def _item_or_404(item_id: int) -> CatalogueItem:
    item = queries.get_item(item_id)
    if item is None:
        abort(404)
    return item


@bp.get("/")
@reads_only
@login_required
def index():
    """Browse and search the catalogue; the results alone for htmx.

    What is listed is the same for everyone who asks the same thing, so the
    results (and the page around them) are cached per query and language until
    the catalogue changes (app/core/cache.py).
    """
    page = requested_page()
    asked = request.args
    # Only the filters themselves: unknown parameters are neither echoed in links nor keyed.
    args = {name: asked[name] for name in SEARCH_ARGS if asked.get(name)}
    # The key holds every filter given, even empty: `?status=` is refused, no status is not.
    given = sorted((name, asked[name]) for name in SEARCH_ARGS if name in asked)
    key = (current_language(), page, *given)

    @functools.cache
    def checked_form() -> tuple[SearchForm, bool]:
        form = SearchForm(asked)
        return form, form.validate()

    def render_results():
        form, valid = checked_form()
        items, total, shown_page, pages, suggestion = [], 0, page, 1, None
        if valid:
            filters = queries.Filters(
                q=(form.q.data or "").strip(),
                kind=form.kind.data,
                category=form.category.data,
                grade=form.grade.data,
                status=form.status.data,
                sort=form.sort.data,
            )
            items, total, shown_page, pages = within_pages(
                lambda n: queries.search_items(filters, n, current_language()),
                page,
                queries.PER_PAGE,
            )
            if filters.q and not total:  # « Vouliez-vous dire : écran ? »
                suggestion = spelling.suggest_search(filters, current_language())
        # A page past the end of nothing found (or of refused filters) is the first: the
        # title said "page 99" above no result.
        shown_page = min(shown_page, pages)
        html = render_template(
            "catalogue/_results.html",
            form=form,
            items=items,
            total=total,
            page=shown_page,
            pages=pages,
            args=args,
            suggestion=suggestion,
        )
        q = (form.q.data or "").strip() if valid else ""
        # Filtered: a filter other than its default (the live search sends them all).
        filtered = valid and any(form[n].data != form[n].default for n in FILTER_ARGS)
        return listing_title(q, filtered, shown_page), html

    def results() -> tuple[str, Markup]:
        """The listing's title (what was asked, the page shown) and its results, kept
        together: one key, so the title follows the very results it names."""
        title, html = cache.value(
            "catalogue.results", key, ("catalogue",), render_results, typed=bool(given)
        )
        return title, Markup(html)  # noqa: S704 - our own autoescaped template, cached

    ticked, dropped = _ticked_ids()
    if wants_fragment():
        # htmx puts the URL in the history: its <title> (taken out of the swap) follows.
        title, html = results()
        # Refused filters are said in the results.
        return fragment_title(title) + _with_ticked(
            html, ticked, page, oob=True, dropped=dropped
        ), 200

    def render_browse() -> tuple[str, str, bool]:
        form, valid = checked_form()
        title, html = results()
        browse = render_template("catalogue/_browse.html", form=form, results=html)
        return title, str(browse), valid

    # The page around the results, its title and whether its filters are valid (which
    # depends on them alone): one look-up, and no catalogue of translations to find for
    # the title; the form is built only to render what is not cached yet.
    title, browse, valid = cache.value(
        "catalogue.browse",
        (*key, current_user.has_role("admin")),
        ("catalogue",),
        render_browse,
        typed=bool(given),
    )
    browse = Markup(browse)  # noqa: S704 - our own autoescaped template, cached
    browse = _with_ticked(browse, ticked, page, dropped=dropped)
    html = render_template("catalogue/index.html", title=title, browse=browse)
    return html, 200 if valid else 400


@bp.get("/items/<int:item_id>")
@reads_only
@login_required
def show_item(item_id: int):
    """An item's label explained: figures, sources, ranges, lifetime, alternatives."""
    return _item_page(item_id, _empty_quantity_field())


def _item_page(
    item_id: int, quantity_field: Markup, status: int = 200, form_token: str | None = None
):
    """The item's page with `quantity_field` (empty, or refused as this person typed it)
    and the add form's token (a new one, or the refused form's: nothing was added).

    The page is the same for everyone until the catalogue changes, but for what is each
    person's: it is kept with slots (app/core/slots.py) filled for each request.
    """
    # An empty value (a shared link that lost it) is no choice: the item's own lifetime.
    years = (request.args.get("years") or "").strip() or None
    admin = current_user.has_role("admin")
    shared = cache.value(
        "catalogue.item",
        (item_id, current_language(), cache.digest(years), admin),
        ("catalogue",),
        lambda: _render_item_page(item_id, years, admin),
        typed=years is not None,
    )
    if shared is None:
        abort(404)
    head, parts, valid = shared
    held = queries.quantity_in_basket(current_user, head.id)
    values = {
        "csrf": generate_csrf(),
        "form_token": form_token or new_form_token(),
        # "Add 2" reads as an order of 2: say what the request already holds.
        "held": _rendered("catalogue/_held.html", held=held) if held else "",
        "quantity_field": quantity_field,
    }
    if admin and head.status == "available":
        # Asked per page shown: the requests waiting change without the catalogue changing.
        values["discontinue_question"] = _discontinue_question(head)
    # Only services are marked useful (equipment pages show no such button).
    if head.kind == "service":
        values["useful"] = _rendered(
            "catalogue/_useful.html",
            item=head,
            marks=queries.usefulness_count(head.id),
            marked=queries.is_marked_useful(current_user, head.id),
        )
    content = slots.fill(parts, values)
    html = render_template("catalogue/item.html", item=head, content=content)
    return html, status if valid else 400


def _rendered(template: str, **context) -> Markup:
    return Markup(render_template(template, **context))  # noqa: S704 - autoescaped template


def _empty_quantity_field() -> Markup:
    """The quantity field as everyone first sees it: the same for all who read a language.
    Never bound to what was posted (formdata=None): a refused quantity is one person's."""
    return cache.fragment(
        "catalogue.quantity_field",
        (current_language(),),
        (),
        lambda: render_template(
            "catalogue/_quantity_field.html", form=AddToRequestForm(formdata=None)
        ),
    )


def _discontinue_question(head) -> str:
    """What « Discontinue » asks, saying what becomes of the requests waiting for a
    decision that hold the item."""
    name = head.name(current_language())
    waiting = queries.count_requests_to_decide_holding(head.id)
    if not waiting:
        return _("Discontinue %(name)s? People can no longer request it.", name=name)
    return ngettext(
        "Discontinue %(name)s? People can no longer request it. %(count)s request waiting "
        "for a decision holds it: its line will read “no longer in the catalogue, not "
        "counted”, and approving it will charge nothing for this item.",
        "Discontinue %(name)s? People can no longer request it. %(count)s requests waiting "
        "for a decision hold it: their line will read “no longer in the catalogue, not "
        "counted”, and approving them will charge nothing for this item.",
        waiting,
        name=name,
        count=format_number(waiting),
    )


def _render_item_page(item_id: int, years: str | None, admin: bool):
    """An item's page as everyone sees it, cut at its slots, with its head and whether
    the years asked are valid; None when there is no such item."""
    head = queries.item_head(item_id)
    if head is None:
        return None
    # Never bound to a POST's fields: a refused quantity renders this page too.
    form = (
        LifetimeForm(request.args, lifetime=head.lifetime_years)
        if years is not None
        else LifetimeForm(
            formdata=None,
            data={"years": footprint.simulator_years(head.lifetime_years)},
            lifetime=head.lifetime_years,
        )
    )
    valid = form.validate()
    item = _item_or_404(item_id)  # the whole row, only when the page is rendered
    html = render_template(
        "catalogue/_item_page.html",
        item=item,
        form=form,
        # Opening at the item's own lifetime (the list's choice too), and so at its
        # label's figure: 2.5 years, not the 2 or 3 a whole-year slider showed; the
        # range stretches to hold it (1.5 years, 12).
        scenario=_scenario(item, form) if valid else None,
        alternatives=queries.lighter_alternatives(item),
        repair=queries.repair_service() if item.kind == "equipment" else None,
        admin=admin,
        **{
            name: slots.slot(name)
            for name in (
                "csrf",
                "form_token",
                "held",
                "quantity_field",
                "useful",
                "discontinue_question",
            )
        },
    )
    return head, slots.cut(html), valid


def _scenario(item, form):
    return footprint.simulate_lifetime(item, form.years.data) if item.kind == "equipment" else None


@bp.get("/items/<int:item_id>/lifetime")
@reads_only
@login_required
def simulate_lifetime(item_id: int):
    """The keep-it-longer simulator: yearly footprint and grade for 2–10 years, or
    down or up to the item's own lifetime."""
    item = _item_or_404(item_id)
    if item.kind != "equipment":
        abort(404)
    form = LifetimeForm(request.args, lifetime=item.lifetime_years)
    valid = form.validate()
    if not wants_fragment():
        if valid:
            # Back at the simulator, not at the top of the page (the form's action
            # carries the same anchor when the years are refused).
            return redirect(
                url_for(
                    ".show_item",
                    item_id=item.id,
                    years=footprint.years_text(form.years.data),
                    _anchor="lifetime",
                )
            )
        return show_item(item.id)
    scenario = _scenario(item, form) if valid else None
    return render_template("catalogue/_lifetime.html", item=item, form=form, scenario=scenario)


COMPARED_AT_MOST = 4  # columns a phone can still show side by side


@bp.get("/compare")
@reads_only
@login_required
def compare():
    """Two to four items side by side; the catalogue's filters and page ride along."""
    if wants_fragment():
        # The compare button sends the live search's form elsewhere: a page of its own.
        return "", 200, {"HX-Redirect": request.full_path}
    raw = request.args.getlist("ids")
    ids = list(dict.fromkeys(i for i in map(database_id, raw) if i is not None))
    items = queries.get_items(ids[:COMPARED_AT_MOST])
    place = _listing_place()
    if not items:
        # Nothing ticked: back to the listing as it was, search, filters and page kept.
        flash(_("Choose two to four items to compare."), "error")
        return redirect(url_for(".index", **place))
    if len(items) < 2:
        flash(_("Choose two to four items to compare."), "error")
        g.form_refused = True  # a 400, yet the search's form refused: « Erreur : … »
        # One item ticked: its alternatives are the comparison people usually want.
        alone = items[0]
        return render_template(
            "catalogue/compare.html",
            items=[],
            alone=alone,
            # The same lighter alternatives as on its page and in My requests.
            alternatives=queries.lighter_alternatives(alone)[: COMPARED_AT_MOST - 1],
            place=place,
        ), 400
    if len(ids) > COMPARED_AT_MOST:
        flash(_("Only the first four ticked items are compared."), "info")
    return render_template("catalogue/compare.html", items=items, place=place)


@bp.post("/items/<int:item_id>/useful")
@login_required
def toggle_useful(item_id: int):
    """Mark a service useful to me, or take the mark back."""
    item = _item_or_404(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        marked = services.toggle_useful(current_user, item, utcnow())
    except services.CatalogueError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _go_to(url_for(".show_item", item_id=item.id))
    db.session.commit()
    if wants_fragment():
        return render_template(
            "catalogue/_useful.html",
            item=item,
            marked=marked,
            marks=queries.usefulness_count(item.id),
        )
    flash(_("Marked as useful to you.") if marked else _("Mark removed."), "success")
    return redirect(url_for(".show_item", item_id=item.id))


# Requests ---------------------------------------------------------------------


@bp.post("/items/<int:item_id>/request")
@login_required
def add_to_request(item_id: int):
    """Put an item in my request (basket); a refused quantity comes back at its field."""
    item = _item_or_404(item_id)
    form = AddToRequestForm()
    if not form.validate_on_submit():
        return _quantity_refused(item, form)
    try:
        line = services.add_to_basket(
            current_user, item, form.quantity.data, utcnow(), form.form_token.sent
        )
    except services.CatalogueError as error:
        db.session.rollback()
        if error.field == "quantity":  # more than the line may hold
            form.quantity.errors = [str(error)]
            return _quantity_refused(item, form)
        flash(str(error), "error")
        return _go_to(url_for(".show_item", item_id=item.id))
    db.session.commit()
    flash(
        added_message(item.name(current_language()), form.quantity.data, line.quantity), "success"
    )
    return _go_to(url_for(".my_requests"))


def _quantity_refused(item: CatalogueItem, form: AddToRequestForm):
    """The request form again, the quantity as typed, its error at it and the focus on it
    (the `field` macro): the form alone for htmx, else the item's whole page. Rendered
    for this answer only, never kept: the cached page holds the empty field."""
    field = _rendered("catalogue/_quantity_field.html", form=form)
    form_token = form.form_token.ensure()
    if wants_fragment():
        form_html = render_template(
            "catalogue/_ask_form.html",
            item=item,
            csrf=generate_csrf(),
            form_token=form_token,
            quantity_field=field,
        )
        # The page's title says the refusal, as the whole page sent back does (RGAA 8.6);
        # an accepted quantity leads to another page, whose title says none.
        title = fragment_title(item.name(current_language()), refused=True)
        return str(title) + form_html, 422
    return _item_page(item.id, field, 422, form_token)


def _go_to(url: str):
    """A redirect; for htmx, which would swap the page it leads to into the form, the
    browser is sent there instead (HX-Redirect)."""
    if not wants_fragment():
        return redirect(url)
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response


def added_message(name: str, added: int, total: int) -> str:
    """What was added, named, and the line's new total when the request already held some:
    "× 2" alone, with 5 already there, read as an order of 2 and not 7. The name comes
    after the verb, so that French needs no agreement with the item's gender."""
    if total == added:
        return ngettext(
            "Added to your request: %(name)s × %(num)s.",
            "Added to your request: %(name)s × %(num)s.",
            added,  # at most 50: flask_babel writes it as %(num)s
            name=name,
        )
    return ngettext(
        "Added to your request: %(name)s × %(num)s (%(total)s in all).",
        "Added to your request: %(name)s × %(num)s (%(total)s in all).",
        added,
        name=name,
        total=format_number(total),
    )


@bp.get("/requests")
@login_required
def my_requests():
    """My basket (with its footprint and lighter alternatives) and my sent requests."""
    return _my_requests_page(SubmitRequestForm())


def _my_requests_page(submit_form: SubmitRequestForm) -> str:
    basket = queries.get_basket(current_user)
    if submit_form.comment.data is None and basket is not None:
        submit_form.comment.data = basket.comment  # kept while a line was removed
    return render_template(
        "catalogue/requests.html",
        basket=basket,
        requests=queries.list_my_requests(current_user),
        submit_form=submit_form,
        lighter=queries.lighter_alternatives,
        repair=queries.repair_service(),
    )


@bp.get("/requests/<int:request_id>")
@login_required
def show_request(request_id: int):
    """One of my requests and its status."""
    req = queries.get_my_request(current_user, request_id)
    if req is None:
        abort(404)
    return render_template("catalogue/request.html", req=req)


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw_request(request_id: int):
    """Take back one of my requests while it waits for a decision."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        req = services.withdraw_request(current_user, request_id, utcnow())
    except services.CatalogueError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".show_request", request_id=request_id))
    if req is None:
        abort(404)
    db.session.commit()
    flash(_("Your request was withdrawn. Nothing more will be done with it."), "success")
    return redirect(url_for(".show_request", request_id=request_id))


@bp.post("/requests/<int:request_id>/again")
@login_required
def request_again(request_id: int):
    """Put the items of one of my decided or withdrawn requests back in my basket."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = services.request_again(current_user, request_id, utcnow())
    if result is None:
        abort(404)
    added, unavailable, too_many = result
    db.session.commit()
    lang = current_language()
    if unavailable:
        flash(
            ngettext(
                "This item is no longer available and was left out: %(items)s.",
                "These items are no longer available and were left out: %(items)s.",
                len(unavailable),
                items=", ".join(item.name(lang) for item in unavailable),
            ),
            "error" if not added else "info",
        )
    if too_many:
        # Sent twice, or already in the basket: never more than a line may hold.
        flash(
            ngettext(
                "Left out, as your request would hold more than %(n)s of it: %(items)s.",
                "Left out, as your request would hold more than %(n)s of each: %(items)s.",
                len(too_many),
                n=services.MAX_LINE_QUANTITY,
                items=", ".join(item.name(lang) for item in too_many),
            ),
            "error" if not added else "info",
        )
    if added:
        flash(_("The items are in your request being prepared: check it, then send it."), "success")
    return redirect(url_for(".my_requests"))


@bp.post("/requests/lines/<int:line_id>/remove")
@login_required
def remove_line(line_id: int):
    """Take a line out of my basket, saying which (as adding names what was added).

    The Remove buttons send the request's form, the comment typed in it with them: it is
    kept with the request (a withdrawn item is removed after a refused send)."""
    typed = SubmitRequestForm()
    if typed.comment.raw_data and not typed.comment.validate(typed):
        return _my_requests_page(typed), 422  # too long: said at the field, nothing removed
    removed = ConfirmForm().validate_on_submit() and services.remove_basket_line(
        current_user, line_id
    )
    if not removed:
        abort(404)
    if typed.comment.raw_data:
        services.keep_basket_comment(current_user, typed.comment.data)
    said = _(
        "Removed from your request: %(name)s × %(num)s.",
        name=removed.item.name(current_language()),
        num=format_number(removed.quantity),
    )
    db.session.commit()
    flash(said, "success")
    return redirect(url_for(".my_requests"))


@bp.post("/requests/submit")
@login_required
def submit_request():
    """Send my basket for approval."""
    form = SubmitRequestForm()
    if not form.validate_on_submit():
        # The page again, the comment as typed and its error at the field: nothing lost.
        return _my_requests_page(form), 422
    try:
        req = services.submit_basket(current_user, form.comment.data, utcnow())
    except services.CatalogueError as error:
        db.session.rollback()
        # Back at the request's own address, the comment kept with it: the page names the
        # line to remove first, and removing it reloads the page.
        services.keep_basket_comment(current_user, form.comment.data)
        db.session.commit()
        flash(str(error), "error")
        return redirect(url_for(".my_requests"))
    db.session.commit()
    flash(_("Your request was sent. You can follow its status here."), "success")
    return redirect(url_for(".show_request", request_id=req.id))


@bp.get("/admin/requests")
@role_required("admin")
def admin_requests():
    """Requests waiting for a decision (and, after one without JavaScript, its outcome)."""
    # An id as the database can hold one: `?decided=99999999999999999999` from a hand-typed
    # address is no request (it overflowed SQLite's integer: a 500).
    decided = queries.get_request(database_id(request.args.get("decided")) or 0)
    if decided is not None and decided.status not in ("approved", "refused"):
        decided = None
    return _admin_requests_page(decided=decided)


def _admin_requests_page(refused: dict | None = None, decided=None) -> str:
    """The queue at the page asked for; `refused` puts a decision's error at its note,
    `decided` is a request just decided, shown first."""
    rows, total, page, pages = within_pages(
        queries.list_requests_to_decide, requested_page(), queries.REQUESTS_PER_PAGE
    )
    return render_template(
        "catalogue/admin_requests.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        form=DecisionForm(),
        refused=refused,
        decided=decided,
        decided_message=decision_message(decided) if decided else "",
        budget_uses=_budget_uses(*rows, decided),
    )


def _budget_uses(*requests) -> dict[int, queries.BudgetUse]:
    """This year's budget use of each request's department, read for all of them at once
    (the queue shows ten requests: not two queries for each)."""
    shown = [r for r in requests if r is not None]
    return queries.request_budget_uses(shown, _budget_year(None), local_zone())


def _request_to_decide(
    req, status: int, refused: dict | None = None, message: str = "", note: str = ""
):
    """The request's block again, to correct (htmx), or the whole queue without JavaScript;
    `note`: the note typed, kept with a `message` about the whole decision (htmx)."""
    if not wants_fragment():
        if message:
            flash(message, "error")
            return redirect(url_for(".admin_requests", page=requested_page()))
        return _admin_requests_page(refused), status
    fragment = render_template(
        "catalogue/_request_to_decide.html",
        req=req,
        page=requested_page(),
        refused=refused,
        message=message,
        note=note,
        budget_uses=_budget_uses(req),
    )
    return fragment + _waiting_budgets(_waiting_alongside(req)), status


@bp.post("/admin/requests/<int:request_id>/decide")
@role_required("admin")
def decide_request(request_id: int):
    """Approve or refuse a request. htmx: the request's block becomes its outcome, which
    takes the focus; otherwise back to the same page of the queue, at the outcome."""
    req = queries.get_request(request_id)
    if req is None:
        abort(404)
    try:
        services.refuse_own_request(req, current_user)
    except services.OwnRequest as error:
        return _own_request_refused(req, str(error))
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.note.errors:
            refused = {"id": req.id, "note": form.note.data, "error": form.note.errors[0]}
            return _request_to_decide(req, 422, refused)
        return _request_to_decide(req, 422, message=_("Choose approve or refuse."))
    if form.decision.data == "approve":
        asking = _ask_before_passing_budget(req, form)
        if asking is not None:
            return asking
    try:
        services.decide_request(
            req, current_user, form.decision.data == "approve", form.note.data, utcnow()
        )
    except services.RefusalReasonMissing as error:
        # The same request, the error at its own note: nothing was decided.
        db.session.rollback()
        return _request_to_decide(
            req, 422, {"id": req.id, "note": form.note.data, "error": str(error)}
        )
    except services.CatalogueError as error:
        # Decided or withdrawn meanwhile: there is nothing left to decide here.
        db.session.rollback()
        if wants_fragment():
            outcome = {"req": req, "message": str(error), "kind": "error"}
            return _decided_with_waiting_count(outcome), 409
        flash(str(error), "error")
        return redirect(url_for(".admin_requests", page=requested_page()))
    db.session.commit()
    if wants_fragment():
        # Read after the commit: an approval now counts in what its department used.
        outcome = {
            "req": req,
            "message": decision_message(req),
            "kind": "success",
            "budget_uses": _budget_uses(req),
        }
        return _decided_with_waiting_count(outcome)
    # The outcome is shown first in the queue, and the address's anchor brings the focus
    # to it (the decided request has left the queue: there is no row to come back to).
    return redirect(
        url_for(
            ".admin_requests",
            page=requested_page(),
            decided=req.id,
            _anchor=f"decided-{req.id}",
        )
    )


def _decided_with_waiting_count(outcome: dict) -> str:
    """A request's outcome (htmx), with how many requests still wait, swapped out of band:
    decided here or by someone else first, it has left the queue either way. The budget
    figures of its department's other requests on the page follow (`_waiting_budgets`)."""
    others = _waiting_alongside(outcome["req"])
    waiting = {"total": queries.requests_to_decide_count(), "oob": True}
    return (
        render_template("catalogue/_request_decided.html", **outcome, others_updated=len(others))
        + render_template("catalogue/_requests_waiting.html", **waiting)
        + _waiting_budgets(others)
    )


def _waiting_alongside(req) -> list:
    """The other requests of `req`'s department still waiting among those on the admin's
    page (`waiting_shown`, which every decision form sends with htmx)."""
    shown = {database_id(raw) for raw in request.form.getlist("waiting_shown")[:100]}
    shown -= {None, req.id}
    return queries.list_waiting_of_department(req.department_id, shown)


def _waiting_budgets(others: list) -> str:
    """The budget figures and Approve buttons of `others` as they are now, to swap out of
    band: a decision changes what their department used, which their figures and their
    question before passing the budget quote (the server refuses stale ones, 409)."""
    if not others:
        return ""
    return render_template(
        "catalogue/_waiting_budgets.html", waiting=others, budget_uses=_budget_uses(*others)
    )


def _own_request_refused(req, message: str):
    """403, nothing decided: the request's block (which offers no buttons to its sender)
    with why, for htmx; otherwise the queue with the message."""
    if wants_fragment():
        return _request_to_decide(req, 403, message=message)
    flash(message, "error")
    return _admin_requests_page(), 403


def _ask_before_passing_budget(req, form: DecisionForm):
    """None when approving `req` keeps its department within its budget, or when the admin
    said yes to passing it with the figures as they are now; otherwise the question, and
    nothing decided. The figures are read again: the page may be older than an approval."""
    use = _budget_uses(req).get(req.id)
    if use is None or use.colour_after != "red" or req.status != "submitted":
        return None
    if form.budget_seen.data != budget_seen(use):
        # Not asked about these figures (within budget when the page was shown, or they
        # changed since): the request again with them, its "Approve" asking first now.
        message = _(
            "Approving this request now takes its department over its budget: nothing was "
            "decided. Read the figures again, then approve it if you still mean to."
        )
        return _request_to_decide(req, 409, message=message, note=form.note.data)
    if asks_after_check():  # scripts off: asked on a page, as the dialog asks
        return question_page(
            over_budget_question(req, use),
            yes=_("Approve over budget"),
            no=_("Keep it waiting"),
            about=request_named(req),
            anchor=f"request-{req.id}",
        )
    return None


def over_budget_question(req, use: queries.BudgetUse) -> str:
    """Asked before an approval passes the department's budget (in the dialog, or on a
    page without JavaScript): the department named, and where approving takes it."""
    department = req.department.name(current_language())
    if use.share_after is None:  # a budget of 0: any footprint passes it
        return _(
            "Approve this request over its department's budget? %(department)s has a budget "
            "of %(budget)s for %(year)s.",
            department=department,
            budget=kg_as_entered(use.budget),
            year=use.year,
        )
    return _(
        "Approve this request over its department's budget? %(department)s would then be at "
        "%(share)s of its %(year)s budget.",
        department=department,
        share=share_percent(use.share_after),
        year=use.year,
    )


def budget_seen(use: queries.BudgetUse) -> str:
    """The figures an over-budget approval is asked about, sent back with the answer."""
    return f"{use.after!r}/{use.budget!r}"


def request_named(req) -> str:
    """ "Request 12 — Alice Martin", as the request's heading in the queue says it."""
    who = req.user.display_name if req.user else _("former employee")
    return f"{_('Request %(n)s', n=req.id)} — {who}"


def decision_message(req) -> str:
    """ "Request 12 (Alice Martin) approved.": the admin deciding a queue of requests
    knows which one the answer is about."""
    who = req.user.display_name if req.user else _("former employee")
    if req.status == "approved":
        return _("Request %(n)s (%(name)s) approved.", n=req.id, name=who)
    return _("Request %(n)s (%(name)s) refused.", n=req.id, name=who)


# Budgets and usefulness -----------------------------------------------------------


def _budget_form() -> BudgetForm:
    form = BudgetForm()
    lang = current_language()
    form.department_id.choices = departments_by_name(lang)
    return form


@bp.get("/budgets")
@login_required
def budgets():
    """Departments' yearly footprint budgets, coloured, with the year-on-year change."""
    year = _budget_year(request.args.get("year", type=int))
    form = _budget_form() if current_user.has_role("admin") else None
    if form is not None and not form.year.data:
        form.year.data = year
    return _budgets_page(year, form)


def _budget_year(year: int | None) -> int:
    """The year asked for, or this one when it is none or out of range."""
    if isinstance(year, int) and 2000 <= year <= 2100:
        return year
    return utcnow().astimezone(local_zone()).year


def _budgets_page(year: int, form: BudgetForm | None) -> str:
    return render_template(
        "catalogue/budgets.html",
        rows=queries.department_budgets(year, local_zone(), utcnow()),
        year=year,
        form=form,
    )


@bp.post("/admin/budgets")
@role_required("admin")
def set_budget():
    """Set a department's yearly budget."""
    form = _budget_form()
    if not form.validate_on_submit():
        # The page again, the budget as typed and each error at its field (the first
        # focused): a message at the top of a page reloaded empty lost what was typed.
        # A 400, as every refusal of this form has been answered; its title says "Error".
        g.form_refused = True
        return _budgets_page(_budget_year(form.year.data), form), 400
    budget = services.set_budget(
        form.department_id.data, form.year.data, form.budget_kgco2e.data, current_user, utcnow()
    )
    db.session.commit()
    name = budget.department.name(current_language())
    flash(_("Budget saved for %(department)s.", department=name), "success")
    return redirect(url_for(".budgets", year=form.year.data))


def _report(document: str, name: str):
    """A spreadsheet download in the reader's language (named so, ASCII only)."""
    return make_response(
        document,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f"attachment; filename={name}",
            "Vary": "Accept-Language, Cookie",
        },
    )


@bp.get("/admin/budgets.csv")
@role_required("admin")
def budgets_spreadsheet():
    """The budgets page of a year as a spreadsheet, for the annual report."""
    year = _budget_year(request.args.get("year", type=int))
    rows = queries.department_budgets(year, local_zone(), utcnow())
    document = report_export.budgets_spreadsheet(year, rows, current_language())
    return _report(document, _("empreinte-budgets-%(year)s.csv", year=year))


@bp.get("/admin/requests/decided.csv")
@role_required("admin")
def decided_requests_spreadsheet():
    """The requests approved or refused in a year as a spreadsheet, for the annual report."""
    year = _budget_year(request.args.get("year", type=int))
    requests = queries.list_decided_requests(year, local_zone())
    document = report_export.decided_requests_spreadsheet(
        requests, current_language(), local_zone()
    )
    return _report(document, _("empreinte-decided-requests-%(year)s.csv", year=year))


@bp.get("/admin/usefulness")
@role_required("admin")
def usefulness():
    """Per service, usefulness against footprint; ?review=1 for the review list."""
    review = request.args.get("review") == "1"
    # A service just discontinued from this list (`discontinue_item`): offered to undo.
    undo = queries.get_item(database_id(request.args.get("discontinued")) or 0)
    rows, total, page, pages = within_pages(
        lambda n: queries.usefulness_rows(n, review), requested_page(), queries.PER_PAGE
    )
    return render_template(
        "catalogue/usefulness.html",
        rows=rows,
        review=review,
        page=page,
        pages=pages,
        total=total,
        review_grades=queries.REVIEW_GRADES,
        review_max=queries.REVIEW_MAX_MARKS,
        confirm=ConfirmForm(),
        undo=undo if undo is not None and undo.status == "discontinued" else None,
    )


# Management -----------------------------------------------------------------------


@bp.route("/admin/items/new", methods=["GET", "POST"])
@role_required("admin")
def new_item():
    """Create an item."""
    form = ItemForm()
    if _item_checked(form, None):
        try:
            item = services.create_item(form.item_values(), current_user, utcnow(), _grid())
            services.set_alternatives(item, form.alternative_codes(), current_user, utcnow())
        except services.CatalogueError as error:
            db.session.rollback()
            form.refuse({error.field: str(error)})
        else:
            db.session.commit()
            flash(_("Item created."), "success")
            return redirect(url_for(".show_item", item_id=item.id))
    return _item_form_page(form, None)


@bp.route("/admin/items/<int:item_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit_item(item_id: int):
    """Edit an item; derived figures are recomputed."""
    item = _item_or_404(item_id)
    form = ItemForm(obj=item)
    if not form.is_submitted():
        form.version.data = services.item_version(item)
    # A form sent without its version (a page cached from before it had one) is not
    # compared: its save is judged as before.
    seen = form.version.data or None
    if _item_checked(form, item):
        try:
            services.update_item(item, form.item_values(), current_user, utcnow(), _grid(), seen)
            services.set_alternatives(item, form.alternative_codes(), current_user, utcnow())
        except services.ItemChangedMeanwhile as error:
            db.session.rollback()
            form.refuse({None: str(error)})
            # What was typed stays; a second save, made knowing, is taken.
            form.version.data = services.item_version(db.session.get(CatalogueItem, item_id))
        except services.CatalogueError as error:
            db.session.rollback()
            form.refuse({error.field: str(error)})
        else:
            db.session.commit()
            flash(_("Item saved."), "success")
            return redirect(url_for(".show_item", item_id=item.id))
    return _item_form_page(form, item)


def _item_checked(form: ItemForm, item: CatalogueItem | None) -> bool:
    """Whether a sent item form can be saved. Every check runs in one pass, the form's
    and the catalogue's (source, alternatives, code), each error at its field: fixing
    one no longer reveals the next at the following save."""
    if not form.is_submitted():
        return False
    form.validate()
    values = form.item_values()
    problems = services.item_problems(
        values, form.alternative_codes(), item, refused=set(form.errors)
    )
    form.refuse(problems)
    # Refused beside them: the old category's reference figures are shown blank, as the
    # message says they no longer apply (they looked typed, and the refusal made no sense).
    form.show(services.reference_figures_dropped(values, item))
    return not form.errors


def _item_form_page(form: ItemForm, item: CatalogueItem | None):
    """The item form, shown again with its errors (422) after a refused save; the first
    field in error takes the focus (the `field` macro)."""
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "catalogue/item_form.html",
        form=form,
        item=item,
        reference_electricity=reference_electricity(),
        use_hours_words=use_hours_words(),
    )
    return page, status


def reference_electricity() -> str:
    """The yearly electricity a blank field takes for each category with reference data
    (Boavizta), « Ordinateur portable 197,1 kWh ; Écran 144,5 kWh ; … »: the item form
    names it, so that a supplier's manufacturing figure is not given beside it unseen."""
    return listed(
        f"{footprint.category_label(category)} {kwh(reference.use_kwh_per_year)}"
        for category in CATEGORY_ARCHETYPES
        if (reference := category_reference(category)) is not None
    )


def use_hours_words() -> str:
    """How an office device's yearly electricity is worked out, « puissance moyenne ×
    1 607 heures d'utilisation par an, durée annuelle légale du travail »: the method page
    and the item form say it. Hours set to another figure are not the legal time."""
    hours = device_use_hours()
    if hours == DEFAULT_USE_HOURS_PER_YEAR:
        return _(
            "average power × %(hours)s hours of use a year, the legal annual working time",
            hours=format_number(hours),
        )
    return _("average power × %(hours)s hours of use a year", hours=format_number(hours))


def reference_use_rows() -> list[str]:
    """Each reference category's yearly electricity as the method page works it out,
    « Ordinateur portable : 75 W × 1 607 h = 120,5 kWh »."""
    return [
        _(
            "%(category)s: %(power)s × %(hours)s = %(kwh)s a year",
            category=footprint.category_label(category),
            power=f"{format_number(reference.avg_power_w)}\u00a0W",
            hours=f"{format_number(round(reference.use_hours_per_year))}\u00a0h",
            kwh=kwh(reference.use_kwh_per_year),
        )
        for category in CATEGORY_ARCHETYPES
        if (reference := category_reference(category)) is not None
    ]


@bp.post("/admin/items/<int:item_id>/discontinue")
@role_required("admin")
def discontinue_item(item_id: int):
    """Discontinue an item."""
    item = _item_or_404(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.discontinue_item(item, current_user, utcnow())
    db.session.commit()
    name = item.name(current_language())
    flash(_("Discontinued: %(name)s. People can no longer request it.", name=name), "success")
    back = _catalogue_page_sent_from()
    if back and urlsplit(back).path == url_for(".usefulness"):
        # The list it was withdrawn from offers to undo it (`usefulness`).
        sent = urlsplit(back)
        query = [(k, v) for k, v in parse_qsl(sent.query) if k != "discontinued"]
        back = f"{sent.path}?{urlencode([*query, ('discontinued', item.id)])}"
    return redirect(back or url_for(".show_item", item_id=item.id))


@bp.post("/admin/items/<int:item_id>/make-available")
@role_required("admin")
def make_item_available(item_id: int):
    """Offer a discontinued item again (« Retirer du catalogue » undone)."""
    item = _item_or_404(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.make_item_available(item, current_user, utcnow())
    db.session.commit()
    flash(_("Available again: %(name)s.", name=item.name(current_language())), "success")
    return redirect(_catalogue_page_sent_from() or url_for(".show_item", item_id=item.id))


def _catalogue_page_sent_from() -> str | None:
    """The catalogue page a form was sent from (its Referer), when it is the portal's: a
    Referer naming another site (« https://elsewhere.example/catalogue/ ») is no page to
    send an admin to."""
    sent_from = urlsplit(request.referrer or "")
    if sent_from.netloc != request.host or not sent_from.path.startswith("/catalogue/"):
        return None
    return sent_from.path + (f"?{sent_from.query}" if sent_from.query else "")


@bp.route("/admin/import", methods=["GET", "POST"])
@accepts_files
@role_required("admin")
def import_csv():
    """Upload a catalogue CSV: preview what it would change, or list its problems."""
    form = ImportForm()
    result = None
    status = 200
    if form.validate_on_submit():
        text = uploaded_csv(form.file, MAX_IMPORT_BYTES)  # why not: at the file field
        if text is None:
            status = 422
        else:
            result = import_catalogue_csv(text, current_user, utcnow(), _grid(), apply=False)
            db.session.rollback()  # a preview writes nothing
            if result.ok:
                token = pending_imports.keep(text, current_user.id)
                return _import_preview(result, token)
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template("catalogue/import.html", form=form, result=result), status


class ImportTooLarge(Exception):
    """An admin's catalogue file beyond the portal's body limit (`_import_too_large`)."""


@bp.url_value_preprocessor
def _refuse_an_import_too_large(endpoint: str | None, _values) -> None:
    """An admin's file beyond MAX_CONTENT_LENGTH is answered at the import form's field, as
    one beyond MAX_IMPORT_BYTES is (a bare 413 page named 16 MB where the field says 5).
    Checked from its Content-Length, unread, here: the one hook before the CSRF check
    reads the body. Anyone else gets the portal's 413, as before."""
    if (
        endpoint == "catalogue.import_csv"
        and request.method == "POST"
        and request.content_length
        and request.max_content_length
        and request.content_length > request.max_content_length
        and current_user.is_authenticated
        and current_user.has_role("admin")
    ):
        raise ImportTooLarge


@bp.errorhandler(ImportTooLarge)
def _import_too_large(_error):
    """The import form, its field saying the largest file it takes (nothing was read)."""
    form = ImportForm(formdata=None)
    form.file.errors = [_("The file is too large (at most %(mb)s MB).", mb=MAX_IMPORT_MB)]
    return render_template("catalogue/import.html", form=form, result=None), 413


@bp.post("/admin/import/confirm")
@role_required("admin")
def confirm_import():
    """Apply a previewed import: all or nothing, checked again against today's catalogue."""
    form = ConfirmImportForm()
    token = form.token.data if form.validate() else None
    text = pending_imports.take(token, current_user.id) if token else None
    if text is None:
        # Sent twice (a double click): the second says what the first did.
        done = pending_imports.outcome(token, current_user.id) if token else None
        if done is not None:
            counts = item_counts(*done)
            flash(_("This file was already imported: %(counts)s.", counts=counts), "info")
            return redirect(url_for(".index"))
        flash(_("This preview has expired or is unknown: upload the file again."), "error")
        return redirect(url_for(".import_csv"))
    previewed = form.preview.data or ""
    result = import_catalogue_csv(text, current_user, utcnow(), _grid(), previewed=previewed)
    if not result.ok or result.stale:
        db.session.rollback()
        pending_imports.give_back(token, current_user.id)
        if result.stale:
            # Edited since the preview: writing the file now would undo what was not seen.
            return _import_preview(result, token), 422
        return render_template("catalogue/import.html", form=ImportForm(), result=result), 422
    db.session.commit()
    pending_imports.settle(
        token, current_user.id, (len(result.created), len(result.updated), result.unchanged)
    )
    flash(import_summary(result), "success")
    return redirect(url_for(".index"))


def _import_preview(result, token: str) -> str:
    """What a kept file would change, with the form confirming this very preview."""
    form = ConfirmImportForm(token=token)
    form.preview.data = result.digest  # not the digest a stale confirmation sent
    # Each column named as the spreadsheet export heads it, not by its machine name.
    return render_template(
        "catalogue/import_preview.html", result=result, form=form, headings=spreadsheet.HEADINGS
    )


def import_summary(result) -> str:
    """'Import done: 3 items updated · …' in the reader's language, worded as the audit
    log words the same import."""
    counts = item_counts(len(result.created), len(result.updated), result.unchanged)
    return _("Import done: %(counts)s.", counts=counts)


@bp.get("/export.csv")
def export_csv():
    """The whole catalogue as CSV: open data, no personal data."""
    response = make_response(export_catalogue_csv())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=empreinte-catalogue.csv"
    return response


@bp.get("/export-spreadsheet.csv")
def export_for_spreadsheet():
    """The same catalogue as a spreadsheet opens it in the reader's language."""
    language = current_language()
    response = make_response(export_catalogue_for_spreadsheet(language))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    name = spreadsheet_file_name(language)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/method")
@reads_only
def method():
    """How footprints and grades are computed: thresholds and sources."""
    return render_template(
        "catalogue/method.html",
        thresholds=footprint.THRESHOLDS,
        grades=footprint.GRADES,
        grid=_grid(),
        version=dataset_version(),
        categories=footprint.EQUIPMENT_CATEGORIES + footprint.SERVICE_CATEGORIES,
        use_hours_words=use_hours_words(),
        reference_use_rows=reference_use_rows(),
    )
