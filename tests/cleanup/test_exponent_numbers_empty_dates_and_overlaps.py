"""An organiser's campaign pages, in French at 200 % zoom: a number in exponent notation
was told a range it fits; empty dates said only « Ce champ est requis. »; a refused
campaign form focused its first field, its error summary scrolled out of view; a decision
taken in another tab was told « Cette saisie n'attend pas de vérification. »; publishing
a campaign overlapping another for the same people said nothing."""

import html
import re
from datetime import timedelta

import pytest

from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import flagged_entry, post_new_campaign, refusal_at
from tests.cleanup.conftest import send_review as _review
from tests.conftest import csrf_token, login

NNBSP = "\u202f"  # in numbers (« 1 000 »)
NBSP = "\u00a0"  # before « : » and inside « »


def _organiser(client, make, locale="fr"):
    organiser = make.user(roles=("organiser",), locale=locale)
    login(client, organiser)
    client.get("/cleanup/campaigns/new")  # creates the built-in action types
    return organiser


def _text(response) -> str:
    return re.sub(r"[ \t\n]+", " ", html.unescape(response.get_data(as_text=True)))


def _summary(page: str) -> str:
    match = re.search(r'<div class="notice error-summary"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(re.sub(r"[ \t\n]+", " ", match.group(1))) if match else ""


@pytest.mark.parametrize(
    "field",
    [
        "rules-0-points_per_unit",
        "rules-0-daily_cap",
        "goal_gb",
        "goal_items",
        "goal_devices",
        "goal_participants",
    ],
)
def test_a_number_in_exponent_notation_is_asked_in_digits(client, make, field):
    _organiser(client, make)
    response = post_new_campaign(client, **{field: "1e3"})
    assert response.status_code == 422
    said = html.unescape(refusal_at(response.get_data(as_text=True), field))
    assert said == f"Saisissez le nombre en chiffres{NBSP}: 1{NNBSP}000 plutôt que 1e3."


def test_a_number_in_exponent_notation_is_asked_in_digits_in_english(client, make):
    _organiser(client, make, locale="en")
    response = post_new_campaign(client, **{"rules-0-points_per_unit": "2,5E-2"})
    said = html.unescape(refusal_at(response.get_data(as_text=True), "rules-0-points_per_unit"))
    assert said == "Type the number in digits: 0.025 rather than 2,5E-2."


def test_words_are_still_told_the_fields_range(client, make):
    _organiser(client, make, locale="en")
    response = post_new_campaign(client, goal_gb="lots")
    said = html.unescape(refusal_at(response.get_data(as_text=True), "goal_gb"))
    assert said == "Enter a number from 0.001 to 1,000,000,000."


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("starts_at", "Indiquez la date et l'heure de début (heure de Paris)."),
        ("ends_at", "Indiquez la date et l'heure de fin (heure de Paris)."),
    ],
)
def test_an_empty_date_says_what_to_enter(client, make, field, words):
    _organiser(client, make)
    response = post_new_campaign(client, **{field: ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.unescape(refusal_at(page, field)) == words
    assert words in _summary(page)
    assert "Ce champ est obligatoire." not in html.unescape(page)


def test_a_refused_campaign_form_focuses_its_error_summary(client, make):
    """The summary, not the first field: focused there, the summary was scrolled out."""
    _organiser(client, make)
    page = post_new_campaign(client, name_fr="", name_en="", starts_at="").get_data(as_text=True)
    focused = re.findall(r"<[a-z]+\b[^>]*\bautofocus\b[^>]*>", page)
    assert len(focused) == 1
    assert 'class="notice error-summary"' in focused[0] and 'tabindex="-1"' in focused[0]
    assert re.findall(r'<a href="#([^"]+)">', _summary(page)) == ["name_fr", "name_en", "starts_at"]


def _decided_in_another_tab(client, make, running):
    entry = flagged_entry(client, running, make.user())
    _organiser(client, make)
    assert _review(client, entry.id, "accept").status_code == 302  # tab A
    return entry


def test_a_decision_taken_in_another_tab_is_said_with_the_decision(client, make, running):
    entry = _decided_in_another_tab(client, make, running)
    response = _review(client, entry.id, "reject", "Doublon", htmx=True)  # tab B
    said = _text(response)
    assert response.status_code == 409
    assert f"Cette saisie a déjà été traitée entre-temps{NBSP}:" in said
    assert re.search(r'data-testid="review-decision">Acceptée? le ', said)
    assert "n'attend pas de vérification" not in said
    assert db.session.get(CleanupAction, entry.id).status == "accepted"


def test_without_javascript_the_answer_says_the_decision_too(client, make, running):
    entry = _decided_in_another_tab(client, make, running)
    response = _review(client, entry.id, "reject", "Doublon")
    page = _text(client.get(response.headers["Location"]))
    answer = re.search(r'<p id="review-answer"[^>]*>(.*?)</p>', page).group(1)
    assert re.fullmatch(
        f"Cette saisie a déjà été traitée entre-temps{NBSP}: Acceptée? le .+\\.", answer
    )


def _draft(make_campaign, **overrides):
    start = utcnow() + timedelta(days=20)
    values = {"starts_at": start, "ends_at": start + timedelta(days=21)}
    values.update(overrides)
    return make_campaign(publish=False, name_fr="Brouillon", name_en="Draft", **values)


def _overlaps(client, campaign) -> str:
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}"))
    match = re.search(r'data-testid="campaign-overlaps">(.*?)</div>', page)
    return match.group(1) if match else ""


def test_a_draft_overlapping_a_published_campaign_names_it_and_the_shared_departments(
    client, make, make_campaign
):
    culture, voirie, ecoles = (
        make.department(name_fr=f"Direction {n}") for n in ("Culture", "Voirie", "Écoles")
    )
    start = utcnow() + timedelta(days=25)
    make_campaign(
        name_fr="Grand ménage",
        starts_at=start,
        ends_at=start + timedelta(days=21),
        all_departments=False,
        department_ids=[culture.id, voirie.id],
    )
    draft = _draft(make_campaign, all_departments=False, department_ids=[voirie.id, ecoles.id])
    _organiser(client, make)
    said = _overlaps(client, draft)
    assert said.startswith(
        f"<p>La campagne «{NBSP}Grand ménage{NBSP}» concerne déjà certaines de ces directions du "
    )
    assert f"(Direction Voirie){NBSP}: leur personnel recevra les messages des deux." in said
    assert "Culture" not in said and "Écoles" not in said
    question = re.search(
        r'data-confirm="([^"]*)"', _text(client.get(f"/cleanup/campaigns/{draft.id}"))
    )
    assert "Grand ménage" in question.group(1)


def test_a_draft_for_everyone_overlapping_one_for_everyone_says_so(client, make, make_campaign):
    now = utcnow()  # running now, for everyone
    make_campaign(name_fr="Printemps numérique", starts_at=now, ends_at=now + timedelta(days=9))
    draft = _draft(make_campaign, starts_at=utcnow() + timedelta(days=2))
    _organiser(client, make)
    said = _overlaps(client, draft)
    assert f"La campagne «{NBSP}Printemps numérique{NBSP}» concerne déjà tout le monde du " in said
    assert "tout le personnel recevra les messages des deux." in said


def test_no_warning_without_shared_dates_or_departments(client, make, make_campaign):
    culture, voirie = make.department(), make.department()
    start = utcnow() + timedelta(days=20)
    make_campaign(
        starts_at=start, ends_at=start + timedelta(days=21), all_departments=False,
        department_ids=[culture.id],
    )  # fmt: skip
    make_campaign(starts_at=start + timedelta(days=60), ends_at=start + timedelta(days=70))
    draft = _draft(make_campaign, all_departments=False, department_ids=[voirie.id])
    _organiser(client, make)
    assert _overlaps(client, draft) == ""
    assert "campaign-overlaps" not in client.get(f"/cleanup/campaigns/{draft.id}").get_data(
        as_text=True
    )


def test_an_empty_new_end_says_what_to_enter(client, make, running):
    _organiser(client, make)
    response = client.post(
        f"/cleanup/campaigns/{running.id}/extend",
        data={"csrf_token": csrf_token(client), "ends_at": ""},
    )
    assert response.status_code == 422
    assert html.unescape(refusal_at(response.get_data(as_text=True), "ends_at")) == (
        "Indiquez la date et l'heure de la nouvelle fin (heure de Paris)."
    )
