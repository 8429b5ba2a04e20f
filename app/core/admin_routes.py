"""Administration pages: audit log (read-only, CSV export), roles, accounts, imports,
erasure requests."""

import math
import re
import unicodedata
from datetime import datetime, time, timedelta
from urllib.parse import quote

from babel.lists import format_list
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import directory as staff_directory
from app.auth import sso
from app.auth.decorators import role_required
from app.auth.forms import ConfirmForm, DepartmentForm
from app.auth.models import User, role_label
from app.auth.services import AccountError
from app.core import admin_services, pending_uploads, privacy_services, reference
from app.core.admin_forms import (
    AccountStatusForm,
    AuditFilterForm,
    DepartmentsForm,
    DirectoryConfirmForm,
    DirectoryForm,
    RoleForm,
    StaffNumberForm,
    UserSearchForm,
)
from app.core.audit import action_label, audit_csv_header, object_label
from app.core.confirmation import asks_after_check, question_page
from app.core.csv_import import uploaded_csv
from app.core.csv_safety import spreadsheet_csv_parts
from app.core.forms import choices
from app.core.htmx import wants_fragment
from app.core.i18n import current_language, format_number
from app.core.models import Department, departments_by_name
from app.core.privacy import export_file
from app.core.privacy_mail import send_erasure_confirmations
from app.core.privacy_models import ErasureRequest
from app.core.security import accepts_files
from app.core.time import local_zone, utcnow
from app.core.urls import requested_page, within_pages
from app.extensions import db
from app.recycling.queries import open_points_only_staffed_by

bp = Blueprint("admin", __name__, url_prefix="/admin")

CSV_MAX_ROWS = 100_000
AUDIT_PER_PAGE = 50
# A search without dates looks through this many days: it reads each event's words, and
# a log of years would keep the page waiting. The page says so and offers every date.
AUDIT_SEARCH_DAYS = 90
ERASURES_PER_PAGE = 50


def _local_day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def _audit_filters() -> tuple[AuditFilterForm, admin_services.AuditFilters, bool]:
    """The filter form from the query string, and the filters it gives when valid."""
    form = AuditFilterForm(request.args)
    actions, types = admin_services.audit_choices()
    menu = admin_services.labelled_menu
    action_menu = menu(actions, action_label)
    form.action.choices = choices([("", _("All")), *action_menu])
    # An action another of its name stands for in the menu (`same_named_actions`) shows
    # as that one, chosen.
    shown_as = {name: key for key, name in action_menu}
    if form.action.data and form.action.data not in dict(action_menu):
        form.action.data = shown_as.get(action_label(form.action.data), form.action.data)
    form.object_type.choices = choices([("", _("All")), *menu(types, object_label)])
    if not form.validate():
        return form, admin_services.AuditFilters(), False
    filters = admin_services.AuditFilters(
        action=form.action.data or "",
        object_type=form.object_type.data or "",
        actor=form.actor.data or "",
        text=form.text.data or "",
        since=_local_day_start(form.since.data) if form.since.data else None,
        until=_local_day_start(form.until.data) + timedelta(days=1) if form.until.data else None,
    )
    if filters.text.strip() and not (filters.since or filters.until):
        today = utcnow().astimezone(local_zone()).date()
        filters.since = _local_day_start(today - timedelta(days=AUDIT_SEARCH_DAYS))
    return form, filters, True


def _all_dates_args(filters: admin_services.AuditFilters, valid: bool) -> dict | None:
    """The page's filters searching every date, when the search looked through the last
    `AUDIT_SEARCH_DAYS` days only (no date given); else None."""
    if not (valid and filters.text.strip() and filters.since) or request.args.get("since"):
        return None
    first = admin_services.first_audit_day()
    if first is None or first >= filters.since.date():
        return None  # the log holds nothing older: every date was searched
    return {**_filter_args(), "since": first.isoformat()}


def _filter_args() -> dict:
    keys = ("action", "object_type", "actor", "text", "since", "until")
    return {key: request.args[key] for key in keys if request.args.get(key)}


