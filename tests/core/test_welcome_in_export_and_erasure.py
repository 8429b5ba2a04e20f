"""Review of 7 December: hiding the home page's welcome is kept on the account (table
`welcome_dismissal`); the person's export says whether they hid it, and their erasure
forgets it, nobody else's."""

import json

from sqlalchemy import select

from app.auth.models import WelcomeDismissal
from app.core.privacy_api import EXPORT_SCHEMA
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import Auth, login
from tests.core.test_export_readable import _json_schema


def _exported(client) -> dict:
    answer = client.get("/auth/profile/export")
    assert answer.status_code == 200
    return json.loads(answer.get_data(as_text=True))


def _hidden_by() -> set[int]:
    return set(db.session.scalars(select(WelcomeDismissal.user_id)))


def test_the_export_says_the_welcome_is_shown_until_the_person_hides_it(client, auth, make):
    person = make.user()
    login(client, person)
    assert _exported(client)["profile"]["welcome_hidden"] is False
    assert auth.post("/welcome/dismiss").status_code == 302
    assert _exported(client)["profile"]["welcome_hidden"] is True


def test_the_documented_export_schema_describes_the_welcome(client, auth, make):
    """The API's schema of the export (`/api/v1/me/export`) names the field."""
    import jsonschema_rs

    login(client, make.user())
    auth.post("/welcome/dismiss")
    export = _exported(client)
    profile = EXPORT_SCHEMA["properties"]["profile"]["properties"]
    assert profile["welcome_hidden"]["type"] == "boolean"
    jsonschema_rs.validate(_json_schema(EXPORT_SCHEMA), export)


def test_an_erasure_forgets_that_the_person_hid_the_welcome_and_only_theirs(
    app, client, auth, make
):
    person, colleague = make.user(), make.user()
    login(client, person)
    auth.post("/welcome/dismiss")
    other = app.test_client()
    login(other, colleague)
    Auth(other).post("/welcome/dismiss")
    assert _hidden_by() == {person.id, colleague.id}
    erase_user(person, utcnow())
    db.session.commit()
    assert _hidden_by() == {colleague.id}


def test_the_erasure_command_forgets_it_too(runner, client, auth, make):
    person = make.user(email="lea.martin@example.org")
    login(client, person)
    auth.post("/welcome/dismiss")
    result = runner.invoke(args=["privacy", "erase", "lea.martin@example.org", "--yes"])
    assert result.exit_code == 0, result.output
    assert _hidden_by() == set()
