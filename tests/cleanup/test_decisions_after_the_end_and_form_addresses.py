"""Decisions, types and refused forms: a decision refused once the campaign ended offers no
buttons, a changed decision updates its answer in the queue too, a type that counts scores
more than 0 (its cap in items whole, its fraction of a point worded as French says it), a
correction to the same quantity changes nothing, a refused correction or deletion after
the end says so, and the addresses of refused forms lead back to their page."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupAction, CleanupCampaign, CleanupCampaignActionType
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant, draft_with_its_form, flagged_entry
from tests.cleanup.conftest import send_review as _review
from tests.conftest import login

REASON = "Duplicate of yesterday's entry"


def _said(response) -> str:
    """The answer's text, its ordinary spaces collapsed (non-breaking ones kept)."""
    return re.sub(r"[ \t\n]+", " ", html.unescape(response.get_data(as_text=True)))


def _flagged(client, campaign, author) -> int:
    return flagged_entry(client, campaign, author).id


def _end_now(campaign_id: int) -> None:
    db.session.get(CleanupCampaign, campaign_id).ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


# 1. A first decision sent through htmx after the end: no reason box, no button.


def test_a_first_decision_refused_after_the_end_offers_no_button(client, make, running):
    entry_id = _flagged(client, running, make.user())
    login(client, make.user(roles=("organiser",), locale="fr"))
    _end_now(running.id)  # the review page was opened before the end

    response = _review(client, entry_id, "accept", htmx=True)

    said = _said(response)
    assert response.status_code == 409
    assert "Les résultats de cette campagne sont figés." in said
    assert ">Accepter</button>" not in said and ">Refuser</button>" not in said
    assert "<textarea" not in said
    assert db.session.get(CleanupAction, entry_id).status == "flagged"


# 2. A decision changed among the latest decisions updates its answer in the queue.


def test_a_changed_decision_updates_its_answer_in_the_queue(client, make, running):
    entry_id = _flagged(client, running, make.user())
    login(client, make.user(roles=("organiser",), locale="en"))
    first = _said(_review(client, entry_id, "accept", htmx=True))
    assert f'id="review-{entry_id}-done-block"' in first  # the queue's answer, to update

    changed = _said(_review(client, entry_id, "reject", REASON, htmx=True, was="accepted"))

    queue = changed.split(f'id="review-{entry_id}-done-block"', 1)[1].split("</section>")[0]
    assert 'hx-swap-oob="true"' in queue
    assert "Rejected on " in queue and REASON in queue
    assert "Accepted: the entry now counts" not in queue


# 5. A type that counts scores more than 0; its cap in items is whole.


def _mail_rule(campaign_id: int) -> tuple[float, float]:
    db.session.expire_all()
    rule = db.session.scalars(
        select(CleanupCampaignActionType).where(
            CleanupCampaignActionType.campaign_id == campaign_id
        )
    ).one()
    return rule.points_per_unit, rule.daily_cap


def test_no_points_for_a_type_that_counts_is_refused(client, make, make_campaign):
    campaign, form = draft_with_its_form(client, make, make_campaign)
    form["rules-0-points_per_unit"] = "0"

    answer = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)

    assert answer.status_code == 422
    assert re.search(r"Saisissez un nombre de 0,001 à 10\s000\.", _said(answer))
    assert _mail_rule(campaign.id) == (10, 20)


def _unsubscribe_form(client, make, make_campaign, cap: str):
    """A draft's form whose only type that counts is counted in items, capped at `cap`."""
    campaign, form = draft_with_its_form(client, make, make_campaign)
    kinds = {t.key: t for t in services.ensure_default_action_types()}
    form["rules-0-action_type_id"] = str(kinds["unsubscribe"].id)
    form["rules-0-daily_cap"] = cap
    return campaign, form


def test_a_daily_cap_in_items_must_be_whole(client, make, make_campaign):
    campaign, form = _unsubscribe_form(client, make, make_campaign, "2,5")

    answer = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)

    assert answer.status_code == 422
    assert re.search(r"Saisissez un nombre entier de 1 à 100\s000\.", _said(answer))
    assert _mail_rule(campaign.id) == (10, 20)


