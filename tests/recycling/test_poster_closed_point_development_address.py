"""A closed point's poster has no QR code, but its printed link is made from
PUBLIC_BASE_URL too: left at the development address (or another of this machine's), it
is warned about on screen, among the poster's screen-only tools, as the QR code is."""

import pytest

from app.config import DEVELOPMENT_BASE_URL
from tests.conftest import login

SCREEN_ONLY_WARNING = '<p class="poster-tools notice"'


@pytest.fixture
def poster_of(app, client, make, rec, monkeypatch):
    """The poster page of a point (closed unless said), its reader French."""

    def opened(base: str, active: bool = False) -> str:
        monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", base)
        point = rec.point(active=active, closure_note="Travaux")
        login(client, make.user(locale="fr"))
        response = client.get(f"/recycling/points/{point.id}/poster")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return opened


def test_a_closed_point_s_printed_link_to_the_development_address_is_warned_about(poster_of):
    page = poster_of(DEVELOPMENT_BASE_URL)
    warning, poster = page.split('<main class="poster-page">')
    assert SCREEN_ONLY_WARNING in warning  # hidden by the print CSS, like the tools
    assert (
        f"Le lien de cette affiche mène à l'adresse de développement {DEVELOPMENT_BASE_URL}"
        "\u00a0: les autres ordinateurs et les téléphones ne peuvent pas l'atteindre." in warning
    )
    assert "code QR" not in warning  # it has none
    assert f"<code>{DEVELOPMENT_BASE_URL}/recycling/</code>" in poster


def test_a_closed_point_with_a_public_address_is_not_warned_about(poster_of):
    page = poster_of("https://empreinte.example.fr")
    assert SCREEN_ONLY_WARNING not in page and "PUBLIC_BASE_URL" not in page


@pytest.mark.parametrize("active", [True, False])
def test_another_loopback_address_is_warned_about_too(poster_of, active):
    page = poster_of("http://localhost:8000", active=active)
    assert SCREEN_ONLY_WARNING in page
    assert "l'adresse de développement http://localhost:8000\u00a0:" in page
