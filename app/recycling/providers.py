"""What the recycling domain offers the core registries: panel, message variables, personal data."""

from collections.abc import Sequence
from datetime import datetime

from babel.dates import get_day_names, get_month_names
from flask import current_app, url_for
from flask_babel import LazyString, force_locale, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.dashboard import Panel, WorkItem
from app.core.devices import DEVICE_TYPES
from app.core.i18n import current_language, format_number, long_date, regional_locale
from app.core.models import Commune, Department
from app.core.personalisation import Variable, only_in_notices, owner_variables
from app.core.time import local_zone, utcnow
from app.core.urls import database_id
from app.extensions import db
from app.recycling import hours, queries
from app.recycling.forms import outcome_label, wipe_method_choices
from app.recycling.models import (
    CORRECTION,
    NOT_BROUGHT,
    RECEIPT_UNDONE,
    CollectionPoint,
    CustodyStep,
    DeviceReturn,
)

# The hours the example of `nearest_collection_point_hours` describes: a town hall's week,
# put into words by the function that writes every real point's (`_hours_in_a_line`), so
# that a preview for someone else reads as a real value would, to its last line.
EXAMPLE_HOURS = "Mo-Fr 08:30-12:00,13:30-17:00; PH off"

VARIABLES = (
    Variable(
        "nearest_collection_point",
        _l("Name and address of the open collection point nearest to the recipient's work commune"),
        "Mairie de Pessac – Place de la Ve République, 33600 Pessac",
    ),
    Variable(
        "nearest_collection_point_hours",
        _l("Opening hours of that point, in words, in the recipient's language"),
        LazyString(lambda: _hours_in_a_line(EXAMPLE_HOURS, current_language())),
    ),
)


# Of one return an agent moved along its chain of custody: the notice to its owner
# (context `return_id` and `step`).
CUSTODY_VARIABLES = only_in_notices(
    _l("notices about a returned device"),
    (
        Variable(
            "custody_news",
            _l(
                "What an agent recorded about the recipient's returned device, a reminder to "
                "bring it, or the temporary closure of its collection point, in a few sentences"
            ),
            _l(
                "Laptop (receipt RC-7K3M-9QXD): an agent confirmed its receipt at Mairie de Pessac "
                "on 3 December 2026."
            ),
        ),
        Variable(
            "custody_subject",
            _l("The step an agent recorded, with the device and its receipt, as a subject"),
            _l("Your laptop (RC-7K3M-9QXD): received at the collection point"),
        ),
        Variable("receipt_number", _l("The returned device's receipt number"), "RC-7K3M-9QXD"),
        Variable(
            "receipt_url",
            _l("Link to the receipt and its chain of custody"),
            "https://…/recycling/returns/RC-7K3M-9QXD",
        ),
    ),
)


def _hours_in_sentence(expression: str, locale: str) -> str:
    """A point's hours inside a sentence, after « Horaires : »: they are written to stand
    alone (« Du lundi au vendredi : … ; Samedi : … »); mid-sentence, day names and "public
    holidays" are lower-case where the language writes them so (`_hours_in_a_line`)."""
    return _hours_in_a_line(expression, locale, from_the_first=True)


# A corrected value named mid-sentence (« l'agent a corrigé le numéro de bordereau »).
_CORRECTED_IN_A_SENTENCE = {
    "certificate_number": _l("wipe certificate number"),
    "handover_slip": _l("hand-over slip number"),
    "recipient": _l("name of the organisation that received it"),
}


