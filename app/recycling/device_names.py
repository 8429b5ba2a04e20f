"""Device types named in a list inside a sentence, as the reader's language writes it."""

from flask_babel import get_locale

from app.core.devices import DEVICE_TYPES


def device_type_names(keys) -> list[str]:
    """The labels of these device types (DEVICE_TYPES keys, in that order; an unknown key
    as it is), in the current locale, to be joined into one list: in French a common
    noun after the first takes no capital (« Ordinateur portable, écran, smartphone »);
    English labels stay as written (a label stands alone on forms and tables)."""
    labels = [str(DEVICE_TYPES[key].label) if key in DEVICE_TYPES else key for key in keys]
    locale = get_locale()
    if locale is None or locale.language != "fr":
        return labels
    return labels[:1] + [_mid_sentence(label) for label in labels[1:]]


def _mid_sentence(label: str) -> str:
    """A label's first letter in lower case, unless it starts an acronym (« PC »)."""
    if label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]
