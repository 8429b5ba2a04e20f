"""Templates rendered in a Jinja sandbox: validation with line and reason, compiled once."""

import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.sandbox import SecurityError
from markupsafe import Markup, escape

from app.core.personalisation import known_variables
from app.messaging.i18n import _
from app.messaging.limits import BoundedSandbox, TemplateTooCostly, bounded_render

# A link in a message's text: up to a space, or a character no written link holds
# (matched in the text before it is escaped, so "&gt;" is never taken for part of it).
URL_RE = re.compile(r"https?://[^\s<>\"]+")
# What ends a sentence after a link rather than the link: "… campaigns/2." or "(… guides)".
LINK_TRAILING = ".,;:!?'»"
ASCII_SPACES_RE = re.compile(r"[ \t\r\n\f\v]+")
# A link ends where the line or the word does, maybe after a sentence's punctuation.
LINK_END_RE = re.compile(r"[.,;:!?)»\"']*(?:\s|$)")
BLANK_LINES_RE = re.compile(r"\n\s*\n(?:\s*\n)+")
# A template's own syntax: statements, comments and expressions, an unclosed one to the
# end of the text, and a stray closing delimiter.
TAG_RE = re.compile(r"\{%.*?(?:%\}|$)|\{#.*?(?:#\}|$)|\{\{.*?(?:\}\}|$)|%\}|#\}|\}\}", re.S)


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
def sandbox() -> BoundedSandbox:
    """The one environment templates run in: no autoescape (text), undefined is an error,
    each rendering bounded in time and size (`limits`)."""
    return BoundedSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def _unknown_names(source: str, tree, known: set[str]) -> list[tuple[str, int | None]]:
    undeclared = meta.find_undeclared_variables(tree)
    unknown = sorted(undeclared - known)
    lines = {}
    for node in tree.find_all(nodes.Name):
        if node.name in unknown and node.name not in lines:
            lines[node.name] = node.lineno
    return [(name, lines.get(name)) for name in unknown]


def check_source(field: str, source: str, required: bool = True) -> list[TemplateProblem]:
    """Problems of one subject or body: missing, syntax error, unknown variable, filter or
    test, unsafe use; each said in the reader's words, never Jinja's English."""
    if not source.strip():
        return [TemplateProblem(field, None, _("This text is required in both languages."))] * (
            1 if required else 0
        )
    env = sandbox()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as error:
        return [_syntax_problem(field, source, error)]
    # Before the variables: finding those compiles the template, which an unknown filter fails.
    problems = _unknown_filters_and_tests(field, tree, env)
    if problems:
        return problems
    known = known_variables()
    problems = [
        TemplateProblem(field, line, _("unknown variable “%(name)s”.", name=name))
        for name, line in _unknown_names(source, tree, set(known))
    ]
    if problems:
        return problems
    # Render once with the example values: catches sandbox violations and bad filter uses.
    examples = {name: str(var.example) for name, var in known.items()}
    try:
        bounded_render(env.from_string(source), examples)
    except TemplateSyntaxError as error:  # found when compiling: its line is known
        return [_syntax_problem(field, source, error)]
    except Exception as error:  # a template must never crash a save: report it
        return [TemplateProblem(field, _error_line(error), _runtime_reason(error))]
    return []


_QUOTED = re.compile(r"'([^']+)'")
_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")


def _quoted(message: str) -> str | None:
    """The first name Jinja quotes in its message ('endif', '__class__', 'foo')."""
    match = _QUOTED.search(message or "")
    return match[1] if match else None


# Blocks that need their "end…" tag, as a template may write them.
_BLOCKS = ("if", "for", "macro", "call", "filter", "with", "autoescape")


def _line_of(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1


_OPENERS = re.compile(r"\{\{|\{%|\{#")
_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}


def _unclosed_delimiter(source: str) -> tuple[str, int] | None:
    """The first "{{", "{%" or "{#" left without its "}}", "%}" or "#}", and where.

    A variable or an instruction ends before the next one opens; a comment may hold
    anything, so only its own end closes it."""
    position = 0
    while (match := _OPENERS.search(source, position)) is not None:
        opener, start = match[0], match.start()
        end = source.find(_CLOSERS[opener], match.end())
        if opener != "{#":
            following = _OPENERS.search(source, match.end())
            if following is not None and (end == -1 or following.start() < end):
                return opener, start
        if end == -1:
            return opener, start
        position = end + 2
    return None


def _unclosed_block(source: str) -> tuple[str, int] | None:
    """The innermost block left open at the end of the text, and the line it opens on."""
    open_blocks: list[tuple[str, int]] = []
    expect_name = False
    try:
        for line, kind, value in sandbox().lex(source):
            if kind == "block_begin":
                expect_name = True
                continue
            if kind == "whitespace":
                continue
            if expect_name and kind == "name":
                if value in _BLOCKS:
                    open_blocks.append((value, line))
                elif value.startswith("end") and open_blocks and open_blocks[-1][0] == value[3:]:
                    open_blocks.pop()
            expect_name = False
    except TemplateSyntaxError:
        return None
    return open_blocks[-1] if open_blocks else None


def _syntax_problem(field: str, source: str, error: TemplateSyntaxError) -> TemplateProblem:
    """A syntax error in words, at the line where the thing left open starts: Jinja
    reports the end of the text, which says nothing of where to look."""
    unclosed = _unclosed_delimiter(source)
    if unclosed is not None:
        opener, start = unclosed
        reasons = {
            "{{": _("A variable opened with “{{” is not closed: end it with “}}”."),
            "{%": _("An instruction opened with “{%” is not closed: end it with “%}”."),
            "{#": _("A comment opened with “{#” is not closed: end it with “#}”."),
        }
        return TemplateProblem(field, _line_of(source, start), reasons[opener])
    if (error.message or "").lower().startswith("unexpected end of template"):
        block = _unclosed_block(source)
        if block:
            tag, line = block
            return TemplateProblem(
                field,
                line,
                _(
                    "The “%(tag)s” block is not closed: add “%(end)s” where it ends.",
                    tag=tag,
                    end="{% end" + tag + " %}",
                ),
            )
    return TemplateProblem(field, error.lineno, _syntax_reason(error))


