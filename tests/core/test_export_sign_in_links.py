"""Review of 7 December: the personal data export gives the person's sign-in links, their
sign-in history (asked, working until, spent), in their language, never a link's digest."""

import json
from datetime import timedelta

from app.auth import services
from app.auth.models import SignInLink
from app.core.time import local_iso, utcnow
from app.extensions import db
from tests.conftest import login


def test_the_export_lists_the_persons_sign_in_links_in_their_language(client, make):
    person = make.user(locale="fr")
    someone_else = make.user()
    now = utcnow()
    _person, spent = services.create_sign_in_link(person.email, now - timedelta(hours=3))
    services.redeem_sign_in_link(spent, now - timedelta(hours=3) + timedelta(minutes=2))
    services.create_sign_in_link(person.email, now - timedelta(hours=2))  # expired unused
    _person, still_open = services.create_sign_in_link(person.email, now - timedelta(minutes=1))
    services.create_sign_in_link(someone_else.email, now)
    db.session.commit()
    login(client, person)
    answer = client.get("/auth/profile/export")
    assert answer.status_code == 200
    links = json.loads(answer.get_data(as_text=True))["profile"]["sign_in_links"]
    assert [link["status_name"] for link in links] == [
        "Utilisé par une connexion",
        "Expiré sans avoir servi",
        "Encore valable",
    ]
    assert [link["status"] for link in links] == ["spent", "expired", "open"]
    first = links[0]
    assert first["created_at"] == local_iso(now - timedelta(hours=3))
    assert first["expires_at"] == local_iso(now - timedelta(hours=3) + timedelta(minutes=15))
    assert first["used_at"] == local_iso(now - timedelta(hours=3) + timedelta(minutes=2))
    assert links[2]["used_at"] is None
    # Nothing that could open a session: neither the digest nor the token.
    text = answer.get_data(as_text=True)
    digests = db.session.scalars(db.select(SignInLink.token_digest)).all()
    assert not any(digest in text for digest in digests)
    assert spent not in text and still_open not in text
    assert set(first) == {"created_at", "expires_at", "used_at", "status", "status_name"}


def test_the_documented_export_schema_describes_the_sign_in_links(client, make):
    """The API's schema of the export (`/api/v1/me/export`) names each link's fields."""
    import jsonschema_rs

    from app.core.privacy_api import EXPORT_SCHEMA
    from tests.core.test_export_readable import _json_schema

    person = make.user()
    services.create_sign_in_link(person.email, utcnow())
    db.session.commit()
    login(client, person)
    export = json.loads(client.get("/auth/profile/export").get_data(as_text=True))
    links = EXPORT_SCHEMA["properties"]["profile"]["properties"]["sign_in_links"]
    assert set(links["items"]["required"]) == set(export["profile"]["sign_in_links"][0])
    jsonschema_rs.validate(_json_schema(EXPORT_SCHEMA), export)
