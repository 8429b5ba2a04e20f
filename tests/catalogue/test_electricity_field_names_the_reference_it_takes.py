"""The item form says under its electricity field that a blank one takes the category's
reference figure, naming each one: left blank beside a supplier's manufacturing figure,
it took Boavizta's 197.1 kWh a year for a laptop in silence, which can change the grade."""

import html
import re

from app.catalogue.reference import category_reference
from tests.conftest import login


def _hint(client, make, locale: str, url: str = "/catalogue/admin/items/new") -> str:
    login(client, make.user(roles=("admin",), locale=locale))
    page = client.get(url).text
    field = re.search(r'<input [^>]*id="use_kwh_per_year"[^>]*>', page).group(0)
    assert 'aria-describedby="use_kwh_per_year-hint"' in field
    found = re.search(r'<p class="hint" id="use_kwh_per_year-hint">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1))


def test_the_hint_names_the_reference_figure_each_category_takes(client, make):
    laptop = category_reference("laptop").use_kwh_per_year
    hint = _hint(client, make, "en")
    assert hint.startswith("Left blank, it takes the Boavizta reference figure of the category")
    assert f"Laptop {laptop:.1f}\u00a0kWh; Desktop computer " in hint
    assert "Enter the supplier's figure (its PCF) to use it instead." in hint


def test_the_hint_is_in_french_for_a_french_officer(client, make):
    # Boavizta's average power over the working hours: 75 W × 1,607 h is 120.5 kWh.
    laptop = category_reference("laptop").use_kwh_per_year
    hint = _hint(client, make, "fr")
    assert hint.startswith("Laissé vide, il prend le chiffre de référence Boavizta")
    written = f"{laptop:.1f}".replace(".", ",")
    assert f"Ordinateur portable {written}\u00a0kWh\u00a0; Ordinateur fixe" in hint
    assert (
        "puissance moyenne × 1\u202f607 heures d'utilisation par an, durée annuelle légale "
        "du travail" in hint
    )


def test_the_edit_form_has_it_too(client, make, make_item):
    item = make_item()
    assert "Boavizta" in _hint(client, make, "en", f"/catalogue/admin/items/{item.id}/edit")
