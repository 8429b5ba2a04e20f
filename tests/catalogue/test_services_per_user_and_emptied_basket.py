"""Services and the basket: a service's figure shown without "per user" (the
comparison set « 9,8 kg CO₂e » of e-mail beside a laptop's 55,5), and home keeping a
basket emptied line by line as a request being prepared, linking to nothing."""

import html
import re

from sqlalchemy import select

from app.catalogue.models import CatalogueRequest
from app.extensions import db
from tests.conftest import login


def _text(fragment: str) -> str:
    """What a reader sees of some HTML (its tags left out), spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _cells(page: str, heading: str) -> list[str]:
    """The cells of the comparison's row named `heading`, as read."""
    row = re.search(rf'<th scope="row">{heading}</th>(.*?)</tr>', page, re.S).group(1)
    return [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _service(make_item, name: str, kg: float):
    return make_item(kind="service", name_en=name, name_fr=name, use_kgco2e_per_year=kg)


# A service's figure says it is per user ------------------------------------------------


def test_the_comparison_says_a_services_figures_are_per_user(client, make, make_item):
    login(client, make.user(locale="fr"))
    mail = _service(make_item, "Messagerie", 9.8)
    laptop = make_item(name_fr="Portable")
    page = client.get(f"/catalogue/compare?ids={mail.id}&ids={laptop.id}").text
    yearly, use = _cells(page, "Empreinte annuelle"), _cells(page, "Utilisation par an")
    assert yearly[0].endswith("kg CO₂e par utilisateur"), yearly
    assert use[0].endswith("kg CO₂e par utilisateur"), use
    assert "par utilisateur" not in yearly[1] + use[1]


def test_the_basket_says_a_lighter_services_figure_is_per_user(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    light = _service(make_item, "Light mail", 2.0)
    heavy = _service(make_item, "Heavy mail", 9.8)
    heavy.alternatives = [light]
    db.session.commit()
    auth.post(f"/catalogue/items/{heavy.id}/request", {"quantity": "1"})
    basket = _text(client.get("/catalogue/requests").text)
    assert "Light mail Label B (2 kg CO₂e per user)" in basket, basket


def test_an_items_page_says_a_lighter_services_figure_is_per_user(client, make, make_item):
    login(client, make.user(locale="en"))
    light = _service(make_item, "Light mail", 2.0)
    heavy = _service(make_item, "Heavy mail", 9.8)
    heavy.alternatives = [light]
    db.session.commit()
    page = _text(client.get(f"/catalogue/items/{heavy.id}").text)
    assert "Light mail — 2 kg CO₂e a year per user" in page


def test_home_says_a_lighter_service_saves_per_user(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    light = _service(make_item, "Light mail", 2.0)
    heavy = _service(make_item, "Heavy mail", 9.8)
    heavy.alternatives = [light]
    db.session.commit()
    auth.post(f"/catalogue/items/{heavy.id}/request", {"quantity": "1"})
    home = _text(client.get("/").text)
    assert "instead of Heavy mail, Light mail saves 7.8 kg CO₂e a year per user." in home


def test_home_says_a_lighter_device_saves_a_year_without_per_user(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    light = make_item(name_en="Refurbished laptop", embodied_kgco2e=50)
    heavy = make_item(name_en="New laptop", embodied_kgco2e=300)
    heavy.alternatives = [light]
    db.session.commit()
    auth.post(f"/catalogue/items/{heavy.id}/request", {"quantity": "1"})
    home = _text(client.get("/").text)
    assert "instead of New laptop, Refurbished laptop saves" in home
    assert "per user" not in home


# A basket emptied is no request being prepared -----------------------------------------


def test_home_drops_a_basket_emptied_line_by_line(client, auth, make, make_item):
    login(client, make.user(locale="fr"))
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    assert "Demande en préparation" in client.get("/").text
    line = db.session.scalar(select(CatalogueRequest)).lines[0]
    auth.post(f"/catalogue/requests/lines/{line.id}/remove")
    assert "Rien pour l'instant" in html.unescape(client.get("/catalogue/requests").text)
    home = _text(client.get("/").text)
    assert "Demande en préparation" not in home and "pas encore envoyée" not in home
    assert "Aucune demande en cours." in home