def _custody_news(device_return: DeviceReturn, step: CustodyStep, locale: str) -> str:
    """The step in a sentence, in the reader's language (a locale is forced around it)."""
    kind = DEVICE_TYPES.get(device_return.device_type)
    names = {
        "device": str(kind.label) if kind else device_return.device_type,
        "receipt": device_return.receipt_number,
        "date": long_date(step.at.astimezone(local_zone()), locale),
    }
    if step.step == "declared":  # no agent has received it yet: a reminder
        point = device_return.point
        # Worded around "the device", never agreeing with its name: « Tablette » and
        # « Imprimante » are feminine, « Ordinateur portable » masculine.
        return _(
            "The device (%(device)s, receipt %(receipt)s) you declared on %(date)s for "
            "%(point)s (%(address)s) has not been received by an agent yet. Opening hours: "
            "%(hours)s. If you are keeping this device after all, withdraw the declaration "
            "from your receipt.",
            point=point.name,
            address=point.address,
            hours=_hours_in_sentence(point.opening_hours, locale),
            **names,
        )
    if step.step == NOT_BROUGHT and step.by_the_portal:
        # The daily job closed it (services.close_unbrought_returns), no agent.
        point = device_return.point
        return ngettext(
            "The device (%(device)s, receipt %(receipt)s) you declared for %(point)s "
            "(%(address)s) never came: the portal closed the declaration automatically on "
            "%(date)s, %(num)s day after it was made, and nobody expects the device there any "
            "more. To hand it in later, declare it again.",
            "The device (%(device)s, receipt %(receipt)s) you declared for %(point)s "
            "(%(address)s) never came: the portal closed the declaration automatically on "
            "%(date)s, %(num)s days after it was made, and nobody expects the device there "
            "any more. To hand it in later, declare it again.",
            device_return.closed_by_the_portal_after or 0,
            point=point.name,
            address=point.address,
            **names,
        )
    if step.step == NOT_BROUGHT:
        point = device_return.point
        return _(
            "The device (%(device)s, receipt %(receipt)s) you declared for %(point)s "
            "(%(address)s) never came: an agent of the point closed the declaration on "
            "%(date)s, and nobody expects the device there any more. To hand it in later, "
            "declare it again.",
            point=point.name,
            address=point.address,
            **names,
        )
    if step.step == RECEIPT_UNDONE and device_return.walked_in:
        # Nobody declared it: a record made by mistake, withdrawn, not waiting
        # (services.undone_status); the device is still at the desk.
        return _(
            "An agent cancelled the record of your %(device_name)s, brought to %(point)s "
            "without a declaration, as made by mistake: %(reason)s. This record is "
            "withdrawn (receipt %(receipt)s) and counts in no campaign. The device stays at "
            "the collection point: there is nothing for you to do, an agent records it "
            "again if needed.",
            device_name=names["device"].lower(),
            point=device_return.point.name,
            reason=_reason_in_words(step, locale),
            **names,
        )
    if step.step == RECEIPT_UNDONE:
        # The device's name mid-sentence, a common word: « votre tablette », "your laptop".
        # The agent's reason in their own words, whatever it is (not always a mistake:
        # « Mauvais appareil »), said to be in another language when it is.
        return _(
            "An agent undid the receipt of your %(device_name)s at %(point)s: %(reason)s. "
            "Your declaration is waiting again (receipt %(receipt)s).",
            device_name=names["device"].lower(),
            point=device_return.point.name,
            reason=_reason_in_words(step, locale),
            **names,
        )
    if step.step == CORRECTION:
        # The value as corrected, and the earlier one, in the notice's words: the reason
        # stays on the receipt, where it is erased with the owner's data.
        return _(
            "%(device)s (receipt %(receipt)s): an agent corrected the %(field)s recorded in "
            "its chain of custody on %(date)s: “%(old)s” became “%(new)s”.",
            field=str(_CORRECTED_IN_A_SENTENCE.get(step.corrected_field, "")),
            old=step.old_value, new=step.new_value, **names,
        )  # fmt: skip
    if step.step == "received" and device_return.walked_in:
        # Its owner declared nothing: named by the agent who recorded it at the desk.
        return _(
            "%(device)s (receipt %(receipt)s): the device was brought to %(point)s without "
            "a declaration; an agent recorded it as received there on %(date)s, as yours.",
            point=device_return.point.name,
            **names,
        )
    if step.step == "received":
        return _(
            "%(device)s (receipt %(receipt)s): an agent confirmed its receipt at %(point)s "
            "on %(date)s.",
            point=device_return.point.name,
            **names,
        )
    if step.step == "wiped":
        methods = dict(wipe_method_choices())
        # The method's label stands alone in the agent's list; after « Méthode : » it is
        # mid-sentence: its first letter lower-case.
        method = str(methods.get(step.wipe_method, step.wipe_method))
        return _(
            "%(device)s (receipt %(receipt)s): its data was wiped on %(wiped)s, certificate "
            "%(certificate)s. Method: %(method)s.",
            wiped=long_date(step.wipe_date, locale),
            method=method[:1].lower() + method[1:],
            certificate=step.certificate_number,
            **names,
        )
    # A common word inside the sentence: « l'appareil a été recyclé ».
    outcome = (outcome_label(step.step) or step.step).lower()
    if step.recipient and step.handover_slip:  # handed over outside the administration
        return _(
            "%(device)s (receipt %(receipt)s): the device was %(outcome)s, handed over to "
            "%(organisation)s (slip no. %(slip)s). Thank you for bringing it back.",
            outcome=outcome, organisation=step.recipient, slip=step.handover_slip, **names,
        )  # fmt: skip
    if step.recipient:
        return _(
            "%(device)s (receipt %(receipt)s): the device was %(outcome)s, handed over to "
            "%(organisation)s. Thank you for bringing it back.",
            outcome=outcome, organisation=step.recipient, **names,
        )  # fmt: skip
    return _(
        "%(device)s (receipt %(receipt)s): the device was %(outcome)s. Thank you for bringing "
        "it back.",
        outcome=outcome,
        **names,
    )


