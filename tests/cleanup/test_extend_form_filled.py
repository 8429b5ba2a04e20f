"""The extension's "New end" starts from the current end, its hint says the longest
extension allowed (services.MAX_EXTENSION) and the latest end it reaches; a draft's
warning of an overlapping campaign (said in the publish question too) writes its dates
as the pages write a moment, not « du 2 décembre 2026 au 30 décembre 2026 »."""

import html
import re
from datetime import UTC, datetime, timedelta

from app.cleanup.forms import to_local_naive
from app.core.i18n import format_moment
from app.core.time import utcnow
from tests.conftest import login


def _page(client, campaign) -> str:
    return html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))


def test_the_new_end_starts_from_the_current_end_and_says_the_longest_extension(
    client, make, make_campaign
):
    ends = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)  # 18:00 in Paris
    campaign = make_campaign(starts_at=utcnow() - timedelta(days=1), ends_at=ends)
    login(client, make.user(roles=("organiser",)))
    page = _page(client, campaign)
    field = re.search(r'<input[^>]*name="ends_at"[^>]*>', page).group(0)
    assert f'value="{to_local_naive(ends).strftime("%Y-%m-%dT%H:%M")}"' in field
    hint = re.search(r'<p class="hint" id="ends_at-hint">([^<]*)</p>', page).group(1)
    assert hint == (
        "Une prolongation ajoute au plus 90 jours à la fois\u00a0: au plus tard le "
        "15 avr. 2027, 18\u00a0h."
    )
    assert 'aria-describedby="ends_at-hint"' in field


def test_an_overlapping_campaigns_dates_are_written_as_the_pages_write_them(
    client, make, make_campaign
):
    now = utcnow()
    make_campaign(name_fr="Grand ménage", starts_at=now, ends_at=now + timedelta(days=30))
    draft = make_campaign(
        publish=False, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=9)
    )
    login(client, make.user(roles=("organiser",)))
    page = _page(client, draft)
    said = re.search(r'data-testid="campaign-overlaps">(.*?)</div>', page, re.S).group(1)
    with client.application.test_request_context(headers={"Accept-Language": "fr"}):
        start, end = format_moment(now), format_moment(now + timedelta(days=30))
    assert f"du {start} au {end}" in said
    question = re.search(r'action="[^"]*/publish"\s*data-confirm="([^"]*)"', page).group(1)
    assert f"du {start} au {end}" in question
