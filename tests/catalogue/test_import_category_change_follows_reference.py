"""A line of the export moving a laptop to the desktop category: the figures it took from
the laptop's reference (Boavizta) follow the desktop's, as the item form's do, in the
preview and once confirmed; figures the line gives otherwise stay as given (review: a
laptop imported as a desktop kept the laptop's 181 kg and its `laptop-pro` citation)."""

import csv
import html
import io

from app.catalogue.reference import archetype_reference
from app.extensions import db
from tests.catalogue.test_import_keeps_edits_and_audits_each_item import (
    CONFIRM,
    _admin,
    _confirmation,
    _item,
    _upload,
)

LAPTOP = archetype_reference("laptop-pro")
DESKTOP = archetype_reference("desktop-pro")


def _laptop(make_item):
    """A laptop whose figures are its category's reference, as the form creates it."""
    item = make_item(source="", embodied_kgco2e=None, use_kwh_per_year=None, lifetime_years=None)
    assert item.embodied_kgco2e == LAPTOP.embodied_kgco2e and "laptop-pro" in item.source
    return item


def _exported_as_desktop(client, code: str, **cells) -> str:
    """The open-data export, `code`'s line moved to the desktop category (and `cells`)."""
    rows = list(csv.DictReader(io.StringIO(client.get("/catalogue/export.csv").text)))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(row | {"category": "desktop"} | cells for row in rows if row["code"] == code)
    return buffer.getvalue()


def _import(client, auth, text: str) -> str:
    preview = _upload(auth, text)
    assert preview.status_code == 200
    assert auth.post(CONFIRM, _confirmation(preview.text)).status_code == 302
    db.session.expire_all()
    return html.unescape(preview.text)


def test_an_exported_laptop_imported_as_a_desktop_takes_the_desktops_figures(
    client, auth, make, make_item
):
    _admin(client, make)
    code = _laptop(make_item).code
    preview = _import(client, auth, _exported_as_desktop(client, code))
    assert "desktop-pro" in preview
    changed = preview.split(code, 1)[1]
    assert "Manufacturing footprint" in changed and "laptop-pro" in changed  # old → new
    assert "181" in changed and "277" in changed
    item = _item(code)
    assert (item.category, item.embodied_kgco2e, item.use_kwh_per_year) == (
        "desktop",
        DESKTOP.embodied_kgco2e,
        DESKTOP.use_kwh_per_year,
    )
    assert (item.embodied_min_kgco2e, item.embodied_max_kgco2e, item.lifetime_years) == (
        DESKTOP.embodied_min_kgco2e,
        DESKTOP.embodied_max_kgco2e,
        DESKTOP.lifetime_years,
    )
    assert "desktop-pro" in item.source and "laptop-pro" not in item.source
    assert "laptop-pro" not in client.get("/catalogue/export.csv").text


def test_a_figure_the_line_gives_otherwise_stays_as_given(client, auth, make, make_item):
    _admin(client, make)
    code = _laptop(make_item).code
    text = _exported_as_desktop(
        client,
        code,
        use_kwh_per_year="30",
        use_kwh_min="",
        use_kwh_max="",
        source="Mesure interne 2025",
    )
    _import(client, auth, text)
    item = _item(code)
    assert (item.category, item.use_kwh_per_year) == ("desktop", 30)
    assert item.embodied_kgco2e == DESKTOP.embodied_kgco2e
    assert item.lifetime_years == DESKTOP.lifetime_years
    assert "Mesure interne 2025" in item.source and "desktop-pro" in item.source
    assert "laptop-pro" not in item.source
