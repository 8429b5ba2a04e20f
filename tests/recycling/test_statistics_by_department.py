"""The recycling statistics never said which department the devices came from: a head of
department could not learn how many their people returned. The page, the open data
(`statistics-departments.csv`) and `statistics.json` now break returns down by the
owner's department, and a department whose devices are fewer than LEADERBOARD_MIN_TEAM
people's shows none of its figures (nor the smallest other one that would give them
away from the totals). The page stays for admins and agents: organisers still get 403."""

import csv
import html
import io
import re

import pytest

from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import NOW


@pytest.fixture
def departments(app, make, rec, monkeypatch):
    """Finance: four people, five laptops received (one reused) and one declared;
    Legal: three people, three monitors received; Archives: two people, two laptops
    received. Three people make a team, as in production."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 3)
    point = rec.point(name="Cité municipale")
    agent = rec.agent(point)
    finance = make.department(name_fr="Finances", name_en="Finance")
    legal = make.department(name_fr="Affaires juridiques", name_en="Legal affairs")
    archives = make.department(name_fr="Archives", name_en="Records")
    tag = iter(range(100))

    def returned(owner, device_type="laptop", received=True):
        device_return = rec.device_return(owner, point, device_type, asset_tag=f"D-{next(tag)}")
        if received:
            services.confirm_receipt(device_return, agent, NOW)
        return device_return

    people = [make.user(department=finance) for _ in range(4)]
    for person in people:
        returned(person)
    returned(people[0])
    returned(people[1], received=False)
    for _ in range(3):
        returned(make.user(department=legal), "monitor")
    for _ in range(2):
        returned(make.user(department=archives))
    db.session.commit()
    return agent


def _rows(page: str) -> dict[str, list[str]]:
    """The table by department, as read: name -> its cells."""
    table = re.search(r'<table data-testid="by-department">(.*?)</table>', page, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S):
        name, _, cells = row.partition("</th>")
        rows[html.unescape(name)] = [
            html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)
        ]
    return rows


def test_the_statistics_page_counts_each_departments_devices(client, make, departments):
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    rows = _rows(client.get("/recycling/admin/statistics/departments").get_data(as_text=True))
    assert rows["Finance"][:2] == ["5", "1"]


def test_a_department_of_fewer_people_than_a_team_shows_no_figures(client, make, departments):
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    rows = _rows(client.get("/recycling/admin/statistics/departments").get_data(as_text=True))
    assert rows["Records"] == ["Devices of fewer than 3 people: figures not shown"]


def test_the_smallest_other_department_protects_it_from_the_totals(client, make, departments):
    """Archives' two laptops would be the total less Finance and Legal: Legal, the
    smallest shown, goes too."""
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    rows = _rows(client.get("/recycling/admin/statistics/departments").get_data(as_text=True))
    assert rows["Legal affairs"] == [
        "Figures not shown: they would let a smaller department's be worked out"
    ]


def test_the_department_table_reads_in_french(client, make, departments):
    login(client, make.user(roles=("employee", "admin")))
    page = html.unescape(
        client.get("/recycling/admin/statistics/departments").get_data(as_text=True)
    )
    assert "Appareils de moins de 3 personnes\u00a0: chiffres non publiés" in page


def test_the_open_data_by_department_withholds_small_departments(client, make, departments):
    login(client, make.user(roles=("employee", "admin")))
    response = client.get("/recycling/admin/statistics-departments.csv")
    rows = {
        r["department_code"]: r
        for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    }
    found = {r["department_en"]: (r["withheld"], r["devices"]) for r in rows.values()}
    assert found == {
        "Finance": ("", "5"),
        "Legal affairs": ("protecting", ""),
        "Records": ("small", ""),
    }


def test_the_json_document_holds_the_departments(client, make, departments):
    login(client, make.user(roles=("employee", "admin")))
    document = client.get("/recycling/admin/statistics.json").get_json()
    finance = next(d for d in document["departments"] if d["department_en"] == "Finance")
    assert (finance["devices"], finance["declared_not_received"], finance["withheld"]) == (
        5,
        1,
        None,
    )


def test_an_agent_sees_the_departments_of_their_points_only(client, make, rec, departments):
    elsewhere = rec.point(name="Mairie de Cenon")
    colleague = rec.agent(elsewhere)
    for _ in range(3):
        device_return = rec.device_return(make.user(), elsewhere, "tablet")
        services.confirm_receipt(device_return, colleague, NOW)
    db.session.commit()
    login(client, departments)
    records = client.get("/recycling/admin/statistics.json").get_json()["departments"]
    assert sum(d["devices"] or 0 for d in records) == 5  # Finance's; no tablet of Cenon


def test_an_organiser_still_cannot_open_the_statistics(client, make, departments):
    login(client, make.user(roles=("employee", "organiser")))
    assert client.get("/recycling/admin/statistics").status_code == 403
    assert client.get("/recycling/admin/statistics/departments").status_code == 403


def test_the_statistics_page_leads_to_the_departments_page(client, make, departments):
    """Sixty departments' rows made the statistics page too heavy (EcoIndex grade C): the
    table is a page of its own, linked from it."""
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    page = client.get("/recycling/admin/statistics").get_data(as_text=True)
    assert 'href="/recycling/admin/statistics/departments"' in page
    assert 'data-testid="by-department"' not in page


def test_the_department_table_is_named_by_its_caption(client, make, departments):
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    page = client.get("/recycling/admin/statistics/departments").get_data(as_text=True)
    table = re.search(r'<table data-testid="by-department">\s*<caption[^>]*>(.*?)</caption>', page)
    assert table is not None and table.group(1) == "Devices returned by department"


def test_the_e_waste_of_each_department_has_one_decimal(client, make, departments):
    """Finance's five laptops weigh 10 kg: written « 10.0 kg » like « 134.9 kg »."""
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    rows = _rows(client.get("/recycling/admin/statistics/departments").get_data(as_text=True))
    assert rows["Finance"][2] == "10.0 kg"


def test_the_e_waste_decimal_reads_in_french(client, make, departments):
    login(client, make.user(roles=("employee", "admin")))
    rows = _rows(client.get("/recycling/admin/statistics/departments").get_data(as_text=True))
    assert rows["Finances"][2] == "10,0\u202fkg"


def test_the_statistics_name_the_manufacturing_footprint_as_the_catalogue_does(
    client, make, departments
):
    """ "Embodied footprint per device" beside "Manufacturing footprint avoided…": one
    name, the catalogue's."""
    login(client, make.user(roles=("employee", "admin"), locale="en"))
    page = html.unescape(client.get("/recycling/admin/statistics").get_data(as_text=True))
    assert "Manufacturing footprint per device" in page and "Embodied" not in page
