"""Home dashboard, language switch, privacy notice and health check."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import text

from app.auth import services as auth_services
from app.auth.forms import ConfirmForm
from app.core import cache
from app.core.accessibility import accessibility_statement
from app.core.dashboard import dashboard_panels
from app.core.database import reads_only
from app.core.errors import DATABASE_RETRY_AFTER, answers_expired_form
from app.core.pending_uploads import KEEP_SECONDS
from app.core.schema import schema_problem
from app.core.urls import answers_get
from app.extensions import db, limiter_store_answers

bp = Blueprint("core", __name__)


@bp.get("/")
@reads_only
@login_required
def home():
    """The dashboard: one summary panel per domain."""
    return render_template(
        "core/home.html",
        panels=dashboard_panels(current_user),
        welcome_form=None if auth_services.welcome_dismissed(current_user) else ConfirmForm(),
    )


@bp.post("/welcome/dismiss")
@login_required
def dismiss_welcome():
    """Hide the home page's welcome for good, then back home."""
    if ConfirmForm().validate_on_submit():
        auth_services.dismiss_welcome(current_user)
        db.session.commit()
        flash(
            _("The welcome is hidden. The privacy notice stays linked at the foot of every page."),
            "success",
        )
    return redirect(url_for("core.home"))


@bp.post("/language")
def set_language():
    """Switch language: remembered in the session, and saved as the user's preference."""
    lang = request.form.get("lang")
    if ConfirmForm().validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(_page_after_switch())


@answers_expired_form("core.set_language")
def language_form_expired():
    """The language button of a page whose session is gone: back to that page, asking to
    choose again (the choice sent is not trusted: nothing vouches for who sent it)."""
    flash(_("The page had expired: choose the language again."), "info")
    return redirect(_page_after_switch())


def _page_after_switch() -> str:
    """The page named by `next` if it is one of ours that answers GET (a page shown
    before the fix, after a POST, named its POST-only address), else home."""
    target = request.form.get("next")
    return target if answers_get(target) else url_for("core.home")


@bp.get("/privacy")
@reads_only
def privacy():
    """The privacy notice."""
    return render_template(
        "core/privacy.html",
        contact=current_app.config["PRIVACY_CONTACT"],
        controller_contact=current_app.config["PRIVACY_CONTROLLER_CONTACT"],
        upload_minutes=KEEP_SECONDS // 60,
        # A missing contact is an administrator's task, named by its setting for them only.
        names_settings=current_user.is_authenticated and current_user.has_role("admin"),
    )


@bp.get("/accessibility")
@reads_only
def accessibility():
    """The accessibility statement (RGAA), with its compliance status."""
    return render_template(
        "core/accessibility.html",
        **accessibility_statement(current_app.config),
        # A missing contact is an administrator's task, named by its setting for them only.
        names_settings=current_user.is_authenticated and current_user.has_role("admin"),
    )


@bp.get("/healthz")
def healthz():
    """200 when the database answers with the schema this code needs (its migrations'
    heads), 503 otherwise (with Retry-After, as every 503)."""
    try:
        db.session.execute(text("SELECT 1"))
        behind = schema_problem()
    except Exception:  # any database failure means unhealthy
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503, {"Retry-After": DATABASE_RETRY_AFTER}
    if behind:  # every page that reads a table not yet made would answer 500
        body = {"status": "unavailable", "problems": [f"schema: {behind}"]}
        return jsonify(body), 503, {"Retry-After": DATABASE_RETRY_AFTER}
    # A shared Redis that stops answering leaves the portal working, more slowly or with
    # limits counted per worker: said, with a 200, so that no balancer takes it out.
    problems = []
    if not cache.store_answers():
        problems.append("cache: CACHE_REDIS_URL does not answer; pages are worked out afresh")
    if not limiter_store_answers():
        problems.append(
            "rate limits: RATELIMIT_STORAGE_URI does not answer; each worker counts in memory"
        )
    if problems:
        return jsonify({"status": "degraded", "problems": problems})
    return jsonify({"status": "ok"})
