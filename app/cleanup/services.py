"""Writes and rules of clean-up campaigns. Services flush; the caller commits once."""

import calendar
import functools
import hashlib
import hmac
import json
import math
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import NamedTuple
from uuid import uuid4

from babel import Locale
from flask import current_app
from flask_babel import force_locale, get_locale

# Lazy: services also run in jobs and signal handlers, outside any request.
from flask_babel import lazy_gettext as _
from flask_babel import lazy_ngettext as ngettext
from sqlalchemy import String, bindparam, case, cast, func, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import LeaderboardVisibility
from app.cleanup import queries
from app.cleanup.audit_changes import (
    _CORRECTION,
    action_type_changes,
    campaign_changes,
    campaign_settings,
    correction_refused_summary,
    describe_changes,
    early_end_summary,
    names_summary,
)
from app.cleanup.catalogue import (
    DEFAULT_ACTION_TYPES,
    FLAG_ABOVE_HISTORY,
    FLAG_ABOVE_OTHERS,
    FLAG_ABOVE_USUAL,
    SYSTEM_ACTION_TYPES,
    quantity_label,
    unit_label,
)
from app.cleanup.models import (
    ACCEPTED,
    CLOSED,
    DRAFT,
    FLAGGED,
    PENDING,
    REJECTED,
    RUNNING,
    SCHEDULED,
    WITHDRAWN,
    CleanupAction,
    CleanupActionType,
    CleanupCampaign,
    CleanupCampaignActionType,
    CleanupCampaignDepartment,
    CleanupGoal,
    CleanupParticipant,
)
from app.core import cache
from app.core.audit import erase_audit_texts, erase_gone_audit_texts, record_audit
from app.core.database import insert_missing, savepoint
from app.core.edit_versions import hold_version
from app.core.i18n import (
    TYPED_NUMBER_MAX_LENGTH,
    AmbiguousNumber,
    current_language,
    format_day,
    format_moment,
    parse_local_number,
)
from app.core.signals import (
    campaign_closed,
    campaign_extended,
    campaign_published,
    entry_reviewed,
)
from app.core.signatures import signing_keys
from app.core.sql import upsert_insert
from app.core.time import local_zone, utcnow
from app.extensions import db

# An organiser extends a campaign by at most this much at a time: a typo in the year
# (9999) would otherwise keep it running, and its reminders waiting, for ever.
MAX_EXTENSION = timedelta(days=90)
# A campaign is time-boxed (three weeks, say): at most this long when created, and
# planned at most this far ahead.
MAX_LENGTH = timedelta(days=90)
START_WITHIN = timedelta(days=366)
# A day with its year, in a sentence: "3 December 2027", "3 décembre 2027".
LONG_DAY = "d MMMM y"
# The same answers to the new-campaign form sent again by the same organiser within this
# time give the draft they created (Back reloads the form, with a new token, then Create):
# as REPEAT_WINDOW for device returns; a second identical draft later is left alone.
REPEAT_WINDOW = timedelta(minutes=10)

# A day in a sentence: "on 3 December", "le 3 décembre" (the year is the campaign's).
DAY_IN_SENTENCE = "d MMMM"

_REFRESH = object()  # touch_scores without a change the board can apply itself


class CleanupError(ValueError):
    """A request that cannot be carried out; the message is for the user."""

    def __init__(
        self, message: str, code: str = "conflict", status: int = 409, field: str | None = None
    ):
        super().__init__(code)
        self._message = message
        self.code = code
        self.status = status
        # The form field the refusal is told at, where one field is to correct.
        self.field = field

    @property
    def message(self) -> str:
        """The message in the current request's language."""
        return str(self._message)


@functools.cache
def _move_version_statement():
    """`scores_version` moved only from the version this process's board holds: built
    once, on the table (the ORM's bulk UPDATE cost four times the statement)."""
    table = CleanupCampaign.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("campaign_id"))
        .where(table.c.scores_version == bindparam("replaced"))
        .values(scores_version=bindparam("version"))
    )


