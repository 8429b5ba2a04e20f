"""An organiser's campaign: points round down, the percent and
the end of a campaign are said the reader's way, one CO₂ figure per page, « Direction »
throughout, a corrected entry shows what it was, campaign messages link to the campaign,
and the calendar file makes calendar apps follow an extension."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, get_translations
from icalendar import Calendar

from app.cleanup import services
from app.cleanup.countdown import ends_when
from app.cleanup.integration import campaign_variables, goal_text
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from app.messaging.builtins import BUILTIN_TEMPLATES
from app.messaging.rendering import sandbox
from tests.conftest import login


def _campaign_with_points(make_campaign, key: str, points_per_unit: float):
    """A campaign running now where `key` scores `points_per_unit` (cap of 100 a day)."""
    now = utcnow()
    types = {t.key: t for t in services.ensure_default_action_types()}
    rules = [
        {"action_type_id": types[key].id, "points_per_unit": points_per_unit, "daily_cap": 100}
    ]
    return make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), rules=rules
    )


@pytest.mark.parametrize(("items", "points"), [(1, 2), (3, 7), (5, 12)])
def test_points_round_down_for_whole_items(make, make_campaign, items, points):
    """At 2.5 points an item, an entry scores its whole points: never more than its share."""
    campaign = _campaign_with_points(make_campaign, "unsubscribe", 2.5)
    entry = services.log_action(make.user(), campaign, "unsubscribe", items, utcnow())
    assert entry.points == points


def test_points_round_down_on_the_exact_product_of_gigabytes(make, make_campaign):
    """0.29 GB at 100 points per GB: the float product is a hair below 29, which is still 29."""
    campaign = _campaign_with_points(make_campaign, "delete-mail", 100)
    entry = services.log_action(make.user(), campaign, "delete-mail", 0.29, utcnow())
    assert entry.points == 29


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "38.8\u00a0GB of 100\u00a0GB (39%)"),
        ("fr", "38,8\u00a0Go sur 100\u00a0Go (39\u00a0%)"),
    ],
)
def test_the_goal_progress_writes_the_percent_the_readers_way(app, locale, expected):
    """The English results e-mail read "(39 %)", with the French space."""
    assert goal_text({"achieved": 38.8, "target": 100, "unit": "GB"}, locale) == expected


# 4 December 2026, 23:10 in Paris (22:10 UTC).
EVENING = datetime(2026, 12, 4, 22, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "ends_at", "expected"),
    [
        ("en", datetime(2026, 12, 4, 22, 22, tzinfo=UTC), "in less than an hour, at 23:22"),
        (
            "fr",
            datetime(2026, 12, 4, 22, 22, tzinfo=UTC),
            "dans moins d'une heure, à 23\u00a0h\u00a022",
        ),
    ],
)
def test_an_end_within_the_hour_is_said_so(app, language, ends_at, expected):
    """« 1 jour restant » at 23:10 for an end at 23:22."""
    assert _ends_when(ends_at, EVENING, language) == expected


def _ends_when(ends_at, now, language):
    with force_locale("fr" if language == "fr" else "en_GB"):
        return ends_when(ends_at, now, language, get_translations())


@pytest.mark.parametrize(
    ("now", "ends_at", "expected"),
    [
        # 09:00 in Paris, ending at 18:00 the same day.
        (datetime(2026, 3, 18, 8, 0, tzinfo=UTC), datetime(2026, 3, 18, 17, 0, tzinfo=UTC),
         "today at 18:00"),
        # 23:10, ending the next day at 09:00: ten hours, "tomorrow", not "today".
        (EVENING, datetime(2026, 12, 5, 8, 0, tzinfo=UTC), "tomorrow at 09:00"),
        # 00:30 in Paris (23:30 UTC the day before): the end at 18:00 is today.
        (datetime(2026, 12, 4, 23, 30, tzinfo=UTC), datetime(2026, 12, 5, 17, 0, tzinfo=UTC),
         "today at 18:00"),
        (EVENING, datetime(2026, 12, 9, 17, 0, tzinfo=UTC), "in 5 days, on 9 December 2026 at 18:00"),
    ],
)  # fmt: skip
def test_the_end_is_said_in_calendar_days_of_paris(app, now, ends_at, expected):
    assert _ends_when(ends_at, now, "en") == expected


def test_the_home_panel_says_a_campaign_ends_within_the_hour(client, make, make_campaign):
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(minutes=12))
    login(client, make.user(locale="en"))
    home = html.unescape(client.get("/").get_data(as_text=True))
    ends = re.search(r'data-testid="panel-ends">([^<]*)<', home).group(1)
    assert ends.startswith("ends in less than an hour, at ")
    assert "1 day left" not in home


def _campaign_message(make, make_campaign, key: str, language: str, ends_in: timedelta):
    """A running campaign ending in `ends_in`, and its built-in message `key` as one of
    its people reads it now: (campaign, text)."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + ends_in)
    user = make.user(locale=language)
    values = campaign_variables([user], now, {"campaign_id": campaign.id})[user.id]
    body = sandbox().from_string(BUILTIN_TEMPLATES[key][f"body_{language}"])
    return campaign, body.render(first_name="A", inbox_url="-", unsubscribe_url="-", **values)


