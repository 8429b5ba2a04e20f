"""What the clean-up domain offers other parts: listeners, message variables,
audiences, personal data and the dashboard panel. Registered in init_app.
"""

from datetime import UTC, datetime, timedelta

from babel import Locale
from babel.numbers import format_decimal as babel_decimal
from babel.numbers import format_percent as babel_percent
from flask import current_app, render_template, url_for
from flask_babel import LazyString, force_locale, get_translations, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from app.auth.models import User
from app.cleanup import queries, services
from app.cleanup.catalogue import BADGES, flag_reason_label, goal_share, quantity_label
from app.cleanup.countdown import days_to_end, ends_when, shown_end
from app.cleanup.models import (
    ACCEPTED,
    CLOSED,
    RUNNING,
    CleanupAction,
    CleanupCampaign,
    CleanupParticipant,
)
from app.core import cache
from app.core.dashboard import Panel, WorkItem
from app.core.i18n import (
    current_language,
    format_day,
    format_full_moment,
    format_number,
    integer_writer,
    long_date,
    regional_locale,
    sentence_moment,
)
from app.core.personalisation import (
    Audience,
    AudienceParam,
    Variable,
    WrittenNumber,
    only_in_notices,
    owner_variables,
)
from app.core.templating import line_breaks
from app.core.time import local_iso, local_zone, utcnow
from app.core.urls import database_id
from app.extensions import db

# The campaign an example describes (a preview for someone else shows examples, not their
# values): its moments are written by the functions that write every real one, so that an
# example reads as a real value would, to its last space.
EXAMPLE_START = datetime(2026, 3, 16, 8, tzinfo=UTC)  # 9 h in Paris
EXAMPLE_END = datetime(2026, 4, 6, 16, tzinfo=UTC)  # 18 h in Paris


def _example_moment(moment: datetime) -> str:
    return sentence_moment(moment, current_language(), local_zone())


def _ended_early_sentence(moment: str) -> str:
    return _("It ended earlier than planned, on %(date)s.", date=moment)


def _example_ends_when() -> str:
    """The end as a message sent five days before it says it: "in 5 days, on …"."""
    return ends_when(
        EXAMPLE_END, EXAMPLE_END - timedelta(days=5), current_language(), get_translations()
    )


VARIABLES = (
    Variable("points", _l("The recipient's points in the campaign"), "120"),
    Variable(
        "points_text",
        _l("The recipient's points, with the word: “1 point”, “120 points”"),
        _l("120 points"),
    ),
    Variable(
        "rank", _l("The recipient's rank in the campaign; “not ranked yet” before any points"), "42"
    ),
    Variable("badges", _l("The recipient's badges, comma-separated"), _l("First step, 10 GB club")),
    Variable("campaign_name", _l("The campaign's name"), _l("Digital Clean-up Days")),
    Variable(
        "campaign_starts",
        _l("When the campaign starts"),
        LazyString(lambda: _example_moment(EXAMPLE_START)),
    ),
    Variable(
        "starts_when",
        _l("The start, from the moment the message is sent: “starts on …” or “started on …”"),
        LazyString(lambda: _("starts on %(date)s", date=_example_moment(EXAMPLE_START))),
    ),
    Variable(
        "campaign_ends",
        _l("When the campaign ends"),
        LazyString(lambda: _example_moment(EXAMPLE_END)),
    ),
    Variable("days_left", _l("Days left before the end"), "5"),
    Variable("days_left_text", _l("Days left, with the word: “1 day”, “5 days”"), _l("5 days")),
    Variable(
        "ends_when",
        _l("When the campaign ends, from the day the message is sent: “today at 18:00”"),
        LazyString(_example_ends_when),
    ),
    Variable(
        "ended_early",
        _l(
            "For a campaign an organiser ended before its planned end: “It ended earlier "
            "than planned, on …”; empty otherwise"
        ),
        LazyString(lambda: _ended_early_sentence(_example_moment(EXAMPLE_END))),
    ),
    Variable("campaign_url", _l("Link to the campaign's page"), "https://…/cleanup/campaigns/3"),
    Variable(
        "results_url",
        _l("Link to the campaign's results, once it has ended"),
        "https://…/cleanup/campaigns/3/results",
    ),
    Variable("team_name", _l("The recipient's department"), _l("Digital and IT Department")),
    Variable(
        "team_points",
        _l("Their department's points; “not published” when too few people take part in it"),
        _l("12,400"),
    ),
    Variable(
        "team_points_text", _l("Their department's points, with the word"), _l("12,400 points")
    ),
    Variable(
        "team_rank",
        _l("Their department's rank; “not published” when too few people take part in it"),
        "3",
    ),
    Variable(
        "goal_progress",
        _l("Progress toward the first goal"),
        LazyString(
            lambda: goal_text(
                {"achieved": 12_000, "target": 50_000, "unit": "GB"}, current_language()
            )
        ),
    ),
    Variable("guides_url", _l("Link to the how-to guides"), "https://…/cleanup/guides"),
)

