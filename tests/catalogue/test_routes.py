"""Catalogue pages through the client: browse, label, simulator, requests, admin."""

import html
import io
import os
import re
import time

import pytest
from sqlalchemy import func, select

from app.catalogue.models import CatalogueItem, CatalogueRequest
from app.core.audit import AuditEvent
from app.extensions import db
from tests.catalogue.conftest import item_edit_form
from tests.conftest import Auth, csrf_token, login
from tests.snapshots import demo_seed_command_once

HX = {"HX-Request": "true"}


def test_listing_shows_each_items_label_and_search_filters(client, make, make_item):
    login(client, make.user())
    make_item(name_fr="Écran large", name_en="Wide monitor", category="monitor")
    make_item(name_fr="Portable", name_en="Laptop")
    page = client.get("/catalogue/?q=ecran").get_data(as_text=True)
    assert "Écran large" in page and "Portable" not in page
    assert 'class="grade grade-' in page


def test_live_search_returns_only_the_results_fragment(client, make, make_item):
    login(client, make.user())
    make_item(name_fr="Écran large", category="monitor")
    fragment = client.get("/catalogue/?q=large", headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Écran large" in fragment.get_data(as_text=True)


def test_unknown_category_and_oversized_search_get_a_message(client, make):
    login(client, make.user(locale="en"))
    response = client.get("/catalogue/?category=spaceship")
    assert response.status_code == 400
    assert "Choose one of the options offered." in response.get_data(as_text=True)
    response = client.get("/catalogue/?q=" + "x" * 101, headers=HX)
    assert "too long" in response.get_data(as_text=True)


def test_an_empty_filter_refused_for_one_person_leaves_the_catalogue_to_others(
    client, make, make_item
):
    """`?status=` is refused; the cached answer to it must not stand for no filter at all."""
    make_item(name_en="Shared laptop")
    login(client, make.user(locale="en"))
    assert client.get("/catalogue/?status=").status_code == 400
    other = client.application.test_client()
    login(other, make.user(locale="en"))
    page = other.get("/catalogue/")
    assert page.status_code == 200
    assert "Shared laptop" in page.get_data(as_text=True)


def test_sort_by_footprint_puts_the_lightest_first(client, make, make_item):
    login(client, make.user())
    make_item(name_fr="Lourd", embodied_kgco2e=400)
    make_item(name_fr="Léger", embodied_kgco2e=40)
    page = client.get("/catalogue/?sort=footprint").get_data(as_text=True)
    assert page.index("Léger") < page.index("Lourd")


def test_names_sort_as_an_index_does_in_each_language(client, make, make_item):
    """Accents and capitals aside, numbers by value: SQLite alone put "Écran" after "Webcam"."""
    for name_fr, name_en in [
        ("Webcam", "Webcam"),
        ("Écran 24 pouces", "24-inch monitor"),
        ("Dock", "Dock"),
        ("tablette 8 pouces", "8-inch tablet"),
        ("Fauteuil", "armchair"),
        ("Tablette 10 pouces", "10-inch tablet"),
    ]:
        make_item(name_fr=name_fr, name_en=name_en)
    user = make.user(locale="fr")
    login(client, user)
    page = client.get("/catalogue/").get_data(as_text=True)
    french = ["Dock", "Écran 24 pouces", "Fauteuil", "tablette 8 pouces", "Tablette 10", "Webcam"]
    assert [page.index(name) for name in french] == sorted(page.index(name) for name in french)
    user.locale = "en"
    db.session.commit()
    page = client.get("/catalogue/").get_data(as_text=True)
    english = ["8-inch tablet", "10-inch tablet", "24-inch monitor", "armchair", "Dock", "Webcam"]
    assert [page.index(name) for name in english] == sorted(page.index(name) for name in english)


def test_a_renamed_item_moves_to_its_new_place(client, make, make_item):
    first, second = make_item(name_fr="Agenda"), make_item(name_fr="Boîte")
    login(client, make.user(locale="fr"))
    first.name_fr = "Zoom"
    db.session.commit()
    page = client.get("/catalogue/").get_data(as_text=True)
    assert page.index("Boîte") < page.index("Zoom")
    assert second.sort_name_fr == "boite"


def test_detail_page_explains_the_figure_with_its_source(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(
        source="Boavizta API 2.5.0 test", embodied_min_kgco2e=150, embodied_max_kgco2e=250
    )
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    assert "Boavizta API 2.5.0 test" in page
    assert "between 150\xa0kg\xa0CO₂e and 250\xa0kg\xa0CO₂e" in page  # no trailing .0
    assert "Keep it longer" in page


def test_e_mail_figures_are_said_to_be_contested(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(kind="service", category="email")
    assert "contested" in client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)


def test_lifetime_control_recomputes_with_htmx_and_without(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(embodied_kgco2e=200, lifetime_years=4, use_kwh_per_year=100)
    fragment = client.get(f"/catalogue/items/{item.id}/lifetime?years=8", headers=HX)
    assert "Kept 8 years: 30.2" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    plain = client.get(f"/catalogue/items/{item.id}/lifetime?years=8")
    assert plain.status_code == 302 and "years=8" in plain.location
    assert "Kept 8 years" in client.get(plain.location).get_data(as_text=True)


def test_a_negative_lifetime_gets_a_message(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item()
    fragment = client.get(f"/catalogue/items/{item.id}/lifetime?years=-3", headers=HX)
    assert "from 2 to 10 years" in fragment.get_data(as_text=True)
    page = client.get(f"/catalogue/items/{item.id}/lifetime?years=-3")
    assert page.status_code == 400 and "from 2 to 10 years" in page.get_data(as_text=True)


def test_without_javascript_a_wrong_lifetime_is_said_once_at_its_field(client, make, make_item):
    """The whole page shows the field with its error: the result area says nothing more
    (a screen reader heard it twice)."""
    login(client, make.user(locale="en"))
    item = make_item()
    page = client.get(f"/catalogue/items/{item.id}/lifetime?years=-3").get_data(as_text=True)
    assert page.count("from 2 to 10 years") == 1


@pytest.mark.parametrize("years", ["0", "", "abc", "1,5"])
def test_any_wrong_lifetime_gets_the_range_once_with_its_numbers(client, make, make_item, years):
    """Empty, zero or not a number read « de %(min)d à %(max)d ans », shown twice."""
    login(client, make.user(locale="fr"))
    item = make_item()
    fragment = client.get(f"/catalogue/items/{item.id}/lifetime?years={years}", headers=HX)
    text = html.unescape(fragment.get_data(as_text=True))
    assert text.count("Choisissez une durée de 2 à 10 ans.") == 1
    assert "%(" not in text


def test_a_page_past_the_end_shows_the_last_page_not_an_empty_list(client, make, make_item):
    """An old link (`?page=9999`) said '26 items found' above nothing, with no way back."""
    login(client, make.user(locale="en"))
    for _ in range(26):
        make_item()
    last = client.get("/catalogue/?page=2").get_data(as_text=True)
    past = client.get("/catalogue/?page=9999").get_data(as_text=True)
    names = re.compile(r'href="/catalogue/items/\d+">([^<]+)</a>')
    assert names.findall(past) == names.findall(last) != []
    assert "Page 2 of 2" in past and 'name="page" value="1">Previous</button>' in past


def test_compare_needs_two_to_four_items(client, make, make_item):
    login(client, make.user())
    a, b = make_item(name_fr="Alpha"), make_item(name_fr="Bravo")
    page = client.get(f"/catalogue/compare?ids={a.id}&ids={b.id}")
    assert "Alpha" in page.get_data(as_text=True) and "Bravo" in page.get_data(as_text=True)
    assert client.get(f"/catalogue/compare?ids={a.id}").status_code == 400


def test_a_comparisons_title_names_the_items_compared(client, make, make_item):
    """Two comparisons open in two tabs are told apart by their titles (WCAG 2.4.2)."""
    login(client, make.user(locale="fr"))
    a, b = make_item(name_fr="Alpha"), make_item(name_fr="Bravo")
    page = client.get(f"/catalogue/compare?ids={a.id}&ids={b.id}").get_data(as_text=True)
    assert "<title>Comparer\u00a0: Alpha, Bravo · " in page


def test_one_ticked_item_offers_to_compare_it_with_its_alternatives(client, make, make_item):
    login(client, make.user(locale="en"))
    lighter, other = make_item(name_en="Light laptop"), make_item(name_en="Other laptop")
    alone = make_item(name_en="Heavy laptop", embodied_kgco2e=600)
    alone.alternatives = [lighter, other]
    db.session.commit()
    page = client.get(f"/catalogue/compare?ids={alone.id}")
    assert page.status_code == 400
    link = re.search(r'<a href="([^"]+)">Compare Heavy laptop with its alternatives', page.text)
    compared = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert all(name in compared for name in ("Heavy laptop", "Light laptop", "Other laptop"))


def test_five_ticked_items_compare_the_first_four_and_say_so(client, make, make_item):
    login(client, make.user(locale="en"))
    items = [make_item(name_en=f"Laptop {n}") for n in range(5)]
    query = "&".join(f"ids={item.id}" for item in items)
    page = client.get(f"/catalogue/compare?{query}")
    assert page.status_code == 200
    assert "Only the first four ticked items are compared." in page.text
    assert all(f"Laptop {n}" in page.text for n in range(4)) and "Laptop 4" not in page.text


@pytest.mark.parametrize("quantity", ["0", "", "51"])
def test_a_refused_quantity_is_explained_not_a_500(client, make, make_item, quantity):
    """Regression (issue 7, fuzzing): the lazy validator messages broke the flash join."""
    login(client, make.user(locale="en"))
    item = make_item()
    response = client.post(
        f"/catalogue/items/{item.id}/request",
        data={"quantity": quantity, "csrf_token": csrf_token(client)},
    )
    # The item's page again, the message at the field
    # (test_category_search_and_refused_quantity.py).
    assert response.status_code == 422
    assert "Enter a quantity from 1 to 50." in response.text
    assert db.session.scalar(select(func.count()).select_from(CatalogueRequest)) == 0


def test_adding_beyond_the_limit_per_item_is_refused_and_says_how_many_more_fit(
    client, auth, make, make_item
):
    """Capping in silence made 2 + 49 look like 51 while the line held 50."""
    login(client, make.user(locale="fr"))
    item = make_item()
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "2"})
    response = auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "49"})
    assert response.status_code == 422  # the item's page, the message at the quantity
    page = response.text
    assert "Votre demande contient déjà 2 exemplaires de cet article" in page
    assert "48 de plus" in page
    basket = db.session.scalar(select(CatalogueRequest).where(CatalogueRequest.status == "draft"))
    assert [line.quantity for line in basket.lines] == [2]
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "48"})
    db.session.expire_all()
    assert [line.quantity for line in basket.lines] == [50]


