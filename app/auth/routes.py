"""Sign-in, sign-out and the profile page."""

import math
import time
from urllib.parse import urlsplit

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
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse_many
from markupsafe import Markup

from app.auth import directory, mail, services, sso
from app.auth.forms import (
    ConfirmForm,
    ErasureForm,
    NewPasswordForm,
    PasswordForm,
    PreferencesForm,
    SignInForm,
    SignInLinkForm,
    SignOutEverywhereForm,
    TokenForm,
)
from app.auth.models import ApiToken, LeaderboardVisibility, token_scope_label
from app.core import privacy_services
from app.core.audit import register_audit_details
from app.core.database import reads_only
from app.core.errors import answers_expired_form
from app.core.i18n import current_language, format_day, format_number
from app.core.privacy import export_file
from app.core.security import renew_csrf_token
from app.core.time import local_zone, utcnow
from app.core.urls import answers_get, public_url, safe_next_url
from app.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")
# The directory's import writes of a departed account that its address went to someone
# new: the audit log says it in the reader's words.
bp.record_once(
    lambda state: register_audit_details(state.app, "update", directory.audit_released, ("user",))
)
# What an import changed of each account, an account it created, and a department an admin
# changed by hand: the person's page and the log say it in the reader's words.
bp.record_once(
    lambda state: (
        register_audit_details(
            state.app, "update_from_directory", directory.audit_directory_change, ("user",)
        ),
        register_audit_details(state.app, "create", directory.audit_created, ("user",)),
        register_audit_details(
            state.app, "change_department", directory.audit_department_change, ("user",)
        ),
    )
)
# [person id, time] of a sign-in with a link sent by e-mail, in the session.
LINK_SIGN_IN_KEY = "signed_in_by_link_at"
# The page to go to after single sign-on, kept in the session during the round trip.
SSO_NEXT_KEY = "sso_next"
# Set when the session was opened by single sign-on: signing out then signs out there too.
SSO_SESSION_KEY = "signed_in_by_sso"


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _refused(response) -> bool:
    """Whether a sign-in attempt failed, and so counts against its client address: a
    town hall's NAT or a VDI farm gives hundreds of colleagues one address, and counting
    their successful sign-ins refused the sixth of them within the minute."""
    return response.status_code >= 400


def _account_sign_in_limit() -> str:
    return current_app.config["ACCOUNT_SIGN_IN_RATE_LIMIT"]


def _address_as_typed() -> str:
    """The address in the password form. The form is read from form fields only: a JSON
    body never reaches the view (`refuse_json_on_web_forms`, a 415), nor any password."""
    typed = request.form.get("email")
    return typed.strip() if isinstance(typed, str) else ""


def _typed_address() -> str:
    """The account's own limit's key: the address typed, whether or not it has an
    account, so a refusal tells nobody who works here."""
    return "account:" + _address_as_typed().casefold()[:320]


def _minutes_left(reset_time: float) -> int:
    """Whole minutes until a limit's window lets the next attempt in (`reset_time`, in
    seconds since the epoch), rounded up: "1 minute" rather than "0" for the last seconds."""
    return max(1, math.ceil((reset_time - time.time()) / 60))


def _account_limited_message(minutes: int) -> str:
    return ngettext(
        "Too many sign-in attempts for this address. Try again in %(minutes)s minute, or "
        "ask for a sign-in link by e-mail.",
        "Too many sign-in attempts for this address. Try again in %(minutes)s minutes, or "
        "ask for a sign-in link by e-mail.",
        minutes,
        minutes=format_number(minutes),
    )


def _address_limited_message(limit) -> str:
    """The per-address limit's refusal: when to try again (the window's end, in whole
    minutes), and the link, which this limit does not hold back (it counts its own)."""
    minutes = _minutes_left(limit.window.reset_time)
    return ngettext(
        "Too many sign-in attempts from this connection. Try again in %(minutes)s minute, or "
        "ask for a sign-in link by e-mail.",
        "Too many sign-in attempts from this connection. Try again in %(minutes)s minutes, or "
        "ask for a sign-in link by e-mail.",
        minutes,
        minutes=format_number(minutes),
    )


