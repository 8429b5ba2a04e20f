"""Templates rendered in a Jinja sandbox: validation with line and reason, compiled once."""

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.sandbox import SecurityError
from markupsafe import Markup, escape

from app.core.personalisation import FOREIGN_PASSAGES, WrittenNumber, known_variables
from app.messaging.i18n import _
from app.messaging.limits import (
    BoundedSandbox,
    TemplateRefused,
    TemplateTooCostly,
    UnwritableValue,
    bounded_render,
)

# A link in a message's text: up to a space, or a character no written link holds
# (matched in the text before it is escaped, so "&gt;" is never taken for part of it).
URL_RE = re.compile(r"https?://[^\s<>\"\ue000-\ue003]+")
# What ends a sentence after a link rather than the link: "… campaigns/2." or "(… guides)".
LINK_TRAILING = ".,;:!?'»"
ASCII_SPACES_RE = re.compile(r"[ \t\r\n\f\v]+")
# A link ends where the line or the word does, maybe after a sentence's punctuation.
LINK_END_RE = re.compile(r"[.,;:!?)»\"']*(?:\s|$)")
BLANK_LINES_RE = re.compile(r"\n\s*\n(?:\s*\n)+")
# An example that stands for a number ("120", "12\u202f400", "12,400"): a reader without
# one has 0.
NUMBER_RE = re.compile(r"\d{1,3}(?:[\s,.]\d{3})+|\d+")
# A template's own syntax: statements, comments and expressions, an unclosed one to the
# end of the text, and a stray closing delimiter.
TAG_RE = re.compile(r"\{%.*?(?:%\}|$)|\{#.*?(?:#\}|$)|\{\{.*?(?:\}\}|$)|%\}|#\}|\}\}", re.S)


def plain_newlines(text: str) -> str:
    """A text's line breaks as line feeds alone: a browser's textarea sends CR LF, which
    would make an unchanged built-in text look edited (and its fingerprint an unknown one)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


TEXT_FIELDS = ("subject_fr", "body_fr", "subject_en", "body_en")


@dataclass(frozen=True)
class TemplateProblem:
    field: str  # e.g. "body_fr"
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line:
            # After the colon the reason goes on the sentence: « Ligne 1 : une variable… »,
            # as « Ligne 2 : variable inconnue… » (each reason is a sentence of its own).
            reason = self.reason[:1].lower() + self.reason[1:]
            return _("Line %(line)s: %(reason)s", line=self.line, reason=reason)
        return self.reason


@lru_cache(maxsize=1)
def sandbox() -> BoundedSandbox:
    """The one environment templates run in: no autoescape (text), undefined is an error,
    each rendering bounded in time and size (`limits`)."""
    return BoundedSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=512)
def compiled(source: str):
    """A text compiled in the sandbox, once per process (a Jinja template renders in any
    thread: its budget is per rendering). Compiling the four texts, again for each check
    and preview, was most of an editor page."""
    return sandbox().from_string(source)


def _unknown_names(source: str, tree, known: set[str]) -> list[tuple[str, int | None]]:
    undeclared = meta.find_undeclared_variables(tree)
    unknown = sorted(undeclared - known)
    lines = {}
    for node in tree.find_all(nodes.Name):
        if node.name in unknown and node.name not in lines:
            lines[node.name] = node.lineno
    return [(name, lines.get(name)) for name in unknown]


# Names a template gets from Jinja inside a block (`loop` in a "for"…): a tag read alone
# cannot tell whether it is inside one, so they are never taken for unknown variables.
_RUNTIME_NAMES = frozenset({"loop", "caller", "varargs", "kwargs", "self", "super"})
# Statements whose expression is read alone when the whole text does not parse, as the
# smallest template holding it; any other (a macro, a call, a "with"…) may bind names
# that a tag read alone would take for unknown: the tolerant reading then says nothing.
_ALONE = {
    "": ("{{ ", " }}"),
    "if": ("{% if ", " %}{% endif %}"),
    "elif": ("{% if ", " %}{% endif %}"),
    "for": ("{% for ", " %}{% endfor %}"),
    "set": ("{% set ", " %}"),
}
_NOTHING_TO_READ = frozenset({"else", "endif", "endfor", "endset", "raw", "endraw"})


def _tags(source: str) -> list[tuple[str, str, int]]:
    """Each complete tag of a text as (its statement's keyword, or "" for a "{{ … }}",
    the rest of its text, its line), read by Jinja's lexer up to where it fails."""
    tags, current = [], None
    try:
        for line, kind, value in sandbox().lex(source):
            if kind in ("variable_begin", "block_begin"):
                current = (kind == "block_begin", [], line)
            elif kind in ("variable_end", "block_end") and current is not None:
                statement, parts, start = current
                text = "".join(parts).strip()
                keyword = text.split(None, 1)[0] if statement and text else ""
                tags.append((keyword, text[len(keyword) :] if keyword else text, start))
                current = None
            elif current is not None:
                current[1].append(value)
    except TemplateSyntaxError:
        pass  # the tags before the failure are read all the same
    return tags


