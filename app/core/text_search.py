"""Finding people by what an admin types: each word, whatever its accents and case.

"helene" finds « Hélène », "martin chloé" finds « Chloé Martin ». Both sides are folded
the same way: lower case, then the accented letters of Latin languages replaced by their
base letter. PostgreSQL folds with `translate(lower(…))`; SQLite, whose `lower()` knows
ASCII only and which has no `translate`, with the same Python function registered on
the connection (`prepare`). No stored copy of the names to keep in step: a search of
20,000 people scans the table as the LIKE '%…%' before it did.

Names are found as a keyboard types them: the typographic apostrophes are the straight
one ("d'arcy" finds « D’Arcy »), a ligature its two letters ("loeuvre" finds « Lœuvre »,
"aelys" « Ælys »), a hyphen a space ("marie claire" finds « Marie-Claire »).
"""

import unicodedata

from sqlalchemy import String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

ACCENTED = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ"
PLAIN = "aaaaaaceeeeiiiinoooooouuuuyy"
# Typographic apostrophes (’ ‘ ʼ) as the straight one, a hyphen as a space.
MARKS, PLAIN_MARKS = "\u2019\u2018\u02bc-", "''' "
# Upper case too: PostgreSQL's lower() leaves « É » as is under the C locale.
FROM, TO = ACCENTED + ACCENTED.upper() + MARKS, PLAIN + PLAIN + PLAIN_MARKS
# A letter written as two, which `translate` cannot do: PostgreSQL replaces them apart.
LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"}
_TABLE = str.maketrans({**dict(zip(FROM, TO, strict=True)), **LIGATURES})
SQLITE_FUNCTION = "empreinte_fold"


def fold(text: str | None) -> str:
    """`text` as searches compare it: "Chloé MARTIN" -> "chloe martin"."""
    return unicodedata.normalize("NFC", text or "").lower().translate(_TABLE)


def search_words(query: str, limit: int = 8) -> list[str]:
    """The folded words of a query, each to be found on its own (at most `limit`)."""
    return fold(query).split()[:limit]


class folded(FunctionElement):  # lower case: used as a SQL function
    """A column folded as `fold` does, in SQL."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_sqlite(element, compiler, **kw):
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    (column,) = element.clauses.clauses
    folded_text = func.translate(func.lower(column), FROM, TO)
    for ligature, letters in LIGATURES.items():
        folded_text = func.replace(folded_text, ligature, letters)
    return compiler.process(folded_text, **kw)


def prepare(connection) -> None:
    """Give a SQLite connection the folding function (PostgreSQL has its own)."""
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.create_function(
            SQLITE_FUNCTION, 1, fold, deterministic=True
        )
