"""What a check, a hint or a worked answer shows in the notebook.

Each is an IPython display bundle (a dict of MIME type to content) shown with
``display(bundle, raw=True)``:

``text/plain``
    ``"Exercise 0.1: not yet right. <reason>"``; the status phrase ("not attempted yet",
    "not yet right", "correct") appears literally, for readers and browser tests.
``text/html``
    The same words in a calm box: colour-blind-safe colours (Okabe-Ito blue, orange, grey), a
    symbol and the status in words, so colour is never the only signal. No random ids, so saved
    notebooks compare equal run after run.
``application/vnd.academy.check+json`` (checks only)
    ``{"module", "exercise", "status", "score", "max_score"}``: ``score`` is the public points
    earned, ``max_score`` the public points available. Progress tools read it from saved notebooks.
"""
from __future__ import annotations

import html
import re

from academy.exercise.core import Exercise, Verdict
from academy.exercise.words import word

CHECK_MIME = "application/vnd.academy.check+json"

_STYLE = {
    # status: (border colour, background, symbol); Okabe-Ito palette, readable without colour
    "correct": ("#0072B2", "#EAF3FA", "✔"),
    "incorrect": ("#E69F00", "#FDF5E6", "✎"),
    "not_attempted": ("#767676", "#F4F4F4", "…"),
    # an assessment's form checks: an answer in the right form is recorded, not judged
    "recorded": ("#0072B2", "#F0F8FD", "✉"),
    "wrong_form": ("#E69F00", "#FDF5E6", "✎"),
    "note": ("#56B4E9", "#F0F8FD", "ℹ"),
}


def check_bundle(exercise: Exercise, verdict: Verdict, standing_lines: bool = True) -> dict:
    """The bundle of one check. ``standing_lines=False`` leaves out the line a "not yet right"
    ends with (how to ask for a hint), once shown."""
    status_phrase = word(f"status.{verdict.status}")
    head = f"{exercise.label}: {status_phrase}."
    text = verdict.message if standing_lines else verdict.reason
    message = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")  # a reason joined to a next line
    return {
        "text/plain": f"{head} {message}",
        "text/html": _box(verdict.status, f"{exercise.label}: {status_phrase}", message),
        CHECK_MIME: {
            "module": exercise.module,
            "exercise": exercise.name,
            "status": verdict.status,
            "score": round(verdict.fraction * exercise.public_points, 6),
            "max_score": exercise.public_points,
        },
    }


def note_bundle(exercise: Exercise, text: str) -> dict:
    """A plain note about one exercise (what an assessment does not offer, for example)."""
    return {"text/plain": f"{exercise.label}: {text}", "text/html": _box("note", exercise.label, text)}


def hint_bundle(exercise: Exercise, level: int, show_solution_pointer: bool) -> dict:
    hints = exercise.hints
    if not hints:
        text = word("hint.none")
        return {"text/plain": text, "text/html": _box("note", exercise.label, text)}
    asked = int(level)
    level = min(max(asked, 1), len(hints))
    title = word("hint.title", level=level, count=len(hints), exercise_label=exercise.label)
    if level < len(hints):
        follow = word("hint.more", exercise=exercise.name, next_level=level + 1)
    else:
        follow = word("hint.last")
        if asked > len(hints):
            past = word("hint.past_last", exercise_label=exercise.label, count=len(hints))
            follow = f"{follow} {past}"
        if show_solution_pointer:
            follow += " " + word("hint.solution", exercise=exercise.name)
    body = f"{hints[level - 1]}\n{follow}"
    return {"text/plain": f"{title}: {body}", "text/html": _box("note", title, body)}


def solution_bundle(exercise: Exercise, code: str | None, allowed: bool) -> dict:
    title = word("solution.title", exercise_label=exercise.label)
    if not allowed:
        text = word("solution.off", exercise=exercise.name, last_level=max(len(exercise.hints), 1))
        return {"text/plain": f"{title}: {text}", "text/html": _box("note", title, text)}
    if code is None:
        text = word("solution.missing")
        return {"text/plain": f"{title}: {text}", "text/html": _box("note", title, text)}
    intro = word("solution.intro")
    code_html = f'<pre style="margin:0.4em 0 0 0;white-space:pre-wrap">{html.escape(code)}</pre>'
    return {
        "text/plain": f"{title}\n{intro}\n\n{code}",
        "text/html": _box("note", title, intro, extra_html=code_html),
    }


def _box(status: str, title: str, body: str, extra_html: str = "") -> str:
    border, background, symbol = _STYLE[status]
    paragraphs = "".join(f'<div style="margin-top:0.3em">{_inline_code(line)}</div>' for line in body.split("\n") if line)
    return (
        f'<div class="academy-{status.replace("_", "-")}" style="border-left:6px solid {border};'
        f'background:{background};color:#1A1A1A;padding:0.5em 0.8em;margin:0.3em 0;border-radius:4px;'
        f'font-family:sans-serif;line-height:1.4">'
        f'<strong>{symbol} {html.escape(title)}</strong>{paragraphs}{extra_html}</div>'
    )


def _inline_code(text: str) -> str:
    # Messages mark variable names with `backticks`; show them as code.
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def check_results(nb) -> list[dict]:
    """The check results stored in an executed notebook, in cell order (the JSON of each check)."""
    results = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {})
            if CHECK_MIME in data:
                results.append(dict(data[CHECK_MIME]))
    return results
