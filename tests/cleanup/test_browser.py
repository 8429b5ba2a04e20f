"""The main journey in a real browser: create, publish, log, rank, badges, close, results."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.cleanup import services
from app.cleanup.forms import to_local_naive
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.core.models import Department
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import browser_sign_in, shown

sign_in = browser_sign_in


@pytest.mark.browser
@pytest.mark.journey
def test_campaign_journey(page, make):
    organiser = make.user(roles=("organiser",))
    participant = make.user()
    now = utcnow()
    sign_in(page, organiser)
    page.goto("/cleanup/campaigns/new")
    page.fill("input[name=name_fr]", "Grand ménage")
    page.fill("input[name=name_en]", "Big clean-up")
    page.fill(
        "input[name=starts_at]", to_local_naive(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    page.fill(
        "input[name=ends_at]", to_local_naive(now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.locator("main form button[type=submit]").click()
    page.locator("form[action$='/publish'] button").click()
    # It asks first, saying what publication does.
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("ses règles sont figées")
    # The page already shows the draft's "saved" message: wait for the publication's page.
    with page.expect_navigation():
        dialog.get_by_role("button", name="Publier", exact=True).click()
    page.wait_for_selector(".flash-success")
    url = page.url
    page.context.clear_cookies()

    sign_in(page, participant)
    page.goto(url)
    assert page.get_by_test_id("my-rank").inner_text() == "–"
    page.select_option("select[name=action_type]", "delete-mail")
    page.fill("input[name=quantity]", "2")
    page.locator("form.cleanup-log button").click()
    expect(page.get_by_test_id("my-points")).to_have_text("20")
    assert page.get_by_test_id("my-rank").inner_text().startswith("1")
    assert page.locator(".cleanup-badge").count() >= 2

    campaign = db.session.query(CleanupCampaign).one()
    services.close_campaign_now(campaign, organiser, utcnow())
    db.session.commit()
    page.goto(url.rstrip("/") + "/results")
    assert "20" in page.get_by_test_id("results-totals").inner_text()
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).frozen_at is not None


@pytest.mark.browser
def test_an_organiser_ticks_the_departments_of_a_campaign_in_alphabetical_order(page, make):
    """The departments are tick boxes, shown once "everyone" is unticked, sorted as a
    French reader expects (accents do not send "Éducation" after "Voirie")."""
    for name in ("Voirie", "Éducation", "Culture"):
        make.department(name_fr=f"Direction {name}")
    organiser = make.user(roles=("organiser",))
    now = utcnow()
    sign_in(page, organiser)
    page.goto("/cleanup/campaigns/new")
    boxes = page.locator(".for-some-departments")
    assert not boxes.is_visible()
    page.get_by_label("Tout le monde participe").uncheck()
    assert boxes.is_visible()
    names = boxes.locator("label").all_inner_texts()
    ours = [
        n for n in names if n in ("Direction Voirie", "Direction Éducation", "Direction Culture")
    ]
    assert ours == ["Direction Culture", "Direction Éducation", "Direction Voirie"]
    page.get_by_label("Direction Éducation").check()
    page.get_by_label("Direction Voirie").check()
    page.fill("input[name=name_fr]", "Ménage des écoles")
    page.fill("input[name=name_en]", "Schools clean-up")
    start = to_local_naive(now + timedelta(days=1))
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + timedelta(days=21)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    campaign = db.session.query(CleanupCampaign).one()
    chosen = {d.name_fr for d in db.session.query(Department) if d.id in campaign.department_ids}
    assert not campaign.all_departments
    assert chosen == {"Direction Éducation", "Direction Voirie"}


PHONE = {"width": 390, "height": 844}


def _campaign_page(page, make, make_campaign, entries=0, phone=False, **overrides):
    """A running campaign's page, open for a signed-in participant who has logged
    `entries` entries of 1 GB (their ids are returned, oldest first); on a phone
    (390 px wide) when `phone`. `overrides` go to make_campaign (its rules…)."""
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2), **overrides
    )
    me = make.user()
    logged = [services.log_action(me, campaign, "delete-mail", 1, now) for _ in range(entries)]
    db.session.commit()
    if phone:
        page.set_viewport_size(PHONE)
    sign_in(page, me)
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    return [entry.id for entry in logged]


def _daily_cap(cap):
    """Rules of every action type: 10 points per unit, `cap` a day."""
    return [
        {"action_type_id": t.id, "points_per_unit": 10, "daily_cap": cap}
        for t in services.ensure_default_action_types()
    ]


@pytest.mark.browser
def test_a_refused_entry_is_explained_where_the_person_logs(page, make, make_campaign):
    """htmx leaves a 4xx answer unswapped unless told: a mistyped quantity and a full
    daily cap showed nothing at all."""
    _campaign_page(page, make, make_campaign, rules=_daily_cap(2))
    page.select_option("select[name=action_type]", "delete-mail")
    page.fill("input[name=quantity]", "beaucoup")
    page.locator("form.cleanup-log button").click()
    status = page.locator("#progress-status")
    expect(status).to_have_text("Saisissez la quantité sous forme de nombre.")
    expect(page.locator("#announcer")).to_have_text("Saisissez la quantité sous forme de nombre.")
    page.fill("input[name=quantity]", "3")
    page.locator("form.cleanup-log button").click()
    expect(status).to_contain_text("plafond journalier de 2 Go")  # over the daily cap: 409
    assert db.session.query(CleanupAction).count() == 0
    # The title says so, as a whole page sent back with a refused form does, then stops.
    name = page.title().removeprefix("Erreur\u00a0: ")
    expect(page).to_have_title(f"Erreur\u00a0: {name}")
    page.fill("input[name=quantity]", "1")
    page.locator("form.cleanup-log button").click()
    expect(status).to_contain_text("Enregistré")
    expect(page).to_have_title(name)


@pytest.mark.browser
def test_an_expired_form_sent_through_htmx_says_so_at_the_top(page, make, make_campaign):
    _campaign_page(page, make, make_campaign, rules=_daily_cap(2))
    page.evaluate(
        """() => {
        document.body.setAttribute('hx-headers', '{"X-CSRFToken": "expired"}');
        document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'expired');
    }"""
    )
    page.select_option("select[name=action_type]", "delete-mail")
    page.fill("input[name=quantity]", "1")
    page.locator("form.cleanup-log button").click()
    expect(page.locator("#flashes .flash-error")).to_contain_text("Votre formulaire a expiré")
    expect(page.locator("#my-progress form.cleanup-log")).to_be_visible()  # left as it was
    assert db.session.query(CleanupAction).count() == 0


@pytest.mark.browser
def test_an_organiser_reviews_entries_in_place(page, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))
    for _ in range(2):
        services.log_action(make.user(), campaign, "delete-mail", 15, now)
    db.session.commit()
    sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{campaign.id}/review")
    page.evaluate("window.stillTheSamePage = true")
    first = page.locator("section.cleanup-review").first
    first.get_by_role("button", name="Accepter").click()  # one press decides
    # The answer takes the focus (read once: the announcer does not repeat it).
    expect(page.locator(":focus")).to_have_text(
        "Acceptée\u00a0: la saisie compte désormais, et la personne reçoit un message."
    )
    # The other one waits in the queue; the one decided is among the latest decisions.
    assert page.locator("#review-queue section.cleanup-review form").count() == 1
    assert page.evaluate("window.stillTheSamePage") is True  # no reload, no jump to the top
    assert db.session.query(CleanupAction).filter_by(status="accepted").count() == 1
    waiting = page.locator("#review-queue section.cleanup-review:has(form)")
    waiting.get_by_role("button", name="Refuser").click()  # without a reason
    reason = waiting.get_by_label("Motif montré à la personne")
    expect(reason).to_be_focused()  # the refused field, its error read with it
    expect(reason).to_have_attribute("aria-invalid", "true")
    # Its error first, then the entry it is for, as the buttons are described.
    expect(reason).to_have_accessible_description(
        re.compile(r"^Indiquez un motif à la personne\. Supprimer les vieux e-mails")
    )
    reason.fill("Une seule boîte, pas quinze")
    waiting.get_by_role("button", name="Refuser").click()
    expect(page.locator("#review-queue section.cleanup-review form")).to_have_count(0)
    assert db.session.query(CleanupAction).filter_by(status="rejected").count() == 1


@pytest.mark.browser
def test_enter_in_the_review_reason_never_accepts_the_entry(page, make, make_campaign):
    """Enter in the reason (meant to reject) submitted the form with its first button,
    "Accept": now it starts a new line, and only a button decides."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))
    entry = services.log_action(make.user(), campaign, "delete-mail", 15, now)
    db.session.commit()
    entry_id = entry.id
    sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{campaign.id}/review")
    reason = page.get_by_label("Motif montré à la personne")
    reason.fill("Une seule boîte")
    reason.press("Enter")
    reason.press_sequentially("pas quinze")
    page.wait_for_timeout(300)  # a submission, had there been one, would have answered
    expect(page.get_by_role("button", name="Accepter")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry_id).status == "flagged"
    page.get_by_role("button", name="Refuser").click()
    expect(page.locator("#review-queue section.cleanup-review form")).to_have_count(0)
    db.session.expire_all()
    decided = db.session.get(CleanupAction, entry_id)
    assert (decided.status, decided.review_reason) == ("rejected", "Une seule boîte\npas quinze")


