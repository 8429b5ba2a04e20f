"""Text in the other language than the page's: an organiser's French reason on an English
campaign page was marked `lang="fr"` but said nothing to a sighted reader, where the inbox
says "(in French)"; the guides' French report title had no `lang` on an English page."""

import html
import re

from sqlalchemy import update

from app.cleanup.models import CleanupActionType
from app.extensions import db
from tests.cleanup.conftest import flagged_entry, send_review
from tests.conftest import login

FRENCH = "Même boîte nettoyée que dans votre saisie précédente"
TITLE = "Évaluation de l'impact environnemental du numérique en France"


def test_a_french_reason_on_an_english_page_says_it_is_in_french(client, make, running):
    author = make.user(locale="en")
    entry = flagged_entry(client, running, author)
    login(client, make.user(roles=("organiser",), locale="fr"))
    assert send_review(client, entry.id, "reject", FRENCH).status_code == 302
    login(client, author)

    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True))
    row = page.split(f'id="entry-{entry.id}"', 1)[1].split("</tr>", 1)[0]
    assert f'<span lang="fr">{FRENCH}</span> <span class="hint">(in French)</span>' in row


def test_an_english_reason_on_a_french_page_says_it_is_in_english(client, make, running):
    author = make.user(locale="fr")
    entry = flagged_entry(client, running, author)
    login(client, make.user(roles=("organiser",), locale="en"))
    assert send_review(client, entry.id, "reject", "Same box as before").status_code == 302
    login(client, author)

    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True))
    assert (
        '<span lang="en">Same box as before</span> <span class="hint">(en anglais)</span>' in page
    )


def test_the_french_report_title_is_marked_french_on_the_english_guides(client, make):
    login(client, make.user(locale="en"))
    english = html.unescape(client.get("/cleanup/guides").get_data(as_text=True))
    assert f'ADEME-Arcep, <cite lang="fr">{TITLE}</cite> (2022); range from' in english

    login(client, make.user(locale="fr"))
    french = html.unescape(client.get("/cleanup/guides").get_data(as_text=True))
    assert f"ADEME-Arcep, <cite>{TITLE}</cite> (2022)\u00a0; fourchette" in french
    assert not re.search(r'lang="fr"[^>]*>' + re.escape(TITLE), french)


def test_an_organisers_own_source_is_shown_as_typed(client, make):
    login(client, make.user(locale="en"))
    client.get("/cleanup/guides")  # the built-in types
    db.session.execute(update(CleanupActionType).values(factor_source="Our <own> study"))
    db.session.commit()
    english = client.get("/cleanup/guides").get_data(as_text=True)
    assert "Our &lt;own&gt; study" in english and "<cite" not in english
