"""Clean-up pages through the client, with and without htmx."""

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.cleanup import queries, services
from app.cleanup.forms import to_local_naive
from app.cleanup.models import CleanupAction, CleanupActionType, CleanupCampaign
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from tests.cleanup.conftest import Participant, post_new_campaign
from tests.conftest import csrf_token, login


def running(make_campaign, **overrides):
    now = utcnow()
    return make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), **overrides
    )


def test_organiser_creates_a_draft(client, make):
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    page = client.get("/cleanup/campaigns/new")
    assert page.status_code == 200
    response = post_new_campaign(client, goal_gb="500")
    assert response.status_code == 302
    campaign = db.session.scalar(select(CleanupCampaign))
    assert campaign.published_at is None and campaign.starts_at.hour == 8  # 09:00 Paris


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-inf"])
def test_non_finite_numbers_are_refused_not_a_500(client, make, value):
    """Regression (issue 7, fuzzing): "sNaN" crashed NumberRange with a ValueError."""
    login(client, make.user(roles=("organiser",), locale="en"))
    client.get("/cleanup/campaigns/new")
    response = post_new_campaign(
        client,
        all_departments=None,
        goal_gb=value,
        **{"rules-0-points_per_unit": value, "rules-0-daily_cap": value},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Enter a number from 0.001 to 10,000." in page  # told the range, as any line is
    assert "Enter a number." not in page
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0


def test_out_of_range_numbers_of_the_campaign_form_are_told_in_french(client, make):
    """The action types' lines said "Number must be between 0 and 10000." in English, the
    goal "entre 0.001 et 1000000000" with numbers written the English way."""
    login(client, make.user(roles=("organiser",)))
    client.get("/cleanup/campaigns/new")
    response = post_new_campaign(
        client,
        all_departments=None,
        goal_gb="0",
        **{"rules-0-points_per_unit": "20000", "rules-0-daily_cap": "beaucoup"},
    )
    page = html.unescape(response.get_data(as_text=True)).replace("\u202f", " ")
    page = page.replace("\u00a0", " ")
    assert response.status_code == 422
    assert "Saisissez un nombre de 0,001 à 1 000 000 000." in page
    assert "Saisissez un nombre de 0,001 à 10 000." in page
    # Text that is no number is told the line's range too, once at its field (the
    # summary at the top repeats each field's message).
    at_fields = re.findall(r'<p class="error" id="[^"]+">([^<]*)</p>', page)
    assert at_fields.count("Saisissez un nombre de 0,001 à 100 000.") == 1
    assert "Saisissez un nombre." not in page
    assert "Number must be" not in page and "Not a valid" not in page
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0


def test_a_daily_cap_of_the_smallest_amount_is_accepted(client, make):
    """0,001 is the lowest cap the form names: the float 0.001 refused it as too small."""
    login(client, make.user(roles=("organiser",)))
    client.get("/cleanup/campaigns/new")
    response = post_new_campaign(client, goal_gb="0,001", **{"rules-0-daily_cap": "0,001"})
    assert response.status_code == 302


def test_the_log_form_names_units_in_the_readers_language(client, make, make_campaign):
    campaign = running(make_campaign)
    login(client, make.user())
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "des lettres d&#39;information (éléments)</option>" in page and "(items)" not in page


def test_english_readers_see_dates_day_first_on_a_24_hour_clock(client, make, make_campaign):
    """Staff in France reading English: "16 Mar 2026, 11:00", not "Mar 16, 2026, 11:00 AM"."""
    campaign = make_campaign()  # from 16 March 2026, 10:00 UTC (11:00 in Paris)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "From 16 Mar 2026, 11:00 to" in page
    # A time on a 12-hour clock ("11:00 AM"), not two letters of the CSRF token.
    assert not re.search(r"\d:\d\d\s?[AP]M", page) and "3/16/26" not in page
    assert '<html lang="en">' in page


def test_guides_and_the_campaign_form_name_units_in_the_readers_language(client, make):
    login(client, make.user(roles=("organiser",)))
    guides = client.get("/cleanup/guides").get_data(as_text=True)
    assert "<dd>éléments</dd>" in guides and "<dd>Go</dd>" in guides
    assert "<dd>items</dd>" not in guides and "<dd>GB</dd>" not in guides
    form = client.get("/cleanup/campaigns/new").get_data(as_text=True)
    assert "(appareils)</legend>" in form and "(devices)</legend>" not in form


def test_the_campaign_form_writes_its_numbers_the_readers_way(client, make):
    """A French organiser sees "10" and "0,5", the way they would type them back."""
    login(client, make.user(roles=("organiser",)))
    form = client.get("/cleanup/campaigns/new").get_data(as_text=True)
    points = re.findall(r'name="rules-\d+-points_per_unit"[^>]*value="([^"]*)"', form)
    assert points and "10" in points and not any("." in value for value in points)
    typed = client.post(
        "/cleanup/campaigns/new",
        data={"csrf_token": csrf_token(client), "name_fr": "", "rules-0-points_per_unit": "2,5"},
    ).get_data(as_text=True)
    assert re.search(r'name="rules-0-points_per_unit"[^>]*value="2,5"', typed)


def test_employees_cannot_create_campaigns(client, make):
    login(client, make.user())
    assert client.get("/cleanup/campaigns/new").status_code == 403


def test_log_with_htmx_returns_the_progress_partial(participant):
    response = participant.log("delete-mail", "2")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'data-testid="my-points">20<' in body
    # The collective goals come back as markup, not as escaped text.
    assert '<ul class="cleanup-goals">' in body and "&lt;h3&gt;" not in body


def test_the_daily_limit_message_writes_numbers_the_french_way(participant):
    def log(quantity):
        return participant.log("empty-cloud", quantity)

    assert log("49,5").status_code == 200
    refused = log("1")
    assert refused.status_code == 409
    assert "vous pouvez encore enregistrer 0,5\u00a0Go aujourd'hui." in html.unescape(
        refused.get_data(as_text=True)
    )


def test_the_daily_limit_message_says_the_limit_and_what_is_left_with_units(
    client, make, make_campaign
):
    """1000 GB at once: "over the limit of 20 GB", not "limit reached" with nothing logged."""
    campaign = running(make_campaign)
    participant = Participant(client, campaign, make.user(locale="en"))
    refused = participant.log("delete-mail", "1000")
    assert refused.status_code == 409
    text = html.unescape(refused.get_data(as_text=True))
    assert (
        "That would go over the daily limit of 20\u00a0GB for this action: "
        "you can still log 20\u00a0GB today." in text
    )
    assert participant.log("delete-mail", "20").status_code == 200
    text = html.unescape(participant.log("delete-mail", "1").get_data(as_text=True))
    assert "You have already reached the daily limit of 20\u00a0GB for this action today." in text


def test_correcting_an_earlier_days_entry_names_that_day_not_today(client, make, make_campaign):
    from babel.dates import format_date

    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=3))
    user = make.user(locale="en")
    earlier = services.log_action(user, campaign, "delete-mail", 5, now - timedelta(days=2))
    services.log_action(user, campaign, "delete-mail", 10, now - timedelta(days=2))
    db.session.commit()
    participant = Participant(client, campaign, user)
    text = html.unescape(participant.correct(earlier.id, "12").get_data(as_text=True))
    day = format_date(earlier.day, "d MMMM", locale="en_GB")
    assert (
        "That would go over the daily limit of 20\u00a0GB for this action: "
        f"this entry can hold at most 10\u00a0GB on {day}." in text
    )
    assert "today" not in text.split("daily limit", 1)[1].split("<", 1)[0]
    assert db.session.get(CleanupAction, earlier.id).quantity == 5