@pytest.mark.browser
def test_deleting_an_entry_asks_first_and_keeping_it_changes_nothing(page, make, make_campaign):
    """A dialog asks, its focus on the answer that changes nothing; Escape keeps the entry
    and brings the focus back to its button; "Delete" deletes it, through htmx."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    participant = make.user()
    entry = services.log_action(participant, campaign, "delete-mail", 2, now)
    db.session.commit()
    entry_id = entry.id
    sign_in(page, participant)
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    delete = page.locator(f"#delete-{entry_id}")

    delete.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role(
        "alertdialog",
        name="Supprimer cette saisie\u00a0? Ses points seront retirés de votre score.",
    )
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Ne rien changer")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(delete).to_be_focused()
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry_id) is not None

    delete.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Supprimer").click()
    expect(page.locator("#my-progress")).to_contain_text("Saisie supprimée.")
    expect(page.get_by_test_id("my-points")).to_have_text("0")
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry_id) is None


@pytest.mark.browser
def test_show_my_place_with_the_keyboard_brings_ones_line_into_view(page, make, make_campaign):
    """60 people: the reader, 55th, is on page 2; their line is shown, marked in words."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    people = [make.user() for _ in range(60)]
    for n, person in enumerate(people, start=1):  # n points: the last one scores most
        services.log_action(person, campaign, "delete-mail", round(n * 0.1, 1), now)
    db.session.commit()
    me = people[5]
    sign_in(page, me)
    page.goto(f"/cleanup/campaigns/{campaign.id}/leaderboard")
    link = page.get_by_role("link", name="Voir ma place")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**me=1#my-row")
    row = page.locator("#my-row")
    expect(row).to_be_in_viewport()
    expect(row).to_have_attribute("aria-current", "true")
    expect(row).to_contain_text(f"{me.pseudonym} (vous)")
    expect(row.locator("td").first).to_have_text("55")
    expect(row).to_be_focused()  # read out, and Tab goes on from it
    expect(shown(page, "Page 2 sur 2")).to_be_visible()