@bp.get("/audit")
@role_required("admin")
def audit_log():
    """Who changed what, and when: read-only, filtered, paginated."""
    form, filters, valid = _audit_filters()
    # A page past the end (an old link, a narrower filter) shows the last page, as the
    # portal's other lists do: never "1 event" above "No event matches these filters."
    rows, total, page, pages = within_pages(
        lambda n: admin_services.list_audit_events(filters, n, AUDIT_PER_PAGE),
        requested_page(),
        AUDIT_PER_PAGE,
    )
    context = {
        "form": form,
        "rows": rows,
        "objects": admin_services.shown_objects([event for event, _actor in rows]),
        "total": total,
        "page": page,
        "pages": pages,
        # A refused filter is applied nowhere: neither to the next pages nor to the CSV.
        "filter_args": _filter_args() if valid else {},
        "searched_since": filters.since if valid else None,
        "all_dates_args": _all_dates_args(filters, valid),
        "search_days": AUDIT_SEARCH_DAYS,
        "csv_cut": admin_services.csv_cut_notice(CSV_MAX_ROWS, total)
        if total > CSV_MAX_ROWS
        else "",
    }
    template = "admin/_audit_table.html" if wants_fragment() else None
    # A date that cannot be read is said at its field, over the unfiltered log: the same
    # answer for every filter, never an error page.
    return render_template(template or "admin/audit.html", **context)


def _refused_filters(form: AuditFilterForm) -> Response:
    """A filter the CSV cannot apply, told as the page tells it (each field and what to
    correct) in plain text, 400, with the page's address holding the same filters: a
    download link or a script then gets an error, never an unfiltered file."""
    lines = [_("No file was made: a filter cannot be read.")]
    lines += [
        _("%(field)s: %(errors)s", field=field.label.text, errors=" ".join(map(str, field.errors)))
        for field in form
        if field.errors
    ]
    page = url_for("admin.audit_log", _external=True, **_filter_args())
    lines.append(_("Correct it on the audit log page: %(url)s", url=page))
    return Response("\n".join(lines) + "\n", status=400, mimetype="text/plain")


@bp.get("/audit.csv")
@role_required("admin")
def audit_log_csv():
    """The filtered audit log as CSV, every cell safe to open in a spreadsheet: the rows
    read as the page does, the stored codes in the last columns (`audit_csv_rows`)."""
    form, filters, valid = _audit_filters()
    if not valid:
        return _refused_filters(form)
    # The download is in the log before the file is read, but not in the file itself.
    filters.before_id = admin_services.record_audit_log_download(current_user, utcnow()).id
    db.session.commit()
    stamp = utcnow().astimezone(local_zone()).strftime("%Y%m%d-%H%M")  # as the page shows times
    # Written as its rows are read: 100,000 events are never one string in memory.
    parts = spreadsheet_csv_parts(
        admin_services.audit_csv_rows(filters, CSV_MAX_ROWS),
        audit_csv_header(local_zone().key),
        current_language(),
    )
    return Response(
        stream_with_context(parts),
        mimetype="text/csv",
        headers={
            "Content-Disposition": _attachment(
                _("audit-log-%(stamp)s.csv", stamp=stamp)  # « journal-audit-… »
            ),
            "Vary": "Accept-Language, Cookie",
        },
    )


def _attachment(name: str) -> str:
    """A Content-Disposition naming the download `name`, in the reader's language: plain
    ASCII in `filename` (accents dropped, what old clients read), and the name itself in
    `filename*` (RFC 6266) when it has letters beyond ASCII."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-") or "export.csv"
    if plain == name:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _revoke_question(role: str, name: str) -> str:
    """The question asked before revoking `role` from the person called `name`: what they
    can no longer do, as the question before granting Administrator says what they can."""
    if role == "admin":
        return _(
            "Revoke the Administrator role from %(name)s? They will no longer be able to "
            "change roles, deactivate accounts or read the audit log.",
            name=name,
        )
    if role == "organiser":
        return _(
            "Revoke the Organiser role from %(name)s? They will no longer be able to run "
            "campaigns or send messages.",
            name=name,
        )
    if role == "agent":
        return _(
            "Revoke the Collection agent role from %(name)s? They will no longer be able to "
            "record returns, and leave the collection points they were assigned to.",
            name=name,
        )
    return _("Revoke the %(role)s role from %(name)s?", role=role_label(role), name=name)


@bp.context_processor
def _role_questions() -> dict:
    """The roles' questions, for the row (admin/_role_row.html) as for the route."""
    return {"revoke_question": _revoke_question}


