"""The accessibility statement French public services publish (RGAA, article 47 of law
no. 2005-102): its compliance status, named in every page's footer, comes from the last
RGAA audit of the deployment, set in the configuration."""

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


def _audit_date(config) -> date | None:
    try:
        return date.fromisoformat(config.get("ACCESSIBILITY_AUDIT_DATE", ""))
    except ValueError:
        return None


def status_label(config) -> str:
    return str(STATUS_LABELS[status(config)])


def accessibility_statement(config) -> dict:
    """What the statement page shows: the status, the audit's date and rate when one was
    done (ignored when unreadable), and whom to write to about a barrier."""
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
        "contact": config.get("ACCESSIBILITY_CONTACT", ""),
    }
