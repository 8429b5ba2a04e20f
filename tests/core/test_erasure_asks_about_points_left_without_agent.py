"""Erasing the only agent of an open collection point is not refused (it is the person's
right), but the admin is told which points will have no agent before confirming: in the
dialog's question and, without JavaScript, on the question page."""

import html
import re

from app.auth.models import User
from app.core.privacy_services import request_erasure
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.core.test_only_agent_of_a_point import NOW, agent, make_point

WARNING = (
    "Manon Fabre is the only agent of the collection point “Mairie de Pessac”: once they "
    "are erased it has no agent; assign one or close it afterwards."
)


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _noscript_fields(page: str) -> dict[str, str]:
    """The hidden fields a browser without JavaScript sends with the erasure form."""
    block = re.search(r"<noscript>(.*?)</noscript>", page, re.S).group(1)
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', block)
    }


def _manon_asks_for_erasure(make):
    manon = agent(make, display_name="Manon Fabre")
    make_point(make, "Mairie de Pessac", [manon])
    erasure = request_erasure(manon, NOW)
    db.session.commit()
    return manon, erasure


def test_the_dialog_names_the_point_before_anything_is_erased(client, make):
    manon, _erasure = _manon_asks_for_erasure(make)
    login(client, make.user(roles=("admin",), locale="en"))
    page = _page(client.get("/admin/erasures"))
    question = re.search(r'data-confirm="([^"]*)"', page).group(1)
    assert question.startswith("Erase Manon Fabre now?") and question.endswith(WARNING)
    assert db.session.get(User, manon.id).anonymised_at is None


def test_without_javascript_the_question_page_names_the_point_then_the_erasure_happens(
    client, make
):
    manon, erasure = _manon_asks_for_erasure(make)
    login(client, make.user(roles=("admin",), locale="fr"))
    listing = client.get("/admin/erasures").get_data(as_text=True)
    url = f"/admin/erasures/{erasure.id}/execute"
    asked = client.post(url, data={"csrf_token": csrf_token(client), **_noscript_fields(listing)})
    said = _page(asked).replace("\u00a0", " ")
    assert asked.status_code == 200
    assert (
        "Manon Fabre est la seule personne chargée du point de collecte « Mairie de Pessac » : "
        "une fois l'effacement fait, il n'aura plus personne pour le tenir ; désignez un agent "
        "ou fermez-le ensuite." in said
    )
    db.session.expire_all()
    assert db.session.get(User, manon.id).anonymised_at is None  # asked, nothing erased
    confirmed = client.post(url, data={"csrf_token": csrf_token(client)})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, manon.id).anonymised_at is not None


def test_a_person_who_staffs_no_point_alone_is_asked_about_as_before(client, make):
    manon, colleague = agent(make, display_name="Manon Fabre"), agent(make)
    make_point(make, "Mairie de Pessac", [manon, colleague])
    request_erasure(manon, NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    page = _page(client.get("/admin/erasures"))
    assert re.search(r'data-confirm="([^"]*)"', page).group(1) == (
        "Erase Manon Fabre now? Their account and personal data are erased at once, and they "
        "can no longer withdraw their request. This cannot be undone."
    )