@bp.get("/roles")
@role_required("admin")
def roles():
    """Find a person and grant or revoke organiser, agent or admin."""
    form = UserSearchForm(request.args)
    query = form.q.data if form.validate() else ""
    page = requested_page()
    users, total = admin_services.search_users(query or "", page)
    return render_template(
        "admin/roles.html",
        form=form,
        users=users,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / 25)),
        privileged=admin_services.users_with_privileged_roles() if not query else [],
        roles=admin_services.GRANTABLE_ROLES,
        query=query or "",
    ), 200 if not form.errors else 400


@bp.post("/roles/<int:user_id>")
@role_required("admin")
def update_role(user_id: int):
    """Grant or revoke one role of one person (audited). With htmx the answer is the
    person's updated row; otherwise the page again, at that row."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    granted, role = form.granted, form.role
    if granted and role == "admin" and asks_after_check() and "admin" not in user.roles:
        # Scripts off: asked on a page, naming the person, as the dialog does.
        return question_page(
            _(
                "Make %(name)s an administrator? They will be able to change everyone's "
                "roles, deactivate accounts and read the audit log.",
                name=user.display_name,
            ),
            yes=_("Make %(name)s an administrator", name=user.display_name),
            no=_("Cancel"),
        )
    if (
        not granted
        and role in user.roles
        and asks_after_check()
        and not (role == "admin" and user.id == current_user.id)  # refused, not asked
    ):
        return question_page(
            _revoke_question(role, user.display_name),
            yes=_("Revoke %(role)s from %(name)s", role=role_label(role), name=user.display_name),
            no=_("Cancel"),
            anchor=f"person-{user.id}",  # "Cancel" goes back to the person's row
        )
    try:
        changed = admin_services.set_role(current_user, user, role, granted, utcnow())
    except admin_services.OnlyAgentError as error:
        db.session.rollback()
        return _role_answer(user, role, _only_agent_message(user, error.points), 409)
    except AccountError as error:
        db.session.rollback()
        messages = {
            "own-admin": _("You cannot remove your own admin role."),
            "last-admin": _last_admin_message(),
            "erased": _("This account was erased."),
        }
        return _role_answer(
            user, role, messages.get(str(error), _("This role cannot be changed.")), 409
        )
    db.session.commit()
    if not changed:  # sent again (a second tab, Back then resubmit): said, not silent
        return _role_answer(user, role, _role_unchanged(role, granted, user.display_name))
    return _role_answer(user, role, _role_changed(role, granted, user.email, user.active))


def _last_admin_message() -> str:
    return _(
        "The portal would be left without an active administrator (another admin's change "
        "came first): nothing was changed."
    )


def _role_changed(role: str, granted: bool, email: str, active: bool = True) -> str:
    """What a change of role did, in the admin's language: a role granted to a
    deactivated account is said to wait for its reactivation."""
    if granted and not active:
        return _(
            "%(role)s role granted to %(email)s, whose account is deactivated: the role "
            "takes effect if the account is reactivated.",
            role=role_label(role),
            email=email,
        )
    if granted:
        return _("%(role)s role granted to %(email)s.", role=role_label(role), email=email)
    return _("%(role)s role revoked from %(email)s.", role=role_label(role), email=email)


def _role_unchanged(role: str, granted: bool, name: str) -> str:
    """Why a change of role changed nothing: the person already was as asked."""
    if granted:
        return _("%(name)s already has the %(role)s role.", name=name, role=role_label(role))
    return _("%(name)s does not have the %(role)s role.", name=name, role=role_label(role))


def _only_agent_message(user: User, points: list) -> str:
    """Why this person cannot stop being an agent: the open points nobody else staffs."""
    names = format_list([_("“%(name)s”", name=point.name) for point in points], locale=get_locale())
    return ngettext(
        "%(name)s is the only agent of the collection point %(points)s: assign another "
        "agent to it or close it first. Nothing was changed.",
        "%(name)s is the only agent of the collection points %(points)s: assign another "
        "agent to them or close them first. Nothing was changed.",
        len(points),
        name=user.display_name,
        points=names,
    )


def _role_answer(user: User, role: str, message: str | None, status: int = 200):
    """The person's row with `message` in the cell of `role` (htmx), or the roles page
    again at their row, the message flashed: the focus lands on the result, never back at
    the top of the page."""
    row = f"person-{user.id}"  # the row's id in admin/_role_row.html
    if wants_fragment():
        answer = render_template(
            "admin/_role_row.html",
            person=user,
            roles=admin_services.GRANTABLE_ROLES,
            query=request.args.get("q", ""),
            page=requested_page(),
            message=message,
            changed_role=role,
            error=status != 200,
        )
        response = make_response(answer, status)
        # The buttons send a form the whole page shares: the row is named as the target here.
        response.headers["HX-Retarget"] = f"#{row}"
    else:
        if message:
            flash(message, "success" if status == 200 else "error")
        # Back to the page of the list the row was on: page 1 may not even hold it.
        page = requested_page()
        response = redirect(
            url_for(
                "admin.roles",
                q=request.args.get("q", ""),
                page=page if page > 1 else None,
                _anchor=row,
            )
        )
    response.headers["Vary"] = "HX-Request"
    return response


def _account_or_404(user_id: int) -> User:
    """The account with this id; an erased one is no one's account any more."""
    user = db.session.get(User, user_id)
    if user is None or user.anonymised_at is not None:
        abort(404)
    return user