# Of one entry an organiser reviewed: the notice that tells its author (context `entry_id`).
ENTRY_VARIABLES = only_in_notices(
    _l("notices about a reviewed clean-up entry"),
    (
        Variable("entry_action", _l("The reviewed entry's action"), _l("E-mails deleted")),
        Variable("entry_quantity", _l("The reviewed entry's quantity, with its unit"), _l("15 GB")),
        Variable("entry_date", _l("When the reviewed entry was logged"), _l("16 March 2026")),
        Variable(
            "entry_points_text", _l("The reviewed entry's points, with the word"), _l("30 points")
        ),
        Variable(
            "review_reason",
            _l("The reason the organiser gave with the decision (empty if none)"),
            _l("Duplicate"),
        ),
        Variable(
            "entry_refused_quantity",
            _l(
                "The quantity a refused correction asked for, with its unit; empty for any "
                "other decision"
            ),
            _l("15 GB"),
        ),
        Variable(
            "organisers_contact",
            _l(
                "Whom to write to about the decision: the e-mail address of the organiser who "
                "created the campaign, else the portal's contact"
            ),
            _l("organiser@example.org"),
        ),
    ),
)

UNIT_WORDS = {
    "fr": {"GB": "Go", "items": "éléments", "devices": "appareils",
           "participants": "participants", "points": "points", "of": "sur"},
    "en": {"GB": "GB", "items": "items", "devices": "devices",
           "participants": "participants", "points": "points", "of": "of"},
}  # fmt: skip


def on_device_returned(
    sender, device_return=None, user=None, now=None, count_in=(), **_kwargs
) -> None:
    """Log a declared device return in the running campaigns the person takes part in or
    chose to count it in (`count_in`), waiting for its receipt (idempotent by return id)."""
    if device_return is None or user is None:
        return
    services.log_device_return(device_return, user, now or utcnow(), count_in)


def on_device_return_received(sender, device_return=None, now=None, **_kwargs) -> None:
    """An agent has the device: its return now counts in the running campaigns."""
    if device_return is None:
        return
    services.count_received_device_return(device_return.id, now or utcnow())


def on_device_receipt_undone(sender, return_id=None, now=None, **_kwargs) -> None:
    """A receipt undone: what it made count waits for the device again."""
    if return_id is None:
        return
    services.uncount_received_device_return(return_id, now or utcnow())


def on_device_return_withdrawn(sender, return_id=None, user=None, now=None, **_kwargs) -> None:
    """Take back the points a withdrawn declaration earned in the running campaigns."""
    if return_id is None or user is None:
        return
    services.take_back_device_return(return_id, user, now or utcnow())


# The counted units in the singular, where the language's plural rule asks for it
# (« 0 appareil », « 1 participant », "1 device"); GB and TB are symbols.
SINGULAR_UNIT_WORDS = {
    "fr": {"items": "élément", "devices": "appareil", "participants": "participant",
           "points": "point"},
    "en": {"items": "item", "devices": "device", "participants": "participant",
           "points": "point"},
}  # fmt: skip


def _amount(value: float, unit: str, locale: str) -> str:
    """A goal's figure in the goal's own unit and to a tenth, as the campaign page and
    home write it (`goal_list`: « 9 039,2 / 46 000 Go »): the messages said « 9 To sur
    46 To » of the same goal."""
    # Babel's pattern rounds as the page's `number` filter does (Python's round() of the
    # binary float would not: 0.35 to 0.3).
    written = babel_decimal(value, "#,##0.#", locale=regional_locale(locale))
    word = UNIT_WORDS[locale][unit]
    one = Locale.parse(locale).plural_form(round(value, 1)) == "one"
    if unit in SINGULAR_UNIT_WORDS[locale] and one:
        word = SINGULAR_UNIT_WORDS[locale][unit]
    return f"{written}\u00a0{word}"