def test_the_reminder_says_the_campaign_ends_within_the_hour(make, make_campaign):
    """The "one week left" message sent by hand 7 minutes before the end said "1 day"."""
    _campaign, text = _campaign_message(
        make, make_campaign, "campaign-reminder", "en", timedelta(minutes=7)
    )
    assert "There is still time to act in Clean-up: it ends in less than an hour, at " in text
    assert "1 day" not in text


def _closed_with_storage(make, make_campaign, starts_at, quantities):
    campaign = make_campaign(starts_at=starts_at, ends_at=starts_at + timedelta(days=3))
    for quantity in quantities:
        services.log_action(make.user(), campaign, "delete-mail", quantity, starts_at)
    return campaign


def test_the_results_page_writes_the_co2_estimate_once_the_same_way(client, make, make_campaign):
    """« Environ 0,39 kg CO₂e évités » above, « 0,4 kg CO₂e » in the comparison table."""
    now = utcnow()
    previous = _closed_with_storage(make, make_campaign, now - timedelta(days=20), [5])
    current = _closed_with_storage(make, make_campaign, now - timedelta(days=3), [9.7] * 4)
    current.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="fr"))
    client.get(f"/cleanup/campaigns/{previous.id}/results")  # frozen: the one compared with
    page = html.unescape(client.get(f"/cleanup/campaigns/{current.id}/results").text)
    assert "Environ 0,39\u00a0kg\u00a0CO₂e évités" in page
    row = re.search(r"CO₂ estimé</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == [
        "0,05\u00a0kg\u00a0CO₂e",
        "0,39\u00a0kg\u00a0CO₂e",
    ]


def test_the_french_results_page_heads_its_team_columns_direction(client, make, make_campaign):
    """Captioned « Directions par total de points », the column said « Service »."""
    now = utcnow()
    campaign = _closed_with_storage(make, make_campaign, now - timedelta(days=3), [2])
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").text
    assert page.count('<th scope="col">Direction</th>') == 2
    assert '<th scope="col">Service</th>' not in page


def test_a_re_flagged_correction_shows_what_the_organiser_accepted(client, make, make_campaign):
    """Accepted at 30 GB, corrected to 48: the queue showed only "48 GB … above the usual
    size", as if it were a new entry."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    types = {t.key: t for t in services.ensure_default_action_types()}
    types["delete-mail"].daily_cap = 100  # room for 48 GB in a day
    for rule in campaign.action_rules:
        rule.daily_cap = 100
    author, organiser = make.user(), make.user(roles=("organiser",), locale="en")
    entry = services.log_action(author, campaign, "delete-mail", 30, now)
    services.review_action(entry, organiser, True, "", now)
    services.correct_action(author, entry, 48, now + timedelta(minutes=5))
    db.session.commit()
    assert db.session.get(CleanupAction, entry.id).status == "flagged"
    login(client, organiser)
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/review").text)
    shown = re.search(r'data-testid="review-corrected">([^<]*)<', page).group(1)
    assert shown.startswith("Corrected from 30\u00a0GB (accepted) on ")


def test_correcting_an_accepted_entry_downward_keeps_it_counted(make, make_campaign):
    """Accepted at 11 GB, corrected to 10.5: flagged again, its 110 points went to 0 until
    the review, and a rejection then lost the 11 GB an organiser had accepted."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    author, organiser = make.user(), make.user(roles=("organiser",))
    entry = services.log_action(author, campaign, "delete-mail", 11, now)
    services.review_action(entry, organiser, True, "", now)
    services.correct_action(author, entry, "10.5", now + timedelta(minutes=5))
    db.session.commit()
    corrected = db.session.get(CleanupAction, entry.id)
    assert (corrected.status, corrected.quantity, corrected.points) == ("accepted", 10.5, 105)


