"""The organisers' results and review pages say their times are Paris time (the portal's
TIMEZONE), as the campaign page and its forms do, in the same words and once per page:
« Figés le 25 déc. 2025, 9 h 01 » and the review queue's entry times said no zone."""

import html
from datetime import UTC, datetime, timedelta

import pytest

from app.cleanup import services
from app.core.time import local_zone, utcnow
from app.extensions import db
from tests.conftest import login

FROZEN_AT = datetime(2025, 12, 25, 8, 1, tzinfo=UTC)  # 9:01 in Paris, in winter
ZONE = {"en": "(Paris time)", "fr": "(heure de Paris)"}
ZONE_WORDS = {"en": "Paris time", "fr": "heure de Paris"}


def _frozen_page(client, make, make_campaign, language, ended_early=False) -> str:
    """The results of a campaign closed on 24 December 2025, frozen at FROZEN_AT."""
    campaign = make_campaign(
        starts_at=FROZEN_AT - timedelta(days=10), ends_at=FROZEN_AT - timedelta(hours=15)
    )
    if ended_early:
        campaign.early_end_reason, campaign.early_end_reason_lang = "Budget", "en"
    db.session.commit()
    assert services.freeze_campaign(campaign, FROZEN_AT, announce=False)
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale=language))
    return html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/results").text)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Frozen on 25 Dec 2025, 09:01 (Paris time): these results no longer change."),
        (
            "fr",
            "Figés le 25 déc. 2025, 9\u00a0h\u00a001 (heure de Paris)\u00a0: "
            "ces résultats ne changent plus.",
        ),
    ],
    ids=("en", "fr"),
)
def test_the_results_say_their_frozen_time_is_paris_time(
    client, make, make_campaign, language, sentence
):
    assert sentence in _frozen_page(client, make, make_campaign, language)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_early_end_after_it_does_not_say_the_zone_again(client, make, make_campaign, language):
    page = _frozen_page(client, make, make_campaign, language, ended_early=True)
    assert 'data-testid="ended-early"' in page
    assert page.count(ZONE[language]) == 1


@pytest.mark.parametrize(
    ("language", "start"),
    [
        ("en", "Provisional figures on {} (Paris time): the campaign is still running"),
        ("fr", "Chiffres provisoires au {} (heure de Paris)\u00a0: la campagne est toujours"),
    ],
    ids=("en", "fr"),
)
def test_provisional_results_say_their_time_is_paris_time(
    client, make, make_campaign, language, start
):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    login(client, make.user(roles=("organiser",), locale=language))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/interim-results").text)
    before, _sep, _after = start.partition("{}")
    shown = page.split(before, 1)[1].split(" (", 1)[0]  # the moment the figures stand at
    assert start.format(shown) in page
    assert page.count(ZONE[language]) == 1


def _review_page(client, make, running, language) -> tuple[str, datetime]:
    """The review page with one entry flagged (12 GB at once), logged at 7 past an hour."""
    logged_at = (utcnow() - timedelta(hours=1)).replace(minute=7, second=0, microsecond=0)
    entry = services.log_action(make.user(), running, "delete-mail", 12, logged_at)
    db.session.commit()
    assert entry.status == "flagged"
    login(client, make.user(roles=("organiser",), locale=language))
    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}/review").text)
    return page, logged_at.astimezone(local_zone())


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "Times are given in Paris time."),
        ("fr", "Les heures sont indiquées à l'heure de Paris."),
    ],
    ids=("en", "fr"),
)
def test_the_review_page_says_its_times_are_paris_time_once(client, make, running, language, note):
    page, _local = _review_page(client, make, running, language)
    assert page.count(note) == 1
    assert ZONE_WORDS[language] not in page.replace(note, "")


def test_the_review_page_writes_an_entrys_time_in_paris_time(client, make, running):
    page, local = _review_page(client, make, running, "en")
    assert f"{local.day} {local:%b} {local.year}, {local:%H}:07" in page


def test_an_empty_review_page_says_no_zone(client, make, running):
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/cleanup/campaigns/{running.id}/review").text
    assert "Nothing to review." in page and "Paris time" not in page