def goal_text(goal: dict, locale: str) -> str:
    """e.g. '12 000 Go sur 50 000 Go (24 %)', '12,000 GB of 50,000 GB (24%)': the figures
    and unit the campaign page writes, the percent written the reader's way and rounded
    as the page's `percent` filter does (Babel), so that a message and the page never
    give the same goal two shares (a half up)."""
    share = goal_share(goal["achieved"], goal["target"])
    written = babel_percent(share, locale=regional_locale(locale))
    return (
        f"{_amount(goal['achieved'], goal['unit'], locale)} {UNIT_WORDS[locale]['of']} "
        f"{_amount(goal['target'], goal['unit'], locale)} ({written})"
    )


def _named_campaign(context: dict) -> CleanupCampaign | None:
    # A draft only for a template's preview (`"preview": True`): a message sent about one
    # is refused before it gets here, and would otherwise name a campaign nobody sees.
    try:
        return queries.get_campaign(
            int(context["campaign_id"]), include_drafts=context.get("preview") is True
        )
    except (TypeError, ValueError):
        return None


def campaign_variables(users, now: datetime, context: dict) -> dict[int, dict]:
    """Variables for a batch of users in a few queries per campaign, whatever the batch
    size: of the campaign the context names, else of each person's own campaign (in their
    scope). Someone with no campaign in their scope is given none of these variables."""
    if not users:
        return {}
    if context.get("campaign_id") is not None:
        campaign = _named_campaign(context)
        return _variables_in(campaign, users, now) if campaign else {}
    # A weekly digest names no campaign: one running for a department must not reach,
    # with its name and 0 points, people outside its scope.
    mine = queries.campaigns_by_department(now, {user.department_id for user in users})
    groups: dict[int, list] = {}
    for user in users:
        campaign = mine.get(user.department_id)
        if campaign is not None:
            groups.setdefault(campaign.id, []).append(user)
    campaigns = {campaign.id: campaign for campaign in mine.values()}
    result = {}
    for campaign_id, members in groups.items():
        result.update(_variables_in(campaigns[campaign_id], members, now))
    return result


# Up to this many recipients, their participations are read by their ids (one IN list).
FEW_READERS = 2_000