def _unknown_names_despite_syntax(source: str, known: set[str]) -> list[tuple[str, int]]:
    """The unknown variables of a text that does not parse, each tag parsed alone: only
    names the whole text would report too (a tag that does not parse alone is left out,
    a name bound anywhere in the text is no variable), with the line of each's first use."""
    used: dict[str, int] = {}
    bound = set(_RUNTIME_NAMES)
    for keyword, text, line in _tags(source):
        if keyword in _NOTHING_TO_READ:
            continue
        if keyword not in _ALONE:
            return []  # a statement that may bind names: nothing said rather than a guess
        if keyword == "set" and "=" not in text:
            text += " = ''"  # a block "set": only its name, bound
        before, after = _ALONE[keyword]
        alone = before + text + after
        try:
            tree = sandbox().parse(alone)
        except TemplateSyntaxError:
            continue
        for node in tree.find_all(nodes.Name):
            if node.ctx == "store":
                bound.add(node.name)
        for name in meta.find_undeclared_variables(tree):
            lines = [n.lineno for n in tree.find_all(nodes.Name) if n.name == name]
            used.setdefault(name, line + min(lines, default=1) - 1)
    unknown = sorted(set(used) - known - bound)
    return [(name, used[name]) for name in unknown]


def _unknown_variable(name: str, known) -> str:
    """An unknown variable, with the known one nearest to it when one is close (a typo:
    « point » for « points »)."""
    nearest = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    if nearest:
        return _(
            "Unknown variable “%(name)s”: did you mean “%(nearest)s”?",
            name=name,
            nearest=nearest[0],
        )
    return _("Unknown variable “%(name)s”.", name=name)


def example_value(example) -> str:
    """A variable's example as a template reads it: one standing for a number is that
    number (`{% if points >= 100 %}` compares it), still written as it is."""
    text = str(example)
    if NUMBER_RE.fullmatch(text):
        return WrittenNumber(text, int(re.sub(r"\D", "", text)))
    return text


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
        # The unknown variables too, found tag by tag: a typo came only after the syntax
        # error was fixed and saved again.
        known = known_variables()
        found = [_syntax_problem(field, source, error)] + [
            TemplateProblem(field, line, _unknown_variable(name, known))
            for name, line in _unknown_names_despite_syntax(source, set(known))
        ]
        return sorted(found, key=lambda problem: problem.line or 0)
    # Before the variables: finding those compiles the template, which an unknown filter fails.
    problems = _unknown_filters_and_tests(field, tree, env)
    if problems:
        return problems
    known = known_variables()
    problems = [
        TemplateProblem(field, line, _unknown_variable(name, known))
        for name, line in _unknown_names(source, tree, set(known))
    ]
    if problems:
        return problems
    # Render once with the example values: catches sandbox violations and bad filter uses.
    examples = {name: example_value(var.example) for name, var in known.items()}
    try:
        bounded_render(compiled(source), examples)
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
    if isinstance(error, TemplateRefused):
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


def uses_any(texts: dict[str, str], names) -> bool:
    """Whether these texts use any of these variables."""
    return bool(_used_names(texts.values()) & set(names))


def notice_only_names(texts: dict[str, str]) -> list[str]:
    """The variables of these texts that only the portal's notices give (sorted)."""
    only = {name for name, var in known_variables().items() if var.only_in is not None}
    return sorted(_used_names(texts.values()) & only)


