"""What one rendering of a template may cost: its time, its output, the size of its values.

Organisers write templates, and a preview renders as they type: a loop in a loop in a
loop, or "x" * 100000000, held a worker for ever. Every step a template takes (a loop's
turn, a call, a filter, an attribute, an operator, a piece of output) goes through a
check of the render's budget, and every value it makes is kept under a size: a step costs
a comparison, and no single step can be long, so the deadline really bounds the time.
"""

import math
import re
import time
from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal
from functools import wraps

from jinja2 import Undefined, nodes, pass_context
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from app.core.i18n import format_number
from app.core.personalisation import WrittenNumber
from app.messaging.i18n import _

RENDER_SECONDS = 1.0  # a template renders in a millisecond: a second is far beyond
MAX_OUTPUT = 200_000  # characters written by one rendering, those captured included
MAX_ITEMS = 100_000  # characters of a text, items of a list, made by a template
MAX_RANGE = 1_000  # numbers a template's range() may count
MAX_INT_BITS = 4_096  # a number a template computes (2 ** 4096 is already absurd)

_BUDGET: ContextVar["Budget | None"] = ContextVar("template_budget", default=None)
# Widths and precisions of a format ("%10s", "{:>10}") and those taken from arguments.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*?:((?:[^{}]|\{[^{}]*\})*)\}")
_DIGITS = re.compile(r"\d+")


class TemplateRefused(Exception):
    """A rendering the sandbox stopped; `kind` says why, `reason()` says it in words."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind

    def __str__(self) -> str:
        return self.reason()

    def reason(self) -> str:
        raise NotImplementedError


class TemplateTooCostly(TemplateRefused):
    """A rendering refused for what it would cost; `kind` says which limit."""

    def reason(self) -> str:
        """The limit, in the reader's words."""
        if self.kind == "time":
            return _("This template takes too long to render: check its loops.")
        if self.kind == "output":
            return _(
                "This template writes a text too long: at most %(limit)s characters.",
                limit=format_number(MAX_OUTPUT),
            )
        if self.kind == "range":
            return _("A range may count at most %(limit)s numbers.", limit=format_number(MAX_RANGE))
        return _("This makes a value too large for a message: check the operations on this line.")


class UnwritableValue(TemplateRefused):
    """A value a message cannot say: `object` (a function, a method, an object, whose text
    is Python's, « <function str.format at 0x…> »), `number` (infinite or not a number)."""

    def reason(self) -> str:
        """What to change, in the reader's words."""
        if self.kind == "number":
            return _(
                "This makes a number that is infinite or undefined (inf, nan): check the "
                "operations on this line."
            )
        return _(
            "This writes something that is neither a text nor a number (a function, a "
            "method or an object): use the variables as they are, or call the method with "
            "its brackets."
        )


