"""The audit log says what an organiser changed in a guide or a campaign, before → after."""

import csv
import io
from datetime import timedelta

from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.forms import to_local_naive
from app.cleanup.models import CleanupActionType
from app.core.audit import AuditEvent, record_audit
from app.core.i18n import format_moment
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import draft_with_its_form
from tests.conftest import csrf_token, login


def _number(value) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")  # as a French organiser types


_CAVEATS = ("caveat_fr", "caveat_en")
_NUMBERS = ("points_per_unit", "daily_cap", "flag_above", "max_quantity", "kg_co2e_per_unit")
_NUMBERS += ("kg_co2e_low", "kg_co2e_high")


def _guide_as_saved(key: str, **changes) -> dict:
    """The guide form of `key` with its saved values, `changes` replacing some."""
    saved = db.session.scalar(select(CleanupActionType).filter_by(key=key))
    values = {
        name: getattr(saved, name)
        for name in ("name_fr", "name_en", "guide_fr", "guide_en", "factor_source", *_CAVEATS)
    }
    for name in _NUMBERS:
        values[name] = _number(getattr(saved, name))
    return {**values, **changes}


def _audit_page(client, make, locale: str) -> str:
    reader = client.application.test_client()
    login(reader, make.user(roles=("admin",), locale=locale))
    return reader.get("/admin/audit").get_data(as_text=True)


def _updates(object_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).filter_by(action="update", object_type=object_type))
    )


def _audit_csv(client, path: str) -> list[list[str]]:
    """The audit export's rows, read as a spreadsheet reads it (a byte-order mark, then
    semicolons)."""
    text = client.get(path).get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_raising_a_guides_daily_cap_shows_before_and_after_in_each_language(
    client, auth, make, make_campaign
):
    make_campaign()  # the default action types
    login(client, make.user(roles=("organiser",)))
    form = _guide_as_saved("delete-mail", daily_cap="25", kg_co2e_per_unit="0,02")
    assert _guide_as_saved("delete-mail")["daily_cap"] == "20"
    assert auth.post("/cleanup/guides/delete-mail/edit", form).status_code == 302
    (event,) = _updates("cleanup_action_type")
    assert event.summary == "daily_cap 20 -> 25; kg_co2e_per_unit 0.01 -> 0.02"
    french = _audit_page(client, make, "fr")
    assert (
        "Plafond journalier\u00a0: 20 → 25 · Facteur CO₂\u00a0: 0,01 → 0,02\u00a0kg\u00a0CO₂e"
        in french
    )
    english = _audit_page(client, make, "en")
    assert "Daily limit: 20 → 25 · CO₂ factor: 0.01 → 0.02\u00a0kg\u00a0CO₂e" in english
    # The export keeps the stored form, for machines.
    admin = make.user(roles=("admin",))
    login(client, admin)
    rows = _audit_csv(client, "/admin/audit.csv")
    assert any("daily_cap 20 -> 25; kg_co2e_per_unit 0.01 -> 0.02" in row for row in rows)


def test_a_guide_saved_unchanged_records_nothing_and_a_wording_change_its_name(
    client, auth, make, make_campaign
):
    make_campaign()
    login(client, make.user(roles=("organiser",)))
    assert (
        auth.post("/cleanup/guides/delete-mail/edit", _guide_as_saved("delete-mail")).status_code
        == 302
    )
    assert _updates("cleanup_action_type") == []
    reworded = _guide_as_saved("delete-mail", guide_en="Sort by size first.")
    assert auth.post("/cleanup/guides/delete-mail/edit", reworded).status_code == 302
    (event,) = _updates("cleanup_action_type")
    # Both names stored (the CSV finds either); the log shows the reader's.
    assert reworded["name_fr"] in event.summary and reworded["name_en"] in event.summary
    assert f"<td>{reworded['name_fr']}</td>" in _audit_page(client, make, "fr")


def test_a_published_campaign_is_named_in_the_audit_readers_language(client, make, make_campaign):
    """Every campaign event showed the English name to a French reader."""
    login(client, make.user(roles=("organiser",)))
    make_campaign(name_fr="Grand ménage de printemps", name_en="Big spring clean-up")
    assert "<td>Grand ménage de printemps</td>" in _audit_page(client, make, "fr")
    assert "<td>Big spring clean-up</td>" in _audit_page(client, make, "en")
    login(client, make.user(roles=("admin",)))
    # Any date: a search without dates reads the last 90 days, and the campaign's events
    # are dated at the tests' fixed NOW.
    rows = _audit_csv(client, "/admin/audit.csv?text=printemps&since=2020-01-01")
    assert sorted(row[7] for row in rows[1:]) == ["create", "publish"]  # action codes


