"""An admin finds a person on /admin/roles however they type the name: without its
accents, in another case, the words in another order."""

import pytest

from tests.conftest import login


@pytest.fixture
def people(client, make):
    login(client, make.user(roles=("admin",), locale="en", email="admin@example.org"))
    make.user(email="h.dupont@example.org", display_name="Hélène Dupont")
    make.user(email="c.martin@example.org", display_name="Chloé Martin")
    make.user(email="c.roux@example.org", display_name="Chloé Roux")
    make.user(email="e.lefevre@example.org", display_name="ÉRIC LEFÈVRE")


def found(client, query: str) -> list[str]:
    page = client.get("/admin/roles", query_string={"q": query}).get_data(as_text=True)
    emails = ("h.dupont", "c.martin", "c.roux", "e.lefevre")
    return [email for email in emails if f"{email}@example.org" in page]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("helene", ["h.dupont"]),
        ("HÉLÈNE", ["h.dupont"]),
        ("chloe martin", ["c.martin"]),
        ("martin chloé", ["c.martin"]),
        ("  Chloe  ", ["c.martin", "c.roux"]),
        ("eric lefevre", ["e.lefevre"]),
        ("lefèvre", ["e.lefevre"]),
        ("chloe dupont", []),
        ("martin@example", ["c.martin"]),
    ],
)
def test_each_word_is_found_in_the_name_or_address_whatever_its_accents(client, query, expected):
    assert found(client, query) == expected


@pytest.mark.usefixtures("people")
def test_a_percent_sign_is_looked_for_not_taken_as_a_wildcard(client):
    assert found(client, "%") == []