def _person_page(user: User, status: int = 200, **forms_and_refusal):
    """The person's page, with the forms (and refusal) of a refused change if any."""
    forms_and_refusal.setdefault("form", AccountStatusForm())
    forms_and_refusal.setdefault(
        "number_form", StaffNumberForm(formdata=None, staff_number=user.staff_number)
    )
    forms_and_refusal.setdefault(
        "department_form",
        _department_form(formdata=None, department=str(user.department_id or "")),
    )
    return render_template(
        "admin/person.html",
        person=user,
        address_released=staff_directory.address_released(user),
        sso_enabled=sso.enabled(),
        events=admin_services.events_about_person(user),
        **forms_and_refusal,
    ), status


@bp.get("/people/<int:user_id>")
@role_required("admin")
def person(user_id: int):
    """One person's account: what it holds, how they sign in, deactivate or reactivate;
    the view audited (once a day per administrator and person)."""
    user = _account_or_404(user_id)
    now = utcnow()
    today = now.astimezone(local_zone()).date()
    admin_services.record_person_viewed(current_user, user, now, _local_day_start(today))
    db.session.commit()
    return _person_page(user)


@bp.post("/people/<int:user_id>/status")
@role_required("admin")
def set_account_status(user_id: int):
    """Deactivate or reactivate one account (audited)."""
    user = _account_or_404(user_id)
    form = AccountStatusForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.change.data == "reactivate"
    try:
        changed = admin_services.set_account_active(current_user, user, active, utcnow())
    except admin_services.OnlyAgentError as error:
        db.session.rollback()
        # Said at the button, the page as it was: the admin reads which points to staff.
        return _person_page(user, 409, form=form, refusal=_only_agent_message(user, error.points))
    except AccountError as error:
        db.session.rollback()
        if str(error) == "address-released":
            return _person_page(user, 409, form=form, refusal=_released_refusal())
        flash(
            _last_admin_message()
            if str(error) == "last-admin"
            else _("You cannot deactivate your own account."),
            "error",
        )
        return redirect(url_for("admin.person", user_id=user.id))
    db.session.commit()
    if changed:
        message = (
            _("The account of %(email)s is active again.", email=user.email)
            if active
            else _(
                "The account of %(email)s is deactivated: its sessions have ended.",
                email=user.email,
            )
        )
        flash(message, "success")
    return redirect(url_for("admin.person", user_id=user.id))


def _released_refusal() -> str:
    return _(
        "This account cannot be reactivated: the staff directory gave its address to a new "
        "member of staff, so nobody can sign in to it. Its data stay as they are."
    )


