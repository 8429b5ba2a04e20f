"""Clean-up → messaging: a campaign's built-in messages reach its scope, personalised with
the real clean-up and recycling variables, in each recipient's language, in the portal
inbox and by e-mail through a real SMTP server."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services as cleanup
from app.core.personalisation import variables_for
from app.extensions import db
from app.messaging import jobs
from app.messaging.builtins import BUILTIN_TEMPLATES
from app.messaging.models import Delivery, Dispatch
from app.messaging.rendering import CompiledTemplate
from app.messaging.services import template_by_key
from app.recycling import hours
from tests.integration.conftest import NOW

POINT_HOURS = "Mo-Fr 08:30-12:00,13:30-17:00; PH off"


def _campaign_data(departments, **overrides):
    types = cleanup.ensure_default_action_types()
    data = {
        "name_fr": "Grand ménage numérique",
        "name_en": "Big digital clean-up",
        "description_fr": "",
        "description_en": "",
        "starts_at": NOW,
        "ends_at": NOW + timedelta(days=14),
        "all_departments": False,
        "department_ids": [d.id for d in departments],
        "goals": {"GB": 100},
        "rules": [
            {"action_type_id": t.id, "points_per_unit": t.points_per_unit, "daily_cap": t.daily_cap}
            for t in types
        ],
    }
    data.update(overrides)
    return data


def _inbox(user, template_key):
    return db.session.scalar(
        select(Delivery)
        .join(Dispatch, Dispatch.id == Delivery.dispatch_id)
        .where(
            Delivery.user_id == user.id,
            Delivery.channel == "inbox",
            Dispatch.template.has(key=template_key),
        )
    )


def _mail(smtp, user, subject_start):
    found = [
        m
        for to, m in smtp.messages
        if to == user.email and str(m["Subject"]).startswith(subject_start)
    ]
    assert len(found) == 1, (
        user.email,
        subject_start,
        [str(m["Subject"]) for _, m in smtp.messages],
    )
    return found[0].get_body(("plain",)).get_content()


@pytest.fixture
def town(make, rec):
    """Two communes with a point each; a department in scope, one out of it; four people."""
    pessac = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    ambes = make.commune(name="Ambès", latitude=45.011, longitude=-0.532)
    rec.point(commune=pessac, name="Mairie de Pessac", address="Place de la Ve République",
              opening_hours=POINT_HOURS)  # fmt: skip
    rec.point(commune=ambes, name="Mairie d'Ambès", address="Place Jean Jaurès",
              opening_hours=POINT_HOURS)  # fmt: skip
    scoped = make.department(commune=pessac, name_fr="Direction du numérique",
                             name_en="Digital department")  # fmt: skip
    other = make.department(commune=ambes)
    people = {
        "camille": make.user(display_name="Camille Martin", department=scoped, locale="fr",
                             email_opt_in=True),
        "alex": make.user(display_name="Alex Smith", department=scoped, locale="en",
                          commune_id=ambes.id, email_opt_in=True),
        "idle": make.user(display_name="Dominique Idle", department=scoped, locale="fr",
                          email_opt_in=True),
        "outsider": make.user(display_name="Olivier Dehors", department=other, locale="fr",
                              email_opt_in=True),
    }  # fmt: skip
    return {"scoped": scoped, "other": other, **people}


def test_campaign_messages_reach_its_scope_with_each_persons_own_figures(make, town, smtp):
    organiser = make.user(roles=("organiser",))
    campaign = cleanup.create_campaign(organiser, _campaign_data([town["scoped"]]), NOW)
    cleanup.publish_campaign(campaign, organiser, NOW - timedelta(hours=1))
    db.session.commit()
    dispatches = db.session.scalars(select(Dispatch).order_by(Dispatch.due_at)).all()
    assert [(d.template.key, d.audience_key, d.audience_params) for d in dispatches] == [
        (key, "campaign-scope", {"campaign_id": campaign.id})
        for key in ("campaign-launch", "campaign-reminder", "campaign-last-48h")
    ]

    # The launch, at the start: everyone in scope, nobody else.
    jobs.deliver_due(clock=lambda: NOW)
    launched = {to for to, _m in smtp.messages}
    assert launched == {town[p].email for p in ("camille", "alex", "idle")}
    assert _inbox(town["outsider"], "campaign-launch") is None
    camille_launch = _mail(smtp, town["camille"], "C'est parti\u00a0: Grand ménage numérique")
    assert "Bonjour Camille," in camille_launch
    # Named as "la campagne « … »": a plural name is not the subject of "commence".
    assert "La campagne «\u00a0Grand ménage numérique\u00a0» commence le" in camille_launch
    assert (
        "Point de collecte le plus proche\u00a0: Mairie de Pessac – Place de la Ve République"
        in (camille_launch)
    )
    alex_launch = _mail(smtp, town["alex"], "It starts now: Big digital clean-up")
    assert "Nearest collection point: Mairie d'Ambès – Place Jean Jaurès" in alex_launch
    # Inside the sentence, the lines after the first go on lower-case but for names.
    assert (
        "(Monday to Friday: 08:30–12:00, 13:30–17:00; Saturday and Sunday: closed; "
        "public holidays: closed)." in alex_launch
    )
    assert f"({hours.describe_text(POINT_HOURS, 'fr').lower()})" in camille_launch  # in a sentence

    # Camille frees 5 GB, Alex 2 GB.
    day_two = NOW + timedelta(days=1)
    cleanup.log_action(town["camille"], campaign, "delete-mail", 5, day_two)
    cleanup.log_action(town["alex"], campaign, "delete-mail", 2, day_two)
    db.session.commit()

    # One week before the end: each person's own points and rank, their team, the goal.
    jobs.deliver_due(clock=lambda: campaign.ends_at - timedelta(days=7))
    camille = _inbox(town["camille"], "campaign-reminder").body
    assert "elle se termine dans 7 jours, le" in camille
    assert "Vous avez 50 points (rang 1)." in camille
    assert "Votre direction, Direction du numérique, a 70 points (rang 1)." in camille
    assert "Objectif collectif\u00a0: 7\u00a0Go sur 100\u00a0Go (7\u00a0%)." in camille
    assert "Mairie de Pessac" in camille
    assert camille in _mail(smtp, town["camille"], "Plus qu'une semaine")
    alex = _mail(smtp, town["alex"], "One week left: Big digital clean-up")
    assert "There is still time to act in Big digital clean-up: it ends in 7 days, on" in alex
    assert "You have 20 points (rank 2)." in alex
    assert "Your department, Digital department, has 70 points (rank 1)." in alex
    assert "Collective goal: 7\u00a0GB of 100\u00a0GB (7%)." in alex
    assert "Mairie d'Ambès" in alex
    # Counted words agree with their number: "0 point" in French, as "1 point".
    assert "Vous avez 0 point." in _inbox(town["idle"], "campaign-reminder").body

    jobs.deliver_due(clock=lambda: campaign.ends_at - timedelta(hours=48))
    assert "You have 20 points (rank 2)." in _mail(smtp, town["alex"], "Last 48 hours")

    # The end: results freeze, the results message goes to the people who took part.
    after = campaign.ends_at + timedelta(minutes=1)
    assert cleanup.freeze_closed_campaigns(after) == 1
    db.session.commit()
    jobs.deliver_due(clock=lambda: after)
    results = {to for to, m in smtp.messages if "results" in str(m["Subject"]).lower()}
    results |= {to for to, m in smtp.messages if "résultats" in str(m["Subject"]).lower()}
    assert results == {town["camille"].email, town["alex"].email}
    assert "Vous avez 50 points (rang 1)." in _mail(smtp, town["camille"], "Les résultats")

    # Out of scope: not one message, in the inbox or by e-mail.
    assert town["outsider"].email not in {to for to, _m in smtp.messages}
    assert not db.session.scalars(
        select(Delivery.id).where(Delivery.user_id == town["outsider"].id)
    ).all()


@pytest.mark.parametrize("with_campaign", [False, True])
def test_every_builtin_template_renders_for_someone_with_no_activity(
    make, rec, make_campaign, with_campaign
):
    """No campaign, no department, no commune: every built-in message still renders."""
    rec.point(opening_hours="24/7")
    context = {}
    if with_campaign:
        context = {"campaign_id": make_campaign().id}
    for locale in ("fr", "en"):
        nobody = make.user(with_department=False, locale=locale)
        variables = variables_for([nobody], NOW, context)[nobody.id]
        for key in BUILTIN_TEMPLATES:
            subject, body = CompiledTemplate.compile(template_by_key(key)).render(locale, variables)
            assert subject and body.startswith(("Bonjour", "Hello"))
            assert "None" not in body


def test_the_weekly_digest_names_its_campaign_and_says_nothing_of_goals_it_has_not(
    make, town, smtp
):
    """A campaign without goals gave « Objectif collectif : . », and the score named no campaign."""
    from app.messaging import services as messaging

    organiser = make.user(roles=("organiser",))
    campaign = cleanup.create_campaign(organiser, _campaign_data([town["scoped"]], goals={}), NOW)
    cleanup.publish_campaign(campaign, organiser, NOW - timedelta(hours=1))
    digest = template_by_key("weekly-digest")
    messaging.create_dispatch(digest, "department", {"department_id": town["scoped"].id}, NOW, NOW)
    db.session.commit()

    jobs.deliver_due(clock=lambda: NOW + timedelta(minutes=1))

    camille = _inbox(town["camille"], "weekly-digest").body
    assert "Voici où vous en êtes dans la campagne «\u00a0Grand ménage numérique\u00a0»." in camille
    assert "Vous avez 0 point." in camille and "Objectif" not in camille
    alex = _mail(smtp, town["alex"], "Your responsible digital week")
    assert "Here is where you stand in Big digital clean-up." in alex
    assert "Collective goal" not in alex