class Budget:
    """One rendering's deadline and output written so far."""

    __slots__ = ("deadline", "output")

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.output = 0

    def step(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateTooCostly("time")

    def write(self, size: int) -> None:
        self.output += size
        if self.output > MAX_OUTPUT:
            raise TemplateTooCostly("output")


def bounded_render(template, variables: dict, seconds: float = RENDER_SECONDS) -> str:
    """Render a template compiled by `BoundedSandbox` within its budget, or raise
    TemplateTooCostly."""
    token = _BUDGET.set(Budget(seconds))
    try:
        return template.render(variables)
    finally:
        _BUDGET.reset(token)


def _step() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.step()


def _too_large(size: int) -> None:
    if size > MAX_ITEMS:
        raise TemplateTooCostly("size")


def checked(value):
    """The value, unless it is a text, a list or a number larger than a template may make,
    or a number no message can say (infinite, not a number)."""
    if isinstance(value, (str, list, tuple, dict, set)):
        _too_large(len(value))
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TemplateTooCostly("size")
    elif isinstance(value, (float, Decimal)) and not math.isfinite(value):
        raise UnwritableValue("number")
    return value


_TEXT_OR_NUMBER = (str, int, float, Decimal)
_CONTAINERS = (list, tuple, set, frozenset)
_MAX_DEPTH = 20  # lists in lists a check looks into; deeper is no message's value


def writable(value) -> None:
    """Refuse what a message cannot write: only a text or a (finite) number is written.
    A function or a method (`first_name.upper` without its brackets), an object, a list
    became Python's text for it, « <function str.format at 0x7ff5e8f28720> »."""
    if isinstance(value, Undefined):
        return  # StrictUndefined says which variable is missing when it is written
    if isinstance(value, (float, Decimal)) and not math.isfinite(value):
        raise UnwritableValue("number")
    if value is not None and not isinstance(value, _TEXT_OR_NUMBER):
        raise UnwritableValue("object")


def _parts_writable(value, iterators: bool = False, depth: int = 0) -> None:
    """Refuse a value given to a filter, a call or an operator that would write a function,
    an object or an infinite number as text: each item of a list or a dict too.
    `iterators`: a filter reading the items of an iterator (`map`, `join`…) may take one,
    its items checked where they are written; any other filter would write its repr."""
    if isinstance(value, _CONTAINERS) and depth < _MAX_DEPTH:
        for item in value:
            _parts_writable(item, False, depth + 1)
    elif isinstance(value, dict) and depth < _MAX_DEPTH:
        for item in value.items():
            _parts_writable(item, False, depth + 1)
    elif iterators and isinstance(value, (Iterator, range)):
        return
    elif isinstance(value, range):
        return  # numbers
    else:
        writable(value)


def _length(value) -> int:
    return len(value) if isinstance(value, str) else len(str(value))


def _format_too_wide(fmt, args) -> None:
    """Refuse a format whose widths or precisions would write more than a template may."""
    if not isinstance(fmt, str):
        return
    specs = [" ".join(g or "" for g in m.groups()) for m in _PERCENT_SPEC.finditer(fmt)]
    specs += [m[1] for m in _BRACE_SPEC.finditer(fmt)]
    if any(int(d) > MAX_ITEMS for spec in specs for d in _DIGITS.findall(spec)):
        raise TemplateTooCostly("size")
    if any("*" in spec or "{" in spec for spec in specs):  # a width taken from an argument
        for arg in args:
            if isinstance(arg, int) and abs(arg) > MAX_ITEMS:
                raise TemplateTooCostly("size")


def _join_size(separator, items) -> tuple[list, int]:
    items = list(items)
    return items, sum(_length(item) for item in items) + _length(separator) * len(items)


def _replace_size(text, old, new) -> int:
    if not isinstance(text, str):
        return 0
    count = len(text) + 1 if not old else text.count(str(old))
    return len(text) + count * len(str(new))


def _guard_str_method(text: str, name: str, args: tuple, kwargs: dict) -> tuple:
    """The arguments of a text's method, once what it would write is known to be small."""
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _too_large(int(args[0]) if isinstance(args[0], int) else 0)
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        _too_large(len(text) + text.count("\t") * (size if isinstance(size, int) else 0))
    elif name == "replace" and len(args) >= 2:
        _too_large(_replace_size(text, args[0], args[1]))
    elif name == "join" and args:
        items, size = _join_size(text, args[0])
        _too_large(size)
        args = (items, *args[1:])
    elif name in ("format", "format_map"):
        values = list(args) + list(kwargs.values())
        if name == "format_map" and args and isinstance(args[0], dict):
            values = list(args[0].values())
        _format_too_wide(text, values)
    return args


# Filters whose arguments say how much they write: checked before they run.
def _filter_guards() -> dict:
    def center(value, width=80, *args, **kwargs):
        _too_large(width if isinstance(width, int) else 0)

    def indent(s, width=4, *args, **kwargs):
        prefix = width if isinstance(width, str) else " " * min(int(width), MAX_ITEMS + 1)
        _too_large(_length(s) + (str(s).count("\n") + 1) * len(prefix))

    def wordwrap(s, width=79, break_long_words=True, wrapstring=None, *args, **kwargs):
        lines = _length(s) // max(int(width), 1) + str(s).count("\n") + 1
        _too_large(_length(s) + lines * len(wrapstring or "\n"))

    def replace(s, old, new, *args, **kwargs):
        _too_large(_replace_size(str(s), old, new))

    def count_of(value, count, *args, **kwargs):
        _too_large(count if isinstance(count, int) else 0)

    def format_(value, *args, **kwargs):
        _format_too_wide(value, list(args) + list(kwargs.values()))

    return {
        "center": center,
        "indent": indent,
        "wordwrap": wordwrap,
        "replace": replace,
        "batch": count_of,
        "slice": count_of,
        "format": format_,
    }


# Filters that read the items of what they are given, an iterator too (`map` then `join`):
# any other one given an iterator would write its Python text, « <generator object …> ».
_READS_ITEMS = frozenset(
    {"batch", "count", "d", "default", "dictsort", "first", "groupby", "items", "join", "last",
     "length", "list", "map", "max", "min", "random", "reject", "rejectattr", "reverse",
     "select", "selectattr", "slice", "sort", "sum", "unique"}
)  # fmt: skip


def _bounded_filter(name: str, function, guard):
    """A filter that counts as a step, checked before (`guard`) and after it runs."""

    @wraps(function)
    def bounded(*args, **kwargs):
        _step()
        values = args[1:] if getattr(function, "jinja_pass_arg", None) else args
        if name == "join" and values:  # its items, once: they may come from a generator
            separator = values[1] if len(values) > 1 else kwargs.get("d", "")
            items, size = _join_size(separator, values[0])
            _too_large(size)
            _parts_writable(items)
            args = (*args[: len(args) - len(values)], items, *values[1:])
        elif guard is not None:
            guard(*values, **kwargs)
        if values:
            _parts_writable(values[0], iterators=name in _READS_ITEMS)
        for value in (*values[1:], *kwargs.values()):
            _parts_writable(value)
        return checked(function(*args, **kwargs))

    return bounded


def _range(*args):
    """range(), counting at most MAX_RANGE numbers."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateTooCostly("range")
    return numbers


def _lipsum(n=5, html=True, min=20, max=100):
    if n * max > MAX_ITEMS // 10:
        raise TemplateTooCostly("size")
    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)


def _counted(value):
    """A loop's items, each turn a step."""
    if _BUDGET.get() is None:
        return value
    return _turns(value)


def _turns(value):
    budget = _BUDGET.get()
    for item in value:
        budget.step()
        yield item


@pass_context  # never worked out when compiling: the rendering's budget counts it
def _written(context, value):
    writable(value)
    budget = _BUDGET.get()
    if budget is not None:
        budget.step()
        budget.write(_length(value))
    return value


@pass_context
def _joined(context, parts):
    """The `~` of a template, its length known before the text is made."""
    for part in parts:
        _parts_writable(part)
    _too_large(sum(_length(part) for part in parts))
    return "".join(str(part) for part in parts)


# `-` and `/` too: 1e308 - -1e308 is infinite, refused where it is made (`checked`).
_BINOPS = frozenset({"*", "**", "+", "-", "/", "//", "%"})


def _as_number(original):
    """The filter `|int` or `|float` reading a WrittenNumber as its value: as text,
    « 1\u202f342 » and « pas encore classé » were 0, « <= 10 » for both. One with no
    value (no rank yet) stays as it is, none, unless a default is given: `|int(0)`."""

    @wraps(original)
    def number(value, *args, **kwargs):
        if not isinstance(value, WrittenNumber):
            return original(value, *args, **kwargs)
        if value.value is not None:
            return original(value.value, *args, **kwargs)
        if args or "default" in kwargs:
            return args[0] if args else kwargs["default"]
        return value

    return number


def _none(value) -> bool:
    """`is none`: a WrittenNumber with no value (no rank yet) is none too."""
    return value is None or (isinstance(value, WrittenNumber) and value.value is None)


def _plain(value):
    """A WrittenNumber as its value, for an operator's checks (any other value as it is)."""
    if isinstance(value, WrittenNumber) and value.value is not None:
        return value.value
    return value


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox, every step of a rendering counted against its budget."""

    intercepted_binops = _BINOPS

    def __init__(self, **options):
        super().__init__(**options)
        self.filters.update(
            int=_as_number(self.filters["int"]), float=_as_number(self.filters["float"])
        )
        self.tests["none"] = _none
        guards = _filter_guards()
        self.filters = {
            name: _bounded_filter(name, function, guards.get(name))
            for name, function in self.filters.items()
        }
        self.filters.update(_counted=_counted, _written=_written, _joined=_joined)
        self.globals.update(range=_range, lipsum=_lipsum)

    def _parse(self, source, name, filename):
        """The template's tree, its loops counted, its output and joins measured."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = _filter(loop.iter, "_counted")
        for output in tree.find_all(nodes.Output):
            output.nodes = [_filter(child, "_written") for child in output.nodes]
        for concat in list(tree.find_all(nodes.Concat)):
            parts = nodes.List(concat.nodes, lineno=concat.lineno)
            # A Concat node may not become another kind in place: its parts are one list.
            concat.nodes = [_filter(parts, "_joined")]
        return tree

    def call(__self, __context, __obj, *args, **kwargs):
        _step()
        target = getattr(__obj, "__wrapped__", __obj)  # str.format, as the sandbox wraps it
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):
            args = _guard_str_method(owner, getattr(target, "__name__", ""), args, kwargs)
        for value in (*args, *kwargs.values()):
            if not isinstance(value, Macro):  # `{% call %}` gives its block as `caller`
                _parts_writable(value)
        result = checked(super().call(__context, __obj, *args, **kwargs))
        if isinstance(owner, (list, dict, set)):  # extend() in a loop doubles a list
            checked(owner)
        return result

    def call_binop(self, context, operator, left, right):
        _step()
        if isinstance(left, WrittenNumber) or isinstance(right, WrittenNumber):
            plain_left, plain_right = _plain(left), _plain(right)
            # A number with a number: "120" * 3 is 360, not "120120120".
            if not isinstance(plain_left, str) and not isinstance(plain_right, str):
                left, right = plain_left, plain_right
        if operator == "*":
            for times, other in ((left, right), (right, left)):
                if isinstance(times, int) and isinstance(other, (str, list, tuple)):
                    _too_large(len(other) * max(times, 0))
            both_numbers = isinstance(left, int) and isinstance(right, int)
            if both_numbers and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateTooCostly("size")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and max(left.bit_length(), 1) * right > MAX_INT_BITS * 2:
                raise TemplateTooCostly("size")
        elif operator == "+" and isinstance(left, (str, list, tuple)):
            if isinstance(right, (str, list, tuple)):
                _too_large(len(left) + len(right))
        elif operator == "%" and isinstance(left, str):
            _format_too_wide(left, right if isinstance(right, tuple) else (right,))
            _parts_writable(right)
        return checked(super().call_binop(context, operator, left, right))

    def getattr(self, obj, attribute):
        _step()
        return checked(super().getattr(obj, attribute))

    def getitem(self, obj, argument):
        _step()
        return checked(super().getitem(obj, argument))


def _filter(node, name: str):
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)
