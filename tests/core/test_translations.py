"""Every string the portal shows is in the French catalogue, translated."""

import io
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
# The same keywords as `flask translate extract` (app/core/cli.py, EXTRA_KEYWORDS).
KEYWORDS = DEFAULT_KEYWORDS | {"_l": None, "lazy_pgettext": ((1, "c"), 2)}


def _extracted_messages() -> list[tuple[str, int, str | tuple, str | None]]:
    """(file, line, message, context) of every translatable string of the code and
    templates; `message` is (singular, plural) for a plural."""
    method_map, options_map = parse_mapping_cfg(io.StringIO((ROOT / "babel.cfg").read_text()))
    return [
        (filename, lineno, message, context)
        for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    ]


def _extracted() -> dict[tuple[str | None, str], str]:
    """(context, msgid) of every translatable string of the code and templates: where."""
    found = {}
    for filename, lineno, message, context in _extracted_messages():
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((context, msgid), f"{filename}:{lineno}")
    return found


def test_the_extractor_reads_each_string_as_the_catalogue_holds_it():
    """A string found as a plural is one in the catalogue, with the same plural, and a
    singular one is not. Otherwise `flask translate update` rewrites the entry and marks it
    fuzzy, and the page shows it in English: `_("Imported: %(n)s.", n=", ".join(…))` read
    the ", " as a plural form."""
    with open(ROOT / "translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    wrong = []
    for filename, lineno, message, context in _extracted_messages():
        msgid = message if isinstance(message, str) else message[0]
        entry = catalogue.get(msgid, context=context)
        if entry is None:
            continue  # told by the test of missing translations
        found = message[1] if isinstance(message, tuple) else None
        held = entry.id[1] if isinstance(entry.id, tuple) else None
        if found != held:
            wrong.append(f"{filename}:{lineno}: {msgid!r} plural {found!r}, catalogue {held!r}")
    assert not wrong, "read otherwise than the catalogue holds it:\n" + "\n".join(wrong)


def test_every_string_of_the_portal_is_translated_to_french():
    with open(ROOT / "translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    found = _extracted()
    assert len(found) > 500, "the extraction found too few strings: is babel.cfg read?"
    missing = []
    for (context, msgid), where in sorted(found.items(), key=lambda item: item[1]):
        entry = catalogue.get(msgid, context=context)
        translated = entry is not None and (
            all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string)
        )
        if not translated or (entry is not None and entry.fuzzy):
            missing.append(f"{where}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    assert not missing, "not translated to French:\n" + "\n".join(missing)


def test_french_strings_keep_their_punctuation_with_the_word_before():
    """French typography: a space comes before ':', ';', '?' and '!' and inside « », and
    a reader's line must never start with one of them. So that space is a no-break one."""

    with open(ROOT / "translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    breakable = re.compile(r"\S [:;?!](\s|$)|« | »")
    wrong = []
    for message in catalogue:
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if message.id and text and breakable.search(text):
                wrong.append(f"{message.id!r}: {text!r}")
    assert not wrong, "a breakable space before French punctuation:\n" + "\n".join(wrong)


def test_french_strings_name_people_without_a_middle_dot():
    """ "déconnecté·e" is read letter by letter by screen readers: neutral wording instead
    ("Déconnexion effectuée."). A middle dot between words (a separator) is fine."""

    with open(ROOT / "translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    inclusive = re.compile(r"\w·\w")
    wrong = []
    for message in catalogue:
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if message.id and text and inclusive.search(text):
                wrong.append(f"{message.id!r}: {text!r}")
    assert not wrong, "a middle dot inside a word:\n" + "\n".join(wrong)


def test_french_strings_write_the_apostrophe_one_way():
    """« l'adresse » beside « l’adresse » on the same page reads as careless: the French
    catalogue writes the apostrophe as the keyboard does, everywhere."""

    with open(ROOT / "translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    wrong = []
    for message in catalogue:
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if message.id and text and "\u2019" in text:
                wrong.append(f"{message.id!r}: {text!r}")
    assert not wrong, "a curly apostrophe (U+2019) among straight ones:\n" + "\n".join(wrong)
