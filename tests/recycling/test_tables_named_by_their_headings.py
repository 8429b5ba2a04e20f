"""Every table of the recycling pages has an accessible name (RGAA 5.4): the statistics'
four tables are tied to the heading above each by `aria-labelledby` (no caption, no
wrapper added: the page's DOM is near the EcoIndex audit's limit); the department page's
and the desk's have theirs."""

import html
import re

import pytest

from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import NOW


@pytest.fixture
def returned(make, rec):
    """A point, its agent, and a laptop received there: every table has a row."""
    point = rec.point(name="Mairie annexe")
    agent = rec.agent(point, locale="en")
    services.confirm_receipt(rec.device_return(make.user(), point), agent, NOW)
    db.session.commit()
    return agent


def _names(page: str) -> list[str]:
    """Each table's accessible name: its caption, or the text of what it is labelled by."""
    names = []
    for table in re.finditer(r"<table\b([^>]*)>\s*(<caption[^>]*>(.*?)</caption>)?", page, re.S):
        if table.group(2):
            names.append(html.unescape(table.group(3)).strip())
            continue
        labelled = re.search(r'aria-labelledby="([^"]*)"', table.group(1))
        texts = []
        for label_id in labelled.group(1).split() if labelled else ():
            label = re.search(rf'<(\w+)[^>]*\bid="{label_id}"[^>]*>(.*?)</\1>', page, re.S)
            texts.append(
                html.unescape(re.sub(r"<[^>]+>", "", label.group(2))).strip() if label else ""
            )
        names.append(" ".join(texts).strip())
    return names


def test_the_statistics_tables_are_named_by_their_headings(client, make, returned):
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/recycling/admin/statistics").get_data(as_text=True)
    assert _names(page) == [
        "By device type",
        "By outcome",
        "By collection point",
        "By month of declaration",
    ]


def test_the_statistics_tables_are_named_in_french(client, make, returned):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = client.get("/recycling/admin/statistics").get_data(as_text=True)
    assert _names(page)[0] == "Par type d'appareil"


def test_the_statistics_tables_add_no_element(client, make, returned):
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/recycling/admin/statistics").get_data(as_text=True)
    assert "<caption" not in page
    assert len(re.findall(r'<table aria-labelledby="', page)) == 4


def test_the_department_table_is_named(client, make, returned):
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/recycling/admin/statistics/departments").get_data(as_text=True)
    assert all(_names(page)) and _names(page)


def test_the_desk_tables_are_named(client, returned):
    login(client, returned)
    page = client.get("/recycling/agent").get_data(as_text=True)
    assert all(_names(page)) and _names(page)
