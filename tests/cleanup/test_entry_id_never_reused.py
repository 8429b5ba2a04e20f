"""A page left open names an entry deleted since in another tab, and another entry logged
after it: on SQLite the newer entry took the deleted one's id, and the old page's
correction changed it ("Entry corrected."), its deletion deleted it. Ids are never given
again (AUTOINCREMENT, migration 20261212_ids_never_reused): the old page is told the entry
is gone, and the newer entry stays as it is."""

import html
import re

from sqlalchemy import select

from app.cleanup.models import CleanupAction
from app.extensions import db
from tests.conftest import csrf_token

GONE = "Cette saisie a déjà été supprimée."


def _form_url(page: str, entry_id: int, verb: str) -> str:
    """The address of an entry's correction or deletion form, as the page shows it."""
    return html.unescape(re.search(rf'action="([^"]*/actions/{entry_id}/{verb}[^"]*)"', page)[1])


def _newest_entry() -> CleanupAction:
    db.session.expire_all()
    return db.session.scalars(select(CleanupAction).order_by(CleanupAction.id.desc())).first()


def _tab_a_then_tab_b(participant) -> tuple[str, CleanupAction]:
    """Tab A shows the person's newest entry; tab B deletes it and logs another. Returns
    tab A's page and the newer entry."""
    assert participant.log("delete-mail", "2").status_code == 200
    first_id = _newest_entry().id
    tab_a = participant.page()
    assert participant.delete(first_id).status_code == 302  # tab B
    assert participant.log("delete-mail", "3").status_code == 200
    return tab_a, _newest_entry()


def _send(participant, url: str, **data):
    data = {"csrf_token": csrf_token(participant.client), **data}
    return participant.client.post(url, data=data, headers={"HX-Request": "true"})


def test_a_stale_correction_says_the_entry_is_gone_and_leaves_the_newer_one(participant):
    tab_a, newer = _tab_a_then_tab_b(participant)
    first_id = int(re.search(r"/actions/(\d+)/correct", tab_a)[1])

    answer = _send(participant, _form_url(tab_a, first_id, "correct"), quantity="9")

    assert (answer.status_code, GONE in html.unescape(answer.text)) == (409, True)
    assert (_newest_entry().id, _newest_entry().quantity) == (newer.id, 3)


def test_a_stale_deletion_says_the_entry_is_gone_and_keeps_the_newer_one(participant):
    tab_a, newer = _tab_a_then_tab_b(participant)
    first_id = int(re.search(r"/actions/(\d+)/delete", tab_a)[1])

    answer = _send(participant, _form_url(tab_a, first_id, "delete"))

    assert (answer.status_code, GONE in html.unescape(answer.text)) == (409, True)
    assert _newest_entry().id == newer.id
