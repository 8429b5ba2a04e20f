"""Templates rendered in a Jinja sandbox: validation with line and reason, compiled once."""

import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from app.core.personalisation import known_variables
from app.messaging.i18n import _

URL_RE = re.compile(r"(https?://[^\s<]+)")
ASCII_SPACES_RE = re.compile(r"[ \t\r\n\f\v]+")


@dataclass(frozen=True)
class TemplateProblem:
    field: str  # e.g. "body_fr"
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line:
            return _("Line %(line)s: %(reason)s", line=self.line, reason=self.reason)
        return self.reason


@lru_cache(maxsize=1)
def sandbox() -> SandboxedEnvironment:
    """The one environment templates run in: no autoescape (text), undefined is an error."""
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )


def _unknown_names(source: str, tree, known: set[str]) -> list[tuple[str, int | None]]:
    undeclared = meta.find_undeclared_variables(tree)
    unknown = sorted(undeclared - known)
    lines = {}
    for node in tree.find_all(nodes.Name):
        if node.name in unknown and node.name not in lines:
            lines[node.name] = node.lineno
    return [(name, lines.get(name)) for name in unknown]


def check_source(field: str, source: str, required: bool = True) -> list[TemplateProblem]:
    """Problems of one subject or body: missing, syntax error, unknown variable, unsafe use."""
    if not source.strip():
        return [TemplateProblem(field, None, _("This text is required in both languages."))] * (
            1 if required else 0
        )
    env = sandbox()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as error:
        return [TemplateProblem(field, error.lineno, error.message or str(error))]
    known = known_variables()
    problems = [
        TemplateProblem(field, line, _("unknown variable “%(name)s”.", name=name))
        for name, line in _unknown_names(source, tree, set(known))
    ]
    if problems:
        return problems
    # Render once with the example values: catches sandbox violations and bad filters.
    examples = {name: str(var.example) for name, var in known.items()}
    try:
        env.from_string(source).render(examples)
    except TemplateError as error:
        line = _error_line(error)
        return [TemplateProblem(field, line, str(error))]
    except Exception as error:  # a template must never crash a save: report it
        return [TemplateProblem(field, None, str(error))]
    return []


def _error_line(error: Exception) -> int | None:
    tb = error.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _used_names(sources) -> set[str]:
    used = set()
    for source in sources:
        try:
            used |= meta.find_undeclared_variables(sandbox().parse(source or ""))
        except TemplateSyntaxError:
            continue  # reported by check_template
    return used


def notice_only_names(texts: dict[str, str]) -> list[str]:
    """The variables of these texts that only the portal's notices give (sorted)."""
    only = {name for name, var in known_variables().items() if var.only_in is not None}
    return sorted(_used_names(texts.values()) & only)


def why_not_rendered(sources, values: dict) -> str:
    """Why these texts did not render with these values, in the reader's words: the
    variables they lack, never the exception (English, in Jinja's terms)."""
    known = known_variables()
    reasons = []
    for name in sorted(_used_names(sources) - values.keys()):
        variable = known.get(name)
        if variable is not None and variable.only_in is not None:
            reasons.append(
                _(
                    "The variable %(name)s is only given in %(notices)s, not in a preview.",
                    name=name,
                    notices=variable.only_in,
                )
            )
        else:
            reasons.append(_("The variable %(name)s has no value for this person.", name=name))
    return " ".join(reasons) or _("This template cannot be rendered for this person.")


def check_template(texts: dict[str, str]) -> list[TemplateProblem]:
    """Validate subject_fr, body_fr, subject_en, body_en together."""
    problems: list[TemplateProblem] = []
    for field in ("subject_fr", "body_fr", "subject_en", "body_en"):
        problems.extend(check_source(field, texts.get(field) or ""))
    return problems


@dataclass
class CompiledTemplate:
    """A template compiled once per locale, rendered many times."""

    subjects: dict
    bodies: dict

    @classmethod
    def compile(cls, template) -> "CompiledTemplate":
        env = sandbox()
        return cls(
            subjects={loc: env.from_string(template.subject(loc)) for loc in ("fr", "en")},
            bodies={loc: env.from_string(template.body(loc)) for loc in ("fr", "en")},
        )

    def render(self, locale: str, variables: dict) -> tuple[str, str]:
        locale = locale if locale in self.subjects else "fr"
        # Lines and runs of spaces become one space; a no-break space stays (French
        # typography: "C'est parti : …"), which str.split() would break.
        subject = ASCII_SPACES_RE.sub(" ", self.subjects[locale].render(variables)).strip(" ")
        return subject[:300], self.bodies[locale].render(variables).strip()


def text_to_html(body: str) -> Markup:
    """Plain text to safe HTML: escaped, paragraphs kept, links clickable."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    parts = []
    for paragraph in paragraphs:
        escaped = str(escape(paragraph))
        linked = URL_RE.sub(r'<a href="\1">\1</a>', escaped)
        parts.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(parts))  # noqa: S704 - built from escaped text only
