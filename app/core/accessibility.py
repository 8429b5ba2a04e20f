"""The accessibility statement French public services publish (RGAA, article 47 of law
no. 2005-102): its compliance status, named in every page's footer, comes from the last
RGAA audit of the deployment, set in the configuration."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l

# The three statuses the RGAA allows, in the words its footer mention uses.
STATUS_LABELS = {
    "non-compliant": _l("not compliant"),
    "partially-compliant": _l("partially compliant"),
    "fully-compliant": _l("fully compliant"),
}


def status(config) -> str:
    """The configured status. An unknown one, or one without a readable audit date,
    reads as not compliant: the RGAA gives no other status to a service never audited."""
    configured = config.get("ACCESSIBILITY_STATUS", "")
    if configured not in STATUS_LABELS or _audit_date(config) is None:
        return "non-compliant"
    return configured


# When the statement's text was last revised here: its date while the deployment gives
# none (ACCESSIBILITY_STATEMENT_DATE), or the audit's when that is later.
STATEMENT_WRITTEN = date(2026, 12, 5)
EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+")


def _audit_date(config) -> date | None:
    return _iso_date(config.get("ACCESSIBILITY_AUDIT_DATE", ""))


def _iso_date(given) -> date | None:
    try:
        return date.fromisoformat(str(given or "").strip())
    except ValueError:
        return None


def statement_date(config) -> date:
    """The statement's date, as configured; otherwise the text's own, or the audit's."""
    configured = _iso_date(config.get("ACCESSIBILITY_STATEMENT_DATE", ""))
    if configured:
        return configured
    return max(filter(None, (STATEMENT_WRITTEN, _audit_date(config))))


def contact(config) -> dict | None:
    """Whom to tell about a barrier: ACCESSIBILITY_CONTACT, else the data protection
    officer (PRIVACY_CONTACT). An e-mail address or a web address becomes a link
    (`href`); anything else (a postal address, a phone number) is shown as written."""
    return first_contact(config.get("ACCESSIBILITY_CONTACT"), config.get("PRIVACY_CONTACT"))


def first_contact(*given) -> dict | None:
    """The first contact given (a setting may be empty) as `{"text", "href"}`: an e-mail
    address or a web address becomes a link, anything else is shown as written."""
    text = next((str(value).strip() for value in given if str(value or "").strip()), None)
    if text is None:
        return None
    if EMAIL.fullmatch(text):
        return {"text": text, "href": "mailto:" + text}
    if WEB_ADDRESS.fullmatch(text):
        return {"text": text, "href": text}
    return {"text": text, "href": None}


def status_label(config) -> str:
    return str(STATUS_LABELS[status(config)])


def accessibility_statement(config) -> dict:
    """What the statement page shows: the status, the audit's date and rate when one was
    done (ignored when unreadable), the statement's date, and whom to write to about a
    barrier."""
    audited_on = _audit_date(config)
    try:
        rate = float(str(config.get("ACCESSIBILITY_COMPLIANCE_RATE", "")).replace(",", "."))
    except ValueError:
        rate = None
    if rate is not None and not 0 <= rate <= 100:
        rate = None
    return {
        "status": status(config),
        "status_label": status_label(config),
        "audited_on": audited_on,
        "compliance_rate": rate if audited_on else None,
        "stated_on": statement_date(config),
        "contact": contact(config),
    }
