"""What was typed in a form survives the end of its session: sent once the session has
gone, the form's answer says what was typed is kept in this tab; after signing in again
the person is back on the form's page, the fields filled as they were, and told so.
The copy lives in the tab's sessionStorage only, goes once put back or once the form is
sent and answered, never holds a password, and is never put back for someone else."""

import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from tests.cleanup.conftest import build_campaign, in_days
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

KEPT = (
    "Ce que vous aviez saisi est gardé dans cet onglet du navigateur\u00a0: il sera remis "
    "dans le formulaire après votre reconnexion."
)
KEPT_SIGNED_IN = (
    "Ce que vous aviez saisi est gardé dans cet onglet du navigateur\u00a0: il sera remis "
    "dans le formulaire quand vous rouvrirez sa page."
)
RESTORED = (
    "Ce que vous aviez saisi avant la fin de votre session a été remis. Vérifiez-le puis envoyez."
)
DESCRIPTION = "Videz votre boîte aux lettres,\ndossier par dossier."


def _drafts(page) -> dict:
    """The copies kept in the tab, by key."""
    return page.evaluate(
        "Object.fromEntries(Object.keys(sessionStorage)"
        ".filter(k => k.startsWith('empreinte:draft:'))"
        ".map(k => [k, JSON.parse(sessionStorage.getItem(k))]))"
    )


def _whole_storage(page) -> str:
    return page.evaluate("JSON.stringify(Object.entries(sessionStorage))")


def _fill_campaign(page) -> None:
    page.goto("/cleanup/campaigns/new", wait_until="load")
    page.fill("input[name=name_fr]", "Grand ménage d'automne")
    page.fill("input[name=name_en]", "Autumn clean-up")
    page.fill("textarea[name=description_fr]", DESCRIPTION)
    page.fill("input[name=goal_gb]", "250")
    page.get_by_label("Tout le monde participe").uncheck()


def _send_campaign(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def _sign_in_from_the_answer(page, user, answer="main") -> None:
    """The answer's "Sign in" link (in the page, or an htmx answer's in #flashes), then
    the real sign-in form."""
    page.locator(answer).get_by_role("link", name="Se connecter").click()
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter", exact=True).click()


def _expect_campaign_filled(page) -> None:
    expect(page.locator("input[name=name_fr]")).to_have_value("Grand ménage d'automne")
    expect(page.locator("input[name=name_en]")).to_have_value("Autumn clean-up")
    expect(page.locator("textarea[name=description_fr]")).to_have_value(DESCRIPTION)
    expect(page.locator("input[name=goal_gb]")).to_have_value("250")
    expect(page.get_by_label("Tout le monde participe")).not_to_be_checked()


def test_a_campaign_sent_after_the_session_ended_is_filled_again_after_signing_in(page, make):
    organiser = make.user(roles=("organiser",))
    browser_sign_in(page, organiser)
    _fill_campaign(page)
    page.context.clear_cookies()  # the session ends (8 h, the browser restarted)

    _send_campaign(page)
    main = page.locator("main")
    expect(main).to_contain_text("reconnectez-vous pour continuer sur cette page")
    expect(main.get_by_text(KEPT)).to_be_visible()
    [draft] = _drafts(page).values()
    assert draft["values"]["name_fr"] == ["Grand ménage d'automne"]

    _sign_in_from_the_answer(page, organiser)
    expect(page).to_have_url(re.compile(r"/cleanup/campaigns/new$"))
    _expect_campaign_filled(page)
    # Said in the page's messages, a live region since the page loaded.
    restored = page.locator("#draft-restored")
    expect(restored).to_have_text(RESTORED)
    expect(restored).to_be_focused()  # read out, just above the form put back
    assert _drafts(page) == {}  # put back once, then gone


def test_a_campaign_saved_leaves_no_copy(page, make):
    browser_sign_in(page, make.user(roles=("organiser",)))
    page.goto("/cleanup/campaigns/new", wait_until="load")
    page.fill("input[name=name_fr]", "Grand ménage d'automne")
    page.fill("input[name=name_en]", "Autumn clean-up")
    page.fill("input[name=starts_at]", in_days(100, "09:00"))
    page.fill("input[name=ends_at]", in_days(121, "18:00"))
    _send_campaign(page)
    expect(page.locator("#flashes .flash-success")).to_be_visible()
    assert _drafts(page) == {}
    expect(page.get_by_text(RESTORED)).to_have_count(0)


def test_nothing_is_said_kept_without_anything_typed(page, make):
    """The answer's sentence about what is kept shows only where a copy was made."""
    browser_sign_in(page, make.user(roles=("organiser",)))
    page.goto("/cleanup/campaigns/new", wait_until="load")
    page.context.clear_cookies()
    _send_campaign(page)
    expect(page.locator("main")).to_contain_text("reconnectez-vous")
    expect(page.get_by_text(KEPT)).to_be_hidden()
    assert _drafts(page) == {}


def test_a_log_sent_through_htmx_after_the_session_ended_comes_back(page, make):
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5)
    )
    person = make.user()
    browser_sign_in(page, person)
    page.goto(f"/cleanup/campaigns/{campaign.id}", wait_until="load")
    page.select_option("select[name=action_type]", "delete-mail")
    page.fill("input[name=quantity]", "3,5")
    page.wait_for_load_state("networkidle")  # the unit's hint, asked on the choice
    page.context.clear_cookies()

    page.locator("form.cleanup-log button[type=submit]").click()
    flashes = page.locator("#flashes")
    expect(flashes).to_contain_text("reconnectez-vous pour continuer sur cette page")
    expect(flashes.get_by_text(KEPT)).to_be_visible()
    # The keyboard is taken to the way back in, at the top, away from the dead form.
    expect(flashes.get_by_role("link", name="Se connecter")).to_be_focused()
    # The form is still there as typed; the copy waits for the next page.
    expect(page.locator("input[name=quantity]")).to_have_value("3,5")

    _sign_in_from_the_answer(page, person, answer="#flashes")
    expect(page).to_have_url(re.compile(rf"/cleanup/campaigns/{campaign.id}$"))
    expect(page.locator("select[name=action_type]")).to_have_value("delete-mail")
    expect(page.locator("input[name=quantity]")).to_have_value("3,5")
    # Said just above the log form, three screens down the page, and focused there.
    expect(page.locator("#draft-restored + form.cleanup-log")).to_have_count(1)
    expect(page.locator("#draft-restored")).to_be_focused()
    expect(page.locator("#draft-restored")).to_have_text(RESTORED)
    assert _drafts(page) == {}


