"""The admin's catalogue tools: a confirmed import never undoes later edits, a
file of some columns leaves the others alone, each imported item is audited, a
discontinued item can be offered again, the preview tells close figures apart."""

import io
import re

from sqlalchemy import select

from app.catalogue.models import CatalogueItem
from app.core.audit import AuditEvent
from app.extensions import db
from tests.conftest import login

CONFIRM = "/catalogue/admin/import/confirm"
SHORT = "code,kind,category,name_fr,name_en\n"


def _upload(auth, text: str):
    return auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def _confirmation(page: str) -> dict[str, str]:
    """The preview's confirm form: its file's token and what the admin saw."""
    fields = {}
    for name in ("token", "preview"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        fields[name] = re.search(r'value="([^"]+)"', tag).group(1)
    return fields


def _item(code: str) -> CatalogueItem:
    return db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == code))


def _changes(page: str) -> list[str]:
    return re.findall(r"<li>([^<>:]+?\u00a0?: .*?)</li>", page)


def _admin(client, make, locale="en"):
    login(client, make.user(roles=("admin",), locale=locale))


# 1. A confirmation refused when the catalogue changed since its preview --------------------


def test_confirming_after_an_edit_shows_the_preview_again_and_writes_nothing(
    client, auth, make, make_item
):
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop")
    preview = _upload(auth, SHORT + "EQ-1,equipment,laptop,Portable,Office laptop\n").text
    edited = _item("EQ-1")
    edited.name_en = "Edited meanwhile"
    db.session.commit()

    response = auth.post(CONFIRM, _confirmation(preview))

    assert response.status_code == 422
    assert (
        "The catalogue changed since this preview: check the differences again before "
        "confirming." in response.text
    )
    assert _changes(response.text) == ["Name in English: Edited meanwhile → Office laptop"]
    assert _item("EQ-1").name_en == "Edited meanwhile"


def test_the_preview_shown_again_can_be_confirmed(client, auth, make, make_item):
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop")
    preview = _upload(auth, SHORT + "EQ-1,equipment,laptop,Portable,Office laptop\n").text
    edited = _item("EQ-1")
    edited.name_en = "Edited meanwhile"
    db.session.commit()
    again = auth.post(CONFIRM, _confirmation(preview)).text

    assert auth.post(CONFIRM, _confirmation(again)).status_code == 302
    assert _item("EQ-1").name_en == "Office laptop"


# 2. A file of some columns leaves the others alone --------------------------------------------


def test_a_file_of_some_columns_keeps_what_it_leaves_out(client, auth, make, make_item):
    _admin(client, make)
    make_item(code="ALT-1")
    make_item(
        code="EQ-1",
        name_fr="Portable",
        name_en="Laptop",
        embodied_kgco2e=181.0,
        source="Maker sheet 2025",
        source_url="https://example.org/sheet",
        estimate=True,
        description_en="Kept",
    ).alternatives = [_item("ALT-1")]
    db.session.commit()
    preview = _upload(auth, SHORT + "EQ-1,equipment,laptop,Portable,Office laptop\n").text
    assert _changes(preview) == ["Name in English: Laptop → Office laptop"]

    auth.post(CONFIRM, _confirmation(preview))

    item = _item("EQ-1")
    assert (item.name_en, item.embodied_kgco2e, item.source, item.source_url) == (
        "Office laptop",
        181.0,
        "Maker sheet 2025",
        "https://example.org/sheet",
    )
    assert item.estimate and item.description_en == "Kept"
    assert [a.code for a in item.alternatives] == ["ALT-1"]


def test_an_empty_cell_of_a_column_the_file_has_still_empties_it(client, auth, make, make_item):
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop", source_url="https://ex.org/a")
    text = SHORT.replace("\n", ",source_url\n") + "EQ-1,equipment,laptop,Portable,Laptop,\n"
    preview = _upload(auth, text).text
    assert _changes(preview) == ["Source address: https://ex.org/a → <em>empty</em>"]

    auth.post(CONFIRM, _confirmation(preview))

    assert _item("EQ-1").source_url == ""


def test_a_new_item_of_such_a_file_takes_its_categorys_reference(client, auth, make):
    _admin(client, make)
    preview = _upload(auth, SHORT + "EQ-9,equipment,laptop,Portable,Laptop\n").text

    auth.post(CONFIRM, _confirmation(preview))

    item = _item("EQ-9")
    assert item.embodied_kgco2e and item.source.startswith("Boavizta API")


# 3. Each imported item audited under its code -------------------------------------------------


