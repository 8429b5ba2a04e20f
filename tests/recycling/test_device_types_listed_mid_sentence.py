"""A list of device types reads as French writes it: a capital only at the start of the
list (« Ordinateur portable, écran, smartphone, tablette, accessoire (…) »), on the
poster, the points' cards, the return form's point and the audit log's wording. English
labels keep their case."""

import html
import re

from app.extensions import db
from app.recycling import services
from tests.conftest import login

STORED = "laptop,monitor,smartphone,tablet,accessory"
FRENCH = "Ordinateur portable, écran, smartphone, tablette, accessoire (clavier, souris, casque…)"
ENGLISH = "Laptop, Monitor, Smartphone, Tablet, Accessory (keyboard, mouse, headset…)"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_poster_s_french_list_has_one_capital(client, make, rec):
    point = rec.point(accepted_types=STORED)
    login(client, make.user(locale="en"))  # whoever prints it: the poster is bilingual
    assert FRENCH in _text(client.get(f"/recycling/points/{point.id}/poster").text)


def test_the_poster_s_english_list_keeps_its_labels(client, make, rec):
    point = rec.point(accepted_types=STORED)
    login(client, make.user(locale="fr"))
    assert ENGLISH in _text(client.get(f"/recycling/points/{point.id}/poster").text)


def test_the_points_cards_list_the_types_with_one_capital(client, make, rec):
    rec.point(accepted_types=STORED)
    login(client, make.user(locale="fr"))
    assert f"Accepte : {FRENCH}" in _text(client.get("/recycling/").text)


def test_the_english_points_cards_keep_the_labels(client, make, rec):
    rec.point(accepted_types=STORED)
    login(client, make.user(locale="en"))
    assert f"Accepts: {ENGLISH}" in _text(client.get("/recycling/").text)


def test_the_return_form_s_point_lists_the_types_with_one_capital(client, make, rec):
    point = rec.point(accepted_types="laptop,monitor")
    login(client, make.user(locale="fr"))
    text = _text(client.get(f"/recycling/returns/new?point={point.id}").text)
    assert "Accepte : Ordinateur portable, écran." in text
    assert "Non accepté ici : Ordinateur fixe, smartphone, tablette, imprimante" in text


def test_the_audit_log_words_the_types_with_one_capital(make, rec, app):
    point = rec.point(accepted_types="laptop")
    settings = services.point_settings(point)
    changed = services.point_settings(point) | {"accepted_types": "laptop,monitor"}
    summary = services.point_changes_summary(settings, changed)
    db.session.rollback()
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        worded = services.audit_point_changes(summary)
    assert "Ordinateur portable → Ordinateur portable, écran" in worded
