"""An organiser's `{{ (first_name|string).format }}` previewed « <function str.format at
0x7ff5e8f28720> » and was saved as valid; `{{ 1e308*10 }}` read « inf » and
`{{ (1e308*10)-(1e308*10) }}` « nan ». Only a text or a number is written now: anything
else (a function, a method, an object, an infinite number) is refused with its line, at the
preview, at the save and when the message goes."""

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.messaging import rendering
from app.messaging.models import Delivery, MessageTemplate
from tests.conftest import login
from tests.messaging.conftest import deliver_to_everyone, template_form

METHOD = "{{ (first_name|string).format }}"
INFINITE = "{{ 1e308*10 }}"
NOT_A_NUMBER = "{{ (1e308*10)-(1e308*10) }}"
NEITHER = (
    "Ligne 1 : cela écrit quelque chose qui n'est ni un texte ni un nombre (une fonction, "
    "une méthode ou un objet) : utilisez les variables telles quelles, ou appelez la "
    "méthode avec ses parenthèses."
)
NO_NUMBER = (
    "Ligne 1 : cela produit un nombre infini ou indéfini (inf, nan) : vérifiez les "
    "opérations de cette ligne."
)


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _preview(auth, body: str) -> str:
    response = auth.post(
        "/messaging/templates/preview",
        data=template_form(body_fr=body, body_en="Hello"),
        headers={"HX-Request": "true"},
    )
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "reason"), [(METHOD, NEITHER), (INFINITE, NO_NUMBER), (NOT_A_NUMBER, NO_NUMBER)]
)
def test_the_preview_names_the_line_instead_of_writing_the_value(auth, client, make, body, reason):
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = _preview(auth, body)
    assert reason in _words(page)
    assert "<function" not in html.unescape(page)
    assert not re.search(r"\b(inf|nan)\b", _words(page.split("Ligne 1", 1)[0]))


@pytest.mark.parametrize("body", [METHOD, INFINITE, NOT_A_NUMBER])
def test_such_a_template_is_not_saved(auth, client, make, body):
    login(client, make.user(roles=("organiser",), locale="fr"))
    response = auth.post("/messaging/templates/new", data=template_form(key="odd", body_fr=body))
    assert response.status_code == 422
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "odd")) is None


@pytest.mark.parametrize(
    "source",
    [
        "{{ first_name.upper }}",
        "{{ first_name.upper|string }}",
        "{{ 'Bonjour ' ~ first_name.upper }}",
        "{{ '%s' % first_name.upper }}",
        "{{ '{}'.format(first_name.upper) }}",
        "{{ ['a']|map(attribute='upper')|join(', ') }}",
        "{{ ['a']|map('upper')|string }}",
        "{{ cycler('a', 'b') }}",
        "{{ 1e308 - -1e308 }}",
        "{{ 'inf'|float }}",
        "{{ '%s'|format(1e308 * 10) }}",
    ],
)
def test_no_way_round_writes_a_function_or_an_infinite_number(app, source):
    problems = rendering.check_source("body_fr", source)
    assert [problem.line for problem in problems] == [1]


@pytest.mark.parametrize(
    ("source", "written"),
    [
        ("{{ first_name.upper() }}", "DOMINIQUE"),
        ("{{ 10 / 4 }} {{ 1e308 * 1 > 5 }}", "2.5 True"),
        ("{{ ['a', 'b']|map('upper')|join('/') }}", "A/B"),
        ("{% set c = cycler('x', 'y') %}{{ c.next() }}{{ c.next() }}", "xy"),
    ],
)
def test_texts_and_numbers_are_written_as_before(app, source, written):
    assert rendering.check_source("body_fr", source) == []
    assert rendering.bounded_render(rendering.compiled(source), {"first_name": "Dominique"}) == (
        written
    )


def test_a_template_saved_before_fails_for_its_readers_without_writing_the_function(
    auth, client, make, smtp, config
):
    """A text saved before this check is refused when it goes: no inbox copy nor e-mail
    shows Python's text; the dispatch's page says where and why, as the editor does."""
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="fr")
    reader = make.user(locale="fr", email_opt_in=True, email="lea@example.org")
    old = MessageTemplate(
        key="old-method",
        name="Ancien",
        subject_fr="Bonjour",
        body_fr="Bonjour\n" + METHOD,
        subject_en="Hello",
        body_en="Hello\n" + METHOD,
        created_by_id=organiser.id,
    )
    db.session.add(old)
    db.session.commit()

    deliver_to_everyone(old)

    rows = db.session.scalars(select(Delivery).where(Delivery.user_id == reader.id)).all()
    assert {row.status for row in rows} == {"failed"}
    assert {row.error for row in rows} == {"render_at:body_fr:2:value:object"}
    assert smtp.messages == []
    login(client, organiser)
    page = _words(client.get(f"/messaging/dispatches/{rows[0].dispatch_id}").get_data(True))
    assert "corps en français, ligne 2" in page
    assert "cela écrit quelque chose qui n'est ni un texte ni un nombre" in page