def _address_limited_page(limit):
    """The per-address limit answers as the account's does (`_account_limited_page`): the
    sign-in page again, not a bare error page that lost the form and the link."""
    return _limited_page(_address_limited_message(limit))


def _account_limited_page():
    """The sign-in page again (429), the message at its top and the address typed in both
    forms: the link, which still works, is one button away instead of a bare error page.
    It says when the address may try again: when the limit's window ends, not "an hour"
    whatever is left of it."""
    reset_time = _limits_reset_time(_account_limits(), "sign-in", _typed_address())
    return _limited_page(_account_limited_message(_minutes_left(reset_time)))


def _limited_page(message: str):
    """The sign-in page (429) with `message` and the address typed in both forms."""
    typed = _address_as_typed()[:254]  # as typed: the key's casefold may be another mailbox
    flash(message, "error")
    g.form_refused = True
    page, _status = _sign_in_page(
        SignInForm(formdata=None, email=typed),
        SignInLinkForm(formdata=None, prefix="link", email=typed),
    )
    return make_response(page, 429)


def _account_limits():
    """The per-account sign-in limits (ACCOUNT_SIGN_IN_RATE_LIMIT)."""
    return parse_many(_account_sign_in_limit())


def _limits_reset_time(limits, scope: str, key: str) -> float:
    """When the limits counted under (`scope`, `key`) let one more attempt in: the latest
    window end among those used up (of any of them when none is)."""
    windows = [limiter.limiter.get_window_stats(limit, scope, key) for limit in limits]
    used_up = [window.reset_time for window in windows if window.remaining == 0]
    return max(used_up or [window.reset_time for window in windows])


def _sign_in_attempt_allowed() -> bool:
    """Count one password sign-in attempt for the address typed; False past
    ACCOUNT_SIGN_IN_RATE_LIMIT.

    Every attempt counts before its password is checked: counting only the wrong ones
    after the answer let a burst of guesses sent at once all pass the check. A right
    password then gives its attempt back (`_give_back_sign_in_attempt`)."""
    if not limiter.enabled:  # RATELIMIT_ENABLED=False turns every limit off
        return True
    key = _typed_address()
    counted = [limiter.limiter.hit(limit, "sign-in", key) for limit in _account_limits()]
    return all(counted)  # each limit counts the attempt, the first one refusing or not