def test_request_journey_basket_submit_approve(client, auth, make, make_item, app):
    employee = make.user(locale="en")
    admin = make.user(roles=("admin",), locale="en")
    item = make_item()
    login(client, employee)
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "2"})
    assert "110.4" in client.get("/catalogue/requests").get_data(as_text=True)
    response = auth.post("/catalogue/requests/submit", {"comment": "new starter"})
    assert response.status_code == 302
    request_id = db.session.scalar(select(CatalogueRequest.id))
    admin_client = app.test_client()
    login(admin_client, admin)
    from tests.conftest import Auth

    Auth(admin_client).post(
        f"/catalogue/admin/requests/{request_id}/decide", {"decision": "approve"}
    )
    assert "Approved" in client.get(f"/catalogue/requests/{request_id}").get_data(as_text=True)
    assert (
        db.session.scalar(
            select(AuditEvent.action).where(AuditEvent.object_type == "catalogue_request")
        )
        == "approved"
    )


def _sent_request(auth, make_item) -> int:
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {"comment": "for the new starter"})
    return db.session.scalar(select(CatalogueRequest.id).where(CatalogueRequest.status != "draft"))


def _admin(app, make):
    from tests.conftest import Auth

    admin_client = app.test_client()
    login(admin_client, make.user(roles=("admin",), locale="en"))
    return admin_client, Auth(admin_client)


def test_a_person_withdraws_a_request_still_waiting_for_a_decision(
    client, auth, make, make_item, app
):
    login(client, make.user(locale="en"))
    request_id = _sent_request(auth, make_item)
    page = client.get(f"/catalogue/requests/{request_id}").get_data(as_text=True)
    assert "Withdraw my request" in page
    assert 'data-confirm="Withdraw this request?' in page  # asked first, with JavaScript

    response = auth.post(f"/catalogue/requests/{request_id}/withdraw", {})
    assert response.headers["Location"].endswith(f"/catalogue/requests/{request_id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your request was withdrawn." in page
    assert "Withdrawn on" in page
    assert "Withdraw my request" not in page
    listing = client.get("/catalogue/requests").get_data(as_text=True)
    assert "Withdrawn" in listing.split("Requests sent", 1)[1]

    # It has left the admins' queue, and a decision sent from an old page changes nothing.
    admin_client, admin_auth = _admin(app, make)
    queue = admin_client.get("/catalogue/admin/requests").get_data(as_text=True)
    assert f"Request {request_id}" not in queue
    response = admin_auth.post(
        f"/catalogue/admin/requests/{request_id}/decide", {"decision": "approve"}
    )
    queue = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This request was withdrawn by the person who sent it." in queue
    request = db.session.get(CatalogueRequest, request_id)
    db.session.refresh(request)
    assert request.status == "withdrawn"
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "catalogue_request")
        )
        == 0
    )

    # Sent twice (a second tab): said so, nothing changes.
    response = auth.post(f"/catalogue/requests/{request_id}/withdraw", {})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have already withdrawn this request." in page


def test_a_decided_request_can_no_longer_be_withdrawn(client, auth, make, make_item, app):
    login(client, make.user(locale="fr"))
    request_id = _sent_request(auth, make_item)
    _, admin_auth = _admin(app, make)
    admin_auth.post(
        f"/catalogue/admin/requests/{request_id}/decide",
        {"decision": "refuse", "note": "Budget épuisé"},
    )
    assert "Retirer ma demande" not in client.get(f"/catalogue/requests/{request_id}").get_data(
        as_text=True
    )

    response = auth.post(f"/catalogue/requests/{request_id}/withdraw", {})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cette demande a été traitée\u00a0: elle ne peut plus être retirée." in page
    request = db.session.get(CatalogueRequest, request_id)
    db.session.refresh(request)
    assert request.status == "refused"


