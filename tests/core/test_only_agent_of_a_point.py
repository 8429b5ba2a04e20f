"""An open collection point keeps someone to receive its returns: revoking the agent
role of its only agent, or deactivating their account, is refused and says which point;
an agent who is not alone there leaves it cleanly."""

import html
from datetime import UTC, datetime

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.recycling.models import CollectionPoint, PointAgent
from tests.conftest import login

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def make_point(make, name, agents, active=True) -> CollectionPoint:
    commune = make.commune()
    point = CollectionPoint(
        commune=commune,
        name=name,
        address="1 place de la Mairie",
        latitude=commune.latitude,
        longitude=commune.longitude,
        opening_hours="Mo-Fr 08:30-12:00",
        accepted_types="laptop",
        active=active,
        closure_note="",
        created_at=NOW,
    )
    point.agent_rows = [PointAgent(user_id=agent.id) for agent in agents]
    db.session.add(point)
    db.session.commit()
    return point


def agent(make, **overrides) -> User:
    return make.user(roles=("employee", "agent"), **overrides)


def assigned(user: User) -> list[str]:
    return sorted(
        db.session.scalars(
            select(CollectionPoint.name)
            .join(PointAgent, PointAgent.point_id == CollectionPoint.id)
            .where(PointAgent.user_id == user.id)
        )
    )


def revoke_agent(auth, user, **headers):
    return auth.post(f"/admin/roles/{user.id}", {"change": "revoke:agent"}, headers=headers)


def test_revoking_the_only_agent_of_an_open_point_is_refused_in_their_row(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    manon = agent(make, display_name="Manon Fabre")
    make_point(make, "Mairie de Pessac", [manon])
    answer = revoke_agent(auth, manon, **{"HX-Request": "true"})
    row = _text(answer)
    assert answer.status_code == 409 and answer.headers["HX-Retarget"] == f"#person-{manon.id}"
    assert (
        'class="error">Manon Fabre is the only agent of the collection point '
        "“Mairie de Pessac”: assign another agent to it or close it first." in row
    )
    db.session.expire_all()
    assert "agent" in db.session.get(User, manon.id).roles
    assert assigned(manon) == ["Mairie de Pessac"]


def test_without_javascript_the_refusal_is_flashed_on_the_roles_page_in_french(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    manon = agent(make, display_name="Manon Fabre")
    make_point(make, "Mairie de Pessac", [manon])
    make_point(make, "Hôtel de ville", [manon])
    answer = revoke_agent(auth, manon)
    assert answer.status_code == 302 and answer.location.endswith(f"#person-{manon.id}")
    page = _text(client.get(answer.location)).replace("\u00a0", " ")
    assert (
        "Manon Fabre est la seule personne chargée des points de collecte "
        "« Hôtel de ville » et « Mairie de Pessac » : désignez une autre personne "
        "pour ces points ou fermez-les d'abord. Rien n'a été modifié." in page
    )
    assert "agent" in db.session.get(User, manon.id).roles


def test_a_colleague_who_left_does_not_staff_the_point(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    manon, gone = agent(make, display_name="Manon Fabre"), agent(make, active=False)
    make_point(make, "Mairie de Pessac", [manon, gone])
    assert revoke_agent(auth, manon, **{"HX-Request": "true"}).status_code == 409


def test_revoking_an_agent_who_is_not_alone_removes_them_from_their_points(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    manon, colleague = agent(make), agent(make)
    make_point(make, "Mairie de Pessac", [manon, colleague])
    make_point(make, "Dépôt fermé", [manon], active=False)
    answer = revoke_agent(auth, manon, **{"HX-Request": "true"})
    assert answer.status_code == 200
    db.session.expire_all()
    assert "agent" not in db.session.get(User, manon.id).roles
    assert assigned(manon) == [] and assigned(colleague) == ["Mairie de Pessac"]


def test_deactivating_the_only_agent_of_an_open_point_is_refused_at_the_button(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    manon = agent(make, display_name="Manon Fabre")
    make_point(make, "Mairie de Pessac", [manon])
    answer = auth.post(f"/admin/people/{manon.id}/status", {"change": "deactivate"})
    page = _text(answer)
    assert answer.status_code == 409
    assert (
        '<p class="error" role="alert" tabindex="-1" autofocus>Manon Fabre is the only agent '
        "of the collection point “Mairie de Pessac”" in page
    )
    assert 'value="deactivate"' in page  # the form as it was, to try again
    db.session.expire_all()
    assert db.session.get(User, manon.id).active


def test_deactivating_an_agent_who_is_not_alone_keeps_their_assignment(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    manon, colleague = agent(make), agent(make)
    make_point(make, "Mairie de Pessac", [manon, colleague])
    answer = auth.post(f"/admin/people/{manon.id}/status", {"change": "deactivate"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, manon.id).active
    assert assigned(manon) == ["Mairie de Pessac"]  # theirs again once reactivated


def test_erasing_the_only_agent_goes_ahead_and_names_the_point_left_without_one(client, auth, make):
    """Erasure is the person's right: it is not refused, but the admin learns at once
    which open point nobody now staffs (its returns would wait for nobody)."""
    from app.core.privacy_services import request_erasure

    manon = agent(make, display_name="Manon Fabre")
    make_point(make, "Mairie de Pessac", [manon])
    erasure = request_erasure(manon, NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    answer = auth.post(f"/admin/erasures/{erasure.id}/execute")
    assert db.session.get(User, manon.id).anonymised_at is not None
    page = _text(client.get(answer.location))
    assert (
        "The collection point “Mairie de Pessac” now has no agent: assign one or close it." in page
    )
