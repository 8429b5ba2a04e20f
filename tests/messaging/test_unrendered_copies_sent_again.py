"""Review: a template that passed the save checks (« {{ badges.split(', ')[1] }} ») failed to
render for part of its audience; they got nothing, the dispatch read « Envoyé en partie »
and its page only « Le message n'a pas pu être rédigé pour cette personne ». The page now
says where (subject or body, language, line) and why, as the editor does; once the
template is fixed, its author (or an admin) sends it again to those people only: a
message reaches each recipient at most once per dispatch and channel."""

import html
import re

import pytest
from sqlalchemy import func, select

from app.core.personalisation import Variable, register_variables
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery, Dispatch
from tests.conftest import login

SECOND = "Bonjour.\n\nVotre second code : {{ codes.split(', ')[1] }}"


@pytest.fixture
def codes(app):
    """`codes`: "A, B" for people whose address starts with "two", empty for others."""
    registry = app.extensions.setdefault("empreinte.variables", [])
    before = list(registry)

    def provider(users, now, context):
        return {u.id: {"codes": "A, B" if u.email.startswith("two") else ""} for u in users}

    register_variables(app, [Variable("codes", "Codes", "A, B")], provider)
    yield
    registry[:] = before


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _sent(template, make, smtp, config):
    """The template sent to one person it works for and one it fails for."""
    config(MAIL_WORKING_HOURS="24/7")
    works = make.user(email="two@example.org", email_opt_in=True, locale="fr")
    fails = make.user(email="one@example.org", email_opt_in=True, locale="fr")
    now = utcnow()
    dispatch = services.create_dispatch(
        template, "everyone", {}, now, now, actor=tpl_author(template)
    )
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    return dispatch, works, fails


def _received(person, channel) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Delivery.user_id == person.id,
            Delivery.channel == channel,
            Delivery.status == "delivered",
        )
    )


def test_the_dispatch_page_says_where_and_why_the_copy_failed(
    client, make, template, smtp, config, codes
):
    tpl = template(body_fr=SECOND)
    dispatch, _works, _fails = _sent(tpl, make, smtp, config)
    assert db.session.get(Dispatch, dispatch.id).status == "partial"
    login(client, make.user(roles=("organiser", "admin"), locale="fr"))
    page = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "corps en français, ligne 3" in page
    assert "un élément est demandé que la valeur de cette personne n'a pas" in page


def test_the_fixed_template_goes_to_those_it_failed_for_only(
    client, auth, make, template, smtp, config, codes
):
    tpl = template(body_fr=SECOND)
    dispatch, works, fails = _sent(tpl, make, smtp, config)
    fixed = {
        "key": tpl.key,
        "name": tpl.name,
        "subject_fr": tpl.subject_fr,
        "body_fr": "Bonjour.\n\nVos codes : {{ codes }}",
        "subject_en": tpl.subject_en,
        "body_en": tpl.body_en,
    }
    services.save_template(tpl, fixed, tpl_author(tpl), utcnow())
    db.session.commit()
    login(client, tpl_author(tpl))
    answer = auth.post(f"/messaging/dispatches/{dispatch.id}/resend-unrendered")
    assert answer.status_code == 302
    jobs.run_dispatch(dispatch.id)
    assert (_received(works, "inbox"), _received(works, "email")) == (1, 1)
    assert (_received(fails, "inbox"), _received(fails, "email")) == (1, 1)
    assert sorted(smtp.recipients()) == ["one@example.org", "two@example.org"]


def test_sending_again_an_unchanged_template_is_refused(
    client, auth, make, template, smtp, config, codes
):
    tpl = template(body_fr=SECOND)
    dispatch, _works, fails = _sent(tpl, make, smtp, config)
    login(client, tpl_author(tpl))
    auth.post(f"/messaging/dispatches/{dispatch.id}/resend-unrendered")
    assert db.session.get(Dispatch, dispatch.id).status == "partial"
    page = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "Fix the template first" in page or "Corrigez d'abord le modèle" in page
    assert _received(fails, "inbox") == 0


def test_another_organiser_cannot_send_it_again(client, auth, make, template, smtp, config, codes):
    tpl = template(body_fr=SECOND)
    dispatch, _works, _fails = _sent(tpl, make, smtp, config)
    login(client, make.user(roles=("organiser",)))
    answer = auth.post(f"/messaging/dispatches/{dispatch.id}/resend-unrendered")
    assert answer.status_code == 403


def tpl_author(tpl):
    from app.auth.models import User

    return db.session.get(User, tpl.created_by_id)


def test_the_audit_log_names_the_sending_again(client, auth, make, template, smtp, config, codes):
    """It read « Modification » (« Updated »): the log names the action, in both languages."""
    tpl = template(body_fr=SECOND)
    dispatch, _works, _fails = _sent(tpl, make, smtp, config)
    fixed = {name: getattr(tpl, name) for name in ("key", "name", *services.TEMPLATE_FIELDS)}
    services.save_template(
        tpl, {**fixed, "body_fr": "Vos codes : {{ codes }}"}, tpl_author(tpl), utcnow()
    )
    db.session.commit()
    login(client, tpl_author(tpl))
    auth.post(f"/messaging/dispatches/{dispatch.id}/resend-unrendered")
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    query = {"object_type": "messaging_dispatch"}
    french = _words(client.get("/admin/audit", query_string=query).get_data(as_text=True))
    assert "Nouvel envoi aux personnes pour qui le message n'a pas pu être rédigé" in french
    assert "3 envois qui avaient échoué" in french  # two people, one by e-mail too
    admin.locale = "en"
    db.session.commit()
    english = _words(client.get("/admin/audit", query_string=query).get_data(as_text=True))
    assert "Sent again to the people it could not be written for" in english
    assert "3 deliveries that had failed" in english
