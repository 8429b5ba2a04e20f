"""A request approved after one of its items left the catalogue: that line charges the
budget nothing, yet its figure is kept (not set to 0), the request page still says
« non compté » for it, and nobody is reminded to renew a device they never received."""

import re
from datetime import timedelta

from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueRequestLine
from app.core.personalisation import known_audiences
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.conftest import login


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("\xa0", " ")


def _approved_after_retiring(make, make_item, at=NOW):
    """Two laptops asked for, the laptop retired while the request waited, then approved."""
    admin = make.user(roles=("admin",))
    person = make.user(locale="fr")
    laptop = make_item(name_fr="Portable retiré", embodied_kgco2e=200, lifetime_years=4)
    catalogue.add_to_basket(person, laptop, 2, at)
    request = catalogue.submit_basket(person, "", at)
    laptop.status = "discontinued"
    db.session.commit()
    catalogue.decide_request(request, admin, True, "", at)
    db.session.commit()
    return person, request, laptop


def test_the_request_page_says_not_counted_after_the_approval(client, make, make_item):
    person, request, _laptop = _approved_after_retiring(make, make_item)
    login(client, person)
    page = _text(client.get(f"/catalogue/requests/{request.id}"))
    row = re.search(r"<td role=\"cell\">Portable retiré</td>.*?</tr>", page).group(0)
    assert "plus au catalogue</span> non compté" in row and "kg CO₂e" not in row


def test_the_approval_keeps_the_figure_asked_for(make, make_item):
    _person, request, laptop = _approved_after_retiring(make, make_item)
    laptop_figure = laptop.annual_kgco2e  # 55.2: 50 for its manufacture, and its use
    line = db.session.scalar(
        select(CatalogueRequestLine).where(CatalogueRequestLine.request_id == request.id)
    )
    assert (line.annual_kgco2e, line.not_counted) == (laptop_figure, True)


def test_no_renewal_reminder_for_a_device_never_given(make, make_item):
    person, _request, _laptop = _approved_after_retiring(
        make, make_item, NOW - timedelta(days=5 * 365)
    )
    audience = known_audiences()["devices-due-for-renewal"]
    assert person.id not in db.session.scalars(audience.resolve(NOW, {})).all()
