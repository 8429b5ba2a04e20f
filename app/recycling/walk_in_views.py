"""The collection desk's walk-in: a device brought without a declaration, recorded by the
agent as received at one of their points (`walk_in.record_walk_in`)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app.auth.decorators import role_required
from app.core.devices import DEVICE_TYPES
from app.core.time import utcnow
from app.extensions import db
from app.recycling import services, walk_in
from app.recycling.forms import WalkInForm, walk_in_form_for
from app.recycling.handover_views import _chosen_point, _points
from app.recycling.routes import bp


def _answers(form: WalkInForm) -> walk_in.WalkIn:
    """The form's answers as the service reads them; a field the form refused already
    (a malformed tag, an overlong owner) is left to the form's own message."""
    return walk_in.WalkIn(
        form.device_type.data,
        form.condition.data,
        **form.wipe_flags,
        asset_tag=None if form.asset_tag.errors else form.asset_tag.data,
        owner=None if form.owner.errors else form.owner.data,
    )


def _show_problem(form: WalkInForm, problem: services.ReturnError) -> None:
    """A refusal at its field, unless the form refused that field already; one of the
    whole form's (its point changed meanwhile) at the top."""
    field = getattr(form, problem.field or "", None)
    if field is None:
        flash(str(problem.message), "error")
    elif not field.errors:
        field.errors = [_linked(problem)]


def _linked(problem: services.ReturnError):
    """A refusal naming a return the agent may open (`walk_in.TagRecordedHere`) with its
    receipt number a link to that return's page; any other as it is."""
    if not isinstance(problem, walk_in.TagRecordedHere):
        return problem.message
    address = url_for("recycling.agent_return", receipt=problem.receipt)
    link = Markup('<a href="{}">{}</a>').format(address, problem.receipt)
    return escape(str(problem.message)).replace(problem.receipt, link)


def _render(point, points, form: WalkInForm, status: int = 200):
    form.form_token.ensure()  # sent without one: the next send is told apart
    bearing = [key for key, kind in DEVICE_TYPES.items() if kind.data_bearing]
    return render_template(
        "recycling/walk_in.html", point=point, points=points, form=form, data_bearing_types=bearing
    ), status


@bp.get("/agent/walk-in")
@role_required("agent")
def walk_in_page():
    """The form for a device brought without a declaration, at one of the agent's points
    (?point=, else the one the desk stands at, else their first); ?asset_tag= fills in
    the tag the desk's search found nowhere, when it can be one."""
    points = _points()
    point = _chosen_point(points, request.args.get("point"))
    tag = walk_in.tag_to_offer(request.args.get("asset_tag"))
    return _render(point, points, walk_in_form_for(point, asset_tag=tag))


@bp.post("/agent/walk-in/<int:point_id>")
@role_required("agent")
def record_walk_in(point_id: int):
    """Record the device as received here, then open its page at the desk."""
    points = _points()  # the agent's own, from their account: another point is 404
    point = _chosen_point(points, str(point_id))
    form = walk_in_form_for(point)
    valid = form.validate_on_submit()
    answers = _answers(form)
    earlier = walk_in.already_recorded(current_user, form.form_token.sent, point, answers)
    if earlier is not None:  # the same form sent twice: one device, one record
        flash(_("This device was already recorded: here is its return."), "info")
        return _recorded_page(earlier)
    # The service's rules are asked even when a field is refused: one send reports all.
    problems, _owner = walk_in.walk_in_problems(current_user, point, answers)
    for problem in problems:
        _show_problem(form, problem)
    if valid and not problems:
        try:
            device_return, _created = walk_in.record_walk_in(
                current_user, point, answers, utcnow(), form.form_token.sent
            )
        except services.ReturnError as error:
            db.session.rollback()
            _show_problem(form, error)
        else:
            db.session.commit()
            flash(_recorded_message(device_return, form.owner.data), "success")
            return _recorded_page(device_return)
    return _render(point, points, form, 422)


def _recorded_page(device_return):
    """The walk-in's page at the desk, with its point (?point=): its ways back to the desk
    and to the walk-in form stay at that point (`routes.walk_in_point`)."""
    return redirect(
        url_for(
            "recycling.agent_return",
            receipt=device_return.receipt_number,
            point=device_return.point_id,
        )
    )


def _recorded_message(device_return, owner: str | None) -> str:
    """What was recorded, and for whom as the agent typed it (not the account's name)."""
    device = str(DEVICE_TYPES[device_return.device_type].label)
    if device_return.user_id is None:
        return _(
            "%(device)s recorded as received by you under receipt %(receipt)s, without an owner.",
            device=device,
            receipt=device_return.receipt_number,
        )
    return _(
        "%(device)s recorded as received by you under receipt %(receipt)s, for the account "
        "%(owner)s, who is told.",
        device=device,
        receipt=device_return.receipt_number,
        owner=(owner or "").strip(),
    )
