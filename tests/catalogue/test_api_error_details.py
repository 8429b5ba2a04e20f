"""A refused filter of the catalogue API names its query parameter in `details`."""

from tests.conftest import login


def test_a_refused_filter_names_its_parameter(client, make):
    login(client, make.user())
    error = client.get("/api/v1/catalogue/items?grade=Z").get_json()["error"]
    assert error["code"] == "invalid_grade" and error["details"] == {"grade": [error["message"]]}


def test_a_search_too_long_names_the_q_parameter(client, make):
    login(client, make.user())
    error = client.get("/api/v1/catalogue/items?q=" + "x" * 500).get_json()["error"]
    assert error["code"] == "invalid_q" and list(error["details"]) == ["q"]
