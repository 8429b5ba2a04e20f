"""Another collection point picked on the return form is read out, with what it refuses."""

import pytest
from playwright.sync_api import expect

from tests.conftest import login
from tests.recycling.test_browser import _sign_in


@pytest.mark.browser
def test_picking_another_point_reads_it_out_with_the_types_it_refuses(page, make, rec):
    """The intro was swapped whole (its aria-live region new, so read by none) and the
    types the point refuses were disabled without a word: #announcer says both."""
    home = make.commune(name="Bordeaux", latitude=44.837, longitude=-0.579)
    first = rec.point(commune=home, name="Cité municipale", opening_hours="24/7")
    other = rec.point(commune=home, name="Mairie de Cenon", address="1 avenue Carnot",
                      accepted_types="laptop,monitor", opening_hours="24/7")  # fmt: skip
    _sign_in(page, make.user(commune=home))
    page.goto(f"/recycling/returns/new?point={first.id}", wait_until="load")
    page.select_option("select[name=collection_point_id]", str(other.id))
    announcer = page.locator("#announcer")
    expect(announcer).to_contain_text("À Mairie de Cenon, 1 avenue Carnot.")
    expect(announcer).to_contain_text("Accepte\u00a0: Ordinateur portable, écran.")
    expect(announcer).to_contain_text("Non accepté ici\u00a0:")
    expect(announcer).to_contain_text("imprimante")


def test_the_point_intro_says_which_types_it_refuses(client, make, rec):
    """Without a screen reader too: the disabled types are named, not only greyed."""
    point = rec.point(name="Mairie de Cenon", accepted_types="laptop,monitor")
    login(client, make.user(locale="en"))
    fragment = client.get(
        f"/recycling/returns/new?collection_point_id={point.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    refused = fragment.split("Not accepted here:", 1)[1].split("</p>", 1)[0]
    assert "Printer" in refused and "Laptop" not in refused and "Monitor" not in refused
