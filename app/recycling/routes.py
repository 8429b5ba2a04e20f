"""Views of the recycling domain: points, returns, agents' desk and admin pages."""

from datetime import timedelta
from urllib.parse import urlsplit

import segno
from babel.lists import format_list
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, ngettext, pgettext, to_user_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from app.auth.decorators import role_required
from app.auth.models import User, UserRole
from app.core import cache
from app.core.confirmation import asks_after_check, question_page
from app.core.csv_safety import write_csv
from app.core.database import commit_keeping_loaded_rows, reads_only
from app.core.devices import DEVICE_TYPES
from app.core.forms import new_form_token
from app.core.htmx import wants_fragment
from app.core.i18n import (
    alphabetical,
    current_language,
    format_clock,
    format_month,
    format_number,
)
from app.core.models import Commune, communes_by_name
from app.core.return_notes import PENDING, return_notes
from app.core.settings_check import names_this_machine
from app.core.time import local_zone, utcnow
from app.core.urls import LAST_PAGE_ASKABLE, database_id, leads_back, requested_page
from app.extensions import db, htmx
from app.recycling import desk_export, hours, queries, services, statistics_export, walk_in
from app.recycling.device_names import device_type_names
from app.recycling.forms import (
    WALK_IN_WITHDRAWN_LABEL,
    CloseForm,
    ConfirmForm,
    CorrectionForm,
    OutcomeForm,
    PointForm,
    ReturnForm,
    choices,
    corrected_field_choices,
    correction_choices,
    step_choices,
    undo_form_for,
    wipe_form_for,
    wipe_method_choices,
)
from app.recycling.models import (
    LEAVES_THE_ADMINISTRATION,
    NEVER_HANDED_IN,
    WITHDRAWN,
    CollectionPoint,
)

bp = Blueprint(
    "recycling",
    __name__,
    url_prefix="/recycling",
    template_folder="templates",
)


# Lazy labels, translated when shown: the list of choices was built again for each row.
# A step's too (the chain of custody names an undone receipt).
_STATUS_LABELS = dict(step_choices())
CORRECTED_FIELDS = dict(corrected_field_choices())


@bp.app_context_processor
def recycling_labels() -> dict:
    """Label helpers for the domain's templates (the dashboard panel included)."""

    def status_label(key: str, mine: bool = False, walked_in: bool = False) -> str:
        # A walk-in withdrawn: an agent undid its receipt (`services.undone_status`).
        if walked_in and key == WITHDRAWN:
            return str(WALK_IN_WITHDRAWN_LABEL)
        # Its owner withdrew it: "by the person" would read as someone else.
        if mine and key == "withdrawn":
            return _("Withdrawn by you")
        return str(_STATUS_LABELS.get(key, key))

    def wipe_label(key: str) -> str:
        return str(dict(wipe_method_choices()).get(key, key))

    def device_label(key: str) -> str:
        return str(DEVICE_TYPES[key].label) if key in DEVICE_TYPES else key

    def field_label(key: str) -> str:
        # A value a correction step corrects, named as on the form that signed it.
        return str(CORRECTED_FIELDS.get(key, key))

    def kept_since(device_return) -> str:
        # How long a device received has waited at its point for its wipe or outcome:
        # words in its row's status cell, no element more (the desk's DOM budget).
        days = queries.days_at_point(device_return, utcnow())
        if days is None:
            return ""
        # "at the point": "since N days" alone read as the age of the status beside it
        # (« Données effacées · depuis N jours », wiped N days ago).
        if days < 1:
            return _("at the point since today")
        return ngettext("at the point for %(num)s day", "at the point for %(num)s days", days)

    def returns_count(total: int, view: str | None = None) -> str:
        # The desk's count names the view when it is one of a delay: after "Filter", « 45
        # dépôts » alone did not say which 45. (%(count)s: the number as the page writes
        # it, « 1 234 »; ngettext's own %(num)s is the bare number.)
        count = format_number(total)
        if view in (queries.LONG_KEPT, queries.LONG_WAITING):
            days = (
                queries.LONG_KEPT_DAYS if view == queries.LONG_KEPT else queries.long_waiting_days()
            )
            over = ngettext("over %(count)s day", "over %(count)s days", days,
                            count=format_number(days))  # fmt: skip
            if view == queries.LONG_KEPT:
                return ngettext(
                    "%(count)s return received %(over)s ago, still at the point",
                    "%(count)s returns received %(over)s ago, still at the point",
                    total, count=count, over=over,
                )  # fmt: skip
            return ngettext(
                "%(count)s return declared %(over)s ago, not received",
                "%(count)s returns declared %(over)s ago, not received",
                total, count=count, over=over,
            )  # fmt: skip
        return ngettext("%(count)s return", "%(count)s returns", total, count=count)

    def devices_refused(accepted) -> list[str]:
        # What a point does not take: its radios are disabled on the return form.
        return device_type_names(key for key in DEVICE_TYPES if key not in accepted)

    return {
        # The open data keeps "2026-05" for machines; people read "mai 2026", "May 2026".
        "recycling_month": format_month,
        "recycling_status": status_label,
        "recycling_device": device_label,
        "recycling_devices_refused": devices_refused,
        "recycling_device_list": device_type_names,
        "recycling_wipe": wipe_label,
        "recycling_field": field_label,
        "recycling_signer": queries.signer_name,
        "recycling_kept_since": kept_since,
        "recycling_returns_count": returns_count,
    }


def _coordinate(name: str, low: float, high: float) -> float | None:
    raw = request.args.get(name, "")
    if not raw:  # the usual case: no position asked
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


POINTS_PER_PAGE = 10


def _point_view(point: CollectionPoint, now, distance=None) -> dict:
    locale = current_language()
    return {
        "point": point,
        "distance": distance,
        # Temporarily closed, it is not open whatever its hours say (the map reads this).
        "open_now": point.active and hours.is_open(point.opening_hours, now),
        "status": hours.status_text(point.opening_hours, now, locale),
        "hours": hours.describe(point.opening_hours, locale),
        "types": device_type_names(t for t in point.accepted_device_types if t in DEVICE_TYPES),
        "directions": point.directions(locale),
    }


def _states_moment(now) -> int:
    """What the points' open or closed states are keyed by: until when they stay as at
    `now` (`hours.unchanged_until`), not the minute, so that the list is rendered again
    when one of them changes, not every minute.

    Kept per process and version of the points: working it out at each request cost
    as much as reading the rendered list.
    """
    version = cache.version_of("points")
    kept = current_app.extensions.setdefault("empreinte.recycling_states", {})
    known = kept.get(version)
    if known is None or not known[0] <= now < known[1]:
        known = (now, hours.unchanged_until(queries.opening_hours_in_use(), now))
        kept.clear()
        kept[version] = known
    return int(known[1].timestamp())


def _origin(place: tuple) -> tuple[tuple[float, float] | None, str | None]:
    """Where the list is sorted from (None: by commune) and how the page says it."""
    if place[0] == "position":
        return place[1:], _("your position")
    if place[0] == "work" and (commune := queries.work_commune(current_user)):
        label = _("your work commune (%(commune)s)", commune=commune.name)
        return (commune.latitude, commune.longitude), label
    return None, None