def _syntax_reason(error: TemplateSyntaxError) -> str:
    """A syntax error in words: Jinja's message is English and speaks of tokens."""
    message = error.message or ""
    tag = _quoted(message) if message.startswith("Encountered unknown tag") else None
    if tag and (tag.startswith("end") or tag in ("else", "elif")):
        return _(
            "“%(tag)s” is not expected here: check that each block is opened, then closed, "
            "in order.",
            tag=tag,
        )
    if tag:
        return _("“%(tag)s” is not an instruction templates know.", tag=tag)
    if message.lower().startswith("unexpected end of template"):
        return _(
            "The text ends before a block is closed: each “if” needs its “endif”, each "
            "“for” its “endfor”."
        )
    return _(
        "This is not valid template syntax: check that each variable is written between "
        "double braces and each instruction is complete."
    )


def _unknown_filters_and_tests(field: str, tree, env) -> list[TemplateProblem]:
    """Filters (`|name`) and tests (`is name`) the sandbox does not have, with their line:
    Jinja reports an unknown test only when its line runs."""
    problems = []
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        if isinstance(node, nodes.Filter) and node.name not in env.filters:
            problems.append(
                TemplateProblem(
                    field,
                    node.lineno,
                    _("“%(name)s” is not a filter templates know.", name=node.name),
                )
            )
        elif isinstance(node, nodes.Test) and node.name not in env.tests:
            problems.append(
                TemplateProblem(
                    field,
                    node.lineno,
                    _(
                        "“%(name)s” is not a test templates know (as in “is defined”).",
                        name=node.name,
                    ),
                )
            )
    return problems


def _runtime_reason(error: Exception) -> str:
    """Why rendering with the example values failed, in words."""
    if isinstance(error, TemplateTooCostly):
        return error.reason()
    if isinstance(error, SecurityError):
        name = _quoted(str(error))  # "access to attribute '__class__' of 'str' object…"
        if name:
            return _("A template may not use “%(name)s”: use the variables as they are.", name=name)
        return _("A template may not reach inside a value: use the variables as they are.")
    if isinstance(error, UndefinedError):
        missing = _NO_ATTRIBUTE.search(str(error))
        if missing:
            return _(
                "A variable has no “%(name)s”: use the variables as they are.", name=missing[1]
            )
        return _("This uses a value that does not exist.")
    return _(
        "This cannot be worked out with the example values: check the filters and "
        "operations on this line."
    )


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


def readable_subject(source: str, variables: dict) -> str:
    """A subject as its reader would see it; where these values cannot render it, its
    plain text without the template's tags: never the template's syntax."""
    try:
        text = bounded_render(sandbox().from_string(source or ""), variables)
    except Exception:  # a value the reader lacks, or a text that does not compile
        text = TAG_RE.sub("", source or "")
    return ASCII_SPACES_RE.sub(" ", text).strip(" ")


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
        subject = bounded_render(self.subjects[locale], variables)
        subject = ASCII_SPACES_RE.sub(" ", subject).strip(" ")
        return subject[:300], bounded_render(self.bodies[locale], variables).strip()


def _carries(line: str, link: str) -> bool:
    """Whether the line holds this very link (not a longer one it starts)."""
    start = line.find(link)
    while start != -1:
        if LINK_END_RE.match(line, start + len(link)):
            return True
        start = line.find(link, start + 1)
    return False


def portal_copy(body: str, email_links) -> str:
    """The inbox copy of a message: without the lines carrying an e-mail-only link.

    A message's footer ("Your inbox: …", "Stop receiving these e-mails: …") is for the
    e-mail; in the portal the reader is in the inbox already, and the one-click
    unsubscribe link (absolute, signed) is no link to show on a page of the portal.
    """
    links = [link for link in email_links if link and link in body]
    if not links:
        return body
    kept = [line for line in body.split("\n") if not any(_carries(line, x) for x in links)]
    return BLANK_LINES_RE.sub("\n\n", "\n".join(kept)).strip()


def _link_end(url: str) -> str:
    """The link without the punctuation of the sentence around it: a full stop, a comma,
    a closing guillemet, or a closing parenthesis the link did not open. Taken in, they
    made the link lead to a page that does not exist (".../campaigns/2." is a 404)."""
    while url and (
        url[-1] in LINK_TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))
    ):
        url = url[:-1]
    return url


def _linked(text: str) -> str:
    """Escaped text with its links made clickable."""
    parts, position = [], 0
    for match in URL_RE.finditer(text):
        url = _link_end(match[0])
        if "://" not in url or url.endswith("://"):
            continue
        parts.append(str(escape(text[position : match.start()])))
        parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        position = match.start() + len(url)
    parts.append(str(escape(text[position:])))
    return "".join(parts)


def plain_text(body: str) -> str:
    """The body as an e-mail's plain-text part: the blank lines an `{% if %}` left behind
    when it came out empty become one, as the HTML part's paragraphs already read."""
    return BLANK_LINES_RE.sub("\n\n", body)


def text_to_html(body: str) -> Markup:
    """Plain text to safe HTML: escaped, paragraphs kept, links clickable."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    parts = []
    for paragraph in paragraphs:
        parts.append("<p>" + _linked(paragraph).replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(parts))  # noqa: S704 - built from escaped text only
