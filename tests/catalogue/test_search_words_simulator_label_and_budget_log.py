"""Browsing the catalogue: the search finds words, the simulator opens at the label,
budgets are traced in the log, the basket flags a discontinued item, a page past the end
of nothing found is the first."""

import html
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from app import create_app
from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueBudget, CatalogueItem
from app.config import TestConfig
from app.core.audit import record_audit
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.conftest import Auth, login

HX = {"HX-Request": "true"}
NAMES = re.compile(r'href="/catalogue/items/\d+">([^<]+)</a>')


def _found(client, q: str) -> list[str]:
    return [html.unescape(n) for n in NAMES.findall(client.get(f"/catalogue/?q={q}").text)]


def _calendars(make_item):
    for direction_fr, direction_en in (("de l'eau", "water"), ("des sports", "sports")):
        make_item(
            kind="service",
            category="collaboration",  # « Collaboration et bureautique »: "eau" inside
            name_fr=f"Agenda partagé – Direction {direction_fr}",
            name_en=f"Shared calendar – Department of {direction_en}",
        )


def test_a_search_word_is_not_found_inside_a_category_name(client, make, make_item):
    """`agenda eau` listed every direction's calendar: "eau" is inside « bureautique »."""
    login(client, make.user(locale="fr"))
    _calendars(make_item)
    assert _found(client, "agenda eau") == ["Agenda partagé – Direction de l'eau"]


def test_a_search_word_is_not_found_inside_a_word_of_a_name(client, make, make_item):
    """`on` found 1,589 items: every « Direction », « collaboration »…"""
    login(client, make.user(locale="fr"))
    _calendars(make_item)
    assert _found(client, "on") == []


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("agen eau", ["Agenda partagé – Direction de l'eau"]),  # the start of a word
        ("l'eau", ["Agenda partagé – Direction de l'eau"]),  # as written in the name
        ("Spo", ["Agenda partagé – Direction des sports"]),  # any case, either language
        ("bureautique sports", ["Agenda partagé – Direction des sports"]),  # the category
    ],
)
def test_a_search_finds_the_start_of_words_in_names_and_categories(
    client, make, make_item, q, found
):
    login(client, make.user(locale="fr"))
    _calendars(make_item)
    assert _found(client, q) == found


def test_a_code_is_found_by_its_words_in_a_row(client, make, make_item):
    """ "LAP-14" finds LAP-14 (and LAP-140, its start), not an item with "lap" and "14"
    apart."""
    login(client, make.user(locale="en"))
    make_item(code="LAP-14", name_en="Light laptop")
    make_item(code="LAP-140", name_en="Heavy laptop")
    make_item(code="DSK-1", name_en="Lap desk 14-inch", category="desktop")
    assert sorted(_found(client, "lap-14")) == ["Heavy laptop", "Light laptop"]


def test_a_search_of_punctuation_alone_finds_nothing(client, make, make_item):
    login(client, make.user(locale="en"))
    make_item(name_en="Dock – USB-C")
    assert _found(client, "–") == []


def test_items_already_there_get_their_search_words(empty_database_url):
    """A portal upgraded with items in its catalogue finds them by word like new ones."""

    def run(url):
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="20261205_catalogue_code_case")
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO catalogue_item (code, kind, category, name_fr, name_en,"
                        " description_fr, description_en, search_text, sort_name_fr,"
                        " sort_name_en, status, annual_kgco2e, grade, source, source_url,"
                        " estimate, created_at, updated_at) VALUES ('SV-0001', 'service',"
                        " 'business_application', 'Agenda – Direction de l''Eau',"
                        " 'Calendar – Water', '', '', 'agenda – direction de l''eau', '', '',"
                        " 'available', 2.0, 'C', 'x', '', false, :now, :now)"
                    ),
                    {"now": "2026-12-05 10:00:00"},
                )
            upgrade(revision="heads")
            with db.engine.connect() as connection:
                stored = connection.execute(text("SELECT search_text FROM catalogue_item")).one()
            db.engine.dispose()
        return stored[0]

    stored = run(empty_database_url)
    assert stored == "agenda direction de l eau calendar water sv 0001 business application"


# The keep-it-longer simulator ----------------------------------------------------------


def test_the_simulator_opens_at_the_items_own_lifetime(client, make, make_item):
    """A smartphone kept 2.5 years opened at « Kept 2 years », heavier than its label."""
    login(client, make.user(locale="en"))
    item = make_item(embodied_kgco2e=200, lifetime_years=2.5, use_kwh_per_year=100)
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    simulator = page[page.index('id="lifetime-result"') :]
    assert item.annual_kgco2e == pytest.approx(80 + 5.2)
    assert "Kept 2.5 years, its expected lifetime: 85.2\u00a0kg\u00a0CO₂e a year" in simulator


def test_the_simulators_saving_is_measured_from_the_label(client, make, make_item):
    """« One more year saves 14 kg » was measured from the rounded lifetime."""
    login(client, make.user(locale="en"))
    item = make_item(embodied_kgco2e=200, lifetime_years=2.5, use_kwh_per_year=100)
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    # 200 / 2.5 − 200 / 3.5 = 22.86 a year
    assert "One more year (3.5 years) saves 22.9\u00a0kg\u00a0CO₂e a year." in page