@bp.get("/")
@reads_only
@login_required
def index():
    """The collection points: map and list, nearest first from the work commune or the browser."""
    now = utcnow()
    lat, lon = _coordinate("lat", -90, 90), _coordinate("lon", -180, 180)
    if lat is not None and lon is not None:
        place = ("position", lat, lon)
    elif request.args.get("sort") != "name":  # the work commune follows from these ids
        commune_id = current_user.commune_id
        place = ("work", commune_id, None if commune_id else current_user.department_id)
    else:
        place = ("name",)
    page_args = {k: request.args[k] for k in ("sort", "lat", "lon") if request.args.get(k)}
    raw_page = request.args.get("page", "1")
    tile_url = current_app.config.get("MAP_TILE_URL") or ""

    def render_points():
        origin, origin_label = _origin(place)
        points = queries.list_staff_points()
        pairs = queries.sort_by_distance(points, *origin) if origin else [(p, None) for p in points]
        # Ten cards a page keep the page light (EcoIndex A): the nearest come first.
        pages = max(1, -(-len(pairs) // POINTS_PER_PAGE))
        page = min(int(raw_page), pages) if raw_page.isdigit() and int(raw_page) >= 1 else 1
        window = pairs[(page - 1) * POINTS_PER_PAGE : page * POINTS_PER_PAGE]
        html = render_template(
            "recycling/_points_section.html",
            views=[_point_view(p, now, d) for p, d in window],
            page=page,
            pages=pages,
            page_args=page_args,
            origin_label=str(origin_label) if origin_label else None,
            tile_url=tile_url,
        )
        return page, html

    # The points (list, map data, sorting controls) are the same for everyone from the
    # same place until a point or a place changes, or one of them opens or closes. The
    # page shown is kept with them, for the page's title (RGAA 8.6).
    page, points = cache.value(
        "recycling.points",
        (
            current_language(),
            place,
            raw_page[:6],
            *sorted(page_args.items()),
            tile_url,
            _states_moment(now),
        ),
        ("points", "people"),
        render_points,
        typed=bool(request.args),
    )
    agent, admin = current_user.has_role("agent"), current_user.has_role("admin")
    heading = cache.fragment(
        "recycling.heading",
        (current_language(), agent, admin),
        (),
        lambda: render_template("recycling/_points_heading.html", agent=agent, admin=admin),
    )
    # The person's own returns: read for each request, rendered again only when what
    # they show changes (a status, a point's name, how many they have in all).
    mine = queries.list_my_returns(current_user)
    my_returns = cache.personal_fragment(
        "recycling.my_returns",
        (current_language(), current_user.id, cache.digest([tuple(row) for row in mine])),
        lambda: render_template("recycling/_my_returns.html", my_returns=mine),
    )
    title = _("Recycling")
    if page > 1:
        title = _("%(title)s, page %(page)s", title=title, page=format_number(page))
    return render_template(
        "recycling/index.html",
        title=title,
        heading=heading,
        points=Markup(points),  # noqa: S704 - the output of our own autoescaped template
        my_returns=my_returns,
    )


@bp.get("/my-returns")
@reads_only
@login_required
def my_returns():
    """All my returns, newest first, a page at a time: only the signed-in person's."""
    rows, total, page, pages = queries.my_returns_page(current_user, requested_page())
    return render_template(
        "recycling/my_returns.html", rows=rows, total=total, page=page, pages=pages
    )


@bp.get("/points/cards")
@reads_only
@login_required
def point_cards():
    """Every point's card (the closed ones saying so), alphabetical and without distances:
    the same for everyone.

    "Nearest to my current position" sorts them in the browser (recycling.js), so the
    position never leaves the device."""
    now = utcnow()
    return cache.fragment(
        "recycling.point_cards",
        (current_language(), _states_moment(now)),
        ("points", "people"),
        lambda: render_template(
            "recycling/_point_list.html",
            views=[_point_view(p, now) for p in queries.list_staff_points()],
            page=1,
            pages=1,
            page_args={},
        ),
    )


@bp.get("/map/base.geojson")
@reads_only
@login_required
def map_base():
    """Our own light base map: the communes' centres as GeoJSON (no third-party tiles)."""
    communes = db.session.scalars(select(Commune).order_by(Commune.name)).all()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.longitude, c.latitude]},
            "properties": {"name": c.name, "insee_code": c.insee_code},
        }
        for c in communes
    ]
    return jsonify({"type": "FeatureCollection", "features": features})