def test_a_refusal_needs_a_reason_for_the_requester(client, auth, make, make_item, app):
    login(client, make.user(locale="fr"))
    request_id = _sent_request(auth, make_item)
    _, admin_auth = _admin(app, make)
    url = f"/catalogue/admin/requests/{request_id}/decide"
    response = admin_auth.post(url, {"decision": "refuse", "note": "   "})
    assert response.status_code == 422
    assert "Give the requester the reason for the refusal." in response.text
    request = db.session.get(CatalogueRequest, request_id)
    db.session.refresh(request)
    assert request.status == "submitted" and request.decided_at is None

    admin_auth.post(url, {"decision": "refuse", "note": "Already equipped this year"})
    db.session.refresh(request)
    assert request.status == "refused"
    shown = client.get(f"/catalogue/requests/{request_id}").get_data(as_text=True)
    assert "Already equipped this year" in shown


def test_a_decided_or_withdrawn_request_goes_back_to_the_basket_without_what_is_gone(
    client, auth, make, make_item, app
):
    login(client, make.user(locale="en"))
    kept = make_item(name_en="Docking station")
    gone = make_item(name_en="Old headset")
    auth.post(f"/catalogue/items/{kept.id}/request", {"quantity": "2"})
    auth.post(f"/catalogue/items/{gone.id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {})
    request_id = db.session.scalar(select(CatalogueRequest.id))
    again = f"/catalogue/requests/{request_id}/again"
    assert "Add these items to a new request" not in client.get(
        f"/catalogue/requests/{request_id}"
    ).get_data(as_text=True)
    assert auth.post(again, {}).status_code == 404  # still waiting: withdraw it first

    auth.post(f"/catalogue/requests/{request_id}/withdraw", {})
    gone.status = "discontinued"
    db.session.commit()
    assert "Add these items to a new request" in client.get(
        f"/catalogue/requests/{request_id}"
    ).get_data(as_text=True)
    response = auth.post(again, {})
    assert response.headers["Location"].endswith("/catalogue/requests")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The items are in your request being prepared" in page
    assert "This item is no longer available and was left out: Old headset." in page
    basket = db.session.scalar(select(CatalogueRequest).where(CatalogueRequest.status == "draft"))
    assert [(line.item_id, line.quantity) for line in basket.lines] == [(kept.id, 2)]

    login(client, make.user())
    assert auth.post(again, {}).status_code == 404  # not theirs
    assert db.session.scalar(select(func.count(CatalogueRequest.id))) == 2


def test_nobody_withdraws_another_persons_request(client, auth, make, make_item):
    login(client, make.user())
    request_id = _sent_request(auth, make_item)
    login(client, make.user())
    assert auth.post(f"/catalogue/requests/{request_id}/withdraw", {}).status_code == 404
    assert db.session.get(CatalogueRequest, request_id).status == "submitted"


def test_an_admins_home_counts_the_requests_to_decide(client, auth, make, make_item):
    for employee in (make.user(), make.user()):
        login(client, employee)
        auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
        auth.post("/catalogue/requests/submit", {})
    login(client, make.user(roles=("admin",), locale="en"))
    home = client.get("/").get_data(as_text=True)
    to_do = home.split("To do</h2>", 1)[1].split("</section>", 1)[0]
    assert (
        '<a href="/catalogue/admin/requests">2 equipment or service requests to decide</a>' in to_do
    )


def test_nobody_reads_another_persons_request(client, auth, make, make_item):
    owner, other = make.user(), make.user()
    login(client, owner)
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {})
    request_id = db.session.scalar(select(CatalogueRequest.id))
    login(client, other)
    assert client.get(f"/catalogue/requests/{request_id}").status_code == 404


def test_bad_quantity_changes_nothing(client, auth, make, make_item):
    login(client, make.user())
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "-1"})
    assert db.session.scalar(select(func.count(CatalogueRequest.id))) == 0


def test_admin_pages_are_for_admins_only(client, make):
    login(client, make.user())
    for url in (
        "/catalogue/admin/requests",
        "/catalogue/admin/items/new",
        "/catalogue/admin/import",
        "/catalogue/admin/usefulness",
    ):
        assert client.get(url).status_code == 403


def test_useful_mark_with_htmx_and_without(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    service = make_item(kind="service")
    fragment = auth.post(f"/catalogue/items/{service.id}/useful", headers=HX)
    assert "1 person finds it useful" in fragment.get_data(as_text=True)
    plain = auth.post(f"/catalogue/items/{service.id}/useful")
    assert plain.status_code == 302
    assert "Nobody finds it useful yet" in client.get(plain.location).get_data(as_text=True)


def test_review_list_shows_heavy_services_few_find_useful(client, make, make_item):
    login(client, make.user(roles=("admin",)))
    make_item(kind="service", category="video", use_kgco2e_per_year=40, name_fr="Vidéo lourde")
    make_item(kind="service", category="video", use_kgco2e_per_year=0.5, name_fr="Vidéo légère")
    page = client.get("/catalogue/admin/usefulness?review=1").get_data(as_text=True)
    assert "Vidéo lourde" in page and "Vidéo légère" not in page


NEW_SERVICE = {
    "kind": "service",
    "category": "video",
    "name_fr": "Visio",
    "name_en": "Video",
    "use_kgco2e_per_year": "4",
}


def test_admin_creates_an_item_and_a_service_without_citation_is_refused(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    form = {**NEW_SERVICE, "code": "SV-X"}
    response = auth.post("/catalogue/admin/items/new", form)
    assert response.status_code == 422 and "Give the source" in response.get_data(as_text=True)
    response = auth.post("/catalogue/admin/items/new", {**form, "source": "Study 2024"})
    assert response.status_code == 302
    item = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "SV-X"))
    assert item.grade == "C"
    assert db.session.scalar(select(AuditEvent.action)) == "create"


def test_optional_numbers_left_empty_by_the_browser_are_accepted(client, auth, make):
    """A browser sends every field, the empty ones as ''. The optional footprint figures
    left empty were refused with 'Enter a number.'."""
    login(client, make.user(roles=("admin",), locale="en"))
    form = {
        **NEW_SERVICE,
        "code": "SV-Y",
        "source": "Study 2024",
        "embodied_kgco2e": "",
        "embodied_min_kgco2e": " ",
        "embodied_max_kgco2e": "",
        "use_kwh_per_year": "",
        "lifetime_years": "",
    }
    response = auth.post("/catalogue/admin/items/new", form)
    assert response.status_code == 302
    item = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "SV-Y"))
    assert item.use_kwh_per_year is None and item.lifetime_years is None


