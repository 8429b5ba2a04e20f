"""The annual report's figures. The footprint a reused device avoided was today's median
of the catalogue, applied to every month back to the first: a printer added moved past
years. Each device now keeps the figure in force when its outcome was recorded, in every
export. The statistics and « Par direction » pages, and their downloads, are limited to a
calendar year (Paris time) when asked; the figures by department have a spreadsheet
download of their own; `statistics.json` is downloaded as a file."""

import csv
import html
import io
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.catalogue.models import CatalogueItem
from app.extensions import db
from app.recycling import services
from tests.catalogue.conftest import item_edit_form
from tests.conftest import login
from tests.recycling.conftest import NOW
from tests.recycling.test_avoided_footprint_of_new_models_only import _model

STATISTICS = "/recycling/admin/statistics"
DEPARTMENTS = "/recycling/admin/statistics/departments"


def _reused_printer(make, rec, department=None, declared=NOW):
    """A printer declared at `declared`, received and reused (its outcome recorded then)."""
    point = rec.point(name="Cité municipale")
    agent = rec.agent(point)
    owner = make.user(department=department) if department else make.user()
    printer = rec.device_return(
        owner, point, "printer", now=declared, wipe_requested=False, data_wiped=True
    )
    services.confirm_receipt(printer, agent, declared)
    services.record_outcome(printer, agent, "reused", declared)
    db.session.commit()
    return printer


def _open_data_avoided(client) -> float:
    rows = csv.DictReader(io.StringIO(client.get(f"{STATISTICS}.csv").text))
    return sum(float(row["kgco2e_avoided"]) for row in rows)


def _every_export(client) -> dict[str, float]:
    """The printer's avoided footprint as each export gives it."""
    spreadsheet = client.get("/recycling/admin/statistics-spreadsheet.csv").text
    document = client.get(f"{STATISTICS}.json").get_json()
    api = client.get("/api/v1/recycling/statistics").get_json()
    departments = csv.DictReader(
        io.StringIO(client.get("/recycling/admin/statistics-departments.csv").text)
    )
    page = html.unescape(client.get(STATISTICS).text).replace("\u202f", " ")
    return {
        "csv": _open_data_avoided(client),
        "spreadsheet": float(list(csv.reader(io.StringIO(spreadsheet.lstrip("\ufeff"))))[1][-1]),
        "json": sum(r["kgco2e_avoided"] for r in document["records"]),
        "api": sum(r["kgco2e_avoided"] for r in api["records"]),
        "departments": sum(float(r["kgco2e_avoided"] or 0) for r in departments),
        "page": float(
            re.search(r"by reuse, donation and refurbishment</dt><dd>([\d,.]+)", page)
            .group(1)
            .replace(",", "")
        ),
    }


@pytest.fixture
def admin(client, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 1)
    user = make.user(roles=("admin",), locale="en")
    login(client, user)
    return user


def test_a_printer_added_to_the_catalogue_leaves_past_figures_unchanged(
    client, auth, make, rec, admin
):
    _model("printer", "Multifonction A3", "Shared A3 printer", 900)
    _reused_printer(make, rec)
    template = db.session.scalar(select(CatalogueItem))
    form = item_edit_form(template, code="NEW-PRINTER", name_fr="Petite imprimante",
                          name_en="Small printer", embodied_kgco2e="100",
                          use_kgco2e_per_year="")  # fmt: skip
    assert auth.post("/catalogue/admin/items/new", form).status_code == 302
    assert _every_export(client) == dict.fromkeys(
        ("csv", "spreadsheet", "json", "api", "departments", "page"), 900.0
    )


def test_a_model_withdrawn_from_the_catalogue_leaves_past_figures_unchanged(
    client, auth, make, rec, admin
):
    _model("printer", "Multifonction A3", "Shared A3 printer", 900)
    _model("printer", "Imprimante laser", "Laser printer", 300)
    _reused_printer(make, rec)  # the median then: 600
    dearest = db.session.scalar(select(CatalogueItem).where(CatalogueItem.embodied_kgco2e == 900))
    auth.post(f"/catalogue/admin/items/{dearest.id}/discontinue", {})
    assert _open_data_avoided(client) == 600.0


def test_an_outcome_recorded_after_the_change_counts_the_new_figure(client, auth, make, rec, admin):
    _model("printer", "Multifonction A3", "Shared A3 printer", 900)
    _reused_printer(make, rec)
    _model("printer", "Imprimante laser", "Laser printer", 300)
    _reused_printer(make, rec)
    assert _open_data_avoided(client) == 900.0 + 600.0


# --- 2. a year -----------------------------------------------------------------------


