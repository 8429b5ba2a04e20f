"""The open-data CSV and the spreadsheet download are written once per change of the
catalogue: an item edited shows in the next download, in both."""

from tests.catalogue.conftest import item_edit_form
from tests.conftest import login


def test_a_figure_edited_shows_in_the_next_downloads(client, auth, make, make_item):
    item = make_item(code="LAPTOP-77", embodied_kgco2e=255.5)
    login(client, make.user(roles=("admin",)))
    for path in ("/catalogue/export.csv", "/catalogue/export-spreadsheet.csv?lang=fr"):
        assert "255" in client.get(path).get_data(as_text=True)
    form = item_edit_form(item, embodied_kgco2e="181")
    assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302
    open_data = client.get("/catalogue/export.csv").get_data(as_text=True)
    spreadsheet = client.get("/catalogue/export-spreadsheet.csv?lang=fr").get_data(as_text=True)
    line = next(row for row in open_data.splitlines() if row.startswith("LAPTOP-77"))
    assert "181" in line and "255" not in line
    line = next(row for row in spreadsheet.splitlines() if "LAPTOP-77" in row)
    assert "181" in line and "255" not in line


def test_each_language_downloads_its_own_spreadsheet(client, make, make_item):
    make_item(code="LAPTOP-78", embodied_kgco2e=255.5)
    login(client, make.user())
    french = client.get("/catalogue/export-spreadsheet.csv?lang=fr").get_data(as_text=True)
    english = client.get("/catalogue/export-spreadsheet.csv?lang=en").get_data(as_text=True)
    assert "255,5" in french and "255.5" in english
