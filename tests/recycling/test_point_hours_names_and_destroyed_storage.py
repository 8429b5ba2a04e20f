"""Points, returns and custody: doubtful hours and duplicate names
refused, no reuse after a destroyed storage, an unreadable wipe date named, a point's
edit audited before -> after, asset tags checked, a withdrawal said once."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.extensions import db
from app.recycling import services
from app.recycling.models import CollectionPoint, DeviceReturn
from tests.conftest import login
from tests.recycling.conftest import NOW, error_at, local_today


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _points() -> int:
    return db.session.scalar(select(func.count()).select_from(CollectionPoint))


def _hours_error(auth, point_data, hours: str) -> str:
    before = _points()
    response = auth.post("/recycling/admin/points/new", {**point_data, "opening_hours": hours})
    assert response.status_code == 422 and _points() == before
    return " ".join(error_at(_text(response), "opening_hours").split())


# --- 1. doubtful hours and a duplicate name, refused at their field ---------------------------


def test_hours_never_open_are_refused_pointing_to_a_temporary_closure(auth, point_data):
    error = _hours_error(auth, point_data, "off")
    assert "never opens" in error and "“Close temporarily”" in error


def test_a_range_ending_before_it_starts_is_refused_naming_it(auth, point_data):
    error = _hours_error(auth, point_data, "Mo-Fr 17:00-08:00")
    assert "“17:00-08:00” does not end after it starts" in error


def test_overlapping_ranges_are_refused_naming_both(auth, point_data):
    error = _hours_error(auth, point_data, "Mo-Fr 08:00-12:00,10:00-14:00")
    assert "“08:00-12:00” and “10:00-14:00” overlap" in error and "(08:00-14:00)" in error


def test_hours_up_to_midnight_and_touching_ranges_are_kept(auth, point_data):
    hours = "Mo-Fr 08:00-12:00,12:00-24:00; PH off"
    response = auth.post("/recycling/admin/points/new", {**point_data, "opening_hours": hours})
    assert response.status_code == 302


def test_a_second_point_of_the_same_name_in_the_commune_is_refused(auth, point_data):
    assert auth.post("/recycling/admin/points/new", point_data).status_code == 302
    again = auth.post(
        "/recycling/admin/points/new", {**point_data, "name": "  mairie DE  bassens "}
    )
    assert again.status_code == 422 and _points() == 1
    assert "already exists in this commune" in error_at(_text(again), "name")


def test_a_point_saved_again_keeps_its_own_name(auth, point_data):
    auth.post("/recycling/admin/points/new", point_data)
    point = db.session.scalar(select(CollectionPoint))
    edited = auth.post(f"/recycling/admin/points/{point.id}/edit", point_data)
    assert edited.status_code == 302


def test_the_same_name_in_another_commune_is_accepted(auth, make, point_data):
    auth.post("/recycling/admin/points/new", point_data)
    elsewhere = make.commune(name="Lormont", latitude=44.8792, longitude=-0.5217)
    data = {**point_data, "commune_id": elsewhere.id, "latitude": "44.88"}
    assert auth.post("/recycling/admin/points/new", data).status_code == 302


# --- 2. after a physical destruction, only recycling ---------------------------------------


def _destroyed(make, rec):
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point, "laptop")
    services.confirm_receipt(device_return, agent, NOW)
    services.record_wipe(
        device_return, agent, "physical_destruction", NOW.date(), "CERT-9", NOW + timedelta(hours=1)
    )
    db.session.commit()
    return device_return, agent


def test_a_destroyed_storage_refuses_refurbishing_and_changes_nothing(make, rec):
    device_return, agent = _destroyed(make, rec)
    with pytest.raises(services.ReturnError) as refused:
        services.record_outcome(
            device_return, agent, "refurbished", NOW + timedelta(hours=2), recipient="Ecologic"
        )
    assert refused.value.field == "outcome"
    assert db.session.get(DeviceReturn, device_return.id).status == "wiped"


def test_a_destroyed_storage_may_still_be_recycled(make, rec):
    device_return, agent = _destroyed(make, rec)
    services.record_outcome(
        device_return, agent, "recycled", NOW + timedelta(hours=2), recipient="Ecologic"
    )
    assert device_return.status == "recycled"


def test_the_desk_offers_only_recycling_after_a_physical_destruction(client, make, rec):
    device_return, agent = _destroyed(make, rec)
    login(client, agent)
    page = _text(client.get(f"/recycling/agent/returns/{device_return.receipt_number}"))
    assert re.findall(r'name="outcome" value="(\w+)"', page) == ["recycled"]


def test_a_refurbishing_posted_after_a_destruction_is_refused_at_its_field(client, auth, make, rec):
    device_return, agent = _destroyed(make, rec)
    login(client, agent)
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    refused = auth.post(f"{base}/outcome", {"outcome": "refurbished", "recipient": "Ecoreso"})
    assert refused.status_code == 422
    assert "détruit physiquement" in error_at(_text(refused), "outcome")
    assert db.session.get(DeviceReturn, device_return.id).status == "wiped"


# --- 3. a wipe date with a five-digit year ----------------------------------------------------


def test_a_wipe_date_with_a_five_digit_year_is_named_unreadable(client, auth, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point, "laptop")
    login(client, agent)
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    auth.post(f"{base}/receive")
    year, rest = local_today().split("-", 1)
    data = {"method": "software_overwrite", "wipe_date": f"{year}6-{rest}",
            "certificate_number": "CERT-1"}  # fmt: skip
    refused = auth.post(f"{base}/wipe", data)
    error = error_at(_text(refused), "wipe_date")
    assert "année de quatre chiffres" in error and "requis" not in error
    assert db.session.get(DeviceReturn, device_return.id).status == "received"


# --- 4. a point's edit, audited before -> after ---------------------------------------------


def test_editing_a_points_hours_shows_them_before_and_after_in_the_audit_log(auth, point_data):
    auth.post("/recycling/admin/points/new", point_data)
    point = db.session.scalar(select(CollectionPoint))
    changed = {**point_data, "opening_hours": "Mo-Fr 09:00-17:00"}
    assert auth.post(f"/recycling/admin/points/{point.id}/edit", changed).status_code == 302
    event = db.session.scalar(select(AuditEvent).filter_by(action="update"))
    assert event.object_id == str(point.id)
    page = " ".join(_text(auth.client.get("/admin/audit")).split())
    assert "Mairie de Bassens · Opening hours: “Mo-Fr 09:00-12:00” → “Mo-Fr 09:00-17:00”" in page


# --- 5. asset tags ---------------------------------------------------------------------------


def _declare(auth, point, tag: str, device_type: str = "laptop"):
    return auth.post(
        "/recycling/returns/new",
        {
            "collection_point_id": point.id,
            "device_type": device_type,
            "condition": "working",
            "asset_tag": tag,
            "wipe_requested": "y",
        },
    )


@pytest.mark.parametrize("tag", ["<script>alert(1)</script>", "x" * 41, "BM-PC-"])
def test_a_tag_that_no_label_can_be_is_refused_at_its_field(client, auth, make, rec, tag):
    point = rec.point()
    login(client, make.user())
    refused = _declare(auth, point, tag)
    assert refused.status_code == 422 and "Un numéro d'inventaire" in error_at(
        _text(refused), "asset_tag"
    )
    assert db.session.scalar(select(func.count()).select_from(DeviceReturn)) == 0


@pytest.mark.parametrize("tag", ["BM-PC-004213", "BM-LAP-D00012", "pc 0042", "2024/117.B"])
def test_real_asset_tags_are_accepted(client, auth, make, rec, tag):
    point = rec.point()
    login(client, make.user())
    assert _declare(auth, point, tag).status_code == 302


def test_a_tag_declared_for_ones_tablet_is_refused_for_a_laptop(client, auth, make, rec):
    point, owner = rec.point(), make.user()
    tablet = rec.device_return(owner, point, "tablet", asset_tag="BM-TAB-12")
    login(client, owner)
    refused = _declare(auth, point, "bm-tab-12", "laptop")
    assert refused.status_code == 422
    error = " ".join(error_at(_text(refused), "asset_tag").split())
    assert "autre type d'appareil, « Tablette »" in error and tablet.receipt_number in error
    assert db.session.scalar(select(func.count()).select_from(DeviceReturn)) == 1


# --- 6. a withdrawal says who once -----------------------------------------------------------


def test_a_withdrawn_step_says_by_you_once(client, make, rec):
    owner = make.user()
    device_return = rec.device_return(owner, rec.point())
    services.withdraw_return(owner, device_return, NOW)
    db.session.commit()
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    custody = page.split('<ol class="custody">', 1)[1].split("</ol>", 1)[0]
    withdrawn = next(li for li in custody.split("<li>") if "Retiré" in li)
    assert " ".join(re.sub(r"<[^>]+>", " ", withdrawn).split()).count("par vous") == 1