def _give_back_sign_in_attempt() -> None:
    """Uncount a sign-in whose password was right: someone who signs in and out often
    was locked out without one wrong password. (The fixed window's counter; one
    given back just after its window ended counts one less in the next.)"""
    if limiter.enabled:
        key = _typed_address()
        for limit in _account_limits():
            limiter.limiter.hit(limit, "sign-in", key, cost=-1)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    _sign_in_limit, methods=["POST"], on_breach=_address_limited_page, deduct_when=_refused
)
def sign_in():
    """Show the sign-in form and open a session on valid credentials."""
    if request.method == "POST" and not _sign_in_attempt_allowed():
        return _account_limited_page()
    if current_user.is_authenticated:  # a bookmark, a link to sign in to a page
        return redirect(_requested_next() or url_for("core.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.password_holder(form.email.data, form.password.data)
        if user is not None and user.is_active:
            _give_back_sign_in_attempt()
            return _open_session(user)
        if user is not None:  # the right password: they may know the account is closed
            _give_back_sign_in_attempt()
            flash(mail.deactivated_account_message(), "error")
            g.form_refused = True
            return _sign_in_page(form, status=403)
        # Said alike for every address, known or not; most staff have no password, so
        # the answer leads to the link, their address already in its form. The message
        # carries an id: the password field, marked invalid, is described by it (the
        # output of our own autoescaped template, hence Markup).
        flash(Markup(render_template("auth/_sign_in_refused.html")), "error")  # noqa: S704
        g.form_refused = True  # a 401, as sign-in failures are counted, yet a refused form
        return _sign_in_page(
            form, _link_form_with(form.email.data), status=401, password_refused=True
        )
    if form.errors:
        return _sign_in_page(form, _link_form_with(form.email.data), status=422)
    return _sign_in_page(form)


@answers_expired_form("auth.sign_in")
def sign_in_form_expired():
    """The sign-in form sent from a page whose session is gone: the form again (with the
    address typed and `next` kept), a fresh token, nobody signed in."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    flash(_("The page had expired: sign in again."), "info")
    return _sign_in_page(SignInForm(), status=400)


def _link_form_with(typed) -> SignInLinkForm:
    """The link form holding the address typed in the password form (as typed, nothing
    looked up): a person without a password asks for a link without typing it again."""
    typed = typed.strip()[:254] if isinstance(typed, str) else ""
    return SignInLinkForm(formdata=None, prefix="link", email=typed)


def _sign_in_page(form=None, link_form=None, status=200, password_refused=False):
    """The sign-in page: the password form and the form asking for a link;
    `password_refused` marks its password field as refused, described by the message."""
    return render_template(
        "auth/sign_in.html",
        form=form or SignInForm(formdata=None),
        link_form=link_form or SignInLinkForm(formdata=None, prefix="link"),
        sso_enabled=sso.enabled(),
        password_refused=password_refused,
    ), status


def _open_session(user, next_url: str | None = None):
    """Sign the person in (their language kept if they never chose one) and go on to
    `next_url`, or to the page named by `?next=`, or home."""
    services.keep_language_if_never_chosen(user, current_language())
    db.session.commit()
    login_user(user)
    session[services.SESSION_MARK_KEY] = services.new_session_mark()
    renew_csrf_token()
    session.pop(LINK_SIGN_IN_KEY, None)
    session.pop(SSO_SESSION_KEY, None)
    return redirect(next_url or _requested_next() or url_for("core.home"))


def _requested_next() -> str | None:
    """The page named by `?next=` when it is a page of the portal; None otherwise, an
    address that cannot even be read ("//[") included.

    A form's address (POST only) names no page: a form sent from a tab left open after
    signing out elsewhere sends the person to sign in with it as `next`, and going on
    to it answered 405, what they typed lost. The nearest page above it is then the one
    the form was on (/auth/profile for /auth/profile/tokens/7/revoke), its query kept (the roles
    search and page of /admin/roles/7?q=martin&page=2); home when there is none."""
    target = safe_next_url(request.args.get("next"))
    if target is None or answers_get(target):
        return target
    parts = urlsplit(target)
    steps = parts.path.rstrip("/").split("/")
    above = ("/".join(steps[:end]) or "/" for end in range(len(steps) - 1, 0, -1))
    query = f"?{parts.query}" if parts.query else ""
    return next((page + query for page in above if answers_get(page)), None)


@bp.post("/sign-in/link")
@limiter.limit(_sign_in_limit)
def request_sign_in_link():
    """E-mail a one-time sign-in link. The answer is the same whether or not the address
    has an account: the form must not tell who works here."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    link_form = SignInLinkForm(prefix="link")
    if not link_form.validate_on_submit():
        return _sign_in_page(link_form=link_form, status=422)
    if not mail.mail_server_answers():  # said alike for every address: none looked up
        flash(_("The e-mail could not be sent just now. Try again in a few minutes."), "error")
        g.form_refused = True
        return _sign_in_page(link_form=link_form, status=503)
    answer = make_response(
        render_template(
            "auth/sign_in_link_sent.html",
            email=link_form.email.data,
            minutes=current_app.config["SIGN_IN_LINK_MINUTES"],
        )
    )
    # Nothing about the address is looked up before the answer has left (its time).
    return mail.send_after_answering(
        answer, link_form.email.data, _requested_next(), current_language()
    )


@answers_expired_form("auth.request_sign_in_link")
def sign_in_link_form_expired():
    """The link form sent from a page whose session is gone (the browser restarted): the
    sign-in page again with the address typed and `next` kept, a fresh token, nothing
    sent."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    flash(_("The page had expired: ask for your sign-in link again."), "info")
    return _sign_in_page(link_form=SignInLinkForm(prefix="link"), status=400)


@bp.get("/sign-in/link")
def show_sign_in_link_form():
    """The address the link form leaves in the address bar ("Check your mailbox"):
    reloaded or opened again, it leads to the form on the sign-in page, not a 405."""
    return redirect(
        url_for("auth.sign_in", next=request.args.get("next"), _anchor="sign-in-link-title")
    )


@bp.get("/sign-in/link/<token>")
@reads_only
def sign_in_with_link(token: str):
    """The page a sign-in link opens: a button signs in. Opening the link spends nothing,
    so that a mail filter that follows links before the person does cannot spend it.
    On a browser signed in as someone else (a shared computer), the page says so: the
    link's owner must not carry on in that other person's account."""
    return _link_page(token)


def _link_page(token: str, status: int = 200, expired: bool = False):
    """The page a link opens (`status`; `expired`: its button was sent from a page whose
    session is gone), or where it leads someone signed in already."""
    link = services.usable_sign_in_link(token, utcnow())
    if (already := _signed_in_already(token, link)) is not None:
        return already
    if link is None:
        return _link_unusable()
    return render_template(
        "auth/sign_in_link.html",
        form=ConfirmForm(),
        email=link.user.email,
        signed_in_as=current_user.email if current_user.is_authenticated else None,
        expired=expired,
    ), status


@bp.post("/sign-in/link/<token>")
@limiter.limit(_sign_in_limit, deduct_when=_refused)
def redeem_sign_in_link(token: str):
    """Sign in with the link, once. On a browser signed in as someone else, that
    person is signed out of this browser first (their other devices stay signed in)."""
    link = services.usable_sign_in_link(token, utcnow())
    if (already := _signed_in_already(token, link)) is not None:
        return already
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = services.redeem_sign_in_link(token, utcnow())
    if user is None:
        db.session.rollback()
        return _link_unusable()
    if current_user.is_authenticated:
        _end_this_session()
        session.clear()  # nothing of the other person's session carries over
    answer = _open_session(user)
    session[LINK_SIGN_IN_KEY] = [user.id, int(utcnow().timestamp())]
    return answer


@answers_expired_form("auth.redeem_sign_in_link")
def redeem_form_expired():
    """The link's button pressed on a page whose session is gone: the same page again,
    with a fresh token and a word of why; the link is not spent."""
    return _link_page(request.view_args["token"], status=400, expired=True)


@bp.get("/sso")
@limiter.limit(_sign_in_limit, deduct_when=_refused)
def sso_sign_in():
    """Go to the authority's sign-in page (single sign-on), to come back signed in."""
    if (elsewhere := _sso_not_needed()) is not None:
        return elsewhere
    session[SSO_NEXT_KEY] = _requested_next()
    try:
        return sso.redirect_to_provider(public_url(url_for("auth.sso_callback")))
    except sso.PROVIDER_FAILURES as error:
        sso.log_provider_failure(error)
        return _sso_problem("unavailable", 503)


@bp.get("/sso/callback")
@limiter.limit(_sign_in_limit, deduct_when=_refused)
def sso_callback():
    """Where the authority's sign-in page sends the person back."""
    if (elsewhere := _sso_not_needed()) is not None:
        return elsewhere
    try:
        outcome = sso.outcome_of_callback()
    except sso.REFUSALS as error:
        current_app.logger.warning("single sign-on refused: %s", error)
        return _sso_problem("not_completed", 400)
    except sso.PROVIDER_FAILURES as error:
        sso.log_provider_failure(error)
        return _sso_problem("unavailable", 503)
    if outcome.user is None:
        if outcome.other_identity:
            reason = "other_identity"
        elif outcome.email and outcome.verified:
            reason = "no_account"
        else:
            reason = "no_address"
        return _sso_problem(reason, 403, email=outcome.email)
    answer = _open_session(outcome.user, session.pop(SSO_NEXT_KEY, None))
    session[SSO_SESSION_KEY] = True
    return answer


def _signed_in_already(token: str, link):
    """Where a link leads someone signed in already: on, when it is their own link, used
    or not (nothing to change); the "no longer works" page when it is nobody's usable link
    (another person's used, expired or mistyped one, on a shared computer: its owner must
    learn it failed, not land on the other person's home), which names nobody and leaves
    that person signed in; None when it is another person's usable link."""
    if not current_user.is_authenticated:
        return None
    if services.sign_in_link_owner_id(token) == current_user.id:
        return redirect(_requested_next() or url_for("core.home"))
    return _link_unusable() if link is None else None


def _sso_not_needed():
    """404 without a provider, home for someone signed in already; None otherwise."""
    if not sso.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    return None


def _sso_problem(reason: str, status: int, email: str = ""):
    """Why single sign-on did not sign the person in, and the other ways in."""
    return render_template("auth/sso_problem.html", reason=reason, email=email), status


def _may_set_password_without_current() -> bool:
    """True within SIGN_IN_LINK_MINUTES of signing in with a link sent by e-mail."""
    mark = session.get(LINK_SIGN_IN_KEY)
    if not (isinstance(mark, list) and len(mark) == 2 and mark[0] == current_user.id):
        return False  # another person's sign-in on this browser proves nothing
    minutes = int(current_app.config["SIGN_IN_LINK_MINUTES"])
    return 0 <= utcnow().timestamp() - mark[1] <= minutes * 60


def _link_unusable():
    """A link used, expired, mistyped or of an account that no longer exists."""
    return render_template(
        "auth/sign_in_link_unusable.html",
        link_form=SignInLinkForm(formdata=None, prefix="link"),
        minutes=current_app.config["SIGN_IN_LINK_MINUTES"],
    ), 404


@bp.post("/sign-out")
def sign_out():
    """End this session only: the person's other devices stay signed in (a shared
    computer is left without signing them out on their phone). Pressed on a page whose
    session ended already (signed out on all devices elsewhere), there is nothing left to
    end: it says so rather than asking to sign in."""
    if not current_user.is_authenticated:
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.sign_in"))
    return _leave(_("You are signed out on this device. Your other devices stay signed in."))


@bp.post("/profile/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of the person, this one included (a lost phone, a computer left
    signed in elsewhere): their session token rotates, so every cookie holding the old one
    is refused (`load_session_user`). API tokens are no sessions: revoked too only when
    the box is ticked, and the sign-in page says which way it went."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        return _render_profile(sign_out_form=form, status=400)
    services.end_all_sessions(current_user)
    revoked = (
        services.revoke_all_api_tokens(current_user, utcnow()) if form.revoke_tokens.data else 0
    )
    still_working = services.count_working_api_tokens(current_user)
    db.session.commit()
    return _leave(_signed_out_everywhere_message(revoked, still_working))


def _signed_out_everywhere_message(revoked: int, still_working: int) -> str:
    """What the sign-in page says after "Sign out on all my devices", tokens included."""
    if revoked:
        return ngettext(
            "You are signed out on all your devices, and your API token is revoked.",
            "You are signed out on all your devices, and your %(num)s API tokens are revoked.",
            revoked,
        )
    if still_working:
        return ngettext(
            "You are signed out on all your devices. Your API token still works: you can "
            "revoke it from your profile.",
            "You are signed out on all your devices. Your %(num)s API tokens still work: you "
            "can revoke them from your profile.",
            still_working,
        )
    return _("You are signed out on all your devices.")


@bp.get("/profile/sign-out-everywhere")
@login_required
def show_sign_out_everywhere():
    """The form's address: the devices section of the profile page."""
    return redirect(url_for("auth.profile", _anchor="devices-title"))


def _leave(message: str):
    """Sign out of this browser and say `message` on the sign-in page, in the language the
    person was reading; single sign-on's session ends at the provider too.

    The session is a signed cookie: the answer replaces it with one that names nobody,
    and no page was kept by the browser (Cache-Control: no-store), so Back shows none."""
    language = current_language()
    _end_this_session()
    renew_csrf_token()
    session.pop(LINK_SIGN_IN_KEY, None)
    session["lang"] = language
    flash(message, "success")
    if session.pop(SSO_SESSION_KEY, False) and sso.enabled():
        provider_page = sso.provider_sign_out_url(public_url(url_for("auth.sign_in")))
        if provider_page:
            return redirect(provider_page)
    return redirect(url_for("auth.sign_in"))


def _end_this_session() -> None:
    """Sign this browser out; a copy of its cookie taken before no longer signs anyone in
    (`services.end_session`)."""
    mark = session.pop(services.SESSION_MARK_KEY, None)
    if mark:
        services.end_session(mark, utcnow())
        db.session.commit()
    logout_user()


@answers_expired_form("auth.sign_out")
def sign_out_form_expired():
    """The sign-out button of a page whose session is gone: nothing to do if the person
    is signed out already; otherwise ask again, with a fresh token, and sign out only
    then (a forged request must not sign anyone out)."""
    if not current_user.is_authenticated:
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/sign_out.html", form=ConfirmForm()), 400


@bp.get("/profile")
@login_required
def profile():
    """The user's own preferences, password and API tokens."""
    return _render_profile()


@bp.post("/profile/preferences")
@login_required
def update_preferences():
    """Save language, leaderboard visibility, e-mail consent and work commune."""
    form = _fit_preferences(PreferencesForm())
    if not form.validate_on_submit():
        return _render_profile(preferences_form=form, status=422)
    pseudonym_before = current_user.pseudonym
    services.update_preferences(
        current_user,
        locale=form.locale.data,
        visibility=form.visibility.data,
        email_opt_in=form.email_opt_in.data,
        now=utcnow(),
    )
    if form.commune.raw_data:  # not sent by a page opened before the field was there
        services.set_work_commune(current_user, form.chosen_commune_id())
    db.session.commit()
    if current_user.pseudonym != pseudonym_before:
        flash(
            _(
                "Your preferences are saved. Your new pseudonym is “%(pseudonym)s”: the "
                "previous one is no longer yours.",
                pseudonym=current_user.pseudonym,
            ),
            "success",
        )
    else:
        flash(_("Your preferences are saved."), "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/pseudonym")
@login_required
def new_pseudonym():
    """Draw a new pseudonym for the leaderboards: the current one, which someone may have
    linked to the person, is no longer theirs."""
    if not ConfirmForm().validate_on_submit():
        return _render_profile(status=400)
    pseudonym = services.draw_new_pseudonym(current_user)
    db.session.commit()
    shown = current_user.leaderboard_visibility == LeaderboardVisibility.PSEUDONYM
    flash(
        _(
            "Your new pseudonym is “%(pseudonym)s”. Leaderboards now show it, but for those of "
            "campaigns already ended, which keep the one shown at their end.",
            pseudonym=pseudonym,
        )
        if shown  # pressed on a page shown before the person chose their name, or to hide
        else _(
            "Your new pseudonym is “%(pseudonym)s”. Leaderboards do not show it while you "
            "show your name or hide yourself.",
            pseudonym=pseudonym,
        ),
        "success",
    )
    return redirect(url_for("auth.profile", _anchor="prefs-title"))


# The addresses of the profile's forms, left in the address bar by a form refused (shown
# again with its errors) and then reloaded, opened in a new tab or bookmarked: each leads
# to its form on the profile page, as `show_tokens` does, not to a 405.


@bp.get("/profile/preferences")
@bp.get("/profile/pseudonym")
@login_required
def show_preferences():
    """The preferences and new pseudonym forms' address: the preferences on the profile
    page."""
    return redirect(url_for("auth.profile", _anchor="prefs-title"))


@bp.get("/profile/password")
@login_required
def show_password():
    """The password form's address: the password on the profile page."""
    return redirect(url_for("auth.profile", _anchor="password-title"))


@bp.get("/profile/erasure")
@bp.get("/profile/erasure/cancel")
@login_required
def show_erasure():
    """The erasure forms' addresses: the erasure on the profile page."""
    return redirect(url_for("auth.profile", _anchor="erasure-title"))


@bp.post("/profile/password")
@login_required
def change_password():
    """Change the password (or set one, just after a link sign-in, without the old one);
    every other session ends and this one is renewed."""
    without_current = _may_set_password_without_current()
    form = NewPasswordForm() if without_current else PasswordForm()
    if not form.validate_on_submit():
        return _render_profile(password_form=form, status=422)
    if without_current:
        services.set_password(current_user, form.new_password.data)
        session.pop(LINK_SIGN_IN_KEY, None)
    else:
        if not _current_password_check_allowed():
            form.current_password.errors.append(_password_checks_limited_message())
            g.form_refused = True  # a 429, yet the form again with its message
            return _render_profile(password_form=form, status=429)
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except services.AccountError:
            form.current_password.errors.append(_("This is not your current password."))
            return _render_profile(password_form=form, status=422)
    db.session.commit()
    login_user(current_user._get_current_object())  # the proxy itself would loop
    renew_csrf_token()
    flash(_("Your password is changed. Your other sessions are closed."), "success")
    return redirect(url_for("auth.profile"))


def _current_password_check_allowed() -> bool:
    """Count one check of the account's current password; False past the sign-in form's
    own limit per account (ACCOUNT_SIGN_IN_RATE_LIMIT).

    A session left open, or stolen, would otherwise guess the password here at the pace
    of any form. Every check counts, before the password is compared, as on the sign-in
    page: counting only the wrong ones afterwards let a burst sent at once all be checked.
    """
    if not limiter.enabled:  # RATELIMIT_ENABLED=False turns every limit off
        return True
    key = f"user:{current_user.id}"
    limits = parse_many(_account_sign_in_limit())
    counted = [limiter.limiter.hit(limit, "current-password", key) for limit in limits]
    return all(counted)  # each limit counts the check, the first one refusing or not


def _password_checks_limited_message() -> str:
    """The refusal past the limit, with the minutes left in the limit's window."""
    key = f"user:{current_user.id}"
    limits = parse_many(_account_sign_in_limit())
    minutes = _minutes_left(_limits_reset_time(limits, "current-password", key))
    return ngettext(
        "Too many password attempts for this account. Try again in %(minutes)s minute, or "
        "sign out and sign in with a link sent by e-mail: you can then choose a new "
        "password without the current one.",
        "Too many password attempts for this account. Try again in %(minutes)s minutes, or "
        "sign out and sign in with a link sent by e-mail: you can then choose a new "
        "password without the current one.",
        minutes,
        minutes=format_number(minutes),
    )


@bp.post("/profile/tokens")
@login_required
def create_token():
    """Create a personal API token and show it once, in this very answer."""
    # Held until the commit: two forms sent at once are checked one after the other, the
    # second seeing the first's token, so no two active tokens share a name.
    services.lock_people([current_user.id])
    form = TokenForm(owner=current_user)
    if not form.validate_on_submit():
        return _render_profile(token_form=form, status=422)
    _token, raw = services.create_api_token(
        current_user, form.name.data.strip(), scope=form.scope.data
    )
    db.session.commit()
    # Neither redirected through the session cookie (signed, not encrypted: readable by
    # whoever holds it) nor in a URL. A reload posts the form again, whose name is then
    # an active token's: refused, no second token, and this one is not shown again.
    return _render_profile(new_token=raw)


@bp.get("/profile/tokens")
@login_required
def show_tokens():
    """The address the token form leaves in the address bar: reloaded with Enter, opened
    in a new tab or bookmarked, it leads to the tokens on the profile page, not a 405."""
    return redirect(url_for("auth.profile", _anchor="tokens-title"))


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's own tokens."""
    if not ConfirmForm().validate_on_submit():
        return _render_profile(status=400)
    if not services.revoke_api_token(current_user, token_id, utcnow()):
        abort(404)
    db.session.commit()
    flash(_("The token is revoked."), "success")
    return redirect(url_for("auth.profile"))


@bp.get("/profile/export")
@login_required
def export_data():
    """Download everything the portal holds about me as one JSON file."""
    now = utcnow()
    document = privacy_services.export_personal_data(current_user, now)
    return export_file(document, now.astimezone(local_zone()))


@bp.post("/profile/erasure")
@login_required
def request_erasure():
    """Ask for my account and personal data to be erased."""
    form = ErasureForm()
    if not form.validate_on_submit():
        return _render_profile(erasure_form=form, status=422)
    erasure = privacy_services.request_erasure(current_user, utcnow())
    due = erasure.due_at(current_app.config["ERASURE_DELAY_DAYS"])
    db.session.commit()
    # Worded as the profile and the privacy notice say it: on a day, not "within" a delay,
    # and an administrator may carry it out before that day.
    flash(
        _(
            "Your erasure request is recorded. It will be carried out on %(due)s at the "
            "latest; the portal's administrators may carry it out sooner. Until it is "
            "carried out you can withdraw it, and you will receive an e-mail once it is.",
            due=format_day(due, "long"),
        ),
        "success",
    )
    return redirect(url_for("auth.profile"))


@bp.post("/profile/erasure/cancel")
@login_required
def cancel_erasure():
    """Withdraw my pending erasure request."""
    if not ConfirmForm().validate_on_submit():
        return _render_profile(status=400)
    if privacy_services.cancel_erasure(current_user, utcnow()):
        db.session.commit()
        flash(_("Your erasure request is withdrawn."), "success")
    return redirect(url_for("auth.profile"))


def _fit_preferences(form: PreferencesForm) -> PreferencesForm:
    """The preferences form with the communes, the empty choice naming the department's
    commune that it stores, if any. Lazy words: read now, they would fix the request's
    language before a saved language switches it."""
    department = current_user.department
    if department is not None and department.commune is not None:
        none_label = _l("My department's commune (%(commune)s)", commune=department.commune.name)
    else:
        none_label = _l("Not chosen")
    return form.fit_to(current_user, services.list_communes(), none_label)


def _render_profile(
    preferences_form=None,
    password_form=None,
    token_form=None,
    new_token=None,
    status=200,
    erasure_form=None,
    sign_out_form=None,
):
    # The forms not sent are shown as they are stored, never filled from another form's
    # post (an unticked box would read as a setting changed).
    preferences_form = preferences_form or _fit_preferences(
        PreferencesForm(
            formdata=None,
            data={
                # The language shown, so that saving another preference never switches it.
                "locale": current_user.locale or current_language(),
                "visibility": current_user.leaderboard_visibility,
                "email_opt_in": current_user.email_opt_in,
                "commune": str(current_user.commune_id or ""),
            },
        )
    )
    tokens = db.session.scalars(
        db.select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    return (
        render_template(
            "auth/profile.html",
            preferences_form=preferences_form,
            password_form=password_form
            or (
                NewPasswordForm(formdata=None)
                if _may_set_password_without_current()
                else PasswordForm(formdata=None)
            ),
            password_without_current=_may_set_password_without_current(),
            token_form=token_form or TokenForm(formdata=None),
            confirm_form=ConfirmForm(),
            sign_out_form=sign_out_form or SignOutEverywhereForm(formdata=None),
            tokens=tokens,
            working_tokens=sum(1 for token in tokens if token.revoked_at is None),
            scope_label=token_scope_label,
            new_token=new_token,
            erasure_form=erasure_form or ErasureForm(formdata=None),
            erasure_request=privacy_services.pending_erasure(current_user),
            erasure_delay_days=current_app.config["ERASURE_DELAY_DAYS"],
        ),
        status,
    )