@bp.post("/people/<int:user_id>/staff-number")
@role_required("admin")
def set_staff_number(user_id: int):
    """Change a person's staff number (audited): a rehire under a new number."""
    user = _account_or_404(user_id)
    form = StaffNumberForm()
    if not form.validate_on_submit():
        return _person_page(user, 422, number_form=form)
    try:
        changed = admin_services.set_staff_number(
            current_user, user, form.staff_number.data, utcnow()
        )
    except admin_services.StaffNumberTaken as taken:
        db.session.rollback()
        form.staff_number.errors.append(
            _(
                "This staff number is already the account of %(name)s (%(email)s): a staff "
                "number belongs to one person.",
                name=taken.holder.display_name,
                email=taken.holder.email,
            )
        )
        return _person_page(user, 409, number_form=form)
    db.session.commit()
    if changed:
        flash(
            _(
                "%(name)s now has the staff number %(number)s.",
                name=user.display_name,
                number=user.staff_number,
            )
            if user.staff_number
            else _("%(name)s has no staff number any more.", name=user.display_name),
            "success",
        )
    return redirect(url_for("admin.person", user_id=user.id))


def _department_form(**kwargs) -> DepartmentForm:
    """The person's department form, the departments named in the admin's language."""
    return DepartmentForm(**kwargs).fit_to(
        departments_by_name(current_language()), _("No department")
    )


@bp.post("/people/<int:user_id>/department")
@role_required("admin")
def set_department(user_id: int):
    """Put a person in another department between two directory imports (audited)."""
    user = _account_or_404(user_id)
    form = _department_form()
    if not form.validate_on_submit():
        return _person_page(user, 422, department_form=form)
    chosen = form.chosen_department_id()
    department = db.session.get(Department, chosen) if chosen else None
    if staff_directory.set_department(current_user, user, department, utcnow()):
        flash(
            _(
                "%(name)s is now in the department %(department)s.",
                name=user.display_name,
                department=department.name(current_language()),
            )
            if department
            else _("%(name)s is in no department any more.", name=user.display_name),
            "success",
        )
    db.session.commit()
    return redirect(url_for("admin.person", user_id=user.id))


@bp.post("/people/<int:user_id>/export")
@role_required("admin")
def export_person_data(user_id: int):
    """Download one person's data export for them (an access request from someone who
    can no longer sign in): the JSON file their profile gives them, the download audited."""
    user = _account_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    now = utcnow()
    document = admin_services.export_person_data(current_user, user, now)
    db.session.commit()
    return export_file(document, now.astimezone(local_zone()), person_id=user.id)


MAX_IMPORT_BYTES = 10 * 2**20  # 20,000 people take about 1.5 MB


@bp.route("/directory", methods=["GET", "POST"])
@accepts_files
@role_required("admin")
def directory():
    """Bring the accounts in step with the staff directory's CSV export; deactivations
    are asked about first (`confirm_directory`)."""
    form = DirectoryForm()

    def run(text):
        # A partial file's refusal is a fault of the whole file, said once, in the page's
        # list of faults, which takes the focus (it was said at the box too: twice).
        return staff_directory.sync_directory(
            text, utcnow(), deactivate_missing=form.deactivate_missing.data, actor=current_user
        )

    def ask(text, report):
        if not report.deactivated:
            return None
        token = pending_uploads.keep("directory", text, current_user.id)
        confirm = DirectoryConfirmForm(token=token, deactivating=report.deactivated)
        return render_template("admin/directory_confirm.html", form=confirm, result=report)

    return _import_page(
        form, run, _directory_done, "admin/directory.html", "admin.directory", ask=ask
    )


