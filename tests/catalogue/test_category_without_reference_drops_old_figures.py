"""An item whose figures came from its category's reference (Boavizta), moved to a
category without reference data (printer), is refused at the figures, saying the old
category's figure, range, lifetime and citation no longer apply, with those fields shown
blank and what was typed elsewhere kept; the import refuses the line alike (review: the
save was refused at « Fabrication » while it still showed the laptop's 181 kg, and the
import made a printer of the laptop's figures and citation)."""

import html
import io

from app.catalogue.models import CatalogueItem
from app.catalogue.reference import archetype_reference
from app.extensions import db
from tests.catalogue.test_category_change_follows_reference import (
    EDIT,
    _admin,
    _edit_form,
    _FormValues,
    _new_laptop,
)

IMPORT = "/catalogue/admin/import"
LAPTOP = archetype_reference("laptop-pro")
REFERENCE_FIELDS = (
    "embodied_kgco2e",
    "embodied_min_kgco2e",
    "embodied_max_kgco2e",
    "use_kwh_per_year",
    "use_kwh_min",
    "use_kwh_max",
    "lifetime_years",
    "source",
    "source_url",
)


def _moved_to_printer(client, auth, item, **typed):
    sent = _edit_form(client, item.id) | {"category": "printer"} | typed
    return auth.post(EDIT.format(item.id), sent)


def _stored(item_id) -> CatalogueItem:
    db.session.expire_all()
    return db.session.get(CatalogueItem, item_id)


def _page_values(answer) -> dict:
    parser = _FormValues()
    parser.feed(answer.text)
    return parser.values


def test_a_laptop_moved_to_printers_is_told_its_reference_figure_no_longer_applies(client, make):
    auth = _admin(client, make)
    item = _new_laptop(auth)
    answer = _moved_to_printer(client, auth, item)
    assert answer.status_code == 422
    page = html.unescape(answer.text)
    assert (
        "La catégorie Imprimante n'a pas de chiffres de référence (Boavizta)\u00a0: "
        "l'empreinte de fabrication de la catégorie Ordinateur portable, avec sa fourchette, "
        "sa durée de vie et sa citation, ne s'applique plus à cet article."
    ) in page
    assert "Aucune donnée de référence n'existe pour cette catégorie" not in page


def test_the_refusal_is_said_in_english_at_the_manufacturing_field(client, make):
    auth = _admin(client, make, locale="en")
    item = _new_laptop(auth)
    page = html.unescape(_moved_to_printer(client, auth, item).text)
    error = page.split('id="embodied_kgco2e-error">', 1)[1].split("</p>", 1)[0]
    assert error.startswith(
        "The category Printer has no reference figures (Boavizta): the manufacturing "
        "footprint of the category Laptop, with its range, lifetime and citation, no longer "
        "applies to this item. Enter this item's own figure and its source, or choose a "
        "category that has reference data."
    )


def test_the_refused_form_shows_the_reference_fields_blank_and_keeps_what_was_typed(client, make):
    auth = _admin(client, make)
    item = _new_laptop(auth)
    answer = _moved_to_printer(client, auth, item, name_fr="Imprimante couleur")
    shown = _page_values(answer)
    assert {name: shown[name] for name in REFERENCE_FIELDS} == dict.fromkeys(REFERENCE_FIELDS, "")
    assert (shown["category"], shown["name_fr"]) == ("printer", "Imprimante couleur")


def test_nothing_is_saved_when_the_move_is_refused(client, make):
    auth = _admin(client, make)
    item = _new_laptop(auth)
    _moved_to_printer(client, auth, item, name_fr="Imprimante couleur")
    stored = _stored(item.id)
    assert (stored.category, stored.name_fr, stored.embodied_kgco2e) == (
        "laptop",
        "Portable",
        LAPTOP.embodied_kgco2e,
    )


def test_the_refused_form_saved_with_the_printers_own_figures_keeps_none_of_the_laptops(
    client, make
):
    auth = _admin(client, make)
    item = _new_laptop(auth)
    refused = _moved_to_printer(client, auth, item, name_fr="Imprimante couleur")
    sent = _page_values(refused) | {"embodied_kgco2e": "60", "source": "Fiche fabricant 2025"}
    assert auth.post(EDIT.format(item.id), sent).status_code == 302
    stored = _stored(item.id)
    assert (stored.category, stored.name_fr, stored.embodied_kgco2e, stored.use_kwh_per_year) == (
        "printer",
        "Imprimante couleur",
        60,
        None,
    )
    assert (stored.embodied_min_kgco2e, stored.embodied_max_kgco2e) == (None, None)
    assert (stored.source, stored.source_url) == ("Fiche fabricant 2025", "")


def test_figures_typed_with_their_source_move_to_printers_unrefused(client, make):
    auth = _admin(client, make)
    item = _new_laptop(
        auth, embodied_kgco2e="90", use_kwh_per_year="20", source="Mesure interne 2025"
    )
    assert _moved_to_printer(client, auth, item).status_code == 302
    stored = _stored(item.id)
    assert (stored.category, stored.embodied_kgco2e, stored.use_kwh_per_year) == (
        "printer",
        90,
        20,
    )


def _import(auth, text: str):
    return auth.post(IMPORT, {"file": (io.BytesIO(text.encode()), "catalogue.csv")})


def _exported_as_printer(client) -> str:
    header, line = client.get("/catalogue/export.csv").text.splitlines()[:2]
    return f"{header}\n{line.replace(',laptop,', ',printer,', 1)}\n"


def test_an_imported_line_moving_the_laptop_to_printers_is_refused_at_its_figures(client, make):
    auth = _admin(client, make, locale="en")
    _new_laptop(auth)
    answer = _import(auth, _exported_as_printer(client))
    assert answer.status_code == 422
    page = html.unescape(answer.text)
    assert "Nothing was imported" in page
    assert (
        "The category Printer has no reference figures (Boavizta): the manufacturing "
        "footprint of the category Laptop, with its range, lifetime and citation, no longer "
        "applies to this item."
    ) in page
    assert "the electricity use of the category Laptop, with its range and citation" in page


def test_a_refused_import_leaves_the_laptop_as_it_was(client, make):
    auth = _admin(client, make)
    item = _new_laptop(auth)
    _import(auth, _exported_as_printer(client))
    stored = _stored(item.id)
    assert (stored.category, stored.embodied_kgco2e) == ("laptop", LAPTOP.embodied_kgco2e)


def test_a_line_without_figure_columns_does_not_give_the_printer_the_laptops_figures(client, make):
    auth = _admin(client, make)
    item = _new_laptop(auth)
    answer = _import(
        auth, "code,kind,category,name_fr,name_en\nLAP-REF,equipment,printer,Portable,Laptop\n"
    )
    assert answer.status_code == 422
    assert "La catégorie Imprimante n'a pas de chiffres de référence" in html.unescape(answer.text)
    assert _stored(item.id).category == "laptop"


def test_an_imported_line_with_the_printers_own_figures_is_previewed(client, make):
    auth = _admin(client, make, locale="en")
    _new_laptop(auth)
    text = (
        "code,kind,category,name_fr,name_en,embodied_kgco2e,embodied_min_kgco2e,"
        "embodied_max_kgco2e,use_kwh_per_year,use_kwh_min,use_kwh_max,lifetime_years,"
        "source,source_url\n"
        "LAP-REF,equipment,printer,Portable,Laptop,60,,,,,,5,Fiche fabricant 2025,\n"
    )
    answer = _import(auth, text)
    assert answer.status_code == 200
    assert "Category: Laptop → Printer" in html.unescape(answer.text)