def test_a_whole_daily_cap_in_items_is_saved(client, make, make_campaign):
    campaign, form = _unsubscribe_form(client, make, make_campaign, "3")

    answer = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)

    assert answer.status_code == 302
    assert _mail_rule(campaign.id) == (10, 3)


@pytest.mark.parametrize(
    ("locale", "points", "said"),
    [
        ("fr", 0.5, "0,5 point pour 1\u00a0élément"),
        ("fr", 1.5, "1,5 point pour 1\u00a0élément"),
        ("fr", 2.5, "2,5 points pour 1\u00a0élément"),
        ("en", 0.5, "0.5 points for 1\u00a0item"),
    ],
)
def test_a_fraction_of_a_point_agrees_as_the_language_says(
    client, make, make_campaign, locale, points, said
):
    kinds = {t.key: t for t in services.ensure_default_action_types()}
    rules = [{"action_type_id": kinds["unsubscribe"].id, "points_per_unit": points, "daily_cap": 5}]
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), rules=rules
    )
    login(client, make.user(locale=locale))

    page = _said(client.get(f"/cleanup/campaigns/{campaign.id}"))

    assert said in page


# 6. A correction to the quantity the entry holds changes nothing.


def test_a_correction_to_the_same_quantity_keeps_the_refusals_reason(client, make, running):
    author = make.user(locale="fr")
    person = Participant(client, running, author)
    assert person.log("delete-mail", "1").status_code == 200
    entry = db.session.scalars(select(CleanupAction)).one()
    assert person.correct(entry.id, "15").status_code == 200
    login(client, make.user(roles=("organiser",)))
    assert _review(client, entry.id, "reject", REASON).status_code == 302
    person.sign_in(author)

    answer = _said(person.correct(entry.id, "1"))

    assert "Aucune modification\u00a0: la saisie reste telle qu'elle était." in answer
    assert "Saisie corrigée." not in answer and REASON in answer
    db.session.expire_all()
    kept = db.session.get(CleanupAction, entry.id)
    assert (kept.status, kept.quantity, kept.corrected_from) == ("accepted", 1, None)


# 7. A correction or deletion refused after the end talks about correcting or deleting.


@pytest.mark.parametrize("what", ["correct", "delete"])
def test_an_entry_changed_after_the_end_is_told_it_can_no_longer_be(client, make, running, what):
    person = Participant(client, running, make.user(locale="fr"))
    assert person.log("delete-mail", "1").status_code == 200
    entry_id = db.session.scalars(select(CleanupAction.id)).one()
    _end_now(running.id)

    if what == "correct":
        answer = person.correct(entry_id, "2")
    else:
        answer = person.delete(entry_id, htmx=True)

    said = _said(answer)
    assert answer.status_code == 409
    assert "on ne peut plus corriger ni supprimer de saisie." in said
    assert "enregistrer d'action" not in said
    assert db.session.get(CleanupAction, entry_id).quantity == 1


# 4. The address of a refused form, reloaded, leads to its page.


def test_the_review_forms_address_leads_to_the_review_page(client, make, running):
    entry_id = _flagged(client, running, make.user())
    login(client, make.user(roles=("organiser",)))

    answer = client.get(f"/cleanup/actions/{entry_id}/review")

    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/cleanup/campaigns/{running.id}/review"


def test_the_extension_forms_address_leads_to_the_campaign_page(client, make, running):
    login(client, make.user(roles=("organiser",)))

    answer = client.get(f"/cleanup/campaigns/{running.id}/extend")

    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/cleanup/campaigns/{running.id}#organiser-tools"


def test_the_log_forms_address_leads_to_the_campaign_page(client, make, running):
    login(client, make.user())

    answer = client.get(f"/cleanup/campaigns/{running.id}/actions")

    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/cleanup/campaigns/{running.id}#my-progress-title"


def test_a_form_address_of_an_unknown_campaign_is_not_found(client, make):
    login(client, make.user(roles=("organiser",)))

    assert client.get("/cleanup/campaigns/999999/extend").status_code == 404
    assert client.get("/cleanup/actions/999999/review").status_code == 404