@pytest.fixture
def two_years(app, make, rec, monkeypatch):
    """A printer declared on 31 December 2025 at 23:30 in Paris (22:30 UTC), and one in
    2026, by two people of Finance (a team of one is shown)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 1)
    _model("printer", "Multifonction A3", "Shared A3 printer", 900)
    finance = make.department(name_fr="Finances", name_en="Finance")
    _reused_printer(make, rec, finance, datetime(2025, 12, 31, 22, 30, tzinfo=UTC))
    _reused_printer(make, rec, finance, NOW)


def _headline(page: str) -> str:
    return re.search(r"<dt>Devices returned</dt><dd>(\d+)</dd>", page).group(1)


def test_the_statistics_page_counts_the_year_chosen_in_paris_time(client, admin, two_years):
    pages = [client.get(STATISTICS, query_string=q).text for q in ({}, {"year": 2025})]
    assert [_headline(page) for page in pages] == ["2", "1"]


def test_the_downloads_hold_the_year_the_page_shows(client, admin, two_years):
    page = html.unescape(client.get(STATISTICS, query_string={"year": "2026"}).text)
    links = re.findall(r'href="(/recycling/admin/statistics[^"]*year=2026)"', page)
    open_data = next(link for link in links if "statistics.csv" in link)
    months = {row["month"] for row in csv.DictReader(io.StringIO(client.get(open_data).text))}
    # The spreadsheet, the open data, the JSON, the page by department and that of the
    # data wiping, each with its own.
    assert (len(links), months) == (5, {"2026-11"})


def test_the_department_page_counts_the_year_chosen(client, admin, two_years):
    page = html.unescape(client.get(DEPARTMENTS, query_string={"year": "2025"}).text)
    row = re.search(r'<th scope="row">Finance</th>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[:2] == ["1", "0"]


def test_the_department_download_is_of_the_year_and_named_so(client, admin, two_years):
    response = client.get("/recycling/admin/statistics-departments.csv?year=2026")
    [row] = csv.DictReader(io.StringIO(response.text))
    assert (row["devices"], response.headers["Content-Disposition"]) == (
        "1",
        "attachment; filename=empreinte-device-returns-by-department-2026.csv",
    )


@pytest.mark.parametrize(
    "typed", ["1999", "3000", "deux-mille", "２０２５", "99999999999999999999"]
)
def test_a_year_out_of_reach_is_refused_in_french_at_the_field(client, make, typed):
    login(client, make.user(roles=("admin",), locale="fr"))
    for url in (STATISTICS, DEPARTMENTS):
        response = client.get(url, query_string={"year": typed})
        error = re.search(r'<p class="error" id="year-error" role="alert">(.*?)</p>', response.text)
        assert response.status_code == 400
        assert html.unescape(error.group(1)).startswith("Choisissez une année de 2000 à ")


def test_a_download_of_a_year_out_of_reach_says_why(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    response = client.get("/recycling/admin/statistics.json?year=1815")
    assert (response.status_code, response.text.startswith("Choisissez une année")) == (400, True)


@pytest.mark.browser
def test_choosing_a_year_in_the_browser_shows_its_figures(page, make, rec, two_years):
    from tests.conftest import browser_sign_in

    browser_sign_in(page, make.user(roles=("admin",), locale="fr"))
    page.goto(STATISTICS)
    page.select_option("#year", "2025")
    page.click("[data-testid=year-choice] button")
    assert page.locator("[data-testid=statistics-year]").inner_text() == (
        "Appareils déclarés en 2025 (année civile, heure de Paris)."
    )
    assert page.locator("dl.facts dd").first.inner_text() == "1"


# --- 3. by department, for a spreadsheet ------------------------------------------------


def test_the_department_spreadsheet_is_french_with_a_byte_order_mark(client, make, rec, two_years):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = html.unescape(client.get(DEPARTMENTS).text)
    link = re.search(r'href="([^"]*)">Télécharger pour un tableur', page).group(1)
    text = client.get(link).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert text.startswith("\ufeff")
    assert rows[0][:2] == ["Code de la direction", "Direction"]
    assert rows[1][1:4] + rows[1][-1:] == ["Finances", "", "2", "1800,0"]


def test_the_statistics_page_leads_to_the_department_figures_and_downloads(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = html.unescape(client.get(STATISTICS + "?year=2026").text)
    link = re.search(r'href="([^"]*)">les appareils déposés par direction', page).group(1)
    departments = html.unescape(client.get(link).text)
    assert "Télécharger pour un tableur" in departments and "year=2026" in link


# --- 6. statistics.json as a file -------------------------------------------------------


def test_statistics_json_is_downloaded_as_a_file(client, admin):
    response = client.get(f"{STATISTICS}.json")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=empreinte-device-returns.json"
    )
    assert json.loads(response.text)["year"] == "all"
