"""The home dashboard on the demo data: every domain's panel for each demo account, in a
few queries per panel (not one per row), with sensible content."""

import html
import re

import pytest
from sqlalchemy import event, select

from app.auth.models import User
from app.cleanup.queries import current_campaign, goal_progress
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login
from tests.snapshots import demo_seed_command_once

ACCOUNTS = ("employee", "organiser", "agent", "admin")
PANELS = ("Mes demandes d'équipements", "Nettoyage numérique", "Recyclage", "Derniers messages")


@pytest.fixture
def demo(runner):
    demo_seed_command_once(runner, 300)


@pytest.fixture
def panel_queries(app, monkeypatch):
    """Counts the SQL statements each panel provider runs."""
    counts, current = {}, []

    def count(*_args, **_kwargs):
        if current:
            counts[current[-1]] = counts.get(current[-1], 0) + 1

    def wrap(provider):
        def counted(user):
            current.append(provider.__module__)
            try:
                return provider(user)
            finally:
                current.pop()

        return counted

    providers = app.extensions["empreinte.panels"]
    monkeypatch.setitem(app.extensions, "empreinte.panels", [wrap(p) for p in providers])
    event.listen(db.engine, "before_cursor_execute", count)
    yield counts
    event.remove(db.engine, "before_cursor_execute", count)


def _text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#39;", "'")


@pytest.mark.slow
def test_each_demo_account_sees_every_panel_in_a_few_queries(client, demo, panel_queries):
    # One seed for the four accounts: seeding is the slow part.
    for account in ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == f"{account}@demo.empreinte.fr"))
        login(client, user)
        client.get("/")  # warm the caches (the leaderboard is computed once per score change)
        panel_queries.clear()
        response = client.get("/")
        assert response.status_code == 200
        text = _text(response.get_data(as_text=True))
        for title in PANELS:
            assert title in text, (account, title, text)
        assert f"Bonjour {user.first_name}" in text
        assert "Point de collecte le plus proche" in text  # each demo account has a commune
        staff = {"app.core.dashboard"} if account != "employee" else set()  # "To do"
        assert set(panel_queries) == {
            "app.catalogue",
            "app.cleanup.integration",
            "app.recycling.providers",
            "app.messaging",
            *staff,
        }
        assert all(n <= 8 for n in panel_queries.values()), (account, panel_queries)

    # The demo campaign is in progress, not already past its goals on day four.
    goals = goal_progress(current_campaign(utcnow()))
    assert {g["unit"] for g in goals} == {"GB", "devices", "participants"}
    assert all(0 < g["ratio"] < 1 for g in goals), goals


def test_demo_launch_message_reaches_the_inbox_and_the_mailbox(demo, client, smtp):
    """The demo campaign is announced at seed time (the scheduler's next tick delivers
    it), and the demo employee's entry set aside yesterday is already explained, both
    unread among the weeks of messages before them."""
    from app.messaging.jobs import deliver_due

    deliver_due(wait_for_leases=True)
    employee = db.session.scalar(select(User).where(User.email == "employee@demo.empreinte.fr"))
    login(client, employee)
    inbox = client.get("/api/v1/me/messages").json
    unread = {m["subject"].split("\u00a0:")[0] for m in inbox["messages"] if not m["read"]}
    assert {"C'est parti", "Votre saisie ne compte pas"} <= unread
    assert any(to == "employee@demo.empreinte.fr" for to, _message in smtp.messages)
    campaign_id = current_campaign(utcnow()).id
    entries = client.get(f"/cleanup/campaigns/{campaign_id}?entries=all").get_data(as_text=True)
    assert ": Même boîte nettoyée que dans votre saisie précédente" in html.unescape(entries)
