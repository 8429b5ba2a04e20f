"""The question before an action that cannot be undone, without JavaScript.

With JavaScript, a form marked `data-confirm` asks in the portal's dialog before it is
sent (static/js/portal.js). Without it the form used to act at once. Such a form also
carries `confirm_without_script(question, yes, no)` (in `_macros.html`): hidden fields
inside `<noscript>`, which a browser sends only when scripts do not run. A request
carrying them is answered by a page asking the question, whose "yes" sends the same
form again without them; nothing changes before that. The text asked is the form's own
(the person's own request, escaped), so any route gets the question without code of
its own.

A form about one item of a list (an entry, a message, a return) also names it:
`confirm_without_script(question, yes, no, about=..., anchor=...)`. The page's title and
heading then say the question and what it is about (« Supprimer cette saisie ?
Suppression de courriels, 3 déc. 2026 à 10 h »), and its "no" goes back to the item's
place on the page the form was on (`#anchor`, an id and nothing else).

A question that quotes what was typed (a campaign's new end, a wipe certificate) can
only be worded once the value is checked: such a form carries `confirm_after_check()`
instead, and its route, once the value is valid, answers `question_page(...)` when
`asks_after_check()` is true.
"""

import re

from flask import Flask, render_template, request

from app.core.urls import page_to_come_back_to

#: The hidden fields of a form asked about without JavaScript.
ASK_FIELDS = (
    "ask_first",
    "ask_first_yes",
    "ask_first_no",
    "ask_first_about",
    "ask_first_anchor",
    "ask_first_after_check",
)

# An element's id on the page to come back to: a fragment, never a path or another host.
_ANCHOR = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,99}")
# The question asked, then what it explains: "Delete this entry?" of "Delete this entry?
# Its points leave your score." (up to its last question mark followed by more words).
_ASKED = re.compile(r"(.*\?)\s+\S", re.S)


def init_app(app: Flask) -> None:
    """Answer a form asked about without JavaScript with its question (after CSRF)."""

    @app.before_request
    def ask_before_acting():
        if request.method != "POST" or request.url_rule is None or request.files:
            return None
        question = request.form.get("ask_first", "").strip()
        if not question:
            return None
        return question_page(
            question,
            yes=request.form.get("ask_first_yes") or question,
            no=request.form.get("ask_first_no"),
            about=request.form.get("ask_first_about"),
            anchor=request.form.get("ask_first_anchor"),
        )


def asks_after_check() -> bool:
    """The posted form asks its question once checked (scripts off, `confirm_after_check`)."""
    return request.form.get("ask_first_after_check") == "1"


def question_page(
    question: str, yes: str, no: str | None, about: str | None = None, anchor: str | None = None
) -> str:
    """The page asking `question` about the posted form; its "yes" sends the same fields
    to the same address without the question's, and then the form acts.

    `about`: what the question is about (an entry, a message), said in the page's title
    and heading; `anchor`: the id of the item's place on the page "no" goes back to."""
    about = (about or "").strip() or None
    asked = _ASKED.match(question)
    back = page_to_come_back_to()  # the page the form was on, if ours
    if anchor and _ANCHOR.fullmatch(anchor):
        back = f"{back}#{anchor}"
    return render_template(
        "core/confirm_without_script.html",
        question=question,
        # The title, read first: the question without its explanation, and the item.
        title=" ".join(filter(None, (asked.group(1) if asked else question, about))),
        about=about,
        yes=yes,
        no=no,
        action=request.full_path.rstrip("?"),
        fields=[
            (name, value)
            for name, value in request.form.items(multi=True)
            if name not in ASK_FIELDS and name != "csrf_token"
        ],
        back=back,
    )
