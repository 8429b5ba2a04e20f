"""Two admins saving one code at the same moment (`lap-race-1` and `LAP-RACE-1`): both
pass the check that looks first, and the database's unique index on lower(code) refuses
the second, which is told at the code field, naming the item, as a code taken before."""

import html
import io
import re
from contextlib import contextmanager

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.catalogue import services
from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.catalogue.test_item_codes import FORM as ITEM_FORM
from tests.conftest import login

FORM = ITEM_FORM | {"code": "lap-race-1"}
TAKEN = "Item LAP-RACE-1, “Laptop saved first”, already has this code (capital letters aside)."


@contextmanager
def saved_meanwhile(code="LAP-RACE-1"):
    """Another admin's item with `code`, committed on a connection of its own as this
    session writes an item: after every check, just before its insert or update."""
    done = []

    def other_admin_saves(session, _context, _instances):
        writing = [o for o in (*session.new, *session.dirty) if isinstance(o, CatalogueItem)]
        if done or not writing:
            return
        done.append(True)
        values = services.complete_footprint(
            {
                "code": code,
                "kind": "equipment",
                "category": "laptop",
                "name_fr": "Portable enregistré avant",
                "name_en": "Laptop saved first",
                "source": "Study 2024",
                "embodied_kgco2e": 150.0,
                "lifetime_years": 4.0,
                "use_kwh_per_year": 20.0,
            },
            GRID,
        )
        with Session(db.engine) as other:
            other.add(
                CatalogueItem(**{k: v for k, v in values.items() if hasattr(CatalogueItem, k)})
            )
            other.commit()

    event.listen(Session, "before_flush", other_admin_saves)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", other_admin_saves)


def _count(code: str) -> int:
    return db.session.scalar(
        select(func.count(CatalogueItem.id)).where(func.lower(CatalogueItem.code) == code)
    )


def _error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def test_the_second_of_two_forms_saving_one_code_is_told_at_the_code_field(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    with saved_meanwhile():
        response = auth.post("/catalogue/admin/items/new", FORM)
    assert response.status_code == 422 and _error(response.text, "code") == TAKEN
    assert _count("lap-race-1") == 1


def test_an_edit_racing_for_a_code_is_told_at_the_code_field(client, auth, make, make_item):
    item = make_item(code="LAP-OLD-1")
    login(client, make.user(roles=("admin",), locale="en"))
    with saved_meanwhile():
        response = auth.post(f"/catalogue/admin/items/{item.id}/edit", FORM)
    assert response.status_code == 422 and _error(response.text, "code") == TAKEN
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).code == "LAP-OLD-1"


def test_the_service_refuses_a_code_taken_between_its_check_and_its_write(make, request_context):
    admin = make.user(roles=("admin",))
    values = {**FORM, "embodied_kgco2e": 200.0, "lifetime_years": 4.0, "use_kwh_per_year": 30.0}
    with saved_meanwhile():
        try:
            services.create_item(values, admin, NOW, GRID)
        except services.CatalogueError as error:
            refused = (error.field, str(error))
        else:
            refused = None
    db.session.rollback()
    assert refused == ("code", TAKEN)


def test_an_import_confirmed_as_another_admin_takes_a_code_lists_that_line(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = (
        "code,kind,category,name_fr,name_en,use_kgco2e_per_year,source\n"
        "SV-OK-1,service,email,Messagerie,E-mail,4,Study 2024\n"
        "lap-race-1,service,email,Messagerie 2,E-mail 2,4,Study 2024\n"
    )
    preview = auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    token = re.search(r'name="token"[^>]*value="([^"]+)"', preview.text).group(1)
    seen = re.search(r'name="preview"[^>]*value="([^"]+)"', preview.text).group(1)
    with saved_meanwhile():
        response = auth.post("/catalogue/admin/import/confirm", {"token": token, "preview": seen})
    assert response.status_code == 422
    assert TAKEN in html.unescape(response.text)
    assert _count("sv-ok-1") == 0


def test_an_import_applied_as_another_admin_takes_a_code_says_which_line(make, request_context):
    text = (
        "code,kind,category,name_fr,name_en,use_kgco2e_per_year,source\n"
        "lap-race-1,service,email,Messagerie,E-mail,4,Study 2024\n"
    )
    with saved_meanwhile():
        result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)
    db.session.rollback()
    assert [(p.line, p.column, p.message) for p in result.problems] == [(2, "code", TAKEN)]
