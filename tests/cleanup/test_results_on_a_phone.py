"""The results page's "What was done" on a phone: its four columns made a 404 px table in
a 343 px box at 375 px, the points out of view in French and cut in English. Each action
is a block there, as on the team boards (`.stack-on-phone`)."""

from datetime import timedelta

import pytest

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import browser_sign_in

ENTRIES = (
    ("delete-mail", 9.5),
    ("unsubscribe", 15),
    ("empty-cloud", 20),
    ("remove-duplicates", 20),
    ("clean-phone", 9),
)


@pytest.mark.browser
def test_every_cell_of_what_was_done_is_in_view_on_a_phone(page, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    for key, quantity in ENTRIES:
        services.log_action(make.user(), campaign, key, quantity, now)
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    assert services.freeze_campaign(campaign, now, announce=False)
    db.session.commit()
    page.set_viewport_size({"width": 375, "height": 812})
    for locale, points in (("fr", "Points\u00a0: "), ("en", "Points: ")):
        browser_sign_in(page, make.user(roles=("organiser",), locale=locale))
        page.goto(f"/cleanup/campaigns/{campaign.id}/results")
        seen = page.locator("[data-testid=results-by-type]").evaluate(
            """(table) => ({
                cells: [...table.tBodies[0].rows].flatMap(row => [...row.cells]).map(cell => {
                    const box = cell.getBoundingClientRect();
                    return {
                        text: cell.textContent,
                        label: getComputedStyle(cell, '::before').content,
                        inView: box.width > 0 && box.left >= 0 && box.right <= innerWidth,
                    };
                }),
                scrolls: table.closest('.table-scroll').scrollWidth
                    > table.closest('.table-scroll').clientWidth,
                page: document.documentElement.scrollWidth > innerWidth,
            })"""
        )
        cells = seen["cells"]
        assert len(cells) == 4 * len(ENTRIES), cells
        assert all(cell["inView"] for cell in cells), (locale, cells)
        assert not seen["scrolls"] and not seen["page"], (locale, seen)
        # Each figure says what it is, its column's heading out of sight.
        assert [cell["label"] for cell in cells[3::4]] == [f'"{points}"'] * len(ENTRIES), cells