def touch_scores(
    campaign: CleanupCampaign, participant_id: int, stamp: datetime | None = None, change=_REFRESH
) -> None:
    """Tell every process's cached scoreboard that this participant's scores changed.

    The participant is stamped with the wall clock (not the domain `now`, which tests
    fix): each process re-reads the participants stamped anew since its last refresh.
    `stamp`: the one `_lock_participant` wrote already, in the statement that locked it.
    `change`: what a new entry adds (see `queries.follow_own_change`). When this
    process's board holds the version being replaced, the conditional UPDATE proves no
    other write came in between, and the board takes the change at commit instead of
    re-reading the participant at its next read.
    """
    version = uuid4().hex
    if stamp is None:
        queries.stamped(participant_id)
        db.session.execute(
            update(CleanupParticipant)
            .where(CleanupParticipant.id == participant_id)
            .values(last_logged_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    replaced = queries.version_to_follow(campaign) if change is not _REFRESH else None
    if replaced is not None:
        as_of = utcnow()
        moved = db.session.execute(
            _move_version_statement(),
            {"campaign_id": campaign.id, "replaced": replaced, "version": version},
        ).rowcount
        if moved == 1:
            set_committed_value(campaign, "scores_version", version)
            queries.follow_own_change(
                campaign, replaced, version, as_of, (participant_id, change, stamp)
            )
            db.session.flush()
            return
    queries.forget_own_changes(campaign)
    campaign.scores_version = version
    db.session.flush()


def ensure_default_action_types() -> list[CleanupActionType]:
    """Create the standard action types once; return them all in display order."""
    existing = set(db.session.scalars(select(CleanupActionType.key)))
    missing = [
        {"position": position, **values}
        for position, values in enumerate(DEFAULT_ACTION_TYPES)
        if values["key"] not in existing
    ]
    insert_missing(CleanupActionType, missing, "key")
    return list(db.session.scalars(select(CleanupActionType).order_by(CleanupActionType.position)))


def update_action_type(
    actor, action_type: CleanupActionType, data: dict, now: datetime, version: str | None = None
) -> None:
    """Save an action type's guide, defaults and CO2 factor, after checking they agree.

    Its defaults apply to campaigns created afterwards (a campaign keeps its own points
    and cap); its review and refusal thresholds apply to the next entry logged.
    `version`: its `edit_version` when the form was shown (None: not checked); another
    save since refuses this one (code "stale"), nothing changed.
    """
    if version is not None and not hold_version(action_type, version):
        raise CleanupError(
            _(
                "Someone else changed this guide after you opened this form (or you did, "
                "in another tab): your changes were not saved. The form now shows the "
                "guide as it is; under each field where you had typed something else, "
                "what you typed is shown. Make your changes again, then save."
            ),
            "stale",
            422,
        )
    if data["flag_above"] > data["max_quantity"]:
        raise CleanupError(
            _("The review threshold cannot be above the largest entry accepted."),
            "invalid_thresholds",
            422,
            field="flag_above",
        )
    factor = (data["kg_co2e_per_unit"], data["kg_co2e_low"], data["kg_co2e_high"])
    if factor[0] is None and any(value is not None for value in factor[1:]):
        raise CleanupError(
            _("Give the estimate itself with its range."),
            "invalid_factor",
            422,
            field="kg_co2e_per_unit",
        )
    if factor[0] is not None:
        low = factor[0] if factor[1] is None else factor[1]
        high = factor[0] if factor[2] is None else factor[2]
        if not low <= factor[0] <= high:
            raise CleanupError(
                _("The estimate must lie between its low and high values."),
                "invalid_factor",
                422,
                field="kg_co2e_per_unit",
            )
        if not data["factor_source"]:
            raise CleanupError(
                _("Give the source of the factor (data set and version, or a citation)."),
                "invalid_factor",
                422,
                field="factor_source",
            )
        data = {**data, "kg_co2e_low": low, "kg_co2e_high": high}
    before = {name: getattr(action_type, name) for name in data}
    if all(before[name] == value for name, value in data.items()):
        return  # saved as it was: nothing to record
    for name, value in data.items():
        setattr(action_type, name, value)
    action_type.edit_version = CleanupActionType.edit_version + 1  # in the database
    db.session.flush()
    # The settings that count, before -> after (the audit log words them); a change of
    # wording alone is recorded under the type's name.
    changed = describe_changes(action_type_changes(before, data))
    record_audit(
        actor,
        "update",
        "cleanup_action_type",
        action_type.key,
        now,
        changed or names_summary(action_type),
    )


def _mark_changed(campaign: CleanupCampaign, now: datetime, dates_before: tuple) -> None:
    """Stamp an organiser's change; a change of dates also moves the calendar file's
    SEQUENCE, so calendar apps replace the event they hold."""
    if dates_before != (campaign.starts_at, campaign.ends_at):
        campaign.dates_sequence = (campaign.dates_sequence or 0) + 1
    campaign.updated_at = now
    # In the database, not from the value this request read (see campaign_version); a
    # campaign not inserted yet has no row to read it from.
    if sa_inspect(campaign).persistent:
        campaign.edit_version = CleanupCampaign.edit_version + 1
    else:
        campaign.edit_version = (campaign.edit_version or 1) + 1


def check_campaign_dates(campaign: CleanupCampaign | None, data: dict, now: datetime) -> None:
    """The checks saving a campaign makes of its dates (`data`'s starts_at and ends_at),
    the start's first; `campaign`: the one edited, None for a new one. Also run on a form
    refused for its other fields, so that every error is told at once."""
    # The start first, so that one correction is enough (see check_campaign_start).
    check_campaign_start(campaign, data["starts_at"], now)
    _check_not_over(data, now)
    if data["ends_at"] <= data["starts_at"]:
        raise CleanupError(_("The end must come after the start."), "invalid_dates", 422)


def check_campaign_start(
    campaign: CleanupCampaign | None, starts_at: datetime, now: datetime
) -> None:
    """The checks of a start alone, whatever the end; `campaign`: the one edited, None for
    a new one. Also run on a form whose end was refused (a time the clocks skip), so that
    both dates are told at once.

    A draft may start in the past (it starts on publication), but one that started
    MAX_LENGTH ago would be over whatever its end, and asking for an end first sent the
    organiser from one refused end to another. A campaign starts within START_WITHIN: a
    typo in a year (2099 or 2020) is told at once, not found in a launch e-mail.

    Dates typed are compared, never moved: a start in year 9999 plus MAX_LENGTH would be
    past the calendar's last day (OverflowError) before being told too far off."""
    if campaign is not None and campaign.state(now) == SCHEDULED and starts_at < now:
        # It would start at once, backdated, its launch message sent now.
        raise CleanupError(
            _(
                "This campaign is published: its start cannot be in the past. Choose a start from now on."
            ),
            "start_in_past",
            422,
        )
    if starts_at <= now.astimezone(starts_at.tzinfo) - MAX_LENGTH:
        raise CleanupError(
            _(
                "A campaign lasts at most %(days)s days: one starting on %(start)s would "
                "already be over. Choose a start from today on.",
                days=MAX_LENGTH.days,
                start=format_day(local_day(starts_at), LONG_DAY),
            ),
            "start_too_early",
            422,
        )
    if starts_at > now + START_WITHIN:
        latest = format_day(local_day(now + START_WITHIN), LONG_DAY)
        raise CleanupError(
            _("Choose a start within a year, by %(latest)s.", latest=latest),
            "start_too_late",
            422,
        )


def check_campaign_end(ends_at: datetime, now: datetime) -> None:
    """The check of an end alone: one already past is refused, whatever the start. Also
    run on a form whose start was refused (a time the clocks skip), so that both dates
    are told at once."""
    if ends_at <= now:
        raise CleanupError(
            _("This campaign would already be over: choose an end in the future."),
            "ended",
            422,
        )


def check_campaign_scope(data: dict) -> None:
    """Everyone takes part, or at least one department does (`data`'s all_departments
    and department_ids); also run on a form refused for its other fields."""
    if not data["all_departments"] and not data["department_ids"]:
        raise CleanupError(_("Choose at least one department, or everyone."), "invalid_scope", 422)


def _apply_campaign_data(campaign: CleanupCampaign, data: dict) -> None:
    check_campaign_scope(data)
    for name in ("name_fr", "name_en", "description_fr", "description_en"):
        setattr(campaign, name, data[name])
    campaign.starts_at, campaign.ends_at = data["starts_at"], data["ends_at"]
    campaign.all_departments = data["all_departments"]
    department_ids = set() if data["all_departments"] else set(data["department_ids"])
    campaign.scope_rows = [
        CleanupCampaignDepartment(department_id=d) for d in sorted(department_ids)
    ]
    campaign.goals = [
        CleanupGoal(unit=unit, target=target) for unit, target in data["goals"].items() if target
    ]
    known = set(db.session.scalars(select(CleanupActionType.id)))
    if not data["rules"]:
        raise CleanupError(_("Choose at least one action type."), "invalid_rules", 422)
    # An unknown or repeated type was told as "choose at least one" beside five ticked.
    sent = [rule["action_type_id"] for rule in data["rules"]]
    if any(type_id not in known for type_id in sent) or len(set(sent)) != len(sent):
        raise CleanupError(
            _("The action types sent do not match the form. Reload it and tick the types again."),
            "unknown_rules",
            422,
        )
    # Keep the row of a type already in the campaign: a new row for the same type would be
    # inserted before the old one is deleted, against the (campaign, type) unique key.
    rows = {rule.action_type_id: rule for rule in campaign.action_rules}
    for rule in data["rules"]:
        row = rows.get(rule["action_type_id"]) or CleanupCampaignActionType(
            action_type_id=rule["action_type_id"]
        )
        row.points_per_unit, row.daily_cap = rule["points_per_unit"], rule["daily_cap"]
        rows[rule["action_type_id"]] = row
    wanted = {rule["action_type_id"] for rule in data["rules"]}  # a type posted twice: once
    campaign.action_rules = [row for type_id, row in rows.items() if type_id in wanted]


def create_campaign(actor, data: dict, now: datetime) -> CleanupCampaign:
    """Create a draft campaign from validated form data."""
    check_campaign_dates(None, data, now)
    campaign = CleanupCampaign(created_by_id=actor.id, created_at=now, updated_at=now)
    campaign.form_token = data.get("form_token")  # see create_campaign_from_form
    _apply_campaign_data(campaign, data)
    db.session.add(campaign)
    db.session.flush()
    record_audit(actor, "create", "cleanup_campaign", campaign.id, now, names_summary(campaign))
    return campaign


def create_campaign_from_form(
    actor,
    data: dict,
    now: datetime,
    form_token: str | None,
    repeat_window: timedelta | None = None,
) -> tuple[CleanupCampaign, bool]:
    """Create a draft campaign from the new-campaign form; (campaign, created). The same
    form (`form_token`, one per form shown) sent again gives the campaign it created
    (created False), as device returns do: the unique token decides between sends at
    the same moment, only the losing insert undone (a savepoint). The same answers sent
    again within `repeat_window`, from a form shown again, give that draft too."""
    form_token = (form_token or "")[:64] or None
    mine = select(CleanupCampaign).where(
        CleanupCampaign.created_by_id == actor.id, CleanupCampaign.form_token == form_token
    )
    earlier = db.session.scalar(mine) if form_token is not None else None
    if earlier is None and repeat_window is not None:
        earlier = _same_draft_since(actor, data, now - repeat_window)
    if earlier is not None:
        return earlier, False
    if form_token is None:
        return create_campaign(actor, data, now), True
    try:
        with savepoint():
            campaign = create_campaign(actor, {**data, "form_token": form_token}, now)
    except IntegrityError:
        return db.session.scalar(mine), False
    return campaign, True


def _answers(data: dict) -> tuple:
    """The new-campaign form's answers as they would be stored, to compare with a draft."""
    rules = {r["action_type_id"]: (r["points_per_unit"], r["daily_cap"]) for r in data["rules"]}
    return (
        data["name_fr"], data["name_en"], data["description_fr"], data["description_en"],
        data["starts_at"], data["ends_at"], bool(data["all_departments"]),
        frozenset(() if data["all_departments"] else data["department_ids"]),
        frozenset((unit, float(target)) for unit, target in data["goals"].items() if target),
        frozenset((type_id, float(p), float(c)) for type_id, (p, c) in rules.items()),
    )  # fmt: skip


def _stored_answers(campaign: CleanupCampaign) -> tuple:
    return (
        campaign.name_fr, campaign.name_en, campaign.description_fr, campaign.description_en,
        campaign.starts_at, campaign.ends_at, bool(campaign.all_departments),
        frozenset(() if campaign.all_departments else campaign.department_ids),
        frozenset((goal.unit, float(goal.target)) for goal in campaign.goals),
        frozenset((rule.action_type_id, float(rule.points_per_unit), float(rule.daily_cap))
                  for rule in campaign.action_rules),
    )  # fmt: skip


def _same_draft_since(actor, data: dict, since: datetime) -> CleanupCampaign | None:
    """`actor`'s first draft created since `since` with the same answers as `data`."""
    drafts = db.session.scalars(
        select(CleanupCampaign)
        .where(
            CleanupCampaign.created_by_id == actor.id,
            CleanupCampaign.published_at.is_(None),
            CleanupCampaign.created_at >= since,
        )
        .order_by(CleanupCampaign.created_at, CleanupCampaign.id)
    )
    wanted = _answers(data)
    return next((draft for draft in drafts if _stored_answers(draft) == wanted), None)


def _check_not_over(data: dict, now: datetime) -> None:
    """Once the start is checked (check_campaign_start): a campaign saved already over
    could never be published, say so at its end; and it lasts at most MAX_LENGTH."""
    check_campaign_end(data["ends_at"], now)
    if data["ends_at"] - data["starts_at"] > MAX_LENGTH:
        latest = format_day(local_day(data["starts_at"] + MAX_LENGTH), LONG_DAY)
        raise CleanupError(
            _(
                "A campaign lasts at most %(days)s days: choose an end by %(latest)s.",
                days=MAX_LENGTH.days,
                latest=latest,
            ),
            "too_long",
            422,
        )


class CampaignUpdate(NamedTuple):
    """What saving the campaign form changed: anything at all, and its dates."""

    changed: bool
    dates_changed: bool


def campaign_version(campaign: CleanupCampaign) -> str:
    """What the campaign is at, as its edit form carries it (a hidden field): its
    `edit_version`, which every change an organiser makes (saving, publishing,
    extending) moves by one (see _mark_changed).

    A counter rather than `updated_at`: two saves within one clock tick (or a frozen
    clock), or from workers whose clocks differ by a little, would carry the same stamp,
    and campaigns saved before `updated_at` was kept have none."""
    return str(campaign.edit_version)


def update_campaign(
    campaign: CleanupCampaign, actor, data: dict, now: datetime, version: str | None = None
) -> CampaignUpdate:
    """Change a draft, or a published campaign until it starts (nobody has logged
    anything yet). Once it has started it can only be extended.

    `version`: campaign_version() when the form was shown (None: not checked, for
    callers without a form, or a form sent without the field). Another change since
    (another organiser, a second tab, even at the same moment) refuses this one with
    nothing changed, rather than silently undoing that change (a lost update); so does a
    version not read as one (a tab opened before versions were counters).

    A published one is announced again (`campaign_published`): messaging moves the
    messages it scheduled and has not sent to the new dates. Saved as it was, nothing is
    recorded nor announced.
    """
    state = campaign.state(now)
    if state not in (DRAFT, SCHEDULED):
        raise CleanupError(_("A campaign that has started can only be extended."), "started")
    _check_version(campaign, version)
    check_campaign_dates(campaign, data, now)
    before = campaign_settings(campaign)
    descriptions = (campaign.description_fr, campaign.description_en)
    dates = (campaign.starts_at, campaign.ends_at)
    _apply_campaign_data(campaign, data)
    db.session.flush()
    after = campaign_settings(campaign)
    if before == after and descriptions == (campaign.description_fr, campaign.description_en):
        return CampaignUpdate(changed=False, dates_changed=False)  # saved as it was
    _mark_changed(campaign, now, dates)
    db.session.flush()
    # Its dates, goals, scope, names and per-type rules, before -> after (the audit log
    # words them); a change of description alone records the name.
    changed = describe_changes(campaign_changes(before, after))
    record_audit(
        actor, "update", "cleanup_campaign", campaign.id, now, changed or names_summary(campaign)
    )
    if state == SCHEDULED:
        campaign_published.send(current_app._get_current_object(), campaign=campaign, now=now)
    return CampaignUpdate(True, dates_changed=dates != (campaign.starts_at, campaign.ends_at))


def _check_version(campaign: CleanupCampaign, version: str | None) -> None:
    """Refuse a save from a form another change has overtaken (see `hold_version`);
    `version` None: not checked."""
    if version is not None and not hold_version(campaign, version):
        raise CleanupError(
            _(
                "Someone else changed this campaign after you opened this form (or you "
                "did, in another tab): your changes were not saved. The form now shows "
                "the campaign as it is; under each field where you had typed something "
                "else, what you typed is shown. Make your changes again, then save."
            ),
            "stale",
            422,
        )


#: What a running campaign's edit form may correct: its words, never its rules, dates,
#: scope or goals, which participants' entries and scores already rest on.
WORDING_FIELDS = ("name_fr", "name_en", "description_fr", "description_en")


def correct_campaign_wording(
    campaign: CleanupCampaign, actor, data: dict, now: datetime, version: str | None = None
) -> bool:
    """Correct a running campaign's names and descriptions (`data`, WORDING_FIELDS),
    and nothing else, with the edit form's version check; audited as any other edit.
    False, changing nothing, when they are as they were."""
    if campaign.state(now) != RUNNING:
        raise CleanupError(
            _("Only a running campaign's names and descriptions are corrected on their own."),
            "not_running",
        )
    _check_version(campaign, version)
    before = campaign_settings(campaign)
    descriptions = (campaign.description_fr, campaign.description_en)
    for name in WORDING_FIELDS:
        setattr(campaign, name, data[name])
    db.session.flush()
    after = campaign_settings(campaign)
    if before == after and descriptions == (campaign.description_fr, campaign.description_en):
        return False
    _mark_changed(campaign, now, (campaign.starts_at, campaign.ends_at))
    db.session.flush()
    changed = describe_changes(campaign_changes(before, after))
    record_audit(
        actor, "update", "cleanup_campaign", campaign.id, now, changed or names_summary(campaign)
    )
    return True


def publish_campaign(campaign: CleanupCampaign, actor, now: datetime) -> list:
    """Publish a draft: from now on the clock drives its state. Announces it, and returns
    what its listeners answer for the publisher (messaging: the messages it scheduled).

    Claimed with one conditional UPDATE (still unpublished), which holds the row until
    commit: of the same draft published from several tabs at once, one publishes it and
    the others are told it already is (one audit event, one announcement)."""
    already = CleanupError(_("This campaign is already published."), "published")
    if campaign.published_at is not None:
        raise already
    if campaign.ends_at <= now:
        raise CleanupError(_("This campaign would already be over."), "ended")
    claimed = db.session.execute(
        update(CleanupCampaign)
        .where(CleanupCampaign.id == campaign.id, CleanupCampaign.published_at.is_(None))
        .values(published_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise already
    dates = (campaign.starts_at, campaign.ends_at)
    # A draft whose start has passed starts on publication, as the question before says:
    # its page, calendar file and launch message then give the day it really started.
    campaign.starts_at = max(campaign.starts_at, now)
    campaign.published_at = now
    _mark_changed(campaign, now, dates)
    db.session.flush()
    record_audit(actor, "publish", "cleanup_campaign", campaign.id, now, names_summary(campaign))
    answers = campaign_published.send(current_app._get_current_object(), campaign=campaign, now=now)
    return [answer for _listener, answer in answers if answer]


def delete_draft(campaign: CleanupCampaign, actor, now: datetime) -> None:
    """Delete a campaign never published: nobody saw it, nothing was logged in it."""
    if campaign.published_at is not None:
        raise CleanupError(
            _("Only a draft can be deleted: a published campaign stays."), "published"
        )
    record_audit(actor, "delete", "cleanup_campaign", campaign.id, now, names_summary(campaign))
    db.session.delete(campaign)
    db.session.flush()


def extend_campaign(
    campaign: CleanupCampaign, actor, new_ends_at: datetime, now: datetime, notify: bool = False
):
    """Push the end later, by at most MAX_EXTENSION, only before it has ended. Logged
    points are untouched; announced, so that the reminders follow the new end (`notify`:
    and its people are told of it at once)."""
    check_extension(campaign, new_ends_at, now)
    old = campaign.ends_at
    campaign.ends_at = new_ends_at
    _mark_changed(campaign, now, (campaign.starts_at, old))
    db.session.flush()
    record_audit(
        actor,
        "extend",
        "cleanup_campaign",
        campaign.id,
        now,
        f"ends_at {old.isoformat()} -> {new_ends_at.isoformat()}",
    )
    campaign_extended.send(
        current_app._get_current_object(), campaign=campaign, now=now, notify=notify
    )


def check_extension(campaign: CleanupCampaign, new_ends_at: datetime, now: datetime) -> None:
    """CleanupError for what forbids moving the end to `new_ends_at`: checked before
    asking the organiser to confirm it, and when extending."""
    state = campaign.state(now)
    if state == CLOSED:
        raise CleanupError(_("This campaign has ended and can no longer be extended."), "ended")
    if state == DRAFT:  # its page offers no extension: a draft's dates are in its form
        raise CleanupError(_("This campaign is a draft: change its end in its form."), "draft", 409)
    if state == SCHEDULED:  # before its start its page offers the correction only
        raise CleanupError(
            _("This campaign has not started yet: correct its end in its form."), "scheduled", 409
        )
    if new_ends_at <= campaign.ends_at:
        raise CleanupError(
            _("The new end must be later than the current end."), "invalid_dates", 422
        )
    # In local time, as the organiser reads it: across a change to summer time, 90 days
    # of UTC ended at 19:00 a campaign that ends at 18:00.
    latest = (campaign.ends_at.astimezone(local_zone()) + MAX_EXTENSION).astimezone(UTC)
    if new_ends_at > latest:
        message = ngettext(
            "An extension adds at most %(num)s day: choose an end no later than %(latest)s.",
            "An extension adds at most %(num)s days: choose an end no later than %(latest)s.",
            MAX_EXTENSION.days,
            latest=format_moment(latest),  # as the campaign page writes its dates
        )
        raise CleanupError(message, "invalid_dates", 422)


def close_campaign_now(
    campaign: CleanupCampaign,
    actor,
    now: datetime,
    reason: str | None = None,
    language: str | None = None,
) -> None:
    """End a running campaign early: its end becomes `now` (its results then freeze as
    usual, see freeze_campaign). `reason`: why, shown to participants on its page, marked
    with `language` (the organiser's interface language; None: their chosen locale) and
    kept in the audit; the organiser's form always gives one, and a blank one is refused
    (None: a caller without a form, e.g. a test or a script, gives none).

    Announced as an extension is (`campaign_extended`): messaging's reminders follow the
    end, so those not sent yet (a week left, the last 48 hours) go rather than wait."""
    check_closing_now(campaign, now)
    if reason is not None and not reason.strip():
        raise CleanupError(
            _("Say why the campaign ends early: participants read it on its page."),
            "reason_required",
            422,
            field="reason",
        )
    dates = (campaign.starts_at, campaign.ends_at)
    campaign.ends_at = now
    if reason is not None:
        campaign.early_end_reason = reason.strip()
        campaign.early_end_reason_lang = (
            language or getattr(actor, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    _mark_changed(campaign, now, dates)
    db.session.flush()
    record_audit(
        actor,
        "close",
        "cleanup_campaign",
        campaign.id,
        now,
        early_end_summary(campaign, dates[1], campaign.early_end_reason or ""),
    )
    campaign_extended.send(current_app._get_current_object(), campaign=campaign, now=now)


# The campaign's last days: its organisers are told how many flagged entries still wait
# and until when they can be decided (at its end, those left undecided do not count).
REVIEW_DEADLINE_NOTICE = timedelta(days=3)


def review_deadline_near(campaign: CleanupCampaign, now: datetime) -> bool:
    """Whether a running campaign is in its last days, when flagged entries left
    undecided are about to be dropped from its results."""
    return campaign.state(now) == RUNNING and campaign.ends_at - now <= REVIEW_DEADLINE_NOTICE


def check_closing_now(campaign: CleanupCampaign, now: datetime) -> None:
    """CleanupError unless the campaign is running: checked before asking the organiser
    to confirm, and when ending it."""
    state = campaign.state(now)
    if state == DRAFT:
        message = _("This campaign is a draft: there is nothing to end. Delete it instead.")
    elif state == SCHEDULED:
        message = _(
            "This campaign has not started yet: it can be ended only once it is running. "
            "Correct its dates instead."
        )
    elif state == CLOSED:
        message = _("This campaign has already ended.")
    else:
        return
    raise CleanupError(message, "not_running")


def local_day(moment: datetime):
    """The Europe/Paris calendar day of an instant: daily caps follow local days."""
    return moment.astimezone(local_zone()).date()


@functools.cache
def _lock_statement(dialect: str):
    """The participant's upsert, built once per dialect, its values bound at each call.

    On the table, not the entity: the ORM's INSERT .. RETURNING of an object cost
    three times the statement itself (0.6 ms against 0.16 on SQLite).
    """
    table = CleanupParticipant.__table__
    statement = upsert_insert(dialect)(table).values(
        campaign_id=bindparam("campaign_id"),
        user_id=bindparam("user_id"),
        joined_at=bindparam("joined_at"),
        last_logged_at=bindparam("stamp"),
    )
    return statement.on_conflict_do_update(
        index_elements=["campaign_id", "user_id"],
        set_={"last_logged_at": statement.excluded.last_logged_at},
    ).returning(table.c.id)


class LockedParticipant(NamedTuple):
    """A participant row a write holds: its id and the stamp it was just given."""

    id: int
    last_logged_at: datetime


def _lock_participant(campaign: CleanupCampaign, user, now: datetime) -> LockedParticipant:
    """The person's participant row, created if needed, stamped and locked until commit.

    One statement: INSERT .. ON CONFLICT DO UPDATE .. RETURNING. On PostgreSQL the
    update locks the row, so two logs by the same person run one after the other;
    on SQLite the INSERT takes the database's single write lock before anything is
    read. The update stamps `last_logged_at` (wall clock) for the scoreboards'
    refresh: a write that then fails rolls the stamp back with everything else, and
    one that stops short of a change (a daily cap in a device return) only makes
    the next refresh re-read this person.
    """
    statement = _lock_statement(db.session.get_bind().dialect.name)
    stamp = utcnow()
    values = {"campaign_id": campaign.id, "user_id": user.id, "joined_at": now, "stamp": stamp}
    participant = LockedParticipant(db.session.execute(statement, values).scalar_one(), stamp)
    queries.stamped(participant.id)
    return participant


def _check_can_log(user, campaign: CleanupCampaign, now: datetime) -> None:
    state = campaign.state(now)
    if state != RUNNING:
        message = {
            CLOSED: _("This campaign has ended: actions can no longer be logged."),
        }.get(state, _("This campaign has not started yet: actions cannot be logged."))
        raise CleanupError(message, "not_running", 409)
    if not campaign.in_scope(user):
        raise CleanupError(_("Your department is not part of this campaign."), "not_in_scope", 403)


def _rule_for(campaign: CleanupCampaign, key: str) -> queries.CampaignRule:
    rule = queries.campaign_rules(campaign).get(key)
    if rule is None:
        raise CleanupError(_("This action does not count in this campaign."), "unknown_action", 422)
    return rule


#: One comma then exactly three digits ('1,250'): where a comma groups thousands (the
#: English pages), 1250; to the staff in France who read them, and whose '1,25' is read
#: as 1.25, one and a quarter. Either reading may pass the cap, the wrong one a thousand
#: times off: asked, as a French '1.000' is.
COMMA_THEN_THREE = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")


def read_quantity(text: str, decimals: bool) -> float:
    """A quantity as the person typed it (`parse_local_number`); where the unit takes
    `decimals` and a comma groups thousands, '1,250' is AmbiguousNumber (a whole number
    of items reads only one way)."""
    compact = re.sub(r"\s", "", text) if len(text) <= TYPED_NUMBER_MAX_LENGTH else ""
    if decimals and COMMA_THEN_THREE.fullmatch(compact):
        locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
        if locale.number_symbols["latn"]["group"] == ",":
            raise AmbiguousNumber(
                _(
                    "%(typed)s reads two ways: write %(whole)s for a whole number, or "
                    "%(decimal)s with a point for a decimal.",
                    typed=compact,
                    whole=compact.replace(",", ""),
                    decimal=compact.replace(",", "."),
                )
            )
    return parse_local_number(text)


#: A typed quantity followed by words ("5 Go", "0,5GB", "3 éléments"): the number, then
#: text with no digit in it ("1e3" stays a number written in exponent notation).
NUMBER_THEN_WORDS = re.compile(r"\s*(?P<number>[\d\s.,+-]*\d[.,]?)\s*(?P<words>[^\d\s.,+-][^\d]*)")


def unit_words(unit: str) -> frozenset[str]:
    """The ways the pages name `unit`, in either language, singular and plural, folded
    ("go", "gb", "élément", "éléments", "item", "items"): what may follow a typed
    quantity. Each language's own words, as its reader may have the other one open."""
    words = set()
    for language in ("fr", "en"):
        with force_locale(language):
            words.add(str(unit_label(unit)))
            for count in (1, 2):
                words.add(quantity_label(count, unit).split("\u00a0", 1)[-1])
    return frozenset(word.casefold() for word in words)


def _without_unit(rule: queries.CampaignRule, text: str) -> str:
    """`text` without its unit when it ends with the action's own ("5 Go" is 5 in GB);
    other words after a number are refused, naming the unit the number is counted in,
    rather than "enter a number" when one was there."""
    typed = NUMBER_THEN_WORDS.fullmatch(text)
    if typed is None:
        return text
    if typed["words"].strip().rstrip(".").casefold() in unit_words(rule.unit):
        return typed["number"]
    raise CleanupError(
        _(
            "Type the number only, without a unit: this action is counted in %(unit)s.",
            unit=unit_label(rule.unit),
        ),
        "invalid_quantity",
        422,
    )


def check_quantity(rule: queries.CampaignRule, quantity) -> float:
    """A positive, finite, plausible number (whole for items and devices), typed with
    or without the action's unit."""
    if isinstance(quantity, str):
        quantity = _without_unit(rule, quantity)
    try:
        if isinstance(quantity, str):
            value = read_quantity(quantity, decimals=rule.unit == "GB")
        else:
            value = float(quantity)
    except AmbiguousNumber as ambiguous:
        raise CleanupError(str(ambiguous), "invalid_quantity", 422) from None
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):  # text, or NaN and Infinity, which JSON bodies may send
        raise CleanupError(_("Enter the quantity as a number."), "invalid_quantity", 422)
    if value <= 0:
        raise CleanupError(_("The quantity must be more than zero."), "invalid_quantity", 422)
    if value > rule.max_quantity:
        raise CleanupError(_too_large(rule), "invalid_quantity", 422)
    if rule.unit != "GB" and value != int(value):
        raise CleanupError(_("Enter a whole number."), "invalid_quantity", 422)
    value = round(value, 3)
    smallest = smallest_scoring_quantity(rule)
    if smallest is not None and value < smallest:
        # It would be counted, fill the daily cap and the goals, and score nothing.
        raise CleanupError(
            _(
                "This entry scores no points: the smallest that scores is %(smallest)s.",
                smallest=quantity_label(smallest, rule.unit),
            ),
            "invalid_quantity",
            422,
        )
    return value


def points_for(quantity: float, points_per_unit: float) -> int:
    """`quantity` times `points_per_unit`, rounded down to whole points, so that entries
    split in small pieces never score more than one entry of their total (rounded half
    up, ten entries of 0.05 GB at 10 points per GB scored 10 where 0.5 GB scored 5).
    The float product of 0.29 by 100 falls a hair below 29: near a whole number, the
    product is taken exactly on the decimals as typed."""
    product = quantity * points_per_unit
    points = math.floor(product)
    if product - points < 1 - 1e-6:
        return points  # not just below a whole number: the float is exact enough
    exact = Decimal(repr(float(quantity))) * Decimal(repr(float(points_per_unit)))
    return int(exact.to_integral_value(rounding=ROUND_FLOOR))


def entry_points(rule, quantity: float) -> int:
    """The points an entry of `quantity` (as stored, to 3 decimals) scores."""
    return points_for(quantity, rule.points_per_unit)


def smallest_scoring_quantity(rule) -> float | None:
    """The smallest quantity one entry can hold that scores a point (a multiple of
    0.001 GB, or a whole number of items or devices), as `entry_points` rounds (down:
    0.1 GB at 10 points per GB scores 1, 0.099 GB 0). None when nothing needs refusing:
    a type worth no point, or one only other services log (a device return never fails
    on it).
    """
    if rule.points_per_unit <= 0 or rule.key in SYSTEM_ACTION_TYPES:
        return None
    step = Decimal("0.001") if rule.unit == "GB" else Decimal(1)
    one = Decimal(1) / Decimal(repr(float(rule.points_per_unit)))
    steps = max(math.ceil(one / step) - 1, 1)
    while entry_points(rule, float(steps * step)) < 1:
        steps += 1
    return float(steps * step)


def _too_large(rule: queries.CampaignRule):
    """What one entry may hold at most, in its unit; "log several" only where several
    entries can count, below the daily cap."""
    most = quantity_label(rule.max_quantity, rule.unit)
    if rule.daily_cap > rule.max_quantity:
        return _("One entry holds at most %(most)s: log several entries if you did more.",
                 most=most)  # fmt: skip
    return _(
        "One entry holds at most %(most)s, and this action counts at most %(cap)s a day.",
        most=most,
        cap=quantity_label(rule.daily_cap, rule.unit),
    )


@functools.cache
def _history_statement(excluding: bool, with_source: bool):
    """`_history`'s statement, built once per form (its values bound per call)."""
    A = CleanupAction
    same_type = A.action_type_id == bindparam("type_id")
    day = bindparam("day")
    today = same_type & (A.day == day) & A.status.not_in((REJECTED, WITHDRAWN))
    if excluding:
        today &= A.id != bindparam("exclude_id")
    accepted = same_type & (A.status == ACCEPTED)
    query = select(
        func.coalesce(func.sum(case((today, A.quantity))), 0),
        func.count(case((accepted, A.id))),
        func.avg(case((accepted, A.quantity))),
        func.count(case(((A.day == day) & (A.status == ACCEPTED), A.id))),
    ).where(A.participant_id == bindparam("participant_id"))
    if with_source:
        logged = select(A.id).where(
            A.campaign_id == bindparam("campaign_id"), A.source_key == bindparam("source_key")
        )
        query = query.add_columns(logged.scalar_subquery())
    return query


def _history(participant_id: int, rule, day, exclude_id=None, source=(None, None)) -> tuple:
    """Of one person: (quantity of this type not rejected on `day`, (accepted entries of
    this type, their average quantity), accepted entries of any type on `day`, the id of
    the entry already logged for `source`). The idempotency check, the daily cap, the
    anomaly rule and the scoreboard's count of days read one statement.

    `exclude_id`: an entry being corrected, left out of the day's quantity only.
    `source`: (campaign id, source key) of an entry logged by another service, if any.
    """
    campaign_id, source_key = source
    statement = _history_statement(exclude_id is not None, source_key is not None)
    values = {"type_id": rule.action_type_id, "day": day, "participant_id": participant_id}
    if exclude_id is not None:
        values["exclude_id"] = exclude_id
    if source_key is not None:
        values |= {"campaign_id": campaign_id, "source_key": source_key}
    row = db.session.execute(statement, values).one()
    existing = row[4] if source_key is not None else None
    return float(row[0]), (row[1], row[2]), row[3], existing


def _check_cap(rule, quantity: float, already: float, day, today, correcting=False) -> None:
    """Refuse what would pass the daily cap of `day` (the entry's day, `today` the
    local day now), saying the limit, what is left and the day, with units.

    `correcting`: `already` leaves out the entry being corrected, so what is left is
    what that entry can hold, not what more can be logged.
    """
    if already + quantity <= rule.daily_cap + 1e-9:
        return
    left = max(rule.daily_cap - already, 0)
    values = {"cap": quantity_label(rule.daily_cap, rule.unit)}
    if left > 1e-9:
        values["left"] = quantity_label(round(left, 3), rule.unit)
    if correcting and "left" in values:
        if day == today:
            message = _(
                "That would go over the daily limit of %(cap)s for this action: "
                "this entry can hold at most %(left)s today.",
                **values,
            )
        else:
            message = _(
                "That would go over the daily limit of %(cap)s for this action: "
                "this entry can hold at most %(left)s on %(day)s.",
                day=format_day(day, DAY_IN_SENTENCE),
                **values,
            )
    elif day == today and "left" in values:
        message = _(
            "That would go over the daily limit of %(cap)s for this action: "
            "you can still log %(left)s today.",
            **values,
        )
    elif day == today:
        message = _("You have already reached the daily limit of %(cap)s for this action today.",
                    **values)  # fmt: skip
    elif "left" in values:
        message = _(
            "That would go over the daily limit of %(cap)s for this action: "
            "you can still log %(left)s on %(day)s.",
            day=format_day(day, DAY_IN_SENTENCE),
            **values,
        )
    else:
        message = _(
            "The daily limit of %(cap)s for this action was already reached on %(day)s.",
            day=format_day(day, DAY_IN_SENTENCE),
            **values,
        )
    raise CleanupError(message, "cap_reached", 409)


def _flag_reason(campaign: CleanupCampaign, rule, quantity: float, mine: tuple) -> str:
    """Why an entry looks implausible, or '' when it looks ordinary.

    `mine`: the person's accepted entries of this type (count, average quantity).
    """
    if quantity > rule.flag_above:
        return FLAG_ABOVE_USUAL
    if mine[0] >= 3 and quantity > 10 * mine[1]:
        return FLAG_ABOVE_HISTORY
    # The campaign's accepted entries of this type, from the cached scoreboard (kept up to
    # date at every change): averaging them in SQL cost ~90 ms a write on PostgreSQL,
    # under the participant's lock.
    total, _points, count = queries.get_board(campaign).type_totals.get(
        rule.action_type_id, (0, 0, 0)
    )
    everyone = (count, total / count if count else 0)
    if everyone[0] >= 20 and quantity > 20 * everyone[1]:
        return FLAG_ABOVE_OTHERS
    return ""


def log_action(
    user,
    campaign: CleanupCampaign,
    action_type_key: str,
    quantity,
    now: datetime,
    source_key=None,
    pending: bool = False,
) -> CleanupAction | None:
    """Log an action for `user`: checks the time-box, scope, quantity and daily cap.

    With a `source_key` (e.g. "device-return:42") the call is idempotent: a
    repeat returns the action already logged. Points are fixed at log time.
    `pending`: logged as PENDING, scoring nothing until `count_pending_action`.
    """
    _check_can_log(user, campaign, now)
    rule = _rule_for(campaign, action_type_key)
    value = check_quantity(rule, quantity)
    participant = _lock_participant(campaign, user, now)
    day = local_day(now)
    already, mine, accepted_today, existing = _history(
        participant.id, rule, day, source=(campaign.id, source_key)
    )
    if existing is not None:
        return db.session.get(CleanupAction, existing)
    _check_cap(rule, value, already, day, day)
    reason = _flag_reason(campaign, rule, value, mine)
    action = CleanupAction(
        campaign_id=campaign.id,
        participant_id=participant.id,
        action_type_id=rule.action_type_id,
        department_id=user.department_id,
        commune_id=user.commune_id,
        quantity=value,
        points=entry_points(rule, value),
        logged_at=now,
        day=day,
        status=PENDING if pending else FLAGGED if reason else ACCEPTED,
        flag_reason=reason,
        source_key=source_key,
    )
    db.session.add(action)
    # What the entry adds to the board: nothing until an organiser accepts it if flagged.
    change = None
    if action.status == ACCEPTED:
        change = (action.action_type_id, action.department_id, action.commune_id, value,
                  action.points, accepted_today == 0)  # fmt: skip
    touch_scores(campaign, participant.id, participant.last_logged_at, change)
    return action


def own_action(user, action_id: int) -> CleanupAction | None:
    """The action if it belongs to `user`, else None (callers answer 404)."""
    return db.session.scalar(
        select(CleanupAction)
        .join(CleanupParticipant, CleanupParticipant.id == CleanupAction.participant_id)
        .where(CleanupAction.id == action_id, CleanupParticipant.user_id == user.id)
    )


def _mark_with(key: str, user_id: int, action_id: int, campaign_id: int) -> str:
    message = f"cleanup-entry|{user_id}|{action_id}|{campaign_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:24]


def entry_mark(user_id: int, action_id: int, campaign_id: int) -> str:
    """What the page listing a person's entry sends with its correction and deletion.

    The entry deleted since (another tab), the request still proves it was the person's,
    in that campaign: the answer says it is gone, while an id that never was theirs (one
    missing, another person's entry) stays a 404. Keyed with the current secret key."""
    return _mark_with(signing_keys()[-1], user_id, action_id, campaign_id)


def was_own_entry(user, action_id: int, campaign_id: int | None, mark: str) -> bool:
    """`mark` is the one a page listed this entry of `user`'s with (see entry_mark), made
    with any key of signing_keys(): a page left open across a new key still counts."""
    if campaign_id is None:
        return False
    sent = mark[:64].encode()
    return any(
        hmac.compare_digest(_mark_with(key, user.id, action_id, campaign_id).encode(), sent)
        for key in signing_keys()
    )


def _check_editable(user, action: CleanupAction, now: datetime) -> CleanupCampaign:
    campaign = db.session.get(CleanupCampaign, action.campaign_id)
    if campaign.state(now) == CLOSED:  # a stale page: say what is refused, not a new entry
        message = _("This campaign has ended: entries can no longer be corrected or deleted.")
        raise CleanupError(message, "not_running", 409)
    _check_can_log(user, campaign, now)
    if action.source_key is not None or action.action_type.key in SYSTEM_ACTION_TYPES:
        raise CleanupError(_("This entry was recorded by another service."), "system_action")
    if action.status == REJECTED:
        raise CleanupError(_("A rejected entry cannot be changed."), "rejected")
    return campaign


def correct_action(user, action: CleanupAction, quantity, now: datetime) -> CleanupAction | None:
    """Change the quantity of one's own entry while the campaign runs; None, changing
    nothing, for the quantity it already holds (a refused correction keeps its reason)."""
    campaign = _check_editable(user, action, now)
    rule = _rule_for(campaign, action.action_type.key)
    value = check_quantity(rule, quantity)
    if abs(value - action.quantity) < 1e-9:
        return None
    participant = _lock_participant(campaign, user, now)
    already, mine, _accepted_today, _ = _history(participant.id, rule, action.day, action.id)
    _check_cap(rule, value, already, action.day, local_day(now), correcting=True)
    reason = _flag_reason(campaign, rule, value, mine)
    # What the organiser judges the change against: the last decided quantity (a second
    # correction of an entry still waiting keeps the accepted one it came from).
    if action.status != FLAGGED or action.corrected_from is None:
        action.corrected_from, action.corrected_from_status = action.quantity, action.status
    if action.corrected_from_status == ACCEPTED and value <= action.corrected_from:
        # An organiser accepted more than this: asking again only took its points away
        # until the review.
        reason = ""
    action.corrected_at = now
    action.quantity = value
    action.points = entry_points(rule, value)
    action.status = FLAGGED if reason else ACCEPTED
    action.flag_reason = reason
    touch_scores(campaign, participant.id, participant.last_logged_at)
    return action


def is_device_return_entry(action) -> bool:
    """An entry a device return logged (its owner may withdraw it from the campaign)."""
    return (action.source_key or "").startswith("device-return:")


def withdraw_device_return_entry(user, action: CleanupAction, now: datetime) -> None:
    """Take one's device return out of a running campaign: its entry stays, WITHDRAWN,
    scoring nothing (nor counting toward the daily limit), so that the receipt says why
    the return does not count there; the return itself stands."""
    if not is_device_return_entry(action) or action.status == WITHDRAWN:
        raise CleanupError(_("This entry was recorded by another service."), "system_action")
    campaign = db.session.get(CleanupCampaign, action.campaign_id)
    if campaign.state(now) != RUNNING or campaign.frozen_at is not None:
        message = _("This campaign has ended: entries can no longer be corrected or deleted.")
        raise CleanupError(message, "not_running", 409)
    participant = _lock_participant(campaign, user, now)
    action.status = WITHDRAWN
    touch_scores(campaign, participant.id, participant.last_logged_at)


def delete_action(user, action: CleanupAction, now: datetime) -> None:
    """Delete one's own entry while the campaign runs (a device return's is withdrawn
    from it instead: `withdraw_device_return_entry`)."""
    campaign = _check_editable(user, action, now)
    participant = _lock_participant(campaign, user, now)
    db.session.delete(action)
    touch_scores(campaign, participant.id, participant.last_logged_at)


class AcceptedBefore(NamedTuple):
    """What a flagged correction of an accepted entry came from: the quantity and points
    the entry goes back to if an organiser refuses the correction."""

    quantity: float
    points: int


def accepted_before(action: CleanupAction) -> AcceptedBefore | None:
    """For a flagged correction of an entry that counted, what it counted before; None
    for an entry never accepted (a new unusual one, or a correction of one still waiting),
    which a rejection rejects whole. The same for such a correction an organiser accepted:
    changing that decision to a rejection refuses the correction, as rejecting it then
    would have (not once its author corrected the entry again since)."""
    if action.corrected_from is None or action.corrected_from_status != ACCEPTED:
        return None
    if action.status != FLAGGED and not _accepted_the_correction(action):
        return None
    campaign = db.session.get(CleanupCampaign, action.campaign_id)
    # A campaign's points are fixed once it starts: the points it was accepted with.
    rule = _rule_for(campaign, action.action_type.key)
    return AcceptedBefore(action.corrected_from, entry_points(rule, action.corrected_from))


def _accepted_the_correction(action: CleanupAction) -> bool:
    """An organiser accepted this correction of an entry that counted: its author has
    not corrected it again since (a correction down stays accepted, unreviewed)."""
    return (
        action.status == ACCEPTED
        and action.reviewed_at is not None
        and action.corrected_at is not None
        and action.corrected_at <= action.reviewed_at
    )


def correction_refused(action: CleanupAction) -> bool:
    """An organiser refused this entry's correction: it went back to what was accepted
    (`corrected_from` cleared, `corrected_at` kept)."""
    return (
        action.status == ACCEPTED
        and action.reviewed_at is not None
        and action.corrected_at is not None
        and action.corrected_from is None
    )


def decision_changeable(action: CleanupAction) -> bool:
    """Whether an organiser may change the decision taken on this entry: accepted or
    rejected after a review. Not a refused correction: the quantity asked is gone, and
    its author can correct the entry again."""
    return (
        action.status in (ACCEPTED, REJECTED)
        and action.reviewed_at is not None
        and not correction_refused(action)
    )


def _check_change(action: CleanupAction, accept: bool, changing: str) -> None:
    """Refuse to change a decision that is no longer the one the organiser saw, to take
    the same one again, or to change one that cannot be (`decision_changeable`)."""
    if action.status != changing or action.reviewed_at is None:
        raise CleanupError(
            _("This entry has changed since the page was shown: here it is as it is now."),
            "decision_moved",
        )
    if accept == (changing == ACCEPTED):
        message = (
            _("This entry is already accepted.") if accept else _("This entry is already rejected.")
        )
        raise CleanupError(message, "same_decision")
    if not decision_changeable(action):
        raise CleanupError(
            _("A refused correction stays refused: its author can correct the entry again."),
            "correction_refused",
        )


def _lock_entry(action: CleanupAction) -> datetime:
    """Hold the entry's author (their participant row, stamped) until the transaction
    ends, then read the entry again: a decision checks the entry as it is once the
    decisions and corrections sent at the same moment are done, not as the request
    first read it. Two decisions at once otherwise both pass their checks and both
    write (two audit events, two notices). The participant row before the entry, in
    the order a log or a correction takes them: never two requests each holding one
    and waiting for the other. Returns the stamp it was given (see `touch_scores`)."""
    stamp = utcnow()
    queries.stamped(action.participant_id)
    db.session.execute(
        update(CleanupParticipant)
        .where(CleanupParticipant.id == action.participant_id)
        .values(last_logged_at=stamp)
        .execution_options(synchronize_session=False)
    )
    try:
        db.session.refresh(action)
    except InvalidRequestError:  # its author deleted it meanwhile
        raise CleanupError(
            _("This entry was deleted by its author meanwhile."), "deleted", 404
        ) from None
    return stamp


def _check_cap_to_accept_again(campaign: CleanupCampaign, action: CleanupAction) -> None:
    """A rejected entry leaves its day's cap: its author may have logged up to the cap
    since. Accepted again, it must still fit in it (the author held: `_lock_entry`)."""
    rule = _rule_for(campaign, action.action_type.key)
    already, _mine, _today, _existing = _history(action.participant_id, rule, action.day, action.id)
    if already + action.quantity > rule.daily_cap + 1e-9:
        raise CleanupError(
            _(
                "Accepted now, this entry would pass the daily limit of %(cap)s for this "
                "action on %(day)s: its author logged more that day after it was rejected.",
                cap=quantity_label(rule.daily_cap, rule.unit),
                day=format_day(action.day, DAY_IN_SENTENCE),
            ),
            "cap_reached",
        )


def may_decide(reviewer_id: int, author_id: int | None) -> bool:
    """Whether a reviewer (whatever their roles) may accept or reject an entry logged by
    `author_id` (None: an erased author): never their own. Flagged as unusual, its author
    accepting it would make the review a formality; another organiser decides on it."""
    return author_id != reviewer_id


def decidable_by(reviewer_id: int):
    """`may_decide` as a condition on an entry's author (`CleanupParticipant.user_id`, the
    participant joined): what a count of the entries a reviewer may decide filters on, so
    that the home "To do" panel and the campaign page count what the review page offers."""
    return CleanupParticipant.user_id.is_distinct_from(reviewer_id)


def review_action(
    action: CleanupAction,
    actor,
    accept: bool,
    reason: str,
    now: datetime,
    changing: str | None = None,
    language: str | None = None,
) -> AcceptedBefore | None:
    """Accept or reject a flagged entry (never one's own); the reason is shown to the
    participant, marked with `language`: the one it was written in, the reviewer's
    interface language (None: their chosen locale, else the portal's default).

    Rejecting a correction of an accepted entry refuses the change only: the entry goes
    back to the quantity and points last accepted, and counts (returned, else None).
    `corrected_from` is cleared and `corrected_at` kept: "My entries" says the correction
    was refused, with the reason.

    `changing`: the decision taken before ("accepted" or "rejected"), which this one
    replaces (an organiser's mistake), told to the author and recorded the same way.
    """
    campaign = db.session.get(CleanupCampaign, action.campaign_id)
    # Ended but not frozen yet (the job runs every minute) is as good as frozen.
    if campaign.frozen_at is not None or campaign.state(now) == CLOSED:
        raise CleanupError(_("The results of this campaign are frozen."), "frozen")
    stamp = _lock_entry(action)
    if changing is None and action.status != FLAGGED:
        # Decided meanwhile (another tab, another organiser): the answer goes on with the
        # decision as it stands (routes._review_answer).
        raise CleanupError(_("This entry was already decided meanwhile:"), "not_flagged")
    if changing is not None:
        _check_change(action, accept, changing)
    if not accept and not reason.strip():
        raise CleanupError(_("Give the participant a reason."), "reason_required", 422)
    author_id = db.session.scalar(
        select(CleanupParticipant.user_id).where(CleanupParticipant.id == action.participant_id)
    )
    if not may_decide(actor.id, author_id):
        raise CleanupError(
            _("You logged this entry yourself: another organiser decides on it."), "own_entry", 403
        )
    if author_id is None:
        # An erased author: the reason would be written about them after their erasure,
        # and nobody reads it. The decision is kept, its words are not.
        reason = ""
    if accept and action.status == REJECTED:
        _check_cap_to_accept_again(campaign, action)
    kept = None if accept else accepted_before(action)
    refused = action.quantity
    if kept is not None:
        action.quantity, action.points = kept
        action.corrected_from = action.corrected_from_status = None
    action.status = ACCEPTED if accept or kept is not None else REJECTED
    action.review_reason = reason.strip()
    action.review_reason_lang = (
        (language or getattr(actor, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"])
        if action.review_reason
        else None
    )
    action.reviewed_by_id = actor.id
    action.reviewed_at = now
    touch_scores(campaign, action.participant_id, stamp)
    summary = reason[:200]
    if kept is not None:  # what was asked and what stays, then the reason
        unit = action.action_type.unit
        summary = correction_refused_summary(unit, refused, kept.quantity, summary.strip())
    record_audit(actor, "accept" if accept else "reject", "cleanup_action", action.id, now, summary)
    if author_id is not None:  # an erased author has no one to tell
        entry_reviewed.send(
            current_app._get_current_object(),
            entry_id=action.id,
            campaign_id=campaign.id,
            user_id=author_id,
            accepted=accept,
            now=now,
            # The entry as decided: the notice goes out at the next tick, by which time
            # its author may have corrected it again.
            decided={
                "quantity": action.quantity,
                "points": action.points,
                "review_reason": action.review_reason,
                # The language it was written in: a reader of the other language's notice
                # marks it so (« Reason: Doublon… (in French) », its HTML with `lang`).
                "review_reason_lang": action.review_reason_lang,
                # A refused correction: what was asked (the entry keeps the rest).
                **({"refused_quantity": refused} if kept is not None else {}),
            },
        )
    return kept


class ListAccepted(NamedTuple):
    """What accepting a review queue's list did: entries accepted, and those listed left
    as they are (decided meanwhile, deleted by their author, or not the organiser's to
    decide)."""

    accepted: int
    left: int


def accept_listed(
    campaign: CleanupCampaign, actor, entry_ids, now: datetime, language: str | None = None
) -> ListAccepted:
    """Accept the entries of `entry_ids` (the review queue as the organiser saw it) still
    flagged that `actor` may decide (`decidable_by`), each as `review_action` accepts one:
    held and read again first, audited, its author told. One decided meanwhile (another
    organiser, another tab) or deleted keeps what happened to it; an entry flagged since
    the page was shown is not listed, so not accepted unseen. Refused whole once the
    campaign has ended."""
    if campaign.frozen_at is not None or campaign.state(now) == CLOSED:
        raise CleanupError(_("The results of this campaign are frozen."), "frozen")
    listed = set(entry_ids)
    actions = db.session.scalars(
        select(CleanupAction)
        .join(CleanupParticipant, CleanupParticipant.id == CleanupAction.participant_id)
        .where(
            CleanupAction.campaign_id == campaign.id,
            CleanupAction.id.in_(listed),
            CleanupAction.status == FLAGGED,
            decidable_by(actor.id),
        )
        # Authors held in one order: two lists accepted at the same moment never each
        # hold an author the other waits for.
        .order_by(CleanupAction.participant_id, CleanupAction.id)
    ).all()
    accepted = 0
    for action in actions:
        try:
            review_action(action, actor, True, "", now, None, language)
        except CleanupError as error:
            if error.code not in ("not_flagged", "deleted"):
                raise
            continue
        accepted += 1
    return ListAccepted(accepted, len(listed) - accepted)


def published_results(campaign: CleanupCampaign, now: datetime) -> dict | None:
    """A closed campaign's frozen results as its results page, downloads and API give
    them (small teams' figures withheld, LEADERBOARD_MIN_TEAM), frozen on first read;
    None while it has not ended."""
    if campaign.state(now) != CLOSED:
        return None
    if freeze_campaign(campaign, now):
        db.session.commit()
    return queries.published_results(queries.frozen_results(campaign), campaign=campaign)


def freeze_campaign(campaign: CleanupCampaign, now: datetime, announce: bool = True) -> bool:
    """Store the results snapshot of a closed campaign, once; True when this call froze it.

    The conditional UPDATE makes the job and a lazy first read race safely:
    only one of them freezes and announces `campaign_closed`.
    """
    if campaign.state(now) != CLOSED or campaign.frozen_at is not None:
        return False
    snapshot = json.dumps(queries.compute_results(campaign, now))
    result = db.session.execute(
        update(CleanupCampaign)
        .where(CleanupCampaign.id == campaign.id, CleanupCampaign.frozen_at.is_(None))
        .values(frozen_at=now, results_json=snapshot)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(campaign)
    if result.rowcount != 1:
        return False
    keep_board_labels(campaign.id)
    if announce:
        campaign_closed.send(current_app._get_current_object(), campaign=campaign, now=now)
    return True


def keep_board_labels(campaign_id: int) -> None:
    """Keep on each participant the label the individual leaderboard shows them under
    now, at the campaign's end: its closed board shows that one from then on."""
    shown_as, label = queries.board_label_at_end(CleanupParticipant.user_id)
    db.session.execute(
        update(CleanupParticipant)
        .where(CleanupParticipant.campaign_id == campaign_id)
        .values(board_shown_as=shown_as, board_label=label)
        .execution_options(synchronize_session=False)
    )


def freeze_closed_campaigns(now: datetime) -> int:
    """Freeze every published campaign that has ended; returns how many were frozen."""
    campaigns = db.session.scalars(
        select(CleanupCampaign).where(
            CleanupCampaign.published_at.is_not(None),
            CleanupCampaign.frozen_at.is_(None),
            CleanupCampaign.ends_at <= now,
        )
    ).all()
    return sum(freeze_campaign(c, now) for c in campaigns)


@functools.cache
def _running_campaigns():
    """The running campaigns, built once (their rules come from `queries.campaign_rules`)."""
    now = bindparam("now")
    return select(CleanupCampaign).where(
        CleanupCampaign.published_at.is_not(None),
        CleanupCampaign.starts_at <= now,
        CleanupCampaign.ends_at > now,
    )


def log_device_return(device_return, user, now: datetime, count_in=()) -> list[CleanupAction]:
    """Log a declared device return in the running campaigns in scope that count returns,
    as PENDING: it scores once an agent receives the device
    (`count_received_device_return`), so a device never brought earns nothing.

    Only where the person takes part already (`queries.return_campaigns`), or chose on
    the declaration to count it (`count_in`, campaign ids): a return must not put
    someone on a leaderboard they never joined, where a rare badge would tell the
    agent who received the device who the pseudonym is.

    Past the person's daily limit the campaign is skipped: the cap holds for returns as
    for any entry, and the return itself still stands. No entry is written for it (a
    rejected one would show among the person's entries and in the organisers' review);
    the receipt tells its owner it does not count there (`return_notes`), from the
    day's entries that filled the limit."""
    logged = []
    chosen = set(count_in)
    for campaign, takes_part in queries.return_campaigns(user, now):
        if not takes_part and campaign.id not in chosen:
            continue
        try:
            action = log_action(
                user,
                campaign,
                "return-device",
                1,
                now,
                source_key=f"device-return:{device_return.id}",
                pending=True,
            )
        except CleanupError:
            # The daily cap: the only refusal left once the campaign runs, has the person
            # in scope and counts returns. Whatever it is, the declaration must not fail.
            continue
        logged.append(action)
    return logged


def _device_return_entries(return_id: int, now: datetime, *conditions):
    """The entries of a device return in the campaigns still running and not frozen, with
    those campaigns by id: what a receipt or a withdrawal may still change."""
    campaigns = {
        campaign.id: campaign
        for campaign in db.session.scalars(_running_campaigns(), {"now": now})
        if campaign.frozen_at is None
    }
    if not campaigns:
        return campaigns, []
    actions = db.session.scalars(
        select(CleanupAction).where(  # the (campaign_id, source_key) unique index
            CleanupAction.campaign_id.in_(campaigns),
            CleanupAction.source_key == f"device-return:{return_id}",
            *conditions,
        )
    ).all()
    return campaigns, actions


def count_received_device_return(return_id: int, now: datetime, campaign_id=None) -> int:
    """An agent received the device: its pending entries count, dated from the declaration.

    Only in campaigns still running at receipt: a campaign that has ended froze its
    results (invariant 1), so a device brought after the end scores nothing there.
    `campaign_id`: in that campaign only (a received return counted later from its
    receipt, `count_device_return_in`).
    Returns how many entries now count (or wait for review, if their size was flagged).
    """
    conditions = [CleanupAction.status == PENDING]
    if campaign_id is not None:
        conditions.append(CleanupAction.campaign_id == campaign_id)
    campaigns, actions = _device_return_entries(return_id, now, *conditions)
    for action in actions:
        action.status = FLAGGED if action.flag_reason else ACCEPTED
        # Like a review's decision: the board re-reads this participant at its next read.
        touch_scores(campaigns[action.campaign_id], action.participant_id)
    return len(actions)


def count_device_return_in(device_return, user, campaign_id: int, now: datetime) -> CleanupCampaign:
    """Count one's return in a running campaign one did not count it in when declaring, or
    withdrew it from since: as the declaration's box would have (`log_device_return`),
    counting at once where an agent has the device (`count_received_device_return`). A
    withdrawn entry counts again, the same row (the (campaign_id, source_key) unique
    index), within the daily limit of its day. Returns the campaign."""
    campaign = db.session.get(CleanupCampaign, campaign_id)
    if campaign is None or campaign.published_at is None:
        raise CleanupError(_("This campaign does not exist."), "not_found", 404)
    name = campaign.name(current_language())
    if device_return.status == "withdrawn":
        message = _("You withdrew this declaration: it cannot count in a campaign.")
        raise CleanupError(message, "return_withdrawn")
    if device_return.status == "not_brought":
        message = _("This declaration was closed, the device never brought: it cannot count "
                    "in a campaign.")  # fmt: skip
        raise CleanupError(message, "return_withdrawn")
    if campaign.state(now) == CLOSED or campaign.frozen_at is not None:
        message = _("“%(campaign)s” is no longer running: returns can no longer be counted "
                    "in it.", campaign=name)  # fmt: skip
        raise CleanupError(message, "not_running")
    if not campaign.in_scope(user):
        message = _("This return cannot count in “%(campaign)s”: your department is not "
                    "part of it.", campaign=name)  # fmt: skip
        raise CleanupError(message, "not_in_scope", 403)
    if not queries.declared_during(campaign, device_return):
        message = _("This return cannot count in “%(campaign)s”: it was declared before "
                    "the campaign started.", campaign=name)  # fmt: skip
        raise CleanupError(message, "declared_before")
    if "return-device" not in queries.campaign_rules(campaign):
        message = _("This return cannot count in “%(campaign)s”: it does not count device "
                    "returns.", campaign=name)  # fmt: skip
        raise CleanupError(message, "unknown_action", 422)
    source_key = f"device-return:{device_return.id}"
    entry = db.session.scalar(
        select(CleanupAction).where(
            CleanupAction.campaign_id == campaign.id, CleanupAction.source_key == source_key
        )
    )
    if entry is None:
        log_action(user, campaign, "return-device", 1, now, source_key=source_key, pending=True)
    elif entry.status == WITHDRAWN:
        rule = _rule_for(campaign, "return-device")
        participant = _lock_participant(campaign, user, now)
        already, _mine, _today, _existing = _history(participant.id, rule, entry.day, entry.id)
        _check_cap(rule, entry.quantity, already, entry.day, local_day(now))
        entry.status = PENDING
        touch_scores(campaign, participant.id, participant.last_logged_at)
    elif entry.status == REJECTED:
        message = _("An organiser did not count this return in “%(campaign)s”.", campaign=name)
        raise CleanupError(message, "rejected")
    else:
        message = _("This return already counts in “%(campaign)s”.", campaign=name)
        raise CleanupError(message, "already_counted")
    db.session.flush()
    if device_return.status != "declared":  # an agent has the device: it counts now
        count_received_device_return(device_return.id, now, campaign_id=campaign.id)
    return campaign


def uncount_received_device_return(return_id: int, now: datetime) -> int:
    """A receipt undone: what it made count waits for the device again (PENDING), as
    before the receipt, in the campaigns still running and not frozen; nothing is
    logged anew, so a receipt undone and made again scores once, and only where the
    declaration was counted. A rejected entry stays rejected. Returns how many wait."""
    campaigns, actions = _device_return_entries(
        return_id, now, CleanupAction.status.in_((ACCEPTED, FLAGGED))
    )
    for action in actions:
        action.status = PENDING
        touch_scores(campaigns[action.campaign_id], action.participant_id)
    return len(actions)


def take_back_device_return(return_id: int, user, now: datetime) -> int:
    """A withdrawn declaration no longer counts: its entries leave the running campaigns.

    Entries in a campaign that has ended stay, since its results are frozen (invariant
    1). Returns how many entries were deleted.
    """
    campaigns, actions = _device_return_entries(return_id, now)
    for action in actions:
        campaign = campaigns[action.campaign_id]
        participant = _lock_participant(campaign, user, now)
        db.session.delete(action)
        touch_scores(campaign, participant.id, participant.last_logged_at)
    return len(actions)


def review_figures(summary: str) -> str:
    """What a review's audit event keeps once its reason is erased: a refused correction's
    figures (`correction_refused_summary`), nothing of any other review."""
    match = _CORRECTION.fullmatch(summary)
    if match is None:
        return ""
    unit, refused, kept, _reason = match.groups()
    try:
        return correction_refused_summary(unit, float(refused), float(kept), "")
    except ValueError:  # an organiser's reason that looks like one
        return ""


def audited_entries(user):
    """The person's entries as the audit log names them, each since it was logged
    (`PersonalData.audited`): were a deleted entry's id given again (SQLite did before its
    tables took AUTOINCREMENT; a database restored from a dump may), the events about the
    one deleted belong to its own author."""
    mine = CleanupAction.participant_id.in_(
        select(CleanupParticipant.id).where(CleanupParticipant.user_id == user.id)
    )
    return "cleanup_action", select(cast(CleanupAction.id, String), CleanupAction.logged_at).where(
        mine
    )


# A detached participant row keeps no label of the person's (a closed board's name or
# pseudonym); one kept at a campaign's end becomes "hidden", one still running stays NULL.
_LABEL_FORGOTTEN = {
    "board_label": None,
    "board_shown_as": case(
        (CleanupParticipant.board_shown_as.is_(None), None),
        else_=LeaderboardVisibility.HIDDEN.value,
    ),
}


def erase_person(user, now: datetime) -> None:
    """Detach the person's actions: participant rows lose their user, totals stay identical.

    The text written about their entries goes, as retention does: the organiser's reasons
    (on the entries and in the audit log, whose events stay) and the flag reasons, but for
    entries still waiting for a review or a receipt, which an organiser still reads."""
    mine = CleanupAction.participant_id.in_(
        select(CleanupParticipant.id).where(CleanupParticipant.user_id == user.id)
    )
    erase_audit_texts(
        "cleanup_action", select(cast(CleanupAction.id, String)).where(mine), review_figures
    )
    db.session.execute(
        update(CleanupAction)
        .where(mine)
        .values(
            review_reason="",
            flag_reason=case(
                (CleanupAction.status.in_((FLAGGED, PENDING)), CleanupAction.flag_reason),
                else_="",
            ),
        )
        .execution_options(synchronize_session=False)
    )
    # Their campaigns' boards drop them from the individual ranks (queries.Board.erased):
    # the campaigns' scores_version moves, so every process refreshes its board, which
    # reads the detached rows again; their points stay in the team totals. The rows are
    # not stamped (`last_logged_at` stays as it was): a stamp would date the erasure on
    # rows meant to lead nowhere, the account's anonymisation moment to the millisecond.
    db.session.execute(
        update(CleanupCampaign)
        .where(
            CleanupCampaign.id.in_(
                select(CleanupParticipant.campaign_id).where(CleanupParticipant.user_id == user.id)
            )
        )
        .values(scores_version=uuid4().hex)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(CleanupParticipant)
        .where(CleanupParticipant.user_id == user.id)
        .values(user_id=None, **_LABEL_FORGOTTEN)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def months_before(moment: datetime, months: int) -> datetime:
    """The same instant `months` calendar months earlier (day clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def anonymise_old_actions(now: datetime, months: int) -> int:
    """Retention: `months` after a campaign ended, its actions no longer point to a person.

    Participant rows lose their user (as on erasure); the free text about each action goes,
    and so does the device return an entry was logged for (`source_key`); every action row,
    quantity, points, team and commune stays, so totals and the results stay exactly the
    same and can still be recomputed. Returns how many participants were detached."""
    cutoff = months_before(now, months)
    ended = select(CleanupCampaign.id).where(CleanupCampaign.ends_at <= cutoff)
    detached = db.session.execute(
        update(CleanupParticipant)
        .where(CleanupParticipant.campaign_id.in_(ended), CleanupParticipant.user_id.is_not(None))
        .values(user_id=None, **_LABEL_FORGOTTEN)
        .execution_options(synchronize_session=False)
    ).rowcount
    with_text = (
        CleanupAction.campaign_id.in_(ended),
        (CleanupAction.flag_reason != "")
        | (CleanupAction.review_reason != "")
        | CleanupAction.reviewed_by_id.is_not(None),
    )
    # The reviews' reasons copied into the audit log go too (only those not done yet), and
    # those about entries deleted since (the person's own or a withdrawn return's).
    erase_audit_texts(
        "cleanup_action", select(cast(CleanupAction.id, String)).where(*with_text), review_figures
    )
    erase_gone_audit_texts(
        "cleanup_action",
        select(cast(CleanupAction.id, String), CleanupAction.logged_at),
        cutoff,
        review_figures,
    )
    db.session.execute(
        update(CleanupAction)
        .where(*with_text)
        .values(flag_reason="", review_reason="", reviewed_by_id=None)
        .execution_options(synchronize_session=False)
    )
    # "device-return:<id>" names a return, which keeps its owner: the entry would lead
    # back to them. Once the campaign is over only the return's page reads it (its note
    # on that campaign, which goes as the person's entries do); receipts and withdrawals
    # change running campaigns only. NULLs never collide in the (campaign_id, source_key)
    # unique index, on SQLite as on PostgreSQL.
    db.session.execute(
        update(CleanupAction)
        .where(CleanupAction.campaign_id.in_(ended), CleanupAction.source_key.is_not(None))
        .values(source_key=None)
        .execution_options(synchronize_session=False)
    )
    if detached:  # cached boards still list them: their names go at once
        cache.bump(db.session, "people")
    db.session.flush()
    return detached


def apply_action_retention(now: datetime) -> dict[str, int]:
    """The clean-up retention step (`app.core.privacy.register_retention`), with what it
    did for `flask privacy retention` to print."""
    detached = anonymise_old_actions(now, current_app.config["ACTION_RETENTION_MONTHS"])
    return {"participant(s) detached from their person": detached}
