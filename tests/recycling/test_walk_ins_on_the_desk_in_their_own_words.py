"""The desk lists walk-ins (devices brought without a declaration) among the returns, and
three of its words did not fit them: the view « Retiré par la personne » listed walk-ins
an agent withdrew, the « Déclaré » column gave a date for devices nobody declared, and
the owner's notice of an undone walk-in had the subject « réception annulée,
enregistrement retiré » where its body speaks of a record made by mistake, cancelled."""

import html
import re

import pytest

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.recycling import services
from tests.conftest import login
from tests.recycling.test_undo_receipt import _undo
from tests.recycling.test_walk_in_undo_withdraws import _text, desk  # noqa: F401 - fixture

NBSP = "\u00a0"


def _option(page: str, value: str) -> str:
    [name] = re.findall(f'<option value="{value}"(?: selected)?>([^<]*)</option>', page)
    return html.unescape(name)


def _row(page: str, receipt: str) -> str:
    [row] = re.findall(f'<tr id="return-{receipt}".*?</tr>', page, re.S)
    return row


def _declared_cell(row: str) -> str:
    """The inside of the row's first cell, its « Déclaré » column's, as served."""
    return re.search(r"<td[^>]*>(.*?)</td>", row, re.S).group(1)


def test_the_withdrawn_view_is_named_for_both_and_each_row_says_by_whom(
    client,
    make,
    rec,
    desk,  # noqa: F811 - the fixture
):
    owner = make.user()
    declared = rec.device_return(owner, desk.point, now=utcnow())
    services.withdraw_return(owner, declared, utcnow())
    db.session.commit()
    walked_in = desk.recorded()
    _undo(client, walked_in)
    page = client.get("/recycling/agent", query_string={"status": "withdrawn"}).text
    assert _option(page, "withdrawn") == "Retirés"
    assert "Retiré par la personne" in _text(_row(page, declared.receipt_number))
    assert "Retiré par un agent" in _text(_row(page, walked_in.receipt_number))
    # The page's title names the view as its filter does.
    assert "<title>Retirés" in page


def test_the_withdrawn_view_is_named_withdrawn_in_english(client, make, rec):
    point = rec.point()
    login(client, rec.agent(point, locale="en"))
    page = client.get("/recycling/agent", query_string={"status": "withdrawn"}).text
    assert _option(page, "withdrawn") == "Withdrawn"
    assert "Withdrawn by the person" not in page


def test_a_walk_in_s_row_says_it_was_brought_without_a_declaration(
    client,
    make,
    rec,
    desk,  # noqa: F811 - the fixture
):
    owner = make.user()
    declared = rec.device_return(owner, desk.point, now=utcnow())
    walked_in = desk.recorded(asset_tag="BM-PC-0043")
    page = client.get("/recycling/agent", query_string={"status": "all"}).text
    walk_in_cell = _declared_cell(_row(page, walked_in.receipt_number))
    declared_cell = _declared_cell(_row(page, declared.receipt_number))
    assert _text(walk_in_cell).startswith("apporté sans déclaration, ")
    assert "sans déclaration" not in declared_cell
    assert declared_cell.strip()[:1].isdigit()  # its date alone
    # In words, not another element: the desk stays within its DOM budget.
    assert "<" not in walk_in_cell and "<" not in declared_cell


@pytest.mark.parametrize(
    ("locale", "subject"),
    [
        ("fr", "Votre ordinateur portable ({receipt})" + NBSP + ": enregistrement fait par "
         "erreur annulé, l'appareil reste au point de collecte"),
        ("en", "Your laptop ({receipt}): record made by mistake cancelled, the device stays "
         "at the collection point"),
    ],
)  # fmt: skip
def test_the_owner_s_notice_of_an_undone_walk_in_is_titled_as_its_body_reads(
    client,
    make,
    desk,  # noqa: F811 - the fixture
    locale,
    subject,
):
    owner = make.user(locale=locale)
    laptop = desk.recorded(owner)
    _undo(client, laptop, reason="Mauvais appareil")
    messaging_jobs.deliver_due()
    login(client, owner)
    inbox = html.unescape(re.sub(r"</?span[^>]*>", "", client.get("/messaging/").text))
    assert subject.format(receipt=laptop.receipt_number) in inbox
    assert "enregistrement retiré" not in inbox and "record withdrawn" not in inbox
