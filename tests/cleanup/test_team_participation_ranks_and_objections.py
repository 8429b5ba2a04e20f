"""A team captain's and a newcomer's review (26 December): the communes' board opened by
total points, which the largest commune wins whatever others do; a department's rank
said without its participation; the CO₂ range read « jusqu'à 2 t » on the provisional
results and « entre … et … » on the final ones; ranks skipped by hidden people explained
50 rows away; a rejected entry said no way to object; collective goals were bare figures,
participants said twice; the guides said what to delete but not how to measure it."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupActionType
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from tests.conftest import csrf_token, login

HX = {"HX-Request": "true"}


def _running(make_campaign, **overrides):
    now = utcnow()
    return make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), **overrides
    )


def _text(page: str) -> str:
    """The page's words, tags left out, entities read."""
    return html.unescape(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", page)))


# --- 1. the communes' board opens per participant -------------------------------------


def test_the_communes_board_opens_ranked_per_participant(client, make, make_campaign):
    campaign = _running(make_campaign)
    big, small = make.commune(name="Grande"), make.commune(name="Petite")
    for _ in range(3):  # three people at 2 points each: 6 in all, 2 per head
        services.log_action(make.user(commune_id=big.id), campaign, "unsubscribe", 1, utcnow())
    services.log_action(make.user(commune_id=small.id), campaign, "unsubscribe", 2, utcnow())
    db.session.commit()
    login(client, make.user())
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=communes").text
    assert '<caption data-announce="first">Communes par points par participant</caption>' in (page)
    # Its tab is the communes' first, and the one marked current.
    tabs = re.findall(r'id="tab-communes-(\w+)"', page)
    assert tabs == ["per_head", "total"]
    assert re.search(r'id="tab-communes-per_head"\s+hx-get="[^"]*"[^>]*aria-current="page"', page)
    # The small commune leads per head (4 against 2).
    rows = re.findall(r'<th scope="row" role="rowheader">([^<]+)</th>', page)
    assert rows[:2] == ["Petite", "Grande"]


def test_the_communes_total_says_it_favours_the_large_ones(client, make, make_campaign):
    campaign = _running(make_campaign)
    services.log_action(
        make.user(commune_id=make.commune().id), campaign, "unsubscribe", 1, utcnow()
    )
    db.session.commit()
    login(client, make.user(locale="en"))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=communes&order=total"
    for headers in ({}, HX):
        page = html.unescape(client.get(url, headers=headers).text)
        note = (
            "A total favours the large communes, where most staff work: to compare "
            "communes, see their points per participant."
        )
        assert f'<p class="hint" id="total-note" data-testid="communes-total-note">{note}</p>' in (
            page
        )
        assert re.search(r'<table [^>]*aria-describedby="total-note"', page)


# --- 2. a department's rank and participation -----------------------------------------


def test_every_team_tab_shows_participants_out_of_staff(client, make, make_campaign):
    campaign = _running(make_campaign)
    team = make.department(name_fr="Direction des sports")
    services.log_action(make.user(department=team), campaign, "unsubscribe", 1, utcnow())
    make.user(department=team)  # staff who did not take part
    db.session.commit()
    login(client, make.user())
    for order in ("total", "per_head"):
        page = client.get(
            f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order={order}"
        ).text
        row = re.search(r"Direction des sports</th>(.*?)</tr>", page, re.S).group(1)
        assert 'data-label="Participants\u00a0:">1 sur 2</td>' in row, order


def _my_department(make, make_campaign, locale):
    """A campaign where the reader's department of 3 ranks second of two, 2 taking part."""
    campaign = _running(make_campaign)
    mine, other = make.department(), make.department()
    services.log_action(make.user(department=other), campaign, "unsubscribe", 10, utcnow())
    me = make.user(department=mine, locale=locale)
    services.log_action(me, campaign, "unsubscribe", 1, utcnow())
    services.log_action(make.user(department=mine), campaign, "unsubscribe", 1, utcnow())
    make.user(department=mine)
    db.session.commit()
    return campaign, me


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("fr", "Ma direction (total des points)\u00a0: 2ᵉ sur 2 · 2 participants sur 3"),
        ("en", "My department (total points): 2nd of 2 · 2 participants out of 3"),
    ],
)
def test_my_departments_rank_and_participation_on_the_campaign_page_and_home(
    client, make, make_campaign, locale, line
):
    campaign, me = _my_department(make, make_campaign, locale)
    login(client, me)
    for url in (f"/cleanup/campaigns/{campaign.id}", "/"):
        page = client.get(url).text
        found = re.search(r'<span data-testid="my-team">(.*?)</span></span>', page, re.S)
        assert found, url
        assert _text(found.group(1)).strip() == line, url