def test_admin_discontinues_an_item(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    item = make_item()
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    assert "Add to my request" in page  # its page is cached now, head and body
    auth.post(f"/catalogue/admin/items/{item.id}/discontinue")
    assert db.session.get(CatalogueItem, item.id).status == "discontinued"
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    assert "can no longer be requested" in page and "Add to my request" not in page


def test_import_route_reports_the_faulty_line_and_imports_nothing(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = "code,kind,category,name_fr,name_en,use_kgco2e_per_year,source\nS-1,service,email,a,b,abc,x\n"
    response = auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "use_kgco2e_per_year" in body and "<td>2</td>" in body
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0


def test_export_is_public_open_data(client, make_item):
    make_item(code="PUB-1")
    response = client.get("/catalogue/export.csv")
    assert response.status_code == 200 and "PUB-1" in response.get_data(as_text=True)


def test_budget_page_colours_each_department_in_words_too(client, auth, make, make_item):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    response = auth.post(
        "/catalogue/admin/budgets",
        {"department_id": str(admin.department_id), "year": "2026", "budget_kgco2e": "-5"},
    )
    assert response.status_code == 400
    assert "budget from 0 to 1,000,000,000 kg CO₂e" in response.text
    auth.post(
        "/catalogue/admin/budgets",
        {"department_id": str(admin.department_id), "year": "2026", "budget_kgco2e": "500"},
    )
    page = client.get("/catalogue/budgets?year=2026").get_data(as_text=True)
    assert "Within budget" in page and "status-green" in page


@pytest.mark.parametrize(
    ("year", "budget", "field", "expected"),
    [
        # No number read: told the range, as a number outside it is.
        (
            "2026",
            "abc",
            "budget_kgco2e",
            "«\u00a0abc\u00a0» ne se lit pas comme un nombre. "
            "Saisissez un budget de 0 à 1 000 000 000 kg CO₂e par an.",
        ),
        (
            "2026",
            "99999999999999999999",
            "budget_kgco2e",
            "Saisissez un budget de 0 à 1 000 000 000 kg CO₂e par an.",
        ),
        ("abc", "500", "year", "Saisissez un nombre entier."),
        ("", "500", "year", "Saisissez une année de 2000 à 2100."),
    ],
)
def test_a_budget_refused_says_exactly_what_is_wrong_once(
    client, auth, make, year, budget, field, expected
):
    """'abc' said 'Enter a number. Enter a number of 0 or more.'; a year 'abc' said the
    field was empty; a budget too large was told it must be 0 or more. Each is said at
    its field (test_odd_input_budgets_and_alternative_capitals.py)."""
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    response = auth.post(
        "/catalogue/admin/budgets",
        {"department_id": str(admin.department_id), "year": year, "budget_kgco2e": budget},
    )
    page = html.unescape(response.text).replace("\u202f", "\u00a0")
    errors = re.findall(r'<p class="error" id="([a-z0-9_]+)-error">([^<]*)<', page)
    assert response.status_code == 400 and "<title>Erreur\u00a0:" in page
    assert errors == [(field, expected.replace(" 000", "\u00a0000"))]


def test_dashboard_panel_lists_open_requests_and_a_lighter_choice(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    light = make_item(name_en="Refurbished laptop", embodied_kgco2e=50)
    heavy = make_item(name_en="New laptop", embodied_kgco2e=300)
    heavy.alternatives = [light]
    db.session.commit()
    auth.post(f"/catalogue/items/{heavy.id}/request", {"quantity": "1"})
    page = client.get("/").get_data(as_text=True)
    assert "Request being prepared</a>: not sent yet" in page and "Refurbished laptop" in page


def test_french_panel_puts_a_no_break_space_before_the_colon(client, auth, make, make_item):
    """French typography: "Demande en préparation : …", never split before the colon."""
    login(client, make.user(locale="fr"))
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    page = client.get("/").get_data(as_text=True)
    assert "Demande en préparation</a>\u00a0: pas encore envoyée" in page


def test_pages_are_in_french_for_french_users(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item()
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    assert "Le garder plus longtemps" in page


def test_dashboard_suggests_the_lightest_available_alternative(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    lighter = make_item(name_en="Refurbished laptop", embodied_kgco2e=80)
    lightest = make_item(name_en="Shared laptop pool", embodied_kgco2e=30)
    withdrawn = make_item(name_en="Withdrawn laptop", embodied_kgco2e=10, status="discontinued")
    heavier = make_item(name_en="Bigger laptop", embodied_kgco2e=900)
    heavy = make_item(name_en="New laptop", embodied_kgco2e=300)
    heavy.alternatives = [lighter, heavier, withdrawn, lightest]
    db.session.commit()
    auth.post(f"/catalogue/items/{heavy.id}/request", {"quantity": "1"})
    page = client.get("/").get_data(as_text=True)
    assert "instead of New laptop, Shared laptop pool saves" in page
    # The same basket's suggestion is kept, until the catalogue changes.
    lightest.status = "discontinued"
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "instead of New laptop, Refurbished laptop saves" in page


def test_category_filter_is_in_each_persons_language(app, make):
    french, english = app.test_client(), app.test_client()
    login(french, make.user(locale="fr"))
    login(english, make.user(locale="en"))
    for _ in range(2):  # the second round comes from the translated choices kept per language
        assert '<option value="laptop">Ordinateur portable</option>' in french.get(
            "/catalogue/"
        ).get_data(as_text=True)
        assert '<option value="laptop">Laptop</option>' in english.get("/catalogue/").get_data(
            as_text=True
        )


def test_item_page_quantity_field_speaks_each_persons_language(client, make, make_item):
    """The empty quantity field is shared by everyone who reads the same language."""
    item = make_item()
    for person, label in (
        (make.user(locale="fr"), "Quantité"),
        (make.user(locale="en"), "Quantity"),
    ):
        login(client, person)
        page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
        assert f'<label for="quantity">{label}<span class="required-mark">' in page
        assert 'id="quantity"' in page and 'inputmode="numeric"' in page and 'value="1"' in page
        client.post("/auth/sign-out", data={"csrf_token": csrf_token(client)})


# Deciding from any page of the queue ------------------------------------------------


def _queue(make, make_item, now, count: int) -> list[int]:
    """`count` requests waiting for a decision, oldest first."""
    from app.catalogue import services as catalogue

    employee = make.user(locale="en")
    item = make_item()
    ids = []
    for _ in range(count):
        catalogue.add_to_basket(employee, item, 1, now)
        ids.append(catalogue.submit_basket(employee, "", now).id)
    db.session.commit()
    return ids


def test_a_refusal_without_a_reason_shows_the_error_at_that_requests_note_on_its_page(
    app, make, make_item, now
):
    """It used to go back to page 1, the message above another request's note."""
    ids = _queue(make, make_item, now, 12)  # ten a page: two on page 2
    _, admin_auth = _admin(app, make)
    target = ids[-1]
    response = admin_auth.post(
        f"/catalogue/admin/requests/{target}/decide?page=2",
        {"decision": "refuse", "note": "\r\n  "},
    )
    assert response.status_code == 422
    page = response.text
    assert "Page 2 of 2" in page and f"Request {ids[0]} " not in page
    note = re.search(rf'<textarea id="note-{target}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in note and f'aria-describedby="note-{target}-error"' in note
    assert "autofocus" in note
    error = re.search(rf'<p class="error" id="note-{target}-error">([^<]+)</p>', page)
    assert error.group(1) == "Give the requester the reason for the refusal."
    other = re.search(rf'<textarea id="note-{ids[-2]}"[^>]*>', page).group(0)
    assert "aria-invalid" not in other
    assert f'action="/catalogue/admin/requests/{target}/decide?page=2"' in page
    assert db.session.get(CatalogueRequest, target).status == "submitted"


def test_a_refused_note_keeps_what_was_typed(app, make, make_item, now):
    """Too long: the 501 characters come back in the field, with the error, nothing decided."""
    (request_id,) = _queue(make, make_item, now, 1)
    _, admin_auth = _admin(app, make)
    typed = "Not this year, <sorry>. " + "x" * 477
    response = admin_auth.post(
        f"/catalogue/admin/requests/{request_id}/decide", {"decision": "refuse", "note": typed}
    )
    assert response.status_code == 422
    assert "Not this year, &lt;sorry&gt;. " + "x" * 477 + "</textarea>" in response.text
    assert "The note is too long (at most 500 characters)." in response.text
    assert db.session.get(CatalogueRequest, request_id).status == "submitted"


def test_after_a_decision_the_admin_stays_on_the_same_page(app, make, make_item, now):
    ids = _queue(make, make_item, now, 17)  # ten a page: two pages
    admin_client, admin_auth = _admin(app, make)
    response = admin_auth.post(
        f"/catalogue/admin/requests/{ids[-1]}/decide?page=2",
        {"decision": "refuse", "note": "Line one\r\nline two"},
    )
    assert response.status_code == 302
    location = f"/catalogue/admin/requests?page=2&decided={ids[-1]}#decided-{ids[-1]}"
    assert response.headers["Location"] == location
    page = admin_client.get(location).text
    assert re.search(rf"Request {ids[-1]} \([^)]+\) refused\.", page)
    assert f"Request {ids[-2]} " in page
    request = db.session.get(CatalogueRequest, ids[-1])
    db.session.refresh(request)
    assert request.status == "refused" and request.decision_note == "Line one\nline two"


def test_a_decision_sent_with_htmx_answers_with_that_requests_outcome_only(
    app, make, make_item, now
):
    """The block swapped in for the request: its outcome, focusable, not the whole queue."""
    first, second = _queue(make, make_item, now, 2)
    _, admin_auth = _admin(app, make)
    response = admin_auth.post(
        f"/catalogue/admin/requests/{second}/decide", {"decision": "approve"}, headers=HX
    )
    assert response.status_code == 200
    outcome = re.search(
        rf'<p class="flash flash-success" id="decided-{second}" ([^>]*)>', response.text
    )
    assert outcome and 'tabindex="-1"' in outcome.group(1) and "data-announce" in outcome.group(1)
    assert f"Request {first} " not in response.text and "<html" not in response.text
    # The count at the top of the queue follows, swapped out of band.
    assert '<p id="requests-waiting" hx-swap-oob="true">1 request is waiting' in response.text


def test_a_page_past_the_end_of_the_queue_shows_its_last_page_and_the_total(
    app, make, make_item, now
):
    """`?page=3` of two pages said "No request is waiting" under "Page 3 of 2"."""
    ids = _queue(make, make_item, now, 17)  # ten a page: two pages
    admin_client, _ = _admin(app, make)
    page = admin_client.get("/catalogue/admin/requests?page=3").text
    assert "Page 2 of 2" in page and f"Request {ids[-1]} " in page
    assert "No request is waiting for a decision." not in page
    assert "17 requests are waiting for a decision." in page


def test_a_page_past_the_end_of_usefulness_shows_its_last_page(client, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    for n in range(26):
        make_item(kind="service", name_en=f"Service {n:02d}")
    page = client.get("/catalogue/admin/usefulness?page=999").text
    assert "Page 2 of 2" in page
    assert len(re.findall(r'<th scope="row" id="service-', page)) == 1


# The comment of a request --------------------------------------------------------------


def test_a_comment_the_browser_accepts_is_accepted_line_breaks_counting_one(
    client, auth, make, make_item
):
    """500 characters with line breaks: the browser sends each as CR LF (two)."""
    login(client, make.user(locale="en"))
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    comment = "\r\n".join(["x" * 49] * 10) + "\r\n"  # 500 with one-character line breaks
    response = auth.post("/catalogue/requests/submit", {"comment": comment})
    assert response.status_code == 302
    request = db.session.scalar(select(CatalogueRequest))
    assert request.status == "submitted"
    assert request.comment == "\n".join(["x" * 49] * 10)  # stripped at the end


def test_a_comment_too_long_comes_back_in_the_field_with_its_error(client, auth, make, make_item):
    """It redirected to an empty field: the text was lost."""
    login(client, make.user(locale="en"))
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    comment = "First line\r\n" + "y" * 490  # 501 characters
    response = auth.post("/catalogue/requests/submit", {"comment": comment})
    assert response.status_code == 422
    field = re.search(r'<textarea [^>]*name="comment"[^>]*>([^<]*)</textarea>', response.text)
    assert 'aria-invalid="true"' in field.group(0)
    assert field.group(1).strip() == "First line\n" + "y" * 490
    assert "Your comment is too long (at most 500 characters)." in response.text
    assert "autofocus" in field.group(0)
    assert db.session.scalar(select(CatalogueRequest.status)) == "draft"


def test_the_requester_and_the_admin_see_the_comment_with_its_line_breaks(
    client, auth, make, make_item, app
):
    login(client, make.user(locale="en"))
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {"comment": "New starter\r\n<b>on Monday</b>"})
    request_id = db.session.scalar(select(CatalogueRequest.id))
    shown = "New starter<br>\n&lt;b&gt;on Monday&lt;/b&gt;"
    mine = client.get(f"/catalogue/requests/{request_id}").text
    assert "Your comment" in mine and shown in mine
    admin_client, _ = _admin(app, make)
    assert shown in admin_client.get("/catalogue/admin/requests").text


# Keeping one's place ---------------------------------------------------------------------


def test_recompute_without_javascript_lands_back_at_the_simulator(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item()
    page = client.get(f"/catalogue/items/{item.id}").text
    assert 'id="lifetime"' in page
    assert f'action="/catalogue/items/{item.id}/lifetime#lifetime"' in page
    response = client.get(f"/catalogue/items/{item.id}/lifetime?years=6")
    assert response.headers["Location"] == f"/catalogue/items/{item.id}?years=6#lifetime"


def test_compare_with_nothing_ticked_returns_to_the_listing_as_it_was(client, make, make_item):
    """It was a 400 page at /catalogue/compare?, the search and page lost."""
    login(client, make.user(locale="en"))
    for n in range(26):
        make_item(name_en=f"Laptop {n:02d}")
    listing = client.get("/catalogue/?q=laptop&sort=-footprint&page=2").text
    # The compare button sends the search form (its fields as shown) and its own page.
    button = re.search(r'<button type="submit" form="catalogue-search"[^>]*>', listing)[0]
    assert 'formaction="/catalogue/compare"' in button and 'name="page" value="2"' in button
    response = client.get("/catalogue/compare?q=laptop&kind=&sort=-footprint&page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/catalogue/?q=laptop&sort=-footprint&page=2"
    page = client.get(response.headers["Location"]).text
    assert "Choose two to four items to compare." in page and "Page 2 of 2" in page


def test_the_compare_page_leads_back_to_the_listing_as_it_was(client, make, make_item):
    login(client, make.user(locale="en"))
    a, b = make_item(), make_item()
    page = client.get(f"/catalogue/compare?ids={a.id}&ids={b.id}&q=item&page=2").text
    assert 'href="/catalogue/?q=item&amp;page=2">Back to the catalogue' in page


def test_discontinuing_asks_first(client, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    item = make_item(name_en="Old dock", kind="service")
    for url in (f"/catalogue/items/{item.id}", "/catalogue/admin/usefulness"):
        page = client.get(url).text
        assert 'data-confirm="Discontinue Old dock? People can no longer request it."' in page


CSV_HEADER = "code,kind,category,name_fr,name_en,use_kgco2e_per_year,source\n"
ONE_SERVICE = CSV_HEADER + "S-1,service,email,Messagerie,E-mail,4,Study 2024\n"


def _upload(auth, text: str):
    return auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def _token(page: str, name: str = "token") -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    return re.search(r'value="([^"]+)"', match.group(0)).group(1)


def _confirmation(page: str) -> dict[str, str]:
    """The preview's confirm form: its file's token and what the admin saw."""
    return {"token": _token(page), "preview": _token(page, "preview")}


def test_uploading_shows_a_preview_and_changes_nothing_until_confirmed(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    preview = _upload(auth, ONE_SERVICE)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "1 item would be created" in page and "0 items are unchanged" in page
    assert "S-1" in page and "Confirm the import" in page
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0
    done = auth.post("/catalogue/admin/import/confirm", _confirmation(page))
    assert done.status_code == 302
    assert (
        "Import done: 1 item created · 0 items updated · 0 items unchanged."
        in client.get(done.location).text
    )
    assert db.session.scalar(select(CatalogueItem.code)) == "S-1"


def test_the_preview_lists_updated_items_with_their_changed_columns(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(code="S-1", kind="service", name_fr="Messagerie", name_en="E-mail",
              use_kgco2e_per_year=3, source="Study 2024")  # fmt: skip
    page = _upload(auth, ONE_SERVICE).get_data(as_text=True)
    assert (
        "1 item would be updated" in page
        and "Use per year (kg CO₂e, per user for a service):" in page
    )


def test_the_preview_shows_each_changed_column_old_to_new_in_the_readers_language(
    client, auth, make, make_item
):
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(code="S-1", kind="service", category="email", name_fr="Messagerie",
              name_en="Old <b>mail</b>", use_kgco2e_per_year=4, source="Study 2024")  # fmt: skip
    page = _upload(auth, ONE_SERVICE).get_data(as_text=True)
    row = page.split("To update", 1)[1].split("</tr>", 2)[1]
    assert "<td>E-mail</td>" in row and "Messagerie" not in row
    assert "Name in English: Old &lt;b&gt;mail&lt;/b&gt; → E-mail" in row
    assert "search_text" not in page and "annual_kgco2e" not in row


def test_a_file_that_changes_nothing_offers_no_confirmation(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(code="E-1")
    page = _upload(auth, client.get("/catalogue/export.csv").text).get_data(as_text=True)
    assert "1 item is unchanged" in page and "nothing to import" in page
    assert "Confirm the import" not in page


OLD_LAPTOP = (
    "code,kind,category,name_fr,name_en,embodied_kgco2e,use_kwh_per_year,source\n"
    "R-1,equipment,laptop,Portable,Laptop,200,300,Study\n"
)


def test_the_preview_says_a_file_without_the_range_columns_clears_a_range_it_outgrows(
    client, auth, make, make_item
):
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(code="R-1", name_fr="Portable", name_en="Laptop", source="Study",
              use_kwh_per_year=100, use_kwh_min=80, use_kwh_max=150)  # fmt: skip
    page = _upload(auth, OLD_LAPTOP).text
    assert "Electricity, low estimate (kWh a year): 80 → <em>empty</em>" in page
    assert "Electricity, high estimate (kWh a year): 150 → <em>empty</em>" in page
    assert "the range is cleared. Add these columns to the file" in page
    auth.post("/catalogue/admin/import/confirm", _confirmation(page))
    item = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "R-1"))
    assert (item.use_kwh_per_year, item.use_kwh_min, item.use_kwh_max) == (300, None, None)


def test_the_import_page_names_the_line_and_column_of_a_wrong_yearly_use_range(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    text = OLD_LAPTOP.replace("use_kwh_per_year,", "use_kwh_per_year,use_kwh_min,use_kwh_max,")
    response = _upload(auth, text.replace(",300,", ",300,310,290,"))
    assert response.status_code == 422
    row = response.text.split("<td>2</td>", 1)[1].split("</tr>", 1)[0]
    assert (
        "use_kwh_min" in row
        and "estimation basse ne peut pas dépasser le chiffre retenu (300)" in row
    )
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0


def test_a_confirmation_applies_once_and_only_for_the_admin_who_uploaded(client, auth, make):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    confirmation = _confirmation(_upload(auth, ONE_SERVICE).get_data(as_text=True))
    login(client, make.user(roles=("admin",), locale="en"))
    other = auth.post("/catalogue/admin/import/confirm", confirmation)
    assert (
        other.status_code == 302 and "has expired or is unknown" in client.get(other.location).text
    )
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0
    login(client, admin)
    assert auth.post("/catalogue/admin/import/confirm", confirmation).status_code == 302
    again = auth.post("/catalogue/admin/import/confirm", confirmation)
    assert "This file was already imported" in client.get(again.location).text
    imports = select(func.count(AuditEvent.id)).where(AuditEvent.action == "import")
    assert db.session.scalar(imports) == 1


@pytest.mark.parametrize("token", ["", "../../secret_key", "x" * 32, "a" * 500])
def test_a_bad_or_unknown_token_changes_nothing(client, auth, make, token):
    login(client, make.user(roles=("admin",), locale="en"))
    response = auth.post("/catalogue/admin/import/confirm", {"token": token})
    assert response.status_code == 302
    assert "has expired or is unknown" in client.get(response.location).text
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0


def test_an_expired_preview_cannot_be_confirmed(client, auth, make, import_folder):
    login(client, make.user(roles=("admin",), locale="en"))
    token = _token(_upload(auth, ONE_SERVICE).get_data(as_text=True))
    for kept in import_folder.iterdir():
        os.utime(kept, (time.time() - 31 * 60,) * 2)
    response = auth.post("/catalogue/admin/import/confirm", {"token": token})
    assert "has expired or is unknown" in client.get(response.location).text
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0


def test_confirming_needs_the_csrf_token(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    token = _token(_upload(auth, ONE_SERVICE).get_data(as_text=True))
    response = client.post("/catalogue/admin/import/confirm", data={"token": token})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0


def test_confirming_checks_the_file_again_against_todays_catalogue(client, auth, make, make_item):
    """An alternative deleted between the preview and the confirmation."""
    login(client, make.user(roles=("admin",), locale="en"))
    alt = make_item(code="ALT-1", kind="service")  # an e-mail service, lighter
    text = CSV_HEADER.replace("\n", ",alternatives\n") + (
        "S-1,service,email,Messagerie,E-mail,4,Study 2024,ALT-1\n"
    )
    token = _token(_upload(auth, text).get_data(as_text=True))
    db.session.delete(alt)
    db.session.commit()
    response = auth.post("/catalogue/admin/import/confirm", {"token": token})
    assert response.status_code == 422 and "Unknown alternative code" in response.text
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0


def test_a_semicolon_file_uploads_to_a_preview(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    preview = _upload(auth, ONE_SERVICE.replace(",", ";"))
    assert preview.status_code == 200 and "1 item would be created" in preview.text


def test_import_page_in_french_names_missing_columns_and_the_separator(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    response = _upload(auth, "code|kind|category|name_fr|name_en\n")
    assert response.status_code == 422
    assert "Colonnes manquantes" in response.text and "points-virgules" in response.text


# Review fixes: totals, decisions named, budgets as shown, ranges -----------------------


def test_adding_to_what_the_request_already_holds_says_the_new_total(client, auth, make, make_item):
    """ "Ajouté à votre demande." after adding 2 to 5 read as an order of 2, not 7."""
    login(client, make.user(locale="fr"))
    item = make_item(name_fr="Souris filaire")
    first = auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "5"})
    assert "Ajouté à votre demande\u00a0: Souris filaire × 5." in client.get(first.location).text
    again = auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "2"})
    added = "Ajouté à votre demande\u00a0: Souris filaire × 2 (7 au total)."
    assert added in client.get(again.location).text


def test_the_item_page_says_how_many_the_request_already_holds(client, auth, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item()
    page = client.get(f"/catalogue/items/{item.id}").text
    assert "contient déjà" not in page
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "5"})
    page = client.get(f"/catalogue/items/{item.id}").text
    assert "Votre demande en préparation contient déjà 5 exemplaires de cet article" in page


@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_a_decision_message_names_the_request_and_its_requester(app, make, make_item, decision):
    """« Demande acceptée. » alone: which one, in a queue of ten?"""
    from app.catalogue import services as catalogue
    from app.core.time import utcnow

    employee = make.user(locale="fr", display_name="Alice Martin")
    catalogue.add_to_basket(employee, make_item(), 1, utcnow())
    request_id = catalogue.submit_basket(employee, "", utcnow()).id
    db.session.commit()
    admin_client, admin_auth = _admin(app, make)
    response = admin_auth.post(
        f"/catalogue/admin/requests/{request_id}/decide", {"decision": decision, "note": "Non"}
    )
    word = "approved" if decision == "approve" else "refused"
    assert (
        f"Request {request_id} (Alice Martin) {word}." in admin_client.get(response.location).text
    )


def _budget_row(make, make_item, admin, budget, used):
    """A department whose approved requests this year add `used` kg against `budget`."""
    from app.catalogue import services as catalogue
    from tests.catalogue.conftest import NOW

    user = make.user()
    catalogue.add_to_basket(user, make_item(kind="service", use_kgco2e_per_year=used), 1, NOW)
    request = catalogue.submit_basket(user, "", NOW)
    catalogue.decide_request(request, admin, True, "", NOW)
    catalogue.set_budget(user.department_id, 2026, budget, admin, NOW)
    db.session.commit()
    return user.department


def test_budget_rows_shown_at_the_same_percentage_never_differ_in_status(client, make, make_item):
    """756 / 950 and 845 / 1 050 both read « (80 %) », one green, the other amber."""
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    _budget_row(make, make_item, admin, 950, 756)
    _budget_row(make, make_item, admin, 1050, 845)
    _budget_row(make, make_item, admin, 1000, 500)
    page = client.get("/catalogue/budgets?year=2026").text
    rows = re.findall(r"\((\d+(?:,\d)?)\xa0%\)</td>\s*<td class=\"budget-status status-(\w+)", page)
    assert sorted(rows) == [("50", "green"), ("79,6", "green"), ("80,5", "amber")]


def test_a_budget_shows_as_entered_to_a_tenth(client, auth, make):
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    auth.post(
        "/catalogue/admin/budgets",
        {"department_id": str(admin.department_id), "year": "2026", "budget_kgco2e": "425,5"},
    )
    page = client.get("/catalogue/budgets?year=2026").text
    assert ">425,5\xa0kg\xa0CO₂e</td>" in page


def test_a_range_is_written_to_the_precision_of_its_figure(client, make, make_item):
    """« 200,0 kg CO₂e (entre 180,0 kg CO₂e et 260,0 kg CO₂e) »: no trailing ,0."""
    login(client, make.user(locale="fr"))
    whole = make_item(embodied_kgco2e=200.0, embodied_min_kgco2e=180.0, embodied_max_kgco2e=260.0)
    page = client.get(f"/catalogue/items/{whole.id}").text
    assert "200\xa0kg\xa0CO₂e" in page and "(entre 180\xa0kg\xa0CO₂e et 260\xa0kg\xa0CO₂e)" in page
    tenth = make_item(embodied_kgco2e=200.0, embodied_min_kgco2e=180.5, embodied_max_kgco2e=260.0)
    page = client.get(f"/catalogue/items/{tenth.id}").text
    assert "(entre 180,5\xa0kg\xa0CO₂e et 260,0\xa0kg\xa0CO₂e)" in page


def test_the_item_form_names_one_items_kind_in_the_singular(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = client.get("/catalogue/admin/items/new").text
    assert '<option value="equipment">Équipement</option>' in page
    assert '<option value="service">Service</option>' in page


def test_an_items_edit_is_audited_before_and_after_in_the_admins_language(
    client, auth, make, make_item
):
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    item = make_item(embodied_kgco2e=255.5, lifetime_years=4.5, source="ADEME v1")
    changes = {"embodied_kgco2e": "181", "lifetime_years": "4", "source": "Boavizta v2"}
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", item_edit_form(item, **changes))
    assert response.status_code == 302
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Fabrication\u00a0: 255,5 → 181\u00a0kg\u00a0CO₂e" in html
    assert "Durée de vie\u00a0: 4,5 → 4\u00a0ans" in html
    assert "Source\u00a0: «\u00a0ADEME v1\u00a0» → «\u00a0Boavizta v2\u00a0»" in html
    admin.locale = "en"
    db.session.commit()
    html = client.get("/admin/audit").get_data(as_text=True)
    assert (
        "Manufacturing footprint: 255.5 → 181\u00a0kg\u00a0CO₂e · Lifetime: 4.5 → 4\u00a0years"
        in html
    )
    csv_text = client.get("/admin/audit.csv").get_data(as_text=True)
    assert "embodied_kgco2e 255.5 -> 181; lifetime_years 4.5 -> 4" in csv_text


def test_every_event_of_an_item_names_its_code_in_the_audit_log(client, auth, make, make_item):
    """An admin looking for what happened to LAPTOP-14 finds its edit, its alternatives and
    its withdrawal by the code, not only by an id they do not know."""
    login(client, make.user(roles=("admin",), locale="en"))
    item = make_item(code="LAPTOP-14", embodied_kgco2e=255.5)
    other = make_item(code="LAPTOP-15", embodied_kgco2e=100.0)  # lighter
    form = item_edit_form(item, embodied_kgco2e="181", alternatives=other.code)
    assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302
    auth.post(f"/catalogue/admin/items/{item.id}/discontinue")
    html = client.get("/admin/audit?object_type=catalogue_item").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    actions = [re.findall(r"<td>(.*?)</td>", row, re.S)[2] for row in rows if "LAPTOP-14" in row]
    assert actions == ["Withdrawn from the catalogue", "Alternatives set", "Updated"]


def test_saving_an_item_unchanged_records_no_audit_event(client, auth, make, make_item):
    """The form sends the alternatives with every save: an unchanged list recorded an
    "alternatives set" event each time."""
    login(client, make.user(roles=("admin",), locale="en"))
    lighter = make_item(embodied_kgco2e=100.0)
    item = make_item()
    form = item_edit_form(item, alternatives=lighter.code)
    assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302
    events = select(func.count(AuditEvent.id)).where(AuditEvent.object_id == str(item.id))
    recorded = db.session.scalar(events)
    assert recorded == 1  # the alternative, set

    assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302
    assert db.session.scalar(events) == recorded


# Browser review: alternatives that do the same job, the added item named, empty searches -----


def test_the_demo_suggests_alternatives_that_do_the_same_job(runner, client, auth):
    """The 4G home-working box (category "accessory") offered a wired mouse and keyboard."""
    demo_seed_command_once(runner, 150)
    auth.sign_in("employee@demo.empreinte.fr", "demo")
    code_of = dict(db.session.execute(select(CatalogueItem.id, CatalogueItem.code)).all())
    id_of = {code: item_id for item_id, code in code_of.items()}

    def suggested(code: str) -> set[str]:
        page = client.get(f"/catalogue/items/{id_of[code]}").text
        section = page.partition('id="alt-h"')[2].partition("</section>")[0]
        return {code_of[int(i)] for i in re.findall(r'href="/catalogue/items/(\d+)"', section)}

    assert suggested("EQ-ACC-04") == set()  # the 4G box: nothing else does its job
    assert suggested("EQ-ACC-03") == {"EQ-ACC-02"}  # an external disk for an external SSD
    assert suggested("EQ-LAP-02") == {"EQ-LAP-06", "EQ-LAP-07"}  # refurbished laptops


def test_one_ticked_item_is_compared_with_the_lighter_alternatives_its_page_shows(
    client, make, make_item
):
    login(client, make.user(locale="en"))
    lighter = make_item(name_en="Refurbished laptop", embodied_kgco2e=80)
    heavier = make_item(name_en="Bigger laptop", embodied_kgco2e=900)
    withdrawn = make_item(name_en="Withdrawn laptop", embodied_kgco2e=10, status="discontinued")
    alone = make_item(name_en="New laptop", embodied_kgco2e=300)
    alone.alternatives = [lighter, heavier, withdrawn]
    db.session.commit()
    page = client.get(f"/catalogue/compare?ids={alone.id}").text
    link = re.search(r'<a href="([^"]+)">Compare New laptop with its alternatives', page)
    assert re.findall(r"ids=(\d+)", link.group(1)) == [str(alone.id), str(lighter.id)]


def test_the_added_message_names_the_item_in_english(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(name_en="Wired mouse")
    first = auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "1"})
    assert "Added to your request: Wired mouse × 1." in client.get(first.location).text
    again = auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "3"})
    added = "Added to your request: Wired mouse × 3 (4 in all)."
    assert added in client.get(again.location).text


def test_a_search_without_result_offers_to_clear_the_filters_page_and_fragment(
    client, make, make_item
):
    login(client, make.user(locale="fr"))
    make_item(name_fr="Souris filaire", category="accessory")
    help_text = "Aucun article ne correspond. Essayez un autre mot ou effacez les filtres."
    clear = '<a href="/catalogue/">Effacer la recherche et les filtres</a>'
    for headers in ({}, HX):
        empty = client.get("/catalogue/?q=imprimante&category=accessory", headers=headers).text
        assert help_text in empty and clear in empty
        found = client.get("/catalogue/?q=souris", headers=headers).text
        assert help_text not in found and "Souris filaire" in found
    assert "Souris filaire" in client.get("/catalogue/").text  # where the link leads


def test_an_items_electricity_figures_share_one_decimal(client, make, make_item):
    """« 144,54 kWh par an … entre 52,56 et 262,8 »: two decimals beside one."""
    login(client, make.user(locale="fr"))
    item = make_item(
        kind="equipment", use_kwh_per_year=144.54, use_kwh_min=52.56, use_kwh_max=262.8
    )
    text = html.unescape(client.get(f"/catalogue/items/{item.id}").get_data(as_text=True))
    assert "144,5\u00a0kWh par an" in text or "144,5 kWh par an" in text
    assert "entre 52,6\u00a0kWh et 262,8\u00a0kWh par an" in text


# The item page and the listing are kept whole for everyone: what is each person's -------


def _form_token(page: str, action: str) -> str:
    """The CSRF token of the form posting to `action` on a page."""
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf_token" '
        r'value="([^"]+)"',
        page,
    )
    assert found, f"no form posting to {action}"
    return found.group(1)


def test_a_kept_item_page_shows_each_person_their_own_basket(app, make, make_item):
    """The page is kept for everyone; what a request holds is each reader's own."""
    item = make_item()
    holder, other = app.test_client(), app.test_client()
    login(holder, make.user(locale="en"))
    login(other, make.user(locale="en"))
    assert "already holds" not in other.get(f"/catalogue/items/{item.id}").text  # kept now
    Auth(holder).post(f"/catalogue/items/{item.id}/request", {"quantity": "4"})
    assert "already holds 4 of this item" in holder.get(f"/catalogue/items/{item.id}").text
    assert "already holds" not in other.get(f"/catalogue/items/{item.id}").text


def test_the_basket_an_item_page_shows_follows_a_removal(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item()
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "2"})
    assert "already holds 2 of this item" in client.get(f"/catalogue/items/{item.id}").text
    line = db.session.scalar(select(CatalogueRequest)).lines[0]
    auth.post(f"/catalogue/requests/lines/{line.id}/remove")
    assert "already holds" not in client.get(f"/catalogue/items/{item.id}").text


def test_a_kept_item_page_carries_each_persons_csrf_token(app, make, make_item):
    """Adding to a request from a page kept for someone else works with one's own token."""
    item = make_item()
    first, second = app.test_client(), app.test_client()
    login(first, make.user(locale="en"))
    login(second, make.user(locale="en"))
    action = f"/catalogue/items/{item.id}/request"
    first.get(f"/catalogue/items/{item.id}")
    page = second.get(f"/catalogue/items/{item.id}").text
    token = _form_token(page, action)
    assert token == csrf_token(second)
    answer = second.post(action, data={"quantity": "1", "csrf_token": token})
    assert answer.status_code == 302 and answer.location.endswith("/catalogue/requests")


def test_a_kept_service_page_shows_each_person_their_own_mark(app, make, make_item):
    service = make_item(kind="service")
    marker, other = app.test_client(), app.test_client()
    login(marker, make.user(locale="en"))
    login(other, make.user(locale="en"))
    other.get(f"/catalogue/items/{service.id}")  # kept before the mark
    Auth(marker).post(f"/catalogue/items/{service.id}/useful")
    mine = marker.get(f"/catalogue/items/{service.id}").text
    theirs = other.get(f"/catalogue/items/{service.id}").text
    assert 'aria-pressed="true"' in mine and "1 person finds it useful" in mine
    assert 'aria-pressed="false"' in theirs and "1 person finds it useful" in theirs


def test_an_item_page_kept_for_an_admin_shows_no_manage_section_to_others(app, make, make_item):
    item = make_item()
    admin, employee = app.test_client(), app.test_client()
    login(admin, make.user(roles=("admin",), locale="en"))
    login(employee, make.user(locale="en"))
    assert "Discontinue" in admin.get(f"/catalogue/items/{item.id}").text
    page = employee.get(f"/catalogue/items/{item.id}").text
    assert "Discontinue" not in page and "Add to my request" in page


def test_an_item_text_looking_like_a_slot_is_shown_as_typed(client, make, make_item):
    """The kept page is cut where each person's values go: an admin's text is never cut."""
    login(client, make.user(locale="en"))
    typed = "Mark \ue000csrf\ue000 and \ue000held\ue000 stay"
    item = make_item(description_en=typed)
    page = client.get(f"/catalogue/items/{item.id}").text
    assert html.escape(typed, quote=False) in page


def test_the_kept_listing_speaks_each_readers_language(app, make):
    french, english = app.test_client(), app.test_client()
    login(french, make.user(locale="fr"))
    login(english, make.user(locale="en"))
    assert "Services et équipements" in french.get("/catalogue/?sort=footprint").text  # kept
    page = english.get("/catalogue/?sort=footprint").text
    assert "<title>Catalogue · " in page and "Services and equipment with" in page


def test_a_refused_filter_stays_refused_when_the_listing_is_kept(client, make):
    login(client, make.user(locale="en"))
    assert client.get("/catalogue/?grade=Z").status_code == 400
    again = client.get("/catalogue/?grade=Z")
    assert again.status_code == 400 and '<p class="error" data-announce>' in again.text


def test_an_admin_reads_what_their_request_holds_once_where_they_ask_for_it(
    client, make, auth, make_item
):
    """Not a second time under "Manage", next to "Discontinue", where it made no sense."""
    login(client, make.user(roles=("admin",), locale="en"))
    item = make_item()
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "1"})
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    assert page.count("already holds 1 of this item") == 1
    assert page.index("already holds") < page.index('id="admin-h"')
