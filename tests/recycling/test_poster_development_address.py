"""A poster whose QR code encodes the development address (PUBLIC_BASE_URL left at its
default, `flask run`'s) says so on screen, in the reader's language, among the poster's
screen-only tools (never printed); with the public address set, nothing is said."""

import pytest

from app.config import DEVELOPMENT_BASE_URL
from tests.conftest import login

WARNING = 'class="poster-tools notice"'


@pytest.fixture
def poster_of(app, client, make, rec, monkeypatch):
    """The poster page of an open point, its reader French, the base URL as given."""

    def opened(base: str) -> str:
        monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", base)
        point = rec.point()
        login(client, make.user(locale="fr"))
        response = client.get(f"/recycling/points/{point.id}/poster")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return opened


def test_the_development_address_is_said_on_screen_before_printing(poster_of):
    page = poster_of(DEVELOPMENT_BASE_URL)
    assert WARNING in page
    assert (
        f"Ce code QR mène à l'adresse de développement {DEVELOPMENT_BASE_URL}\u00a0: "
        "les téléphones ne peuvent pas l'atteindre." in page
    )
    assert "PUBLIC_BASE_URL" in page


def test_a_public_address_is_not_warned_about(poster_of):
    page = poster_of("https://empreinte.example.fr")
    assert WARNING not in page and "PUBLIC_BASE_URL" not in page
