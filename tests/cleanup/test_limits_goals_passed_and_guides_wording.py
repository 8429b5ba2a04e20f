"""What participants and organisers read: refusals that say the limit, goals passed,
the guides' rules, the message variables' examples and a draft's preview."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from app.cleanup import services
from app.cleanup.catalogue import quantity_label
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant
from tests.conftest import login

HX = {"HX-Request": "true"}
TOO_LARGE_FOR_ONE = "Une saisie compte au plus 1\u202f000\u00a0Go\u00a0: saisissez-en plusieurs"


def _rules(**caps):
    """Every default action type at its points, with `caps` by key replacing daily caps."""
    return [
        {
            "action_type_id": t.id,
            "points_per_unit": t.points_per_unit,
            "daily_cap": caps.get(t.key.replace("-", "_"), t.daily_cap),
        }
        for t in services.ensure_default_action_types()
    ]


def _shown(page: str) -> str:
    """The page's text as seen: without `hidden` elements (read out only) or tags."""
    visible = re.sub(r"<p\b[^>]*\bhidden\b[^>]*>.*?</p>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", visible).replace("&#39;", "'")


@pytest.fixture
def generous(client, make, make_campaign):
    """A French participant in a campaign whose mail cap (5,000 GB a day) lets several
    entries of the largest size count."""
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
        rules=_rules(delete_mail=5000),
    )
    return Participant(client, campaign, make.user(locale="fr"))


@pytest.mark.parametrize("htmx", [True, False])
def test_a_quantity_too_large_for_one_entry_says_the_most_one_entry_holds(generous, htmx):
    response = generous.log("delete-mail", "1500", htmx=htmx)
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="quantity-error">([^<]*)</p>', response.text)
    assert error.group(1).startswith(TOO_LARGE_FOR_ONE)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_refused_quantity_is_shown_once_by_its_field(generous, htmx):
    """It stood under the field and again beside "Log it"."""
    response = generous.log("delete-mail", "1500", htmx=htmx)
    page = response.text
    assert _shown(page).count("Une saisie compte au plus") == 1
    field = re.search(r'<input[^>]*id="quantity"[^>]*>', page).group(0)
    assert 'aria-describedby="quantity-error quantity-hint"' in field
    # Still read out after an htmx swap, from a status out of sight.
    status = re.search(r"<p id=\"progress-status\" hidden data-announce>([^<]*)</p>", page)
    assert status and status.group(1).startswith(TOO_LARGE_FOR_ONE)


def test_a_quantity_above_one_entry_and_the_daily_cap_says_both(participant, make):
    participant.sign_in(make.user(locale="fr"))
    response = participant.log("delete-mail", "1500")
    error = re.search(r'id="quantity-error">([^<]*)</p>', response.text).group(1)
    assert error == (
        "Une saisie compte au plus 1\u202f000\u00a0Go, et cette action compte au plus "
        "20\u00a0Go par jour."
    )


def _exceeded(make, make_campaign, **dates):
    """A campaign whose goal of 10 GB was passed: 12 GB freed."""
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=3), goals={"GB": 10}
    )
    services.log_action(make.user(), campaign, "delete-mail", 6, now - timedelta(days=1))
    services.log_action(make.user(), campaign, "empty-cloud", 6, now - timedelta(days=1))
    db.session.commit()
    return campaign


def _goal(page: str) -> tuple[str, str]:
    """The first goal's progress bar value and the share it says."""
    bar = re.search(r'<progress max="100" value="(\d+)"', page).group(1)
    share = re.search(r'data-testid="goal-share">([^<]*)</span>', page).group(1)
    return bar, share


def test_a_goal_passed_says_its_real_share_on_the_campaign_page_and_home(
    client, make, make_campaign
):
    """ "12 / 10 Go 100 %": the share stopped at 100 %."""
    campaign = _exceeded(make, make_campaign)
    login(client, make.user(locale="fr"))
    for url in (f"/cleanup/campaigns/{campaign.id}", "/"):
        assert _goal(client.get(url).text) == ("100", "120\u00a0% · objectif dépassé"), url


def test_a_goal_passed_says_its_real_share_in_the_results(client, make, make_campaign):
    campaign = _exceeded(make, make_campaign)
    campaign.ends_at = utcnow() - timedelta(minutes=1)  # the clock moved past the end
    db.session.commit()
    login(client, make.user(locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").text
    assert _goal(page) == ("100", "120\u00a0% · objectif dépassé")


def _words(html: str) -> str:
    """The text of some HTML, its spaces collapsed (no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _guide(page: str, key: str) -> str:
    section = page.split(f'id="guide-{key}"', 1)[1].split("</section>", 1)[0]
    return _words(section)


def test_the_guides_say_the_usual_daily_limit_with_its_unit(client, make):
    """ "Plafond journalier par défaut 20": organisers' words, and 20 what?"""
    login(client, make.user(locale="fr"))
    page = client.get("/cleanup/guides").text
    mail = _guide(page, "delete-mail")
    assert "20\u00a0Go par jour au plus" in mail and "10 points pour 1\u00a0Go" in mail
    assert "par défaut" not in page


def test_the_guides_follow_the_running_campaign_rules(client, make, make_campaign):
    now = utcnow()
    make_campaign(
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
        rules=_rules(delete_mail=7),
        name_fr="Printemps",
    )
    login(client, make.user(locale="fr"))
    page = client.get("/cleanup/guides").text
    assert "7\u00a0Go par jour au plus" in _guide(page, "delete-mail")
    assert "campagne en cours, «\u00a0Printemps\u00a0»" in page


def test_the_campaign_end_example_is_written_the_french_way(client, make):
    """ "6 avril 2026 à 18:00" beside "16 mars 2026 à 9 h"."""
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = client.get("/messaging/templates/new").text
    assert "6 avril 2026 à 18\u00a0h" in page and "18:00" not in page


def test_the_non_participants_audience_does_not_say_agents(client, make):
    """An "agent" is also who receives returned devices at a collection point."""
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = client.get("/messaging/schedule").text
    assert "Personnes concernées n&#39;ayant pas participé" in page
    assert "Agents concernés" not in page


@pytest.mark.parametrize("publish", [False, True])
def test_an_organiser_checks_the_scope_and_rules_before_the_start(
    client, make, make_campaign, publish
):
    now = utcnow()
    department = make.department(name_fr="Direction des finances")
    campaign = make_campaign(
        publish=publish,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=10),
        all_departments=False,
        department_ids=[department.id],
        rules=_rules(delete_mail=7),
    )
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").text
    preview = page.split('data-testid="campaign-preview">', 1)[1].split("</dl>", 1)[0]
    text = _words(preview)
    assert "Direction des finances" in text
    assert (
        "Supprimer les vieux e-mails et pièces jointes\u00a0: 10 points pour 1\u00a0Go, "
        "7\u00a0Go par jour au plus"
    ) in text


def test_a_running_campaign_shows_no_preview(client, make, make_campaign):
    campaign = make_campaign()
    login(client, make.user(roles=("organiser",), locale="fr"))
    assert "campaign-preview" not in client.get(f"/cleanup/campaigns/{campaign.id}").text


def test_a_quantity_in_gigabytes_is_never_split_from_its_unit(app):
    """ "0,5 Go" could break across two lines, "0,5" ending one and "Go" starting the next."""
    with app.test_request_context(), force_locale("fr"):
        assert quantity_label(0.5, "GB") == "0,5\u00a0Go"
        assert quantity_label(1500, "GB") == "1\u202f500\u00a0Go"
