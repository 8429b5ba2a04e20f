"""The audit log words an import's counts as what was imported: departments and communes
read « 2 directions créées », not the catalogue's « articles »."""

import html
import io
from datetime import UTC, datetime

import pytest

from app.core import reference
from app.core.audit import record_audit
from app.extensions import db
from tests.conftest import login

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _details(client, query: str = "") -> list[str]:
    """The Details cells of the audit log's rows."""
    page = html.unescape(client.get(f"/admin/audit{query}").get_data(as_text=True))
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row.rsplit("<td>", 1)[1].split("</td>", 1)[0] for row in table.split("</tr>")[:-1]]


@pytest.mark.parametrize(
    ("locale", "worded"),
    [
        ("fr", "2 directions créées · 1 direction modifiée"),
        ("en", "2 departments created · 1 department updated"),
    ],
)
def test_a_department_import_counts_departments(client, auth, make, locale, worded):
    admin = make.user(roles=("admin",), locale=locale)
    make.department(code="DX", name_fr="Ancienne", name_en="Old")
    login(client, admin)
    text = "code,name_fr,name_en\nDX,Direction X,Department X\nDA,Dir A,Dep A\nDB,Dir B,Dep B\n"
    answer = auth.post(
        "/admin/departments",
        {"file": (io.BytesIO(text.encode()), "departments.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    assert _details(client, "?action=import") == [worded]


@pytest.mark.parametrize(
    ("locale", "worded"),
    [
        ("fr", "1 commune créée · 0 commune modifiée"),
        ("en", "1 commune created · 0 communes updated"),
    ],
)
def test_a_commune_import_counts_communes(client, make, locale, worded):
    admin = make.user(roles=("admin",), locale=locale)
    text = "insee_code,name,latitude,longitude\n33999,Nouvelle,44.8,-0.6\n"
    assert not reference.import_communes(text, NOW, actor=admin).problems
    db.session.commit()
    login(client, admin)
    assert _details(client, "?action=import") == [worded]


def test_the_catalogue_import_still_counts_items(client, make):
    admin = make.user(roles=("admin",), locale="fr")
    record_audit(admin, "import", "catalogue_item", "csv", NOW, "3 created, 1 updated, 0 unchanged")
    db.session.commit()
    login(client, admin)
    assert _details(client) == ["3 articles créés · 1 article modifié · 0 article inchangé"]


def test_containing_finds_each_import_by_its_own_words(client, make):
    """« direction créée » finds the departments' import; « article » only the catalogue's."""
    admin = make.user(roles=("admin",), locale="fr")
    record_audit(admin, "import", "department", "", NOW, "2 created, 1 updated")
    record_audit(admin, "import", "commune", "", NOW, "1 created, 0 updated")
    record_audit(admin, "import", "catalogue_item", "csv", NOW, "3 created, 1 updated, 0 unchanged")
    db.session.commit()
    login(client, admin)
    assert _details(client, "?text=directions créées") == [
        "2 directions créées · 1 direction modifiée"
    ]
    assert _details(client, "?text=commune créée") == ["1 commune créée · 0 commune modifiée"]
    assert _details(client, "?text=articles créés") == [
        "3 articles créés · 1 article modifié · 0 article inchangé"
    ]
