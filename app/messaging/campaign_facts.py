"""Campaign facts a results message needs beyond the clean-up domain's variables: the
reason an organiser gave for ending it early, and every goal (not the first only)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.cleanup import queries as cleanup_queries
from app.cleanup.integration import goal_text
from app.cleanup.models import CLOSED
from app.core.personalisation import Variable, register_variables
from app.core.urls import database_id

VARIABLES = (
    Variable(
        "ended_early_reason",
        _l(
            "For a campaign an organiser ended before its planned end: the reason they "
            "gave, as participants read it on its page; empty otherwise"
        ),
        _l("The building closes for works."),
    ),
    Variable(
        "goals_progress",
        _l(
            "Progress toward each of the campaign's goals, one per line; empty when it has "
            "a single goal (goal_progress gives it)"
        ),
        _l("\n- 130 GB of 600 GB (22%)\n- 12 devices of 50 devices (24%)"),
    ),
)

# Given only with a campaign named (by the audience, or chosen for a preview or a test):
# a message left to each recipient's own campaign has none of them.
NAMED_CAMPAIGN_ONLY = frozenset(variable.name for variable in VARIABLES)


def _campaign_of(context: dict):
    campaign_id = database_id(context.get("campaign_id"))
    if campaign_id is None:
        return None
    # A draft only for a template's preview, as the clean-up domain's own variables.
    return cleanup_queries.get_campaign(campaign_id, include_drafts=context.get("preview") is True)


def campaign_facts(users, now: datetime, context: dict) -> dict[int, dict]:
    """The early end's reason and every goal of the campaign the context names, in each
    recipient's language; nothing for a message naming no campaign."""
    campaign = _campaign_of(context) if users else None
    if campaign is None:
        return {}
    reason = campaign.early_end_reason if campaign.state(now) == CLOSED else None
    goals = cleanup_queries.goal_progress(campaign) if len(campaign.goals or ()) > 1 else []
    by_language = {
        language: {
            "ended_early_reason": reason or "",
            "goals_progress": "".join(f"\n- {goal_text(goal, language)}" for goal in goals),
        }
        for language in ("fr", "en")
    }
    return {
        user.id: by_language[user.locale if user.locale in ("fr", "en") else "fr"] for user in users
    }


def init_app(app) -> None:
    """Register these variables beside the clean-up domain's."""
    register_variables(app, VARIABLES, campaign_facts)
