"""A lighter alternative is one whose figure, as the pages write it, is lower: « 8,5 »
is no lighter than « 8,5 » (review: a refurbished phone at 8.53 kg suggested an entry
phone at 8.46, a gap of 0.07 kg that every page rounds away)."""

import html

from app.extensions import db
from tests.conftest import login


def _phones(make_item):
    """A phone, an alternative written as heavy as it and one written lighter."""

    def phone(annual, name):
        return make_item(
            category="smartphone",
            embodied_kgco2e=annual * 4,
            use_kwh_per_year=0,
            name_fr=name,
            name_en=name,
        )

    refurbished = phone(8.53, "Refurbished phone")  # « 8,5 »
    refurbished.alternatives = [phone(8.46, "Entry phone"), phone(8.04, "Basic phone")]
    db.session.commit()
    return refurbished


def test_the_item_page_suggests_no_alternative_written_as_heavy(client, make, make_item):
    login(client, make.user(locale="en"))
    item = _phones(make_item)
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    section = page.partition('id="alt-h"')[2].partition("</section>")[0]
    assert "Basic phone" in section  # « 8 », lighter as written
    assert "Entry phone" not in section  # « 8,5 » like the phone itself


def test_the_basket_suggests_no_alternative_written_as_heavy(client, auth, make, make_item):
    login(client, make.user(locale="fr"))
    item = _phones(make_item)
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "1"})
    page = html.unescape(client.get("/catalogue/requests").text)
    assert "Basic phone" in page and "Entry phone" not in page


def test_the_home_page_suggests_nothing_written_as_heavy(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(
        category="smartphone", embodied_kgco2e=8.53 * 4, use_kwh_per_year=0, name_en="Phone"
    )
    item.alternatives = [
        make_item(
            category="smartphone", embodied_kgco2e=8.46 * 4, use_kwh_per_year=0, name_en="Twin"
        )
    ]
    db.session.commit()
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "1"})
    page = html.unescape(client.get("/").text)
    assert "Lighter choice" not in page
