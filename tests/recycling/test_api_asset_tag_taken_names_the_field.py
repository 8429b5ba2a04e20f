"""An asset tag taken by someone else is a 409 about a field of the body: its `details`
name `asset_tag`, as the README promises of every field error, whatever its code."""

from tests.conftest import login
from tests.recycling.test_api import _post


def test_a_tag_taken_by_someone_else_names_the_asset_tag_field(app, client, make, rec):
    point = rec.point()
    login(client, make.user())
    assert _post(client, point, asset_tag="BM-PC-7").status_code == 201
    other = app.test_client()
    login(other, make.user())
    error = _post(other, point, asset_tag="BM-PC-7").get_json()["error"]
    assert error["code"] == "asset_tag_taken"
    assert error["details"] == {"asset_tag": [error["message"]]}
