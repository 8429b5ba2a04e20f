"""Accessibility without JavaScript (RGAA / WCAG 2.1 AA).

1. A question asked on a page of its own names what it is about, in the page's title and
   heading, and its "no" goes back to that item's place (2.4.2, 2.4.6, 3.3.4).
2. A message marked read with the plain form comes back open, "Marked as read." in view at
   its place (3.2.2, 4.1.3), for that message only.
3. The collection desk reads out a filter's count and an action's confirmation, not every
   row of its table (4.1.3).
"""

import html
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.cleanup import services as cleanup_services
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging import services as messaging_services
from app.messaging.models import Delivery
from app.recycling.models import DeviceReturn
from tests.cleanup.conftest import make_campaign  # noqa: F401 - fixture
from tests.conftest import browser_sign_in, csrf_token, login
from tests.messaging.conftest import template  # noqa: F401 - fixture
from tests.recycling.conftest import rec  # noqa: F401 - fixture

ASKED = re.compile(r"<noscript>(.*?)</noscript>", re.S)
HX = {"HX-Request": "true"}


def _noscript_fields(page: str, around: str) -> dict[str, str]:
    """The hidden fields a browser without JavaScript sends from the form around `around`."""
    start = page.index(around)
    block = ASKED.search(page, page.rindex("<form", 0, start)).group(1)
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', block)
    }


def _title(page: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))