def test_a_first_department_reads_premiere_in_french(client, make, make_campaign):
    campaign = _running(make_campaign)
    me = make.user(locale="fr")
    services.log_action(me, campaign, "unsubscribe", 1, utcnow())
    db.session.commit()
    login(client, me)
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}").text)
    assert "Ma direction (total des points)\u00a0: 1ʳᵉ sur 1 · 1 participant sur 1" in page


# --- 3. the CO₂ range gives both ends alike -------------------------------------------


def test_the_provisional_results_give_both_ends_and_tonnes_with_a_decimal(
    client, make, make_campaign
):
    services.ensure_default_action_types()
    mail = db.session.scalar(select(CleanupActionType).filter_by(key="delete-mail"))
    mail.kg_co2e_low, mail.kg_co2e_per_unit, mail.kg_co2e_high = 0.09, 4.55, 91.433
    db.session.commit()
    campaign = _running(make_campaign)
    for _person in range(2):
        services.log_action(make.user(), campaign, "delete-mail", 10, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/interim-results").text)
    assert re.search(r"<p>(Environ [^<]*)</p>", page).group(1) == (
        "Environ 91\u00a0kg\u00a0CO₂e évités sur un an de stockage, "
        "quelque part entre 1,8\u00a0kg\u00a0CO₂e et 1,8\u00a0t\u00a0CO₂e."
    )


# --- 4. ranks skipped by hidden people, said at the gap -------------------------------


def _board_with(make, make_campaign, hidden_quantity):
    """Ada (5 items), someone hidden (`hidden_quantity`), then Bob (1 item)."""
    campaign = _running(make_campaign)
    for name, quantity in (("Ada", 5), ("Bob", 1)):
        person = make.user(leaderboard_visibility="name", display_name=name)
        services.log_action(person, campaign, "unsubscribe", quantity, utcnow())
    hidden = make.user(leaderboard_visibility="hidden")
    services.log_action(hidden, campaign, "unsubscribe", hidden_quantity, utcnow())
    db.session.commit()
    return campaign


def test_a_rank_skipped_by_hidden_people_is_said_at_the_gap(client, make, make_campaign):
    campaign = _board_with(make, make_campaign, 3)
    login(client, make.user(locale="fr"))
    for headers in ({}, HX):
        page = html.unescape(
            client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard", headers=headers).text
        )
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)[1:]
        assert [_text(r).split(" ")[1:3] for r in rows] == [
            ["1", "Ada"],
            ["Rang", "sauté\u00a0:"],  # one rank, 2: said in the singular
            ["3", "Bob"],
        ]
        assert "celui d'une personne qui a choisi d'être masquée" in rows[1]


def test_a_hidden_person_level_with_a_listed_one_skips_no_rank(client, make, make_campaign):
    campaign = _board_with(make, make_campaign, 1)  # level with Bob: ranks 1, 2
    login(client, make.user(locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").text
    assert 'data-testid="hidden-ranks-row"' not in page


# --- 5. a rejected entry says how to object -------------------------------------------


def test_a_rejected_entry_says_whom_to_write_to(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), email="orga@example.org")
    campaign = _running(make_campaign, organiser=organiser)
    me = make.user(locale="fr")
    entry = services.log_action(me, campaign, "delete-mail", 15, utcnow())  # flagged
    db.session.commit()
    services.review_action(entry, organiser, False, "Doublon", utcnow())
    db.session.commit()
    login(client, me)
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").text)
    said = re.search(r'<span class="hint" data-testid="object-to-rejection">(.*?)</span>', page)
    assert said.group(1).strip() == (
        "Si vous pensez qu'il s'agit d'une erreur, écrivez aux organisateurs de la campagne"
        '\u00a0: <a href="mailto:orga@example.org">orga@example.org</a>.'
    )


def test_the_rejection_notice_says_whom_to_write_to(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), email="orga2@example.org")
    campaign = _running(make_campaign, organiser=organiser)
    me = make.user(locale="fr")
    entry = services.log_action(me, campaign, "delete-mail", 15, utcnow())  # flagged
    db.session.commit()
    login(client, organiser)
    client.post(
        f"/cleanup/actions/{entry.id}/review",
        data={"csrf_token": csrf_token(client), "decision": "reject", "reason": "Doublon"},
    )
    jobs.deliver_due()
    login(client, me)
    inbox = html.unescape(client.get("/messaging/").text)
    assert (
        "Si vous pensez qu'il s'agit d'une erreur, écrivez aux organisateurs de la "
        "campagne\u00a0: orga2@example.org."
    ) in inbox