def missing_variables(sources, values: dict) -> list[str]:
    """The variables these texts use that these values lack (sorted)."""
    return sorted(_used_names(sources) - values.keys())


def why_not_rendered(sources, values: dict, campaign_only=frozenset()) -> str:
    """Why these texts did not render with these values, in the reader's words: the
    variables they lack, never the exception (English, in Jinja's terms).
    `campaign_only`: those only a campaign chosen for the preview gives, when none was."""
    known = known_variables()
    reasons = []
    for name in sorted(_used_names(sources) - values.keys()):
        variable = known.get(name)
        if name in campaign_only:
            reasons.append(
                _(
                    "The variable %(name)s has a value only in a message about one campaign: "
                    "choose it in “About the campaign”.",
                    name=name,
                )
            )
        elif variable is not None and variable.only_in is not None:
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


_NO_ELEMENT = re.compile(r"has no element")


def failure_kind(error: Exception) -> str:
    """What went wrong rendering a text for one person, as a short code kept with their
    delivery (`delivery_errors.describe_error` says it in words): "item" (a list or a
    text shorter than for others), "attribute:<name>", "zero", "type", "cost:<limit>",
    "value:<object|number>" (what a message cannot write), "security" or "other"."""
    if isinstance(error, TemplateTooCostly):
        return f"cost:{error.kind}"
    if isinstance(error, UnwritableValue):
        return f"value:{error.kind}"
    if isinstance(error, SecurityError):
        return "security"
    if isinstance(error, UndefinedError):
        missing = _NO_ATTRIBUTE.search(str(error))
        if missing:
            return f"attribute:{missing[1]}"[:60]
        return "item" if _NO_ELEMENT.search(str(error)) else "other"
    if isinstance(error, ZeroDivisionError):
        return "zero"
    if isinstance(error, (TypeError, ValueError, IndexError, KeyError)):
        return "item" if isinstance(error, (IndexError, KeyError)) else "type"
    return "other"


def where_render_fails(texts: dict, language: str, values: dict) -> tuple[str, int, str] | None:
    """Where a message does not render for one person's values: its field ("body_fr"),
    line (0: unknown) and `failure_kind`; None when it renders."""
    for part in ("subject", "body"):
        field = f"{part}_{language}"
        try:
            bounded_render(compiled(texts.get(field) or ""), values)
        except Exception as error:  # the reason is what is kept
            return field, _error_line(error) or 0, failure_kind(error)
    return None


def readable_subject(source: str, variables: dict) -> str:
    """A subject as its reader would see it; where these values cannot render it, its
    plain text without the template's tags: never the template's syntax."""
    try:
        text = bounded_render(compiled(source or ""), variables)
    except Exception:  # a value the reader lacks, or a text that does not compile
        text = TAG_RE.sub("", source or "")
    return ASCII_SPACES_RE.sub(" ", text).strip(" ")


# The variables no reader lacks nor has empty: the portal's own names and links, and a
# campaign's name, dates and links, given with their campaign (or not at all). Any other
# may be empty for someone (no badges yet, no points, a team name withheld).
NEVER_EMPTY = frozenset(
    {"first_name", "display_name", "unsubscribe_url", "inbox_url", "portal_url",
     "campaign_name", "campaign_starts", "campaign_ends", "campaign_url", "results_url",
     "guides_url"}
)  # fmt: skip


def _empty_value(example) -> str:
    """A variable's value for a reader who has none: a number is zero (false in `{% if %}`,
    yet written "0"), a text is empty."""
    text = str(example)
    if NUMBER_RE.fullmatch(text):
        return WrittenNumber("0", 0)
    return ""


def _empty_subject_problem(field: str, source: str) -> TemplateProblem | None:
    """A subject that comes out empty for a reader whose optional values are empty
    (`{% if badges %}…{% endif %}` alone): checked with the examples only, it was saved,
    and went out with an empty Subject: line."""
    known = known_variables()
    used = _used_names([source]) - NEVER_EMPTY
    values = {name: example_value(var.example) for name, var in known.items()}
    values.update({name: _empty_value(known[name].example) for name in used if name in known})
    try:
        text = bounded_render(compiled(source), values)
    except Exception:  # a value that empty cannot stand for (a sum, a comparison): unknown
        return None
    if ASCII_SPACES_RE.sub("", text).strip():
        return None
    if not used:
        return TemplateProblem(
            field, None, _("This subject always comes out empty: write its words.")
        )
    return TemplateProblem(
        field,
        None,
        _(
            "This subject comes out empty for a reader without %(names)s: write some words "
            "outside the conditions, or give “else” a text.",
            names=", ".join(sorted(used)),
        ),
    )


