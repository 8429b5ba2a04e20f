"""Organisers read a dispatch's audience, status and channels in their language, never
the stored keys; a dispatch's page reads out a change of status, not every refresh."""

import re
from datetime import timedelta

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Dispatch
from tests.conftest import login
from tests.messaging.conftest import coming

HX = {"HX-Request": "true"}


def _campaign_dispatch(template, campaign):
    due = utcnow() + timedelta(days=3)
    dispatch = services.create_dispatch(
        template(), "campaign-scope", {"campaign_id": str(campaign.id)}, due, utcnow()
    )
    db.session.commit()
    return dispatch


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_dispatches_name_their_audience_and_status_in_the_readers_language(
    client, make, template, make_campaign
):
    campaign = make_campaign(name_fr="Printemps sobre", name_en="Sober spring")
    dispatch = _campaign_dispatch(template, campaign)
    organiser = make.user(roles=("organiser",))
    login(client, organiser)

    for path in ("/messaging/dispatches", f"/messaging/dispatches/{dispatch.id}"):
        french = _text(client.get(path).get_data(as_text=True))
        assert "Personnes dans le périmètre d'une campagne de nettoyage : Printemps sobre" in french
        assert "Planifié" in french
        assert "campaign-scope" not in french and "scheduled" not in french
        assert "campaign_id" not in french

    assert "Statut : Planifié" in french  # a no-break space before the colon, in French

    organiser.locale = "en"
    db.session.commit()
    english = _text(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "Staff in the scope of a clean-up campaign: Sober spring" in english
    assert "Status: Scheduled" in english
    assert "Portal inbox" in english


def test_the_progress_polls_while_the_dispatch_may_change_and_reads_out_a_new_status(
    client, make, template
):
    make.user()
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    login(client, make.user(roles=("organiser",)))

    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    assert 'hx-trigger="every 10s"' in page and "was=scheduled" in page
    assert "data-announce" not in page.split('id="dispatch-progress"')[1]
    unchanged = client.get(f"/messaging/dispatches/{dispatch.id}?was=scheduled", headers=HX)
    assert "data-announce" not in unchanged.get_data(as_text=True)

    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    assert db.session.get(Dispatch, dispatch.id).status == "done"
    finished = client.get(f"/messaging/dispatches/{dispatch.id}?was=scheduled", headers=HX)
    fragment = finished.get_data(as_text=True)
    assert "<html" not in fragment and 'id="dispatch-progress"' in fragment
    announced = re.search(r"<p data-announce>(.*?)</p>", fragment, re.S)
    assert announced and "Envoyé" in _text(announced.group(1))
    assert "hx-trigger" not in fragment, "a finished dispatch is no longer polled"
    again = client.get(f"/messaging/dispatches/{dispatch.id}?was=done", headers=HX)
    assert "data-announce" not in again.get_data(as_text=True)


def test_the_schedule_form_offers_campaigns_and_roles_by_name(
    auth, client, make, template, make_campaign
):
    campaign = make_campaign(name_fr="Printemps sobre", name_en="Sober spring")
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/schedule").get_data(as_text=True)
    assert f'<option value="{campaign.id}">Printemps sobre (' in page  # then its days
    assert '<option value="agent">Agent de collecte</option>' in page
    assert 'id="campaign_id"' in page and "Campagne (pour les groupes de destinataires" in page

    response = auth.post(
        "/messaging/schedule",
        data={
            "template": tpl.id,
            "audience": "campaign-scope",
            "campaign_id": str(campaign.id),
            "kind": "at",
            "at": coming(1, 5),
            "confirm": "yes",
        },
    )
    assert response.status_code == 302
    dispatch = db.session.scalar(select(Dispatch).order_by(Dispatch.id.desc()))
    assert (
        dispatch.due_at.year == int(coming(1, 5)[:4]) and dispatch.audience_key == "campaign-scope"
    )
    assert dispatch.audience_params == {"campaign_id": str(campaign.id)}


def test_the_template_editor_gives_examples_in_the_authors_language(client, make):
    author = make.user(roles=("organiser",))
    login(client, author)
    french = _text(client.get("/messaging/templates/new").get_data(as_text=True))
    assert (
        "(par ex. 16 mars 2026 à 9 h)" in french
        and "(par ex. 12 000 Go sur 50 000 Go (24 %))" in french
    )
    author.locale = "en"
    db.session.commit()
    english = _text(client.get("/messaging/templates/new").get_data(as_text=True))
    assert "(e.g. 16 March 2026 at 09:00)" in english
    assert (
        "(e.g. Monday to Friday: 08:30–12:00, 13:30–17:00; Saturday and Sunday: closed; "
        "public holidays: closed)" in english
    )
