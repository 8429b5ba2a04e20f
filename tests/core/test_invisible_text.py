"""Text that shows nothing (a zero-width space U+200B, a word joiner U+2060, spaces) is
no text: every form of the portal is a `PortalForm`, whose text fields drop the invisible
characters at both ends, so a required field refuses it with its own message and
nothing is saved (a wipe certificate « certificat : » with nothing after it, a point
with no name)."""

import html
import importlib
import pkgutil
from datetime import timedelta

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField

import app as app_package
from app.core.forms import PortalForm
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import MessageTemplate
from app.recycling import services
from app.recycling.models import CollectionPoint, CustodyStep, DeviceReturn, PointAgent
from tests.conftest import login
from tests.messaging.conftest import template_form
from tests.recycling.conftest import RecyclingFactories, local_today

INVISIBLE = "\u200b"
ALSO_INVISIBLE = "\u2060 \u200b"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _form_classes(base) -> set[type]:
    """Every subclass of `base`, however deep."""
    found = set()
    for sub in base.__subclasses__():
        found |= {sub, *_form_classes(sub)}
    return found


def test_every_form_of_the_portal_is_a_portal_form():
    """A form on plain FlaskForm would take a zero-width space as a name again."""
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    forms = {
        form
        for form in _form_classes(FlaskForm)
        if form.__module__.startswith("app.") and form is not PortalForm
    }
    assert len(forms) > 30  # the modules were found and imported
    assert (
        sorted(f"{f.__module__}.{f.__name__}" for f in forms if not issubclass(f, PortalForm)) == []
    )


class _Sample(PortalForm):
    class Meta:
        csrf = False

    name = StringField("Name")
    note = TextAreaField("Note")
    password = PasswordField("Password")


def _sample(app, **data) -> _Sample:
    with app.test_request_context():
        return _Sample(MultiDict(data))


def test_a_text_area_keeps_its_inner_line_breaks_and_loses_its_invisible_ends(app):
    form = _sample(app, note="\u200b\n  First line\n\nThird line \u2060\n")
    assert form.note.data == "First line\n\nThird line"


def test_a_name_loses_only_what_shows_nothing_at_its_ends(app):
    assert _sample(app, name="\u200b Ra\u00a0ce \u2060").name.data == "Ra\u00a0ce"


def test_a_password_is_kept_as_typed(app):
    """Spaces around a password may be part of it: it is never trimmed."""
    assert _sample(app, password=" secret \u200b").password.data == " secret \u200b"


# --- through the portal's own pages ------------------------------------------------------


def _received_return(make):
    """A return an English-speaking agent received an hour ago; the agent is signed in."""
    rec = RecyclingFactories(make)
    point = rec.point()
    agent = make.user(roles=("employee", "agent"), locale="en")
    db.session.add(PointAgent(point_id=point.id, user_id=agent.id))
    db.session.commit()
    at = utcnow() - timedelta(hours=1)
    device_return = rec.device_return(make.user(), point, now=at - timedelta(minutes=5))
    services.confirm_receipt(device_return, agent, at)
    db.session.commit()
    return agent, device_return


def _steps(device_return) -> list[str]:
    return db.session.scalars(
        select(CustodyStep.step).where(CustodyStep.return_id == device_return.id)
    ).all()


def test_an_invisible_certificate_number_is_refused_as_missing(client, auth, make):
    agent, device_return = _received_return(make)
    login(client, agent)

    response = auth.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/wipe",
        {"method": "crypto_erase", "wipe_date": local_today(), "certificate_number": INVISIBLE},
    )

    assert response.status_code == 422
    assert "Enter the wipe certificate number." in _text(response)
    assert sorted(_steps(device_return)) == ["declared", "received"]


def test_an_invisible_reason_to_undo_a_receipt_is_refused_as_missing(client, auth, make):
    agent, device_return = _received_return(make)
    login(client, agent)

    response = auth.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/undo-receipt",
        {"reason": ALSO_INVISIBLE},
    )

    assert "Say why this receipt is undone, in a few words." in _text(response)
    db.session.expire_all()
    assert db.session.get(DeviceReturn, device_return.id).status == "received"
    assert sorted(_steps(device_return)) == ["declared", "received"]


def test_a_collection_point_named_with_invisible_characters_is_not_created(client, auth, make):
    commune = make.commune(name="Bouliac")
    login(client, make.user(roles=("admin",), locale="en"))

    response = auth.post(
        "/recycling/admin/points/new",
        {"name": INVISIBLE, "commune_id": commune.id, "address": ALSO_INVISIBLE,
         "latitude": "44.81", "longitude": "-0.50", "opening_hours": "Mo-Fr 09:00-12:00",
         "accepted_types": ["laptop"]},
    )  # fmt: skip

    assert response.status_code == 422
    page = _text(response)
    # The name and the address: each at its field, and in the summary's links.
    assert '<a href="#name">Name: This field is required.</a>' in page
    assert '<a href="#address">Address: This field is required.</a>' in page
    assert page.count("This field is required.") == 4
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 0


def test_a_message_template_with_an_invisible_subject_is_not_saved(client, auth, make):
    login(client, make.user(roles=("organiser",), locale="en"))

    response = auth.post(
        "/messaging/templates/new", data=template_form(subject_fr=INVISIBLE, action="save")
    )

    assert response.status_code == 422
    assert "This text is required in both languages." in _text(response)
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "news")) is None