def check_template(texts: dict[str, str]) -> list[TemplateProblem]:
    """Validate subject_fr, body_fr, subject_en, body_en together; a subject must also
    never come out empty."""
    problems: list[TemplateProblem] = []
    for field in ("subject_fr", "body_fr", "subject_en", "body_en"):
        found = check_source(field, texts.get(field) or "")
        if not found and field.startswith("subject_"):
            empty = _empty_subject_problem(field, texts.get(field) or "")
            found = [empty] if empty else []
        problems.extend(found)
    return problems


@dataclass
class CompiledTemplate:
    """A template compiled once per locale, rendered many times."""

    subjects: dict
    bodies: dict
    # What a subject that came out empty reads instead (the template's name): an e-mail
    # with an empty Subject: line, an inbox message with no title.
    fallback: str = ""

    @classmethod
    def compile(cls, template) -> "CompiledTemplate":
        return cls.from_texts(
            {field: getattr(template, field) or "" for field in TEXT_FIELDS},
            template.name or template.key or "",
        )

    @classmethod
    def from_texts(cls, texts: dict, name: str) -> "CompiledTemplate":
        """From the four texts (`TEXT_FIELDS`) and the template's name."""
        return cls(
            subjects={loc: compiled(texts[f"subject_{loc}"] or "") for loc in ("fr", "en")},
            bodies={loc: compiled(texts[f"body_{loc}"] or "") for loc in ("fr", "en")},
            fallback=name,
        )

    def render(self, locale: str, variables: dict) -> tuple[str, str]:
        locale = locale if locale in self.subjects else "fr"
        # Lines and runs of spaces become one space; a no-break space stays (French
        # typography: "C'est parti : …"), which str.split() would break.
        subject = bounded_render(self.subjects[locale], variables)
        subject = ASCII_SPACES_RE.sub(" ", subject).strip(" ")
        if not subject.strip():
            subject = ASCII_SPACES_RE.sub(" ", self.fallback).strip()
        return subject[:300], bounded_render(self.bodies[locale], variables).strip()


def _carried_at(line: str, link: str) -> int | None:
    """Where the line holds this very link (not a longer one it starts), if it does."""
    start = line.find(link)
    while start != -1:
        if LINK_END_RE.match(line, start + len(link)):
            return start
        start = line.find(link, start + 1)
    return None


# Where the words introducing a link ("Your inbox: ", "… stop receiving them: ") begin:
# after a link or a sentence's end, or at a separator (" — ", ", ") before them.
LABEL_START_RE = re.compile(
    r"(?P<after>https?://[^\s<>\"]+|[.!?…:](?=\s))|(?P<before>\s[—–|•-]\s|[;,](?=\s))"
)
# What no-break spaces and narrow ones included, a line may end with before a colon.
LINE_SPACES = " \t\u00a0\u202f"
# Punctuation a link's sentence may end with, right after the link.
CLOSING = ".,;:!?»\"'"


def _without_label(before: str) -> str:
    """The text before a link, without the words introducing it when it ends with them
    ("See the campaign. Your inbox: " gives "See the campaign.")."""
    stripped = before.rstrip(LINE_SPACES)
    if not stripped.endswith(":"):
        return before
    head, cut = stripped[:-1], 0
    for match in LABEL_START_RE.finditer(head):
        cut = match.end() if match.lastgroup == "after" else match.start()
    return head[:cut]


def _without_link(line: str, link: str) -> str:
    """The line without this link and the words introducing it; the rest stays."""
    while (start := _carried_at(line, link)) is not None:
        before, after = line[:start], line[start + len(link) :]
        kept = _without_label(before)
        if kept != before:  # the label's sentence ended with the link: its full stop too
            after = after.lstrip(CLOSING)
        kept, after = kept.rstrip(LINE_SPACES), after.lstrip(LINE_SPACES)
        glue = " " if kept.strip() and after and after[0] not in CLOSING else ""
        line = kept + glue + after
    return line


