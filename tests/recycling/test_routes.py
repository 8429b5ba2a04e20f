"""Pages of the recycling domain through the client."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from app.recycling.models import CollectionPoint, DeviceReturn
from tests.conftest import login
from tests.recycling.conftest import NOW, local_today


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_points_page_lists_the_nearest_to_the_work_commune_first(client, make, rec):
    home = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    far = make.commune(name="Ambès", latitude=45.011, longitude=-0.532)
    rec.point(commune=far, name="Point Ambès")
    rec.point(commune=home, name="Point Pessac")
    login(client, make.user(commune=home))
    page = _text(client.get("/recycling/"))
    assert page.index("Point Pessac") < page.index("Point Ambès")
    assert 'id="points-map"' in page and "vendor/leaflet/leaflet.js" in page


def test_the_browser_position_sorts_the_list_without_being_stored(client, make, rec):
    home = make.commune(latitude=44.806, longitude=-0.631)
    far = make.commune(latitude=45.011, longitude=-0.532)
    rec.point(commune=far, name="Point Nord")
    rec.point(commune=home, name="Point Sud")
    login(client, make.user(commune=home))
    page = _text(client.get("/recycling/?lat=45.01&lon=-0.53"))
    assert page.index("Point Nord") < page.index("Point Sud")
    assert _text(client.get("/recycling/?lat=999&lon=x")).count("Point") >= 2  # ignored, no 500


def test_map_base_is_our_own_geojson_of_communes(client, make):
    make.commune(name="Talence")
    login(client, make.user())
    body = client.get("/recycling/map/base.geojson").get_json()
    assert body["type"] == "FeatureCollection"
    assert "Talence" in {f["properties"]["name"] for f in body["features"]}


def test_no_tile_server_is_referenced_unless_configured(client, make, rec):
    rec.point()
    login(client, make.user())
    assert 'data-tile-url=""' in _text(client.get("/recycling/"))


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_poster_has_a_qr_code_for_the_return_form_with_the_point_chosen(client, make, rec, locale):
    """French first and English alongside, whatever the language of who prints it."""
    point = rec.point(name="Mairie de Bègles")
    login(client, make.user(locale=locale))
    page = html.unescape(_text(client.get(f"/recycling/points/{point.id}/poster")))
    assert "<svg" in page and f"/recycling/returns/new?point={point.id}" in page
    assert (
        "Rapportez vos appareils numériques" in page and "Bring back your digital devices" in page
    )
    assert "Horaires d'ouverture" in page and "Opening hours" in page
    assert "effacement certifié" in page and "certified wipe" in page
    form = _text(client.get(f"/recycling/returns/new?point={point.id}"))
    assert f'<option selected value="{point.id}">' in form


def test_the_return_form_preselects_each_persons_nearest_point(client, make, rec):
    """The form's fields are rendered once per preselected point and language: two
    people of different communes each get their own nearest point preselected."""
    north = make.commune(latitude=45.011, longitude=-0.532)
    south = make.commune(latitude=44.806, longitude=-0.631)
    near_north, near_south = rec.point(commune=north), rec.point(commune=south)
    for commune, point in ((north, near_north), (south, near_south), (north, near_north)):
        login(client, make.user(commune=commune))
        form = _text(client.get("/recycling/returns/new"))
        assert f'<option selected value="{point.id}">' in form
        assert f"At {point.name}," in form or f"À {point.name}," in form


def test_the_return_form_shows_a_renamed_point_at_once(client, make, rec):
    point = rec.point(name="Mairie de Floirac")
    login(client, make.user(locale="en"))
    assert "Mairie de Floirac" in _text(client.get("/recycling/returns/new"))
    point.name = "Hôtel de ville de Floirac"
    db.session.commit()
    form = _text(client.get("/recycling/returns/new"))
    assert "Hôtel de ville de Floirac" in form and "Mairie de Floirac" not in form


def test_a_poster_of_a_point_closed_since_preselects_the_nearest_open_one(client, make, rec):
    commune = make.commune()
    open_point = rec.point(commune=commune, name="Point ouvert")
    poster_point = rec.point(commune=commune, name="Point du poster")
    login(client, make.user(commune=commune, locale="en"))
    assert "At Point du poster," in _text(
        client.get(f"/recycling/returns/new?point={poster_point.id}")
    )  # its head is cached now
    poster_point.active = False
    db.session.commit()
    form = _text(client.get(f"/recycling/returns/new?point={poster_point.id}"))
    assert "At Point ouvert," in form and "At Point du poster," not in form
    assert f'<option selected value="{open_point.id}">' in form


def test_declaring_a_return_through_the_form_shows_the_receipt(client, auth, make, rec):
    point = rec.point()
    user = make.user()
    login(client, user)
    response = auth.post("/recycling/returns/new", {
        "collection_point_id": point.id, "device_type": "laptop", "condition": "broken",
        "asset_tag": "BM-1", "wipe_requested": "y"})  # fmt: skip
    assert response.status_code == 302
    device_return = db.session.scalar(select(DeviceReturn))
    assert response.headers["Location"].endswith(device_return.receipt_number)
    page = _text(client.get(response.headers["Location"]))
    assert device_return.receipt_number in page
    assert "advenu de votre appareil, étape par étape" in page  # its steps, in plain words
    # The points page lists it among the person's latest returns, with its point.
    page = _text(client.get("/recycling/"))
    latest = page.split("Mes derniers dépôts", 1)[1].split("Points de collecte", 1)[0]
    assert device_return.receipt_number in latest and point.name in latest


def _declare(auth, point, **overrides):
    data = {"collection_point_id": point.id, "device_type": "laptop", "condition": "working"}
    return auth.post("/recycling/returns/new", {**data, **overrides})


def _wipe_error(response) -> str:
    return _text(response).split('id="wipe_requested-error">', 1)[1].split("</p>", 1)[0]


def test_the_wipe_question_is_one_choice_of_two(client, make, rec):
    rec.point()
    login(client, make.user(locale="en"))
    page = _text(client.get("/recycling/returns/new"))
    inputs = re.findall(r'<input[^>]*name="wipe_requested"[^>]*>', page)
    assert len(inputs) == 2 and all('type="radio"' in tag for tag in inputs)
    assert 'name="data_wiped"' not in page
    assert "I wiped it myself" in page and "Ask the agent for a certified wipe" in page


def test_i_wiped_it_myself_is_recorded_as_the_persons_attestation(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    response = _declare(auth, point, wipe_requested="n")
    assert response.status_code == 302
    device_return = db.session.scalar(select(DeviceReturn))
    assert device_return.data_wiped and not device_return.wipe_requested
    assert "Wiped by you (attestation)" in _text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("choice", [None, ["y", "n"], ["n", "y"]], ids=["none", "both", "both2"])
def test_a_data_bearing_device_needs_exactly_one_wipe_answer(client, auth, make, rec, choice):
    point = rec.point()
    login(client, make.user(locale="en"))
    response = _declare(auth, point, **({} if choice is None else {"wipe_requested": choice}))
    assert response.status_code == 422
    expected = "confirm that you wiped it" if choice is None else "Choose one answer"
    assert expected in html.unescape(_wipe_error(response))
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 0


def test_a_monitor_is_declared_without_a_wipe_answer(client, auth, make, rec):
    login(client, make.user())
    assert _declare(auth, rec.point(), device_type="monitor").status_code == 302


def _autofocused(page: str) -> list[str]:
    return re.findall(r"<(?:input|select|textarea)[^>]*\bautofocus\b[^>]*>", page)


def test_a_return_without_type_or_condition_focuses_the_first_device_type(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    response = auth.post("/recycling/returns/new", {"collection_point_id": point.id})
    assert response.status_code == 422
    page = _text(response)
    assert "Choose a device type." in page and "Say whether the device works." in page
    focused = _autofocused(page)
    first_type = re.search(r'<input[^>]*name="device_type"[^>]*>', page).group(0)
    assert focused == [first_type]


def test_a_return_without_condition_focuses_the_first_condition(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    page = _text(_declare(auth, point, condition=""))
    first_condition = re.search(r'<input[^>]*name="condition"[^>]*>', page).group(0)
    assert _autofocused(page) == [first_condition]


def test_a_refused_return_shows_the_reason_and_stores_nothing(client, auth, make, rec):
    point = rec.point(active=False, name="Closed point")
    login(client, make.user(locale="en"))
    response = auth.post("/recycling/returns/new", {
        "collection_point_id": point.id, "device_type": "monitor", "condition": "working"})  # fmt: skip
    assert response.status_code == 422
    assert "The collection point “Closed point” is temporarily closed" in _text(response)
    # The fields come back as a form to correct, not as escaped HTML.
    assert '<label for="collection_point_id"' in _text(response) and "&lt;" not in _text(response)
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 0


def test_a_receipt_says_when_to_bring_the_device_until_an_agent_has_it(client, make, rec):
    owner = make.user()
    point = rec.point(directions_fr="Accueil du rez-de-chaussée")
    device_return = rec.device_return(owner, point)
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    bring = page.split("Apporter l'appareil</h2>", 1)[1].split("</section>", 1)[0]
    assert "Du lundi au vendredi" in bring and "Accueil du rez-de-chaussée" in bring
    assert 'class="open-badge' in bring
    device_return.status = "received"
    db.session.commit()
    page = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert "Apporter l'appareil" not in page


def test_someone_elses_receipt_is_a_404(client, make, rec):
    receipt = rec.device_return(make.user(), rec.point()).receipt_number
    login(client, make.user())
    assert client.get(f"/recycling/returns/{receipt}").status_code == 404


def test_agent_desk_lists_only_the_agents_points_page_and_fragment(client, make, rec):
    mine, other = rec.point(name="Mine"), rec.point(name="Other")
    agent = rec.agent(mine)
    rec.device_return(make.user(), mine, asset_tag="MINE-1")
    rec.device_return(make.user(), other, asset_tag="OTHER-1")
    login(client, agent)
    page = client.get("/recycling/agent")
    fragment = client.get("/recycling/agent?status=declared", headers={"HX-Request": "true"})
    assert "<html" in _text(page) and "<html" not in _text(fragment)
    for body in (_text(page), _text(fragment)):
        assert "MINE-1" in body and "OTHER-1" not in body


def test_agent_desk_opens_on_the_returns_still_to_handle(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    rec.device_return(make.user(), point, asset_tag="WAITING-1")
    done = rec.device_return(make.user(), point, asset_tag="DONE-1")
    done.status = "recycled"
    db.session.commit()
    login(client, agent)
    desk = _text(client.get("/recycling/agent"))
    assert "WAITING-1" in desk and "DONE-1" not in desk
    assert '<option value="todo" selected>À traiter</option>' in desk
    everything = _text(client.get("/recycling/agent?status=all"))
    assert "WAITING-1" in everything and "DONE-1" in everything
    only_done = _text(client.get("/recycling/agent?status=recycled"))
    assert "DONE-1" in only_done and "WAITING-1" not in only_done
    for device_return in db.session.scalars(select(DeviceReturn)):
        device_return.status = "recycled"
    db.session.commit()
    assert "Plus rien à traiter à vos points de collecte." in _text(client.get("/recycling/agent"))


def test_an_agents_home_counts_the_returns_to_handle_at_their_points(client, make, rec):
    mine, other = rec.point(name="Mine"), rec.point(name="Other")
    agent = rec.agent(mine)
    login(client, agent)
    assert "Rien ne vous attend pour l'instant." in _text(client.get("/"))
    rec.device_return(make.user(), mine)
    rec.device_return(make.user(), other)  # another agent's
    done = rec.device_return(make.user(), mine)
    done.status = "donated"
    db.session.commit()
    home = _text(client.get("/"))
    assert '<a href="/recycling/agent">1 dépôt à traiter à vos points de collecte</a>' in home


def test_an_admin_of_no_point_is_told_the_returns_of_every_point_they_may_handle(client, make, rec):
    first, second = rec.point(name="First"), rec.point(name="Second")
    rec.device_return(make.user(), first, asset_tag="FIRST-1")
    rec.device_return(make.user(), second, asset_tag="SECOND-1")
    login(client, make.user(roles=("admin",)))
    home = _text(client.get("/"))
    assert "à vos points" not in home
    assert '<a href="/recycling/agent">2 dépôts à traiter dans tous les points de collecte</a>' in (
        home
    )
    desk = _text(client.get("/recycling/agent"))  # where the line leads: both are there
    assert "FIRST-1" in desk and "SECOND-1" in desk
    assert "à vos points" not in desk
    unknown = _text(client.get("/recycling/agent?receipt=RC-2222-3333"))
    assert (
        "Aucun dépôt ne porte ce numéro de reçu ou d'inventaire." in html.unescape(unknown)
        and "à vos points" not in unknown
    )


def test_an_agent_of_no_point_is_told_so_and_whom_to_ask(client, make, rec):
    rec.device_return(make.user(), rec.point())
    make.user(roles=("admin",), display_name="Alice Admin", email="alice@example.org")
    make.user(roles=("admin",), display_name="Gone Admin", active=False)
    login(client, rec.agent())  # an agent of no point
    home = _text(client.get("/"))
    assert (
        '<a href="/recycling/agent">Aucun point de collecte ne vous est confié\u00a0: '
        "demandez à un administrateur de vous ajouter.</a>"
    ) in home
    assert "Rien ne vous attend" not in home
    for desk in (
        _text(client.get("/recycling/agent")),
        _text(client.get("/recycling/agent?status=todo", headers={"HX-Request": "true"})),
    ):
        assert "Plus rien à traiter à vos points" not in desk
    desk = _text(client.get("/recycling/agent"))
    assert "Aucun point de collecte ne vous est encore confié" in desk
    assert '<a href="mailto:alice@example.org">Alice Admin</a>' in desk
    assert "Gone Admin" not in desk


def test_employees_cannot_open_the_agent_desk(client, make):
    login(client, make.user())
    assert client.get("/recycling/agent").status_code == 403


def test_confirming_receipt_with_htmx_returns_the_updated_row(client, auth, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point)
    login(client, agent)
    response = auth.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/receive",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and _text(response).lstrip().startswith("<tr")
    assert db.session.get(DeviceReturn, device_return.id).status == "received"
    assert db.session.scalar(select(AuditEvent.action)) == "receive"


def test_confirming_receipt_without_htmx_redirects_to_the_return(client, auth, make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point)
    login(client, rec.agent(point))
    response = auth.post(f"/recycling/agent/returns/{device_return.receipt_number}/receive")
    assert response.status_code == 302
    assert db.session.get(DeviceReturn, device_return.id).status == "received"


def test_an_agent_of_another_point_cannot_confirm(client, auth, make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point)
    login(client, rec.agent(rec.point()))
    response = auth.post(f"/recycling/agent/returns/{device_return.receipt_number}/receive")
    assert response.status_code == 404
    assert db.session.get(DeviceReturn, device_return.id).status == "declared"


def test_agent_records_wipe_and_outcome_and_the_owner_sees_them(app, client, auth, make, rec):
    point = rec.point()
    owner = make.user()
    device_return = rec.device_return(owner, point)
    login(client, rec.agent(point))
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    auth.post(f"{base}/receive")
    bad = auth.post(f"{base}/wipe", {"method": "crypto_erase", "wipe_date": "2999-01-01",
                                     "certificate_number": "C-1"})  # fmt: skip
    assert bad.status_code == 422
    today = local_today()
    assert auth.post(f"{base}/wipe", {"method": "crypto_erase", "wipe_date": today,
                                      "certificate_number": "CERT-9"}).status_code == 302  # fmt: skip
    assert (
        auth.post(
            f"{base}/outcome", {"outcome": "donated", "recipient": "Emmaüs Connect"}
        ).status_code
        == 302
    )
    owner_client = app.test_client()
    login(owner_client, owner)
    page = _text(owner_client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert "CERT-9" in page and ("Donated" in page or "Donné" in page)
    assert "Signature does not match" not in page and "La signature ne correspond pas" not in page


def test_admin_creates_and_closes_a_point_with_audit(client, auth, make):
    commune = make.commune(name="Bouliac")
    agent = make.user(roles=("agent",))
    login(client, make.user(roles=("admin",)))
    data = {"name": "Mairie de Bouliac", "commune_id": commune.id, "address": "Place Camille Hostein",
            "latitude": "44.81", "longitude": "-0.50", "opening_hours": "Mo-Fr 09:00-12:00",
            "accepted_types": ["laptop", "monitor"], "agent_ids": [agent.id]}  # fmt: skip
    bad = auth.post("/recycling/admin/points/new", {**data, "opening_hours": "whenever"})
    assert bad.status_code == 422
    assert auth.post("/recycling/admin/points/new", data).status_code == 302
    point = db.session.scalar(select(CollectionPoint))
    assert point.accepted_device_types == ["laptop", "monitor"]
    auth.post(f"/recycling/admin/points/{point.id}/close", {"closure_note": "Travaux <b>"})
    assert not db.session.get(CollectionPoint, point.id).active
    listing = client.get("/recycling/admin/points").get_data(as_text=True)
    assert "<strong>Fermé temporairement</strong>\u00a0: Travaux &lt;b&gt;" in listing
    assert client.get("/api/v1/collection-points").get_json()["collection_points"] == []
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["create", "close"]


def test_a_french_admin_types_coordinates_with_a_decimal_comma(client, auth, make):
    commune = make.commune(name="Bouliac")
    agent = make.user(roles=("agent",))
    login(client, make.user(roles=("admin",)))
    data = {"name": "Mairie de Bouliac", "commune_id": commune.id, "address": "Place Camille Hostein",
            "latitude": "44,81", "longitude": "-0,5", "opening_hours": "Mo-Fr 09:00-12:00",
            "accepted_types": ["laptop"], "agent_ids": [agent.id]}  # fmt: skip
    assert auth.post("/recycling/admin/points/new", data).status_code == 302
    point = db.session.scalar(select(CollectionPoint))
    assert (point.latitude, point.longitude) == (44.81, -0.5)
    edit = client.get(f"/recycling/admin/points/{point.id}/edit").get_data(as_text=True)
    assert 'value="44,81"' in edit and 'value="-0,5"' in edit  # as they were typed
    refused = auth.post("/recycling/admin/points/new", {**data, "latitude": "nan"})
    assert refused.status_code == 422 and "Saisissez un nombre." in _text(refused)


def _bassens_point(make, **overrides) -> dict:
    commune = make.commune(name="Bassens", latitude=44.9017, longitude=-0.5167)
    data = {"name": "Mairie de Bassens", "commune_id": commune.id, "address": "Rue du Dr Roux",
            "latitude": "44.90", "longitude": "-0.52", "opening_hours": "Mo-Fr 09:00-12:00",
            "accepted_types": ["laptop"]}  # fmt: skip
    return {**data, **overrides}


def test_an_open_point_without_an_agent_is_refused_at_the_agents_field(client, auth, make):
    make.user(roles=("agent",))
    login(client, make.user(roles=("admin",), locale="en"))
    response = auth.post("/recycling/admin/points/new", _bassens_point(make))
    assert response.status_code == 422
    error = _text(response).split('id="agent_ids-error">', 1)[1].split("</p>", 1)[0]
    assert "An open collection point needs at least one agent" in error
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 0
    # The only refused field: its first box takes the focus (it stayed at the top).
    focused = re.findall(r"<input[^>]*autofocus[^>]*>", response.get_data(as_text=True))
    assert len(focused) == 1 and 'name="agent_ids"' in focused[0]


def test_a_closed_point_is_saved_without_agents_but_not_reopened(client, auth, make, rec):
    agent = make.user(roles=("agent",))
    point = rec.point(agents=[agent])
    login(client, make.user(roles=("admin",), locale="en"))
    assert auth.post(f"/recycling/admin/points/{point.id}/close", {}).status_code == 302
    data = _bassens_point(make, name="Renamed while closed")
    assert auth.post(f"/recycling/admin/points/{point.id}/edit", data).status_code == 302
    saved = db.session.get(CollectionPoint, point.id)
    assert saved.name == "Renamed while closed" and saved.agent_rows == []
    refused = auth.post(f"/recycling/admin/points/{point.id}/reopen", {})
    assert refused.status_code == 409
    assert "An open collection point needs at least one agent" in _text(refused)
    assert not db.session.get(CollectionPoint, point.id).active


@pytest.mark.parametrize("field", ["latitude", "longitude"])
def test_coordinates_far_from_the_commune_are_refused_naming_it(client, auth, make, field):
    """Paris typed for Bassens: the point would be nobody's nearest, and wrongly placed."""
    # Said at the field typed wrong: a longitude far off at the longitude.
    agent = make.user(roles=("agent",))
    login(client, make.user(roles=("admin",)))  # French
    paris = {"latitude": "48.85", "longitude": "2.35"}
    data = _bassens_point(make, agent_ids=[agent.id], **{field: paris[field]})
    response = auth.post("/recycling/admin/points/new", data)
    assert response.status_code == 422
    error = html.unescape(_text(response).split(f'id="{field}-error">', 1)[1].split("</p>")[0])
    assert "du centre de la commune choisie (Bassens)" in error and "15" in error
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 0
    # Near the centre, the same point is saved.
    saved = auth.post("/recycling/admin/points/new", _bassens_point(make, agent_ids=[agent.id]))
    assert saved.status_code == 302


