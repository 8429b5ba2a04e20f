"""The privacy page named « l'annuaire des agents » what every other page calls
« l'annuaire du personnel »."""

import html

from tests.conftest import login


def test_the_privacy_page_names_the_staff_directory_as_elsewhere(client, make):
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get("/privacy").text)
    assert "viennent de l'annuaire du personnel" in page
    assert "annuaire des agents" not in page
