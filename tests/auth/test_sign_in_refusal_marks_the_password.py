"""A refused password sign-in marks its password field for a screen reader: the field is
invalid and described by the page's message, the same for every address (known or not);
and both e-mail fields of the sign-in page have the same label, their ids unique."""

import html
import re

import pytest

from tests.conftest import csrf_token


def _tag(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


def _attribute(tag: str, attribute: str) -> str | None:
    found = re.search(rf'\s{attribute}="([^"]*)"', tag)
    return html.unescape(found.group(1)) if found else None


def _element_text(page: str, element_id: str) -> str:
    start = re.search(rf'<(\w+)[^>]*\sid="{element_id}"[^>]*>', page)
    end = page.index(f"</{start.group(1)}>", start.end())
    words = html.unescape(re.sub(r"<[^>]+>", "", page[start.end() : end]))
    return re.sub(r"[\u00a0\u202f]", " ", words).strip()


@pytest.mark.parametrize("known", [True, False])
def test_a_wrong_password_marks_the_field_described_by_the_message(client, make, known):
    address = make.user(password="correct horse battery").email if known else "x@example.org"
    answer = client.post(
        "/auth/sign-in?lang=fr",
        data={"email": address, "password": "a guess", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 401
    page = answer.get_data(as_text=True)
    password = _tag(page, "password")
    assert _attribute(password, "aria-invalid") == "true"
    described_by = _attribute(password, "aria-describedby")
    assert described_by
    assert _element_text(page, described_by).startswith(
        "Adresse e-mail ou mot de passe incorrect. Pas de mot de passe ?"
    )
    assert page.count(f'id="{described_by}"') == 1


def test_the_same_refusal_for_a_known_and_an_unknown_address(client, make):
    def refused(address):
        page = client.post(
            "/auth/sign-in?lang=fr",
            data={"email": address, "password": "a guess", "csrf_token": csrf_token(client)},
        ).get_data(as_text=True)
        return _tag(page, "password"), _element_text(page, "sign-in-refused")

    known = make.user(password="correct horse battery").email
    assert refused(known) == refused("nobody@example.org")


def test_both_e_mail_fields_have_the_same_label_and_unique_ids(client):
    page = client.get("/auth/sign-in?lang=fr").get_data(as_text=True)
    labels = {
        field_id: html.unescape(re.sub(r"<[^>]+>", "", label))
        for field_id, label in re.findall(r'<label for="([^"]+)">(.*?)</label>', page, re.S)
    }
    assert labels["email"] == labels["link-email"] == "Votre e-mail professionnel (obligatoire)"
    assert page.count('id="email"') == page.count('id="link-email"') == 1