@bp.post("/directory.csv")
@role_required("admin")
def export_directory():
    """The active accounts as the directory's import reads them, to edit and import again;
    each download audited (everyone's address): a POST, as the person's export is."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    document = staff_directory.directory_csv(current_language())
    staff_directory.record_directory_download(current_user, utcnow())
    db.session.commit()
    return Response(
        document,
        mimetype="text/csv",
        headers={
            "Content-Disposition": _attachment(_("staff-directory.csv")),  # « annuaire.csv »
            "Vary": "Accept-Language, Cookie",
        },
    )


@bp.post("/directory/confirm")
@role_required("admin")
def confirm_directory():
    """Import a directory file whose deactivations the admin saw and confirmed: checked
    again, and asked again if the count changed meanwhile."""
    form = DirectoryConfirmForm()
    valid = form.validate_on_submit()
    text = pending_uploads.fetch("directory", form.token.data, current_user.id) if valid else None
    if text is None:
        flash(_("This check has expired or is unknown: upload the file again."), "error")
        return redirect(url_for("admin.directory"))
    report = staff_directory.sync_directory(
        text, utcnow(), deactivate_missing=True, actor=current_user
    )
    if report.problems or report.deactivated != form.deactivating.data:
        db.session.rollback()
        if report.problems:
            return render_template("admin/directory.html", form=DirectoryForm(), result=report), 422
        form.deactivating.data = report.deactivated
        return render_template(
            "admin/directory_confirm.html", form=form, result=report, changed=True
        ), 409
    db.session.commit()
    pending_uploads.forget("directory", form.token.data, current_user.id)
    flash(_directory_done(report), "success")
    return redirect(url_for("admin.directory"))


def _directory_done(report) -> str:
    """What a directory import did, in the admin's language."""
    # One ngettext per count: French says « 0 modifié », « 1 compte créé ».
    # Joined before the sentence: a string inside `_()`'s call (the ", ") would be read by
    # the extractor as its plural, and `flask translate update` would mark it fuzzy.
    listed = ", ".join(
        (
            ngettext("%(count)s account created", "%(count)s accounts created",
                     report.created, count=format_number(report.created)),
            ngettext("%(count)s updated", "%(count)s updated",
                     report.updated, count=format_number(report.updated)),
            ngettext("%(count)s reactivated", "%(count)s reactivated",
                     report.reactivated, count=format_number(report.reactivated)),
            ngettext("%(count)s deactivated", "%(count)s deactivated",
                     report.deactivated, count=format_number(report.deactivated)),
        )
    )  # fmt: skip
    counts = _("Directory imported: %(counts)s.", counts=listed)
    # Said as the check-only view and `flask users import` say them, when there are any.
    return " ".join((counts, *report.notes()))


@bp.route("/departments", methods=["GET", "POST"])
@accepts_files
@role_required("admin")
def departments():
    """Import the organisation chart: departments created or updated by code."""
    form = DepartmentsForm()

    def done(counts):
        # One ngettext per count, as the directory's: « 1 direction créée, 0 direction
        # modifiée », never « 1 créées ».
        listed = ", ".join(
            (
                ngettext("%(count)s department created", "%(count)s departments created",
                         counts.created, count=format_number(counts.created)),
                ngettext("%(count)s department updated", "%(count)s departments updated",
                         counts.updated, count=format_number(counts.updated)),
            )
        )  # fmt: skip
        return _("Departments imported: %(counts)s.", counts=listed)

    return _import_page(
        form,
        lambda text: reference.import_departments(text, utcnow(), actor=current_user),
        done,
        "admin/departments.html",
        "admin.departments",
    )


def _import_page(form, run, done, template: str, endpoint: str, ask=None):
    """An admin page importing a CSV file: all or nothing, or only counting what it would
    change ("check only"). `run(text)` writes and returns a result with `problems`;
    `done(result)` says what was saved. `ask(text, result)` may return a page asking to
    confirm instead: nothing is saved then."""
    result, status = None, 200
    if form.validate_on_submit():
        text = uploaded_csv(form.file, MAX_IMPORT_BYTES)
        if text is None:
            return render_template(template, form=form, result=None), 422
        result = run(text)
        if not result.problems and not form.check_only.data:
            question = ask(text, result) if ask else None
            if question is None:
                db.session.commit()
                flash(done(result), "success")
                return redirect(url_for(endpoint))
            db.session.rollback()
            return question
        db.session.rollback()
        status = 422 if result.problems else 200
    elif request.method == "POST":
        status = 422
    return render_template(template, form=form, result=result), status


@bp.get("/departments.csv")
@role_required("admin")
def export_departments():
    """The departments as CSV, to edit and import again."""
    return Response(
        reference.export_departments_csv(current_language()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": _attachment(_("departments.csv")),  # « directions.csv »
            "Vary": "Accept-Language, Cookie",
        },
    )