# What a reason in another language says of itself, as an organiser's does in a notice
# (`messaging.rendering.foreign_reason`).
_WRITTEN_IN = {"fr": _l("(in French)"), "en": _l("(in English)")}


def _undo_reason(step: CustodyStep) -> str:
    """An undone receipt's reason as its notice quotes it: its end's full stop left to
    the sentence around it."""
    return step.note.strip().rstrip(".") if step.note else ""


def _reason_in_words(step: CustodyStep, locale: str) -> str:
    """An undone receipt's reason (`_undo_reason`), followed by « (in French) » when
    written in another language than `locale`; erased with the owner's data, said so."""
    reason = _undo_reason(step)
    if not reason:
        return _("text erased with the person's data")
    if step.note_lang in _WRITTEN_IN and step.note_lang != locale[:2]:
        return f"{reason} {_WRITTEN_IN[step.note_lang]}"
    return reason


def undo_reason_passage(context: dict) -> tuple[str, str] | None:
    """The agent's reason a notice of an undone receipt quotes, and the language it was
    written in: its HTML copies mark it with that `lang` (messaging's
    `register_foreign_passages`), as the plain text notes it (`_reason_in_words`)."""
    if context.get("step") != RECEIPT_UNDONE:
        return None
    return_id = database_id(context.get("return_id"))
    device_return = db.session.get(DeviceReturn, return_id) if return_id is not None else None
    steps = [s for s in device_return.steps if s.step == RECEIPT_UNDONE] if device_return else []
    # The last, as the notice's variables give it (`custody_variables`).
    return (_undo_reason(steps[-1]), steps[-1].note_lang) if steps else None


def _custody_subject(device_return: DeviceReturn, step: CustodyStep) -> str | None:
    """The step, the device and its receipt, as the notice's subject: an owner told of a
    receipt, a wipe and an outcome the same minute tells them apart without opening them.
    Worded around « appareil » in French, which agrees whatever the device's name."""
    kind = DEVICE_TYPES.get(device_return.device_type)
    label = str(kind.label) if kind else device_return.device_type
    # A common word after "Your", without its examples: "Your accessory", not "Your
    # accessory (keyboard, mouse, headset…)".
    label = label.split(" (", 1)[0]
    names = {"device_name": label[:1].lower() + label[1:], "receipt": device_return.receipt_number}
    if step.step == "received":
        return _("Your %(device_name)s (%(receipt)s): received at the collection point", **names)
    if step.step == "wiped":
        return _(
            "Your %(device_name)s (%(receipt)s): data wiped (certificate %(certificate)s)",
            certificate=step.certificate_number,
            **names,
        )
    if step.step == RECEIPT_UNDONE and device_return.walked_in:
        # As its body says: a record made by mistake, cancelled; the device is still there.
        return _(
            "Your %(device_name)s (%(receipt)s): record made by mistake cancelled, the device "
            "stays at the collection point",
            **names,
        )
    if step.step == RECEIPT_UNDONE:
        return _("Your %(device_name)s (%(receipt)s): receipt undone", **names)
    if step.step == CORRECTION:
        return _("Your %(device_name)s (%(receipt)s): a recorded value corrected", **names)
    if step.step == NOT_BROUGHT:
        return _(
            "Your %(device_name)s (%(receipt)s): declaration closed, the device never came",
            **names,
        )
    if outcome := outcome_label(step.step):
        return _("Your %(device_name)s (%(receipt)s): %(outcome)s", outcome=outcome.lower(),
                 **names)  # fmt: skip
    return None  # declared: the reminder has a subject of its own


