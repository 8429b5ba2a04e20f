"""The import page's help gives, for a file separated by commas, a figure the import reads
as written: no thousands comma, which would split the cell."""

import html
import re

from tests.catalogue.test_import_keeps_edits_and_audits_each_item import (
    SHORT,
    _admin,
    _changes,
    _upload,
)


def _help(page: str) -> str:
    """The paragraph of the import page that says how figures are written."""
    return html.unescape(re.search(r"<p>((?:Figures|Les nombres)[^<]*)</p>", page).group(1))


def test_the_help_gives_a_comma_file_a_figure_without_a_thousands_comma(client, make):
    for locale, said in (("en", "a decimal point and"), ("fr", "un point décimal sans")):
        _admin(client, make, locale=locale)
        text = _help(client.get("/catalogue/admin/import").get_data(as_text=True))
        assert "1,250.5" not in text
        assert "(1250.5)" in text and said in text


def test_the_help_s_comma_example_imports_as_written(client, auth, make, make_item):
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop", embodied_kgco2e=200)
    header = SHORT.replace("\n", ",embodied_kgco2e\n")
    preview = _upload(auth, header + "EQ-1,equipment,laptop,Portable,Laptop,1250.5\n").text
    assert any(
        change.startswith("Manufacturing footprint (kg CO₂e): 200 → 1,250.5")
        for change in _changes(preview)
    )
