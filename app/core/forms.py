"""Form helpers shared by every part of the portal."""

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3
    SelectChoice = None


def choices(pairs) -> list:
    """Choices for a SelectField/RadioField from (value, label) pairs, on any WTForms 3."""
    pairs = list(pairs)
    if SelectChoice is None:
        return pairs
    return [SelectChoice(value, label) for value, label in pairs]