def test_counts_agree_with_their_number_in_both_languages(participant, make):
    """A count of one is singular: "1 élément", "4 éléments", "1 point"; a counted unit
    is held to its number (no-break space) as "0,1 Go" is."""
    participant.sign_in(make.user(locale="fr"))

    def log(action_type, quantity):
        return participant.log(action_type, quantity).get_data(as_text=True)

    assert "Enregistré\u00a0: 1 point." in log("delete-mail", "0,1")
    log("unsubscribe", "4")
    body = log("unsubscribe", "1")
    assert "Enregistré\u00a0: 2 points." in body
    assert ">1\u00a0élément</td>" in body and ">4\u00a0éléments</td>" in body
    assert ">0,1\u00a0Go</td>" in body
    participant.sign_in(make.user(locale="en"))
    assert ">1\u00a0item</td>" in log("unsubscribe", "1") and "Logged: 2 points." in log(
        "unsubscribe", "1"
    )


def test_after_a_log_the_form_keeps_the_action_and_empties_the_quantity(participant, make):
    """Ready for the next entry of the same kind, never for logging the same one twice;
    two people choosing different actions each get their own choice back."""
    for action_type, other in (("unsubscribe", "delete-mail"), ("delete-mail", "unsubscribe")):
        participant.sign_in(make.user())
        answer = participant.log(action_type, "4").get_data(as_text=True)
        quantity = re.search(r'<input[^>]*id="quantity"[^>]*>', answer).group(0)
        assert 'value=""' in quantity
        assert re.search(rf'<option selected value="{action_type}">', answer)
        assert not re.search(rf'<option selected value="{other}">', answer)


def test_the_home_panels_goals_follow_each_log_at_once(participant, make):
    """The panel's goal list is kept per score version: a log moves it on the next view."""
    participant.sign_in(make.user(locale="fr"))

    def home_goals():
        page = participant.client.get("/").get_data(as_text=True)
        goals = page.split('<ul class="cleanup-goals">', 1)[1].split("</ul>")[0]
        return re.sub(r"[ \t\n]+", " ", html.unescape(goals))

    assert "0 / 100\u00a0Go" in home_goals()
    for quantity, seen in (("2", "2 / 100\u00a0Go"), ("3", "5 / 100\u00a0Go")):
        participant.log("delete-mail", quantity)
        assert seen in home_goals()


def test_log_without_js_redirects_with_a_flash(participant):
    response = participant.log("delete-mail", "2", htmx=False)
    assert response.status_code == 302
    page = participant.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "20" in page and "<html" in page


def _log_form_of(page: str) -> dict:
    """The log form's refused field, its typed quantity and the one field with autofocus."""
    form = page.split('class="cleanup-log"', 1)[1].split("</form>", 1)[0]
    quantity = re.search(r'<input[^>]*id="quantity"[^>]*>', form).group(0)
    return {
        "form": form,
        "quantity": quantity,
        "autofocused": re.findall(r"<(?:input|select|textarea)\b[^>]*\bautofocus\b[^>]*>", page),
    }


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("quantity", "message", "status"),
    [
        ("-3", "supérieure à zéro", 422),
        ("25", "plafond journalier de 20\u00a0Go", 409),  # deleted mail: 20 GB a day at most
    ],
    ids=["bad-quantity", "daily-cap"],
)
def test_a_refused_entry_is_told_at_the_quantity_typed_value_kept(
    participant, make, htmx, quantity, message, status
):
    """With or without JavaScript: the message under the quantity, which keeps what was
    typed and takes the focus, the action still chosen; no redirect, nothing written."""
    participant.sign_in(make.user(locale="fr"))
    response = participant.log("delete-mail", quantity, htmx=htmx)
    assert response.status_code == status
    page = html.unescape(response.get_data(as_text=True))
    assert ("<html" in page) is not htmx  # the whole page without JavaScript
    log = _log_form_of(page)
    assert f'value="{quantity}"' in log["quantity"]
    assert 'aria-invalid="true"' in log["quantity"] and "quantity-error" in log["quantity"]
    error = re.search(r'<p class="error" id="quantity-error">([^<]*)</p>', log["form"]).group(1)
    assert message.lower() in error.lower()
    assert log["autofocused"] == [log["quantity"]]
    assert re.search(r'<option selected value="delete-mail">', log["form"])
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0


def test_an_unknown_action_without_js_is_told_at_the_action_field(participant, make):
    participant.sign_in(make.user(locale="en"))
    response = participant.log("no-such-action", "2", htmx=False)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and "<html" in page
    log = _log_form_of(page)
    assert 'value="2"' in log["quantity"]
    action = re.search(r'<select[^>]*id="action_type"[^>]*>', log["form"]).group(0)
    assert 'aria-invalid="true"' in action and log["autofocused"] == [action]
    assert re.search(r'<p class="error" id="action_type-error">[^<]+</p>', log["form"])
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0


def test_bad_quantity_answers_a_message_and_changes_nothing(participant):
    response = participant.log("delete-mail", "-3")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0


