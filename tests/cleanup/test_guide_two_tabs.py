"""Two organisers (or two tabs) saving the same guide: a save from a form shown before
another save silently undid it. The form now carries the guide's version: a save from a
version overtaken since is refused (422), nothing changes, and the form shows the guide
as it is now with what the person had typed under the fields where it differs."""

import html
import re

from sqlalchemy import func, select

from app.cleanup.models import CleanupActionType
from app.core.audit import AuditEvent
from app.extensions import db
from tests.cleanup.test_audit_changes import _guide_as_saved
from tests.conftest import csrf_token, login

URL = "/cleanup/guides/delete-mail/edit"
STALE = "Quelqu'un d'autre a modifié ce guide après que vous avez ouvert ce formulaire"


def _version_shown(client) -> str:
    page = client.get(URL).get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="version"[^>]*>', page)
    assert tag is not None, "the guide form carries no version"
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1)


def _guide() -> CleanupActionType:
    db.session.expire_all()
    return db.session.scalar(select(CleanupActionType).filter_by(key="delete-mail"))


def test_a_save_from_an_older_tab_is_refused_keeping_what_was_typed(client, make, make_campaign):
    make_campaign()
    login(client, make.user(roles=("organiser",), locale="fr"))
    old_tab = _version_shown(client)
    other_tab = _version_shown(client)
    first = {**_guide_as_saved("delete-mail", guide_fr="Triez par taille."),
             "version": other_tab, "csrf_token": csrf_token(client)}  # fmt: skip
    assert client.post(URL, data=first).status_code == 302

    late = {**_guide_as_saved("delete-mail", guide_en="Sort by date first."),
            "guide_fr": "Ancien texte", "version": old_tab, "csrf_token": csrf_token(client)}  # fmt: skip
    answer = client.post(URL, data=late)
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert STALE in page
    assert "Sort by date first." in page and "Ancien texte" in page  # what was typed
    assert _guide().guide_fr == "Triez par taille."  # the other save stands
    assert _guide().guide_en != "Sort by date first."
    events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).filter_by(object_type="cleanup_action_type")
    )
    assert events == 1
    # Sent again from the form as it is now shown, it is saved.
    again = re.search(r'<input[^>]*name="version"[^>]*value="([^"]*)"', page).group(1)
    resent = {**_guide_as_saved("delete-mail", guide_en="Sort by date first."),
              "version": again, "csrf_token": csrf_token(client)}  # fmt: skip
    assert client.post(URL, data=resent).status_code == 302
    assert _guide().guide_en == "Sort by date first."
