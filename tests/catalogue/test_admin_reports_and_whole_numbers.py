"""The budgets and the decided requests as spreadsheets for the annual report, and the
item form's whole-number field told what it expects."""

import csv
import html
import io
import re
from datetime import UTC, datetime

from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.catalogue.conftest import NOW, item_edit_form
from tests.conftest import Auth, login

LAST_YEAR = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)


def _decided(make, make_item, admin, department, kg, when, approve=True, note=""):
    """A request of two services of `kg` a year from `department`, decided on `when`."""
    person = make.user(department=department, with_department=True)
    item = make_item(kind="service", use_kgco2e_per_year=kg, name_fr="Messagerie Pro")
    catalogue.add_to_basket(person, item, 2, when)
    request = catalogue.submit_basket(person, "", when)
    catalogue.decide_request(request, admin, approve, note, when)
    db.session.commit()
    return request


def _table(response) -> list[list[str]]:
    """The downloaded file as a French spreadsheet reads it: BOM, semicolons."""
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_budgets_download_in_french_is_a_french_spreadsheet(client, make, make_item):
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    department = make.department(name_fr="Mairie de Cenon")
    catalogue.set_budget(department.id, 2026, 500, admin, NOW)
    _decided(make, make_item, admin, department, 12.25, NOW)
    response = client.get("/catalogue/admin/budgets.csv?year=2026")
    assert response.status_code == 200
    assert "budgets" in response.headers["Content-Disposition"]
    header, *rows = _table(response)
    assert header[:4] == ["Année", "Code de la direction", "Direction", "Budget (kg CO₂e par an)"]
    (row,) = [r for r in rows if r[2] == "Mairie de Cenon"]
    assert row[0] == "2026" and row[3] == "500,0"
    assert row[4] == "24,6"  # 2 × « 12,3 », as the budgets page writes it


def test_the_budgets_page_offers_its_download_to_admins(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = client.get("/catalogue/budgets?year=2025").text
    assert 'href="/catalogue/admin/budgets.csv?year=2025"' in page
    assert 'href="/catalogue/admin/requests/decided.csv?year=2025"' in page


def test_the_decided_requests_download_keeps_the_year_asked(client, make, make_item):
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    department = make.department(name_fr="Mairie de Cenon")
    this_year = _decided(make, make_item, admin, department, 3, NOW, note="OK")
    refused = _decided(make, make_item, admin, department, 4, NOW, approve=False, note="Non")
    _decided(make, make_item, admin, department, 5, LAST_YEAR)
    response = client.get("/catalogue/admin/requests/decided.csv?year=2026")
    assert response.status_code == 200
    header, *rows = _table(response)
    assert header[0] == "Demande"
    assert [row[0] for row in rows] == [str(this_year.id), str(refused.id)]
    assert rows[0][header.index("Décision")] == "Acceptée"
    assert rows[1][header.index("Décision")] == "Refusée"
    assert rows[0][header.index("Empreinte annuelle (kg CO₂e)")] == "6,0" or rows[0][
        header.index("Empreinte annuelle (kg CO₂e)")
    ] in ("6", "6,0")
    assert rows[1][header.index("Note de décision")] == "Non"
    assert "Messagerie Pro × 2" in rows[0][header.index("Articles")]


def test_the_downloads_are_for_admins_only(client, make):
    login(client, make.user(locale="fr"))
    assert client.get("/catalogue/admin/budgets.csv").status_code == 403
    assert client.get("/catalogue/admin/requests/decided.csv").status_code == 403


def _save(client, item, **changes):
    response = Auth(client).post(
        f"/catalogue/admin/items/{item.id}/edit", item_edit_form(item, **changes)
    )
    page = response.get_data(as_text=True)
    match = re.search(r'<p class="error" id="user_count-error">(.*?)</p>', page, re.S)
    return response, html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def test_a_decimal_user_count_is_told_a_whole_number_is_expected(client, make, make_item):
    login(client, make.user(roles=("admin",), locale="fr"))
    item = make_item(kind="service", use_kgco2e_per_year=3.0)
    response, error = _save(client, item, user_count="1,5")
    assert response.status_code in (400, 422)
    assert error == "Saisissez un nombre entier de 0 à 10\u202f000\u202f000."


def test_a_decimal_comma_is_read_in_a_french_lifetime(client, make, make_item):
    login(client, make.user(roles=("admin",), locale="fr"))
    item = make_item(lifetime_years=4.0)
    response, _error = _save(client, item, lifetime_years="4,5")
    assert response.status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalar(select(CatalogueItem.lifetime_years).where(CatalogueItem.id == item.id))
        == 4.5
    )
