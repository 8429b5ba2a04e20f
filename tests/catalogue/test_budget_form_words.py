"""The budget form's words: the saved message names the department after « pour » (« Budget
de Mairie de Cenon » lacked an article), and an empty budget is told the same limits as
a negative one (« de 0 ou plus » against « de 0 à 1 000 000 000 »)."""

import html
import re

import pytest

from tests.conftest import login


def _post(auth, admin, budget, **kwargs):
    return auth.post(
        "/catalogue/admin/budgets",
        {"department_id": str(admin.department_id), "year": "2026", "budget_kgco2e": budget},
        **kwargs,
    )


def _error(response) -> str:
    page = html.unescape(response.text).replace("\u202f", " ").replace("\u00a0", " ")
    return re.search(r'<p class="error" id="budget_kgco2e-error">([^<]*)<', page).group(1)


def test_the_saved_message_names_the_department_after_pour(client, auth, make):
    admin = make.user(
        roles=("admin",), locale="fr", department=make.department(name_fr="Mairie de Cenon")
    )
    login(client, admin)
    response = _post(auth, admin, "500", follow_redirects=True)
    assert "Budget enregistré pour Mairie de Cenon." in html.unescape(response.text)


@pytest.mark.parametrize(
    ("locale", "limits"),
    [
        ("fr", "Saisissez un budget de 0 à 1 000 000 000 kg CO₂e par an."),
        ("en", "Enter a budget from 0 to 1,000,000,000 kg CO₂e per year."),
    ],
)
def test_an_empty_budget_is_told_the_same_limits_as_a_negative_one(
    client, auth, make, locale, limits
):
    admin = make.user(roles=("admin",), locale=locale)
    login(client, admin)
    empty, negative = _post(auth, admin, ""), _post(auth, admin, "-5")
    assert (empty.status_code, negative.status_code) == (400, 400)
    assert _error(empty) == _error(negative) == limits