def test_a_thousand_written_with_a_point_in_french_is_asked_about_not_logged_as_one(
    participant,
):
    response = participant.log("delete-mail", "1.000")
    assert response.status_code == 422
    assert "écrivez 1\u202f000 pour un nombre entier" in html.unescape(
        response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0


def test_someone_elses_entry_is_404(participant, make):
    owner = make.user()
    action = services.log_action(owner, participant.campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    assert participant.delete(action.id).status_code == 404


def test_owner_corrects_then_deletes_entry(participant):
    action = services.log_action(participant.user, participant.campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    action_id = action.id
    answer = participant.correct(action_id, "3").get_data(as_text=True)
    assert db.session.get(CleanupAction, action_id).points == 30
    # The corrected entry shows 3; the log form below stays empty, not ready to log 3.
    log_quantity = re.search(r'<input[^>]*id="quantity"[^>]*>', answer).group(0)
    assert 'value="3"' in answer and 'value=""' in log_quantity
    participant.delete(action_id)
    assert db.session.get(CleanupAction, action_id) is None


def test_leaderboard_page_and_fragment(client, make, make_campaign, monkeypatch):
    # Every badge shown, whoever holds it (test_rare_badges_hidden_on_the_board.py).
    monkeypatch.setitem(client.application.config, "LEADERBOARD_MIN_BADGE_HOLDERS", 1)
    campaign = running(make_campaign)
    services.log_action(make.user(display_name="Zoé Durand"), campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, make.user())
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=per_head"
    assert "<html" in client.get(url).get_data(as_text=True)
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<table" in fragment
    # The tabs come along out of band: the current one follows the table shown.
    tabs = re.search(r'<nav id="leaderboard-tabs"[^>]*hx-swap-oob="true".*?</nav>', fragment, re.S)
    assert tabs, fragment
    current = re.findall(r'id="tab-([a-z_-]+)"[^>]*aria-current="page"', tabs.group(0))
    assert current == ["departments-per_head"]
    people = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(as_text=True)
    assert "First step" in people or "Premier pas" in people


def test_results_freeze_on_first_read_and_export(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    services.log_action(make.user(), campaign, "delete-mail", 2, now)
    campaign.ends_at = now - timedelta(minutes=1)  # the clock moved past the end
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    assert client.get(f"/cleanup/campaigns/{campaign.id}/results").status_code == 200
    assert db.session.get(CleanupCampaign, campaign.id).frozen_at is not None
    csv_body = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    assert csv_body.startswith("\ufeffNiveau;Code;Nom;Rang") and "@" not in csv_body
    assert client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json").status_code == 200
    # The snapshot is read by the results pages only, not with every page showing the campaign.
    campaign_id = campaign.id
    db.session.expunge_all()
    shown = queries.get_campaign(campaign_id)
    assert shown.frozen_at is not None and "results_json" not in shown.__dict__
    assert queries.frozen_results(shown)["participants"] == 1


def test_results_spreadsheet_opens_in_the_organisers_language(client, make, make_campaign):
    """French Excel reads UTF-8 only after a byte order mark, splits cells on semicolons
    and reads a decimal comma; an English reader gets commas and decimal points."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    team = make.department(name_fr="Direction du numérique", name_en="Digital department")
    for _person in range(2):
        services.log_action(make.user(department=team), campaign, "delete-mail", 3, now)
    services.log_action(make.user(department=team), campaign, "delete-mail", 2, now)
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    url = f"/cleanup/campaigns/{campaign.id}/results.csv"

    response = client.get(url)
    assert (
        f"filename=campagne-{campaign.id}-resultats.csv" in response.headers["Content-Disposition"]
    )
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Niveau", "Code", "Nom", "Rang", "Participants", "Points",
                       "Points par participant", "Rang par participant", "Effectif concerné",
                       "Personnes", "Saisies", "Quantité",
                       "Unité", "Objectif visé", "Part de l'objectif (%)", "Remarque"]  # fmt: skip
    mine = next(row for row in rows if row[2] == "Direction du numérique")
    assert mine[0] == "Direction" and "," in mine[6] and "." not in mine[6]

    organiser.locale = "en"
    db.session.commit()
    rows = list(csv.reader(io.StringIO(client.get(url).get_data(as_text=True)[1:])))
    assert rows[0][:3] == ["Level", "Code", "Name"]
    mine = next(row for row in rows if row[2] == "Digital department")
    assert mine[0] == "Department" and "." in mine[6]


def test_calendar_file(client, make, make_campaign):
    campaign = running(make_campaign)
    login(client, make.user())
    response = client.get(f"/cleanup/campaigns/{campaign.id}/calendar.ics")
    assert response.mimetype == "text/calendar" and b"BEGIN:VEVENT" in response.data


def test_drafts_are_hidden_from_employees(client, make, make_campaign):
    draft = make_campaign(publish=False)
    login(client, make.user())
    assert client.get(f"/cleanup/campaigns/{draft.id}").status_code == 404


def test_organiser_reviews_a_flagged_entry_through_the_pages(client, make, make_campaign):
    """The review page and the decision render (a legacy-choices warning made them 500)."""
    campaign = running(make_campaign)
    author = make.user()
    action = services.log_action(author, campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    assert action.status == "flagged"
    login(client, make.user(roles=("organiser",)))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/review")
    assert page.status_code == 200 and 'value="reject"' in page.get_data(as_text=True)
    # Stored as an English key, read in the organiser's language.
    assert action.flag_reason == "above the usual size of one entry"
    assert "au-dessus de la taille habituelle d&#39;une saisie" in page.get_data(as_text=True)
    response = client.post(
        f"/cleanup/actions/{action.id}/review",
        data={"csrf_token": csrf_token(client), "decision": "reject", "reason": "Duplicate"},
    )
    assert response.status_code == 302
    assert db.session.get(CleanupAction, action.id).status == "rejected"


def test_an_organiser_decides_in_place_entry_after_entry(client, make, make_campaign):
    """Through htmx each decision answers with the entry's block, not the whole queue."""
    campaign = running(make_campaign)
    first, second = (
        services.log_action(make.user(), campaign, "delete-mail", 15, utcnow()) for _ in range(2)
    )
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    token = csrf_token(client)
    hx = {"HX-Request": "true"}

    unanswered = client.post(
        f"/cleanup/actions/{first.id}/review", data={"csrf_token": token}, headers=hx
    )
    block = unanswered.get_data(as_text=True)
    assert unanswered.status_code == 422 and "<html" not in block
    assert '<p class="flash flash-error" data-announce>Choisissez accepter ou refuser.</p>' in block
    assert f'hx-post="/cleanup/actions/{first.id}/review"' in block  # the form, to answer

    accepted = client.post(
        f"/cleanup/actions/{first.id}/review",
        data={"csrf_token": token, "decision": "accept"},
        headers=hx,
    ).get_data(as_text=True)
    # The entry's block in the queue, then (out of band) the latest decisions, where the
    # decision can be changed.
    accepted, latest = accepted.split('<div id="review-latest" hx-swap-oob="true">')
    assert (
        "Acceptée\u00a0: la saisie compte désormais, et la personne reçoit un message." in accepted
        and "<form" not in accepted
    )
    assert f'hx-post="/cleanup/actions/{first.id}/review"' in latest
    rejected = client.post(
        f"/cleanup/actions/{second.id}/review",
        data={"csrf_token": token, "decision": "reject", "reason": "Doublon"},
        headers=hx,
    ).get_data(as_text=True)
    assert "Refusée\u00a0: la personne reçoit un message avec votre motif." in rejected
    statuses = {
        a.id: (a.status, a.review_reason) for a in db.session.scalars(select(CleanupAction))
    }
    assert statuses == {first.id: ("accepted", ""), second.id: ("rejected", "Doublon")}


def test_the_review_reason_is_a_text_area_where_enter_cannot_accept(client, make, make_campaign):
    """Enter in a one-line input submitted the form with its first button: "Accept"."""
    campaign = running(make_campaign)
    services.log_action(make.user(), campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/review").get_data(as_text=True)
    assert re.search(r'<textarea id="reason-\d+" name="reason"', page)
    assert '<input id="reason-' not in page


@pytest.mark.parametrize("headers", [{"HX-Request": "true"}, {}], ids=["htmx", "page"])
def test_a_refusal_without_a_reason_is_told_at_the_reason_field(
    client, make, make_campaign, headers
):
    """The error is tied to the field (aria-invalid, aria-describedby), which takes the
    focus and keeps what was typed; the entry stays flagged. Through htmx the entry's
    block; without, the queue again."""
    campaign = running(make_campaign)
    action = services.log_action(make.user(), campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    response = client.post(
        f"/cleanup/actions/{action.id}/review",
        data={"csrf_token": csrf_token(client), "decision": "reject", "reason": "  "},
        headers=headers,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and ("<html" in body) == (not headers)
    field = f"reason-{action.id}"
    assert (
        f'<textarea id="{field}" name="reason" maxlength="500" rows="2" aria-invalid="true"'
        f' aria-describedby="{field}-error review-{action.id} review-{action.id}-who"'
        " autofocus></textarea>"
    ) in body  # spaces alone are no reason: nothing typed is given back
    assert f'<p class="error" id="{field}-error">Indiquez un motif à la personne.</p>' in body
    assert db.session.get(CleanupAction, action.id).status == "flagged"


def test_a_reason_too_long_is_told_at_the_field_and_kept(client, make, make_campaign):
    """A reason past 500 characters (the browser stops at 500) was told "Choose accept
    or reject": now the field says what is wrong and keeps the text."""
    campaign = running(make_campaign)
    action = services.log_action(make.user(), campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    response = client.post(
        f"/cleanup/actions/{action.id}/review",
        data={"csrf_token": csrf_token(client), "decision": "reject", "reason": "x" * 501},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and f"autofocus>{'x' * 501}</textarea>" in body
    assert "Le champ ne peut pas contenir plus de 500 caractères." in body
    assert "Choisissez accepter ou refuser." not in body
    assert db.session.get(CleanupAction, action.id).status == "flagged"


def test_a_reason_of_500_characters_with_line_breaks_is_accepted(client, make, make_campaign):
    """The browser counts a line break as one character and sends it as two (CRLF):
    a reason it let through was refused as too long."""
    campaign = running(make_campaign)
    action = services.log_action(make.user(), campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    reason = "\r\n".join(["x" * 19] * 25)  # 475 characters and 24 line breaks
    client.post(
        f"/cleanup/actions/{action.id}/review",
        data={"csrf_token": csrf_token(client), "decision": "reject", "reason": reason},
    )
    rejected = db.session.get(CleanupAction, action.id)
    assert rejected.status == "rejected" and rejected.review_reason == reason.replace("\r", "")


def _extend(client, campaign, ends_at: str):
    return client.post(
        f"/cleanup/campaigns/{campaign.id}/extend",
        data={"csrf_token": csrf_token(client), "ends_at": ends_at},
    )


@pytest.mark.parametrize(
    ("ends_at", "message"),
    [
        ("9999-12-31T23:59", "Une prolongation ajoute au plus 90\u00a0jours"),
        ("2001-01-01T10:00", "La nouvelle fin doit être postérieure à la fin actuelle."),
        ("demain", "Saisissez une date et une heure valides."),
    ],
    ids=["year-9999", "earlier", "not-a-date"],
)
def test_an_end_refused_is_told_at_its_field_and_changes_nothing(
    client, make, make_campaign, ends_at, message
):
    """The campaign page again (422), the message tied to the "New end" field, which
    takes the focus; the end, the audit log and the reminders are as they were."""
    campaign = running(make_campaign)
    end = campaign.ends_at
    login(client, make.user(roles=("organiser",)))
    response = _extend(client, campaign, ends_at)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    field = re.search(r"<input[^>]*name=\"ends_at\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in field and "autofocus" in field
    assert 'aria-describedby="ends_at-error ends_at-hint"' in field
    assert (
        re.search(r'<p class="error" id="ends_at-error">([^<]*)</p>', page)
        .group(1)
        .startswith(message)
    )
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).ends_at == end
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "extend"))


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "Campaign extended to {weekday}, {day} {month} {year} at 18:00."),
        ("fr", "Campagne prolongée jusqu'au {weekday} {day} {month} {year} à 18\u00a0h."),
    ],
)
def test_the_extension_says_the_new_end_in_full_in_the_readers_language(
    client, make, make_campaign, locale, said
):
    """ "Campaign extended." did not say until when: the day, date and Paris time typed."""
    from babel.dates import format_date

    campaign = running(make_campaign)
    login(client, make.user(roles=("organiser",), locale=locale))
    new_end = (to_local_naive(campaign.ends_at) + timedelta(days=10)).replace(hour=18, minute=0)
    response = _extend(client, campaign, f"{new_end:%Y-%m-%dT%H:%M}")
    assert response.status_code == 302
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    babel_locale = "en_GB" if locale == "en" else "fr"
    expected = said.format(
        weekday=format_date(new_end, "EEEE", locale=babel_locale),
        day=new_end.day,
        month=format_date(new_end, "MMMM", locale=babel_locale),
        year=new_end.year,
    )
    assert expected in page


def test_extending_through_the_page_moves_the_last_48_hours_message(client, make, make_campaign):
    """The organiser's "Extend": the "Last 48 hours" message, not sent yet, follows the
    new end (it went out two days before the old one)."""
    campaign = running(make_campaign)
    login(client, make.user(roles=("organiser",)))
    old_end = campaign.ends_at
    ends_at = to_local_naive(old_end + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = _extend(client, campaign, ends_at)
    assert response.status_code == 302
    db.session.expire_all()
    new_end = db.session.get(CleanupCampaign, campaign.id).ends_at
    assert new_end - old_end > timedelta(days=9, hours=23)
    due = db.session.scalar(
        select(Dispatch.due_at).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:last-48h")
    )
    assert due == new_end - timedelta(hours=48)


def _to_do(client) -> str:
    """The home page's "To do" panel, as text ("" when the panel is not shown)."""
    page = client.get("/").get_data(as_text=True).replace("&#39;", "'")
    if "À faire</h2>" not in page:
        return ""
    return page.split("À faire</h2>", 1)[1].split("</section>", 1)[0]


def test_an_organisers_home_lists_the_entries_to_review_and_the_drafts(client, make, make_campaign):
    campaign = running(make_campaign, name_fr="Grand ménage")
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    assert "Rien ne vous attend pour l'instant." in _to_do(client)

    for author in (make.user(), make.user()):
        services.log_action(author, campaign, "delete-mail", 15, utcnow())
    make_campaign(publish=False, name_fr="Ménage d'été")
    db.session.commit()
    panel = _to_do(client)
    assert "2 saisies à examiner dans «\u00a0Grand ménage\u00a0»" in panel
    assert f'href="/cleanup/campaigns/{campaign.id}/review"' in panel
    assert "1 campagne en brouillon, pas encore publiée" in panel
    campaign_page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Examiner les saisies signalées (2)</a>" in campaign_page

    for action in db.session.scalars(select(CleanupAction)):
        services.review_action(action, organiser, True, "", utcnow())
    db.session.commit()
    assert "à vérifier" not in _to_do(client)
    login(client, make.user())
    assert _to_do(client) == ""  # an employee has no "To do" panel


def test_campaign_page_lists_my_latest_entries_and_links_to_all(client, make, make_campaign):
    campaign = running(make_campaign)
    person = make.user()
    now = utcnow()
    for minutes in range(7):
        services.log_action(person, campaign, "delete-mail", 1, now - timedelta(minutes=minutes))
    db.session.commit()
    login(client, person)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert page.count('name="quantity" value=') == 5
    assert "entries=all" in page
    everything = client.get(f"/cleanup/campaigns/{campaign.id}?entries=all").get_data(as_text=True)
    assert everything.count('name="quantity" value=') == 7


def test_choosing_to_show_ones_name_updates_the_cached_leaderboard(
    client, auth, make, make_campaign, now
):
    """The leaderboard table is a cached fragment: it follows the people it names."""
    campaign = make_campaign()
    person = make.user(display_name="Ada Lovelace", locale="en")
    services.log_action(person, campaign, "delete-mail", 2, now)
    db.session.commit()
    login(client, person)
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    before = client.get(board).get_data(as_text=True)
    pseudonym = person.pseudonym
    assert pseudonym in before and "Ada Lovelace" not in before

    response = auth.post(
        "/auth/profile/preferences", {"locale": "en", "visibility": "name", "email_opt_in": ""}
    )
    assert response.status_code == 302

    after = client.get(board).get_data(as_text=True)
    assert "Ada Lovelace" in after and pseudonym not in after


def test_log_form_fields_follow_the_language_and_show_a_refused_entry(participant):
    """The empty fields of a page view are shared; a refused entry's are its own."""
    french = participant.page("?lang=fr")
    assert 'id="action_type"' in french and "avez-vous fait" in french
    participant.client.get("/?lang=en")
    english = participant.page("?lang=en")
    assert "What did you do" in english and "avez-vous fait" not in english

    refused = participant.log("delete-mail", "-3").get_data(as_text=True)
    assert 'value="-3"' in refused and "must be more than zero" in refused
    again = participant.page()
    assert 'id="quantity"' in again and 'value="-3"' not in again


def test_rules_edited_before_publication_are_the_ones_a_log_counts(client, make, make_campaign):
    """A campaign's rules are kept per process: a page viewed before the organiser
    changed them must not leave the old points, or a dropped type, for the first logs."""
    organiser = make.user(roles=("organiser",), locale="en")
    now = utcnow()
    campaign = running(make_campaign, organiser=organiser, publish=False)
    login(client, organiser)
    # The draft's page builds its log form (hidden until it runs): the rules are read.
    assert client.get(f"/cleanup/campaigns/{campaign.id}").status_code == 200
    mail = db.session.scalar(
        select(CleanupActionType).where(CleanupActionType.key == "delete-mail")
    )
    edited = client.post(
        f"/cleanup/campaigns/{campaign.id}/edit",
        data={
            "csrf_token": csrf_token(client),
            "name_fr": "Nettoyage",
            "name_en": "Clean-up",
            "starts_at": to_local_naive(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": to_local_naive(now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "all_departments": "y",
            "rules-0-action_type_id": str(mail.id),
            "rules-0-enabled": "y",
            "rules-0-points_per_unit": "7",
            "rules-0-daily_cap": "100",
        },
    )
    assert edited.status_code == 302
    token = csrf_token(client)
    assert client.post(f"/cleanup/campaigns/{campaign.id}/publish", data={"csrf_token": token})
    after = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'value="delete-mail"' in after and 'value="unsubscribe"' not in after

    def log(key: str):
        return client.post(
            f"/cleanup/campaigns/{campaign.id}/actions",
            data={"csrf_token": token, "action_type": key, "quantity": "2"},
            headers={"HX-Request": "true"},
        )

    counted = log("delete-mail")
    assert counted.status_code == 200
    assert 'data-testid="my-points">14<' in counted.get_data(as_text=True)  # 2 × 7, not 2 × 10
    dropped = log("unsubscribe")
    assert dropped.status_code == 422
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 1


def test_show_my_place_opens_the_page_that_lists_me_with_my_row_marked(
    client, make, make_campaign, now
):
    """Among 90 people, the one 60th by points is on page 2; a hidden person above them
    takes a rank but no line, which moves them up one line."""
    campaign = make_campaign()
    people = [make.user(locale="en") for _ in range(90)]
    for n, person in enumerate(people, start=1):  # n points: the last one scores most
        services.log_action(person, campaign, "delete-mail", round(n * 0.1, 1), now)
    db.session.commit()
    hidden, me = people[-3], people[-60]
    hidden.leaderboard_visibility = "hidden"
    db.session.commit()
    login(client, me)
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    page = client.get(board).get_data(as_text=True)
    assert f'href="{board}?me=1#my-row"' in page and "Show my place" in page
    assert 'id="my-row"' not in page  # an ordinary page marks nobody
    campaign_page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="{board}?me=1#my-row"' in campaign_page  # next to "Rank: 60 / 90"

    mine = client.get(f"{board}?me=1").get_data(as_text=True)
    row = re.search(r'<tr id="my-row"[^>]*aria-current="true">.*?</tr>', mine, re.S)
    assert row and me.pseudonym in row.group(0) and "(you)" in row.group(0)
    assert "<td>60</td>" in row.group(0)  # its rank counts the hidden person
    assert "Page 2 of 2" in mine
    rows = re.findall(r"<tr[ >]", mine.split("<tbody>", 1)[1])
    assert rows.index(row.group(0)[:4]) == 8  # line 59 of the listing: the 9th of page 2

    # The same page for someone else marks nobody.
    other = client.application.test_client()
    login(other, people[0])
    assert 'id="my-row"' not in other.get(f"{board}?page=2").get_data(as_text=True)


def test_a_hidden_person_or_one_with_no_points_is_listed_nowhere(client, make, make_campaign, now):
    campaign = make_campaign()
    hidden = make.user(locale="en", leaderboard_visibility="hidden")
    services.log_action(hidden, campaign, "delete-mail", 1, now)
    services.log_action(make.user(), campaign, "delete-mail", 2, now)
    db.session.commit()
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    for person in (hidden, make.user(locale="en")):
        login(client, person)
        page = client.get(board).get_data(as_text=True)
        assert "Show my place" not in page
        campaign_page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
        assert "Show my place" not in campaign_page
        asked = client.get(f"{board}?me=1")
        assert asked.status_code == 200 and 'id="my-row"' not in asked.get_data(as_text=True)


def test_team_rankings_say_where_ones_department_and_commune_stand(
    client, make, make_campaign, now
):
    """52 departments: the reader's, last, is on page 2; page 1 says so and links to it."""
    campaign = make_campaign()
    departments = [make.department() for _ in range(52)]
    for n, department in enumerate(departments):  # the first department scores most
        person = make.user(department=department)
        services.log_action(person, campaign, "delete-mail", round(9 - n * 0.1, 1), now)
    db.session.commit()
    mine = departments[-1]
    reader = make.user(department=mine, locale="en")
    login(client, reader)
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=total"
    first = client.get(board).get_data(as_text=True)
    assert f"Your department, {mine.name_en}, ranks 52 of 52." in first
    assert 'id="my-row"' not in first
    assert f'href="{board.replace("&", "&amp;")}&amp;page=2#my-row">Show it</a>' in first

    second = client.get(board + "&page=2").get_data(as_text=True)
    row = re.search(r'<tr id="my-row"[^>]*aria-current="true">.*?</tr>', second, re.S)
    assert row and mine.name_en in row.group(0) and "(your department)" in row.group(0)
    assert "Show it" not in second  # it is on this page

    communes = client.get(board.replace("departments", "communes")).get_data(as_text=True)
    assert f"Your commune, {mine.commune.name}, ranks 52 of 52." in communes
    # Someone of another department sees their own, and no mark on that page.
    other = client.application.test_client()
    login(other, make.user(department=departments[0], locale="en"))
    theirs = other.get(board + "&page=2").get_data(as_text=True)
    assert f"Your department, {departments[0].name_en}, ranks 1 of 52." in theirs
    assert 'id="my-row"' not in theirs


def test_a_department_with_no_counted_entry_is_said_nowhere(client, make, make_campaign, now):
    campaign = make_campaign()
    services.log_action(make.user(), campaign, "delete-mail", 1, now)
    db.session.commit()
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments")
    assert page.status_code == 200 and "Your department" not in page.get_data(as_text=True)


def test_the_home_panel_links_to_my_place_unless_i_am_hidden(client, make, make_campaign):
    campaign = running(make_campaign)
    person = make.user(locale="en")
    services.log_action(person, campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, person)
    link = f'href="/cleanup/campaigns/{campaign.id}/leaderboard?me=1#my-row"'
    assert link in client.get("/").get_data(as_text=True)
    person.leaderboard_visibility = "hidden"
    db.session.commit()
    assert link not in client.get("/").get_data(as_text=True)


def test_the_home_panel_shows_every_running_campaign_of_mine_soonest_end_first(
    client, make, make_campaign
):
    """Two campaigns ran at once and the home page showed only one: each now has its
    line (days left, my points and rank, or a call to take part), the soonest end first;
    a campaign of another department is not there."""
    now = utcnow()
    mine, other = make.department(), make.department()
    later = make_campaign(
        name_en="Spring clean", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=9)
    )
    sooner = make_campaign(
        name_en="Mail week", starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=3)
    )
    make_campaign(
        name_en="Not ours",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        all_departments=False,
        department_ids=[other.id],
    )
    person = make.user(department=mine, locale="en")
    services.log_action(person, later, "delete-mail", 2, now)
    db.session.commit()
    login(client, person)
    home = html.unescape(client.get("/").get_data(as_text=True))
    panel = home.split('<ul class="cleanup-panel-campaigns">', 1)[1].split("</ul>", 1)[0]
    lines = re.findall(r"<li>(.*?)</li>", panel, re.S)
    assert [re.search(r'">([^<]+)</a>', line).group(1) for line in lines] == [
        "Mail week",
        "Spring clean",
    ]
    assert "Not ours" not in home
    first, second = (re.sub(r"\s+", " ", line) for line in lines)
    assert "ends in 3 days, on" in first and "ends in 9 days, on" in second
    take_part = f'href="/cleanup/campaigns/{sooner.id}#log-action"'  # the log form
    assert take_part in first and "No points yet: log an action" in first
    assert "My points: 20" in second and "My rank: 1" in second
    assert f'href="/cleanup/campaigns/{later.id}/leaderboard?me=1#my-row"' in second
    assert '<ul class="cleanup-goals">' not in home  # several campaigns: kept light


def _guide_form(**changes):
    values = {
        "name_fr": "Supprimer les vieux e-mails",
        "name_en": "Delete old e-mails",
        "guide_fr": "Triez par taille, puis videz la corbeille.",
        "guide_en": "Sort by size, then empty the bin.",
        "points_per_unit": "12",
        "daily_cap": "15",
        "flag_above": "4,5",  # as a French organiser types it
        "max_quantity": "500",
        "kg_co2e_per_unit": "0,01",
        "kg_co2e_low": "0,001",
        "kg_co2e_high": "0,1",
        "factor_source": "ADEME Base Empreinte 2025",
        "caveat_fr": "Une estimation.",
        "caveat_en": "An estimate.",
    }
    return {**values, **changes}


def test_an_organiser_edits_a_guide_and_the_next_entry_follows_it(
    client, auth, make, make_campaign
):
    campaign = running(make_campaign)
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    guides = client.get("/cleanup/guides").get_data(as_text=True)
    assert 'href="/cleanup/guides/delete-mail/edit"' in guides
    form = client.get("/cleanup/guides/delete-mail/edit").get_data(as_text=True)
    assert "Modifier le guide" in form and 'value="20"' in form  # today's daily cap
    response = auth.post("/cleanup/guides/delete-mail/edit", _guide_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/cleanup/guides#guide-delete-mail")
    guides = client.get("/cleanup/guides").get_data(as_text=True)
    assert "Triez par taille, puis videz la corbeille." in guides
    assert "ADEME Base Empreinte 2025" in guides
    reader = client.application.test_client()
    login(reader, make.user(locale="en"))
    english = reader.get("/cleanup/guides").get_data(as_text=True)
    assert "Delete old e-mails" in english and "Sort by size, then empty the bin." in english
    assert "/edit" not in english  # an employee reads the guides, never edits them
    saved = db.session.scalar(select(CleanupActionType).filter_by(key="delete-mail"))
    assert (saved.flag_above, saved.kg_co2e_per_unit, saved.points_per_unit) == (4.5, 0.01, 12)
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == "cleanup_action_type")
    )
    assert (audit.action, audit.object_id) == ("update", "delete-mail")
    # The new review threshold applies to the next entry; the campaign keeps its points.
    entry = services.log_action(make.user(), campaign, "delete-mail", 5, utcnow())
    assert entry.status == "flagged" and entry.points == 50


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"flag_above": "600"}, "Le seuil d'examen ne peut pas dépasser"),
        ({"kg_co2e_per_unit": "0,5"}, "L'estimation doit se situer entre"),
        ({"factor_source": ""}, "Donnez la source du facteur"),
        ({"kg_co2e_per_unit": "", "kg_co2e_low": "0,1"}, "Donnez l'estimation elle-même"),
        ({"daily_cap": "-1"}, "Saisissez un nombre de 0,001 à 100"),
        ({"name_fr": ""}, "Ce champ est obligatoire"),
    ],
)
def test_a_guide_that_does_not_hold_together_is_refused_and_nothing_changes(
    client, auth, make, changes, message
):
    login(client, make.user(roles=("organiser",)))
    client.get("/cleanup/guides")  # the default action types
    before = db.session.scalar(select(CleanupActionType).filter_by(key="delete-mail"))
    kept = (before.name_fr, before.flag_above, before.kg_co2e_per_unit, before.daily_cap)
    response = auth.post("/cleanup/guides/delete-mail/edit", _guide_form(**changes))
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    after = db.session.scalar(select(CleanupActionType).filter_by(key="delete-mail"))
    assert (after.name_fr, after.flag_above, after.kg_co2e_per_unit, after.daily_cap) == kept


