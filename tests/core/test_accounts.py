"""An admin deactivates and reactivates one account (/admin/people/<id>)."""

import html
import re

from sqlalchemy import select

from app.auth import services as auth_services
from app.auth.models import SignInLink, User
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login


def text(response) -> str:
    """The page's text with the spaces between tags dropped."""
    return re.sub(r">\s+<", "><", html.unescape(response.get_data(as_text=True)))


def test_a_deactivated_account_loses_every_way_in_and_the_directory_keeps_it_so(
    app, client, auth, make, runner, tmp_path
):
    admin = make.user(roles=("admin",))
    person = make.user(email="suspended@example.org", display_name="Sam Durand")
    _token, raw_token = auth_services.create_api_token(person, "phone")
    db.session.commit()
    device = app.test_client()
    login(device, person)
    assert device.get("/").status_code == 200

    login(client, admin)
    page = text(client.get(f"/admin/people/{person.id}"))
    assert "<dt>Compte</dt><dd>Actif</dd>" in page
    assert "un mot de passe ou un lien envoyé par e-mail" in page
    answer = auth.post(f"/admin/people/{person.id}/status", {"change": "deactivate"})
    assert answer.status_code == 302
    page = text(client.get(answer.location))
    assert "Le compte suspended@example.org est désactivé\u00a0: ses sessions ont pris fin." in page
    assert "Désactivé par un administrateur le" in page

    assert device.get("/").status_code == 302  # the session on their phone ended
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"})
    assert api.status_code == 401
    assert auth_services.authenticate("suspended@example.org", "correct horse battery") is None
    assert auth_services.create_sign_in_link("suspended@example.org", utcnow()) is None
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.object_id == str(person.id), AuditEvent.action != "view_person"
        )
    )
    assert (event.action, event.actor_id) == ("deactivate_account", admin.id)

    # The nightly import lists them: the account stays deactivated, and says so.
    path = tmp_path / "staff.csv"
    path.write_text("email,display_name\nsuspended@example.org,Sam Durand\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(path)])
    assert "0 reactivated" in result.output
    assert "1 person listed but kept deactivated (by an admin)." in result.output
    assert not db.session.get(User, person.id).active

    auth.post(f"/admin/people/{person.id}/status", {"change": "reactivate"})
    assert db.session.get(User, person.id).is_active
    assert auth_services.authenticate("suspended@example.org", "correct horse battery")
    # The token of the phone it was closed for stays revoked: back, they create a new one.
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"})
    assert api.status_code == 401
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "reactivate_account"


def test_someone_the_directory_deactivated_is_shown_so_and_comes_back_when_listed(
    app, client, make, runner, tmp_path
):
    login(client, make.user(roles=("admin",)))
    left = make.user(email="left@example.org", display_name="Left Person")
    stays = make.user(email="stays@example.org", display_name="Stays")
    _token, raw_token = auth_services.create_api_token(left, "script")
    db.session.commit()
    assert auth_services.create_sign_in_link("left@example.org", utcnow()) is not None
    db.session.commit()
    path = tmp_path / "staff.csv"
    path.write_text("email,display_name\nstays@example.org,Stays\n", encoding="utf-8")
    runner.invoke(args=["users", "import", str(path), "--deactivate-missing"])
    page = text(client.get(f"/admin/people/{left.id}"))
    assert ": ne figure plus dans l'annuaire du personnel" in page
    assert "Réactiver ce compte" in page
    path.write_text("email,display_name\nleft@example.org,Left Person\n", encoding="utf-8")
    assert "1 reactivated" in runner.invoke(args=["users", "import", str(path)]).output
    assert db.session.get(User, left.id).is_active
    assert stays.is_active
    # Back on the staff list, they sign in again: what worked before they left does not.
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"})
    assert api.status_code == 401
    links = db.session.scalars(select(SignInLink).where(SignInLink.user_id == left.id)).all()
    assert links == []


def test_an_admin_cannot_deactivate_their_own_account(client, auth, make):
    admin = make.user(roles=("admin",))
    login(client, admin)
    answer = auth.post(f"/admin/people/{admin.id}/status", {"change": "deactivate"})
    assert "Vous ne pouvez pas désactiver votre propre compte." in text(client.get(answer.location))
    assert db.session.get(User, admin.id).is_active
    assert client.get("/").status_code == 200


def test_a_wrong_change_or_an_erased_account_changes_nothing(client, make):
    from app.core.privacy_services import erase_user

    login(client, make.user(roles=("admin",)))
    person = make.user()
    token = csrf_token(client)
    answer = client.post(
        f"/admin/people/{person.id}/status", data={"change": "delete", "csrf_token": token}
    )
    assert answer.status_code == 400
    assert db.session.get(User, person.id).is_active
    erase_user(person, utcnow())
    db.session.commit()
    assert client.get(f"/admin/people/{person.id}").status_code == 404
    post = client.post(
        f"/admin/people/{person.id}/status", data={"change": "reactivate", "csrf_token": token}
    )
    assert post.status_code == 404
    assert not db.session.get(User, person.id).active


def test_the_roles_page_leads_to_each_person_s_account(client, make):
    login(client, make.user(roles=("admin",)))
    person = make.user(email="find.me@example.org", display_name="Find Me")
    page = client.get("/admin/roles?q=find.me").get_data(as_text=True)
    assert f'<a href="/admin/people/{person.id}">Find Me</a>' in page


def test_the_account_page_lists_its_latest_changes_and_who_made_them(client, auth, make):
    admin = make.user(roles=("admin",), email="chief@example.org")
    person = make.user()
    login(client, admin)
    assert "Aucune modification n'est enregistrée" in text(client.get(f"/admin/people/{person.id}"))
    auth.post(f"/admin/roles/{person.id}", {"change": "grant:agent"})
    auth.post(f"/admin/people/{person.id}/status", {"change": "deactivate"})
    page = text(client.get(f"/admin/people/{person.id}"))
    changes = re.search(r"Dernières modifications de ce compte</h2><ul>(.*?)</ul>", page).group(1)
    items = re.findall(r"<li>(.*?)</li>", changes)
    assert len(items) == 2
    assert "Désactivation du compte" in items[0] and "chief@example.org" in items[0]
    assert "Attribution de rôle (Agent de collecte)" in items[1]


def test_the_audit_log_leads_from_a_person_s_change_to_their_account(client, auth, make):
    login(client, make.user(roles=("admin",)))
    person = make.user()
    auth.post(f"/admin/people/{person.id}/status", {"change": "deactivate"})
    log = text(client.get("/admin/audit"))
    link = f'<td>Personne <a href="/admin/people/{person.id}">{person.display_name}</a></td>'
    assert link in log


def test_deactivating_asks_first_naming_the_person(client, make):
    """It ends every session of the person at once: one slip should not do it."""
    person = make.user(display_name="Nora Benali")
    login(client, make.user(roles=("admin",), locale="en"))
    page = html.unescape(client.get(f"/admin/people/{person.id}").get_data(as_text=True))
    button = re.search(r'<button[^>]*value="deactivate"[^>]*>', page, re.S).group(0)
    assert 'data-confirm="Deactivate the account of Nora Benali?' in button
    assert 'data-confirm-no="Keep it active"' in button
