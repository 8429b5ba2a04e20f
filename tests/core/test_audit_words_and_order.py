"""The audit log in the reader's words: a request approved read « Approbation » and an entry
rejected « Rejet » where the pages say « Acceptée » and « Refusée »; its menus of actions
and objects came in the order of the stored English keys, not the reader's alphabet."""

import html
import re

from app.core.audit import record_audit
from app.core.i18n import collation_key
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

EVENTS = [
    ("approved", "catalogue_request"),
    ("refused", "catalogue_request"),
    ("accept", "cleanup_action"),
    ("reject", "cleanup_action"),
    ("publish", "cleanup_campaign"),
    ("create", "collection_point"),
    ("update", "messaging_template"),
    ("erase", "user"),
    ("receive", "device_return"),
]


def _events(make):
    admin = make.user(roles=("admin",), locale="fr")
    now = utcnow()
    for n, (action, object_type) in enumerate(EVENTS):
        record_audit(admin, action, object_type, n + 1, now)
    db.session.commit()
    return admin


def _menu(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [
        (value, html.unescape(label).strip())
        for value, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>(.*?)</option>', select)
    ]


def test_the_decisions_read_as_the_pages_say_them(client, make):
    login(client, _events(make))
    page = client.get("/admin/audit").text
    cells = html.unescape(page)
    assert "Approbation" not in cells and "Rejet" not in cells
    actions = _menu(page, "action")
    labels = [label for _value, label in actions[1:]]
    # One entry each: a request's and an entry's decision are named alike in French.
    assert labels.count("Acceptation") == 1 and labels.count("Refus") == 1, labels


def test_the_menus_are_in_the_readers_alphabetical_order(client, make):
    login(client, _events(make))
    page = client.get("/admin/audit").text
    for name in ("action", "object_type"):
        labels = [label for _value, label in _menu(page, name)[1:]]
        assert labels == sorted(labels, key=collation_key), (name, labels)
    # Accents aside: « Création » among the C, « Effacement » before « Modification ».
    actions = [label for _value, label in _menu(page, "action")[1:]]
    assert actions.index("Création") < actions.index("Effacement") < actions.index("Modification")


def test_the_one_french_choice_finds_both_decisions_it_names(client, make):
    login(client, _events(make))
    refus = {label: value for value, label in _menu(client.get("/admin/audit").text, "action")}
    page = client.get("/admin/audit", query_string={"action": refus["Refus"]}).text
    rows = re.findall(r"<tr\b.*?</tr>", page.split("<tbody", 1)[1], re.S)
    assert len(rows) == 2, rows
    chosen = re.search(r"<option[^>]*\bselected\b[^>]*>", page).group()
    assert f'value="{refus["Refus"]}"' in chosen, chosen
    # The other key of the same name, from an English reader's link, finds both too.
    other = ({"refused", "reject"} - {refus["Refus"]}).pop()
    page = client.get("/admin/audit", query_string={"action": other}).text
    assert len(re.findall(r"<tr\b.*?</tr>", page.split("<tbody", 1)[1], re.S)) == 2


def test_english_keeps_the_two_words_apart(client, make):
    admin = _events(make)
    admin.locale = "en"
    db.session.commit()
    login(client, admin)
    labels = [label for _v, label in _menu(client.get("/admin/audit").text, "action")[1:]]
    assert {"Accepted", "Approved", "Refused", "Rejected"} <= set(labels)
    assert labels == sorted(labels, key=collation_key)
