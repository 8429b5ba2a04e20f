"""An organiser's reason for a decision reaches the entry's author as written, marked
"(in French)" on an English page: the review form says which language the author reads
the portal in when it is not the page's, so that the reason can be written in it. Only
the language, and only when the author chose one."""

import html
import re

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

HX = {"HX-Request": "true"}


def _said(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def _review_page(client, make, flagged, organiser_locale: str, **htmx) -> str:
    login(client, make.user(roles=("organiser",), locale=organiser_locale))
    return _said(client.get(f"/cleanup/campaigns/{flagged.campaign.id}/review", **htmx))


def test_a_french_organiser_is_told_the_author_reads_english(client, make, flagged):
    entry = flagged(make.user(locale="en"))
    page = _review_page(client, make, flagged, "fr")
    assert "L'auteur de cette saisie lit le portail en anglais." in page
    # Read with the reason's field, by a screen reader too.
    described = re.search(rf'<textarea id="reason-{entry.id}"[^>]*aria-describedby="([^"]+)"', page)
    assert f"reason-{entry.id}-language" in described.group(1).split()


def test_an_english_organiser_is_told_the_author_reads_french(client, make, flagged):
    flagged(make.user(locale="fr"))
    page = _review_page(client, make, flagged, "en")
    assert "The author of this entry reads the portal in French." in page


def test_the_queue_swapped_in_by_htmx_says_it_too(client, make, flagged):
    flagged(make.user(locale="en"))
    page = _review_page(client, make, flagged, "fr", headers=HX)
    assert "L'auteur de cette saisie lit le portail en anglais." in page


def test_nothing_is_said_when_the_author_reads_the_pages_language(client, make, flagged):
    flagged(make.user(locale="fr"))
    page = _review_page(client, make, flagged, "fr")
    assert 'data-testid="review-author-language"' not in page


def test_nothing_is_said_of_an_author_who_chose_no_language(client, make, flagged):
    # Their pages follow their browser: the portal does not know what they read.
    flagged(make.user(locale=None))
    page = _review_page(client, make, flagged, "en")
    assert 'data-testid="review-author-language"' not in page


def test_a_decided_entry_changed_to_a_rejection_says_it_too(client, make, flagged):
    entry = flagged(make.user(locale="en"))
    services.review_action(entry, make.user(roles=("organiser",)), True, "", utcnow())
    db.session.commit()
    page = _review_page(client, make, flagged, "fr")
    decided = page.split(f'id="reason-{entry.id}"', 1)[0]
    assert "L'auteur de cette saisie lit le portail en anglais." in decided