def _variables_in(campaign: CleanupCampaign, users, now: datetime) -> dict[int, dict]:
    """One campaign's variables for its recipients: what they share is worked out once."""
    # The campaign's participants as its results count them: a counted entry (one
    # flagged, rejected or a device not received makes nobody a participant).
    readers = [user.id for user in users]
    # A preview, a test or one window of a dispatch: these readers' participations only,
    # not the campaign's 15,000 and their badges (a second per editor page).
    few = readers if len(readers) <= FEW_READERS else None
    counted = queries.counted_participants(campaign.id, few)
    participants = dict(db.session.execute(counted).tuples().all())
    board = queries.get_board(campaign)
    points = board.points
    rank_of = queries.individual_ranks(campaign)  # erased people take no rank
    badges = queries.badges_for(campaign, participants.values())
    # A team too small to be shown on the boards is not told in messages either: in a
    # team of two, its points less one's own are the other person's.
    ranked = queries.rank_teams(
        queries.team_totals(campaign, "departments"), minimum=queries.min_team()
    )
    teams = {t["id"]: t for t in ranked}
    goals = queries.goal_progress(campaign)
    zone = local_zone()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    state = campaign.state(now)
    # Not started yet (a draft previewed, a message sent before the start): the countdown
    # as of the start, when the launch message goes, never « fin ; 0 jour. ».
    as_of = max(now, campaign.starts_at)
    days_left = 0
    if as_of < campaign.ends_at:
        # Calendar days in the portal's zone, as `ends_when` counts them in the same
        # message (rounded-up 24-hour periods said "2 days" beside "tomorrow" at 20:00);
        # its last day still counts as one.
        days_left = max(days_to_end(campaign.ends_at, as_of), 1)
    links = {"campaign_url": f"{base}/cleanup/campaigns/{campaign.id}"}
    if state == CLOSED:
        links["results_url"] = f"{base}/cleanup/campaigns/{campaign.id}/results"
    badge_names = {}
    # What is the same for everyone reading a language, worked out once per language
    # rather than once per recipient (a dispatch reaches 20,000 people).
    same_for_language = {}
    wording = {}
    unranked = {}
    unpublished = {}
    starts_when = {}
    ended_early = {}
    early_end_reason = campaign.early_end_reason if state == CLOSED else None
    for lang in ("fr", "en"):
        with force_locale(regional_locale(lang)):  # jobs have no request to pick one from
            badge_names[lang] = {key: str(label) for key, (label, _d) in BADGES.items()}
            wording[lang] = _Wording(lang, get_translations())
            # Someone with no points yet has no rank: "rang ." read as a mistake. Still
            # false in `{% if rank %}`, as the zero of `points` is.
            unranked[lang] = WrittenNumber(_("not ranked yet"), None)
            # A withheld team's figures are not 0 (its member's own points count in them):
            # printed, they say so; false, so that `{% if team_rank %}` leaves them out.
            unpublished[lang] = WrittenNumber(_("not published"), None)
            # Said from the moment of sending: a launch that goes out late (a weekend,
            # a demo seeded after the start) must not say the campaign "starts" then.
            start = sentence_moment(campaign.starts_at, lang, zone)
            # Ended by an organiser (who always gives a reason then), not at its date.
            ended_early[lang] = (
                _ended_early_sentence(sentence_moment(shown_end(campaign.ends_at), lang, zone))
                if state == CLOSED and early_end_reason is not None
                else ""
            )
            starts_when[lang] = (
                _("started on %(date)s", date=start)
                if now > campaign.starts_at
                else _("starts on %(date)s", date=start)
            )
        same_for_language[lang] = {
            "campaign_name": campaign.name(lang),
            "campaign_starts": sentence_moment(campaign.starts_at, lang, zone),
            "starts_when": starts_when[lang],
            "campaign_ends": sentence_moment(shown_end(campaign.ends_at), lang, zone),
            "ended_early": ended_early[lang],
            # Before the start, the days it will run are words only: plain text ("7",
            # true in `{% if days_left %}`) with no `value`, which messaging's calendar
            # check reads as the days left at that moment (`campaign_timing_mismatch`
            # takes a missing one for 0: no campaign runs yet, so a launch or a reminder
            # sent then is still flagged).
            "days_left": (
                wording[lang].integer(days_left)
                if state == RUNNING or not days_left
                else str(wording[lang].integer(days_left))
            ),
            "days_left_text": wording[lang].days(days_left),
            "ends_when": (
                ends_when(campaign.ends_at, as_of, lang, wording[lang].translations)
                if days_left
                else ""
            ),
            **links,
            "goal_progress": goal_text(goals[0], lang) if goals else "",
            "guides_url": f"{base}/cleanup/guides",
        }
    result = {}
    for user in users:
        locale = user.locale if user.locale in ("fr", "en") else "fr"
        pid = participants.get(user.id)
        mine = points.get(pid)
        team = teams.get(user.department_id)
        department = user.department
        words = wording[locale]
        my_points = int(mine or 0)
        result[user.id] = {
            **same_for_language[locale],
            "points": words.integer(my_points),
            "points_text": words.points(my_points),
            "rank": words.integer(rank_of(mine)) if mine is not None else unranked[locale],
            "badges": ", ".join(badge_names[locale][key] for key in badges.get(pid, [])),
            "team_name": department.name(locale) if department else "",
        }
        if team is None or team["withheld"]:
            # No figures published for the team: too small to be shown (or shown, it
            # would give a smaller team's), or on no board at all (no counted entry yet,
            # outside the campaign's scope, no department). No team line in the built-in
            # messages, whose `{% if team_name %}` now reads false; never « a 0 point ».
            result[user.id].update(
                team_name=_WithheldTeamName(result[user.id]["team_name"]),
                team_points=unpublished[locale],
                team_points_text=unpublished[locale],
                team_rank=unpublished[locale],
            )
        else:
            result[user.id].update(
                team_points=words.integer(team["points"]),
                team_points_text=words.points(team["points"]),
                team_rank=words.integer(team["rank"]),
            )
    return result


