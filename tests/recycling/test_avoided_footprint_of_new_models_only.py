"""A device returned and reused is compared with making a new one: the avoided
manufacturing figure per device type is the median of the catalogue's new models only. A
refurbished model's figure, a share of a new one's, moved it as models came and went (the
printers' was the refurbished A3's 250 kg); a type with refurbished models only takes the
reference's, as one with none."""

import csv
import io

import pytest

from app.catalogue.models import CatalogueItem
from app.catalogue.reference import category_reference
from app.catalogue.services import complete_footprint
from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import NOW


def _model(category: str, name_fr: str, name_en: str, embodied: float) -> None:
    """An available catalogue model of `category`, its figures a hand estimate."""
    values = complete_footprint(
        {"code": name_en.upper().replace(" ", "-")[:40], "kind": "equipment",
         "category": category, "name_fr": name_fr, "name_en": name_en,
         "description_fr": "", "description_en": "", "source": "Devis du fournisseur",
         "embodied_kgco2e": embodied, "lifetime_years": 6.0, "use_kwh_per_year": 100.0},
        0.052,
    )  # fmt: skip
    db.session.add(CatalogueItem(**{k: v for k, v in values.items() if hasattr(CatalogueItem, k)}))
    db.session.commit()


def _avoided_by_reused(client, make, rec, device_type: str) -> float:
    """The open data's avoided footprint of one `device_type` received and reused."""
    point = rec.point()
    agent = rec.agent(point)
    reused = rec.device_return(
        make.user(), point, device_type, wipe_requested=False, data_wiped=True
    )
    services.confirm_receipt(reused, agent, NOW)
    services.record_outcome(reused, agent, "reused", NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    rows = csv.DictReader(io.StringIO(client.get("/recycling/admin/statistics.csv").text))
    [row] = [row for row in rows if row["device_type"] == device_type]
    return float(row["kgco2e_avoided"])


def test_a_refurbished_printer_leaves_the_new_ones_median(client, make, rec):
    _model("printer", "Multifonction partagée (A3)", "Shared A3 printer", 900)
    _model("printer", "Multifonction A3 reconditionnée", "Refurbished A3 printer", 250)
    assert _avoided_by_reused(client, make, rec, "printer") == pytest.approx(900)


def test_refurbished_laptops_alone_leave_the_reference_figure(client, make, rec):
    _model("laptop", "Portable 14 pouces reconditionné", "Refurbished 14-inch laptop", 45)
    reference = category_reference("laptop").embodied_kgco2e
    assert _avoided_by_reused(client, make, rec, "laptop") == pytest.approx(reference)