def test_each_item_an_import_creates_or_updates_has_its_own_audit_event(
    client, auth, make, make_item
):
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop", embodied_kgco2e=200.0)
    text = SHORT.replace("\n", ",embodied_kgco2e,source\n") + (
        "EQ-1,equipment,laptop,Portable,Laptop,181,Test source v1\n"
        "EQ-2,equipment,laptop,Portable 2,Laptop 2,,\n"
    )
    auth.post(CONFIRM, _confirmation(_upload(auth, text).text))

    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.summary).order_by(AuditEvent.id)
    ).all()
    # A creation records the figures and source the item starts with, as an edit would.
    created = events[0].summary
    assert created.startswith('EQ-2: name_fr "" -> "Portable 2"')
    assert "embodied_kgco2e - -> 181;" in created and 'source "" -> "Boavizta' in created
    assert [tuple(event) for event in events[1:]] == [
        ("update", "EQ-1: embodied_kgco2e 200 -> 181"),
        ("import", "1 created, 1 updated, 0 unchanged"),
    ]


# 4. "Make available again" --------------------------------------------------------------------


def test_an_admin_makes_a_discontinued_item_available_again(client, auth, make, make_item):
    _admin(client, make)
    item = make_item(code="EQ-1", name_en="Old dock", status="discontinued")
    page = client.get(f"/catalogue/items/{item.id}").text
    assert 'data-confirm="Make Old dock available again? People can request it again."' in page

    response = auth.post(f"/catalogue/admin/items/{item.id}/make-available")

    assert response.status_code == 302 and response.location == f"/catalogue/items/{item.id}"
    assert _item("EQ-1").status == "available"
    assert "Add to my request" in client.get(response.location).text
    summaries = db.session.scalars(select(AuditEvent.summary)).all()
    assert summaries == ["EQ-1: status discontinued -> available"]


def test_making_available_again_returns_only_to_a_page_of_the_portal(client, auth, make, make_item):
    _admin(client, make)
    item = make_item(status="discontinued")
    url = f"/catalogue/admin/items/{item.id}/make-available"
    back = auth.post(url, headers={"Referer": "http://localhost/catalogue/?q=dock"})
    assert back.location == "/catalogue/?q=dock"
    item = make_item(status="discontinued")
    url = f"/catalogue/admin/items/{item.id}/make-available"
    away = auth.post(url, headers={"Referer": "https://elsewhere.example/catalogue/"})
    assert away.location == f"/catalogue/items/{item.id}"


def test_making_available_again_needs_an_admin_and_the_csrf_token(client, auth, make, make_item):
    item = make_item(status="discontinued")
    url = f"/catalogue/admin/items/{item.id}/make-available"
    login(client, make.user(locale="en"))
    assert auth.post(url).status_code == 403
    _admin(client, make)
    assert client.post(url).status_code == 400
    assert _item(item.code).status == "discontinued"


# 5. The preview's figures and statuses as the admin reads them --------------------------------


def test_the_preview_tells_close_figures_apart_and_names_statuses_in_french(
    client, auth, make, make_item
):
    _admin(client, make, locale="fr")
    make_item(code="SV-1", kind="service", name_fr="Messagerie", name_en="E-mail",
              use_kgco2e_per_year=0.13, status="discontinued")  # fmt: skip
    text = SHORT.replace("\n", ",use_kgco2e_per_year,status\n") + (
        'SV-1,service,email,Messagerie,E-mail,"0,1304",available\n'
    )
    changes = _changes(_upload(auth, text).text)
    assert (
        "Utilisation par an (kg CO₂e, par utilisateur pour un service)\u00a0: 0,13 → 0,1304"
        in changes
    )
    assert "Statut\u00a0: Retiré → Disponible" in changes


def test_an_import_changing_users_estimate_and_category_says_so_in_the_audit_log(
    client, auth, make, make_item
):
    """The event read only « SV-1 » for a change the preview had listed."""
    _admin(client, make, locale="fr")
    make_item(
        code="SV-1", kind="service", category="email", name_fr="Messagerie", name_en="Mail",
        user_count=19719, estimate=True, use_kgco2e_per_year=3.0,
    )  # fmt: skip
    text = "code,kind,category,name_fr,name_en,user_count,estimate\n"
    text += "SV-1,service,storage,Messagerie,Mail,,false\n"
    auth.post(CONFIRM, _confirmation(_upload(auth, text).text))

    summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "update"))
    assert summary == "SV-1: user_count 19719 -> -; category email -> storage; estimate yes -> no"
    log = client.get("/admin/audit?text=SV-1").text.replace("\u00a0", " ").replace("\u202f", " ")
    assert "Utilisateurs : 19 719 → –" in log and "Chiffres estimés : Oui → Non" in log