@bp.get("/points/<int:point_id>/poster")
@login_required
def poster(point_id: int):
    """A printable A4 poster, in French and English, with a QR code to the return form.

    A temporarily closed point's poster says so instead, with the admin's note, and sends
    to the other points: its hours and QR code would invite people to a point that
    refuses their device."""
    point = queries.get_point(point_id) or abort(404)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link = base + url_for("recycling.new_return", point=point.id)
    if not point.active:
        link = base + url_for("recycling.index")
    sides = {lang: _poster_side(point, lang, link) for lang in ("fr", "en")}
    svg = None
    if point.active:
        # Safe markup: segno builds the SVG from our own URL and escapes the title. A
        # viewBox and no fixed size: the CSS sizes the whole code, quiet zone included, to
        # at most 70 mm, less when a long text needs the room (a fixed 328 px drawing in a
        # 70 mm box lost its bottom rows and right margin). An image named by its title, in
        # the page's language (French): « Code QR vers https://… ».
        qr = segno.make(link, error="m")
        drawing = qr.svg_inline(omitsize=True, title=sides["fr"]["qr_name"])
        svg = Markup(drawing.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704
    return render_template(
        "recycling/poster.html",
        point=point,
        link=link,
        qr_svg=svg,
        sides=sides,
        # A closed point's note is written in the portal's language, amid French and English.
        note_lang=current_app.config["BABEL_DEFAULT_LOCALE"],
        reader_lang=current_language(),
        # Left at `flask run`'s address (or another of this machine's), the QR code and the
        # printed link open on this machine only: said on screen before it is printed
        # (production refuses to start with it).
        development_base=base if _names_this_machine(base) else None,
    )


def _names_this_machine(base: str) -> bool:
    """Whether PUBLIC_BASE_URL is the development default or a loopback address, which
    a phone scanning the poster, or another computer, cannot reach."""
    host = urlsplit(base).hostname  # the default, DEVELOPMENT_BASE_URL, is one
    return bool(host) and names_this_machine(host)


def _poster_side(point: CollectionPoint, lang: str, link: str) -> dict:
    """The poster's words in one language: it shows French and English side by side,
    whatever the language of who prints it."""
    with force_locale(lang):
        return {
            # The tab and the printed file say what it is, and that the point is closed.
            "page_title": _("Poster – %(point)s", point=point.name)
            if point.active
            else _("Poster – %(point)s (temporarily closed)", point=point.name),
            "qr_name": _("QR code to %(link)s", link=link),
            "title": _("Bring back your digital devices"),
            "scan": _("Scan to declare your return"),
            "hours_title": _("Opening hours"),
            "hours": hours.describe(point.opening_hours, lang),
            # What this point takes: a printer brought to a point that refuses it is a
            # wasted trip.
            "types_title": _("Devices accepted here"),
            "types": device_type_names(t for t in point.accepted_device_types if t in DEVICE_TYPES),
            "closed": _("Temporarily closed"),
            "closed_text": _(
                "This collection point takes no device for now. Find another one on the portal:"
            ),
            "wipe": _wipe_instruction(point, lang),
        }


def _wipe_instruction(point: CollectionPoint, lang: str) -> str | None:
    """Which devices the point takes that hold data (`DEVICE_TYPES`: printers too), and
    what to do about that data; None when it takes none of them. Called in `lang`."""
    accepted = point.accepted_device_types
    bearing = [
        str(kind.label)
        for key, kind in DEVICE_TYPES.items()
        if kind.data_bearing and key in accepted
    ]
    if not bearing:
        return None
    # The types' names are common words inside the sentence (« …, tablette et imprimante »).
    devices = format_list([bearing[0], *(name.lower() for name in bearing[1:])], locale=lang)
    return _("%(devices)s: wipe your data or ask the agent for a certified wipe.", devices=devices)


def _with_point_choices(form: ReturnForm) -> ReturnForm:
    points = cache.value(  # the open points, until one changes
        "recycling.point_choices",
        (),
        ("points", "people"),
        lambda: [(p.id, p.label) for p in queries.list_points()],
    )
    form.collection_point_id.choices = choices(points)
    return form


@bp.get("/returns/new")
@reads_only
@login_required
def new_return():
    """The return form; ?point=ID (the poster's QR code) preselects the point. With htmx,
    the intro of the point picked on the form (?collection_point_id=ID)."""
    if wants_fragment():
        picked = request.args.get("collection_point_id", type=int)
        point = queries.point_head(picked, active_only=True)
        return render_template("recycling/_point_intro.html", point=point)
    # The poster of a point closed since it was printed: say so, and offer the open point
    # nearest to it (where its closure's notice sends its people), not to one's office.
    asked = queries.point_head(request.args.get("point", type=int))
    closed = queries.get_point(asked.id) if asked is not None and not asked.active else None
    if closed is not None:
        chosen = queries.nearest_open_point(closed)
    else:
        chosen = asked or queries.nearest_point(current_user)
    form = ReturnForm()
    form.collection_point_id.data = chosen.id if chosen else None
    form.form_token.ensure()
    # The fields are the same for everyone who gets the same point preselected, until a
    # point changes; the CSRF token stays outside them.
    fields = cache.fragment(
        "recycling.return_fields",
        (current_language(), form.collection_point_id.data),
        ("points", "people"),
        lambda: _return_fields(form),
    )
    return _render_return_form(form, chosen, fields, closed_point=closed)


def _return_fields(form) -> Markup:
    bearing = [key for key, kind in DEVICE_TYPES.items() if kind.data_bearing]
    html = render_template(
        "recycling/_return_fields.html", form=_with_point_choices(form), data_bearing_types=bearing
    )
    return Markup(html)  # noqa: S704 - the output of our own autoescaped template


def _render_return_form(form, point, fields, status=200, closed_point=None):
    from app.cleanup.queries import return_campaigns

    form.form_token.ensure()  # sent without one: the next send is told apart
    return render_template(
        "recycling/return_form.html",
        form=form,
        point=point,
        fields=fields,
        closed_point=closed_point,
        # Where the return would count: said for a campaign the person takes part in,
        # asked (unticked) for one they have not joined.
        campaigns=return_campaigns(current_user, utcnow()),
        chosen=form.campaigns_chosen,
    ), status


# The receipt a declaration sent again landed on, for that receipt's next showing.
DECLARED_AGAIN = "recycling.declared_again"


@bp.post("/returns/new")
@login_required
def create_return():
    """Declare a return and show its receipt."""
    # The point's choices are only shown again on a refusal: validating the form needs
    # none (the service explains an unknown or closed point).
    form = ReturnForm()
    point = queries.get_point(form.collection_point_id.data)
    # Closed while the form was open: the open point nearest to it is offered instead.
    instead = queries.open_point_instead(point, form.device_type.data)
    valid = form.validate_on_submit()
    # The service's rules are asked even when a field is refused: one send reports all.
    problems = services.return_problems(
        point, form.device_type.data, form.condition.data, **form.wipe_flags, instead=instead,
        user=current_user, asset_tag=None if form.asset_tag.errors else form.asset_tag.data,
    )  # fmt: skip
    for problem in problems:
        _show_return_problem(form, problem)
    if valid and not problems:
        try:
            device_return, created = services.register_device_return(
                current_user, point, form.device_type.data, form.condition.data, utcnow(),
                asset_tag=form.asset_tag.data, **form.wipe_flags,
                form_token=form.form_token.sent,
                # Sent from a form we showed (it carries a token), which Back shows again:
                # a request built without one (a script) declares what it sends.
                repeat_window=services.REPEAT_WINDOW if form.form_token.sent else None,
                another_than=(form.another_than.data or "")[:64] or None,
                count_in=form.campaigns_chosen,
            )  # fmt: skip
        except services.ReturnError as error:
            db.session.rollback()
            _show_return_problem(form, error)
        else:
            commit_keeping_loaded_rows()  # answered by a redirect: nothing to reload
            if created:
                flash(_("Thank you! Your return is recorded."), "success")
                return redirect(url_for("recycling.receipt", receipt=device_return.receipt_number))
            flash(_declared_again_message(device_return, point), "info")
            # Without a tag, a second, identical device is told apart only by the person:
            # the receipt they land on offers to declare it (`another_than`), once.
            session[DECLARED_AGAIN] = device_return.receipt_number
            return redirect(url_for("recycling.receipt", receipt=device_return.receipt_number))
    if instead is not None:  # sent again, it goes there, not to the list's first point
        form.collection_point_id.data = instead.id
    closed = point if point is not None and not point.active else None
    return _render_return_form(
        form, instead or point, _return_fields(form), 422, closed_point=closed
    )


def _declared_again_message(device_return, chosen: CollectionPoint) -> str:
    """What a declaration sent again lands on: its tag already declared at another point
    keeps that point, so the one chosen is named as not taken, with how to change."""
    if device_return.point_id == chosen.id:
        return _("You had already declared this device: here is your receipt.")
    points = {"declared": device_return.point.label, "chosen": chosen.label}
    if device_return.status == "declared":
        return _(
            "You had already declared this device at “%(declared)s”: here is your receipt. "
            "The point you chose, “%(chosen)s”, was not taken. To bring the device there "
            "instead, withdraw this declaration (“Withdraw my declaration” below), then "
            "declare it again choosing “%(chosen)s”.",
            **points,
        )
    return _(
        "You had already declared this device at “%(declared)s”, where an agent received "
        "it: here is your receipt. The point you chose, “%(chosen)s”, was not taken.",
        **points,
    )


def _show_return_problem(form: ReturnForm, problem: services.ReturnError) -> None:
    """A refusal at its field, unless the form refused that field already."""
    # The service's two wipe flags are one choice on the form.
    name = "wipe_requested" if problem.field == "data_wiped" else problem.field
    field = getattr(form, name or "collection_point_id")
    if not field.errors:
        field.errors = [problem.message]


@bp.get("/returns/<receipt>")
@login_required
def receipt(receipt: str):
    """The receipt and chain of custody (owner, the point's agents, admins)."""
    device_return = queries.get_return_for_viewer(receipt, current_user) or abort(404)
    now = utcnow()
    mine = device_return.user_id == current_user.id
    # Until an agent has it, its owner still has to bring it: when, and how to get in.
    # Staff reading it (the point's agents, admins) bring nothing: their page is the desk's.
    waiting = device_return.status == "declared" and mine
    # Whether it counts in a clean-up campaign: for its owner only (their points).
    notes = return_notes(device_return, current_user, now)
    # Popped only when there: popping a missing key would send the session cookie again.
    landed_again = session.pop(DECLARED_AGAIN) if DECLARED_AGAIN in session else None
    # Landed here by sending the same declaration again: a second, identical device is
    # declared from here, on purpose (`create_return`), with a form of its own (its token).
    offer_another = (
        landed_again == device_return.receipt_number
        and mine
        and device_return.asset_tag_key is None
        and device_return.status not in NEVER_HANDED_IN
    )
    return render_template(
        "recycling/receipt.html",
        r=device_return,
        mine=mine,
        count_offers=_count_offers(device_return, now) if mine else [],
        another_token=new_form_token() if offer_another else None,
        notes=notes,
        point=_point_view(device_return.point, now) if waiting else None,
        desk_qr=_desk_qr(device_return) if waiting else None,
        withdraw_question=withdraw_question(notes) if waiting else None,
        # Checked against the stored number: the address may be typed loosely
        # (« rc-… », a space copied along), and a step is not altered for that.
        custody=services.check_custody(device_return),
        poll_seconds=receipt_poll_seconds(),
        poll_until=int((now + RECEIPT_POLL_WINDOW).timestamp()),
        # Landed here by "Check again" (`receipt_status` without htmx): when it was checked.
        checked_at=_checked_at(now) if waiting and "checked" in request.args else None,
    )


def _count_offers(device_return, now) -> list:
    """The running campaigns its owner may still count the return in (not ticked when
    declaring, or withdrawn since): the declaration's choice, offered again."""
    from app.cleanup.queries import campaigns_to_count_return_in

    return campaigns_to_count_return_in(device_return, current_user, now)


@bp.post("/returns/<receipt>/count-in")
@login_required
def count_return_in(receipt: str):
    """Count my return in a running campaign (`campaign_id`), as ticking it on the
    declaration would have."""
    from app.cleanup.services import CleanupError, count_device_return_in

    device_return = queries.get_return_for_viewer(receipt, current_user)
    if device_return is None or device_return.user_id != current_user.id:
        abort(404)  # an agent or an admin sees the receipt; only its owner's points count
    campaign_id = database_id(request.form.get("campaign_id"))
    if not ConfirmForm().validate_on_submit() or campaign_id is None:
        abort(400)
    try:
        campaign = count_device_return_in(device_return, current_user, campaign_id, utcnow())
    except CleanupError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
    else:
        db.session.commit()
        name = campaign.name(current_language())
        flash(_("Your return is now entered in “%(campaign)s”.", campaign=name), "success")
    return redirect(url_for("recycling.receipt", receipt=device_return.receipt_number))


def _desk_qr(device_return) -> Markup:
    """A QR code to the return's page at the collection desk, for its owner to show: the
    agent scans it with a phone signed in to the portal rather than type the number. It
    opens for the point's agents and admins only, as the desk's page always does."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link = base + url_for("recycling.agent_return", receipt=device_return.receipt_number)
    title = _(
        "QR code of receipt %(number)s for the collection desk", number=device_return.receipt_number
    )
    # Safe markup: segno builds the SVG from our own URL and escapes the title.
    drawing = segno.make(link, error="m").svg_inline(omitsize=True, title=title)
    return Markup(drawing.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


def _checked_at(now) -> str:
    """The time a receipt's status was just read, as its reader writes it (« 14 h 32 »):
    "Check again" says it checked, even when nothing changed."""
    return format_clock(to_user_timezone(now).time())


# How often the owner's open receipt asks whether an agent received the device: calm
# enough for a desk's queue of waiting people (tests set it shorter).
RECEIPT_POLL_SECONDS = 20
# For how long after the page was opened: the time of a visit to the desk. A receipt
# left open in a tab stops asking (and keeping the session alive); "Check again" stays.
RECEIPT_POLL_WINDOW = timedelta(minutes=30)


def receipt_poll_seconds() -> int:
    """The receipt's polling interval (RECYCLING_RECEIPT_POLL_SECONDS, else 20 s)."""
    return current_app.config.get("RECYCLING_RECEIPT_POLL_SECONDS", RECEIPT_POLL_SECONDS)


@bp.get("/returns/<receipt>/status")
@reads_only
@login_required
def receipt_status(receipt: str):
    """The receipt's status part, asked again by its owner's open page while the device
    waits for an agent (htmx), or by "Check again" (?checked=1: it says it checked);
    without htmx, the receipt page read afresh, at its status.

    "Check again" leads here rather than to the page's own address with #receipt-status:
    a link to the page's own address and an anchor only scrolls, it never reloads, so
    the status read stayed the one of when the page was opened."""
    device_return = queries.get_return_for_viewer(receipt, current_user)
    if device_return is None or device_return.user_id != current_user.id:
        abort(404)  # staff read the receipt, but only its owner waits at the desk
    if not wants_fragment():
        return redirect(
            url_for(
                "recycling.receipt",
                receipt=device_return.receipt_number,
                checked=1,
                _anchor="receipt-status",
            )
        )
    # Polled only while it waits: any other status is news to the open page.
    changed = device_return.status != "declared"
    # The page's polling window (see RECEIPT_POLL_WINDOW), carried by its polling address.
    poll_until = request.args.get("until", type=int) or 0
    now = utcnow()
    still_polling = now.timestamp() < poll_until
    html = render_template(
        "recycling/_receipt_status.html",
        r=device_return,
        mine=True,
        changed=changed,
        checked_at=_checked_at(now) if "checked" in request.args and not changed else None,
        custody=services.check_custody(device_return) if changed else None,
        notes=return_notes(device_return, current_user, now) if changed else [],
        poll_seconds=receipt_poll_seconds(),
        poll_until=poll_until if still_polling else None,
    )
    return html, {"Vary": "HX-Request"}


def withdraw_question(notes) -> str:
    """Asked before a declaration is withdrawn (dialog, or a page without scripts).

    Nothing was scored yet: a return scores once an agent receives the device, and it can
    only be withdrawn before. Declared during a running clean-up campaign, it waits there
    as an entry to count on receipt (its note says so, `PENDING`); withdrawing deletes
    that entry (`take_back_device_return`), so the points to come are dropped."""
    waiting_entries = sum(note.kind == PENDING for note in notes)
    if not waiting_entries:
        return _(
            "Withdraw this declaration? The device will no longer be expected at the "
            "collection point."
        )
    return ngettext(
        "Withdraw this declaration? The device will no longer be expected at the collection "
        "point, and its entry in the running clean-up campaign, waiting for the device, is "
        "removed: the points it would earn on receipt will not come.",
        "Withdraw this declaration? The device will no longer be expected at the collection "
        "point, and its entries in %(num)s running clean-up campaigns, waiting for the "
        "device, are removed: the points they would earn on receipt will not come.",
        waiting_entries,
    )


@bp.post("/returns/<receipt>/withdraw")
@login_required
def withdraw_return(receipt: str):
    """Withdraw my declaration while no agent has received the device."""
    device_return = queries.get_return_for_viewer(receipt, current_user)
    if device_return is None or device_return.user_id != current_user.id:
        abort(404)  # an agent or an admin sees the receipt; only its owner withdraws it
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_return(current_user, device_return, utcnow())
    except services.ReturnError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Your declaration was withdrawn. Nobody expects the device any more."), "success")
    return redirect(url_for("recycling.receipt", receipt=device_return.receipt_number))


@bp.get("/agent")
@role_required("agent")
def agent_desk():
    """The agent's desk: the returns at their points still to handle, first of all;
    ?receipt= opens the return whose receipt number the person shows at the desk, or
    whose asset tag the device bears (several carrying it: the one waiting, or a list)."""
    # A scanned QR code types a whole address: its receipt number is taken out of it.
    typed = queries.desk_search_term(request.args.get("receipt"))
    searched = "receipt" in request.args  # sent empty too: its form has novalidate
    point_ids = _point_ids()  # asked once, for every read below
    # The point the agent stands at (?point=, then kept for the session): the lists are
    # of that point; the search still finds a receipt at any of theirs.
    desk_points, here = _desk_point(point_ids)
    listed = [here.id] if here else point_ids
    found = queries.find_returns_for_agent(typed, current_user, point_ids) if typed else []
    if (opened := queries.return_to_open(found)) is not None:
        return redirect(
            url_for("recycling.agent_return", receipt=opened.receipt_number, **desk_place())
        )
    status = request.args.get("status")
    if status not in queries.DESK_VIEWS:  # none, or one typed by hand: the default view
        status = "todo"
    pagination = queries.list_agent_returns(listed, status, requested_page(), current_user.id)
    partial = wants_fragment()
    template = "recycling/_agent_returns.html" if partial else "recycling/agent.html"
    views = desk_views(queries.long_waiting_days())
    # The desk says whose returns it lists: an admin's are every point's, and an agent
    # of no point is told whom to ask rather than shown an empty list as if all were done.
    every_point = point_ids is None
    not_found = (
        _("No return with this receipt number or asset tag.")
        if every_point
        else _("No return with this receipt number or asset tag at your points.")
    )
    offer_walk_in = None
    if not searched or found:  # found: several returns carry the tag, listed to choose
        receipt_error = None
    elif typed and queries.declared_at_another_point(typed, current_user, point_ids):
        receipt_error = _(
            "This receipt was declared at another collection point: the person can withdraw "
            "that declaration from their receipt, then declare the device again here."
        )
    elif typed:
        receipt_error = not_found
        # Nothing at their points carries it: a device nobody declared, recorded from here
        # (walk_in), unless a live return elsewhere holds the tag, which the form refuses.
        if point_ids != []:
            offer_walk_in, refused = walk_in.desk_offer(current_user, typed)
            if refused is not None:
                receipt_error = f"{not_found} {walk_in.TAG_RECORDED}"
    else:
        receipt_error = _("Enter the receipt number the person shows, or the device's asset tag.")
    title = _("Collection desk") if searched else desk_title(views, status, pagination.page)
    # No return found: a refused search, said by the title too (« Erreur : », core/templating).
    g.form_refused = searched and not found
    # A receipt confirmed without JavaScript: its answer at the row it was confirmed at.
    answer = None if partial else _desk_answer_carried(pagination.items, status)
    html = render_template(
        template,
        title=title,
        pagination=pagination,
        page=pagination.page,  # a receipt confirmed without JavaScript comes back to it
        status=status,
        views=views,
        form=ConfirmForm(),
        receipt=typed,
        receipt_error=receipt_error,
        walk_in_tag=offer_walk_in,
        tag_matches=found,
        fragment=partial,  # the search form's view and page follow, out of band
        answer=answer,
        every_point=every_point,
        admins=queries.list_admin_contacts() if point_ids == [] else None,
        # Its closed points, with the admin's note: returns still come from them.
        closed_points=[] if partial else queries.list_closed_points(point_ids),
        # Their points' posters (an admin's are on the list of points, `admin_points`).
        poster_points=[] if partial or every_point else queries.list_points_of(point_ids),
        # Beside what is theirs to handle, their own declarations, for another agent.
        own_returns=(
            queries.list_own_open_returns(listed, current_user.id) if status == "todo" else []
        ),
        desk_points=desk_points,
        here=here,
        # Who just declared at the desk, newest first, above the longest waiting.
        declared_today=(
            queries.list_declared_today(listed, current_user.id, utcnow())
            if status == "todo"
            else []
        ),
        # The search field takes the focus, for a scan made as the desk opens, unless a
        # receipt's answer is carried to its row (#desk-answer).
        search_focus=not receipt_error and not answer,
    )
    if partial:
        # The filter's URL goes into the history: its <title> (htmx takes it out) follows.
        return Markup("<title>{} · Empreinte</title>\n").format(title) + Markup(html)  # noqa: S704
    return html


@bp.get("/agent/devices.csv")
@role_required("agent")
def desk_devices_csv():
    """The devices received and still at the agent's points (?point=: one of them) as a
    spreadsheet opens them, in the reader's language; only their own points, read from
    their account (an admin's: every point), whatever the request names."""
    point_ids = _point_ids()
    if request.args.get("point"):
        point_id = database_id(request.args["point"])
        if point_ids is None:  # an admin: any point there is
            known = point_id is not None and db.session.get(CollectionPoint, point_id)
        else:
            known = point_id in point_ids
        if not known:
            abort(404)
        point_ids = [point_id]
    now = utcnow()
    return current_app.response_class(
        desk_export.devices_spreadsheet(
            queries.list_devices_at_points(point_ids), now, current_language()
        ),
        mimetype="text/csv",
        headers={
            # In the reader's language (ASCII only), dated: downloaded again another day,
            # it is another file.
            "Content-Disposition": "attachment; filename={}-{:%Y-%m-%d}.csv".format(
                _("empreinte-devices-at-the-points"), now.astimezone(local_zone())
            ),
            "Vary": "Accept-Language, Cookie",
            "Cache-Control": "no-store",
        },
    )


_DESK_POINT_KEY = "recycling_desk_point"


def _desk_point(
    point_ids: list[int] | None,
) -> tuple[list[CollectionPoint], CollectionPoint | None]:
    """The points the desk offers to stand at (the agent's own; an admin's, every one),
    when there are several, and the one chosen: ?point= (empty: all of them), else the
    one chosen earlier in the session, if still theirs."""
    points = (
        queries.list_points_of(point_ids)
        if point_ids is not None
        else (queries.list_staff_points())
    )
    if len(points) < 2:
        return [], None
    by_id = {str(point.id): point for point in points}
    if "point" in request.args:
        asked = request.args["point"]
        chosen = by_id.get(asked)
        if session.get(_DESK_POINT_KEY) != (chosen.id if chosen else None):
            session[_DESK_POINT_KEY] = chosen.id if chosen else None
        return points, chosen
    return points, by_id.get(str(session.get(_DESK_POINT_KEY)))


def _listed_point_ids() -> list[int] | None:
    """The points the desk's lists are of: the one it stands at, else all the agent's."""
    point_ids = _point_ids()
    _points, here = _desk_point(point_ids)
    return [here.id] if here else point_ids


def desk_views(waiting_days: int) -> list[tuple[str, str]]:
    """The desk's views (queries.DESK_VIEWS) and their names, as its filter lists them."""
    named = {
        "todo": _("To handle"),
        queries.LONG_WAITING: ngettext(
            "Declared over %(num)s day ago, not received",
            "Declared over %(num)s days ago, not received",
            waiting_days,
        ),
        queries.LONG_KEPT: ngettext(
            "Received over %(num)s day ago, still at the point",
            "Received over %(num)s days ago, still at the point",
            queries.LONG_KEPT_DAYS,
        ),
        "all": _("All"),
        # Withdrawn by their owner, or walk-ins an agent withdrew (undoing their receipt):
        # each row says by whom, the view names both.
        WITHDRAWN: pgettext("desk view", "Withdrawn"),
    }
    return [
        (view, named.get(view) or str(_STATUS_LABELS.get(view, view)))
        for view in queries.DESK_VIEWS
    ]


def desk_title(views: list[tuple[str, str]], status: str, page: int) -> str:
    """The desk's title names the view it lists and its page (RGAA 8.6): « À traiter –
    Guichet de collecte, page 2 »."""
    view = dict(views).get(status)
    title = _("%(view)s – Collection desk", view=view) if view else _("Collection desk")
    if page > 1:
        return _("%(title)s, page %(page)s", title=title, page=format_number(page))
    return title


def desk_place() -> dict:
    """The desk's view and page a return's page was opened from (?status=, ?page=, checked
    as the desk checks them; the default one, or one typed by hand, is left out), so that
    its link back and its forms' redirects come back to that view and page."""
    status = request.args.get("status")
    page = requested_page()
    return {
        "status": status if status in queries.DESK_VIEWS and status != "todo" else None,
        "page": page if page > 1 else None,
    }


def _back_to_return(device_return):
    """The return's page, keeping the desk's view and page it was opened from."""
    return redirect(
        url_for("recycling.agent_return", receipt=device_return.receipt_number, **desk_place())
    )


# A custody step's answer without JavaScript, carried over its redirect to the return's
# page to stand by the chain of custody it just changed (`#step-answer`): flashed, it
# stood at the top of the page, out of view of the step the agent signed on a phone.
_STEP_ANSWER_KEY = "recycling_step_answer"


def _step_answered(device_return, message: str, failed: bool = False):
    """The return's page after a custody step, with its answer: at the top for htmx (as
    before), opened at the answer by the chain of custody without JavaScript."""
    if htmx:
        flash(message, "error" if failed else "success")
        return _back_to_return(device_return)
    session[_STEP_ANSWER_KEY] = {
        "receipt": device_return.receipt_number,
        "message": str(message),
        "failed": failed,
    }
    return redirect(
        url_for(
            "recycling.agent_return",
            receipt=device_return.receipt_number,
            **desk_place(),
            _anchor="step-answer",
        )
    )


def _step_answer_carried(device_return) -> dict | None:
    """The step's answer carried over the redirect, once, on the return's own page (on
    another's, it is flashed at the top rather than lost)."""
    if _STEP_ANSWER_KEY not in session:  # a pop would rewrite the cookie at every view
        return None
    carried = session.pop(_STEP_ANSWER_KEY)
    if not isinstance(carried, dict) or "message" not in carried:
        return None
    if carried.get("receipt") != device_return.receipt_number:
        flash(carried["message"], "error" if carried.get("failed") else "success")
        return None
    return carried


def _point_ids() -> list[int] | None:
    """The signed-in agent's points, asked once per request (None: an admin's, every point)."""
    if "recycling_point_ids" not in g:
        g.recycling_point_ids = queries.agent_point_ids(current_user)
    return g.recycling_point_ids


def _agent_return(receipt: str):
    return queries.get_return_for_agent(receipt, current_user, _point_ids()) or abort(404)


@bp.get(
    "/agent/returns/<receipt>/"
    '<any(receive, "not-brought", "undo-receipt", wipe, outcome, correct):_step>'
)
@leads_back
@role_required("agent")
def agent_return_step(receipt: str, _step: str):
    """A step's address left in the address bar (a refused form shown again without
    JavaScript), reloaded or opened in a new tab: the return's page, never a 405."""
    return _back_to_return(_agent_return(receipt))


@bp.get("/agent/returns/<receipt>")
@role_required("agent")
def agent_return(receipt: str):
    """One return, with the forms for the next custody step."""
    device_return = _agent_return(receipt)
    return _render_agent_return(
        device_return,
        wipe_form_for(device_return.device_type),
        OutcomeForm(),
        answer=_step_answer_carried(device_return),
    )


def _render_agent_return(
    device_return, wipe_form, outcome_form, status=200, undo_form=None, answer=None,
    correction_form=None,
):  # fmt: skip
    now = utcnow()
    # A value signed in an earlier step, corrected by a signed step (never one's own device).
    correctable = services.correctable_steps(device_return)
    if correctable and device_return.user_id != current_user.id:
        correction_form = correction_form or CorrectionForm(formdata=None)
        correction_form.field.choices = choices(
            [("", _("Choose the value")), *correction_choices(correctable)]
        )
    else:
        correction_form = None
    first_wipe_day, last_wipe_day = services.wipe_dates(device_return, now)
    # Only the outcomes the device can still have are offered (the service refuses others).
    possible = services.possible_outcomes(device_return)
    outcome_form.outcome.choices = [c for c in outcome_form.outcome.choices if c.value in possible]
    # Offered once its owner had their chance to bring it (`check_not_brought`).
    closable = services.may_close_not_brought(
        device_return, current_user, now, queries.long_waiting_days()
    )
    # A receipt recorded by mistake, while nothing followed it and within the window.
    undoable = services.may_undo_receipt(device_return, current_user, now)
    # Today (the portal's day) to start with, as most wipes are recorded the day they are
    # done; a date the agent cleared or typed stays as it was sent.
    if wipe_form.wipe_date.data is None and not wipe_form.wipe_date.raw_data:
        wipe_form.wipe_date.data = last_wipe_day
    return render_template(
        "recycling/agent_return.html",
        r=device_return,
        desk=desk_place(),
        walk_in_point=walk_in_point(device_return),
        not_brought_question=not_brought_question(device_return) if closable else None,
        undo_form=(undo_form or undo_form_for(device_return)) if undoable else None,
        undo_question=undo_question(device_return) if undoable else None,
        erased_owner_reason=services.ERASED_OWNER_UNDO_REASON,
        undo_until=services.undo_receipt_until(device_return) if undoable else None,
        own_device_message=services.OWN_DEVICE,
        # Outside them the server refuses the date at its field: the page's script asks
        # nothing first (data-confirm-after and -until), as for a campaign's new end.
        first_wipe_day=first_wipe_day,
        last_wipe_day=last_wipe_day,
        before_first_wipe_day=first_wipe_day - timedelta(days=1),
        confirm_form=ConfirmForm(),
        wipe_form=wipe_form,
        outcome_form=outcome_form,
        data_bearing=DEVICE_TYPES[device_return.device_type].data_bearing,
        wipe_question=wipe_question(device_return.receipt_number, "{value}"),
        outcome_question=outcome_question,
        handover_outcomes=LEAVES_THE_ADMINISTRATION,
        storage_destroyed=services.storage_destroyed(device_return),
        custody=services.check_custody(device_return),
        answer=answer,
        correction_form=correction_form,
    ), status


def walk_in_point(device_return) -> int | None:
    """The point of a walk-in just recorded (its page opened with ?point=, as the walk-in
    form leads to it), whose ways back to the desk and to the form stay at that point; None
    for any other page of a return."""
    if device_return.walked_in and request.args.get("point") == str(device_return.point_id):
        return device_return.point_id
    return None


def not_brought_question(device_return) -> str:
    """Asked before an agent closes a declaration whose device never came."""
    if device_return.user_id is None and device_return.walked_in:  # nobody to tell
        return _(
            "Close the declaration %(receipt)s? No owner is recorded for it: no message is "
            "sent. The step is signed with your name and cannot be changed.",
            receipt=device_return.receipt_number,
        )
    if device_return.user_id is None:  # erased: nobody left to tell
        return _(
            "Close the declaration %(receipt)s? Its owner's account was erased: no message "
            "is sent. The step is signed with your name and cannot be changed.",
            receipt=device_return.receipt_number,
        )
    return _(
        "Close the declaration %(receipt)s? Its owner is told that the device never came, "
        "and may declare it again to bring it later. The step is signed with your name "
        "and cannot be changed.",
        receipt=device_return.receipt_number,
    )


def undo_question(device_return) -> str:
    """Asked before an agent undoes a receipt recorded by mistake; a walk-in's cancels a
    record made by mistake, the device still at the desk: its record is withdrawn
    (`services.undo_receipt`), to be made again if needed."""
    if device_return.walked_in and device_return.user_id is None:  # nobody to tell
        return _(
            "Undo the receipt of %(receipt)s, brought without a declaration? This record, made "
            "by mistake, is withdrawn: its asset tag is freed and it counts nowhere. The "
            "device stays at the collection point: record it again if needed. No owner is "
            "recorded for it: no message is sent. The receipt stays in the chain of custody, "
            "followed by this step, signed with your name.",
            receipt=device_return.receipt_number,
        )
    if device_return.walked_in:
        return _(
            "Undo the receipt of %(receipt)s, brought without a declaration? This record, made "
            "by mistake, is withdrawn: its asset tag is freed and it counts nowhere, the "
            "points its receipt scored in running clean-up campaigns are taken back, and its "
            "owner is told that there is nothing for them to do. The device stays at the "
            "collection point: record it again if needed. The receipt stays in the chain of "
            "custody, followed by this step, signed with your name.",
            receipt=device_return.receipt_number,
        )
    if device_return.user_id is None:  # erased: nobody left to tell
        return _(
            "Undo the receipt of %(receipt)s? The device is expected at the point again, and "
            "the points its receipt scored in clean-up campaigns are taken back; its owner's "
            "account was erased: no message is sent. The receipt stays in the chain of "
            "custody, followed by this step, signed with your name.",
            receipt=device_return.receipt_number,
        )
    return _(
        "Undo the receipt of %(receipt)s? The device is expected at the point again, its "
        "owner is told, and the points its receipt scored in clean-up campaigns are taken "
        "back. The receipt stays in the chain of custody, followed by this step, signed with "
        "your name.",
        receipt=device_return.receipt_number,
    )


def outcome_question(receipt: str, outcome: str, recipient: str | None = None) -> str:
    """Asked before an outcome is signed, in the dialog and on the page without scripts;
    an outcome handing the device over names who received it ("{value}" lets the page's
    script quote the organisation typed)."""
    if recipient:
        return _(
            "Record “%(outcome)s” for %(receipt)s, handed over to %(recipient)s? It is signed "
            "with your name and cannot be changed.",
            outcome=outcome,
            receipt=receipt,
            recipient=recipient,
        )
    return _(
        "Record “%(outcome)s” for %(receipt)s? It is signed with your name and cannot be changed.",
        outcome=outcome,
        receipt=receipt,
    )


def wipe_question(receipt: str, certificate: str) -> str:
    """Asked before a wipe is signed; "{value}" lets the page's script quote the certificate typed."""
    return _(
        "Record the wipe with certificate %(certificate)s for %(receipt)s? It is signed with "
        "your name and cannot be changed.",
        certificate=certificate,
        receipt=receipt,
    )


@bp.post("/agent/returns/<receipt>/receive")
@role_required("agent")
def receive_return(receipt: str):
    """Confirm receipt (htmx: the updated row and the desk's count; otherwise back to the
    desk it was confirmed at, or to the return)."""
    device_return = _agent_return(receipt)
    failed = True
    if ConfirmForm().validate_on_submit():
        try:
            services.confirm_receipt(device_return, current_user, utcnow())
            db.session.commit()
            message = _("Receipt confirmed for %(receipt)s.", receipt=device_return.receipt_number)
            failed = False
        except services.ReturnError as error:
            db.session.rollback()
            message = str(error.message)
    else:
        message = _("Your form expired. Please try again.")
    desk, page = _desk_view()
    if wants_fragment():
        # The desk's count follows: the return may have left the view the agent is in.
        total = (
            None
            if desk is None
            else queries.count_agent_returns(_listed_point_ids(), desk, current_user.id)
        )
        return render_template(
            "recycling/_agent_receipt.html",
            r=device_return,
            form=ConfirmForm(),
            message=message,
            status=desk,
            page=page,
            total=total,
        )
    if desk is not None:  # confirmed at the desk: back to it, counted again, at its row
        return _back_to_desk(desk, page, device_return, message, failed)
    return _step_answered(device_return, message, failed)  # on its page, at its answer


# A receipt's answer without JavaScript, carried over its redirect to the desk to stand
# where the agent was in the list (`#desk-answer`), as the htmx answer stands in the row:
# flashed, it stood at the top of the page, out of view of the row the agent was at.
_DESK_ANSWER_KEY = "recycling_desk_answer"


def _back_to_desk(desk: str, page: int, device_return, message: str, failed: bool):
    """The desk's view and page a receipt was confirmed at, opened at its answer."""
    session[_DESK_ANSWER_KEY] = {
        "desk": desk,
        "receipt": device_return.receipt_number,
        "message": str(message),
        "failed": failed,
    }
    page_asked = page if page > 1 else None
    return redirect(
        url_for("recycling.agent_desk", status=desk, page=page_asked, _anchor="desk-answer")
    )


def _desk_answer_carried(rows, status: str) -> dict | None:
    """The receipt's answer carried over the redirect (once, on its view), and the row it
    stands before: the return's own, or the one that took its place (None: at the end)."""
    if _DESK_ANSWER_KEY not in session:  # a pop would rewrite the cookie at every view
        return None
    carried = session.pop(_DESK_ANSWER_KEY)
    if not isinstance(carried, dict) or "message" not in carried:
        return None
    handled = queries.get_return_for_agent(carried.get("receipt", ""), current_user, _point_ids())
    if carried.get("desk") != status or handled is None:  # nowhere to stand: at the top
        flash(carried["message"], "error" if carried.get("failed") else "info")
        return None
    row = queries.desk_row_at(rows, handled, status)
    return {**carried, "before": None if row is None else row.id}


def _desk_view() -> tuple[str | None, int]:
    """The desk's view and page a form was sent from (None: from the return's own page):
    in the form's address on the desk's rows, in its fields on the other forms."""
    desk = request.values.get("desk")
    raw = request.values.get("page") or ""
    page = min(int(raw), LAST_PAGE_ASKABLE) if raw.isascii() and raw.isdigit() else 1
    return (desk if desk in queries.DESK_VIEWS else None), max(page, 1)


@bp.post("/agent/returns/<receipt>/not-brought")
@role_required("agent")
def close_not_brought(receipt: str):
    """Close a declaration whose device never came (asked first; signed and audited)."""
    device_return = _agent_return(receipt)
    if not ConfirmForm().validate_on_submit():
        return _step_answered(device_return, _("Your form expired. Please try again."), True)
    try:
        services.close_not_brought(
            device_return, current_user, utcnow(), queries.long_waiting_days()
        )
    except services.ReturnError as error:
        db.session.rollback()
        return _step_answered(device_return, str(error.message), True)
    db.session.commit()
    if device_return.user_id is None:  # erased: nobody was told
        closed = _("Declaration %(receipt)s closed.", receipt=device_return.receipt_number)
    else:
        closed = _("Declaration %(receipt)s closed: its owner is told that the device "
                   "never came.", receipt=device_return.receipt_number)  # fmt: skip
    return _step_answered(device_return, closed)


@bp.post("/agent/returns/<receipt>/undo-receipt")
@role_required("agent")
def undo_receipt(receipt: str):
    """Undo a receipt recorded by mistake (asked first, with a reason; signed and audited)."""
    device_return = _agent_return(receipt)
    form = undo_form_for(device_return)
    if form.validate_on_submit():
        # An erased owner's return takes no typed reason (services.ERASED_OWNER_UNDO_REASON).
        reason = form.reason.data if hasattr(form, "reason") else ""
        try:
            if asks_after_check():  # scripts off: asked once the reason and the rules pass
                services.check_undo_receipt(device_return, current_user, utcnow(), reason)
                return question_page(
                    undo_question(device_return),
                    yes=_("Undo the receipt"),
                    no=_("Keep the receipt"),
                    about=_("Return %(number)s", number=device_return.receipt_number),
                    anchor="undo-receipt-heading",
                )
            services.undo_receipt(device_return, current_user, reason, utcnow(), current_language())
        except services.ReturnError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            db.session.commit()
            return _step_answered(device_return, _undone_message(device_return))
    wipe_form = wipe_form_for(device_return.device_type)
    return _render_agent_return(device_return, wipe_form, OutcomeForm(), 422, undo_form=form)


def _undone_message(device_return) -> str:
    """What an undone receipt did: the device expected again, or a walk-in withdrawn;
    its owner told, unless there is none (erased, or a walk-in recorded without one)."""
    number, told = device_return.receipt_number, device_return.user_id is not None
    if device_return.status == WITHDRAWN:  # a walk-in's (`services.undone_status`)
        if told:
            return _("Receipt of %(receipt)s undone: its record is withdrawn, and its owner "
                     "is told. The device stays here: record it again if needed.",
                     receipt=number)  # fmt: skip
        return _("Receipt of %(receipt)s undone: its record is withdrawn. The device stays "
                 "here: record it again if needed.", receipt=number)  # fmt: skip
    if told:
        return _("Receipt of %(receipt)s undone: the device is expected again, and its owner "
                 "is told.", receipt=number)  # fmt: skip
    return _("Receipt of %(receipt)s undone: the device is expected again.", receipt=number)


@bp.post("/agent/returns/<receipt>/wipe")
@role_required("agent")
def wipe_return(receipt: str):
    """Record the certified wipe."""
    device_return = _agent_return(receipt)
    form = wipe_form_for(device_return.device_type)
    if form.validate_on_submit():
        wipe = (form.method.data, form.wipe_date.data, form.certificate_number.data, utcnow())
        try:
            if asks_after_check():  # scripts off: the question names the certificate typed
                certificate = services.check_wipe(device_return, *wipe, agent=current_user)
                # "Cancel" goes back to the wipe's form, not the top of the return's page.
                return question_page(
                    wipe_question(device_return.receipt_number, certificate),
                    yes=_("Record the wipe"),
                    no=_("Cancel"),
                    about=_("Return %(number)s", number=device_return.receipt_number),
                    anchor="wipe-heading",
                )
            services.record_wipe(device_return, current_user, *wipe)
        except services.ReturnError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            db.session.commit()
            recorded = _("Wipe recorded for %(receipt)s.", receipt=device_return.receipt_number)
            return _step_answered(device_return, recorded)
    return _render_agent_return(device_return, form, OutcomeForm(), 422)


@bp.post("/agent/returns/<receipt>/outcome")
@role_required("agent")
def outcome_return(receipt: str):
    """Record the outcome."""
    device_return = _agent_return(receipt)
    form = OutcomeForm()
    if form.validate_on_submit():
        handover = (form.outcome.data, current_user, form.recipient.data, form.handover_slip.data)
        try:
            if asks_after_check():  # scripts off: the signed step is asked about first
                recipient, _slip = services.check_outcome(
                    device_return, *handover, note=form.note.data or ""
                )
                label = {c.value: c.label for c in form.outcome.choices}[form.outcome.data]
                return question_page(
                    outcome_question(device_return.receipt_number, label, recipient),
                    yes=_("Record “%(outcome)s”", outcome=label),
                    no=_("Cancel"),
                    about=_("Return %(number)s", number=device_return.receipt_number),
                    anchor="outcome-heading",
                )
            services.record_outcome(
                device_return, current_user, form.outcome.data, utcnow(), form.note.data or "",
                *handover[2:], language=current_language(),
            )  # fmt: skip
        except services.ReturnError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            db.session.commit()
            recorded = _("Outcome recorded for %(receipt)s.", receipt=device_return.receipt_number)
            return _step_answered(device_return, recorded)
    return _render_agent_return(device_return, wipe_form_for(device_return.device_type), form, 422)


@bp.post("/agent/returns/<receipt>/correct")
@role_required("agent")
def correct_step(receipt: str):
    """Correct a value signed in an earlier step (signed, with a reason; audited)."""
    device_return = _agent_return(receipt)
    form = CorrectionForm()
    if form.validate_on_submit():
        step_id, _sep, name = (form.field.data or "").partition(":")
        step_id = database_id(step_id)
        try:
            services.correct_step(device_return, current_user, step_id, name,
                                  form.new_value.data, form.reason.data, utcnow())  # fmt: skip
        except services.ReturnError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            db.session.commit()
            corrected = _("Correction recorded for %(receipt)s.",
                          receipt=device_return.receipt_number)  # fmt: skip
            return _step_answered(device_return, corrected)
    wipe_form = wipe_form_for(device_return.device_type)
    return _render_agent_return(device_return, wipe_form, OutcomeForm(), 422,
                                correction_form=form)  # fmt: skip


def _show_refusal(form, error: services.ReturnError) -> None:
    """A custody step refused: at its field, or, when the return's state refuses it
    (already recorded, sent twice; not received yet), at the top of the page, whose
    form for that step is gone."""
    if error.field is None:
        flash(str(error.message), "error")
    else:
        getattr(form, error.field).errors.append(error.message)


@bp.get("/admin/points")
@role_required("admin")
def admin_points():
    """Every collection point, open or closed, with actions."""
    points = queries.list_points(active_only=False)
    # Only agents who can still reach the desk count: a revoked or deactivated agent's
    # assignment stays, but the returns declared at the point wait for nobody.
    working = {p.id: {u.id for u in queries.working_agents(p)} for p in points}
    return render_template(
        "recycling/admin_points.html",
        points=points,
        working=working,
        unattended=[p for p in points if p.active and not working[p.id]],
        close_form=CloseForm(),
        confirm_form=ConfirmForm(),
    )


def _agent_choice(user: User) -> str:
    label = f"{user.display_name} <{user.email}>"
    return label if user.active else f"{label} ({_('account deactivated')})"


def _point_form(point: CollectionPoint | None, posted: bool) -> PointForm:
    # Not posted (a GET, or the page shown again after a refused closure): the point's own
    # values, never the closure form's fields read as if they were the point's.
    form = PointForm() if posted else PointForm(formdata=None, obj=point)
    form.commune_id.choices = choices(communes_by_name())
    # Agents who can work, and those already assigned here whose account is deactivated
    # (kept for their return, marked so): unticking them is the admin's choice.
    assigned = [row.user_id for row in point.agent_rows] if point else []
    agents = sorted(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == "agent", User.anonymised_at.is_(None))
            .where(User.active.is_(True) | User.id.in_(assigned))
        ),
        key=lambda agent: alphabetical(agent.display_name),
    )
    form.agent_ids.choices = choices((u.id, _agent_choice(u)) for u in agents)
    if point and not posted:
        form.accepted_types.data = point.accepted_device_types
        form.agent_ids.data = [row.user_id for row in point.agent_rows]
        form.version.data = services.point_version(point)
    return form


