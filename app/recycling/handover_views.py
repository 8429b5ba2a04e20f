"""The collection desk's batch hand-over: the devices of one point ready to leave, ticked,
handed over to one organisation under one slip, and the slip's printable page."""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import Length, Optional

from app.auth.decorators import role_required
from app.core.confirmation import asks_after_check, question_page
from app.core.forms import MultiCheckboxField, PortalForm
from app.core.i18n import current_language, format_number
from app.core.time import utcnow
from app.extensions import db
from app.recycling import handover, queries, services
from app.recycling.forms import choices, outcome_choices
from app.recycling.models import LEAVES_THE_ADMINISTRATION, CollectionPoint
from app.recycling.routes import _DESK_POINT_KEY, bp


class HandoverForm(PortalForm):
    """Devices of one point handed over together, to one organisation, under one slip."""

    # Tick boxes of the devices listed; checked by `handover.check_handover_batch`, which
    # names the devices it refuses rather than WTForms' "not a valid choice".
    receipts = MultiCheckboxField(_l("Devices to hand over"), choices=[], validate_choice=False)
    recipient = StringField(
        _l("Received by (organisation)"),
        validators=[Optional(), Length(max=services.RECIPIENT_LENGTH)],
        description=_l(
            "The organisation the devices are handed over to. Signed with each device's "
            "outcome and shown to its owner."
        ),
    )
    handover_slip = StringField(
        _l("Hand-over slip number"),
        validators=[Optional(), Length(max=services.HANDOVER_SLIP_LENGTH)],
        description=_l("The number of the slip or waybill the organisation signed."),
    )
    outcome = RadioField(
        _l("Outcome"),
        choices=choices(
            (key, label) for key, label in outcome_choices() if key in LEAVES_THE_ADMINISTRATION
        ),
        validate_choice=False,  # the service refuses any other at the field
    )
    # Asked only when a device listed was wiped on its owner's word (`handover.
    # attested_donation_error`): the service refuses a donation of such a device without
    # it. Named as the "Data" column names them; the page's hint lists their receipts.
    attested_checked = BooleanField(
        _l("Before a donation: I checked that the devices wiped by their owner "
           "(attestation) hold no data any more"),
        description=_l("Not needed to recycle or refurbish them."),
    )  # fmt: skip


def _points() -> list[CollectionPoint]:
    """The points whose devices the signed-in agent hands over (an admin's: every one)."""
    point_ids = queries.agent_point_ids(current_user)
    if point_ids is None:
        return queries.list_staff_points()
    return queries.list_points_of(point_ids)


def _chosen_point(points: list[CollectionPoint], asked: str | None) -> CollectionPoint | None:
    """The point asked for (?point=, or the form's), else the desk's, else the first one;
    a point not theirs is 404."""
    by_id = {str(point.id): point for point in points}
    if asked:
        return by_id.get(asked) or abort(404)
    return by_id.get(str(session.get(_DESK_POINT_KEY))) or (points[0] if points else None)


def handover_question(outcome: str, recipient: str, slip: str, count: int | None = None) -> str:
    """Asked once before the whole batch is signed ("{value}" lets the page's script quote
    the organisation typed)."""
    if count is None:
        return _(
            "Record “%(outcome)s” for each device ticked, handed over to %(recipient)s? Each "
            "step is signed with your name and cannot be changed.",
            outcome=outcome,
            recipient=recipient,
        )
    return ngettext(
        "Record “%(outcome)s” for %(num)s device, handed over to %(recipient)s under slip "
        "%(slip)s? Each step is signed with your name and cannot be changed.",
        "Record “%(outcome)s” for %(num)s devices, handed over to %(recipient)s under slip "
        "%(slip)s? Each step is signed with your name and cannot be changed.",
        count,
        outcome=outcome,
        recipient=recipient,
        slip=slip,
    )


