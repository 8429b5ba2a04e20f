"""The catalogue's forms leave an empty required field to the portal's own message (at
the field, in the page's language: `novalidate`), and each year's budgets page names its
year in its title (RGAA 8.6)."""

import re

from tests.conftest import login


def _form_tag(page: str, action: str) -> str:
    """The start tag of the form of `page` posting to `action` (its first one)."""
    return re.search(rf'<form [^>]*action="{re.escape(action)}"[^>]*>', page).group(0)


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1)


def test_the_quantity_of_an_item_is_left_to_the_portal_when_empty(client, make, make_item):
    item = make_item()
    login(client, make.user())
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    assert "novalidate" in _form_tag(page, f"/catalogue/items/{item.id}/request")


def test_the_budget_and_import_forms_leave_empty_fields_to_the_portal(client, make):
    login(client, make.user(roles=("admin",)))
    budgets = client.get("/catalogue/budgets").get_data(as_text=True)
    assert "novalidate" in _form_tag(budgets, "/catalogue/admin/budgets")
    import_page = client.get("/catalogue/admin/import").get_data(as_text=True)
    assert "novalidate" in re.search(r'<form [^>]*enctype="multipart[^>]*>', import_page).group(0)


def test_each_years_budgets_page_names_its_year_in_its_title(client, make):
    login(client, make.user(locale="fr"))
    assert _title(client.get("/catalogue/budgets?year=2025")).startswith(
        "Budgets d'empreinte des directions, 2025 · "
    )
    assert "2027" in _title(client.get("/catalogue/budgets?year=2027"))