def entry_variables(users, now: datetime, context: dict) -> dict[int, dict]:
    """The reviewed entry of a notice, for its author only (nobody else is given it)."""
    entry_id = database_id(context.get("entry_id"))
    row = None
    if entry_id is not None:
        row = db.session.execute(
            select(CleanupAction, CleanupParticipant.user_id)
            .join(CleanupParticipant, CleanupParticipant.id == CleanupAction.participant_id)
            .where(CleanupAction.id == entry_id)
        ).first()
    if row is None:
        return {}
    entry, author_id = row
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    # The entry as the organiser decided it, not as it is now (corrected since, say).
    decided = context.get("decided") if isinstance(context.get("decided"), dict) else {}
    quantity = decided.get("quantity", entry.quantity)
    points = decided.get("points", entry.points)
    reason = decided.get("review_reason", entry.review_reason)
    # A refused correction of an accepted entry: what was asked (the entry keeps the rest).
    refused = decided.get("refused_quantity")
    refused = refused if isinstance(refused, int | float) else None
    # Where to object to a decision: the same for both languages, read once.
    campaign = db.session.get(CleanupCampaign, entry.campaign_id)
    contact = queries.organisers_contact(campaign) if campaign is not None else None

    def build(language: str) -> dict:
        return {
            "entry_action": entry.action_type.name(language),
            "entry_quantity": quantity_label(quantity, entry.action_type.unit),
            "entry_date": long_date(entry.logged_at.astimezone(local_zone()), language),
            "entry_points_text": _Wording(language, get_translations()).points(points),
            "review_reason": reason or "",
            "entry_refused_quantity": (
                quantity_label(refused, entry.action_type.unit) if refused is not None else ""
            ),
            "campaign_url": f"{base}/cleanup/campaigns/{entry.campaign_id}#my-progress",
            "organisers_contact": contact["text"] if contact else "",
        }

    return owner_variables(users, author_id, build)


class _Wording:
    """Numbers and counted words in one language, for many recipients: the catalogue is
    looked up once, not once per person (`force_locale` costs more than the lookup)."""

    def __init__(self, language: str, translations):
        self._write = integer_writer(language)
        self._translations = translations

    @property
    def translations(self):
        """The language's catalogue."""
        return self._translations

    def integer(self, value: int) -> WrittenNumber:
        return WrittenNumber(self._write(value), value)

    def points(self, count: int) -> str:
        """ "1 point", "0 point" in French, "1 234 points"."""
        text = self._translations.ungettext("%(num)s point", "%(num)s points", count)
        return text % {"num": self._write(count)}

    def days(self, count: int) -> str:
        text = self._translations.ungettext("%(num)s day", "%(num)s days", count)
        return text % {"num": self._write(count)}


class _WithheldTeamName(str):
    """The department of someone whose team's figures are withheld: its name as written,
    false in `{% if team_name %}`, the test by which a message tells the team's points."""

    def __bool__(self) -> bool:
        return False


def _campaign_param(params: dict) -> CleanupCampaign | None:
    campaign_id = database_id(params.get("campaign_id"))  # None too when out of range
    return db.session.get(CleanupCampaign, campaign_id) if campaign_id else None


def resolve_participants(now: datetime, params: dict):
    """The campaign's participants who can still be reached (active accounts), as the
    non-participants are: the two audiences add up to the campaign's scope."""
    campaign = _campaign_param(params)
    counted = queries.participant_user_ids(campaign.id if campaign else -1)
    return select(User.id).where(
        User.id.in_(counted), User.active.is_(True), User.anonymised_at.is_(None)
    )


def resolve_non_participants(now: datetime, params: dict):
    return queries.non_participant_user_ids(_campaign_param(params))


def resolve_scope(now: datetime, params: dict):
    return queries.in_scope_user_ids(_campaign_param(params))


def campaign_choices() -> list[tuple[str, str]]:
    """Every published campaign, the latest first, named in the reader's language with its
    days (two campaigns may share a name). Not a draft: it gives a message no name nor
    dates, so « La campagne commence. » reached its whole scope with nothing in it."""
    return _named_with_dates(
        CleanupCampaign.published_at.is_not(None),
        lambda **dated: _("%(name)s (%(start)s – %(end)s)", **dated),
    )


def _named_with_dates(which, label) -> list[tuple[str, str]]:
    """The campaigns `which` selects, newest first, each named by `label(name=, start=,
    end=)` (a gettext call, so that the words stay where extraction finds them)."""
    language = current_language()
    campaigns = db.session.scalars(
        select(CleanupCampaign)
        .where(which)
        .order_by(CleanupCampaign.starts_at.desc(), CleanupCampaign.id.desc())
    )
    return [
        (
            str(campaign.id),
            label(
                name=campaign.name(language),
                start=format_day(campaign.starts_at),
                end=format_day(shown_end(campaign.ends_at)),
            ),
        )
        for campaign in campaigns
    ]


def campaign_preview_choices() -> list[tuple[str, str]]:
    """For a template's preview only (organisers): the drafts, named as such, then the
    published campaigns, so a launch message is checked before its campaign is published."""
    drafts = _named_with_dates(
        CleanupCampaign.published_at.is_(None),
        lambda **dated: _("%(name)s (draft, %(start)s – %(end)s)", **dated),
    )
    return [*drafts, *campaign_choices()]


