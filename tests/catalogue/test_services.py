"""Footprint rules, requests, budgets, privacy and CSV import/export, called directly."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.catalogue import footprint, queries, services
from app.catalogue.csv_io import export_catalogue_csv, import_catalogue_csv
from app.catalogue.models import ITEM_FIELDS, CatalogueItem, CatalogueRequest
from app.catalogue.routes import import_summary
from app.catalogue.seed import equipment_rows
from app.core.audit import AuditEvent
from app.core.csv_safety import safe_cell
from app.core.personalisation import known_audiences
from app.core.privacy import personal_data_entries
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.usefixtures("request_context")


@pytest.mark.parametrize("category", sorted(footprint.THRESHOLDS))
def test_a_figure_on_a_bound_gets_the_better_grade_and_just_above_the_next(category):
    bounds = footprint.THRESHOLDS[category]
    for index, bound in enumerate(bounds):
        assert footprint.grade_for(category, bound) == footprint.GRADES[index]
        assert footprint.grade_for(category, bound + 0.001) == footprint.GRADES[index + 1]
    assert footprint.grade_for(category, 0) == "A"


def test_equipment_categories_are_the_shared_device_types():
    from app.core.devices import DEVICE_TYPES

    assert set(footprint.EQUIPMENT_CATEGORIES) == set(DEVICE_TYPES)


def test_yearly_footprint_is_embodied_over_lifetime_plus_use(make_item):
    item = make_item(embodied_kgco2e=200, lifetime_years=4, use_kwh_per_year=100)
    assert item.use_kgco2e_per_year == pytest.approx(100 * GRID)
    assert item.annual_kgco2e == pytest.approx(50 + 5.2)
    assert item.grade == "E"  # laptop: 50 < 55.2 ≤ 60


def test_keeping_a_device_longer_lowers_its_yearly_footprint_and_grade(make_item):
    item = make_item(embodied_kgco2e=200, lifetime_years=4, use_kwh_per_year=100)
    at_4 = footprint.simulate_lifetime(item, 4)
    at_8 = footprint.simulate_lifetime(item, 8)
    assert at_4.annual_kgco2e == pytest.approx(55.2)
    assert at_8.annual_kgco2e == pytest.approx(25 + 5.2)
    assert at_8.grade == "C"  # 30.2: just above the B bound of 30
    assert at_4.saving_one_more_kgco2e == pytest.approx(50 - 40)
    assert at_4.saving_two_more_kgco2e == pytest.approx(50 - 200 / 6, abs=0.001)


def test_equipment_without_figures_takes_the_boavizta_archetype():
    values = services.complete_footprint(
        {"kind": "equipment", "category": "laptop", "code": "X", "name_fr": "x", "name_en": "x"},
        GRID,
    )
    assert values["embodied_kgco2e"] == 181.0  # boaviztapi laptop-pro, ADEME/NegaOctet
    assert values["lifetime_years"] == 4.0
    assert "boaviztapi" in values["source"] and "2.5.0" in values["source"]


def test_demo_equipment_cites_its_data_and_explains_refurbishment_in_each_language():
    """A French reader met English prose in every source ("use from the archetype's…")."""
    rows = equipment_rows(NOW, GRID)
    cited = [row["source"] for row in rows if not row["estimate"]]
    assert cited and all(
        source.startswith("Boavizta API 2.5.0 (boaviztapi, ")
        and source.endswith("); ADEME Base Impacts / NegaOctet")
        for source in cited
    )
    # The note says a share of Boavizta's figure: hand estimates carry none (their own test).
    refurbished = [row for row in rows if "reconditionn" in row["name_fr"] and not row["estimate"]]
    assert len(refurbished) >= 5
    for row in refurbished:
        assert row["description_fr"].startswith(
            "Reconditionné\u00a0: sa fabrication compte pour 25"
        )
        assert row["description_en"].startswith("Refurbished: its manufacture counts for 25")
    assert all(not row["description_fr"] for row in rows if row not in refurbished)


def test_a_printer_without_figures_is_refused_as_no_reference_data_exists():
    with pytest.raises(services.CatalogueError):
        services.complete_footprint(
            {"kind": "equipment", "category": "printer", "code": "P", "source": ""}, GRID
        )


def test_a_service_needs_its_figure_and_a_citation():
    base = {"kind": "service", "category": "video", "code": "S", "name_fr": "s", "name_en": "s"}
    with pytest.raises(services.CatalogueError):
        services.complete_footprint({**base, "source": "x"}, GRID)
    with pytest.raises(services.CatalogueError):
        services.complete_footprint({**base, "use_kgco2e_per_year": 3.0, "source": " "}, GRID)


def test_unknown_category_for_a_kind_is_refused(make):
    admin = make.user(roles=("admin",))
    with pytest.raises(services.CatalogueError):
        services.create_item(
            {"kind": "equipment", "category": "email", "code": "Z", "name_fr": "z", "name_en": "z"},
            admin,
            NOW,
            GRID,
        )


def test_submitting_freezes_the_footprint_so_budgets_do_not_move(make, make_item):
    user, admin = make.user(), make.user(roles=("admin",))
    item = make_item()
    services.add_to_basket(user, item, 2, NOW)
    request = services.submit_basket(user, "", NOW)
    services.decide_request(request, admin, True, "", NOW)
    db.session.commit()
    before = queries.approved_footprint_by_department(2026, PARIS)
    services.update_item(item, {**_values(item), "embodied_kgco2e": 999.0}, admin, NOW, GRID)
    db.session.commit()
    assert queries.approved_footprint_by_department(2026, PARIS) == before
    assert before[user.department_id] == pytest.approx(2 * 55.2)


def _values(item):
    return {k: getattr(item, k) for k in ITEM_FIELDS}


def test_an_empty_basket_cannot_be_sent(make):
    with pytest.raises(services.CatalogueError):
        services.submit_basket(make.user(), "", NOW)


def test_a_discontinued_item_cannot_be_requested(make, make_item):
    with pytest.raises(services.CatalogueError):
        services.add_to_basket(make.user(), make_item(status="discontinued"), 1, NOW)


def test_a_request_is_decided_once_and_the_decision_is_audited(make, make_item):
    user, admin = make.user(), make.user(roles=("admin",))
    services.add_to_basket(user, make_item(), 1, NOW)
    request = services.submit_basket(user, "", NOW)
    services.decide_request(request, admin, False, "no", NOW)
    with pytest.raises(services.CatalogueError):
        services.decide_request(request, admin, True, "", NOW)
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "catalogue_request")
    ).all()
    assert [a.action for a in audit] == ["refused"]


@pytest.mark.parametrize(
    ("used", "budget", "colour"),
    [
        (80, 100, "green"),
        (80.1, 100, "amber"),
        (100, 100, "amber"),
        (100.1, 100, "red"),
        (5, None, "none"),
    ],
)
def test_budget_colour_boundaries(used, budget, colour):
    assert queries.budget_colour(used, budget) == colour


def _approved(user, admin, item, decided_at, quantity=1):
    services.add_to_basket(user, item, quantity, decided_at)
    request = services.submit_basket(user, "", decided_at)
    services.decide_request(request, admin, True, "", decided_at)
    return request


def test_budget_rows_use_the_local_year_and_show_the_change(make, make_item):
    user, admin = make.user(), make.user(roles=("admin",))
    item = make_item()  # 55.2 a year
    _approved(user, admin, item, datetime(2025, 5, 1, tzinfo=UTC))
    # 23:30 UTC on 31 December is already New Year in Paris: it counts for 2026.
    _approved(user, admin, item, datetime(2025, 12, 31, 23, 30, tzinfo=UTC), quantity=2)
    services.set_budget(user.department_id, 2026, 120, admin, NOW)
    db.session.commit()
    (row,) = queries.department_budgets(2026, PARIS)
    assert row.used == pytest.approx(110.4)
    assert row.previous_used == pytest.approx(55.2)
    assert row.change == pytest.approx(1.0)
    assert row.colour == "amber"


def test_erasure_keeps_department_totals_and_forgets_the_person(app, make, make_item):
    user, admin = make.user(), make.user(roles=("admin",))
    service = make_item(kind="service")
    _approved(user, admin, make_item(), NOW)
    services.add_to_basket(user, make_item(), 1, NOW)  # a basket not sent
    services.toggle_useful(user, service, NOW)
    db.session.commit()
    before = queries.approved_footprint_by_department(2026, PARIS)
    (entry,) = [e for e in personal_data_entries() if e.section == "requests"]
    exported = entry.export(user)
    assert len(exported["requests"]) == 2 and len(exported["useful_marks"]) == 1
    entry.erase(user, NOW)
    db.session.commit()
    assert queries.approved_footprint_by_department(2026, PARIS) == before
    assert queries.usefulness_count(service.id) == 1
    assert entry.export(user) == {"requests": [], "useful_marks": []}
    assert db.session.scalar(select(func.count(CatalogueRequest.id))) == 1


def test_reference_embodied_is_the_median_of_available_items_or_the_archetype(make_item):
    for embodied in (100, 300, 200):
        make_item(category="monitor", embodied_kgco2e=embodied)
    make_item(category="monitor", embodied_kgco2e=5000, status="discontinued")
    reference = queries.reference_embodied_by_device_type()
    assert set(reference) == set(footprint.EQUIPMENT_CATEGORIES)
    assert reference["monitor"] == 200
    assert reference["smartphone"] == 84.0  # boaviztapi smartphone-default
    assert reference["printer"] == 0.0  # no archetype: nothing claimed


def test_devices_due_for_renewal_are_older_than_their_lifetime(make, make_item):
    old, recent, admin = make.user(), make.user(), make.user(roles=("admin",))
    laptop = make_item(lifetime_years=4)
    _approved(old, admin, laptop, NOW - timedelta(days=5 * 365))
    _approved(recent, admin, laptop, NOW - timedelta(days=365))
    db.session.commit()
    audience = known_audiences()["devices-due-for-renewal"]
    assert db.session.scalars(audience.resolve(NOW, {})).all() == [old.id]


def test_marking_useful_twice_takes_the_mark_back(make, make_item):
    user, service = make.user(), make_item(kind="service")
    assert services.toggle_useful(user, service, NOW) is True
    assert services.toggle_useful(user, service, NOW) is False
    with pytest.raises(services.CatalogueError):
        services.toggle_useful(user, make_item(), NOW)


HEADER = (
    "code,kind,category,name_fr,name_en,use_kgco2e_per_year,lifetime_years,source,alternatives\n"
)


def test_import_is_all_or_nothing_and_names_line_and_column(make):
    admin = make.user(roles=("admin",))
    text = HEADER + (
        "S-1,service,email,Messagerie,E-mail,4,,Study 2024,\n"
        "S-2,service,mail,Autre,Other,4,,Study 2024,\n"
        "L-1,equipment,laptop,Portable,Laptop,,-3,,\n"
    )
    result = import_catalogue_csv(text, admin, NOW, GRID)
    assert [(p.line, p.column) for p in result.problems] == [(3, "category"), (4, "lifetime_years")]
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0


def test_import_creates_then_updates_by_code_with_alternatives(make):
    admin = make.user(roles=("admin",))
    text = HEADER + (
        "S-1,service,email,Messagerie,E-mail,12,,Study 2024,S-2\n"
        'S-2,service,email,Messagerie légère,Light e-mail,"1,5",,Study 2024,\n'
        "L-1,equipment,laptop,Portable,Laptop,,5,,\n"
    )
    result = import_catalogue_csv(text, admin, NOW, GRID)
    assert (result.ok, len(result.created), len(result.updated)) == (True, 3, 0)
    again = import_catalogue_csv(
        text.replace("Portable,Laptop,,5", "Portable,Laptop,,6"), admin, NOW, GRID
    )
    assert [(c.code, c.columns[0]) for c in again.updated] == [("L-1", "lifetime_years")]
    heavy = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "S-1"))
    assert [a.code for a in heavy.alternatives] == ["S-2"]
    laptop = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "L-1"))
    assert laptop.embodied_kgco2e == 181.0 and laptop.lifetime_years == 6


def test_export_neutralises_formulas_and_imports_back_unchanged(make, make_item):
    admin = make.user(roles=("admin",), email="someone@example.org")
    make_item(name_fr='=HYPERLINK("http://evil")', name_en="+cmd", code="F-1")
    exported = export_catalogue_csv()
    assert "'=HYPERLINK" in exported and "'+cmd" in exported
    assert "someone@example.org" not in exported
    result = import_catalogue_csv(exported, admin, NOW, GRID)
    assert result.ok, result.problems
    item = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "F-1"))
    assert item.name_fr == '=HYPERLINK("http://evil")'
    assert safe_cell("-2") == "'-2" and safe_cell(3.5) == "3.5"


LATER = NOW + timedelta(days=1)
THREE = HEADER + (
    "S-1,service,email,Messagerie,E-mail,12,,Study 2024,S-2\n"
    "S-2,service,email,Messagerie légère,Light e-mail,4,,Study 2024,\n"
    "L-1,equipment,laptop,Portable,Laptop,,5,,\n"
)


def _item(code: str) -> CatalogueItem:
    return db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == code))


def test_reimporting_a_file_counts_and_touches_only_the_items_that_change(make):
    admin = make.user(roles=("admin",))
    import_catalogue_csv(THREE, admin, NOW, GRID)
    changed = THREE.replace("Light e-mail,4,", "Light e-mail,3,")
    result = import_catalogue_csv(changed, admin, LATER, GRID)
    assert (len(result.created), len(result.updated), result.unchanged) == (0, 1, 2)
    assert result.updated[0].code == "S-2" and "use_kgco2e_per_year" in result.updated[0].columns
    assert _item("S-2").updated_at == LATER
    assert _item("S-1").updated_at == _item("L-1").updated_at == NOW
    imports = select(AuditEvent.summary).where(AuditEvent.action == "import")
    summaries = db.session.scalars(imports.order_by(AuditEvent.id)).all()
    assert summaries == ["3 created, 0 updated, 0 unchanged", "0 created, 1 updated, 2 unchanged"]


def test_an_alternative_alone_changed_is_an_update(make):
    admin = make.user(roles=("admin",))
    import_catalogue_csv(THREE, admin, NOW, GRID)
    result = import_catalogue_csv(
        THREE.replace("Study 2024,S-2", "Study 2024,"), admin, LATER, GRID
    )
    assert [(c.code, c.columns) for c in result.updated] == [("S-1", ["alternatives"])]
    assert _item("S-1").alternatives == [] and _item("S-1").updated_at == LATER


def test_a_preview_counts_like_the_import_and_writes_nothing(make):
    admin = make.user(roles=("admin",))
    preview = import_catalogue_csv(THREE, admin, NOW, GRID, apply=False)
    assert [c.code for c in preview.created] == ["S-1", "S-2", "L-1"]
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_the_import_summary_says_unchanged_items_too_with_grouped_numbers(make):
    admin = make.user(roles=("admin",))
    import_catalogue_csv(THREE, admin, NOW, GRID)
    result = import_catalogue_csv(
        THREE.replace("Light e-mail,4,", "Light e-mail,3,"), admin, LATER, GRID
    )
    assert import_summary(result) == (
        "Import done: 0 items created · 1 item updated · 2 items unchanged."
    )
    result.unchanged = 1639
    assert import_summary(result).endswith("1 item updated · 1,639 items unchanged.")


def test_a_file_separated_by_semicolons_imports_like_one_separated_by_commas(make):
    """French Excel saves CSV with semicolons (and decimal commas)."""
    admin = make.user(roles=("admin",))
    text = (
        "code;kind;category;name_fr;name_en;use_kgco2e_per_year;source\n"
        "S-1;service;email;Messagerie, légère;E-mail;1,5;Study 2024\n"
        "S-2;service;email;Autre;Other;abc;Study 2024\n"
    )
    result = import_catalogue_csv(text, admin, NOW, GRID)
    assert [(p.line, p.column) for p in result.problems] == [(3, "use_kgco2e_per_year")]
    result = import_catalogue_csv(text.replace("abc", "2"), admin, NOW, GRID)
    assert result.ok and len(result.created) == 2
    assert _item("S-1").use_kgco2e_per_year == 1.5 and _item("S-1").name_fr == "Messagerie, légère"


def test_a_header_without_the_columns_names_them_and_the_format_expected(make):
    admin = make.user(roles=("admin",))
    text = "code,kind,categ,name\nS-1,service,email,a\n"
    result = import_catalogue_csv(text, admin, NOW, GRID)
    [problem] = result.problems
    # Named as the spreadsheet export heads them, the open-data names said accepted too.
    # Semicolons between them: a heading may hold a comma.
    assert (problem.line, problem.column) == (1, "Category; Name in French; Name in English")
    assert "category; name_fr; name_en" in problem.message
    assert "UTF-8" in problem.message and "semicolons" in problem.message


def test_export_writes_figures_without_float_noise_and_imports_back_unchanged(make, make_item):
    admin = make.user(roles=("admin",))
    make_item(code="N-1", use_kwh_per_year=0.13, embodied_kgco2e=1234567.8)  # 0.13 × 0.052
    make_item(code="N-2", kind="service", use_kgco2e_per_year=0.1 + 0.2)
    assert _item("N-1").use_kgco2e_per_year == 0.0067599999999999995
    exported = export_catalogue_csv()
    assert "0.0067599999999999995" not in exported and ",0.00676," in exported
    assert ",1234567.8," in exported and ",0.3," in exported and "e-" not in exported
    result = import_catalogue_csv(exported, admin, NOW, GRID)
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, [], [], 2)


RANGE_HEADER = (
    "code,kind,category,name_fr,name_en,embodied_kgco2e,use_kwh_per_year,use_kwh_min,"
    "use_kwh_max,lifetime_years,source\n"
)


def test_export_writes_the_yearly_use_range_after_the_figure_and_imports_back_unchanged(
    make, make_item
):
    admin = make.user(roles=("admin",))
    make_item(code="R-1", use_kwh_per_year=100, use_kwh_min=70.5, use_kwh_max=140)
    header, line = export_catalogue_csv().splitlines()
    columns = header.split(",")
    at = columns.index("use_kwh_per_year")
    assert columns[at : at + 3] == ["use_kwh_per_year", "use_kwh_min", "use_kwh_max"]
    assert line.split(",")[at : at + 3] == ["100", "70.5", "140"]
    result = import_catalogue_csv(export_catalogue_csv(), admin, NOW, GRID)
    assert (result.ok, result.updated, result.unchanged) == (True, [], 1)


def test_import_sets_and_changes_the_yearly_use_range(make):
    admin = make.user(roles=("admin",))
    text = RANGE_HEADER + "R-1,equipment,laptop,Portable,Laptop,200,100,80,150,4,Study\n"
    assert import_catalogue_csv(text, admin, NOW, GRID).ok
    assert (_item("R-1").use_kwh_min, _item("R-1").use_kwh_max) == (80, 150)
    result = import_catalogue_csv(text.replace(",80,150,", ",90,,"), admin, LATER, GRID)
    [change] = result.updated
    assert [(d.column, d.old, d.new) for d in change.differences] == [
        ("use_kwh_min", 80, 90),
        ("use_kwh_max", 150, None),
    ]
    assert (_item("R-1").use_kwh_min, _item("R-1").use_kwh_max) == (90, None)


def test_import_refuses_a_yearly_use_range_that_does_not_surround_the_figure(make):
    """Each fault at its line and column, every one in one pass, worded as the form's."""
    admin = make.user(roles=("admin",))
    text = RANGE_HEADER + (
        "R-1,equipment,laptop,Portable,Laptop,200,100,120,150,4,Study\n"
        "R-2,equipment,laptop,Portable,Laptop,200,100,80,90,4,Study\n"
        "R-3,equipment,laptop,Portable,Laptop,200,,80,abc,4,\n"
    )
    result = import_catalogue_csv(text, admin, NOW, GRID)
    assert [(p.line, p.column) for p in result.problems] == [
        (2, "use_kwh_min"),
        (3, "use_kwh_max"),
        (4, "use_kwh_max"),
        (4, "source"),
    ]
    assert result.problems[0].message == "The low estimate cannot be above the figure (100)."
    assert result.problems[1].message == "The high estimate cannot be below the figure (100)."
    assert result.problems[2].message.startswith("abc does not read as a number.")
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 0


