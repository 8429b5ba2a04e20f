"""Messaging's security: a preview for a colleague showed their
activity (points, rank, badges), templates could render for ever, and an organiser could
open another organiser's test send."""

import html
import time

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from app.core.personalisation import Variable, known_variables, register_variables
from app.extensions import db
from app.messaging import rendering
from app.messaging.builtins import BUILTIN_TEMPLATES
from app.messaging.limits import TemplateTooCostly, bounded_render
from app.messaging.models import Dispatch, MessageTemplate
from tests.conftest import login


def _test_send(auth, client, make, tpl):
    """A test send by a new organiser; the dispatch it created."""
    author = make.user(roles=("organiser",), display_name="Nora Benali")
    login(client, author)
    auth.post(f"/messaging/templates/{tpl.id}/test")
    return db.session.scalar(select(Dispatch).where(Dispatch.created_by_id == author.id))


def test_another_organisers_test_send_page_is_404(auth, client, make, template, smtp):
    dispatch = _test_send(auth, client, make, template())
    login(client, make.user(roles=("organiser",)))
    assert client.get(f"/messaging/dispatches/{dispatch.id}").status_code == 404


def test_another_organisers_test_send_fragment_is_404(auth, client, make, template, smtp):
    dispatch = _test_send(auth, client, make, template())
    login(client, make.user(roles=("organiser",)))
    response = client.get(f"/messaging/dispatches/{dispatch.id}", headers={"HX-Request": "true"})
    assert response.status_code == 404


def test_another_organisers_test_send_is_404_in_the_api(auth, client, make, template, smtp):
    dispatch = _test_send(auth, client, make, template())
    login(client, make.user(roles=("organiser",)))
    response = client.get(f"/api/v1/dispatches/{dispatch.id}")
    assert response.status_code == 404


def test_the_author_still_follows_their_own_test_send(auth, client, make, template, smtp):
    dispatch = _test_send(auth, client, make, template())
    page = client.get(f"/messaging/dispatches/{dispatch.id}")
    api = client.get(f"/api/v1/dispatches/{dispatch.id}")
    assert (page.status_code, api.status_code) == (200, 200)


# --- a preview for someone else --------------------------------------------------------

ACTIVITY = "{{ display_name }} points={{ points }} rank={{ rank }} badges={{ badges }}"


@pytest.fixture
def activity(app):
    """Everyone's points, rank and badges as the clean-up domain gives them."""
    registry = app.extensions.setdefault("empreinte.variables", [])
    before = list(registry)
    examples = [
        Variable("points", "Points", "120"),
        Variable("rank", "Rank", "42"),
        Variable("badges", "Badges", "Premier pas"),
    ]

    def provider(users, now, context):
        return {u.id: {"points": "297", "rank": "4", "badges": "Club 10 Go"} for u in users}

    register_variables(app, examples, provider)
    yield
    registry[:] = before


def _preview(auth, recipient: str = "", body: str = ACTIVITY) -> str:
    texts = {"subject_fr": "Bonjour", "body_fr": body, "subject_en": "Hello", "body_en": body}
    response = auth.post(
        "/messaging/templates/preview",
        data={"key": "activity", "name": "Activity", "recipient": recipient, **texts},
        headers={"HX-Request": "true"},
    )
    return html.unescape(response.get_data(as_text=True))


def test_a_preview_for_a_colleague_shows_examples_not_their_activity(auth, client, make, activity):
    make.user(email="arthur@example.org", display_name="Arthur Andre")
    login(client, make.user(roles=("organiser",)))
    preview = _preview(auth, "arthur@example.org")
    assert "Dominique Exemple points=120 rank=42 badges=Premier pas" in preview
    assert "Arthur" not in preview  # nor their name (review of 6 December)
    assert "297" not in preview and "Club 10 Go" not in preview


def test_a_preview_for_a_colleague_says_its_values_are_examples(auth, client, make, activity):
    make.user(email="arthur@example.org", display_name="Arthur Andre")
    login(client, make.user(roles=("organiser",)))
    assert "ne montre rien de cette personne" in _preview(auth, "arthur@example.org")


