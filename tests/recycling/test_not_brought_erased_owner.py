"""Review of 7 December: a declaration whose owner's account was erased is closed without
claiming that its owner is told (no message can reach an erased account), on the page and
in the question asked first, as the clean-up review queue says it."""

import html
import re

from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.recycling.test_not_brought import _page, desk  # noqa: F401

NO_MESSAGE = "Its owner's account was erased: no message is sent."


def _close_form(page: str) -> str:
    return re.search(r'<form[^>]*/not-brought".*?</form>', page, re.S).group(0)


def test_closing_an_erased_owners_declaration_says_no_message_is_sent(client, desk):  # noqa: F811
    laptop = desk.declare()
    erase_user(laptop.user, utcnow())
    db.session.commit()
    form = html.unescape(_close_form(_page(client, laptop)))
    question = re.search(r'data-confirm="([^"]*)"', form).group(1)
    assert question.startswith(f"Close the declaration {laptop.receipt_number}? {NO_MESSAGE}")
    assert "is told" not in form  # nor in the question asked without JavaScript
    assert f'name="ask_first" value="{question}"' in form
    assert "frees its asset tag. " + NO_MESSAGE in form


def test_an_owner_still_there_is_still_told(client, desk):  # noqa: F811
    laptop = desk.declare()
    form = html.unescape(_close_form(_page(client, laptop)))
    assert "Its owner is told" in form and "tells its owner" in form
    assert NO_MESSAGE not in form


def test_in_french_the_page_says_no_message_is_sent(client, desk):  # noqa: F811
    laptop = desk.declare()
    erase_user(laptop.user, utcnow())
    desk.agent.locale = "fr"
    db.session.commit()
    page = _page(client, laptop)
    assert "Le compte de son propriétaire a été effacé\u00a0: aucun message n'est envoyé." in page
    assert "avertit son propriétaire" not in page and "Son propriétaire est averti" not in page


def test_the_closing_message_claims_no_message_for_an_erased_owner(client, desk):  # noqa: F811
    from tests.recycling.test_not_brought import _close

    laptop = desk.declare()
    erase_user(laptop.user, utcnow())
    db.session.commit()
    page = html.unescape(_close(client, laptop, ask_first="").get_data(as_text=True))
    if "is told" not in page and "closed" not in page:  # a redirect: follow it
        page = _page(client, laptop)
    assert f"Declaration {laptop.receipt_number} closed." in page
    assert "its owner is told" not in page
