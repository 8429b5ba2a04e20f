"""« Vouliez-vous dire : ordinateur portable ? »: a search that finds nothing, spelt as
the catalogue spells its words.

Each typed word the search cannot find (`queries.search_terms`: the start of a word of an
item's names or code, or of its category's names) is replaced by the word of the item
and category names in the reader's language that is the fewest typing slips away (a
letter added, dropped or changed, two letters swapped: "labtop", « ecarn »): one slip
for a word of up to five letters, two beyond, as Elasticsearch's `fuzziness: AUTO`.
Accents and capitals aside: « ecarn » is one slip from « écran », suggested with its accent.
Only the reader's language is spelt from: the search finds the other language's names too,
but a suggestion in it (« iphone »: "phone") reads as a word of another interface.

The words are read once per catalogue change (the "catalogue" namespace of
app/core/cache.py, which every write of an item bumps), not at each search. A suggestion
is offered only when it finds items with the same filters; the work is bounded whatever
is typed (eight words, a few candidates each, three searches to check them).
"""

import itertools
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import replace
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale
from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import select

from app.catalogue import footprint, queries
from app.catalogue.forms import MAX_QUERY
from app.catalogue.models import CatalogueItem
from app.core import cache
from app.extensions import db

# Runs of letters, as typed or as named: « station d'accueil » is three of them.
_LETTERS = re.compile(r"([^\W\d_]+)")
# A shorter word is left as typed: "pc", "tv" are one slip from too many others.
SHORTEST = 3
# No name holds a longer word: a longer one is left as typed (and costs nothing).
LONGEST = 30
WORDS = 8  # as many as a search reads (`queries.search_terms`)
CANDIDATES = 3  # closest words kept for each typed one
CHECKS = 3  # suggestions searched for, at most, before giving up


class Vocabulary(NamedTuple):
    """What a search is spelt against in one language (plain tuples: kept in the cache)."""

    searched: tuple[str, ...]  # every word the search finds items by, sorted
    words: tuple[str, ...]  # the names' words, folded (`normalise_search`)
    spellings: tuple[str, ...]  # each as the names write it, in lower case
    items: tuple[int, ...]  # how many items' names hold it


def _name_words(text: str) -> set[str]:
    """The words of a name, in lower case, each once."""
    return {word.lower() for word in _LETTERS.findall(text or "")}


def _read_vocabulary(language: str) -> Vocabulary:
    """The words of every item's name in `language` and of its category's names there."""
    name = CatalogueItem.name_en if language == "en" else CatalogueItem.name_fr
    rows = db.session.execute(select(name, CatalogueItem.search_text, CatalogueItem.category))
    searched, by_category = set(), Counter()
    spelt = defaultdict(Counter)  # folded word: its spellings, each with its items
    for item_name, search_text, category in rows:
        searched.update(search_text.split())
        by_category[category] += 1
        for word in _name_words(item_name):
            spelt[footprint.normalise_search(word)][word] += 1
    with force_locale(language):
        for category, items in by_category.items():
            names = (
                footprint.category_label(category),
                footprint.CATEGORY_SEARCH_WORDS.get(category, ""),
                footprint.CATEGORY_KIND_WORDS.get(category, ""),
            )
            for word in _name_words(" ".join(str(n) for n in names)):
                spelt[footprint.normalise_search(word)][word] += items
    kept = sorted(w for w in spelt if SHORTEST <= len(w) <= LONGEST and w.isalpha())
    # The spelling most names use: « écran » rather than an admin's « ecran ».
    spellings = [min(spelt[w].items(), key=lambda s: (-s[1], s[0])) for w in kept]
    return Vocabulary(
        searched=tuple(sorted(searched)),
        words=tuple(kept),
        spellings=tuple(spelling for spelling, _items in spellings),
        items=tuple(sum(spelt[w].values()) for w in kept),
    )


def get_vocabulary(language: str) -> Vocabulary:
    """The reader's vocabulary, read again only once the catalogue has changed."""
    found = cache.value(
        "catalogue.spelling", (language,), ("catalogue",), lambda: tuple(_read_vocabulary(language))
    )
    return Vocabulary(*found)


def _found_by_search(word: str, vocabulary: Vocabulary, languages: tuple[str, ...]) -> bool:
    """Whether the search finds something by this folded word alone, as it reads it: the
    start of a stored word, or of a category's name in any language."""
    stem = footprint.singular_stem(word)
    at = bisect_left(vocabulary.searched, stem)
    if at < len(vocabulary.searched) and vocabulary.searched[at].startswith(stem):
        return True
    named, kinds = footprint.categories_matching(stem, languages)
    return bool(named or kinds)


def _closest(word: str, vocabulary: Vocabulary) -> list[tuple[int, int, str]]:
    """The closest words to a folded word: (slips, minus the items naming it, spelling)."""
    slips = 1 if len(word) <= 5 else 2
    found = process.extract(
        word, vocabulary.words, scorer=OSA.distance, score_cutoff=slips, limit=None
    )
    ranked = sorted(
        (distance, -vocabulary.items[at], vocabulary.spellings[at]) for _w, distance, at in found
    )
    return ranked[:CANDIDATES]


def _choices(pieces: list[str], vocabulary: Vocabulary) -> list[list[tuple[int, int, str]]]:
    """For each piece of the query (runs of letters at odd places, what lies between at
    even ones), the ways to write it: as typed first when the search finds it."""
    languages = tuple(current_app.config["LANGUAGES"])
    choices, looked_at = [], 0
    for at, piece in enumerate(pieces):
        as_typed = [(0, 0, piece)]
        word = footprint.normalise_search(piece)
        # Letters against digits are part of a code ("LAP14"), kept as typed.
        beside_digit = at % 2 and (pieces[at - 1][-1:].isdigit() or pieces[at + 1][:1].isdigit())
        if (
            at % 2 == 0
            or beside_digit
            or not SHORTEST <= len(word) <= LONGEST
            or looked_at >= WORDS
            or _found_by_search(word, vocabulary, languages)
        ):
            choices.append(as_typed)
            continue
        looked_at += 1
        choices.append(_closest(word, vocabulary) or as_typed)
    return choices


def _cost(way: tuple[tuple[int, int, str], ...]) -> tuple[int, int]:
    """Fewest slips first, then the words the most items' names hold."""
    return sum(piece[0] for piece in way), sum(piece[1] for piece in way)


def suggest_search(filters: queries.Filters, language: str) -> str | None:
    """A search close to `filters.q`, its misspelt words written as the catalogue's names
    in the reader's `language` write them, that finds items with the same filters; None
    if none does.

    Never spelt from another language's names, though the search finds them: on the
    French pages « iphone » was offered "phone", an English word the reader never sees
    in the portal, and "labtop" "laptop"; the French words alone are close to neither."""
    return _suggest_in(filters, language)


def _suggest_in(filters: queries.Filters, language: str) -> str | None:
    """`suggest_search` spelt with the names in one language."""
    terms = filters.q.split()
    pieces = _LETTERS.split(" ".join(terms[:WORDS]))
    choices = _choices(pieces, get_vocabulary(language))
    # A few ways only: there would be up to CANDIDATES ** WORDS of them.
    ways = sorted(itertools.islice(itertools.product(*choices), CANDIDATES**3), key=_cost)
    for way in [way for way in ways if _cost(way)[0]][:CHECKS]:
        suggestion = " ".join(["".join(piece[2] for piece in way), *terms[WORDS:]])
        if len(suggestion) <= MAX_QUERY and queries.count_items(replace(filters, q=suggestion)):
            return suggestion
    return None