def test_campaign_messages_link_to_the_campaign_and_its_results(app, make, make_campaign):
    """Only the review notices had `campaign_url`; the results message had no link."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    user = make.user(locale="en")
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    running = campaign_variables([user], now, {"campaign_id": campaign.id})[user.id]
    assert running["campaign_url"] == f"{base}/cleanup/campaigns/{campaign.id}"
    assert "results_url" not in running
    later = campaign.ends_at + timedelta(hours=1)
    closed = campaign_variables([user], later, {"campaign_id": campaign.id})[user.id]
    assert closed["results_url"] == f"{base}/cleanup/campaigns/{campaign.id}/results"
    results = sandbox().from_string(BUILTIN_TEMPLATES["campaign-results"]["body_en"])
    text = results.render(first_name="A", inbox_url="-", unsubscribe_url="-", **closed)
    assert f"All the results: {base}/cleanup/campaigns/{campaign.id}/results" in text
    launch = sandbox().from_string(BUILTIN_TEMPLATES["campaign-launch"]["body_fr"])
    text = launch.render(first_name="A", inbox_url="-", unsubscribe_url="-", **running)
    assert f"La page de la campagne\u00a0: {base}/cleanup/campaigns/{campaign.id}" in text


def test_the_template_editor_lists_the_campaign_links(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    page = html.unescape(client.get("/messaging/templates/new").text)
    assert "{{ campaign_url }}" in page and "{{ results_url }}" in page
    assert "Link to the campaign's results, once it has ended" in page
    # Every message may use them: not among those only the notices give.
    item = page.split("{{ campaign_url }}", 1)[1].split("</dd>", 1)[0]
    assert "Only in" not in item


def _event(client, campaign_id):
    ics = client.get(f"/cleanup/campaigns/{campaign_id}/calendar.ics").data
    return next(c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT")


def test_the_calendar_file_moves_its_sequence_when_the_campaign_is_extended(
    client, make, make_campaign
):
    """Without SEQUENCE, calendar apps kept the old end after an extension."""
    now = utcnow()
    organiser = make.user(roles=("organiser",))
    campaign = make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5)
    )
    login(client, make.user())
    before = _event(client, campaign.id)
    extended_at = now.replace(microsecond=0)
    services.extend_campaign(campaign, organiser, campaign.ends_at + timedelta(days=2), extended_at)
    db.session.commit()
    after = _event(client, campaign.id)
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["LAST-MODIFIED"].dt == extended_at
    assert after["DTSTAMP"].dt == extended_at
    assert after["DTEND"].dt == campaign.ends_at.replace(microsecond=0)


def test_the_calendar_file_stamps_an_unchanged_campaign_with_its_last_change(
    client, make, make_campaign
):
    """DTSTAMP was the time of the download: each download looked like a new version."""
    campaign = make_campaign()
    login(client, make.user())
    first, second = _event(client, campaign.id), _event(client, campaign.id)
    assert first["DTSTAMP"].dt == second["DTSTAMP"].dt == campaign.updated_at
    assert int(first["SEQUENCE"]) == 0


def test_the_last_48_hours_message_says_when_it_really_ends_and_links_to_the_campaign(
    app, make, make_campaign
):
    """Sent 15 minutes before the end it said « se termine dans 48 heures », and it was
    the one campaign message with no way in."""
    campaign, text = _campaign_message(
        make, make_campaign, "campaign-last-48h", "fr", timedelta(minutes=15)
    )
    assert "se termine dans moins d'une heure, à " in text
    assert "48 heures" not in text
    assert f"/cleanup/campaigns/{campaign.id}" in text


def test_a_message_and_the_campaign_page_give_a_goal_the_same_share(client, make, make_campaign):
    """0.5 GB of a 100 GB goal read "0%" on the page and « (1 %) » in the reminder; both
    now round a half up, as a person does (« 1 % »)."""
    from flask import render_template_string

    goal = {"achieved": 0.5, "target": 100, "unit": "GB"}
    with client.application.test_request_context(), force_locale("fr"):
        page = render_template_string(
            '{% from "cleanup/_macros.html" import goal_list %}{{ goal_list([goal]) }}', goal=goal
        )
    page_share = re.search(r'data-testid="goal-share">([^<·]*?)\s*<', page).group(1)
    assert page_share == "1\u00a0%"
    assert goal_text(goal, "fr").endswith(f"({page_share})")