def test_employees_cannot_edit_a_guide_and_unknown_guides_are_404(client, make):
    login(client, make.user())
    assert "/edit" not in client.get("/cleanup/guides").get_data(as_text=True)
    assert client.get("/cleanup/guides/delete-mail/edit").status_code == 403
    login(client, make.user(roles=("organiser",)))
    assert client.get("/cleanup/guides/no-such-thing/edit").status_code == 404


def test_my_progress_shows_my_departments_rank_and_a_log_moves_it(participant, make):
    leading, mine = make.department(), make.department()
    campaign = participant.campaign
    services.log_action(make.user(department=leading), campaign, "delete-mail", 3, utcnow())
    db.session.commit()
    participant.sign_in(make.user(department=mine, locale="en"))
    page = participant.page()
    assert "my-team-rank" not in page  # no counted entry yet
    fragment = participant.log("delete-mail", "1").get_data(as_text=True)
    assert re.search(r'data-testid="my-team-rank">2nd of 2<', fragment)
    fragment = participant.log("delete-mail", "5").get_data(as_text=True)
    assert re.search(r'data-testid="my-team-rank">1st of 2<', fragment)  # 60 points against 30


def test_the_home_panel_says_how_the_person_appears_on_leaderboards(client, make, make_campaign):
    """Privacy in view where people look at their points: the pseudonym, the name or
    hidden, with the way to change it."""
    running(make_campaign)
    expected = {
        "pseudonym": "Dans les classements, vous apparaissez sous le pseudonyme {pseudonym}.",
        "name": "Dans les classements, vous apparaissez sous votre nom.",
        "hidden": "Vous n'apparaissez pas dans les classements\u00a0; vos points comptent toujours",
    }
    for visibility, sentence in expected.items():
        person = make.user(leaderboard_visibility=visibility)
        login(client, person)
        home = html.unescape(client.get("/").get_data(as_text=True))
        assert sentence.format(pseudonym=person.pseudonym) in home
        assert 'href="/auth/profile#prefs-title">Changer mon affichage</a>' in home