def test_correcting_a_drafts_end_shows_the_old_and_new_dates(client, make, make_campaign):
    organiser = make.user(roles=("organiser",))
    mail, other = services.ensure_default_action_types()[:2]
    now = utcnow().replace(second=0, microsecond=0)
    campaign = make_campaign(
        organiser=organiser,
        publish=False,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=5),
        goals={"GB": 100},
        rules=[{"action_type_id": mail.id, "points_per_unit": 10, "daily_cap": 20}],
    )
    rule = campaign.action_rules[0]
    old_end, new_end = campaign.ends_at, now + timedelta(days=8)
    login(client, organiser)
    edited = client.post(
        f"/cleanup/campaigns/{campaign.id}/edit",
        data={
            "csrf_token": csrf_token(client),
            "name_fr": "Nettoyage",
            "name_en": "Clean-up",
            "starts_at": to_local_naive(campaign.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": to_local_naive(new_end).strftime("%Y-%m-%dT%H:%M"),
            "all_departments": "y",
            "goal_gb": "150",
            "rules-0-action_type_id": str(rule.action_type_id),
            "rules-0-enabled": "y",
            "rules-0-points_per_unit": _number(rule.points_per_unit),
            "rules-0-daily_cap": _number(rule.daily_cap),
            "rules-1-action_type_id": str(other.id),  # a type added: its points from nothing
            "rules-1-enabled": "y",
            "rules-1-points_per_unit": "3",
            "rules-1-daily_cap": "9",
        },
    )
    assert edited.status_code == 302
    (event,) = _updates("cleanup_campaign")
    assert event.summary == (
        f"ends_at {old_end.isoformat()} -> {new_end.isoformat()}; goal[GB] 100 -> 150; "
        f"points_per_unit[{other.key}] - -> 3; daily_cap[{other.key}] - -> 9"
    )
    french = _audit_page(client, make, "fr")
    with client.application.test_request_context(), force_locale("fr"):
        before, after = format_moment(old_end), format_moment(new_end)
    assert f"Fin de la campagne\u00a0: {before} → {after}" in french
    assert "Objectif (Go)\u00a0: 100 → 150" in french
    assert f"Plafond journalier, «\u00a0{escape(other.name_fr)}\u00a0»\u00a0: – → 9" in french


def test_another_domains_update_is_shown_as_stored(client, make):
    admin = make.user(roles=("admin",))
    record_audit(admin, "update", "catalogue_item", 3, utcnow(), "new footprint -> 2")
    db.session.commit()
    assert "<td>new footprint -&gt; 2</td>" in _audit_page(client, make, "en")


def test_renaming_a_campaign_shows_the_old_and_new_names_in_each_language(
    client, make, make_campaign
):
    campaign, form = draft_with_its_form(
        client, make, make_campaign, name_fr="Printemps; propre", name_en="Spring clean-up"
    )
    assert client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form).status_code == 302
    french = _audit_page(client, make, "fr")
    assert (
        "Nom (français)\u00a0: «\u00a0Nettoyage\u00a0» → «\u00a0Printemps; propre\u00a0»"
        " · Nom (anglais)\u00a0: «\u00a0Clean-up\u00a0» → «\u00a0Spring clean-up\u00a0»"
    ) in french
    english = _audit_page(client, make, "en")
    assert "Name (English): “Clean-up” → “Spring clean-up”" in english


def test_narrowing_a_campaigns_scope_shows_who_took_part_before_and_after(
    client, make, make_campaign
):
    archives = make.department(name_fr="Archives", name_en="Records")
    budget = make.department(name_fr="Budget", name_en="Finance")
    campaign, form = draft_with_its_form(
        client, make, make_campaign, all_departments=None, departments=[budget.id, archives.id]
    )
    assert client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form).status_code == 302
    assert "Qui participe\u00a0: Tout le monde → Archives, Budget" in _audit_page(
        client, make, "fr"
    )
    assert "Who takes part: Everyone → Finance, Records" in _audit_page(client, make, "en")
