"""The French words: a device return is « un dépôt » on every page (the point's
edit page, its close dialog and the agent's return page said « retour »); the days of the
opening hours read « Du lundi au vendredi »; a figure holds to its « % » (« ± 30 % »)."""

import html

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from tests.conftest import login

NBSP = "\u00a0"


def test_the_point_edit_page_and_its_close_dialog_say_depot(client, make, rec):
    point = rec.point(agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",), locale="fr"))
    page = html.unescape(client.get(f"/recycling/admin/points/{point.id}/edit").text)
    assert "ses agents gardent les dépôts déjà déclarés" in page
    assert "retour" not in page.replace("Retour à", "")


def test_the_agent_return_page_says_the_depot_is_declared_again(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    now = utcnow()
    device_return = rec.device_return(make.user(), point, now=now)
    services.confirm_receipt(device_return, agent, now)
    db.session.commit()
    agent.locale = "fr"
    db.session.commit()
    login(client, agent)
    page = html.unescape(
        client.get(f"/recycling/agent/returns/{device_return.receipt_number}").text
    )
    assert "le dépôt redevient déclaré, en attente de son appareil" in page, page
    assert "le retour redevient" not in page


def test_the_week_of_a_point_reads_from_monday_to_friday(client, make, rec):
    rec.point(name="Mairie de Lormont")
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get("/recycling/").text)
    assert "<dt>Du lundi au vendredi</dt>" in page
    assert "<dt>Lundi au vendredi</dt>" not in page


def test_the_statistics_source_holds_its_figure_to_its_percent(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = html.unescape(client.get("/recycling/admin/statistics").text)
    assert f"(estimation Empreinte, ±{NBSP}30{NBSP}%)" in page
