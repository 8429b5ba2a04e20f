"""Registries that let messaging personalise and target messages without importing domains.

- Variables: each domain registers a provider that, given a batch of users, the
  time and a context (e.g. {"campaign_id": 3} for a campaign's messages),
  returns the variables it knows per user id. Batches keep a 20,000-recipient
  dispatch at a few queries, not 20,000.
- Audiences: each domain registers named audiences that resolve to a SELECT of
  user ids (e.g. the participants of a campaign), and the parameters they take
  (e.g. `campaign_id`) with their label and choices: the schedule form offers them
  as lists, and a dispatch names its audience with them ("Participants of a clean-up
  campaign: Spring clean-up"), never with an id.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app

VariableProvider = Callable[[Sequence[object], datetime, dict], dict[int, dict[str, object]]]


def _number_of(other):
    """The number `other` stands for in a comparison or a sum, or NotImplemented (a text
    compares as a text; a WrittenNumber with no value, as nothing)."""
    if isinstance(other, WrittenNumber):
        return other.value
    if isinstance(other, (int, float)):
        return other
    return NotImplemented


def _compared(operator):
    def compare(self, other):
        number = _number_of(other)
        if number is NotImplemented:
            return getattr(str, operator)(self, other)
        if self.value is None or number is None:
            # No rank yet is no number: « rank <= 10 » and « rank > 10 » are both false.
            return operator == "__ne__"
        return getattr(self.value, operator)(number)

    compare.__name__ = operator
    return compare


def _computed(operator, reflected=False):
    def compute(self, other):
        number = _number_of(other)
        if number is NotImplemented or number is None or self.value is None:
            if operator in ("__add__", "__mod__", "__mul__") and not reflected:
                return getattr(str, operator)(self, other)  # "120" ~ " points", as a text
            return NotImplemented
        left, right = (number, self.value) if reflected else (self.value, number)
        return getattr(left, operator)(right)

    compute.__name__ = operator
    return compute


class WrittenNumber(str):
    """A number as a variable: written the recipient's way ("12\u202f400"), and false
    when it is zero, so that `{% if points %}` keeps the meaning it has for a number.

    In a comparison, a sum or a conversion (`|int`, `|float`) it is its value: read as
    its text, « 1 342 » was 0 to `|int`, and « 1 342 <= 10 » true. One with no value
    (no rank yet, figures not published) is none: false, and any comparison of it false."""

    def __new__(cls, text: str, value):
        written = super().__new__(cls, text)
        written.value = value
        return written

    def __bool__(self) -> bool:
        return bool(self.value)

    def __getnewargs__(self):  # copy and pickle
        return str(self), self.value

    __hash__ = str.__hash__
    __eq__ = _compared("__eq__")
    __ne__ = _compared("__ne__")
    __lt__ = _compared("__lt__")
    __le__ = _compared("__le__")
    __gt__ = _compared("__gt__")
    __ge__ = _compared("__ge__")
    __add__, __radd__ = _computed("__add__"), _computed("__add__", True)
    __sub__, __rsub__ = _computed("__sub__"), _computed("__sub__", True)
    __mul__, __rmul__ = _computed("__mul__"), _computed("__mul__", True)
    __truediv__, __rtruediv__ = _computed("__truediv__"), _computed("__truediv__", True)
    __floordiv__, __rfloordiv__ = _computed("__floordiv__"), _computed("__floordiv__", True)
    __mod__, __rmod__ = _computed("__mod__"), _computed("__mod__", True)

    def __int__(self) -> int:
        if self.value is None:
            raise TypeError("no value")
        return int(self.value)

    def __float__(self) -> float:
        if self.value is None:
            raise TypeError("no value")
        return float(self.value)

    def __abs__(self):
        return abs(self.value) if self.value is not None else self

    def __neg__(self):
        return -self.value if self.value is not None else self

    def __round__(self, digits=None):
        return round(self.value, digits) if self.value is not None else self


@dataclass(frozen=True)
class Variable:
    name: str
    description: object  # lazy-translated, shown to template authors
    example: object  # shown to template authors, used to validate: text, or lazy-translated
    # The notices that give it (lazy-translated, e.g. "notices about a returned device"),
    # or None when every message may use it. A template using one is never scheduled.
    only_in: object = None


def only_in_notices(notices, variables: Iterable[Variable]) -> tuple[Variable, ...]:
    """The variables, marked as given only in `notices` (lazy-translated: what they are)."""
    return tuple(replace(variable, only_in=notices) for variable in variables)


def owner_variables(
    users: Sequence[object], owner_id: int | None, build: Callable[[str], dict]
) -> dict[int, dict]:
    """A notice's variables, given to the one person it is about and to nobody else:
    `build(language)` runs in that person's language (jobs have no request to pick one)."""
    from flask_babel import force_locale

    from app.core.i18n import regional_locale

    for user in users:
        if owner_id is not None and user.id == owner_id:
            language = user.locale if user.locale in ("fr", "en") else "fr"
            with force_locale(regional_locale(language)):
                return {user.id: build(language)}
    return {}