@pytest.mark.browser
def test_on_a_phone_a_log_answers_by_the_form_without_moving_the_page(page, make, make_campaign):
    """The progress block is swapped whole: the page jumped to its end, 1,500 px below
    the answer. The view stays, the answer is by the form, a refused quantity is marked
    on its field with what was typed."""
    # A list of entries below the form, as after a few days.
    _campaign_page(page, make, make_campaign, entries=6, phone=True)
    page.locator("#log-submit").scroll_into_view_if_needed()
    quantity = page.locator("form.cleanup-log input[name=quantity]")

    before = page.evaluate("window.scrollY")
    quantity.fill("0")
    page.locator("#log-submit").click()
    error = page.locator("#quantity-error")
    expect(error).to_have_text("La quantité doit être supérieure à zéro.")
    expect(error).to_be_in_viewport()
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_have_attribute("aria-describedby", "quantity-error quantity-hint")
    expect(quantity).to_have_value("0")
    expect(quantity).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("La quantité doit être supérieure à zéro.")
    assert abs(page.evaluate("window.scrollY") - before) < 200  # it jumped 1,300 px

    quantity.fill("1")
    page.locator("#log-submit").click()
    message = page.locator("form.cleanup-log #progress-status")
    expect(message).to_have_text("Enregistré\u00a0: 10 points.")
    expect(message).to_be_in_viewport()
    expect(quantity).not_to_have_attribute("aria-invalid", "true")
    assert abs(page.evaluate("window.scrollY") - before) < 200  # it jumped 1,300 px


