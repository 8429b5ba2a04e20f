"""The results page's CO₂ in one unit where figures stand side by side: the comparison row
read « 27 kg CO₂e | 0,091 t CO₂e » (each campaign's unit chosen by its own high end) and
the summary « Environ 0,091 t CO₂e … jusqu'à 2 t ». A figure under one tonne is now
written in kilograms wherever it stands, and the two figures of a comparison row share a
unit: tonnes only when both reach one."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupActionType
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

SUMMARY = {"en": r"<p>(About [^<]*)</p>", "fr": r"<p>(Environ [^<]*)</p>"}
ROW = {"en": r"Estimated CO₂</th>(.*?)</tr>", "fr": r"CO₂ estimé</th>(.*?)</tr>"}


def _mail_factors(low, central, high):
    """The mail action type's kg CO₂e per GB."""
    services.ensure_default_action_types()
    mail = db.session.scalar(select(CleanupActionType).filter_by(key="delete-mail"))
    mail.kg_co2e_low, mail.kg_co2e_per_unit, mail.kg_co2e_high = low, central, high
    db.session.commit()


def _campaign_with_mail(make, make_campaign, starts_at, ends_at, gigabytes):
    """A campaign where two people deleted `gigabytes` of mail each (under the review
    threshold: counted at once)."""
    campaign = make_campaign(starts_at=starts_at, ends_at=ends_at)
    for _person in range(2):
        services.log_action(make.user(), campaign, "delete-mail", gigabytes, starts_at)
    db.session.commit()
    return campaign


def _interim_page(client, make, make_campaign, language, previous_gb, current_gb):
    """The provisional results of a running campaign, an earlier one frozen before it."""
    now = utcnow()
    previous = _campaign_with_mail(
        make, make_campaign, now - timedelta(days=20), now - timedelta(days=17), previous_gb
    )
    current = _campaign_with_mail(
        make, make_campaign, now - timedelta(days=3), now + timedelta(days=1), current_gb
    )
    login(client, make.user(roles=("organiser",), locale=language))
    client.get(f"/cleanup/campaigns/{previous.id}/results")  # frozen: the one compared with
    return html.unescape(client.get(f"/cleanup/campaigns/{current.id}/interim-results").text)


def _summary(page, language) -> str:
    return re.search(SUMMARY[language], page).group(1)


def _row(page, language) -> list[str]:
    row = re.search(ROW[language], page, re.S).group(1)
    return re.findall(r"<td>([^<]*)</td>", row)


@pytest.mark.parametrize(
    ("language", "summary", "row"),
    [
        (
            "en",
            "About 91\u00a0kg\u00a0CO₂e avoided over a year of storage, "
            "somewhere between 1.8\u00a0kg\u00a0CO₂e and 2\u00a0t\u00a0CO₂e.",
            ["27\u00a0kg\u00a0CO₂e", "91\u00a0kg\u00a0CO₂e"],
        ),
        (
            "fr",
            "Environ 91\u00a0kg\u00a0CO₂e évités sur un an de stockage, "
            "quelque part entre 1,8\u00a0kg\u00a0CO₂e et 2\u00a0t\u00a0CO₂e.",
            ["27\u00a0kg\u00a0CO₂e", "91\u00a0kg\u00a0CO₂e"],
        ),
    ],
    ids=("en", "fr"),
)
def test_the_organisers_comparison_reads_kilograms_beside_kilograms(
    client, make, make_campaign, language, summary, row
):
    """27 kg then 91 kg (high end 2 t): both in kg, and the summary's 91 kg too."""
    _mail_factors(0.09, 4.55, 100)
    page = _interim_page(client, make, make_campaign, language, 3, 10)
    assert _summary(page, language) == summary
    assert _row(page, language) == row
    assert "0,091" not in page and "0.091" not in page


@pytest.mark.parametrize(
    ("language", "row"),
    [
        ("en", ["1.5\u00a0t\u00a0CO₂e", "3\u00a0t\u00a0CO₂e"]),
        ("fr", ["1,5\u00a0t\u00a0CO₂e", "3\u00a0t\u00a0CO₂e"]),
    ],
    ids=("en", "fr"),
)
def test_two_campaigns_over_a_tonne_compare_in_tonnes(client, make, make_campaign, language, row):
    _mail_factors(100, 150, 200)
    page = _interim_page(client, make, make_campaign, language, 5, 10)
    assert _row(page, language) == row


@pytest.mark.parametrize(
    ("language", "row", "summary_start"),
    [
        ("en", ["75\u00a0kg\u00a0CO₂e", "1,500\u00a0kg\u00a0CO₂e"], "About 1.5\u00a0t\u00a0CO₂e"),
        (
            "fr",
            ["75\u00a0kg\u00a0CO₂e", "1\u202f500\u00a0kg\u00a0CO₂e"],
            "Environ 1,5\u00a0t\u00a0CO₂e",
        ),
    ],
    ids=("en", "fr"),
)
def test_a_tonne_beside_a_few_kilograms_is_written_in_kilograms_in_the_row(
    client, make, make_campaign, language, row, summary_start
):
    """« 0,075 t » beside « 1,5 t » would count zeros: the row says both in kg, the
    summary keeps its tonnes."""
    _mail_factors(1, 75, 250)
    page = _interim_page(client, make, make_campaign, language, 0.5, 10)
    assert _row(page, language) == row
    assert _summary(page, language).startswith(summary_start)


def test_a_range_under_a_tonne_at_its_centre_writes_each_end_in_its_own_unit(
    client, make, make_campaign
):
    """800 kg, between 412 kg and 1.2 t: the centre read « 0,8 t », the ends in tonnes."""
    _mail_factors(51.5, 100, 150)
    page = _interim_page(client, make, make_campaign, "en", 1, 4)
    assert _summary(page, "en") == (
        "About 800\u00a0kg\u00a0CO₂e avoided over a year of storage, "
        "somewhere between 412\u00a0kg\u00a0CO₂e and 1.2\u00a0t\u00a0CO₂e."
    )