def test_the_guides_give_the_built_in_source_in_the_readers_language(client, make):
    login(client, make.user(locale="fr"))
    french = html.unescape(client.get("/cleanup/guides").get_data(as_text=True))
    assert "fourchette d'après Aslan et al. (2018)" in french
    assert "range from" not in french and "disclosures" not in french
    login(client, make.user(locale="en"))
    english = html.unescape(client.get("/cleanup/guides").get_data(as_text=True))
    assert "range from Aslan et al. (2018) and cloud providers' disclosures" in english


def test_a_board_ordered_per_head_shows_that_column_right_after_the_name(
    client, make, make_campaign
):
    """On a phone the last columns are out of view: the visible "Points" made the order
    look wrong."""
    campaign = running(make_campaign)
    services.log_action(make.user(), campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, make.user())
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments"

    def headers(url):
        head = re.search(r"<thead[^>]*>(.*?)</thead>", client.get(url).get_data(as_text=True), re.S)
        head = head.group(1)
        return re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', head)

    assert headers(board + "&order=per_head")[:3] == ["Rang", "Nom", "Points par participant"]
    assert headers(board + "&order=total")[:3] == ["Rang", "Nom", "Points"]


def test_a_page_past_the_end_of_a_leaderboard_shows_the_last_page(client, make, make_campaign):
    campaign = running(make_campaign)
    for _ in range(queries.PER_PAGE + 1):
        services.log_action(make.user(), campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, make.user())
    for scope in ("individuals", "departments"):
        url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope={scope}&page=99999"
        page = html.unescape(client.get(url).get_data(as_text=True)).replace("\u202f", " ")
        assert "Aucune action comptée" not in page and "99 999" not in page
        assert "Page 2 sur 2" in page


