"""The audit log's "Containing" search finds a collection point's edits by the setting
names the log shows them with (« Horaires d'ouverture », "Opening hours"), in the
reader's language, as it finds a return's events by their shown words."""

import csv
import io

import pytest

from app.core.audit import record_audit
from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import NOW


@pytest.fixture
def point_edits(make, rec):
    """Three edits of a point, each changing another setting, and an admin's search: the
    kinds of setting each event found changed."""
    point = rec.point(name="Mairie de Bassens")
    admin = make.user(roles=("admin",))
    settings = services.point_settings(point)
    changes = {
        "opening_hours": "Mo-Fr 09:00-17:00",
        "address": "Rue du Dr Roux",
        "directions_en": "Ground floor",
    }
    for key, value in changes.items():
        summary = services.point_changes_summary(settings, {**settings, key: value})
        record_audit(admin, "update", "collection_point", point.id, NOW, summary)
    # A name typed by an admin that reads like a setting's key is no such edit.
    record_audit(admin, "update", "collection_point", point.id, NOW, "opening_hours")
    db.session.commit()

    def found(client, locale: str, words: str) -> list[str]:
        admin.locale = locale
        db.session.commit()
        login(client, admin)
        answer = client.get("/admin/audit.csv", query_string={"text": words})
        text = answer.text.removeprefix("\ufeff")
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if locale == "fr" else ","))
        summaries = [row[9] for row in rows[1:]]  # the details as stored
        assert "opening_hours" not in summaries  # the name that reads like a key
        return sorted(key for key in changes for summary in summaries if f" {key} " in summary)

    return found


@pytest.mark.parametrize(
    ("locale", "words", "setting"),
    [
        ("fr", "Horaires d'ouverture", "opening_hours"),
        ("fr", "horaires", "opening_hours"),
        ("fr", "Accès (en anglais)", "directions_en"),
        ("en", "Opening hours", "opening_hours"),
        ("fr", "Adresse", "address"),
        ("en", "address", "address"),
        ("en", "How to get there (English)", "directions_en"),
    ],
)
def test_the_audit_search_finds_a_point_s_edit_by_the_setting_it_shows(
    client, point_edits, locale, words, setting
):
    assert point_edits(client, locale, words) == [setting]


def test_the_setting_names_of_the_other_language_find_no_edit(client, point_edits):
    assert point_edits(client, "fr", "Opening hours") == []