def _heading(page: str) -> str:
    inner = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    # Spaces, tags and line breaks as one space; no-break spaces kept (French typography).
    return re.sub(r"[ \n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inner))).strip()


def _keep_link(page: str, words: str) -> str:
    """The address of the question page's "no" link."""
    found = re.search(rf'<a href="([^"]*)">{re.escape(words)}</a>', html.unescape(page))
    return found.group(1)


def _ask(client, url: str, fields: dict, came_from: str) -> str:
    """Send a form's no-script question from the page at `came_from`: the question page."""
    data = {"csrf_token": csrf_token(client), **fields}
    answer = client.post(url, data=data, headers={"Referer": f"http://localhost{came_from}"})
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _deliver(template, count: int = 1, subject_en: str = "Hello {{ first_name }}") -> None:  # noqa: F811
    news = template(subject_en=subject_en)
    now = utcnow()
    for _ in range(count):
        dispatch = messaging_services.create_dispatch(news, "everyone", {}, now, now)
        db.session.commit()
        jobs.run_dispatch(dispatch.id, clock=lambda: now)


def _inbox(user) -> list[int]:
    return db.session.scalars(
        select(Delivery.id)
        .where(Delivery.user_id == user.id, Delivery.channel == "inbox")
        .order_by(Delivery.id)
    ).all()


def _article(page: str, message_id: int) -> str:
    start = page.index('<article class="message')
    start = page.index(f'id="message-{message_id}"', start)
    return page[page.rindex("<article", 0, start) : page.index("</article>", start)]


def _running_entry(make, make_campaign, locale="fr"):  # noqa: F811
    """Someone with one entry in a running campaign: (them, the campaign, the entry)."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    person = make.user(locale=locale)
    entry = cleanup_services.log_action(person, campaign, "delete-mail", 2, now)
    db.session.commit()
    return person, campaign, entry


# --- 1. the question names its item, and "no" goes back to it --------------------------------


def test_deleting_an_entry_without_javascript_names_the_entry_and_comes_back_to_its_row(
    client,
    make,
    make_campaign,  # noqa: F811
):
    person, campaign, entry = _running_entry(make, make_campaign)
    login(client, person)
    at = f"/cleanup/campaigns/{campaign.id}?entries=all"
    page = client.get(at).get_data(as_text=True)
    when = html.unescape(re.search(rf'id="entry-{entry.id}-when">(.*?)</td>', page).group(1))
    fields = _noscript_fields(page, f'id="delete-{entry.id}"')

    asked = _ask(client, f"/cleanup/actions/{entry.id}/delete", fields, at)

    about = f"{entry.action_type.name('fr')}, {when}"
    assert _title(asked) == f"Supprimer cette saisie\u00a0? {about} · Empreinte"
    assert (
        _heading(asked)
        == f"Supprimer cette saisie\u00a0? Ses points seront retirés de votre score. {about}"
    )
    assert _keep_link(asked, "Ne rien changer") == f"{at}#entry-{entry.id}"
    assert db.session.get(CleanupAction, entry.id) is not None


def test_deleting_a_message_without_javascript_names_its_subject_and_date(client, make, template):  # noqa: F811
    reader = make.user(locale="en", display_name="Inès Roux")
    _deliver(template, 2, subject_en="Spring news for {{ first_name }}")
    _first, second = _inbox(reader)
    login(client, reader)
    page = client.get("/messaging/").get_data(as_text=True)
    delivered = html.unescape(
        re.search(r'<span class="hint message-when">([^<]*)</span>', _article(page, second)).group(
            1
        )
    )
    fields = _noscript_fields(page, f'action="/messaging/inbox/{second}/delete"')

    asked = _ask(client, f"/messaging/inbox/{second}/delete", fields, "/messaging/")

    assert _title(asked) == f"Delete this message? Spring news for Inès, {delivered} · Empreinte"
    assert "Spring news for Inès" in _heading(asked)
    assert _keep_link(asked, "Keep it") == f"/messaging/#message-{second}"
    assert len(_inbox(reader)) == 2


def test_delete_read_messages_says_how_many_and_follows_the_count(client, auth, make, template):  # noqa: F811
    reader = make.user(locale="fr")
    _deliver(template, 3)
    first, second, _third = _inbox(reader)
    login(client, reader)
    for read in (first, second):
        auth.post(f"/messaging/inbox/{read}/read")
    page = client.get("/messaging/").get_data(as_text=True)
    fields = _noscript_fields(page, 'action="/messaging/inbox/delete-read"')
    asked = _ask(client, "/messaging/inbox/delete-read", fields, "/messaging/")
    assert (
        _title(asked)
        == "Supprimer tous les messages que vous avez lus\u00a0? 2 messages lus · Empreinte"
    )
    assert _keep_link(asked, "Les garder") == "/messaging/#inbox-head"
    # One read message deleted, the same count unread: the inbox's head says one now.
    auth.post(f"/messaging/inbox/{first}/delete")
    page = client.get("/messaging/").get_data(as_text=True)
    assert _noscript_fields(page, 'action="/messaging/inbox/delete-read"')["ask_first_about"] == (
        "1 message lu"
    )


def test_withdrawing_a_return_without_javascript_names_its_receipt(client, make, rec):  # noqa: F811
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, rec.point(opening_hours="24/7"), now=utcnow())
    receipt = device_return.receipt_number
    login(client, owner)
    at = f"/recycling/returns/{receipt}"
    page = client.get(at).get_data(as_text=True)
    fields = _noscript_fields(page, f'action="/recycling/returns/{receipt}/withdraw"')

    asked = _ask(client, f"/recycling/returns/{receipt}/withdraw", fields, at)

    assert (
        _title(asked)
        == f"Retirer cette déclaration\u00a0? Reçu {receipt}, Ordinateur portable · Empreinte"
    )
    assert f"Reçu {receipt}, Ordinateur portable" in _heading(asked)
    assert _keep_link(asked, "Ne rien changer") == f"{at}#bring-title"
    db.session.expire_all()
    assert db.session.get(DeviceReturn, device_return.id).status == "declared"


def test_what_a_question_is_about_is_escaped_and_its_way_back_stays_on_the_portal(
    client,
    make,
    make_campaign,  # noqa: F811
):
    """The text posted is the person's own request: shown as text, never as markup; the
    anchor is an id or nothing, and the way back another host never."""
    person, _campaign, entry = _running_entry(make, make_campaign, locale="en")
    login(client, person)
    fields = {
        "ask_first": "Delete this entry?",
        "ask_first_no": "Keep it",
        "ask_first_about": '<img src=x onerror="alert(1)">',
        "ask_first_anchor": "x/../../evil",
    }
    asked = client.post(
        f"/cleanup/actions/{entry.id}/delete",
        data={"csrf_token": csrf_token(client), **fields},
        headers={"Referer": "https://evil.example/cleanup/campaigns/1"},
    ).get_data(as_text=True)
    assert "<img" not in asked
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in asked
    back = _keep_link(asked, "Keep it")
    assert back.startswith("/") and not back.startswith("//") and "#" not in back
    again = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', asked))
    assert not any(name.startswith("ask_first") for name in again)


# --- 2. a message marked read without JavaScript stays open, said at its place ---------------


def test_marking_read_without_javascript_comes_back_open_saying_so_at_the_message(
    client,
    auth,
    make,
    template,  # noqa: F811
):
    reader = make.user(locale="fr")
    _deliver(template, 2)
    _first, second = _inbox(reader)
    login(client, reader)
    client.get("/messaging/")  # every kind rendered once already
    answer = auth.post(f"/messaging/inbox/{second}/read")
    assert answer.headers["Location"].endswith(f"/messaging/#message-{second}-read")

    page = client.get("/messaging/").get_data(as_text=True)
    read = _article(page, second)
    assert "<details open>" in read
    assert f'id="message-{second}-read"' in read and "Message marqué comme lu." in read
    assert '<p class="flash' not in page  # not at the top of the page, out of view
    # Shown once: the inbox shown again has it folded, and says nothing more.
    again = client.get("/messaging/").get_data(as_text=True)
    assert "<details open>" not in _article(again, second)
    assert "Message marqué comme lu." not in again


def test_a_message_left_open_after_marking_it_read_is_that_one_only(client, auth, make, template):  # noqa: F811
    """The inbox renders each kind of message once: the open one must not open others."""
    reader, colleague = make.user(locale="fr"), make.user(locale="fr")
    _deliver(template, 2)
    mine, colleagues = _inbox(reader), _inbox(colleague)
    login(client, colleague)
    auth.post(f"/messaging/inbox/{colleagues[0]}/read")
    client.get("/messaging/")  # shown once, as read
    login(client, reader)
    for message in mine:
        auth.post(f"/messaging/inbox/{message}/read")
    page = client.get("/messaging/").get_data(as_text=True)
    assert "<details open>" in _article(page, mine[1])  # the last one marked
    assert "<details open>" not in _article(page, mine[0])
    login(client, colleague)
    page = client.get("/messaging/").get_data(as_text=True)
    assert "<details open>" not in _article(page, colleagues[0])
    assert "Message marqué comme lu." not in page


@pytest.mark.browser
def test_without_javascript_a_message_marked_read_stays_open_with_its_notice_in_view(
    browser,
    live_server,
    make,
    template,  # noqa: F811
):
    reader = make.user(locale="fr")
    _deliver(template, 3)
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        browser_sign_in(page, reader.email)
        page.goto("/messaging/")
        last = page.locator("article.message").last
        last.get_by_role("button", name=re.compile(r"^Marquer comme lu ")).click()
        page.wait_for_url(re.compile(r"#message-\d+-read$"))
        last = page.locator("article.message").last
        expect(last.locator(".message-body")).to_be_visible()
        expect(last.get_by_text("Message marqué comme lu.")).to_be_in_viewport()
    finally:
        context.close()


@pytest.mark.browser
def test_without_javascript_an_entrys_question_is_titled_by_it_and_keep_comes_back_to_it(
    browser,
    live_server,
    make,
    make_campaign,  # noqa: F811
):
    person, campaign, entry = _running_entry(make, make_campaign)
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        browser_sign_in(page, person)
        page.goto(f"/cleanup/campaigns/{campaign.id}")
        when = page.locator(f"#entry-{entry.id}-when").inner_text()
        page.locator(f"#delete-{entry.id}").click()
        about = f"{entry.action_type.name('fr')}, {when}"
        expect(page).to_have_title(f"Supprimer cette saisie\u00a0? {about} · Empreinte")
        expect(page.get_by_role("heading", level=1)).to_contain_text(about)
        page.get_by_role("link", name="Ne rien changer").click()
        expect(page).to_have_url(f"{live_server}/cleanup/campaigns/{campaign.id}#entry-{entry.id}")
        expect(page.locator(f"#entry-{entry.id}")).to_be_in_viewport()
    finally:
        context.close()


# --- 3. the collection desk reads out the count and the confirmation, not the rows ----------


def test_the_desks_table_is_no_live_region_and_its_count_is_read_out(client, make, rec):  # noqa: F811
    point = rec.point()
    agent = rec.agent(point)
    rec.device_return(make.user(), point)
    login(client, agent)
    page = client.get("/recycling/agent").get_data(as_text=True)
    region = re.search(r'<div id="agent-returns"[^>]*>', page).group(0)
    assert "aria-live" not in region
    partial = client.get("/recycling/agent?status=all", headers=HX).get_data(as_text=True)
    assert re.search(r'<p id="agent-returns-count" data-announce>1 [^<]*</p>', partial)


@pytest.mark.browser
def test_a_desk_filter_reads_out_its_count_only_and_a_receipt_its_confirmation(
    page,
    make,
    rec,  # noqa: F811
):
    point = rec.point(name="Mairie")
    agent = rec.agent(point)
    owner = make.user()
    for _ in range(3):
        rec.device_return(owner, point, device_type="smartphone")
    browser_sign_in(page, agent)
    page.goto("/recycling/agent")
    page.evaluate("window.announcerAtLoad = document.getElementById('announcer')")
    expect(page.locator("#agent-returns")).not_to_have_attribute("aria-live", re.compile(".*"))
    expect(page.locator("[aria-live]").filter(has=page.locator("table"))).to_have_count(0)

    page.get_by_label("Statut").select_option("all")
    page.get_by_role("button", name="Filtrer", exact=True).click()  # sent by the button only
    page.wait_for_url(re.compile(r"status=all"))
    expect(page.locator("#announcer")).to_have_text("3 dépôts")

    # The button is gone: the confirmation takes the focus and is read for that, once;
    # #announcer does not repeat it (RGAA 7.5).
    page.locator("#agent-returns form button[type=submit]").first.click()
    expect(page.locator(":focus")).to_have_text(re.compile(r"^ ?Réception confirmée pour RC-"))
    page.wait_for_timeout(400)  # past the moment #announcer would be filled
    expect(page.locator("#announcer")).not_to_contain_text("Réception confirmée")