@bp.get("/erasures")
@role_required("admin")
def erasures():
    """Pending erasure requests, oldest first."""
    return _erasures_page()


def _erasures_page(status: int = 200):
    requests_, total, page, pages = within_pages(
        lambda n: privacy_services.list_pending_erasures(n, ERASURES_PER_PAGE),
        requested_page(),
        ERASURES_PER_PAGE,
    )
    return render_template(
        "admin/erasures.html",
        requests=requests_,
        # Asked before erasing, not learnt after: the open points each erasure would
        # leave with nobody to receive their returns (the erasure is not refused).
        questions={item.id: _erasure_question(item) for item in requests_},
        total=total,
        page=page,
        pages=pages,
        confirm_form=ConfirmForm(),
    ), status


def _erasure_question(erasure: ErasureRequest) -> str:
    """The question before erasing this person now, naming the open points they alone
    staff: those points have no agent once the erasure is carried out."""
    name = erasure.user.display_name
    question = _(
        "Erase %(name)s now? Their account and personal data are erased at once, and they "
        "can no longer withdraw their request. This cannot be undone.",
        name=name,
    )
    points = open_points_only_staffed_by(erasure.user_id)
    if not points:
        return question
    names = format_list([_("“%(name)s”", name=point.name) for point in points], locale=get_locale())
    warning = ngettext(
        "%(name)s is the only agent of the collection point %(points)s: once they are "
        "erased it has no agent; assign one or close it afterwards.",
        "%(name)s is the only agent of the collection points %(points)s: once they are "
        "erased these have no agent; assign one to each or close them afterwards.",
        len(points),
        name=name,
        points=names,
    )
    return f"{question} {warning}"


@bp.post("/erasures/<int:request_id>/execute")
@role_required("admin")
def execute_erasure(request_id: int):
    """Carry out one pending erasure request now. Erasure is the person's right, so being
    a point's only agent does not stop it: the admin is told which points lost theirs."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    erasure = db.session.get(ErasureRequest, request_id)
    unstaffed = open_points_only_staffed_by(erasure.user_id) if erasure else []
    try:
        confirmation = privacy_services.execute_erasure_request(request_id, current_user, utcnow())
    except privacy_services.ErasureRefused as refused:
        db.session.rollback()
        flash(_erasure_refused_message(str(refused)), "error")
        return _erasures_page(409)
    if confirmation is None:
        if erasure is None:
            abort(404)
        # Withdrawn or carried out meanwhile (the person, the daily job or another admin
        # was quicker than this page): said on the list, which no longer shows it.
        flash(_erasure_no_longer_pending_message(erasure), "info")
        return redirect(url_for("admin.erasures"))
    db.session.commit()
    # Told once erased for good; a mail server that does not answer is logged, no more.
    send_erasure_confirmations([confirmation])
    flash(_("The personal data of this person are erased."), "success")
    if unstaffed:
        flash(_points_left_without_agent(unstaffed), "error")
    return redirect(url_for("admin.erasures"))


def _erasure_no_longer_pending_message(erasure: ErasureRequest) -> str:
    """Why a request the page still showed was not carried out: it is no longer pending."""
    if erasure.cancelled_at is not None:
        return _(
            "%(name)s withdrew this erasure request in the meantime: nothing is erased.",
            name=erasure.user.display_name,
        )
    return _("This erasure request was already carried out: there is nothing left to erase.")


def _erasure_refused_message(reason: str) -> str:
    """Why an admin cannot carry out this erasure request from the page."""
    if reason == "own-request":
        return _(
            "You cannot carry out your own erasure request: another administrator does, "
            "or it is carried out automatically when its delay ends."
        )
    return _(
        "Erasing this person now would leave the portal without an active administrator: "
        "make someone else an administrator first."
    )


def _points_left_without_agent(points: list) -> str:
    """The open points an erasure left with nobody to receive their returns."""
    names = format_list([_("“%(name)s”", name=point.name) for point in points], locale=get_locale())
    return ngettext(
        "The collection point %(points)s now has no agent: assign one or close it.",
        "The collection points %(points)s now have no agent: assign one to each or close them.",
        len(points),
        points=names,
    )
