"""The line reader every CSV import shares: the file's shape, checked the same way."""

import csv
import io

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.auth.models import User
from app.catalogue.models import CatalogueItem
from app.core.csv_import import csv_lines
from app.core.models import Department
from app.extensions import db
from tests.conftest import login

TOO_LONG = "x" * (csv.field_size_limit() + 1)  # the csv module refuses such a field


def read(text, **options):
    problems = []
    options.setdefault("required", ("code", "name"))
    options.setdefault("max_lines", 10)
    with force_locale(options.pop("locale", "en")):
        lines = list(csv_lines(text, problems, **options))
    return lines, [(p.line, p.column, p.message) for p in problems]


def test_cells_come_by_column_name_trimmed_whatever_the_header_s_case_and_bom():
    lines, problems = read("\ufeff Code ,NAME\n A-1 , Écran \n\nB-2,Clavier\n")
    assert problems == []
    assert lines == [(2, {"code": "A-1", "name": "Écran"}), (4, {"code": "B-2", "name": "Clavier"})]


def test_a_header_without_a_needed_column_yields_nothing():
    lines, problems = read("code,label\nA-1,Écran\n")
    assert lines == []
    assert problems == [(1, "name", "Missing columns in the header line.")]


def test_a_column_beyond_those_allowed_is_named():
    lines, problems = read("code,name,colour\nA-1,Écran,red\n", allowed=("code", "name"))
    assert lines == []
    assert problems == [
        (1, "colour", "Unknown columns. The columns this file may have: code; name.")
    ]


def test_a_line_with_too_many_cells_is_skipped_and_the_others_read():
    lines, problems = read("code,name\nA-1,Écran,extra\nB-2,Clavier\n")
    assert [line for line, _cells in lines] == [3]
    assert problems == [(2, "-", "This line has too many cells.")]


def test_reading_stops_after_the_last_line_allowed():
    lines, problems = read("code,name\n" + "".join(f"C-{n},Item\n" for n in range(5)), max_lines=3)
    assert len(lines) == 3
    assert problems == [(5, "-", "At most 3 lines per file.")]


def test_a_line_the_csv_module_refuses_stops_the_reading_in_the_reader_s_language():
    text = f"code,name\nA-1,Écran\nB-2,{TOO_LONG}\nC-3,Souris\n"
    lines, problems = read(text, locale="fr")
    assert [line for line, _cells in lines] == [2]
    assert problems == [
        (
            3,
            "-",
            "Cette ligne ne peut être lue en CSV (un caractère NUL ou un guillemet resté "
            "ouvert, peut-être)\u00a0: le fichier n'a pas été lu plus loin.",
        )
    ]


@pytest.mark.parametrize(
    "path, header",
    [
        ("/catalogue/admin/import", "code,kind,category,name_fr,name_en"),
        ("/admin/directory", "email,display_name"),
        ("/admin/departments", "code,name_fr,name_en"),
    ],
)
def test_every_import_page_says_so_in_french_and_changes_nothing(client, auth, make, path, header):
    login(client, make.user(roles=("admin",)))
    before = row_counts()
    text = f"{header}\n{TOO_LONG}\n"
    answer = auth.post(
        path, {"file": (io.BytesIO(text.encode()), "file.csv")}, content_type="multipart/form-data"
    )
    assert answer.status_code in (200, 422)
    assert "Cette ligne ne peut être lue en CSV" in answer.get_data(as_text=True)
    assert row_counts() == before


def row_counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (CatalogueItem, User, Department)
    )