def _render(point, points, form, status=200):
    ready = handover.list_ready_returns(point.id, current_user) if point else []
    if not form.is_submitted():  # every device ticked to start with: a pallet goes whole
        form.receipts.data = [r.receipt_number for r in ready]
    on_word_only = [r for r in ready if handover.wiped_on_word_only(r)]
    # The box's hint names the devices it is about (all of them ticked to start with).
    attested_hint = (
        _("Devices wiped by their owner (attestation) in the list: %(receipts)s. Not needed "
          "to recycle or refurbish them.",
          receipts=", ".join(r.receipt_number for r in on_word_only))
        if on_word_only
        else None
    )  # fmt: skip
    return render_template(
        "recycling/handover.html",
        point=point,
        points=points,
        ready=ready,
        own_waiting=handover.count_own_waiting(point.id, current_user) if point else 0,
        form=form,
        ticked=set(form.receipts.data or []),
        question=handover_question,
        destroyed={r.id for r in ready if services.storage_destroyed(r)},
        on_word_only={r.id for r in on_word_only},
        attested_hint=attested_hint,
        # Said by portal.js at the box before any question ("{receipts}": those ticked).
        attested_error=handover.attested_donation_error(["{receipts}"]),
        data_line=handover.data_line,
    ), status


@bp.get("/agent/handover")
@role_required("agent")
def handover_page():
    """The devices of one of the agent's points ready to be handed over, to tick."""
    points = _points()
    return _render(_chosen_point(points, request.args.get("point")), points, HandoverForm())


@bp.post("/agent/handover/<int:point_id>")
@role_required("agent")
def record_handover(point_id: int):
    """Hand the devices ticked over to one organisation under one slip, asked once first."""
    points = _points()
    point = _chosen_point(points, str(point_id))
    form = HandoverForm()
    if form.validate_on_submit():
        batch = (form.receipts.data or [], form.outcome.data or "", form.recipient.data,
                 form.handover_slip.data)  # fmt: skip
        checked = bool(form.attested_checked.data)
        try:
            if asks_after_check():  # scripts off: asked once everything is checked
                returns, recipient, slip = handover.check_handover_batch(
                    point.id, current_user, *batch, attested_checked=checked
                )
                label = dict(outcome_choices())[form.outcome.data]
                return question_page(
                    handover_question(label, recipient, slip, len(returns)),
                    yes=_("Record “%(outcome)s”", outcome=label),
                    no=_("Cancel"),
                    about=point.label,
                    anchor="handover-heading",
                )
            returns = handover.hand_over(
                point.id, current_user, *batch, utcnow(), language=current_language(),
                attested_checked=checked,
            )  # fmt: skip
        except services.ReturnError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            db.session.commit()
            slip = returns[0].steps[-1].handover_slip
            flash(
                ngettext(
                    "%(num)s device handed over under slip %(slip)s.",
                    "%(num)s devices handed over under slip %(slip)s.",
                    len(returns),
                    slip=slip,
                ),
                "success",
            )
            return redirect(url_for("recycling.handover_slip", point_id=point.id, slip=slip))
    return _render(point, points, form, 422)


def _show_refusal(form, error: services.ReturnError) -> None:
    """At its field; the whole form's otherwise (the page lists the devices again)."""
    field = getattr(form, error.field or "receipts", form.receipts)
    field.errors = [*field.errors, error.message]


@bp.get("/agent/handover/<int:point_id>/slip")
@role_required("agent")
def handover_slip(point_id: int):
    """The printable slip: the devices handed over under one slip number at one point,
    without their owners' names (?slip=)."""
    point = _chosen_point(_points(), str(point_id))
    slip = (request.args.get("slip") or "").strip()[: services.HANDOVER_SLIP_LENGTH]
    steps = handover.list_slip_steps(point.id, slip) if slip else []
    if not steps:
        abort(404)
    return render_template(
        "recycling/handover_slip.html",
        point=point,
        slip=slip,
        steps=steps,
        recipients=sorted({r for step in steps if (r := step.current("recipient"))}),
        count=format_number(len(steps)),
        data_line=handover.data_line,
    )


@bp.get("/agent/handover/<int:point_id>/slips")
@role_required("agent")
def handover_slips(point_id: int):
    """The hand-over slips of one of the agent's points, the latest first, each linked to
    its page: found again without its number."""
    point = _chosen_point(_points(), str(point_id))
    return render_template(
        "recycling/handover_slips.html", point=point, slips=handover.list_point_slips(point.id)
    )
