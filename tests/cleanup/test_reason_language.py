"""An organiser's reason is written in their language: most in French. On an English page
it was read out with English pronunciation (RGAA 8.7). The reason now keeps the language
it was written in (its reviewer's interface language then), and every page in the other
language marks it with `lang`: "My entries", the review page's latest decisions."""

import html
import re
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app import create_app
from app.cleanup import services
from app.cleanup.models import CleanupAction
from app.config import TestConfig
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant, build_campaign, flagged_entry, send_review
from tests.conftest import login

FRENCH = "Même boîte nettoyée que dans votre saisie précédente"


def _status_cell(page: str, entry_id: int) -> str:
    """The status cell of the entry's row in "My entries", as the page's HTML writes it."""
    row = page.split(f'id="entry-{entry_id}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[3]  # when, quantity, points, status


def _rejected_by(client, make, running, reviewer_locale: str, author_locale: str):
    """A flagged entry of an author reading in `author_locale`, rejected with a reason by
    an organiser whose interface is in `reviewer_locale`; the author signed in."""
    author = make.user(locale=author_locale)
    entry = flagged_entry(client, running, author)
    login(client, make.user(roles=("organiser",), locale=reviewer_locale))
    assert send_review(client, entry.id, "reject", FRENCH).status_code == 302
    login(client, author)
    return entry


def test_the_reason_keeps_the_language_it_was_written_in(client, make, running):
    entry = _rejected_by(client, make, running, "fr", "en")

    db.session.expire_all()
    assert db.session.get(CleanupAction, entry.id).review_reason_lang == "fr"


def test_ones_data_download_gives_the_reasons_language(client, make, running):
    """The data download holds what the portal keeps of an entry: its reason's language too."""
    entry = _rejected_by(client, make, running, "fr", "en")

    exported = client.get("/auth/profile/export").get_json()

    (action,) = [a for a in exported["actions"] if a["review_reason"] == FRENCH]
    assert action["review_reason_lang"] == "fr"
    assert entry.id  # the author's own entry, read back from their download


def test_a_french_reason_on_an_english_page_is_marked_french(client, make, running):
    entry = _rejected_by(client, make, running, "fr", "en")

    page = client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True)

    cell = html.unescape(_status_cell(page, entry.id))
    assert cell.startswith(
        f'Rejected: <span lang="fr">{FRENCH}</span> <span class="hint">(in French)</span>'
    )


def test_a_reason_in_the_pages_language_is_not_marked(client, make, running):
    entry = _rejected_by(client, make, running, "fr", "fr")

    page = client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True)

    assert "lang=" not in _status_cell(page, entry.id)


def test_a_refused_correction_gives_its_reason_marked_french(client, make, running):
    author = make.user(locale="en")
    person = Participant(client, running, author)
    assert person.log("delete-mail", "1").status_code == 200
    entry = db.session.scalars(select(CleanupAction).order_by(CleanupAction.id.desc())).first()
    assert person.correct(entry.id, "15").status_code == 200
    login(client, make.user(roles=("organiser",), locale="fr"))
    assert send_review(client, entry.id, "reject", FRENCH).status_code == 302

    login(client, author)
    page = client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True)

    assert f'not accepted: <span lang="fr">{FRENCH}</span>' in html.unescape(
        _status_cell(page, entry.id)
    )


def test_an_english_organiser_reads_a_french_decision_marked_french(client, make, running):
    entry = flagged_entry(client, running, make.user())
    login(client, make.user(roles=("organiser",), locale="fr"))
    send_review(client, entry.id, "reject", FRENCH)
    login(client, make.user(roles=("organiser",), locale="en"))

    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}/review").text)

    decision = page.split(f'id="review-{entry.id}"', 1)[1].split("</section>", 1)[0]
    assert f'<span lang="fr">{FRENCH}</span>' in decision


def test_the_seed_writes_its_reason_in_french(app, make):
    """The demo's rejected entry (seed._an_entry_of_the_demo_employee_set_aside)."""
    from app.cleanup.seed import _an_entry_of_the_demo_employee_set_aside

    make.user(email="employee@demo.empreinte.fr")
    make.user(roles=("organiser",), email="organiser@demo.empreinte.fr", locale="en")
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=4), ends_at=now + timedelta(days=17)
    )
    _an_entry_of_the_demo_employee_set_aside(campaign, now)
    db.session.commit()

    rejected = db.session.scalars(select(CleanupAction).where(CleanupAction.review_reason != ""))
    assert [entry.review_reason_lang for entry in rejected] == ["fr"]


BEFORE = "20261210_cleanup_campaign_once"


@pytest.mark.parametrize("default_locale", ["en", "fr"])
def test_the_migration_marks_existing_reasons(empty_database_url, default_locale):
    """The seeded reasons (the demo organiser's) are French; the others are said to be in
    the deployment's default locale; an empty reason has no language."""
    portal = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url, BABEL_DEFAULT_LOCALE=default_locale
    )
    with portal.app_context():
        upgrade(revision="heads")
        from tests.factories import Factories

        make = Factories()
        demo = make.user(roles=("organiser",), email="organiser@demo.empreinte.fr")
        other = make.user(roles=("organiser",))
        now = utcnow()
        campaign = build_campaign(
            make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5)
        )
        entries = {}
        for name, reviewer, accept, reason in (
            ("seeded", demo, False, FRENCH),
            ("other", other, False, "Doublon"),
            ("empty", other, True, ""),
        ):
            author = make.user()
            entries[name] = services.log_action(author, campaign, "delete-mail", 12, now).id
            action = db.session.get(CleanupAction, entries[name])
            services.review_action(action, reviewer, accept, reason, now)
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)  # the reasons as a portal before this change had them
        upgrade(revision="heads")
        languages = {
            name: db.session.scalar(
                select(CleanupAction.review_reason_lang).where(CleanupAction.id == entry_id)
            )
            for name, entry_id in entries.items()
        }
        db.session.remove()
        db.engine.dispose()
    assert languages == {"seeded": "fr", "other": default_locale, "empty": None}
