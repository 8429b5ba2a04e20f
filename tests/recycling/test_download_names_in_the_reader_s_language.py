"""The statistics' downloads are named in the reader's language, all of them: the open
data's CSV and JSON were « empreinte-device-returns.csv » beside the French spreadsheet's
« empreinte-depots-appareils-tableur.csv ». Their contents do not change: the open data
keeps its English columns whoever downloads it."""

import pytest

from tests.conftest import login

DOWNLOADS = {
    "/recycling/admin/statistics.csv": (
        "empreinte-depots-appareils.csv", "empreinte-device-returns.csv"),
    "/recycling/admin/statistics-spreadsheet.csv": (
        "empreinte-depots-appareils-tableur.csv", "empreinte-device-returns-spreadsheet.csv"),
    "/recycling/admin/statistics.json": (
        "empreinte-depots-appareils.json", "empreinte-device-returns.json"),
    "/recycling/admin/statistics-departments.csv": (
        "empreinte-depots-appareils-par-direction.csv",
        "empreinte-device-returns-by-department.csv"),
    "/recycling/admin/statistics-departments-spreadsheet.csv": (
        "empreinte-depots-appareils-par-direction-tableur.csv",
        "empreinte-device-returns-by-department-spreadsheet.csv"),
}  # fmt: skip


@pytest.mark.parametrize("url", DOWNLOADS)
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_each_download_is_named_in_the_reader_s_language(client, make, url, locale):
    login(client, make.user(roles=("admin",), locale=locale))
    response = client.get(url)
    french, english = DOWNLOADS[url]
    expected = french if locale == "fr" else english
    assert response.headers["Content-Disposition"] == f"attachment; filename={expected}"


@pytest.mark.parametrize("url", DOWNLOADS)
def test_each_download_varies_with_the_reader_s_language(client, make, url):
    login(client, make.user(roles=("admin",), locale="fr"))
    assert "Accept-Language" in client.get(url).headers.get("Vary", "")


def test_the_year_goes_before_the_extension_in_french_too(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    response = client.get("/recycling/admin/statistics.csv?year=2026")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=empreinte-depots-appareils-2026.csv"
    )