def test_a_template_typed_while_the_session_ends_is_kept_by_its_preview(page, make):
    """The editor previews as one types: the first preview after the session ended
    answers that it did, before anything is saved, and the page keeps the template."""
    organiser = make.user(roles=("organiser",))
    browser_sign_in(page, organiser)
    page.goto("/messaging/templates/new", wait_until="load")
    page.fill("input[name=key]", "autumn-letter")
    page.fill("input[name=name]", "Lettre d'automne")
    page.fill("input[name=subject_fr]", "Le grand ménage commence")
    page.wait_for_load_state("networkidle")  # the previews of the typing so far
    page.context.clear_cookies()

    page.locator("textarea[name=body_fr]").press_sequentially("Bonjour {{ first_name }},")
    expect(page.locator("#flashes")).to_contain_text("reconnectez-vous")
    expect(page.locator("#flashes").get_by_text(KEPT)).to_be_visible()

    _sign_in_from_the_answer(page, organiser, answer="#flashes")
    expect(page).to_have_url(re.compile(r"/messaging/templates/new$"))
    expect(page.locator("input[name=name]")).to_have_value("Lettre d'automne")
    expect(page.locator("input[name=subject_fr]")).to_have_value("Le grand ménage commence")
    expect(page.locator("textarea[name=body_fr]")).to_have_value("Bonjour {{ first_name }},")
    expect(page.locator("#draft-restored")).to_have_text(RESTORED)


def test_another_sign_in_in_the_browser_keeps_the_form_for_its_page(page, make):
    """Signed in again in another tab: the old page's token no longer works. Its answer
    links back to the form, where the typing is put back; signing out forgets a copy."""
    organiser = make.user(roles=("organiser",))
    browser_sign_in(page, organiser)
    _fill_campaign(page)
    other_tab = page.context.new_page()
    browser_sign_in(other_tab, organiser)  # a new session, a new token
    other_tab.close()

    _send_campaign(page)
    main = page.locator("main")
    expect(main).to_contain_text("Votre formulaire a expiré")
    expect(main.get_by_text(KEPT_SIGNED_IN)).to_be_visible()
    with page.expect_navigation():
        main.get_by_role("link", name="Rouvrir le formulaire").click()
    _expect_campaign_filled(page)
    expect(page.locator("#draft-restored")).to_have_text(RESTORED)
    assert _drafts(page) == {}

    # Stale again, then signing out: nothing is left in the tab.
    other_tab = page.context.new_page()
    browser_sign_in(other_tab, organiser)
    other_tab.close()
    _send_campaign(page)
    assert len(_drafts(page)) == 1
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    assert _drafts(page) == {}


def test_a_copy_is_never_put_back_for_someone_else(page, make):
    """A shared computer: the next person signs in in the same tab."""
    first = make.user(roles=("organiser",))
    second = make.user(roles=("organiser",))
    browser_sign_in(page, first)
    _fill_campaign(page)
    page.context.clear_cookies()
    _send_campaign(page)

    _sign_in_from_the_answer(page, second)
    expect(page).to_have_url(re.compile(r"/cleanup/campaigns/new$"))
    expect(page.locator("input[name=name_fr]")).to_have_value("")
    expect(page.get_by_text(RESTORED)).to_have_count(0)
    assert _drafts(page) == {}


def test_a_copy_older_than_a_day_is_not_put_back(page, make):
    organiser = make.user(roles=("organiser",))
    browser_sign_in(page, organiser)
    _fill_campaign(page)
    page.context.clear_cookies()
    _send_campaign(page)
    [(key, draft)] = _drafts(page).items()
    draft["at"] -= 25 * 60 * 60 * 1000
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, json.dumps(draft)])

    _sign_in_from_the_answer(page, organiser)
    expect(page.locator("input[name=name_fr]")).to_have_value("")
    assert _drafts(page) == {}


def test_passwords_are_never_kept(page, make):
    person = make.user()
    browser_sign_in(page, person)
    page.goto("/auth/profile", wait_until="load")
    page.fill("input[name=current_password]", DEFAULT_PASSWORD)
    page.fill("input[name=new_password]", "a brand new passphrase")
    page.context.clear_cookies()
    with page.expect_navigation():
        page.locator("form[action$='/auth/profile/password'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("reconnectez-vous")

    # Nor the one typed to sign in again.
    _sign_in_from_the_answer(page, person)
    stored = _whole_storage(page)
    assert DEFAULT_PASSWORD not in stored and "a brand new passphrase" not in stored
    assert _drafts(page) == {}
