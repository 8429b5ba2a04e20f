"""The question a data-confirm form asks in portal.js's dialog, in a real browser: it
names the item asked about, as the page without scripts does, and words a typed
date-time as the server does, in French and in English."""

import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from app.cleanup import services
from app.cleanup.forms import to_local_naive
from app.core.i18n import first_of_month, format_moment
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import build_campaign
from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser


def _running_campaign(make):
    """A published campaign that started yesterday and ends in five days."""
    now = utcnow()
    return build_campaign(make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


def test_the_dialog_names_the_entry_it_asks_about(app, page, make):
    """Two alike entries: the dialog of the second one's "Delete" says which one it is,
    under the question and as the dialog's description."""
    campaign = _running_campaign(make)
    participant = make.user()
    now = utcnow()
    services.log_action(participant, campaign, "delete-mail", 1, now - timedelta(hours=3))
    second = services.log_action(participant, campaign, "delete-mail", 1, now - timedelta(hours=1))
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        named = f"{second.action_type.name('fr')}, {format_moment(second.logged_at)}"
    browser_sign_in(page, participant)
    page.goto(f"/cleanup/campaigns/{campaign.id}")

    page.locator(f"#delete-{second.id}").click()

    dialog = page.get_by_role("alertdialog", name=re.compile("^Supprimer cette saisie"))
    expect(dialog.locator("#confirm-question + p")).to_have_text(named)
    expect(dialog).to_have_accessible_description(named)


def _extend_dialog(page, make, locale: str, minute: int):
    """The extension's dialog, the organiser reading in `locale`, a new end typed at
    18:`minute`; and that end."""
    campaign = _running_campaign(make)
    new_end = (to_local_naive(campaign.ends_at) + timedelta(days=10)).replace(
        hour=18, minute=minute
    )
    browser_sign_in(page, make.user(roles=("organiser",), locale=locale))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.fill("input[name=ends_at]", f"{new_end:%Y-%m-%dT%H:%M}")
    page.locator("form[action$='/extend'] button[type=submit]").click()
    return page.get_by_role("alertdialog"), new_end


@pytest.mark.parametrize(
    ("minute", "said"), [(30, "à 18\u00a0h\u00a030\u00a0?"), (0, "à 18\u00a0h\u00a0?")]
)
def test_a_typed_end_is_worded_in_french_as_the_server_words_it(page, make, minute, said):
    dialog, new_end = _extend_dialog(page, make, "fr", minute)
    day = first_of_month(format_date(new_end, "EEEE d MMMM y", locale="fr"), new_end, "fr")
    expect(dialog).to_contain_text(f"Prolonger cette campagne jusqu'au {day} {said}")


@pytest.mark.parametrize(("minute", "said"), [(30, "at 18:30?"), (0, "at 18:00?")])
def test_a_typed_end_is_worded_in_english_with_no_french_left(page, make, minute, said):
    dialog, new_end = _extend_dialog(page, make, "en", minute)
    weekday, month = (format_date(new_end, f, locale="en") for f in ("EEEE", "MMMM"))
    expect(dialog).to_contain_text(
        re.compile(
            rf"Extend this campaign to {weekday},? {new_end.day} {month} {new_end.year} {said}"
        )
    )
    expect(dialog).not_to_contain_text(re.compile(r" à |\u00a0h"))


def test_a_dialog_about_no_item_has_no_description(page, make):
    """The extension is about the page's own campaign: nothing more to name."""
    dialog, _new_end = _extend_dialog(page, make, "fr", 0)
    expect(dialog).to_be_visible()
    expect(dialog).not_to_have_attribute("aria-describedby", re.compile(".*"))


def test_the_script_words_a_moment_with_the_pages_pattern_only(page, make):
    """No language's words are in the script: another pattern from the server, another
    wording (here the English one on a French page)."""
    campaign = _running_campaign(make)
    new_end = (to_local_naive(campaign.ends_at) + timedelta(days=10)).replace(hour=9, minute=5)
    browser_sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.evaluate("document.body.dataset.moment = '{day} at {HH}:{mm}'")
    page.fill("input[name=ends_at]", f"{new_end:%Y-%m-%dT%H:%M}")
    page.locator("form[action$='/extend'] button[type=submit]").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"{new_end.year} at 09:05\u00a0?")


def _extend_with(page, make, typed: str):
    """The organiser types `typed` as the campaign's new end and presses « Prolonger »."""
    campaign = _running_campaign(make)
    browser_sign_in(page, make.user(roles=("organiser",), locale="fr"))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    field = page.locator("form[action$='/extend'] input[name=ends_at]")
    # fill() takes only what a date picker writes; a person can type a longer year.
    field.evaluate("(input, typed) => { input.value = typed; }", typed)
    page.locator("form[action$='/extend'] button[type=submit]").click()
    return campaign


def test_a_five_digit_year_asks_nothing_and_is_refused_at_the_field(page, make):
    """« Prolonger cette campagne jusqu'au 20266-12-25T09:00 ? » asked to confirm a
    date the server then refused: it is refused at once, as without JavaScript."""
    campaign = _extend_with(page, make, "20266-12-25T09:00")
    error = page.locator("#ends_at-error")
    expect(error).to_have_text("Saisissez une date et une heure valides.")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(type(campaign), campaign.id).ends_at == campaign.ends_at


def test_the_first_of_a_month_is_an_ordinal_in_the_french_question(page, make):
    """« 1er décembre », as the server writes it, not Intl's « 1 décembre »."""
    campaign = _running_campaign(make)
    end = to_local_naive(campaign.ends_at)
    first = (end.replace(day=1) + timedelta(days=32)).replace(day=1, hour=9, minute=0)
    browser_sign_in(page, make.user(roles=("organiser",), locale="fr"))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.fill("input[name=ends_at]", f"{first:%Y-%m-%dT%H:%M}")
    page.locator("form[action$='/extend'] button[type=submit]").click()
    day = format_date(first, "EEEE 'X' MMMM y", locale="fr").replace("X", "1er")
    expect(page.get_by_role("alertdialog")).to_contain_text(
        f"Prolonger cette campagne jusqu'au {day} à 9\u00a0h\u00a0?"
    )