def custody_variables(users: Sequence, now: datetime, context: dict) -> dict[int, dict]:
    """The step of a notice, or the closure of a point, for the return's owner only
    (nobody else is given it)."""
    if "closed_point_id" in context:
        return _closure_variables(users, context)
    return_id = database_id(context.get("return_id"))
    device_return = db.session.get(DeviceReturn, return_id) if return_id is not None else None
    if device_return is None:
        return {}
    steps = [s for s in device_return.steps if s.step == context.get("step")]
    if not steps:
        return {}
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")

    def build(language: str) -> dict:
        return {
            "custody_news": _custody_news(device_return, steps[-1], language),
            "custody_subject": _custody_subject(device_return, steps[-1]) or "",
            "receipt_number": device_return.receipt_number,
            "receipt_url": f"{base}/recycling/returns/{device_return.receipt_number}",
        }

    return owner_variables(users, device_return.user_id, build)


# The declarations a closure's notice names one by one; beyond them it says how many more
# (its link then leads to all the person's returns).
CLOSURE_NOTICE_RETURNS = 10


def _closure_variables(users: Sequence, context: dict) -> dict[int, dict]:
    """A point closed temporarily (context `closed_point_id`, `return_ids`, `closure_note`),
    for the owner of those returns: their devices expected there, each with the nearest
    other open point that takes it, and what they can do."""
    point_id = database_id(context.get("closed_point_id"))
    point = db.session.get(CollectionPoint, point_id) if point_id is not None else None
    ids = [i for i in map(database_id, context.get("return_ids") or ()) if i is not None]
    if point is None or not ids:
        return {}
    returns = db.session.scalars(
        select(DeviceReturn)
        .where(DeviceReturn.id.in_(ids), DeviceReturn.point_id == point.id)
        .order_by(DeviceReturn.declared_at, DeviceReturn.id)
    ).all()
    owners = {r.user_id for r in returns}
    if len(owners) != 1:
        return {}  # one person's notice: returns of several (a forged context) name nobody's
    # The same nearest point as the return form proposes to the closed point's QR code.
    open_points = queries.list_points()
    nearest = {
        device_type: queries.nearest_open_point(point, device_type, open_points)
        for device_type in {r.device_type for r in returns}
    }
    note = str(context.get("closure_note") or "").strip()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")

    def build(language: str) -> dict:
        closed = (
            _("The collection point “%(point)s” (%(address)s) is temporarily closed: %(note)s",
              point=point.name, address=point.address, note=note)
            if note
            else _("The collection point “%(point)s” (%(address)s) is temporarily closed.",
                   point=point.name, address=point.address)
        )  # fmt: skip
        count = len(returns)
        devices = [
            ngettext(
                "You declared a device there that no agent has received yet:",
                "You declared %(num)s devices there that no agent has received yet:",
                count,  # a few devices: written alike in both languages
            )
        ]
        devices += [
            f"– {_closure_line(r, nearest[r.device_type])}"
            for r in returns[:CLOSURE_NOTICE_RETURNS]
        ]
        if (more := count - CLOSURE_NOTICE_RETURNS) > 0:
            devices.append(
                "– " + ngettext("and %(num)s other device.", "and %(num)s other devices.", more)
            )  # fmt: skip
        advice = ngettext(
            "To bring it to another open collection point, withdraw the declaration from "
            "your receipt, then declare the device at that point. If you are keeping the "
            "device after all, simply withdraw the declaration. Otherwise it stays expected "
            "at this point until it reopens.",
            "To bring one to another open collection point, withdraw its declaration from "
            "its receipt, then declare the device at that point. If you are keeping a "
            "device after all, simply withdraw its declaration. Otherwise they stay expected "
            "at this point until it reopens.",
            count,
        )
        values = {"custody_news": "\n\n".join((closed, "\n".join(devices), advice))}
        if count == 1:  # the notice then links to its receipt
            values["receipt_number"] = returns[0].receipt_number
            values["receipt_url"] = f"{base}/recycling/returns/{returns[0].receipt_number}"
        else:
            values["custody_news"] += "\n\n" + _(
                "Your returns and their receipts: %(url)s", url=f"{base}/recycling/my-returns"
            )
        return values

    return owner_variables(users, owners.pop(), build)


def _closure_line(device_return: DeviceReturn, nearest: CollectionPoint | None) -> str:
    """One device expected at a closed point, and where else it could go, in a sentence."""
    kind = DEVICE_TYPES.get(device_return.device_type)
    names = {
        "device": str(kind.label) if kind else device_return.device_type,
        "receipt": device_return.receipt_number,
    }
    if nearest is None:
        return _(
            "%(device)s (receipt %(receipt)s): no other open collection point accepts it for now.",
            **names,
        )
    return _(
        "%(device)s (receipt %(receipt)s): the nearest open collection point that accepts "
        "it is “%(point)s” (%(address)s).",
        point=nearest.name,
        address=nearest.address,
        **names,
    )


