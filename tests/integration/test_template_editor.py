"""The template editor speaks the real variables of every domain, in both languages."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from app.core.personalisation import known_variables
from app.core.time import utcnow
from app.extensions import db
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.models import Dispatch
from app.messaging.services import template_by_key
from tests.conftest import login

HX = {"HX-Request": "true"}
# One variable of each domain that registers some.
FROM_EVERY_DOMAIN = {"first_name", "unsubscribe_url", "points", "rank", "badges", "team_points",
                     "goal_progress", "days_left", "nearest_collection_point",
                     "nearest_collection_point_hours"}  # fmt: skip


def test_every_domain_registers_its_variables_with_descriptions_in_both_languages(app):
    variables = known_variables()
    assert set(variables) >= FROM_EVERY_DOMAIN
    for variable in variables.values():
        with force_locale("en"):
            english = str(variable.description)
        with force_locale("fr"):
            french = str(variable.description)
        assert english and french and english != french, variable.name


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_editor_lists_every_variable_with_its_description_in_my_language(client, make, locale):
    login(client, make.user(roles=("organiser",), locale=locale))
    page = client.get("/messaging/templates/new").get_data(as_text=True)
    for variable in known_variables().values():
        with force_locale(locale):
            description = str(variable.description)
        assert "{{ " + variable.name + " }}" in page
        # Lazy strings are marked safe (they come from our catalogue), plain ones escaped.
        assert description in page or escape(description) in page, (variable.name, description)


def test_preview_renders_each_language_with_that_languages_values(
    auth, client, make, rec, make_campaign
):
    # Running now, whatever the real clock says (the preview uses the real clock).
    today = utcnow()
    campaign = make_campaign(
        name_fr="Grand ménage",
        name_en="Big clean-up",
        starts_at=today - timedelta(days=1),
        ends_at=today + timedelta(days=30),
    )
    commune = make.commune()
    rec.point(commune=commune, name="Mairie", opening_hours="Mo-Fr 08:30-17:00")
    # The organiser's own preview: one for someone else shows their activity as examples.
    login(client, make.user(roles=("organiser",), locale="fr", commune_id=commune.id))
    response = auth.post(
        "/messaging/templates/preview",
        data={
            "key": "x",
            "name": "x",
            "subject_fr": "{{ campaign_name }}",
            "body_fr": "{{ nearest_collection_point_hours }}",
            "subject_en": "{{ campaign_name }}",
            "body_en": "{{ nearest_collection_point_hours }}",
        },
        headers=HX,
    )
    body = response.get_data(as_text=True)
    assert campaign.id and "Grand ménage" in body and "Big clean-up" in body
    assert "Lundi" in body or "lundi" in body
    assert "Monday" in body


def test_a_campaign_message_previews_with_the_campaign_chosen_not_the_running_one(
    auth, client, make, make_campaign
):
    """Next month's launch, checked today from its dispatch: its own name and dates, for
    me and for a colleague, not those of the campaign running now."""
    today = utcnow()
    make_campaign(name_fr="En cours", name_en="Running", starts_at=today - timedelta(days=1),
                  ends_at=today + timedelta(days=20))  # fmt: skip
    coming = make_campaign(name_fr="Semaine du tri", name_en="Sorting week",
                           starts_at=today + timedelta(days=30),
                           ends_at=today + timedelta(days=35))  # fmt: skip
    colleague = make.user(display_name="Paule Collègue", email="paule@example.org")
    login(client, make.user(roles=("organiser",), locale="fr"))
    ensure_builtin_templates()
    launch = template_by_key("campaign-launch")
    dispatch = db.session.scalar(
        select(Dispatch).where(Dispatch.dedupe_key == f"campaign:{coming.id}:launch")
    )
    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    editor = f"/messaging/templates/{launch.id}?campaign_id={coming.id}"
    assert escape(editor) in page
    assert f'<option selected value="{coming.id}">' in client.get(editor).get_data(as_text=True)
    texts = {name: getattr(launch, name) for name in ("name", "subject_fr", "body_fr",
                                                      "subject_en", "body_en")}  # fmt: skip
    for recipient in ("", colleague.email):
        body = auth.post(
            "/messaging/templates/preview",
            data={
                "key": launch.key,
                **texts,
                "recipient": recipient,
                "campaign_id": str(coming.id),
            },
            headers=HX,
        ).get_data(as_text=True)
        assert "Semaine du tri" in body and "Sorting week" in body, recipient
        assert "En cours" not in body and "Running" not in body, recipient