def test_without_an_active_creator_the_portals_contact_is_given(client, make, make_campaign, app):
    organiser = make.user(roles=("organiser",))
    campaign = _running(make_campaign, organiser=organiser)
    organiser.active = False
    me = make.user(locale="en")
    entry = services.log_action(me, campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    services.review_action(entry, make.user(roles=("organiser",)), False, "Twice", utcnow())
    db.session.commit()
    app.config["PRIVACY_CONTROLLER_CONTACT"] = "contact@mairie.example.org"
    try:
        login(client, me)
        page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").text)
    finally:
        app.config["PRIVACY_CONTROLLER_CONTACT"] = ""
    assert (
        "write to the campaign's organisers: "
        '<a href="mailto:contact@mairie.example.org">contact@mairie.example.org</a>.'
    ) in page


# --- 6. collective goals named, participants said once --------------------------------


def test_collective_goals_say_what_they_count_and_participants_once(client, make, make_campaign):
    campaign = _running(make_campaign, goals={"GB": 100, "devices": 5, "participants": 10})
    me = make.user(locale="fr")
    services.log_action(me, campaign, "delete-mail", 2, utcnow())
    db.session.commit()
    login(client, me)
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}").text)
    assert "Espace libéré\u00a0: 2 / 100\u00a0Go" in page
    assert "Appareils déposés\u00a0: 0 / 5\u00a0appareils" in page
    assert "Participants\u00a0: 1 / 10\u00a0participants" in page
    # Under the heading, the points alone: the participants' goal says their number.
    totals = re.search(r"Objectifs collectifs (.*?) Espace libéré", page).group(1)
    assert totals.strip() == "20 points"
    home = _text(client.get("/").text)
    assert "Espace libéré\u00a0: 2 / 100\u00a0Go" in home


# --- 7. the guides say how to measure, and whose devices count ------------------------


def test_the_phone_guide_says_how_to_measure_and_that_only_a_work_phone_counts(client, make):
    services.ensure_default_action_types()
    db.session.commit()
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get("/cleanup/guides").text)
    phone = re.search(r'id="guide-clean-phone"(.*?)</section>', page, re.S).group(1)
    assert (
        "Comment mesurer\u00a0: Notez l'espace utilisé dans Réglages › Stockage avant et "
        "après\u00a0: la différence donne les Go libérés. Seul un téléphone professionnel "
        "compte"
    ) in phone
    assert "Seuls les appareils et comptes professionnels comptent" in page
    for key in ("delete-mail", "empty-cloud", "remove-duplicates"):
        guide = re.search(rf'id="guide-{key}"(.*?)</section>', page, re.S).group(1)
        assert "Comment mesurer\u00a0:" in guide, key


# --- 8. "Correct" and "Delete" apart on a phone ---------------------------------------

BOX = "el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


@pytest.mark.browser
def test_correct_and_delete_stand_at_least_8_px_apart_on_a_phone(page, make, make_campaign):
    from tests.conftest import browser_sign_in

    campaign = _running(make_campaign)
    me = make.user()
    entry = services.log_action(me, campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    browser_sign_in(page, me)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    _left, _top, right, bottom = page.locator(f"#correct-{entry.id}").evaluate(BOX)
    left2, top2, _right2, _bottom2 = page.locator(f"#delete-{entry.id}").evaluate(BOX)
    # Side by side, or one under the other: the room between them either way.
    apart = left2 - right if top2 < bottom else top2 - bottom
    assert apart >= 8, apart