@dataclass(frozen=True)
class Audience:
    key: str
    label: object  # lazy-translated
    # (now, params) -> a SQLAlchemy Select of user_account.id; params come from
    # the organiser's choice (e.g. {"campaign_id": 3} or {"department_id": 7}).
    resolve: Callable[[datetime, dict], object]
    params: tuple[str, ...] = ()  # names of the parameters it needs


@dataclass(frozen=True)
class AudienceParam:
    name: str
    label: object  # lazy-translated: the schedule form's field
    # () -> [(value, label)] in the reader's language, in the order to offer them
    choices: Callable[[], list[tuple[str, str]]]
    # The same for a template's preview only, where organisers may also check what is not
    # offered yet (a draft campaign's launch); None: the choices above.
    preview_choices: Callable[[], list[tuple[str, str]]] | None = None


def register_variables(app, variables: Iterable[Variable], provider: VariableProvider) -> None:
    """Declare variables and the batch function that computes them per user id."""
    app.extensions.setdefault("empreinte.variables", []).append((tuple(variables), provider))


# Given a notice's context, the passage of it written in a language of its own, and that
# language ("fr", "en"); None when it has none.
PassageFinder = Callable[[dict], tuple[str, str] | None]
FOREIGN_PASSAGES = "empreinte.foreign_passages"


def register_foreign_passages(app, finder: PassageFinder) -> None:
    """Let a domain name the passage its notices quote in the language it was written in
    (an agent's reason for undoing a receipt), found from the notice's context when its
    e-mail and inbox copies are rendered: the HTML marks it as an organiser's reason is."""
    app.extensions.setdefault(FOREIGN_PASSAGES, []).append(finder)


def known_variables() -> dict[str, Variable]:
    """Every variable a template may use, by name."""
    registry = current_app.extensions.get("empreinte.variables", [])
    return {var.name: var for variables, _ in registry for var in variables}


def variables_for(
    users: Sequence[object], now: datetime, context: dict | None = None
) -> dict[int, dict[str, object]]:
    """All registered variables for each user id in the batch."""
    merged: dict[int, dict[str, object]] = {user.id: {} for user in users}
    for _variables, provider in current_app.extensions.get("empreinte.variables", []):
        for user_id, values in provider(users, now, context or {}).items():
            merged.setdefault(user_id, {}).update(values)
    return merged


def register_audience(app, audience: Audience) -> None:
    """Add a named audience organisers can pick."""
    app.extensions.setdefault("empreinte.audiences", {})[audience.key] = audience


def known_audiences() -> dict[str, Audience]:
    return dict(current_app.extensions.get("empreinte.audiences", {}))


def register_audience_param(app, param: AudienceParam) -> None:
    """Declare a parameter some audiences take, its label and where its values come from."""
    app.extensions.setdefault("empreinte.audience_params", {})[param.name] = param


def known_audience_params() -> dict[str, AudienceParam]:
    return dict(current_app.extensions.get("empreinte.audience_params", {}))


def audience_namer() -> Callable[[str, dict], str]:
    """A function naming an audience with its parameters' labels, for one page.

    Each parameter's choices are read once per namer, however many dispatches it names."""
    from flask_babel import gettext as _

    audiences, params, choices = known_audiences(), known_audience_params(), {}

    def name(key: str, values: dict) -> str:
        audience = audiences.get(key)
        label = str(audience.label) if audience else key
        named = []
        for param_name, value in (values or {}).items():
            if param_name not in choices:
                param = params.get(param_name)
                choices[param_name] = dict(param.choices()) if param else {}
            named.append(choices[param_name].get(str(value), str(value)))
        if not named:
            return label
        return _("%(audience)s: %(values)s", audience=label, values=", ".join(named))

    return name