def _has_words(line: str) -> bool:
    return any(character.isalnum() for character in line)


def without_links(body: str, links, inline: bool = True) -> str:
    """The body without these links: a line that only gave one ("Your inbox: …", as the
    built-in footers end) goes; elsewhere only the link and the words introducing it go
    (`inline`), or the line stays as it is (`inline=False`), the author's other text and
    links kept. Dropping every line that held one took them along."""
    links = [link for link in links if link and link in body]
    if not links:
        return body
    kept = []
    for line in body.split("\n"):
        shortened = line
        for link in links:
            shortened = _without_link(shortened, link)
        if shortened == line:
            kept.append(line)
        elif _has_words(shortened):
            kept.append(shortened if inline else line)
    return BLANK_LINES_RE.sub("\n\n", "\n".join(kept)).strip()


def portal_copy(body: str, email_links) -> str:
    """The inbox copy of a message: without its e-mail-only links.

    A message's footer ("Your inbox: …", "Stop receiving these e-mails: …") is for the
    e-mail; in the portal the reader is in the inbox already, and the one-click
    unsubscribe link (absolute, signed) is no link to show on a page of the portal.
    """
    return without_links(body, email_links)


# A template's statements and comments, which a line's words are read without.
STATEMENTS_RE = re.compile(r"\{%.*?%\}|\{#.*?#\}")


def links_cutting_their_line(body: str, names) -> list[str]:
    """The link variables among `names` (the e-mail-only ones) that a line of the body
    gives amid other words: the inbox copy leaves the link out and keeps the words, so
    "See {{ portal_url }}/guides and {{ inbox_url }}" reads "See …/guides and". A line
    giving the link alone ("Your inbox: {{ inbox_url }}") goes whole: nothing to say."""
    cutting = []
    for line in STATEMENTS_RE.sub("", body).split("\n"):
        for name in names:
            stand_in = f"https://portal.invalid/{name}"
            written = re.sub(r"\{\{\s*" + re.escape(name) + r"\s*\}\}", stand_in, line)
            if written == line or name in cutting:
                continue
            if _has_words(without_links(written, [stand_in])):
                cutting.append(name)
    return cutting


def _link_end(url: str) -> str:
    """The link without the punctuation of the sentence around it: a full stop, a comma,
    a closing guillemet, or a closing parenthesis the link did not open. Taken in, they
    made the link lead to a page that does not exist (".../campaigns/2." is a 404)."""
    while url and (
        url[-1] in LINK_TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))
    ):
        url = url[:-1]
    return url


def _label_start(before: str) -> int | None:
    """Where the words introducing a link begin in the text before it ("… Campaign
    page: "), when they end with a colon on the link's line; None when the link stands in
    a sentence ("See … for more"), where its address stays its name."""
    stripped = before.rstrip(LINE_SPACES)
    if not stripped.endswith(":"):
        return None
    line_start = stripped.rfind("\n") + 1
    head = stripped[line_start:-1]
    cut = 0
    for match in LABEL_START_RE.finditer(head):
        cut = match.end() if match.lastgroup == "after" else match.start()
    label = head[cut:]
    if not _has_words(label) or any(mark in label for mark in _PASSAGE):
        return None
    return line_start + cut + (len(label) - len(label.lstrip()))


def _linked(text: str, portal: str | None = None) -> str:
    """Escaped text with its links made clickable. `portal`: the portal's own address,
    whose links lead to their path (the inbox: wherever the portal is reached from).

    A link its line introduces (« La page de la campagne : https://… », as the built-in
    texts write them) is named by those words (RGAA 6.1: a bare address says nothing of
    where it leads); one within a sentence keeps its address as its name."""
    parts, position = [], 0
    for match in URL_RE.finditer(text):
        url = _link_end(match[0])
        if "://" not in url or url.endswith("://"):
            continue
        href = url
        if portal and url.startswith(portal + "/"):
            href = url[len(portal) :]
        before = text[position : match.start()]
        start = _label_start(before)
        if start is None:
            parts.append(str(escape(before)))
            parts.append(f'<a href="{escape(href)}">{escape(url)}</a>')
        else:
            label = before[start:].rstrip(LINE_SPACES)[:-1].rstrip(LINE_SPACES)
            parts.append(str(escape(before[:start])))
            parts.append(f'<a href="{escape(href)}">{escape(label)}</a>')
        position = match.start() + len(url)
    parts.append(str(escape(text[position:])))
    return "".join(parts)


