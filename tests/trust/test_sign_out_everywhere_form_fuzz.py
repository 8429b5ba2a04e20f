""" "Sign out on all my devices" with anything in its box: never a 5xx; every session ends,
and the person's API tokens are revoked exactly when the box reads as ticked."""

from hypothesis import given
from hypothesis import strategies as st

from app.auth import services as auth_services
from app.auth.forms import SignOutEverywhereForm
from app.auth.models import ApiToken, User
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.trust.fuzzing import budget, fuzzes

FUZZ = budget(25)


@fuzzes(SignOutEverywhereForm)
@FUZZ
@given(box=st.one_of(st.none(), st.sampled_from(["y", "on", "", "false"]), st.text(max_size=50)))
def test_signing_out_everywhere_revokes_tokens_only_when_the_box_is_ticked(app, make, box):
    person = make.user()
    token, _raw = auth_services.create_api_token(person, "script")
    db.session.commit()
    session_key = person.session_token
    client = app.test_client()
    login(client, person)
    data = {"csrf_token": csrf_token(client)}
    if box is not None:
        data["revoke_tokens"] = box
    response = client.post("/auth/profile/sign-out-everywhere", data=data)
    db.session.expire_all()
    if response.status_code == 400:  # a character no form takes (NUL): nothing done
        assert db.session.get(User, person.id).session_token == session_key
        assert db.session.get(ApiToken, token.id).revoked_at is None
        return
    assert response.status_code == 302
    assert db.session.get(User, person.id).session_token != session_key
    ticked = box not in (None, "", "false")
    assert (db.session.get(ApiToken, token.id).revoked_at is not None) == ticked