def waiting_work(user) -> list[WorkItem]:
    """For agents: the returns still to handle where they act, as the desk lists them
    (every point for admins), their own left to another agent; an agent assigned to no
    point is told so and whom to ask."""
    if not user.has_role("agent"):
        return []
    desk = url_for("recycling.agent_desk")
    point_ids = queries.agent_point_ids(user)
    if point_ids == []:  # an agent of no point: nothing can ever wait for them
        return [
            WorkItem(
                _("You are assigned to no collection point: ask an administrator to add you."),
                desk,
            )
        ]
    count = queries.returns_to_handle_count(point_ids, user.id)
    if not count:
        return []
    if point_ids is None:  # admins handle the returns of every point
        text = ngettext(
            "%(count)s return to handle across all collection points",
            "%(count)s returns to handle across all collection points",
            count,
            count=format_number(count),
        )
    else:
        text = ngettext(
            "%(count)s return to handle at your collection points",
            "%(count)s returns to handle at your collection points",
            count,
            count=format_number(count),
        )
    return [WorkItem(text, desk)]


def panel(user) -> Panel | None:
    """Dashboard: the nearest point, whether it is open now, and my last return."""
    now = utcnow()
    point = queries.nearest_point(user)
    last = queries.list_my_returns(user, limit=1)
    context = {"point": point, "last": last[0] if last else None}
    if point:
        context["open_now"] = hours.is_open(point.opening_hours, now)
        # The page's language (preference, session or browser), not only the stored preference.
        context["status"] = hours.status_text(point.opening_hours, now, current_language())
    else:  # no point near them, or no commune to be near: say which, truthfully
        context["no_commune"] = queries.origin_for(user) is None
    return Panel(title=str(_l("Recycling")), template="recycling/_panel.html",
                 context=context, order=30)  # fmt: skip


def _hours_in_a_line(expression: str, language: str, from_the_first: bool = False) -> str:
    """A point's hours in one line, for messages: each line after the first (and the
    first too, `from_the_first`, after a colon) goes on the sentence, its first word
    lower-case unless the language writes it with a capital (English day and month
    names), where the lines standing alone begin with one ("…; Public holidays: closed"
    read wrongly inside an English sentence)."""
    locale = regional_locale(language)
    names = [*get_day_names("wide", locale=locale).values()]
    names += get_month_names("wide", locale=locale).values()
    capitalised = {str(name) for name in names if str(name)[:1].isupper()}
    lines = []
    with force_locale(locale):
        for days, text in hours.describe(expression, language):
            if (lines or from_the_first) and days.split(" ", 1)[0] not in capitalised:
                days = days[:1].lower() + days[1:]
            lines.append(_("%(days)s: %(hours)s", days=days, hours=text))
        return pgettext("between two lines of opening hours", "; ").join(lines)


def message_variables(users: Sequence, now: datetime, context: dict) -> dict[int, dict]:
    """Batch: the nearest active point per recipient, in three queries for any number of users."""
    points = queries.list_points()
    if not points:
        return {}
    department_ids = {u.department_id for u in users if u.department_id and not u.commune_id}
    department_commune = dict(
        db.session.execute(
            select(Department.id, Department.commune_id).where(Department.id.in_(department_ids))
        ).all()
    ) if department_ids else {}  # fmt: skip
    centres = {
        c.id: (c.latitude, c.longitude) for c in {p.commune for p in points}
    }  # communes with a point
    commune_ids = {u.commune_id or department_commune.get(u.department_id) for u in users} - {None}
    missing = commune_ids - set(centres)
    if missing:
        for commune in db.session.scalars(select(Commune).where(Commune.id.in_(missing))):
            centres[commune.id] = (commune.latitude, commune.longitude)
    nearest_by_commune = {
        cid: queries.sort_by_distance(points, *centres[cid])[0][0] for cid in commune_ids
    }
    # A point's values depend on it and the language only: described once each, not per person.
    described: dict[tuple[int, str], dict] = {}
    result: dict[int, dict] = {}
    for user in users:
        point = nearest_by_commune.get(
            user.commune_id or department_commune.get(user.department_id)
        )
        if point is None:
            continue
        key = (point.id, user.locale or "fr")
        if key not in described:
            described[key] = {
                "nearest_collection_point": f"{point.name} – {point.address}",
                "nearest_collection_point_hours": _hours_in_a_line(point.opening_hours, key[1]),
            }
        result[user.id] = dict(described[key])
    return result