def plain_text(body: str) -> str:
    """The body as an e-mail's plain-text part: the blank lines an `{% if %}` left behind
    when it came out empty become one, as the HTML part's paragraphs already read."""
    return BLANK_LINES_RE.sub("\n\n", body)


@dataclass(frozen=True)
class ForeignPassage:
    """A passage of a message written in another language than the message (an
    organiser's reason in French, in an English notice), and what says so in the
    message's language, « (in French) », written right after it."""

    text: str
    lang: str
    note: str


# Where a foreign passage and its note start and end, put in the text before it is
# escaped (no message holds these private-use characters), replaced by its markup after.
_PASSAGE = ("\ue000", "\ue001", "\ue002", "\ue003")


def _marked(body: str, foreign: ForeignPassage | None) -> str:
    """The body with its foreign passage (and the note after it) between stand-ins, when
    it holds it within one paragraph; else as it is."""
    if foreign is None or not foreign.text or any(mark in body for mark in _PASSAGE):
        return body
    if re.search(r"\n\s*\n", foreign.text):  # a span cannot cross paragraphs
        return body
    start, end, note_start, note_end = _PASSAGE
    noted = f"{foreign.text} {foreign.note}"
    if noted in body:
        return body.replace(
            noted, f"{start}{foreign.text}{end} {note_start}{foreign.note}{note_end}", 1
        )
    return body.replace(foreign.text, f"{start}{foreign.text}{end}", 1)


def text_to_html(
    body: str, portal: str | None = None, foreign: ForeignPassage | None = None
) -> Markup:
    """Plain text to safe HTML: escaped, paragraphs kept, links clickable. `portal`: the
    portal's address (PUBLIC_BASE_URL) for a copy read in the portal itself, whose links
    to its pages then work from any address it is reached at; an e-mail keeps them whole.
    `foreign`: a passage in another language, marked with its `lang` (a screen reader
    reads a French reason in French), its note « (in French) » as the inbox writes it."""
    body = _marked(body, foreign)
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    parts = []
    for paragraph in paragraphs:
        parts.append("<p>" + _linked(paragraph, portal).replace("\n", "<br>\n") + "</p>")
    html = "\n".join(parts)
    if foreign is not None and _PASSAGE[0] in html:
        start, end, note_start, note_end = _PASSAGE
        html = (
            html.replace(start, str(Markup('<span lang="{}">').format(foreign.lang)))
            .replace(end, "</span>")
            .replace(note_start, '<span class="hint">')
            .replace(note_end, "</span>")
        )
    return Markup(html)  # noqa: S704 - built from escaped text only


# What a passage in another language says of itself, as the inbox says it of a message
# (messaging/_names.html, `written_in`): in the message's language.
_WRITTEN_IN = {"fr": "(in French)", "en": "(in English)"}


def _review_reason(context: dict) -> tuple[str, str] | None:
    """The organiser's reason of a review notice (`context["decided"]`, with the language
    it was written in)."""
    decided = context.get("decided")
    if not isinstance(decided, dict):
        return None
    return decided.get("review_reason"), decided.get("review_reason_lang")


def foreign_reason(context: dict | None, language: str | None) -> ForeignPassage | None:
    """The passage of a notice written in another language than the message, with what
    says so in the message's language: an organiser's reason (`_review_reason`), or one
    a domain names (`core.personalisation.register_foreign_passages`); None when there is
    none, or when it is in the message's own language."""
    from flask import current_app
    from flask_babel import force_locale
    from flask_babel import gettext as translated

    if not language or not isinstance(context, dict):
        return None
    finders = [_review_reason, *current_app.extensions.get(FOREIGN_PASSAGES, ())]
    for finder in finders:
        reason, lang = finder(context) or (None, None)
        if isinstance(reason, str) and reason.strip() and lang in _WRITTEN_IN:
            break
    else:
        return None
    if lang == language[:2]:
        return None
    with force_locale(language):
        note = translated(_WRITTEN_IN[lang])
    return ForeignPassage(reason, lang, note)
