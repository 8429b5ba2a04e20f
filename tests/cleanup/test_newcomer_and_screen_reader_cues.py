"""What a newcomer and a screen reader were not told:
the home panel's goals without a heading, its "log an action" link landing above the
form, device returns absent from the log menu with no word of where they count, the
review reason read without its entry, and one's focused leaderboard row without a name."""

import html
import re
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login


def _running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


# 1. The home panel's goals are named as everyone's, as on the campaign page.


def test_the_home_panels_goals_have_the_campaign_pages_heading(client, make, make_campaign):
    _running(make_campaign)
    login(client, make.user())  # French, as the portal's staff read it
    home = _text(client.get("/"))
    goals = home.index('<ul class="cleanup-goals">')
    heading = re.findall(r"<h3[^>]*>([^<]*)</h3>", home[:goals])
    assert heading and heading[-1] == "Objectifs collectifs"
    assert "100\u00a0Go" in home[goals:]  # the goals it names follow it

    login(client, make.user(locale="en"))
    home = _text(client.get("/"))
    goals = home.index('<ul class="cleanup-goals">')
    assert re.findall(r"<h3[^>]*>([^<]*)</h3>", home[:goals])[-1] == "Collective goals"


# 2. "No points yet: log an action" lands on the log form's heading, which takes the focus.


def test_the_home_link_to_log_an_action_lands_on_the_log_form(client, make, make_campaign):
    campaign = _running(make_campaign)
    login(client, make.user(locale="en"))
    home = _text(client.get("/"))
    link = re.search(r'<a href="([^"]+)" data-testid="panel-take-part">', home)
    assert link.group(1) == f"/cleanup/campaigns/{campaign.id}#log-action"

    page = _text(client.get(link.group(1).split("#")[0]))
    heading = re.search(r'<h3 id="log-action" tabindex="-1">([^<]*)</h3>', page)
    assert heading and heading.group(1) == "Log an action"
    assert page.index('<form method="post"', heading.end()) < page.index(
        'name="action_type"', heading.end()
    )  # the form right below it


# 3. Returning a device counts through Recycling, said beside it before any entry.


def test_the_device_return_rule_says_where_a_return_is_declared(client, make, make_campaign):
    campaign = _running(make_campaign)  # every default action type, the return's among them
    login(client, make.user())
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}"))
    menu = re.search(r'<select[^>]*name="action_type".*?</select>', page, re.S).group(0)
    assert "Rapporter un appareil" not in menu  # not a choice of the log form
    rule = re.search(r"<li>Rapporter un appareil.*?</li>", page, re.S).group(0)
    assert (
        "Il ne s'enregistre pas sur cette page\u00a0: un dépôt d'appareil compte quand vous"
        " le déclarez dans Recyclage, dès qu'un agent du point de collecte a reçu l'appareil."
    ) in rule
    assert '<a href="/recycling/returns/new">Déclarer un dépôt</a>' in rule
    # The other actions say nothing of it.
    others = re.findall(r"<li>(?!Rapporter).*?</li>", page.split('data-testid="campaign-rules"')[1])
    assert not any("Recyclage" in other for other in others)

    login(client, make.user(locale="en"))
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}"))
    assert "a device return counts when you declare it in Recycling" in page
    assert '<a href="/recycling/returns/new">Declare a return</a>' in page


# 5. The reason field of the review queue is described by its entry, as its buttons are.


def test_the_review_reason_is_described_by_its_entry(client, make, make_campaign):
    campaign = _running(make_campaign)
    flagged = [
        services.log_action(make.user(), campaign, "delete-mail", 15, utcnow()) for _ in (1, 2)
    ]
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}/review"))
    for action in flagged:
        named = f"review-{action.id} review-{action.id}-who"
        field = re.search(rf'<textarea id="reason-{action.id}"[^>]*>', page).group(0)
        assert f'aria-describedby="{named}"' in field
        assert f'name="decision" value="reject" aria-describedby="{named}"' in page
        assert f'id="review-{action.id}-who"' in page and f'id="review-{action.id}"' in page


def test_a_refused_reason_keeps_its_error_first_then_the_entry(client, make, make_campaign):
    campaign = _running(make_campaign)
    action = services.log_action(make.user(), campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    response = client.post(
        f"/cleanup/actions/{action.id}/review",
        data={"csrf_token": csrf_token(client), "decision": "reject", "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    field = re.search(rf'<textarea id="reason-{action.id}"[^>]*>', response.get_data(as_text=True))
    assert (
        f'aria-describedby="reason-{action.id}-error review-{action.id} review-{action.id}-who"'
    ) in field.group(0)


# 6. "Show my place" focuses one's row: it is named, in the reader's language.


def _my_row(client, campaign, query="me=1") -> str:
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard?{query}")
    return re.search(r'<tr id="my-row"[^>]*>', page.get_data(as_text=True)).group(0)


def test_ones_leaderboard_row_is_named_by_rank_name_and_points(client, make, make_campaign):
    campaign = _running(make_campaign)
    people = [make.user(leaderboard_visibility="name", display_name=f"Agent {n}") for n in (1, 2)]
    services.log_action(people[0], campaign, "delete-mail", 3, utcnow())  # 30 points
    services.log_action(people[1], campaign, "delete-mail", 1, utcnow())  # 10 points
    db.session.commit()

    login(client, people[1])
    row = html.unescape(_my_row(client, campaign))
    assert 'aria-label="Votre place\u00a0: rang 2, Agent 2, 10 points"' in row

    people[0].locale = "en"
    db.session.commit()
    login(client, people[0])
    row = html.unescape(_my_row(client, campaign))
    assert 'aria-label="Your place: rank 1, Agent 1, 30 points"' in row


def test_ones_department_row_is_named_too(client, make, make_campaign):
    campaign = _running(make_campaign)
    department = make.department()
    people = [make.user(department=department) for _ in range(5)]
    for person in people:
        services.log_action(person, campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, people[0])
    row = html.unescape(_my_row(client, campaign, "scope=departments&order=total&me=1"))
    label = re.search(r'aria-label="([^"]*)"', row).group(1)
    assert label.startswith("Votre direction\u00a0: ")
    assert department.name("fr") in label
    assert label.endswith(("50 points", "non classée"))
