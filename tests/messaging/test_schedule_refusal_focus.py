"""A refused schedule is shown at the field in error, which takes the focus: a date in
the past at the date and time (not at "When", its three options red and "Now" focused),
an empty audience at the audience."""

import re

from sqlalchemy import select

from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import login

CONFIRMED = {"confirm": "yes"}


def _tag(page: str, element: str, attribute: str) -> str:
    return re.search(rf"<{element}\b[^>]*\b{attribute}[^>]*>", page).group(0)


def _assert_refused_at(page: str, element: str, field_id: str) -> None:
    """The refusal is at `field_id` alone, which has the page's only focus."""
    tag = _tag(page, element, f'id="{field_id}"')
    assert "autofocus" in tag and 'aria-invalid="true"' in tag
    assert f'id="{field_id}-error"' in page
    assert page.count("autofocus") == 1
    assert 'id="kind-error"' not in page
    when = page.split("<legend>Quand</legend>", 1)[0].rsplit('<div class="field', 1)[1]
    assert when.startswith('">')  # "When" is not marked as an error: its options stay plain


def test_a_date_in_the_past_is_refused_at_the_date_which_takes_the_focus(
    auth, client, make, template
):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={
            "template": template().id,
            "audience": "everyone",
            "kind": "at",
            "at": "2020-01-06T09:00",
            **CONFIRMED,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Cette date est passée" in page.split('id="at-error">', 1)[1].split("</p>", 1)[0]
    _assert_refused_at(page, "input", "at")
    assert db.session.scalar(select(Dispatch)) is None


def test_a_moment_left_empty_is_asked_at_the_date(auth, client, make, template):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={"template": template().id, "audience": "everyone", "kind": "at", "at": ""},
    )
    assert response.status_code == 422
    _assert_refused_at(response.get_data(as_text=True), "input", "at")


def test_an_empty_audience_is_refused_at_the_audience(auth, client, make, template):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={"template": template().id, "audience": "role", "role": "agent", "kind": "now"},
    )
    assert response.status_code == 422
    _assert_refused_at(response.get_data(as_text=True), "select", "audience")