def test_a_draft_says_0_participant_0_point_in_french(client, make, make_campaign):
    campaign = make_campaign(publish=False)
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}?lang=fr").get_data(as_text=True)
    assert "<p>0 participant, 0 point</p>" in page


def _hint(page: str) -> str:
    """The hint's first sentence, the unit's, as a page with scripts shows it (portal.js
    reveals [data-script-only]); the smallest entry that scores follows it."""
    hint = re.search(r'<p class="hint" id="quantity-hint">(.*?)</p>', page).group(1)
    shown = re.search(r"<span data-script-only hidden>([^<]*)</span>", hint).group(1)
    return re.match(r"[^.]*\.", html.unescape(shown)).group(0)


def test_the_quantitys_hint_names_the_unit_of_the_chosen_action(participant, make):
    """The hint said "(Go, lettres d'information…)", a unit no choice showed: it names
    the one of the type chosen, as its choice does, in the reader's language."""
    page = participant.page()
    assert _hint(page) == "Unité de l'action choisie\u00a0: Go (gigaoctets)."  # the first choice's
    assert "(Go, lettres d&#39;information…)" not in page
    assert ">Se désabonner des lettres d&#39;information (éléments)</option>" in page
    # A refused entry and the form after a log keep the type, and its unit.
    refused = participant.log("unsubscribe", "beaucoup").get_data(as_text=True)
    assert _hint(refused) == "Unité de l'action choisie\u00a0: éléments."
    logged = participant.log("unsubscribe", "2").get_data(as_text=True)
    assert _hint(logged) == "Unité de l'action choisie\u00a0: éléments."
    english = participant.sign_in(make.user(locale="en")).page()
    assert _hint(english) == "Unit of the chosen action: GB (gigabytes)."


