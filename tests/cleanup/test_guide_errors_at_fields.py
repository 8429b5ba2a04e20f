"""On a guide's edit form, a check across fields (a review threshold above the largest
entry accepted, an estimate outside its range) was told at the top only: it is told at
the field it names (aria-invalid, described by the error, the first refused field
focused), the summary above linking to it."""

import html
import re

import pytest

from tests.cleanup.test_routes import _guide_form
from tests.conftest import login


def _field_tag(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"flag_above": "600"}, "flag_above", "Le seuil d'examen ne peut pas dépasser"),
        ({"kg_co2e_per_unit": "0,5"}, "kg_co2e_per_unit", "L'estimation doit se situer entre"),
        (
            {"kg_co2e_per_unit": "", "kg_co2e_low": "0,1"},
            "kg_co2e_per_unit",
            "Donnez l'estimation elle-même",
        ),
        ({"factor_source": ""}, "factor_source", "Donnez la source du facteur"),
    ],
)
def test_a_check_across_fields_is_told_at_its_field(client, auth, make, changes, field, message):
    login(client, make.user(roles=("organiser",)))
    client.get("/cleanup/guides")  # the default action types
    response = auth.post("/cleanup/guides/delete-mail/edit", _guide_form(**changes))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and error.group(1).startswith(message)
    tag = _field_tag(page, field)
    assert 'aria-invalid="true"' in tag and f"{field}-error" in tag and "autofocus" in tag
    assert page.count("autofocus") == 1
    summary = re.search(r'<div class="notice error-summary".*?</div>', page, re.S).group(0)
    assert f'<a href="#{field}">' in summary and message in summary
    assert 'class="flash flash-error"' not in page  # no longer at the top alone
