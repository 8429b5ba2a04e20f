"""Review of 7 December: an erasure request carried out from a page showing it after the
person withdrew it, or after it was carried out, brings the admin back to the list with
a message saying so, not a bare « Erreur 404 »."""

import html

from app.auth.models import User
from app.core.privacy_services import (
    cancel_erasure,
    execute_erasure_request,
    request_erasure,
)
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _execute_from_the_page(client, auth, request_id: int) -> str:
    """Press "Erase now" on a page that still shows the request; the page that follows."""
    answer = auth.post(f"/admin/erasures/{request_id}/execute")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/erasures"
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    return html.unescape(page.get_data(as_text=True))


def test_a_request_withdrawn_meanwhile_is_said_withdrawn_and_nothing_is_erased(client, auth, make):
    person = make.user(display_name="Zoé Garnier")
    admin = make.user(roles=("admin",), locale="fr")
    request = request_erasure(person, utcnow())
    db.session.commit()
    login(client, admin)
    cancel_erasure(person, utcnow())  # the person, in another browser, a moment before
    db.session.commit()
    page = _execute_from_the_page(client, auth, request.id)
    assert (
        "Zoé Garnier a retiré cette demande d'effacement entre-temps\u00a0: rien n'est effacé."
        in page
    )
    assert "Erreur 404" not in page
    assert db.session.get(User, person.id).anonymised_at is None


def test_a_request_carried_out_meanwhile_is_said_done(client, auth, make):
    person = make.user(display_name="Zoé Garnier")
    admin, other_admin = make.user(roles=("admin",), locale="fr"), make.user(roles=("admin",))
    request = request_erasure(person, utcnow())
    db.session.commit()
    login(client, admin)
    execute_erasure_request(request.id, other_admin, utcnow())  # another admin was quicker
    db.session.commit()
    page = _execute_from_the_page(client, auth, request.id)
    assert (
        "Cette demande d'effacement a déjà été exécutée\u00a0: il ne reste rien à effacer." in page
    )
    assert "Erreur 404" not in page


def test_an_unknown_request_is_still_404(client, auth, make):
    login(client, make.user(roles=("admin",)))
    assert auth.post("/admin/erasures/999/execute").status_code == 404