def test_choosing_an_action_type_brings_its_unit_with_and_without_htmx(client, make, make_campaign):
    """htmx swaps in the hint's text on a change; the same address without it opens the
    page with that type chosen; an unknown type names the first one's unit, no error."""
    campaign = running(make_campaign)
    login(client, make.user(locale="fr"))
    url = f"/cleanup/campaigns/{campaign.id}/log-unit?action_type="
    swapped = client.get(url + "unsubscribe", headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    assert (
        html.unescape(swapped.get_data(as_text=True))
        .strip()
        .startswith("Unité de l'action choisie\u00a0: éléments. ")
    )
    page = client.get(url + "unsubscribe")
    assert page.status_code == 302
    assert page.headers["Location"].endswith(
        f"/cleanup/campaigns/{campaign.id}?action_type=unsubscribe#my-progress"
    )
    opened = client.get(page.headers["Location"]).get_data(as_text=True)
    assert '<option selected value="unsubscribe">' in opened
    assert _hint(opened) == "Unité de l'action choisie\u00a0: éléments."
    unknown = client.get(url + "%3Cscript%3E", headers={"HX-Request": "true"})
    assert unknown.status_code == 200
    assert ": Go (gigaoctets). " in html.unescape(unknown.get_data(as_text=True))
    opened = client.get(f"/cleanup/campaigns/{campaign.id}?action_type=nothing")
    assert opened.status_code == 200 and _hint(opened.get_data(as_text=True)).endswith(
        ": Go (gigaoctets)."
    )


def _closed_campaign(make, make_campaign, quantities, **overrides):
    """A campaign that has just closed, one person logging each of `quantities`."""
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1), **overrides
    )
    for quantity in quantities:
        services.log_action(make.user(), campaign, "delete-mail", quantity, now)
    campaign.ends_at = now - timedelta(minutes=1)  # the clock moved past the end
    db.session.commit()
    return campaign


@pytest.mark.parametrize(
    ("locale", "quantities", "expected"),
    [
        ("fr", [], "0 participant sur un effectif concerné de {staff}, 0 point."),
        ("fr", [0.1], "1 participant sur un effectif concerné de {staff}, 1 point."),
        ("fr", [1, 2], "2 participants sur un effectif concerné de {staff}, 30 points."),
        ("en", [0.1], "1 participant out of {staff} staff in scope, 1 point."),
        ("en", [1, 2], "2 participants out of {staff} staff in scope, 30 points."),
    ],
)
def test_the_results_totals_agree_with_their_numbers(
    client, make, make_campaign, locale, quantities, expected
):
    """ "%(n)s participants" said "1 participants" and "0 participants" in French."""
    campaign = _closed_campaign(make, make_campaign, quantities)
    login(client, make.user(locale=locale))
    staff = queries.headcount_in_scope(campaign)
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    totals = re.search(r'data-testid="results-totals">([^<]*)</p>', page).group(1)
    assert totals == expected.format(staff=staff)


def test_the_results_totals_write_large_numbers_the_readers_way(client, make, make_campaign):
    """2,000 points: "2 000" in French, "2,000" in English."""
    rules = [
        {"action_type_id": t.id, "points_per_unit": 1000, "daily_cap": 100}
        for t in services.ensure_default_action_types()
    ]
    campaign = _closed_campaign(make, make_campaign, [2], rules=rules)
    for locale, points in (("fr", "2\u202f000 points."), ("en", "2,000 points.")):
        login(client, make.user(locale=locale))
        page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
        totals = re.search(r'data-testid="results-totals">([^<]*)</p>', page).group(1)
        assert totals.endswith(points)


def test_my_progress_says_a_declared_return_waits_for_its_receipt(app, participant):
    """With and without htmx: the entry is waiting, the page says when it will count."""
    from types import SimpleNamespace

    from app.core.signals import device_return_received, device_returned

    now = utcnow()
    participant.user.locale = "en"
    declared = SimpleNamespace(id=5, receipt_number="R-5")
    device_returned.send(app, device_return=declared, user=participant.user, now=now,
                         count_in=(participant.campaign.id,))  # fmt: skip
    db.session.commit()
    page = participant.page()
    assert "Waiting for an agent to receive the device" in page
    assert 'data-testid="returns-pending"' in page
    assert 'data-testid="my-points">0<' in page
    fragment = participant.log("delete-mail", "1").get_data(as_text=True)
    assert "Waiting for an agent to receive the device" in fragment

    device_return_received.send(app, device_return=declared, now=now)
    db.session.commit()
    page = participant.page()
    assert "Waiting for an agent" not in page and 'data-testid="returns-pending"' not in page
    assert 'data-testid="my-points">110<' in page  # 100 for the device, 10 for 1 GB


def test_a_closed_campaigns_flagged_entries_are_listed_read_only(client, make, make_campaign):
    """No link to a queue whose every decision would be refused: the campaign page says
    how many went unreviewed, the queue (opened anyway) lists them without buttons."""
    campaign = _closed_campaign(make, make_campaign, [15, 16])  # above the usual size
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/cleanup/campaigns/{campaign.id}/review" not in page
    assert "2 flagged entries were not reviewed before the end: they do not count." in page

    queue = client.get(f"/cleanup/campaigns/{campaign.id}/review").get_data(as_text=True)
    assert "its results are frozen" in queue and 'data-testid="review-frozen"' in queue
    assert queue.count('class="cleanup-review"') == 2
    assert 'value="accept"' not in queue and 'value="reject"' not in queue


def test_a_flagged_entry_cannot_be_decided_once_the_campaign_ended(client, make, make_campaign):
    """Ended, not yet frozen by the job: a decision would change results being frozen."""
    _closed_campaign(make, make_campaign, [15])
    action = db.session.scalar(select(CleanupAction))
    organiser = make.user(roles=("organiser",))
    with pytest.raises(services.CleanupError, match="frozen"):
        services.review_action(action, organiser, True, "", utcnow())
    assert action.status == "flagged"


def _form_data(client, starts_at, ends_at, **changes):
    """The campaign form as sent: one action type, every department, these dates."""
    services.ensure_default_action_types()
    db.session.commit()
    mail = db.session.scalar(
        select(CleanupActionType).where(CleanupActionType.key == "delete-mail")
    )
    data = {
        "csrf_token": csrf_token(client),
        "name_fr": "Nettoyage",
        "name_en": "Clean-up",
        "starts_at": to_local_naive(starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": to_local_naive(ends_at).strftime("%Y-%m-%dT%H:%M"),
        "all_departments": "y",
        "rules-0-action_type_id": str(mail.id),
        "rules-0-enabled": "y",
        "rules-0-points_per_unit": "10",
        "rules-0-daily_cap": "20",
    }
    return data | changes


def test_publishing_asks_first_and_says_what_it_does(client, make, make_campaign):
    now = utcnow()  # a draft starting later: it can be corrected until then
    campaign = make_campaign(
        publish=False, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=5)
    )
    login(client, make.user(roles=("organiser",), locale="en"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))
    form = re.search(r'<form[^>]*action="[^"]*/publish"[^>]*>', page).group(0)
    assert 'data-confirm="Publish this campaign? Staff in its scope will see it' in form
    assert "its rules are fixed and it can only be extended" in form
    assert 'data-confirm-yes="Publish"' in form and 'data-confirm-no="Not yet"' in form


def test_a_published_campaign_can_be_corrected_until_it_starts(client, make, make_campaign):
    """Name and dates corrected after publication, before the start: saved, audited, and
    the launch message not sent yet moves to the new start."""
    now = utcnow()
    campaign = make_campaign(starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=20))
    assert db.session.scalar(
        select(Dispatch.id).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:launch")
    )
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/cleanup/campaigns/{campaign.id}/edit" in page
    form = client.get(f"/cleanup/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert "This campaign is published" in form and "Save changes" in form

    new_start = now + timedelta(days=3)
    data = _form_data(client, new_start, now + timedelta(days=25), name_en="Spring clean-up")
    response = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(CleanupCampaign, campaign.id)
    assert saved.name_en == "Spring clean-up" and saved.published_at is not None
    launch = db.session.scalar(
        select(Dispatch.due_at).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:launch")
    )
    assert launch == saved.starts_at and abs(saved.starts_at - new_start) < timedelta(minutes=1)
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "update"))


