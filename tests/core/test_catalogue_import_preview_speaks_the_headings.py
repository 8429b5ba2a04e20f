"""The catalogue import's preview named the file's columns by their code (« name_fr :
Clé USB → … », « lifetime_years : 5 → 6,5 », « grade et annual_kgco2e sont calculés »)
while the spreadsheet's headings and the audit log say « Nom en français », « Durée de
vie », « Étiquette »: it uses the spreadsheet's headings."""

import html
import io
import re

from app.catalogue.models import CatalogueItem
from app.catalogue.services import complete_footprint
from app.extensions import db
from tests.conftest import login

GRID = 0.052  # the grid factor the test items are made with
HEADER = "code,kind,category,name_fr,name_en,lifetime_years,grade\n"


def _laptop() -> CatalogueItem:
    values = complete_footprint(
        {
            "code": "EQ-USB", "kind": "equipment", "category": "laptop", "name_fr": "Clé",
            "name_en": "Stick", "source": "Test", "embodied_kgco2e": 200.0,
            "lifetime_years": 5.0, "use_kwh_per_year": 100.0,
        },
        GRID,
    )  # fmt: skip
    item = CatalogueItem(**{k: v for k, v in values.items() if hasattr(CatalogueItem, k)})
    db.session.add(item)
    db.session.commit()
    return item


def _preview(auth, line: str) -> str:
    answer = auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO((HEADER + line).encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    return html.unescape(answer.get_data(as_text=True))


def _changes(page: str) -> list[str]:
    return re.findall(r"<li>([^<]*\u00a0: [^<]*)</li>", page)


def test_the_preview_names_the_changed_columns_as_the_spreadsheet_heads_them(client, auth, make):
    item = _laptop()
    other_grade = "A" if item.grade != "A" else "B"
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _preview(auth, f'EQ-USB,equipment,laptop,Clé USB,Stick,"6,5",{other_grade}\n')
    changes = _changes(page)
    assert "Nom en français\u00a0: Clé → Clé USB" in changes
    assert "Durée de vie (ans)\u00a0: 5 → 6,5" in changes
    assert not [change for change in changes if "_" in change.split("\u00a0:")[0]]
    assert (
        "« Étiquette » et « Empreinte annuelle (kg CO₂e) » sont calculées à partir des "
        "chiffres : les valeurs du fichier n'ont pas été utilisées (EQ-USB)."
    ).replace(" »", "\u00a0»").replace("« ", "«\u00a0").replace(" :", "\u00a0:") in page