def test_the_admin_list_warns_of_open_points_without_agents(client, make, rec):
    agent = make.user(roles=("agent",))
    rec.point(name="Point servi", agents=[agent])
    rec.point(name="Point orphelin")
    rec.point(name="Point fermé", active=False)
    login(client, make.user(roles=("admin",), locale="en"))
    page = _text(client.get("/recycling/admin/points"))
    assert "1 open collection point has no agent" in page
    row = page.split("Point orphelin", 1)[1].split("</tr>", 1)[0]
    assert "No agent: nobody sees the returns declared here" in row
    for name in ("Point servi", "Point fermé"):
        assert "No agent" not in page.split(name, 1)[1].split("</tr>", 1)[0]


def test_statistics_and_open_data_csv_for_admins(client, make, rec):
    point = rec.point()
    rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    received = rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    services.confirm_receipt(received, rec.agent(point), NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    page = html.unescape(re.sub(r"<[^>]+>", " ", _text(client.get("/recycling/admin/statistics"))))
    page = re.sub(r"\s+", " ", page)
    # One brought, one still expected: 4.5 kg received, not 9; none left the administration.
    assert "Devices returned 1" in page and "Declared, not received yet 1" in page
    assert "still at the points included 4.5 kg" in page
    assert "(donated, refurbished, recycled) 0.0 kg" in page
    csv_text = _text(client.get("/recycling/admin/statistics.csv"))
    header, *rows = csv_text.splitlines()
    assert header.startswith("month,received_month,handover_month,insee_code,commune,point_id")
    assert any(",monitor,declared,no_data,1,0.0,0.0" in row for row in rows)
    assert any(",monitor,received,no_data,1,4.5,0.0" in row for row in rows)


def test_dashboard_panel_shows_the_nearest_point_and_my_last_return(client, make, rec):
    commune = make.commune()
    point = rec.point(commune=commune, name="Point du tableau de bord")
    user = make.user(commune=commune)
    device_return = rec.device_return(user, point)
    login(client, user)
    page = _text(client.get("/"))
    assert "Point du tableau de bord" in page and device_return.receipt_number in page


def test_dashboard_open_now_badge_follows_the_page_language(client, make, rec):
    """A person with no saved language preference sees the badge in the browser's language."""
    from tests.conftest import login

    point = rec.point(opening_hours="24/7")
    user = make.user(locale=None)
    user.commune_id = point.commune_id
    db.session.commit()
    login(client, user)
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Open now" in english and "Ouvert" not in english
    assert "Ouvert" in french


def test_agents_to_pick_for_a_point_are_in_index_order(client, make):
    """ "Élodie" among the E, not after "Zoé" as the database's code points put her."""
    for name in ("Zoé Marin", "Élodie Brun", "adrien Roy", "Farid Naït"):
        make.user(roles=("agent",), display_name=name)
    login(client, make.user(roles=("admin",)))
    form = client.get("/recycling/admin/points/new").get_data(as_text=True)
    names = ["adrien Roy", "Élodie Brun", "Farid Naït", "Zoé Marin"]
    assert [form.index(name) for name in names] == sorted(form.index(name) for name in names)


def test_agents_find_the_declarations_left_waiting_for_over_a_week(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    now = utcnow()
    rec.device_return(make.user(), point, asset_tag="OLD-1", now=now - timedelta(days=8))
    rec.device_return(make.user(), point, asset_tag="NEW-1", now=now - timedelta(days=2))
    received = rec.device_return(make.user(), point, asset_tag="GOT-1", now=now - timedelta(days=9))
    services.confirm_receipt(received, agent, now - timedelta(days=8))
    db.session.commit()
    login(client, agent)
    desk = _text(client.get("/recycling/agent?status=waiting"))
    assert '<option value="waiting" selected>Déclarés il y a plus de 7 jours, non reçus' in desk
    assert "OLD-1" in desk and "NEW-1" not in desk and "GOT-1" not in desk
    fragment = client.get("/recycling/agent?status=waiting", headers={"HX-Request": "true"})
    assert "OLD-1" in _text(fragment) and "<html" not in _text(fragment)
    services.confirm_receipt(
        db.session.scalar(select(DeviceReturn).filter_by(asset_tag="OLD-1")), agent, now
    )
    db.session.commit()
    assert "Aucune déclaration n'attend depuis si longtemps" in _text(
        client.get("/recycling/agent?status=waiting")
    )


def test_a_point_is_closed_and_reopened_from_its_own_page(client, auth, make, rec):
    """The list stays light (no form per point); the point's page closes and reopens it,
    and a note too long is refused there with its reason, changing nothing."""
    point = rec.point(name="Mairie de Floirac", agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",)))
    listing = client.get("/recycling/admin/points").get_data(as_text=True)
    assert "closure_note" not in listing
    page = client.get(f"/recycling/admin/points/{point.id}/edit").get_data(as_text=True)
    assert "Fermer temporairement" in page and "Rouvrir" not in page
    refused = auth.post(f"/recycling/admin/points/{point.id}/close", {"closure_note": "x" * 251})
    assert refused.status_code == 422 and "250" in _text(refused)
    assert db.session.get(CollectionPoint, point.id).active
    auth.post(f"/recycling/admin/points/{point.id}/close", {"closure_note": "Travaux"})
    page = client.get(f"/recycling/admin/points/{point.id}/edit").get_data(as_text=True)
    assert "Fermé temporairement\u00a0: Travaux" in page and "Rouvrir" in page
    assert "Modifier ou rouvrir" in client.get("/recycling/admin/points").get_data(as_text=True)
    auth.post(f"/recycling/admin/points/{point.id}/reopen")
    assert db.session.get(CollectionPoint, point.id).active


# --- the desk's receipt-number search -------------------------------------------------


def test_an_agent_opens_a_return_by_its_receipt_number_typed_loosely(client, make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point)
    number = device_return.receipt_number  # RC-XXXX-XXXX
    body = number[3:].replace("-", "")
    login(client, rec.agent(point))
    for typed in (number, number.lower(), f" rc {body[:4]} {body[4:]} ", body.lower()):
        response = client.get("/recycling/agent", query_string={"receipt": typed})
        assert response.status_code == 302, typed
        assert response.headers["Location"] == f"/recycling/agent/returns/{number}"


def test_a_receipt_number_not_at_the_agents_points_is_explained_on_the_desk(client, make, rec):
    mine, other = rec.point(), rec.point()
    agent = rec.agent(mine)
    rec.device_return(make.user(), mine, asset_tag="MINE-1")
    elsewhere = rec.device_return(make.user(), other).receipt_number
    login(client, agent)
    told = {
        elsewhere: "Ce numéro de reçu a été déclaré à un autre point de collecte",
        "RC-2222-2222": "Aucun dépôt ne porte ce numéro de reçu ou d'inventaire à vos points",
        "not a number": "Aucun dépôt ne porte ce numéro de reçu ou d'inventaire à vos points",
    }
    for typed, message in told.items():
        response = client.get("/recycling/agent", query_string={"receipt": typed})
        page = _text(response)
        assert response.status_code == 200
        assert message in html.unescape(page)
        assert 'aria-invalid="true"' in page and "receipt-error" in page
        assert "MINE-1" in page  # the desk is as it was
    assert 'aria-invalid="true"' not in _text(client.get("/recycling/agent"))


@settings(max_examples=60, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(typed=st.text(max_size=120))
def test_anything_typed_as_a_receipt_number_gets_the_return_or_the_message(
    client, make, rec, typed
):
    if not getattr(client, "_desk_ready", False):
        point = rec.point()
        rec.device_return(make.user(), point)
        login(client, rec.agent(point))
        client._desk_ready = True
    before = db.session.scalar(select(func.count()).select_from(DeviceReturn))
    response = client.get("/recycling/agent", query_string={"receipt": typed})
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/recycling/agent/returns/RC-")
    elif response.status_code == 200 and typed.strip():
        assert "Aucun dépôt ne porte ce numéro de reçu" in _text(response)
    assert db.session.scalar(select(func.count()).select_from(DeviceReturn)) == before


# --- the receipt once the device is handled -------------------------------------------


def test_a_finished_receipt_says_the_wipe_was_done_and_no_longer_asks_to_bring_it(
    client, make, rec
):
    point = rec.point()
    owner, agent = make.user(), rec.agent(point)
    device_return = rec.device_return(owner, point, wipe_requested=True)
    login(client, owner)
    url = f"/recycling/returns/{device_return.receipt_number}"
    waiting = _text(client.get(url))
    assert "Présentez ce numéro de reçu au point de collecte." in waiting
    assert "Effacement certifié demandé" in waiting
    services.confirm_receipt(device_return, agent, NOW)
    services.record_wipe(device_return, agent, "crypto_erase", NOW.date(), "CERT-7", NOW)
    services.record_outcome(device_return, agent, "donated", NOW, recipient="Emmaüs Connect")
    db.session.commit()
    done = _text(client.get(url))
    assert "Présentez ce numéro de reçu" not in done
    assert "Effacement certifié demandé" not in done
    assert "Effacement certifié réalisé le 25 nov. 2026" in done


# --- statistics by month ----------------------------------------------------------------


@pytest.mark.parametrize(("locale", "month"), [("fr", "mai 2026"), ("en", "May 2026")])
def test_statistics_name_the_months_and_the_open_data_keeps_iso(client, make, rec, locale, month):
    rec.device_return(make.user(), rec.point(), now=datetime(2026, 5, 12, 9, 0, tzinfo=UTC))
    login(client, make.user(roles=("admin",), locale=locale))
    page = _text(client.get("/recycling/admin/statistics"))
    assert f'<th scope="row">{month}</th>' in page
    assert ",2026-05," not in page
    assert (
        _text(client.get("/recycling/admin/statistics.csv")).splitlines()[1].startswith("2026-05,")
    )
    records = client.get("/recycling/admin/statistics.json").get_json()["records"]
    assert records[0]["month"] == "2026-05"


def test_statistics_sources_are_in_the_readers_language_and_english_in_open_data(client, make):
    """The sources line showed English on the French page."""
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _text(client.get("/recycling/admin/statistics"))
    assert "masses types des modèles professionnels actuels" in page
    assert "données de référence Boavizta" in page and "reference data" not in page
    sources = client.get("/recycling/admin/statistics.json").get_json()["sources"]
    assert sources["kgco2e_avoided"].startswith("Boavizta / ADEME Base Impacts")
    assert "(Empreinte estimate, ±30%)" in sources["kg_ewaste"]


@pytest.mark.parametrize(("locale", "tenth"), [("fr", "181,0"), ("en", "181.0")])
def test_statistics_write_a_footprint_as_the_catalogue_does(client, make, rec, locale, tenth):
    """« 181,0 kg CO₂e » per laptop here, « 181 kg CO₂e » in the catalogue."""
    point = rec.point()
    services.confirm_receipt(rec.device_return(make.user(), point), rec.agent(point), NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale=locale))
    page = _text(client.get("/recycling/admin/statistics"))
    assert '<td class="num">181\u00a0kg\u00a0CO₂e</td>' in page
    assert tenth not in page


# --- nearest to my position, sorted in the browser --------------------------------------


def test_every_points_card_is_served_for_the_browser_to_sort(client, make, rec):
    for n in range(12):  # more than a page of the list
        rec.point(name=f"Ouvert {n:02d}")
    rec.point(name="Temporarily closed", active=False)
    login(client, make.user())
    cards = _text(client.get("/recycling/points/cards"))
    # The closed one too, saying so (the list keeps it where people look for it).
    assert cards.count('class="card point-card"') == 13 and "fermé temporairement" in cards
    assert "<html" not in cards and 'class="pagination"' not in cards
    assert " km" not in cards  # no origin: the browser adds the distances
    page = _text(client.get("/recycling/"))
    assert 'data-cards="/recycling/points/cards"' in page and "data-url=" not in page
    assert "Votre position reste dans votre navigateur" in page


def test_the_posters_qr_code_scales_whole_into_its_box(client, make, rec):
    """A viewBox over the whole code and no fixed size: the 70 mm box shows every module."""
    import segno

    point = rec.point()
    login(client, make.user())
    page = html.unescape(_text(client.get(f"/recycling/points/{point.id}/poster")))
    svg = re.search(r"<svg[^>]*>", page.split('class="poster-qr"', 1)[1]).group(0)
    link = re.search(r"<code>([^<]+)</code>", page).group(1)
    size = segno.make(link, error="m").symbol_size(scale=1)  # modules, quiet zone included
    assert re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups() == tuple(map(str, size))
    assert "width=" not in svg and "height=" not in svg


@pytest.mark.parametrize(
    ("locale", "question"),
    [
        # Handing the device over, it quotes the organisation typed ({value}: portal.js).
        ("en", "Record “Recycled” for {receipt}, handed over to {{value}}? It is signed with"),
        ("fr", "Enregistrer « Recyclé » pour {receipt}, remis à {{value}} ? L'étape est signée"),
    ],
)
def test_recording_an_outcome_asks_first_naming_it(client, auth, make, rec, locale, question):
    point = rec.point()
    device_return = rec.device_return(make.user(), point, wipe_requested=False, data_wiped=True)
    agent = rec.agent(point)
    agent.locale = locale
    db.session.commit()
    login(client, agent)
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    auth.post(f"{base}/receive")
    page = html.unescape(_text(client.get(base)))
    button = re.search(r'<button[^>]*value="recycled"[^>]*>', page, re.S).group(0)
    button = button.replace("\N{NO-BREAK SPACE}", " ")
    assert question.format(receipt=device_return.receipt_number) in button
    assert "data-confirm-yes=" in button and "data-confirm-no=" in button
    assert 'data-confirm-fill="recipient"' in button


def test_recording_the_wipe_asks_first_quoting_the_certificate(client, auth, make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point)
    login(client, rec.agent(point))
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    auth.post(f"{base}/receive")
    page = html.unescape(_text(client.get(base)))
    form = re.search(r'<form[^>]*action="[^"]*/wipe"[^>]*>', page, re.S).group(0)
    assert 'data-confirm-fill="certificate_number"' in form
    assert f"certificat {{value}} pour {device_return.receipt_number}" in form


def test_without_javascript_the_wipe_is_asked_naming_the_certificate_then_recorded(
    client, auth, make, rec
):
    """Scripts off, the signed wipe used to be recorded at once; a refused wipe is still
    refused at its field, without a question."""
    point = rec.point()
    device_return = rec.device_return(make.user(), point)
    login(client, rec.agent(point))
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    auth.post(f"{base}/receive")
    page = _text(client.get(base))
    assert '<noscript><input type="hidden" name="ask_first_after_check" value="1">' in page
    today = local_today()
    typed = {"method": "crypto_erase", "wipe_date": today, "certificate_number": "CERT-42",
             "ask_first_after_check": "1"}  # fmt: skip

    refused = auth.post(f"{base}/wipe", {**typed, "wipe_date": "2999-01-01"})
    assert refused.status_code == 422 and "CERT-42 pour" not in _text(refused)

    asked = html.unescape(_text(auth.post(f"{base}/wipe", typed)))
    assert f"certificat CERT-42 pour {device_return.receipt_number}" in asked
    assert db.session.get(DeviceReturn, device_return.id).status == "received"
    again = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', asked))
    assert "ask_first_after_check" not in again and again["certificate_number"] == "CERT-42"
    assert auth.post(f"{base}/wipe", {k: v for k, v in again.items() if k != "csrf_token"})
    db.session.expire_all()
    assert db.session.get(DeviceReturn, device_return.id).status == "wiped"


def test_the_outcome_is_recorded_by_its_button(client, auth, make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point, wipe_requested=False, data_wiped=True)
    login(client, rec.agent(point))
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    auth.post(f"{base}/receive")
    refused = auth.post(f"{base}/outcome", {"outcome": "lost"})
    assert refused.status_code == 422 and 'id="outcome-error"' in _text(refused)
    assert (
        auth.post(
            f"{base}/outcome", {"outcome": "recycled", "note": "", "recipient": "Ecologic"}
        ).status_code
        == 302
    )
    assert db.session.get(DeviceReturn, device_return.id).status == "recycled"


def test_a_withdrawn_receipt_says_withdrawn_by_you_to_its_owner_only(app, client, make, rec):
    owner = make.user()
    point = rec.point()
    device_return = rec.device_return(owner, point)
    services.withdraw_return(owner, device_return, NOW)
    db.session.commit()
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert "Retiré par vous" in page and "Retiré par la personne" not in page
    agent_client = app.test_client()
    login(agent_client, rec.agent(point))
    desk = _text(agent_client.get(f"/recycling/agent/returns/{device_return.receipt_number}"))
    assert "Retiré par la personne" in desk and "Retiré par vous" not in desk


def test_the_poster_link_says_it_is_to_print_and_names_its_point(client, make, rec):
    point = rec.point(name="Mairie de Talence", commune=make.commune(name="Talence"))
    login(client, rec.agent(point))  # on its agent's desk: the staff's cards have none
    page = _text(client.get("/recycling/agent"))
    assert re.search(
        rf'href="/recycling/points/{point.id}/poster">Affiche à imprimer'
        r" \(Mairie de Talence\)</a>",
        page,
    )
