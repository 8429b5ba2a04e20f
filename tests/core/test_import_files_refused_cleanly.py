"""Review of 7 December: the staff directory and departments imports answer every file
an admin may pick with a sentence in their language, never an error page, and change
nothing: an empty file, one that is no text or another encoding, a header alone, a line
with too many cells, an enormous cell, a quote left open, a NUL, a heading twice."""

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.models import Department
from app.extensions import db
from tests.conftest import login

HUGE = "x" * (csv.field_size_limit() + 1)  # beyond what the csv module reads
LONG = "x" * 100_000  # within it, beyond any column

HEADERS = {
    "/admin/directory": "email;display_name;department;commune;staff_number",
    "/admin/departments": "code;name_fr;name_en;commune",
}
NOT_UTF8 = "Le fichier n'est pas du texte UTF-8. Enregistrez-le au format « CSV UTF-8 »"
UNREADABLE = "Cette ligne ne peut être lue en CSV"
HEADER_ONLY = "Le fichier n'a aucune ligne, seulement son en-tête : il n'y a rien à importer."
TOO_MANY = "Cette ligne a trop de cellules."

# name -> (the file, {header} and the other marks put in; what the page says, or what
# each import's page says).
FILES = {
    "empty": (b"", "Le fichier est vide."),
    "only a BOM": (b"\xef\xbb\xbf", "Le fichier est vide."),
    "only blank lines": (b"\r\n\r\n  \r\n", "Le fichier est vide."),
    "a picture": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", NOT_UTF8),
    "NULs": (b"\x00\x00\x00\x00", NOT_UTF8),
    "UTF-16 from Excel": ("email\tdisplay_name\r\n".encode("utf-16"), NOT_UTF8),
    "UTF-16 without its BOM": ("code,name_fr,name_en\r\n".encode("utf-16-le"), NOT_UTF8),
    "Windows-1252": ("code;name_fr\r\nÉCO;Économie\r\n".encode("cp1252"), NOT_UTF8),
    "an encoded surrogate": (b"{header}\r\n\xed\xa0\x80;b;c;d\r\n", NOT_UTF8),
    "a header alone with a BOM": (b"\xef\xbb\xbf{header}\r\n", HEADER_ONLY),
    "a row a spreadsheet emptied": (b"{header}\r\n{empty}\r\n{empty}\r\n", HEADER_ONLY),
    "thousands of empty columns": (b"{header}" + b";" * 200_000 + b"\r\n", HEADER_ONLY),
    "too many cells": (b"{header}\r\na;b;c;d;e;f;g;h\r\n", TOO_MANY),
    "an enormous cell": (b"{header}\r\n{huge}\r\n", UNREADABLE),
    "an enormous heading": (b"{huge}\r\nx\r\n", UNREADABLE),
    "old Mac line ends": (b"{header}\rA;b;c;d;e\r", UNREADABLE),
    "tabs between cells": (b"{tabbed}\r\na\tb\tc\td\r\n", "Colonnes manquantes"),
    "a NUL in the header": (b"{header}\x00\r\na;b;c;d;e\r\n", NOT_UTF8),
    "a heading twice": (
        b"{header};Commune\r\n",
        "Ces en-têtes désignent la même colonne : gardez-en un seul.",
    ),
    "a value under no heading": (
        b"{header};\r\n{empty};oops\r\n",
        "Cette ligne a une valeur dans une colonne sans en-tête.",
    ),
    "a long cell in every column": (
        b"{header}\r\n{long}\r\n",
        {
            "/admin/directory": "Un nom est nécessaire, de 120 caractères au plus.",
            "/admin/departments": "Un code est nécessaire, de 32 caractères au plus.",
        },
    ),
    "a quote left open": (
        b'{header}\r\n"DNUM;Lea\r\nDRH;Rh\r\n',
        {
            "/admin/directory": "Cette adresse e-mail n'est pas valide",
            "/admin/departments": "Lettres, chiffres, point, tiret et tiret bas uniquement.",
        },
    ),
    "a NUL in a cell": (
        b"{header}\r\nA\x00B{rest}\r\n",
        {
            "/admin/directory": "Cette adresse e-mail n'est pas valide.",
            "/admin/departments": "Un code est nécessaire, de 32 caractères au plus.",
        },
    ),
}


def _file(template: bytes, header: str) -> bytes:
    """The file's bytes for one import: its header and cells put in."""
    columns = header.count(";") + 1
    for mark, value in (
        (b"{header}", header),
        (b"{tabbed}", header.replace(";", "\t")),
        (b"{empty}", ";" * (columns - 1)),
        (b"{rest}", ";x" * (columns - 1)),
        (b"{huge}", HUGE),
        (b"{long}", ";".join([LONG] * columns)),
    ):
        template = template.replace(mark, value.encode())
    return template


def _state() -> tuple:
    """What an import could change: accounts and their names, departments, the log."""
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Department, AuditEvent)
    )
    return counts + tuple(db.session.scalars(select(User.display_name).order_by(User.id)))


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize("path", list(HEADERS))
def test_a_file_that_cannot_be_imported_is_told_in_french_and_changes_nothing(
    client, auth, make, path, name
):
    login(client, make.user(roles=("admin",), locale="fr"))
    make.department(code="DGEN")
    before = _state()
    template, said = FILES[name]
    content = _file(template, HEADERS[path])
    answer = auth.post(
        path, {"file": (io.BytesIO(content), "annuaire.csv")}, content_type="multipart/form-data"
    )
    assert answer.status_code == 422
    assert (said[path] if isinstance(said, dict) else said) in _words(answer.get_data(as_text=True))
    assert _state() == before


@pytest.mark.parametrize("path", list(HEADERS))
def test_a_checked_file_that_cannot_be_imported_is_told_alike(client, auth, make, path):
    """« Only check the file » reads it the same way."""
    login(client, make.user(roles=("admin",), locale="fr"))
    before = _state()
    content = _file(b"{header};Commune\r\n", HEADERS[path])
    answer = auth.post(
        path,
        {"file": (io.BytesIO(content), "f.csv"), "check_only": "y"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert "Ces en-têtes désignent la même colonne" in _words(answer.get_data(as_text=True))
    assert _state() == before