CAMPAIGN_PARAM = AudienceParam(
    "campaign_id",
    _l("Campaign (for the campaign audiences)"),
    campaign_choices,
    preview_choices=campaign_preview_choices,
)

AUDIENCES = (
    Audience(
        "campaign-scope",
        _l("Staff in the scope of a clean-up campaign"),
        resolve_scope,
        ("campaign_id",),
    ),
    Audience(
        "campaign-participants",
        _l("Participants of a clean-up campaign"),
        resolve_participants,
        ("campaign_id",),
    ),
    Audience(
        "campaign-non-participants",
        _l("Staff in scope who have not taken part in a clean-up campaign"),
        resolve_non_participants,
        ("campaign_id",),
    ),
)


def action_status_name(status: str, frozen: bool) -> str:
    """An entry's status as "My entries" and the data export say it: once the campaign's
    results are frozen, an entry still waiting no longer counts."""
    names = {
        "accepted": _("Counted"),
        "flagged": (
            _("Not reviewed before the end: does not count") if frozen else _("Waiting for review")
        ),
        "rejected": _("Rejected"),
        "pending": (
            _("Not received before the end: does not count")
            if frozen
            else _("Waiting for an agent to receive the device")
        ),
        "withdrawn": _("Withdrawn from the campaign by you: does not count"),
    }
    return names.get(status, status)


def _status_sentence(
    status: str, frozen: bool, has_reason: bool, correction_refused: bool, reviewed_as_is: bool
) -> tuple[str, str | None]:
    """An entry's status name, and the translated sentence that adds the organiser's
    reason to it (None: the name alone); its placeholders are `status` or `label`, and
    `reason` or `value`."""
    name = action_status_name(status, frozen)
    if not has_reason:
        return name, None
    if status == "rejected":
        return name, _("%(label)s: %(value)s")
    if status == "accepted" and correction_refused:
        return name, _("%(status)s. Your correction was not accepted: %(reason)s")
    if status == "accepted" and reviewed_as_is:
        return name, _("%(status)s. Reason: %(reason)s")
    return name, None


def action_status_text(
    status: str,
    frozen: bool,
    review_reason: str | None,
    correction_refused: bool,
    reviewed_as_is: bool = False,
) -> str:
    """An entry's status with the organiser's decision as the data export writes it: a
    rejection with its reason, a refused correction with why, an acceptance with the
    reason typed with it (`reviewed_as_is`: not corrected since, else the reason was
    about another quantity)."""
    name, sentence = _status_sentence(
        status, frozen, bool(review_reason), correction_refused, reviewed_as_is
    )
    if sentence is None:
        return name
    return sentence % {
        "label": name,
        "status": name,
        "value": review_reason,
        "reason": review_reason,
    }


# What a reason in the other language says of itself, in the page's words, as the inbox
# says it of a message (messaging/_names.html, `written_in`).
_WRITTEN_IN = {"fr": _l("(in French)"), "en": _l("(in English)")}


def reason_in_its_language(reason: str | None, language: str | None) -> Markup:
    """An organiser's reason for a page, its line breaks kept, marked with the language
    it was written in when the page is in another (RGAA 8.7): a French reason on an
    English page is read out in French, not spelt out in an English voice. It says so in
    words too, "(in French)", for a sighted reader (`lang` tells only a screen reader)."""
    text = line_breaks(reason)
    if text and language and language != current_language():
        marked = Markup('<span lang="{}">{}</span>').format(language, text)
        if language in _WRITTEN_IN:
            marked += Markup(' <span class="hint">{}</span>').format(_WRITTEN_IN[language])
        return marked
    return text


def action_status_html(
    status: str,
    frozen: bool,
    review_reason: str | None,
    correction_refused: bool,
    reviewed_as_is: bool = False,
    reason_language: str | None = None,
) -> Markup:
    """action_status_text as "My entries" shows it: the same words, the reason marked
    with its language (reason_in_its_language)."""
    name, sentence = _status_sentence(
        status, frozen, bool(review_reason), correction_refused, reviewed_as_is
    )
    if sentence is None:
        return escape(name)
    reason = reason_in_its_language(review_reason, reason_language)
    return escape(sentence) % {"label": name, "status": name, "value": reason, "reason": reason}