@bp.route("/admin/points/new", methods=["GET", "POST"])
@bp.route("/admin/points/<int:point_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit_point(point_id: int | None = None):
    """Create or edit a collection point."""
    point = queries.get_point(point_id) or abort(404) if point_id else None
    form = _point_form(point, posted=request.method == "POST")
    if form.is_submitted():
        # The service's rules are asked even when a field is refused: one submit reports
        # every problem, each at its field.
        valid = form.validate()
        problems = services.point_problems(point, form.data)
        for problem in problems:
            field = getattr(form, problem.field)
            if not field.errors:
                field.errors.append(problem.message)
        # A form sent without its version (a page cached from before it had one) is
        # not compared: its save is judged as before.
        seen = form.version.data or None
        if valid and not problems:
            try:
                point = services.save_point(point, form.data, current_user, utcnow(), seen)
            except services.PointChangedMeanwhile as error:
                db.session.rollback()
                flash(error.message, "error")
                # What was typed stays; a second save, made knowing, is taken.
                form.version.data = services.point_version(point)
                return _point_form_page(form, point, 409)
            db.session.commit()
            flash(_("Collection point saved."), "success")
            return redirect(url_for("recycling.admin_points"))
    return _point_form_page(form, point, 422 if request.method == "POST" else 200)


def _point_form_page(form: PointForm, point: CollectionPoint | None, status: int):
    """The point form, shown again with its errors after a refused save."""
    return render_template(
        "recycling/point_form.html",
        form=form,
        point=point,
        close_form=CloseForm(formdata=None),
        awaited=_devices_awaited(point),
    ), status


def _devices_awaited(point: CollectionPoint | None) -> int:
    """How many declared devices the point still awaits: closing it, the admin is told
    that their owners will find it closed."""
    return queries.count_agent_returns([point.id], "declared") if point else 0


@bp.post("/admin/points/<int:point_id>/close")
@role_required("admin")
def close_point(point_id: int):
    """Close a point temporarily, with an optional note for staff."""
    return _set_point_active(point_id, False)


@bp.post("/admin/points/<int:point_id>/reopen")
@role_required("admin")
def reopen_point(point_id: int):
    """Reopen a closed point."""
    return _set_point_active(point_id, True)


def _set_point_active(point_id: int, active: bool):
    point = queries.get_point(point_id) or abort(404)
    form = CloseForm()
    if not form.validate_on_submit():
        return _refused_closure(point, form, 422)
    try:
        services.set_point_active(
            point, active, current_user, utcnow(), form.closure_note.data or ""
        )
    except services.ReturnError as error:
        db.session.rollback()
        form.closure_note.errors.append(error.message)
        return _refused_closure(point, form, 409)
    db.session.commit()
    flash(_("The collection point “%(point)s” is open again.", point=point.name) if active
          else _("The collection point “%(point)s” is temporarily closed.", point=point.name),
          "success")  # fmt: skip
    return redirect(url_for("recycling.admin_points"))


def _refused_closure(point: CollectionPoint, form: CloseForm, status: int):
    """The point's page again, nothing changed, with why at the note (closing) or at the
    Reopen button (reopening), which takes the focus."""
    errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
    if not form.closure_note.errors:  # only the CSRF token was refused
        form.closure_note.errors = errors or [_("Your form expired. Please try again.")]
    return render_template(
        "recycling/point_form.html",
        form=_point_form(point, posted=False),
        point=point,
        close_form=form,
        awaited=_devices_awaited(point),
        # Said where the page shows it: the note of an open point, the button of a closed one.
        reopen_error=None if point.active else " ".join(map(str, form.closure_note.errors)),
    ), status


class YearRefused(Exception):
    """A `?year=` the statistics cannot be limited to, with why (in the reader's language)."""


def _page_year() -> tuple[int | None, YearRefused | None]:
    """A statistics page's year and, when the one typed is refused, why: the page then
    shows every year with the refusal at its year field (the downloads answer 400)."""
    try:
        return _statistics_year(), None
    except YearRefused as refused:
        return None, refused


def _statistics_year() -> int | None:
    """The calendar year (Europe/Paris) of declaration the statistics and their downloads
    are limited to (`?year=2025`), None for every year (no `year`, or an empty one);
    YearRefused for one that is not a year from FIRST_STATISTICS_YEAR to this one."""
    typed = request.args.get("year", "").strip()
    if not typed:
        return None
    last = utcnow().astimezone(local_zone()).year
    if not (typed.isascii() and typed.isdigit() and len(typed) == 4) or not (
        queries.FIRST_STATISTICS_YEAR <= int(typed) <= last
    ):
        raise YearRefused(
            _("Choose a year from %(first)s to %(last)s, or all years.",
              first=str(queries.FIRST_STATISTICS_YEAR), last=str(last))
        )  # fmt: skip
    return int(typed)


def _year_refused(error: YearRefused):
    """A download asked for a year it cannot be limited to: why, as plain text (400)."""
    return current_app.response_class(str(error), status=400, mimetype="text/plain")


def _file_name(name: str, year: int | None) -> str:
    """A download's `Content-Disposition`: `name`, the year it is limited to before its
    extension (`empreinte-device-returns-2025.csv`)."""
    stem, dot, extension = name.rpartition(".")
    return f"attachment; filename={stem}{'' if year is None else f'-{year}'}{dot}{extension}"


def _year_choice(year: int | None, error: YearRefused | None) -> dict:
    """What the pages' year choice shows (`_statistics_year.html`)."""
    return {"year": year, "years": queries.statistics_years(utcnow()),
            "year_error": str(error) if error else None}  # fmt: skip


@bp.get("/admin/statistics")
@role_required("agent")
def statistics():
    """Statistics of returns, e-waste and avoided manufacturing footprint: every point's
    for an admin, only those of the points an agent is assigned to (read from their
    account, never from the request), of every year or of the one chosen."""
    from app.catalogue.queries import reference_embodied_by_device_type
    from app.catalogue.routes import kg_figure

    year, error = _page_year()
    point_ids = queries.agent_point_ids(current_user)  # None: every point (admins)
    return render_template(
        "recycling/statistics.html",
        stats=queries.statistics(point_ids, year),
        every_point=point_ids is None,
        scope_points=[] if point_ids is None else queries.list_point_labels(point_ids),
        weight_source=queries.WEIGHT_SOURCE,
        embodied_source=queries.EMBODIED_SOURCE,
        embodied=reference_embodied_by_device_type(),
        device_types=DEVICE_TYPES,
        # The catalogue's figures, written as its pages write them: « 181 kg CO₂e », not
        # « 181,0 kg CO₂e » here for the same laptop.
        kg_figure=kg_figure,
        **_year_choice(year, error),
    ), 400 if error else 200


@bp.get("/figures")
@reads_only
@login_required
def collective_figures():
    """This year's figures of the whole authority, for every signed-in employee: devices
    returned, kept in use or recycled, and the footprint avoided; totals only."""
    year = utcnow().astimezone(local_zone()).year
    return render_template(
        "recycling/figures.html",
        year=year,
        figures=queries.collective_figures(year),
        embodied_source=queries.EMBODIED_SOURCE,
        weight_source=queries.WEIGHT_SOURCE,
    )


OPEN_DATA_FIELDS = (
    "month", "received_month", "handover_month", "insee_code", "commune", "point_id",
    "point", "device_type", "status", "wipe_status", "devices", "kg_ewaste", "kgco2e_avoided",
)  # fmt: skip


@bp.get("/admin/statistics.csv")
@role_required("agent")
def statistics_csv():
    """Open data: returns by month, point, type and status (no personal data), as CSV;
    an agent's, of their own points only (read from their account, as the page's)."""
    try:
        year = _statistics_year()
    except YearRefused as error:
        return _year_refused(error)
    table = queries.grouped_returns(_point_ids(), year)
    rows = ([row.get(name) for name in OPEN_DATA_FIELDS] for row in table)
    return current_app.response_class(
        write_csv(rows, OPEN_DATA_FIELDS),
        mimetype="text/csv",
        # Named in the reader's language, as the spreadsheets are; its columns are not.
        headers={
            "Content-Disposition": _file_name(_("empreinte-device-returns.csv"), year),
            "Vary": "Accept-Language, Cookie",
        },
    )


@bp.get("/admin/statistics/departments")
@role_required("agent")
def statistics_departments():
    """Returns by the owner's department, small departments' figures withheld
    (LEADERBOARD_MIN_TEAM): every point's for an admin, an agent's own points' only; of
    every year or of the one chosen."""
    from app.cleanup.queries import min_team

    year, error = _page_year()
    point_ids = queries.agent_point_ids(current_user)  # None: every point (admins)
    return render_template(
        "recycling/statistics_departments.html",
        by_department=queries.returns_by_department(point_ids, min_team(), year),
        min_team=min_team(),
        every_point=point_ids is None,
        **_year_choice(year, error),
    ), 400 if error else 200


@bp.get("/admin/statistics/wipes")
@role_required("agent")
def statistics_wipes():
    """What became of the data of the devices received, by device type, and the e-waste
    by the organisation it was handed over to: every point's for an admin, an agent's own
    points' only; of every year or of the one chosen."""
    year, error = _page_year()
    point_ids = queries.agent_point_ids(current_user)  # None: every point (admins)
    return render_template(
        "recycling/statistics_wipes.html",
        wipes=queries.wipe_statistics(point_ids, year, utcnow()),
        recipients=queries.ewaste_by_recipient(point_ids, year),
        overdue_days=queries.WIPE_OVERDUE_DAYS,
        every_point=point_ids is None,
        device_types=DEVICE_TYPES,
        **_year_choice(year, error),
    ), 400 if error else 200


@bp.get("/admin/statistics-departments.csv")
@role_required("agent")
def statistics_departments_csv():
    """Open data: returns by the owner's department, small departments' figures withheld
    (LEADERBOARD_MIN_TEAM); an agent's, of their own points only, as the page's."""
    try:
        year = _statistics_year()
    except YearRefused as error:
        return _year_refused(error)
    records = statistics_export.department_records(_point_ids(), year)
    fields = statistics_export.DEPARTMENT_FIELDS
    return current_app.response_class(
        write_csv(([record[name] for name in fields] for record in records), fields),
        mimetype="text/csv",
        headers={
            "Content-Disposition": _file_name(
                _("empreinte-device-returns-by-department.csv"), year
            ),
            "Vary": "Accept-Language, Cookie",
        },
    )


@bp.get("/admin/statistics-departments-spreadsheet.csv")
@role_required("agent")
def statistics_departments_spreadsheet():
    """Returns by department as a spreadsheet opens them in the reader's language (Excel,
    LibreOffice); `statistics-departments.csv` stays the open data."""
    try:
        year = _statistics_year()
    except YearRefused as error:
        return _year_refused(error)
    records = statistics_export.department_records(_point_ids(), year)
    return current_app.response_class(
        statistics_export.department_spreadsheet(records, current_language()),
        mimetype="text/csv",
        headers={
            # Named apart from the open data, in the reader's language (ASCII only).
            "Content-Disposition": _file_name(
                _("empreinte-device-returns-by-department-spreadsheet.csv"), year
            ),
            "Vary": "Accept-Language, Cookie",
        },
    )


@bp.get("/admin/statistics-spreadsheet.csv")
@role_required("agent")
def statistics_spreadsheet():
    """The same table as a spreadsheet opens it in the reader's language (Excel,
    LibreOffice); `statistics.csv` stays the open data. An agent's: their points only."""
    try:
        year = _statistics_year()
    except YearRefused as error:
        return _year_refused(error)
    table, points = queries.grouped_returns_and_points(_point_ids(), year)
    return current_app.response_class(
        statistics_export.statistics_spreadsheet(table, points, current_language()),
        mimetype="text/csv",
        headers={
            # Named apart from the open data, in the reader's language (ASCII only).
            "Content-Disposition": _file_name(_("empreinte-device-returns-spreadsheet.csv"), year),
            "Vary": "Accept-Language, Cookie",
        },
    )


@bp.get("/admin/statistics.json")
@role_required("agent")
def statistics_json():
    """Open data with its metadata (licence, sources, field meanings) as JSON, downloaded
    as a file as the CSVs are; an agent's, of their own points only, which it names."""
    try:
        year = _statistics_year()
    except YearRefused as error:
        return _year_refused(error)
    response = jsonify(statistics_export.open_data_document(_point_ids(), year))
    response.headers["Content-Disposition"] = _file_name(_("empreinte-device-returns.json"), year)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