@pytest.mark.browser
def test_on_a_phone_a_refused_correction_is_explained_by_its_entry(page, make, make_campaign):
    """The message stood at the top of the block and the field went back to the old
    quantity, losing what was typed."""
    (entry_id,) = _campaign_page(page, make, make_campaign, entries=1, phone=True)
    field = page.locator(f"#quantity-{entry_id}")
    field.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    field.fill("-2")
    page.locator(f"#correct-{entry_id}").click()
    row = page.locator("table.cleanup-entries tbody tr", has=field)
    message = row.locator("#progress-status")
    expect(message).to_have_text("La quantité doit être supérieure à zéro.")
    expect(message).to_be_in_viewport()
    expect(field).to_have_value("-2")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"^progress-status "))
    expect(field).to_be_focused()
    assert abs(page.evaluate("window.scrollY") - before) < 200  # it jumped 1,300 px

    field.fill("2")
    page.locator(f"#correct-{entry_id}").click()
    expect(message).to_have_text("Saisie corrigée.")
    expect(message).to_be_in_viewport()
    expect(field).to_have_value("2")
    expect(field).not_to_have_attribute("aria-invalid", "true")


@pytest.mark.browser
def test_on_a_phone_the_per_head_team_board_shows_its_order_without_scrolling(
    page, make, make_campaign
):
    """Departments ranked per head, 390 px wide, in French, long names: the column that
    sets the order, heading and figures, is in view without scrolling sideways."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    names = (
        "Direction de l'urbanisme, du patrimoine et des paysages",
        "Direction des systèmes d'information et du numérique",
        "Mairie de Saint-Médard-en-Jalles",
    )
    for n, name in enumerate(names, start=1):
        department = make.department(name_fr=name)
        for _ in range(n):  # more people, fewer points each: per head, the order turns
            person = make.user(department=department)
            services.log_action(person, campaign, "delete-mail", round(1.2 / n, 1), now)
    db.session.commit()
    page.set_viewport_size(PHONE)
    sign_in(page, make.user())
    page.goto(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=per_head")
    table = page.locator("table.leaderboard")
    expect(table.locator("caption")).to_have_text("Directions par points par participant")
    seen = table.evaluate(
        """(table) => {
        const frame = table.closest('.table-scroll');
        const edge = frame.getBoundingClientRect();
        const context = document.createElement('canvas').getContext('2d');
        const rows = [...table.tBodies[0].rows].map(row => {
            const name = row.querySelector('th');
            context.font = getComputedStyle(name).font;
            const longest = Math.max(...name.textContent.trim().split(/\\s+/)
                .map(word => context.measureText(word).width));
            const figure = row.cells[2];
            const box = figure.getBoundingClientRect();
            return {
                figure: figure.textContent,
                label: getComputedStyle(figure, '::before').content,
                inView: box.width > 0 && box.left >= edge.left - 0.5
                    && box.right <= edge.right + 0.5,
                readFirst: [...row.querySelectorAll('td[data-label]')].every(td => {
                    const other = td.getBoundingClientRect();  // after it on its line, or below
                    return td === figure || other.top >= box.bottom - 0.5
                        || (Math.abs(other.top - box.top) < 0.5 && other.left > box.left);
                }),
                wholeWords: name.getBoundingClientRect().width + 0.5 >= longest,
            };
        });
        return {
            rows,
            scrolls: frame.scrollWidth > frame.clientWidth,
            page: document.documentElement.scrollWidth > window.innerWidth,
        };
    }"""
    )
    assert not seen["scrolls"] and not seen["page"], seen  # no sideways scrolling
    rows = seen["rows"]
    assert [row["figure"] for row in rows] == ["12,0", "6,0", "4,0"], rows  # the order's figures
    assert all(row["label"] == '"Points par participant\u00a0: "' for row in rows), rows
    assert all(row["inView"] and row["readFirst"] and row["wholeWords"] for row in rows), rows
    # The headings are out of sight but still name the columns for a screen reader.
    assert table.get_by_role("columnheader", name="Points par participant").count() == 1
    assert table.get_by_role("row").nth(1).get_by_role("cell").count() == 4


@pytest.mark.browser
def test_choosing_an_action_shows_its_unit_by_the_quantity(page, make, make_campaign):
    """The hint named "Go, lettres d'information", a unit no choice showed: it follows
    the choice (htmx), as each choice names its own."""
    _campaign_page(page, make, make_campaign, phone=True)
    hint = page.locator("#quantity-hint")
    expect(hint).to_contain_text("Unité de l'action choisie\u00a0: Go (gigaoctets). ")
    page.select_option("select[name=action_type]", "unsubscribe")
    expect(hint).to_contain_text("Unité de l'action choisie\u00a0: éléments. ")
    expect(page.locator("form.cleanup-log input[name=quantity]")).to_have_attribute(
        "aria-describedby", "quantity-hint"
    )
    page.fill("input[name=quantity]", "3")
    page.locator("#log-submit").click()  # the answer keeps the choice, and its unit
    expect(page.locator("form.cleanup-log #progress-status")).to_have_text(
        "Enregistré\u00a0: 6 points."
    )
    expect(hint).to_contain_text("Unité de l'action choisie\u00a0: éléments. ")


@pytest.mark.browser
def test_extending_asks_with_the_new_end_typed_and_says_it_once_done(page, make, make_campaign):
    """The question names the end the organiser typed, written out in full; "Keep the
    current end" changes nothing, "Extend" extends and the message names the new end."""
    from babel.dates import format_date

    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    old_end = campaign.ends_at
    new_end = (to_local_naive(old_end) + timedelta(days=10)).replace(hour=18, minute=0)
    weekday, month = (format_date(new_end, f, locale="fr") for f in ("EEEE", "MMMM"))
    said = f"{weekday} {new_end.day} {month} {new_end.year}"
    sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.fill("input[name=ends_at]", f"{new_end:%Y-%m-%dT%H:%M}")
    extend = page.locator("form[action$='/extend'] button[type=submit]")

    extend.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Prolonger cette campagne jusqu'au {said}")
    expect(dialog).to_contain_text("à 18\u00a0h")
    dialog.get_by_role("button", name="Garder la fin actuelle").click()
    expect(dialog).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).ends_at == old_end

    extend.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Prolonger").click()
    expect(page.locator(".flash-success")).to_contain_text(
        f"Campagne prolongée jusqu'au {said} à 18\u00a0h."
    )


