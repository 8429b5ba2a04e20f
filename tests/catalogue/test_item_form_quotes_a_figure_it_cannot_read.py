"""« 250 kg » typed in the item form's manufacturing field was told « Saisissez un nombre
de 0 à 10 000 000. », where 250 is: the form now quotes what it cannot read, in the
import's own words (`forms.not_a_number`), then the range it expects."""

import pytest

from app.catalogue.csv_io import import_catalogue_csv
from tests.catalogue.conftest import GRID, NOW
from tests.catalogue.test_import_and_form_number_reading import _error, _item_form
from tests.conftest import Auth, login

NBSP, NNBSP = "\u00a0", "\u202f"


def _refused(client, make, locale: str, field: str, typed: str) -> str:
    login(client, make.user(roles=("admin",), locale=locale))
    response = Auth(client).post("/catalogue/admin/items/new", _item_form(**{field: typed}))
    assert response.status_code == 422
    return _error(response.text, field)


def test_a_figure_with_its_unit_is_quoted_in_french(client, make):
    said = _refused(client, make, "fr", "embodied_kgco2e", "250 kg")
    assert said == (
        f"«{NBSP}250 kg{NBSP}» ne se lit pas comme un nombre. "
        f"Saisissez un nombre de 0 à 10{NNBSP}000{NNBSP}000."
    )


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("embodied_kgco2e", "250 kg", "250 kg does not read as a number. Enter a number from 0 to 10,000,000."),
        ("lifetime_years", "5 years", "5 years does not read as a number. The lifetime must be between 1 and 15 years."),
        ("user_count", "lots", "lots does not read as a number. Enter a whole number from 0 to 10,000,000."),
    ],
)  # fmt: skip
def test_each_figure_field_quotes_what_it_cannot_read(client, make, field, typed, said):
    assert _refused(client, make, "en", field, typed) == said


def test_a_number_written_another_way_is_not_quoted_as_no_number(client, make):
    said = _refused(client, make, "fr", "embodied_kgco2e", "1.234,5")
    assert said.startswith("Ce nombre est écrit d'une façon")


def test_the_import_says_the_same_of_the_same_cell(make, request_context):
    text = "code,kind,category,name_fr,name_en,embodied_kgco2e,source\nEQ-1,equipment,laptop,P,L,250 kg,S\n"
    (problem,) = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID).problems
    assert problem.message.startswith("250 kg does not read as a number. ")
