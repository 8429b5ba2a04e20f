"""What the clean-up campaigns say to a person about their device return: whether it
counts, will count once received, or does not count (a daily limit, the campaign's end).
Registered in init_app with `app.core.return_notes.register_return_note`.
"""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from app.cleanup.countdown import shown_end
from app.cleanup.models import (
    ACCEPTED,
    FLAGGED,
    PENDING,
    CleanupAction,
    CleanupActionType,
    CleanupCampaign,
    CleanupCampaignActionType,
    CleanupCampaignDepartment,
    CleanupParticipant,
)
from app.cleanup.models import WITHDRAWN as ENTRY_WITHDRAWN
from app.core.i18n import current_language, format_moment, format_number
from app.core.return_notes import COUNTED, NOT_COUNTED, Note
from app.core.return_notes import PENDING as WILL_COUNT
from app.extensions import db

# The recycling domain's words for a return's state (it is not imported here).
DECLARED, WITHDRAWN = "declared", "withdrawn"
NOT_BROUGHT = "not_brought"  # an agent closed the declaration: the device never came


def _campaigns_of(device_return, user):
    """One statement: the campaigns that counted returns when this one was declared
    (published and running then, the person in scope), each with the entry logged for
    the return, if any. Without an entry the return was skipped, and declared in time,
    in scope and counting returns, only by the daily limit as it stood at the
    declaration: it stays left out when a return of that day is withdrawn since (its
    entry deleted), as the day's total then no longer says. The person took part by
    then (`_lock_participant` runs before the cap is checked): a return seeded or
    declared before the listener existed by someone who joined later is left unsaid,
    and so is every return once retention has detached the person's participant row."""
    C, A, rule = CleanupCampaign, CleanupAction, CleanupCampaignActionType
    declared_at = device_return.declared_at
    # Taking part by then: the participant row is written before the cap is checked.
    # Not someone whose every entry there is a return they withdrew: they are asked
    # again, as a newcomer is, and a return they chose not to count has nothing to say.
    theirs = aliased(CleanupAction)  # not the return's own entry, A
    mine = theirs.participant_id == CleanupParticipant.id
    withdrew_only = and_(
        exists().where(mine, theirs.status == ENTRY_WITHDRAWN),
        ~exists().where(mine, theirs.status != ENTRY_WITHDRAWN),
    )
    took_part = exists().where(
        CleanupParticipant.campaign_id == C.id,
        CleanupParticipant.user_id == user.id,
        CleanupParticipant.joined_at <= declared_at,
        ~withdrew_only,
    )
    in_scope = or_(
        C.all_departments,
        exists().where(
            CleanupCampaignDepartment.campaign_id == C.id,
            CleanupCampaignDepartment.department_id == user.department_id,
        ),
    )
    return db.session.execute(
        select(C.id, C.name_fr, C.name_en, C.ends_at, A.status, A.points)
        .join(rule, rule.campaign_id == C.id)
        .join(
            CleanupActionType,
            and_(
                CleanupActionType.id == rule.action_type_id,
                CleanupActionType.key == "return-device",
            ),
        )
        .outerjoin(  # the (campaign_id, source_key) unique index
            A, and_(A.campaign_id == C.id, A.source_key == f"device-return:{device_return.id}")
        )
        .where(
            C.published_at <= declared_at,
            C.starts_at <= declared_at,
            C.ends_at > declared_at,
            # No entry: `_check_cap` refused it when declared (nothing else could then).
            or_(A.id.is_not(None), and_(in_scope, took_part)),
        )
        .order_by(C.ends_at, C.id)
    ).all()


def _points(points: int, campaign: str) -> dict:
    return {"points": format_number(points), "campaign": campaign}


def _note(row, device_return, now: datetime) -> Note:
    """The campaign's row in a sentence."""
    campaign = row.name_en if current_language() == "en" else row.name_fr
    if row.status is None:
        return Note(
            _(
                "Your daily limit in “%(campaign)s” was already reached when you declared "
                "this return: it does not count there.",
                campaign=campaign,
            ),
            NOT_COUNTED,
        )
    values = _points(row.points, campaign)
    if row.status == ACCEPTED:
        return Note(
            ngettext(
                "Counted: %(points)s point in “%(campaign)s”.",
                "Counted: %(points)s points in “%(campaign)s”.",
                row.points,
                **values,
            ),
            COUNTED,
        )
    if row.status == FLAGGED:
        return Note(
            _("Received: it counts in “%(campaign)s” once an organiser has checked it.",
              campaign=campaign),
            WILL_COUNT,
        )  # fmt: skip
    if row.status == ENTRY_WITHDRAWN:
        return Note(
            _("You withdrew this return from “%(campaign)s”: it does not count there.",
              campaign=campaign),
            NOT_COUNTED,
        )  # fmt: skip
    if row.status != PENDING:  # an organiser did not accept it
        return Note(
            _("An organiser did not count this return in “%(campaign)s”.", campaign=campaign),
            NOT_COUNTED,
        )
    if device_return.status == DECLARED and row.ends_at > now:
        return Note(
            ngettext(
                "Counts %(points)s point in “%(campaign)s” once an agent receives it, "
                "before the campaign ends (%(end)s).",
                "Counts %(points)s points in “%(campaign)s” once an agent receives it, "
                "before the campaign ends (%(end)s).",
                row.points,
                end=format_moment(shown_end(row.ends_at)),
                **values,
            ),
            WILL_COUNT,
        )
    if device_return.status == DECLARED:
        return Note(
            _("“%(campaign)s” ended before an agent received the device: "
              "this return does not count there.", campaign=campaign),
            NOT_COUNTED,
        )  # fmt: skip
    return Note(
        _("Received after “%(campaign)s” ended: this return does not count there.",
          campaign=campaign),
        NOT_COUNTED,
    )  # fmt: skip


def device_return_notes(device_return, user, now: datetime) -> list[Note]:
    """Whether the return counts in each campaign that was running when it was declared
    (nothing for a declaration withdrawn, or closed because the device never came: its
    page says nobody expects the device)."""
    if device_return.status in (WITHDRAWN, NOT_BROUGHT) or device_return.declared_at is None:
        return []
    rows = _campaigns_of(device_return, user)
    return [_note(row, device_return, now) for row in rows]
