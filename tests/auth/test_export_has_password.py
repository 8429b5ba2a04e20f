"""The data export left out whether the account has a password, which administrators see
on the account's page ("Signs in with"): its profile now says so, never the hash."""

import json

import pytest

from app.auth.models import User
from app.extensions import db
from tests.conftest import login


@pytest.mark.parametrize("password", ["correct horse battery", None])
def test_the_export_says_whether_the_account_has_a_password(client, make, password):
    person = make.user(password=password)
    login(client, person)
    profile = client.get("/auth/profile/export").get_json(force=True)["profile"]
    assert profile["has_password"] is (password is not None)


def test_the_export_never_holds_the_password_or_its_hash(client, make):
    person = make.user()
    login(client, person)
    document = client.get("/auth/profile/export").get_data(as_text=True)
    stored = db.session.get(User, person.id).password_hash
    assert stored not in document and "correct horse battery" not in document
    assert "password_hash" not in json.loads(document)["profile"]


def test_the_admins_download_of_the_persons_file_says_it_too(client, auth, make):
    person = make.user(password=None)
    login(client, make.user(roles=("admin",)))
    answer = auth.post(f"/admin/people/{person.id}/export")
    assert answer.status_code == 200, answer.status_code
    assert answer.get_json(force=True)["profile"]["has_password"] is False