def test_a_lifetime_chosen_in_the_simulator_stays_in_whole_years(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(embodied_kgco2e=200, lifetime_years=2.5, use_kwh_per_year=100)
    fragment = client.get(f"/catalogue/items/{item.id}/lifetime?years=4", headers=HX).text
    assert "Kept 4 years: 55.2" in fragment and "expected lifetime" not in fragment


# Budgets in the audit log ----------------------------------------------------------------


def _set_budget(client, department, amount: str):
    return Auth(client).post(
        "/catalogue/admin/budgets",
        {"department_id": str(department.id), "year": "2026", "budget_kgco2e": amount},
    )


@pytest.fixture
def sports(make):
    return make.department(code="SPORTS", name_fr="Direction des sports", name_en="Sports")


def test_a_budget_change_names_its_department_and_previous_budget(client, make, sports):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    _set_budget(client, sports, "10")
    _set_budget(client, sports, "12.3")
    log = html.unescape(client.get("/admin/audit").text)
    assert "<td>Sports, 2026: 10 → 12.3\u00a0kg\u00a0CO₂e</td>" in log
    assert "<td>Sports, 2026: – → 10\u00a0kg\u00a0CO₂e</td>" in log


def test_a_budget_change_hidden_by_the_tenth_shows_its_decimals(client, make, sports):
    """Budgets are typed to a tenth now; one stored with more before keeps its decimals
    in the log when the tenth would hide the change."""
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    db.session.add(CatalogueBudget(department_id=sports.id, year=2026, budget_kgco2e=12.34))
    db.session.commit()
    _set_budget(client, sports, "12,3")
    log = html.unescape(client.get("/admin/audit").text)
    assert "<td>Direction des sports, 2026\u00a0: 12,34 → 12,3\u00a0kg\u00a0CO₂e</td>" in log


def test_the_audit_export_keeps_a_budgets_department_and_previous_value(client, make, sports):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    _set_budget(client, sports, "10")
    _set_budget(client, sports, "12.3")
    export = client.get("/admin/audit.csv").get_data(as_text=True)
    assert (
        '2026: 10 -> 12.3; department SPORTS {""fr"": ""Direction des sports"", ""en"": ""Sports""}'
    ) in export


def test_the_audit_log_finds_a_budgets_events_by_its_direction(client, make, sports):
    """`?text=sports` found nothing; events stored before the name was are found too."""
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    _set_budget(client, sports, "10")
    budget_id = catalogue.set_budget(sports.id, 2027, 5, admin, NOW).id
    record_audit(admin, "set_budget", "catalogue_budget", budget_id, NOW, "2027: 5.0")
    water = make.department(code="EAU", name_fr="Direction de l'eau", name_en="Water")
    other = catalogue.set_budget(water.id, 2026, 7, admin, NOW)
    db.session.commit()
    # From June: a search without dates reads the last 90 days, and NOW is in June.
    log = html.unescape(client.get("/admin/audit?text=sports&since=2026-06-01").text)
    assert "Sports, 2026: – → 10\u00a0kg\u00a0CO₂e" in log
    assert "<td>2027: 5\u00a0kg\u00a0CO₂e</td>" in log  # an older event, by its budget
    assert f"Carbon budget #{other.id}<" not in log and "Water" not in log


# The basket --------------------------------------------------------------------------------


def _basket_with_a_discontinued_item(client, make, make_item):
    employee = make.user(locale="en")
    kept = make_item(name_en="Kept mouse", kind="service", use_kgco2e_per_year=2)
    gone = make_item(name_en="Gone laptop", kind="service", use_kgco2e_per_year=30)
    catalogue.add_to_basket(employee, kept, 1, NOW)
    catalogue.add_to_basket(employee, gone, 1, NOW)
    catalogue.discontinue_item(gone, make.user(roles=("admin",)), NOW)
    db.session.commit()
    login(client, employee)
    return html.unescape(client.get("/catalogue/requests").text)


def test_the_basket_tags_an_item_discontinued_since_it_was_added(client, make, make_item):
    page = _basket_with_a_discontinued_item(client, make, make_item)
    row = page[page.index(">Gone laptop</a>") :]
    assert row[: row.index("</td>")].endswith('<span class="tag">no longer in the catalogue</span>')
    notice = "Gone laptop: this item is no longer in the catalogue. Remove it before sending"
    assert notice in page
    assert "Remove<span" in row


def test_the_basket_total_leaves_a_discontinued_item_out(client, make, make_item):
    page = _basket_with_a_discontinued_item(client, make, make_item)
    total = page[page.index("Total yearly footprint") :]
    assert "<strong>2\u00a0kg\u00a0CO₂e</strong>" in total[: total.index("</tr>")]
    assert "not counted" in page


# A page past the end ------------------------------------------------------------------------


def test_a_page_past_the_end_of_nothing_found_is_the_first(client, make, make_item):
    """`?q=zz&page=99` was titled « …, page 99 » above no result."""
    login(client, make.user(locale="en"))
    make_item(name_en="Laptop")
    page = html.unescape(client.get("/catalogue/?q=zz&page=99").text)
    assert "<title>Results for “zz” – Catalogue · " in page
    fragment = html.unescape(client.get("/catalogue/?q=zz&page=99", headers=HX).text)
    assert "page 99" not in fragment


def test_catalogue_items_are_kept_as_written(make_item):
    """The search text is the words of names, code and category, for either database."""
    item = make_item(code="SV-7", name_fr="Démarches en ligne", name_en="Online forms")
    stored = db.session.scalar(select(CatalogueItem.search_text).where(CatalogueItem.id == item.id))
    assert stored == "demarches en ligne online forms sv 7 laptop"