def test_an_end_before_the_current_one_is_refused_without_asking(page, make, make_campaign):
    """Asking "Extend this campaign to <an earlier day>?" asked to confirm a refusal."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    earlier = to_local_naive(campaign.ends_at) - timedelta(days=2)
    sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.fill("input[name=ends_at]", f"{earlier:%Y-%m-%dT%H:%M}")

    page.locator("form[action$='/extend'] button[type=submit]").click()

    expect(page.locator("#ends_at-error")).to_contain_text(
        "La nouvelle fin doit être postérieure à la fin actuelle."
    )
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.locator("input[name=ends_at]")).to_be_focused()


def test_saving_a_form_in_french_keeps_its_decimal_numbers(page, make):
    """A `type="number"` field dropped « 0,35 », the French way of writing it: it showed
    empty, and saving the guide for another change erased the CO₂ factor without a word."""
    from app.cleanup.models import CleanupActionType as ActionType

    services.ensure_default_action_types()
    action_type = db.session.scalar(db.select(ActionType).where(ActionType.key == "clean-phone"))
    action_type.kg_co2e_per_unit, action_type.kg_co2e_low, action_type.kg_co2e_high = 0.35, 0.1, 0.8
    db.session.commit()
    sign_in(page, make.user(roles=("organiser",)))
    page.goto("/cleanup/guides/clean-phone/edit")
    expect(page.locator("input[name=kg_co2e_per_unit]")).to_have_value("0,35")
    page.fill("input[name=daily_cap]", "25")

    page.get_by_role("button", name="Enregistrer le guide").click()

    expect(page.locator(".flash-success")).to_be_visible()
    db.session.expire_all()
    saved = db.session.get(ActionType, action_type.id)
    assert (saved.daily_cap, saved.kg_co2e_per_unit, saved.kg_co2e_low, saved.kg_co2e_high) == (
        25,
        0.35,
        0.1,
        0.8,
    )


@pytest.mark.browser
def test_without_javascript_deleting_an_entry_asks_on_a_page_first(
    browser, live_server, make, make_campaign
):
    """With scripts off, "Delete" removed the entry and its points at once."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    participant = make.user()
    entry_id = services.log_action(participant, campaign, "delete-mail", 2, now).id
    db.session.commit()
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, participant)
    page.goto(f"/cleanup/campaigns/{campaign.id}")

    page.locator(f"#delete-{entry_id}").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Supprimer cette saisie\u00a0? Ses points seront retirés de votre score."
    )
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry_id) is not None
    page.get_by_role("button", name="Supprimer").click()
    expect(page.locator(".flash-success")).to_contain_text("Saisie supprimée.")
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry_id) is None
    context.close()


