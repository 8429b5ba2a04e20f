"""A change of role sent again (a second tab, Back then resubmit) changes nothing and says
so where the other role messages show: in the person's row with htmx, flashed on the
page at that row without it. It answered nothing at all."""

import html
import re

from app.extensions import db
from tests.conftest import login


def _admin_and_agent(client, make, locale="en"):
    login(client, make.user(roles=("admin",), locale=locale))
    return make.user(roles=("employee", "agent"), display_name="Agent Démo")


def test_granting_a_role_held_already_says_so_in_the_persons_row(client, auth, make):
    person = _admin_and_agent(client, make)

    response = auth.post(
        f"/admin/roles/{person.id}", {"change": "grant:agent"}, headers={"HX-Request": "true"}
    )

    row = html.unescape(response.get_data(as_text=True))
    message_id = f"person-{person.id}-message"
    assert response.status_code == 200
    assert f'<span id="{message_id}">Agent Démo already has the Collection agent role.' in row
    # Read as the other messages are: it describes the button that takes the focus.
    assert re.search(
        rf'<button [^>]*value="revoke:agent"[^>]*aria-describedby="{message_id}" autofocus', row
    )


def test_granting_a_role_held_already_without_javascript_says_so_in_french(client, auth, make):
    person = _admin_and_agent(client, make, locale="fr")

    response = auth.post(f"/admin/roles/{person.id}", {"change": "grant:agent"})

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Agent Démo a déjà le rôle «\u00a0Agent de collecte\u00a0»." in html.unescape(page)


def test_revoking_a_role_not_held_says_so(client, auth, make):
    person = _admin_and_agent(client, make)

    response = auth.post(
        f"/admin/roles/{person.id}", {"change": "revoke:organiser"}, headers={"HX-Request": "true"}
    )

    row = html.unescape(response.get_data(as_text=True))
    assert "Agent Démo does not have the Organiser role." in row
    db.session.expire_all()
    assert "organiser" not in person.roles


def test_a_change_sent_with_two_values_is_not_answered_with_silence(client, auth, make):
    person = _admin_and_agent(client, make)

    response = auth.post(
        f"/admin/roles/{person.id}",
        {"change": ["grant:agent", "grant:agent"]},
        headers={"HX-Request": "true"},
    )

    assert "Agent Démo already has the Collection agent role." in html.unescape(
        response.get_data(as_text=True)
    )