def reviewed_as_is(action: CleanupAction) -> bool:
    """Decided by an organiser and not corrected by its author since (as `my_actions`)."""
    return action.reviewed_at is not None and (
        action.corrected_at is None or action.corrected_at <= action.reviewed_at
    )


def export_actions(user) -> list[dict]:
    """The person's logged actions for the data export: each stored key with its name in
    the language in force (the export forces the person's), the quantity with its unit."""
    language = current_language()
    types = queries.action_type_labels()
    rows = db.session.execute(
        select(
            CleanupAction,
            CleanupCampaign.id,
            CleanupCampaign.name_fr,
            CleanupCampaign.name_en,
            CleanupCampaign.frozen_at,
        )
        .join(CleanupParticipant, CleanupParticipant.id == CleanupAction.participant_id)
        .join(CleanupCampaign, CleanupCampaign.id == CleanupAction.campaign_id)
        .where(CleanupParticipant.user_id == user.id)
        .order_by(CleanupAction.logged_at)
    ).all()
    exported = []
    for action, campaign_id, name_fr, name_en, frozen_at in rows:
        kind = types[action.action_type_id]
        frozen = frozen_at is not None
        # A refused correction clears `corrected_from` and keeps `corrected_at`.
        refused = action.corrected_at is not None and action.corrected_from is None
        before = action.corrected_from
        exported.append(
            {
                "campaign": campaign_id,
                "campaign_name": name_en if language == "en" else name_fr,
                "action_type": kind.key,
                "action_type_name": kind.name(language),
                "quantity": action.quantity,
                "unit": kind.unit,
                "quantity_text": quantity_label(action.quantity, kind.unit),
                # What counts in the score, as "My entries" shows it, apart from what
                # the entry was logged for: a rejected entry claimed points, counts none.
                "points_counted": action.points if action.status == ACCEPTED else 0,
                "points_claimed": action.points,
                "logged_at": local_iso(action.logged_at),
                "status": action.status,
                "status_name": action_status_name(action.status, frozen),
                "review_reason": action.review_reason,
                # The language the organiser wrote it in ("fr", "en"; None without a reason).
                "review_reason_lang": action.review_reason_lang,
                # What "My entries" shows in its status column: the decision and its reason.
                "status_text": action_status_text(
                    action.status, frozen, action.review_reason, refused, reviewed_as_is(action)
                ),
                "reviewed_at": local_iso(action.reviewed_at),
                # Why it was set aside for review: the stored key, and in the person's words.
                "flag_reason": action.flag_reason,
                "flag_reason_text": flag_reason_label(action.flag_reason),
                # The person's last correction: what the entry said before it (None once an
                # organiser refused it: the entry went back to that quantity).
                "corrected_at": local_iso(action.corrected_at),
                "correction_refused": refused,
                "corrected_from": before,
                "corrected_from_text": (
                    None if before is None else quantity_label(before, kind.unit)
                ),
                "corrected_from_status": action.corrected_from_status,
                # The status it had then, not what a frozen campaign makes of it now.
                "corrected_from_status_name": (
                    None
                    if action.corrected_from_status is None
                    else action_status_name(action.corrected_from_status, False)
                ),
            }
        )
    return exported


def export_badges(user) -> list[dict]:
    """The person's badges per campaign: the keys, and their names in the language in force."""
    language = current_language()
    labels = queries.badge_labels()
    rows = db.session.execute(
        select(CleanupParticipant.id, CleanupCampaign)
        .join(CleanupCampaign, CleanupCampaign.id == CleanupParticipant.campaign_id)
        .where(CleanupParticipant.user_id == user.id)
    ).all()
    exported = []
    for pid, campaign in rows:
        badges = queries.badges_for(campaign, [pid]).get(pid, [])
        exported.append(
            {
                "campaign": campaign.id,
                "campaign_name": campaign.name(language),
                "badges": badges,
                "badge_names": [labels.get(key, key) for key in badges],
            }
        )
    return exported


def erase_badges(user, now: datetime) -> None:
    """Badges are derived from actions: erasing the actions' link is enough."""


def entry_author(object_id: str):
    """Who logged the entry an audit event names (`register_audit_subject`): nobody once
    they are erased or the entry anonymised."""
    return (
        select(CleanupParticipant.user_id)
        .join(CleanupAction, CleanupAction.participant_id == CleanupParticipant.id)
        .where(CleanupAction.id == database_id(object_id))
    )