OLD_HEADER = RANGE_HEADER.replace("use_kwh_min,use_kwh_max,", "")


def test_a_file_without_the_range_columns_keeps_a_range_that_still_surrounds_the_figure(
    make, make_item
):
    admin = make.user(roles=("admin",))
    make_item(code="R-1", name_fr="Portable", name_en="Laptop", source="Study",
              use_kwh_per_year=100, use_kwh_min=80, use_kwh_max=150)  # fmt: skip
    line = "R-1,equipment,laptop,Portable,Laptop,200,100,4,Study\n"
    result = import_catalogue_csv(OLD_HEADER + line, admin, LATER, GRID)
    assert (result.ok, result.updated, result.unchanged) == (True, [], 1)
    result = import_catalogue_csv(OLD_HEADER + line.replace(",100,", ",120,"), admin, LATER, GRID)
    [change] = result.updated
    assert "use_kwh_per_year" in change.columns and "use_kwh_min" not in change.columns
    assert change.notes == []
    assert (_item("R-1").use_kwh_min, _item("R-1").use_kwh_max) == (80, 150)


def test_a_file_without_the_range_columns_clears_a_range_left_outside_the_new_figure(
    make, make_item
):
    admin = make.user(roles=("admin",))
    make_item(code="R-1", name_fr="Portable", name_en="Laptop", source="Study",
              use_kwh_per_year=100, use_kwh_min=80, use_kwh_max=150)  # fmt: skip
    text = OLD_HEADER + "R-1,equipment,laptop,Portable,Laptop,200,300,4,Study\n"
    preview = import_catalogue_csv(text, admin, LATER, GRID, apply=False)
    [change] = preview.updated
    assert [(d.column, d.old, d.new) for d in change.differences][:3] == [
        ("use_kwh_per_year", 100, 300),
        ("use_kwh_min", 80, None),
        ("use_kwh_max", 150, None),
    ]
    assert "the range is cleared" in change.notes[0]
    db.session.rollback()
    assert import_catalogue_csv(text, admin, LATER, GRID).ok
    assert (_item("R-1").use_kwh_per_year, _item("R-1").use_kwh_min) == (300, None)
    assert _item("R-1").use_kwh_max is None
