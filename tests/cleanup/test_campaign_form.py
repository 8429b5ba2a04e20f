"""The new/edit campaign form as an organiser fills it: where a refusal is told, what
each number counts in, and whole numbers where things are counted."""

import html
import re

from sqlalchemy import func, select

from app.cleanup.models import CleanupCampaign
from app.extensions import db
from tests.cleanup.conftest import post_new_campaign
from tests.conftest import login


def _organiser(client, make, locale="en"):
    login(client, make.user(roles=("organiser",), locale=locale))
    client.get("/cleanup/campaigns/new")  # creates the built-in action types


def _campaigns() -> int:
    return db.session.scalar(select(func.count()).select_from(CleanupCampaign))


def _error_of(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else ""


def test_no_department_is_told_at_the_departments_the_summary_focused(client, make):
    """It was only flashed at the top, the focus left on the page's body. The error
    summary takes the focus and links to the first box (a list takes no focus)."""
    make.department(name_en="Aardvark department")
    _organiser(client, make)
    response = post_new_campaign(client, all_departments=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _campaigns() == 0
    assert _error_of(page, "departments") == "Choose at least one department, or everyone."
    fieldset = re.search(r'<fieldset class="field for-some-departments[^>]*>', page).group(0)
    assert "field-error" in fieldset and 'aria-describedby="departments-error"' in fieldset
    focused = re.findall(r"<[a-z]+\b[^>]*\bautofocus\b[^>]*>", page)
    boxes = re.findall(r'<input[^>]*name="departments"[^>]*>', page)
    assert len(focused) == 1 and 'class="notice error-summary"' in focused[0]
    assert 'href="#departments-0"' in page and 'id="departments-0"' in boxes[0]
    assert 'aria-invalid="true"' in boxes[0]
    assert 'class="flash flash-error"' not in page  # told once, where it is put right


def test_a_participants_goal_must_be_a_whole_number(client, make):
    """2.5 participants was accepted; its refusal spoke of 0.001."""
    _organiser(client, make)
    response = post_new_campaign(client, goal_participants="2,5", goal_devices="0")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _campaigns() == 0
    assert _error_of(page, "goal_participants") == "Enter a whole number from 1 to 1,000,000,000."
    assert _error_of(page, "goal_devices") == "Enter a whole number from 1 to 1,000,000,000."
    assert "0.001" not in page


def test_each_daily_cap_says_what_it_counts_in(client, make):
    """ "Daily cap 20": 20 what? Each action type's cap names its unit."""
    _organiser(client, make)
    page = html.unescape(client.get("/cleanup/campaigns/new").get_data(as_text=True))
    labels = dict(re.findall(r'<label for="(rules-\d+-daily_cap)">([^<]*)</label>', page))
    assert set(labels.values()) == {
        "Daily limit (GB a day)",
        "Daily limit (items a day)",
        "Daily limit (devices a day)",
    }


def test_daily_caps_name_their_unit_in_french_on_a_refused_form_too(client, make):
    _organiser(client, make, locale="fr")
    page = html.unescape(
        post_new_campaign(client, name_fr="").get_data(as_text=True)  # refused: no name
    )
    assert '<label for="rules-0-daily_cap">Plafond journalier (Go par jour)</label>' in page


def test_the_usual_daily_cap_of_an_action_type_names_its_unit(client, make):
    _organiser(client, make)
    page = html.unescape(client.get("/cleanup/guides/unsubscribe/edit").get_data(as_text=True))
    assert '<label for="daily_cap">Default daily limit (items a day)<span' in page


def test_text_that_is_not_a_number_is_told_the_range_of_its_line(client, make):
    """ "Not a valid decimal value.", unlike every other number field of the portal; then
    a bare "Enter a number.", where a number out of range was told the range allowed."""
    _organiser(client, make)
    response = post_new_campaign(
        client,
        goal_gb="lots",
        goal_devices="some",
        **{"rules-0-daily_cap": "many", "rules-0-points_per_unit": "ten"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _campaigns() == 0
    assert _error_of(page, "goal_gb") == "Enter a number from 0.001 to 1,000,000,000."
    assert _error_of(page, "goal_devices") == "Enter a whole number from 1 to 1,000,000,000."
    assert _error_of(page, "rules-0-daily_cap") == "Enter a number from 0.001 to 100,000."
    assert _error_of(page, "rules-0-points_per_unit") == "Enter a number from 0.001 to 10,000."
    assert "Not a valid decimal value." not in page and "Enter a number.<" not in page


def test_text_in_a_number_field_is_told_its_range_in_french(client, make):
    _organiser(client, make, locale="fr")
    response = post_new_campaign(client, **{"rules-0-daily_cap": "beaucoup"})
    page = response.get_data(as_text=True).replace("\u202f", " ").replace("\u00a0", " ")
    assert _error_of(page, "rules-0-daily_cap") == "Saisissez un nombre de 0,001 à 100 000."


def test_points_of_a_type_that_counts_name_the_range_accepted_text_or_zero(client, make):
    """ "beaucoup" was told "from 0 to 10,000", then 0 was told "from 0.001 to 10,000"."""
    _organiser(client, make)
    told = []
    for typed in ("beaucoup", "0"):
        page = post_new_campaign(client, **{"rules-0-points_per_unit": typed})
        told.append(_error_of(page.get_data(as_text=True), "rules-0-points_per_unit"))
    assert told == ["Enter a number from 0.001 to 10,000."] * 2


def test_points_text_is_told_the_range_accepted_in_french(client, make):
    _organiser(client, make, locale="fr")
    response = post_new_campaign(client, **{"rules-0-points_per_unit": "beaucoup"})
    page = response.get_data(as_text=True).replace("\u202f", " ").replace("\u00a0", " ")
    assert _error_of(page, "rules-0-points_per_unit") == "Saisissez un nombre de 0,001 à 10 000."


def test_a_cap_counted_in_items_names_the_whole_range_for_text_or_zero(client, make):
    """An items cap: "many" and 0 spoke of 0.001, while 0.5 was told whole numbers from 1."""
    _organiser(client, make)
    items_row = _row_counted_in(client, "items a day")
    told = []
    for typed in ("many", "0", "0.5"):
        page = post_new_campaign(
            client,
            **{
                f"rules-{items_row}-action_type_id": _type_id_of_row(client, items_row),
                f"rules-{items_row}-enabled": "y",
                f"rules-{items_row}-points_per_unit": "1",
                f"rules-{items_row}-daily_cap": typed,
            },
        )
        told.append(_error_of(page.get_data(as_text=True), f"rules-{items_row}-daily_cap"))
    assert told == ["Enter a whole number from 1 to 100,000."] * 3


def test_a_type_not_counting_keeps_points_of_zero(client, make):
    """Untouched rows may keep a default of 0 points: only a type that counts needs more."""
    _organiser(client, make)
    response = post_new_campaign(
        client,
        **{
            "rules-1-action_type_id": _type_id_of_row(client, 1),
            "rules-1-points_per_unit": "0",
            "rules-1-daily_cap": "5",
        },
    )
    assert response.status_code == 302 and _campaigns() == 1


def _new_form(client) -> str:
    return html.unescape(client.get("/cleanup/campaigns/new").get_data(as_text=True))


def _row_counted_in(client, unit_words: str) -> int:
    labels = re.findall(r'<label for="rules-(\d+)-daily_cap">([^<]*)</label>', _new_form(client))
    return next(int(row) for row, label in labels if unit_words in label)


def _type_id_of_row(client, row: int) -> str:
    pattern = rf'name="rules-{row}-action_type_id"[^>]*value="(\d+)"'
    match = re.search(pattern, _new_form(client))
    if match is None:
        pattern = rf'value="(\d+)"[^>]*name="rules-{row}-action_type_id"'
        match = re.search(pattern, _new_form(client))
    return match.group(1)