def campaigns_created(user) -> list[dict]:
    """The campaigns the person created as an organiser, for their export's `staff_records`."""
    language = current_language()
    campaigns = db.session.scalars(
        select(CleanupCampaign)
        .where(CleanupCampaign.created_by_id == user.id)
        .order_by(CleanupCampaign.created_at, CleanupCampaign.id)
    )
    return [
        {
            "campaign": campaign.id,
            "campaign_name": campaign.name(language),
            "created_at": local_iso(campaign.created_at),
        }
        for campaign in campaigns
    ]


def entries_reviewed(user) -> list[dict]:
    """The entries the person reviewed as an organiser, for their export's `staff_records`:
    which entry (its id, as the audit log names it), in which campaign, when, and the
    status it has; nothing of its author nor of what they logged."""
    language = current_language()
    rows = db.session.execute(
        select(CleanupAction.id, CleanupAction.reviewed_at, CleanupAction.status, CleanupCampaign)
        .join(CleanupCampaign, CleanupCampaign.id == CleanupAction.campaign_id)
        .where(CleanupAction.reviewed_by_id == user.id)
        .order_by(CleanupAction.reviewed_at, CleanupAction.id)
    ).all()
    return [
        {
            "entry": entry_id,
            "campaign": campaign.id,
            "campaign_name": campaign.name(language),
            "reviewed_at": local_iso(reviewed_at),
            "status": status,
            "status_name": action_status_name(status, campaign.frozen_at is not None),
        }
        for entry_id, reviewed_at, status, campaign in rows
    ]


def _panel_goals(campaign):
    """The collective goals of the home panel: the same for everyone until a score or a
    goal changes, as on the campaign page."""
    goals = queries.goals_key(campaign)
    return cache.fragment(
        "cleanup.panel_goals",
        (campaign.id, campaign.scores_version, goals, current_language()),
        (),
        lambda: render_template("cleanup/_panel_goals.html", goals=queries.goal_progress(campaign)),
    )


def _entries_to_review(campaign, count: int, language: str, now) -> str:
    """The "To do" line of a campaign's entries to review; in its last days, until when
    they can be decided (left undecided at the end, they do not count)."""
    name = campaign.name(language)
    if not services.review_deadline_near(campaign, now):
        return ngettext(
            "%(count)s entry to review in “%(campaign)s”",
            "%(count)s entries to review in “%(campaign)s”",
            count,
            count=format_number(count),
            campaign=name,
        )
    return ngettext(
        "%(count)s entry to review in “%(campaign)s”, until %(end)s",
        "%(count)s entries to review in “%(campaign)s”, until %(end)s",
        count,
        count=format_number(count),
        campaign=name,
        end=format_full_moment(shown_end(campaign.ends_at)),
    )


def waiting_work(user) -> list[WorkItem]:
    """For organisers: the entries waiting for their review (not their own), campaign by
    campaign, and the drafts."""
    if not user.has_role("organiser"):
        return []
    language, now = current_language(), utcnow()
    items = [
        WorkItem(
            _entries_to_review(campaign, count, language, now),
            url_for("cleanup.review", campaign_id=campaign.id),
        )
        # Not one's own entries: the review page offers no decision on them.
        for campaign, count in queries.campaigns_with_entries_to_review(
            services.decidable_by(user.id)
        )
    ]
    drafts = queries.draft_campaign_count()
    if drafts:
        items.append(
            WorkItem(
                ngettext(
                    "%(count)s draft campaign, not yet published",
                    "%(count)s draft campaigns, not yet published",
                    drafts,
                    count=format_number(drafts),
                ),
                url_for("cleanup.index"),
            )
        )
    return items


def dashboard_panel(user) -> Panel | None:
    """Every running campaign in the user's scope, the soonest end first: days left, their
    points and rank (or a call to take part); the goals when only one runs, the home
    page staying light."""
    now = utcnow()
    campaigns = queries.running_campaigns(now, user)
    if not campaigns:
        return None
    language, translations = current_language(), get_translations()
    return Panel(
        title=_("Digital Clean-up"),
        template="cleanup/_panel.html",
        context={
            "campaigns": [
                {
                    "campaign": campaign,
                    "ends_when": ends_when(campaign.ends_at, now, language, translations),
                    "standing": queries.my_standing(campaign, user),
                    # The department's rank and participation, from the cached board.
                    "team": queries.team_standing(campaign, user.department_id),
                }
                for campaign in campaigns
            ],
            "goals": _panel_goals(campaigns[0]) if len(campaigns) == 1 else None,
        },
        order=20,
    )