@pytest.mark.browser
def test_a_campaign_for_no_department_leads_from_the_summary_to_the_first_department(page, make):
    """ "Not everyone" and no department: the message stood at the top only, the focus on
    the page's body; it is told by the departments, the error summary focused, its link
    leading to the first of them."""
    make.department(name_fr="Direction Aaa")
    organiser = make.user(roles=("organiser",))
    start = to_local_naive(utcnow() + timedelta(days=1))
    sign_in(page, organiser)
    page.goto("/cleanup/campaigns/new")
    page.get_by_label("Tout le monde participe").uncheck()
    page.fill("input[name=name_fr]", "Ménage des écoles")
    page.fill("input[name=name_en]", "Schools clean-up")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + timedelta(days=21)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # its one link
    first = page.locator(".for-some-departments input[type=checkbox]").first
    expect(first).to_be_focused()
    departments = page.get_by_role("group", name="Directions concernées (si pas tout le monde)")
    expect(departments).to_have_accessible_description(
        "Choisissez au moins une direction, ou tout le monde."
    )


def test_an_end_past_what_an_extension_allows_is_refused_without_asking(page, make, make_campaign):
    """« Prolonger jusqu'au 31 décembre 9999 ? » asked to confirm what the server refuses."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.fill("input[name=ends_at]", "9999-12-31T18:00")

    page.locator("form[action$='/extend'] button[type=submit]").click()

    expect(page.locator("#ends_at-error")).to_contain_text("Une prolongation ajoute au plus 90")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).ends_at == campaign.ends_at


def test_an_end_the_clocks_skip_is_refused_without_asking(page, make, make_campaign):
    """« Prolonger cette campagne jusqu'au dimanche 28 mars 2027 à 2 h 30 ? » asked to
    confirm a time that does not exist in Paris, which the server then refused."""
    from app.cleanup.forms import skipped_spans
    from app.core.time import local_zone

    now = to_local_naive(utcnow())
    gap_from, _gap_to = next(
        span for span in skipped_spans(now, now + timedelta(days=800))
        if span[0] - timedelta(days=10) > now + timedelta(days=1)
    )  # fmt: skip
    # Running (a scheduled campaign is corrected, not extended), its end within an
    # extension's reach (90 days) of the night the clocks skip.
    ends = max(now + timedelta(days=2), gap_from - timedelta(days=85)).replace(tzinfo=local_zone())
    campaign = make_campaign(starts_at=utcnow() - timedelta(days=1), ends_at=ends)
    sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.fill("input[name=ends_at]", f"{gap_from + timedelta(minutes=30):%Y-%m-%dT%H:%M}")

    page.locator("form[action$='/extend'] button[type=submit]").click()

    expect(page.locator("#ends_at-error")).to_contain_text("Cette heure n'existe pas à Paris")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).ends_at == campaign.ends_at


def test_a_campaign_name_without_spaces_breaks_rather_than_widen_a_phone(page, make, make_campaign):
    """A 40-letter word in a campaign's name ran 400 px past a phone's edge."""
    now = utcnow()
    long_word = "Grandnettoyagenumeriquedelametropolebordelaise"
    campaign = make_campaign(
        name_fr=long_word,
        name_en=long_word,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, make.user())
    for path in (f"/cleanup/campaigns/{campaign.id}", "/cleanup/"):
        page.goto(path)
        expect(page.locator("main")).to_contain_text(long_word[:20])
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], path


@pytest.mark.browser
def test_a_refused_campaign_form_shows_its_summary_at_200_percent_zoom(page, make):
    """Focused on its first field (#name_fr), the page scrolled the summary (« Rien n'a
    été enregistré… 4 champs à corriger ») above the view at 200 % zoom."""
    sign_in(page, make.user(roles=("organiser",)))
    page.set_viewport_size({"width": 640, "height": 360})  # 1280 × 720 at 200 %
    page.goto("/cleanup/campaigns/new")
    page.fill("input[name=starts_at]", "")
    page.fill("input[name=ends_at]", "")
    page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("4\u00a0champs à corriger")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