def test_my_own_preview_shows_my_activity(auth, client, make, activity):
    login(client, make.user(roles=("organiser",), display_name="Nora Benali"))
    preview = _preview(auth)
    assert "Nora Benali points=297 rank=4 badges=Club 10 Go" in preview
    assert "ne montre rien de cette personne" not in preview


# --- what one rendering may cost --------------------------------------------------------

TRIPLE_LOOP = (
    "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
    "{% endfor %}{% endfor %}{% endfor %}"
)


def test_a_triple_loop_is_refused_within_two_seconds(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    started = time.monotonic()
    preview = _preview(auth, body=TRIPLE_LOOP)
    assert time.monotonic() - started < 2.5
    assert "Ligne 1\u00a0: ce modèle est trop long à produire" in preview


def test_loops_over_a_list_are_refused_within_two_seconds(app):
    source = (
        "{% set x = range(1000)|list %}{% for a in x %}{% for b in x %}{% for c in x %}"
        "{% endfor %}{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    with pytest.raises(TemplateTooCostly):
        bounded_render(rendering.sandbox().from_string(source), {})
    assert time.monotonic() - started < 2.5


def test_a_huge_repeated_text_is_refused(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    assert "Ligne 1\u00a0: cela produit une valeur trop grande" in _preview(
        auth, body="{{ 'x' * 100000000 }}"
    )


def test_a_huge_power_is_refused(app):
    problems = rendering.check_source("body_fr", "{{ 10 ** 100000000 }}")
    assert [problem.line for problem in problems] == [1]


def test_a_range_over_a_thousand_numbers_is_refused(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    preview = _preview(auth, body="{% for i in range(5000) %}{% endfor %}")
    assert "Ligne 1\u00a0: un range ne peut compter que 1\u202f000 nombres au plus." in preview


def test_a_text_doubled_in_a_loop_is_refused(app):
    source = (
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
    )
    with pytest.raises(TemplateTooCostly):
        bounded_render(rendering.sandbox().from_string(source), {})


def test_a_widened_text_is_refused(app):
    with pytest.raises(TemplateTooCostly):
        bounded_render(rendering.sandbox().from_string("{{ 'x'|center(1000000000) }}"), {})


def test_an_output_over_the_limit_is_refused(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    body = "{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}"
    assert "Ligne 1\u00a0: ce modèle écrit un texte trop long" in _preview(auth, body=body)


def test_saving_a_template_that_never_ends_is_refused(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    texts = {"subject_fr": "S", "body_fr": TRIPLE_LOOP, "subject_en": "S", "body_en": "B"}
    response = auth.post(
        "/messaging/templates/new", data={"key": "loops", "name": "Loops", **texts}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "loops")) is None


def test_the_built_in_templates_render_as_before(app):
    """The shipped texts, with their conditions, filters and joins, give what Jinja's
    own sandbox gave them."""
    values = {name: str(variable.example) for name, variable in known_variables().items()}
    plain = SandboxedEnvironment(undefined=StrictUndefined)
    for key, texts in BUILTIN_TEMPLATES.items():
        for field in ("subject_fr", "body_fr", "subject_en", "body_en"):
            bounded = rendering.sandbox().from_string(texts[field])
            expected = plain.from_string(texts[field]).render(values)
            assert bounded_render(bounded, values) == expected, (key, field)


def test_a_template_with_loops_and_filters_renders_as_it_did(app):
    source = (
        "{% for i in range(3) %}{{ loop.index }}{% if not loop.last %}, {% endif %}{% endfor %}"
        " {{ 'a' ~ name ~ 'b' }} {{ ['x', 'y']|join('/') }} {{ '%05d' % 42 }} "
        "{{ '{:>4}'.format(7) }} {{ name|center(7) }} {{ 'ab' * 2 }}"
    )
    rendered = bounded_render(rendering.sandbox().from_string(source), {"name": "Ana"})
    assert rendered == "1, 2, 3 aAnab x/y 00042    7   Ana   abab"