def test_a_campaign_that_has_started_changes_its_names_only(client, make, make_campaign):
    """Its dates (and rules, scope, goals) stay: a running campaign is only extended
    (tests/cleanup/test_running_campaign_wording.py)."""
    campaign = running(make_campaign)
    dates = (campaign.starts_at, campaign.ends_at)
    login(client, make.user(roles=("organiser",), locale="en"))
    now = utcnow()
    data = _form_data(client, now, now + timedelta(days=9), name_en="Changed")
    response = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(CleanupCampaign, campaign.id)
    assert saved.name_en == "Changed" and (saved.starts_at, saved.ends_at) == dates


def _local_evening_before_summer_time(now):
    """18:00 Paris time on a day whose 90th day after falls in summer time (the end of
    March changes the clock): the next one still ahead of `now`."""
    from app.core.time import local_zone

    zone = local_zone()
    year = now.astimezone(zone).year
    while True:
        day = datetime(year, 1, 20, 18, 0, tzinfo=zone)
        if day > now + timedelta(days=1):
            return day.astimezone(UTC)
        year += 1


def test_the_latest_end_allowed_is_written_in_local_time_like_the_page(client, make, make_campaign):
    """Across the change to summer time the refusal said 19:00 for an end at 18:00."""
    now = utcnow()
    end = _local_evening_before_summer_time(now)
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=end)
    login(client, make.user(roles=("organiser",), locale="en"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))
    form = re.search(r'<form[^>]*action="[^"]*/extend"[^>]*>', page).group(0)
    assert (
        'data-confirm="Extend this campaign to {value}? Its end can then only be moved later'
        in form
    )
    assert 'data-confirm-fill="ends_at"' in form and 'data-confirm-locale="en-GB"' in form

    latest = to_local_naive(end) + timedelta(days=90)  # 18:00 in April, summer time
    response = _extend(client, campaign, ends_at=f"{latest + timedelta(minutes=1):%Y-%m-%dT%H:%M}")
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f"choose an end no later than {latest.day} Apr {latest.year}, 18:00." in text
    assert _extend(client, campaign, ends_at=f"{latest:%Y-%m-%dT%H:%M}").status_code == 302
    db.session.expire_all()
    assert to_local_naive(db.session.get(CleanupCampaign, campaign.id).ends_at) == latest


def test_without_javascript_an_extension_is_asked_naming_the_new_end_in_full(
    client, make, make_campaign
):
    """Scripts off, the extension (which cannot be taken back) used to act at once."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2))
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'name="ask_first_after_check" value="1"' in page
    new_end = (to_local_naive(campaign.ends_at) + timedelta(days=3)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    typed = {"csrf_token": csrf_token(client), "ask_first_after_check": "1"}
    url = f"/cleanup/campaigns/{campaign.id}/extend"

    earlier = client.post(url, data={**typed, "ends_at": "2001-01-01T10:00"})
    assert earlier.status_code == 422  # refused at its field, not asked

    asked = html.unescape(
        client.post(url, data={**typed, "ends_at": f"{new_end:%Y-%m-%dT%H:%M}"}).get_data(
            as_text=True
        )
    )
    assert f"<h1>Extend this campaign to {new_end:%A}, {new_end.day} {new_end:%B %Y} at 18:00?" in (
        asked
    )
    db.session.expire_all()
    assert to_local_naive(db.session.get(CleanupCampaign, campaign.id).ends_at) != new_end
    again = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', asked))
    assert "ask_first_after_check" not in again
    assert client.post(url, data=again).status_code == 302
    db.session.expire_all()
    assert to_local_naive(db.session.get(CleanupCampaign, campaign.id).ends_at) == new_end


def test_a_draft_already_over_is_refused_at_save_at_its_end(client, make, make_campaign):
    """Saved without complaint, it was refused only at Publish."""
    now = utcnow()
    login(client, make.user(roles=("organiser",), locale="en"))
    data = _form_data(client, now - timedelta(days=10), now - timedelta(days=1))
    response = client.post("/cleanup/campaigns/new", data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="ends_at-error">([^<]*)</p>', page).group(1) == (
        "This campaign would already be over: choose an end in the future."
    )
    assert db.session.scalar(select(func.count(CleanupCampaign.id))) == 0

    draft = running(make_campaign, publish=False)
    response = client.post(f"/cleanup/campaigns/{draft.id}/edit", data=data)
    assert response.status_code == 422 and 'id="ends_at-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, draft.id).ends_at > now


def test_an_organiser_deletes_a_draft_after_confirming(client, make, make_campaign):
    draft = running(make_campaign, publish=False)
    published = running(make_campaign)
    draft_id = draft.id
    login(client, make.user(roles=("organiser",), locale="en"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{draft.id}").get_data(as_text=True))
    form = re.search(r'<form[^>]*action="[^"]*/delete"[^>]*>', page).group(0)
    assert 'data-confirm="Delete this draft? It cannot be undone."' in form
    assert "/delete" not in client.get(f"/cleanup/campaigns/{published.id}").get_data(as_text=True)

    response = client.post(
        f"/cleanup/campaigns/{published.id}/delete", data={"csrf_token": csrf_token(client)}
    )
    followed = client.get(response.location).get_data(as_text=True)
    assert "Only a draft can be deleted: a published campaign stays." in html.unescape(followed)
    response = client.post(
        f"/cleanup/campaigns/{draft.id}/delete", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302 and response.location.endswith("/cleanup/")
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, draft_id) is None
    assert db.session.get(CleanupCampaign, published.id) is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delete"))
    assert event is not None and event.object_type == "cleanup_campaign"


def test_employees_cannot_delete_a_draft(client, make, make_campaign):
    draft = running(make_campaign, publish=False)
    login(client, make.user())
    response = client.post(
        f"/cleanup/campaigns/{draft.id}/delete", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 403
    assert db.session.get(CleanupCampaign, draft.id) is not None


def _co2_sentence(client, make, make_campaign, gigabytes: float) -> str:
    """The results page's CO₂ estimate, in French, once `gigabytes` of mail were deleted."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    services.log_action(make.user(), campaign, "delete-mail", gigabytes, now)
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    return html.unescape(re.search(r"<p>(Environ [^<]*)</p>", page).group(1))


def test_the_co2_range_writes_both_ends_alike(client, make, make_campaign):
    make_campaign()  # the default action types, given a narrow range here
    mail = db.session.scalar(select(CleanupActionType).filter_by(key="delete-mail"))
    mail.kg_co2e_low, mail.kg_co2e_per_unit, mail.kg_co2e_high = 103, 200, 300
    db.session.commit()
    # The centre, under a tonne, in kg (it read « 0,8 t »); each end in its own unit.
    assert _co2_sentence(client, make, make_campaign, 4) == (
        "Environ 800\u00a0kg\u00a0CO₂e évités sur un an de stockage, "
        "quelque part entre 412\u00a0kg\u00a0CO₂e et 1,2\u00a0t\u00a0CO₂e."
    )


def test_a_co2_range_gives_a_low_end_of_grams_to_its_decimal(client, make, make_campaign):
    assert _co2_sentence(client, make, make_campaign, 6) == (
        "Environ 0,06\u00a0kg\u00a0CO₂e évités sur un an de stockage, "
        "quelque part entre 0,001\u00a0kg\u00a0CO₂e et 1,2\u00a0kg\u00a0CO₂e."
    )


def test_results_without_any_co2_say_there_is_no_estimate(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now - timedelta(minutes=1))
    login(client, make.user(roles=("organiser",)))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "Pas d'estimation de CO₂\u00a0: aucune saisie comptée n'a de facteur CO₂." in (
        html.unescape(page)
    )
    assert "Environ 0" not in html.unescape(page)
