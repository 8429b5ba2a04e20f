"""Importing an older file quietly undid what was changed in the portal since (« Retiré »
back to « Disponible », alternatives emptied): the preview marks each update of an item
changed in the portal after the last import, with both dates, from the audit log."""

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.conftest import Auth, login

FILE = (
    "code,kind,category,name_fr,name_en,embodied_kgco2e,source,status\n"
    "EQ-1,equipment,laptop,Portable,Laptop,200,Fiche,available\n"
    "EQ-2,equipment,laptop,Portable 2,Laptop 2,210,Fiche,available\n"
)
DAY = timedelta(days=1)


@pytest.fixture
def admin(make):
    return make.user(roles=("admin",), locale="fr")


@pytest.fixture
def imported(admin, request_context):
    """The file imported on 15 June 2026: EQ-1 and EQ-2 as it gives them."""
    assert import_catalogue_csv(FILE, admin, NOW, GRID).ok
    db.session.commit()
    return {item.code: item for item in db.session.scalars(select(CatalogueItem))}


def _preview(client, admin, text: str) -> str:
    login(client, admin)
    response = Auth(client).post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    return html.unescape(response.text).replace("\u202f", " ").replace("\u00a0", " ")


def _row(page: str, code: str) -> str:
    return re.search(rf'<td class="import-code">{code}</td>.*?</tr>', page, re.S).group(0)


def test_an_item_withdrawn_in_the_portal_since_the_import_is_marked(client, admin, imported):
    catalogue.discontinue_item(imported["EQ-1"], admin, NOW + DAY)
    db.session.commit()
    page = _preview(client, admin, FILE.replace(",210,", ",220,"))
    assert (
        "Modifié dans le portail le 16 juin 2026, après le dernier import (15 juin 2026) : "
        "ce fichier peut défaire cette modification." in _row(page, "EQ-1")
    )
    assert "Modifié dans le portail" not in _row(page, "EQ-2")  # changed by the file alone
    assert "1 article à modifier a été modifié dans le portail après le dernier import" in page


def test_a_change_made_before_the_last_import_is_not_marked(
    client, admin, make_item, request_context
):
    item = make_item(code="EQ-1", embodied_kgco2e=150.0)
    catalogue.discontinue_item(item, admin, NOW - DAY)
    db.session.commit()
    assert import_catalogue_csv(FILE.replace("EQ-1", "EQ-9"), admin, NOW, GRID).ok
    db.session.commit()
    page = _preview(client, admin, FILE)
    assert "EQ-1" in page and "Modifié dans le portail" not in page


def test_without_any_import_nothing_is_marked(client, admin, make_item, request_context):
    item = make_item(code="EQ-1", embodied_kgco2e=150.0)
    catalogue.discontinue_item(item, admin, NOW)
    db.session.commit()
    page = _preview(client, admin, FILE)
    assert "EQ-1" in page and "Modifié dans le portail" not in page
