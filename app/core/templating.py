"""Template filters, globals and htmx response conventions."""

from flask import Flask, g, request
from flask_babel import format_datetime, format_percent
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.auth.models import role_label
from app.core import accessibility, assets, confirmation, frame
from app.core.audit import action_label, actor_label, audit_details, object_label
from app.core.i18n import (
    current_language,
    format_day,
    format_kg_co2e,
    format_moment,
    format_number,
    format_quantity,
    install_template_gettext,
    moment_patterns,
    plural_count,
    zone_label,
    zone_phrase,
)


def first_invalid(fields) -> str | None:
    """The id of the first refused field of a form (or of fields listed in the order the
    page shows them): the one to give the focus (autofocus), so that a form shown again
    with its errors far down a page is where the person lands."""
    return next((f.id for f in fields if f.errors and f.type != "CSRFTokenField"), None)


def claim_error_focus() -> bool:
    """True once per request: for the first refused field the `field` macro renders, which
    then takes the focus (autofocus). A form shown again with its errors lands the person
    on what to correct, read out with its error, instead of at the top of the page."""
    if g.get("error_focus_claimed"):
        return False
    g.error_focus_claimed = True
    return True


def line_breaks(text: str | None) -> Markup:
    """Someone's text (a comment, a decision note, a review's reason), escaped, its line
    breaks kept: a text typed on two lines ran together where a page showed it."""
    return Markup("<br>\n").join(escape(line) for line in (text or "").splitlines())


#: The answers of a form refused as a whole page: its values wrong (422), or at odds with
#: what is already there (409, a full daily cap).
REFUSED_FORM_STATUSES = (409, 422)


def init_app(app: Flask) -> None:
    """Register filters (Babel-formatted numbers, dates, units) and response hooks."""
    app.jinja_env.filters.update(
        kg_co2e=format_kg_co2e,
        number=format_number,
        percent=lambda value: format_percent(value),
        # A date and time to the minute unless a Babel format is named ("short", "long").
        datetime=lambda value, fmt=None: (
            (format_moment(value) if fmt is None else format_datetime(value, fmt)) if value else ""
        ),
        date=lambda value, fmt="medium": format_day(value, fmt) if value else "",
        quantity=format_quantity,
        plural_count=plural_count,
        first_invalid=first_invalid,
    )
    app.jinja_env.globals.update(
        current_language=current_language,
        moment_patterns=moment_patterns,
        # The portal's time zone after a time, « (heure de Paris) », and in a sentence.
        zone_label=zone_label,
        zone_phrase=zone_phrase,
        claim_error_focus=claim_error_focus,
        line_breaks=line_breaks,
        role_label=role_label,
        audit_action=action_label,
        audit_actor=actor_label,
        audit_object=object_label,
        audit_details=audit_details,
        organisation=app.config["ORGANISATION_NAME"],
        accessibility_status=lambda: accessibility.status_label(app.config),
    )
    frame.init_app(app)
    assets.init_app(app)
    confirmation.init_app(app)

    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    install_template_gettext(app)

    @app.after_request
    def vary_on_htmx(response):
        # One URL serves a page or a fragment: caches must keep them apart.
        response.vary.add("HX-Request")
        return response

    @app.after_request
    def title_tells_a_refusal(response):
        """A whole page sent back with a refused form (409, 422, or one marked
        `g.form_refused`: a sign-in refused with its 401) says so in its title, the
        first words a screen reader reads of it: « Erreur : Nouvelle campagne »."""
        if (
            (response.status_code in REFUSED_FORM_STATUSES or g.get("form_refused"))
            and response.mimetype == "text/html"
            and not response.direct_passthrough
            and "HX-Request" not in request.headers
        ):
            page = response.get_data(as_text=True)
            if "<title>" in page:
                marked = "<title>" + str(escape(_("Error:"))) + " "
                response.set_data(page.replace("<title>", marked, 1))
        return response
