"""English that says "department" where a department is meant, and names a return as
the portal does elsewhere: the clean-up page's lead,
and the return guide ("Bring an unused device to a collection point")."""

import html
import re

from tests.conftest import login


def _words(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def test_the_cleanup_lead_says_the_points_count_for_the_department(client, make):
    login(client, make.user(locale="en"))
    page = _words(client.get("/cleanup/"))
    assert "every gigabyte freed counts for your department." in page
    assert "your team" not in page


def test_the_return_guide_says_to_bring_the_device_to_a_collection_point(client, make):
    login(client, make.user(locale="en"))
    page = _words(client.get("/cleanup/guides"))
    assert "Bring an unused device to a collection point: the Recycling module" in page
    assert "Drop an unused device" not in page


def test_the_french_return_guide_keeps_its_words(client, make):
    login(client, make.user(locale="fr"))
    page = _words(client.get("/cleanup/guides"))
    assert "Déposez un équipement inutilisé dans un point de collecte" in page
