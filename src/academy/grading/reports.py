"""What grading writes for people: the gradebook, a feedback page per trainee, a cohort summary.

* ``gradebook.csv``: one row per trainee; per module its status, the points of each exercise and
  the module total; the course total; and the share earned per learning objective.
* ``grades_by_exercise.csv``: one row per trainee, module and exercise, with the status of the
  hand-in (graded, timed out, kernel died, invalid notebook, missing), the result of the exercise
  and its public and hidden points: nothing is a silent zero.
* ``feedback/TRAINEE.html``: for the trainee: what passed, what to revisit, a hint to start from,
  what happened to the notebook. Hidden tests are counted, never shown.
* ``summary.html`` and ``exercises_missed.png``: the cohort at a glance, and which exercises most
  trainees miss.

Everything is rebuilt from the records on every run and depends on nothing but them, so the same
records give the same files.
"""
from __future__ import annotations

import csv
import html
import math
import re
from collections import Counter
from pathlib import Path

from academy.grading.records import STATUS_WORDS, Record

RESULT_WORDS = {
    "correct": ("✔", "correct"),
    "partly": ("◐", "partly right"),
    "incorrect": ("✎", "not yet right"),
    "not_attempted": ("…", "not attempted"),
    "unreadable": ("?", "answer could not be read"),
    "not_run": ("■", "not reached"),
}
# Okabe-Ito: readable for colour-blind readers, and every status also has a symbol and words.
COLOURS = {"correct": "#0072B2", "partly": "#56B4E9", "incorrect": "#E69F00", "other": "#767676"}


def _num(value: float) -> int | float:
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


def _pct(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def missing_record(trainee: str, module: dict, status: str = "missing") -> Record:
    return Record(trainee, module["id"], module["version"], status)


def exercise_rows(records: dict[tuple[str, str], Record], trainees: list[str], modules: list[dict]) -> list[dict]:
    """One row per trainee, module and exercise (``grades_by_exercise.csv``)."""
    rows = []
    for trainee in trainees:
        for module in modules:
            record = records.get((trainee, module["id"])) or missing_record(trainee, module)
            results = {e.name: e for e in record.exercises}
            for exercise in module["exercises"]:
                result = results.get(exercise["name"])
                rows.append({
                    "trainee": trainee,
                    "module": module["id"],
                    "module_version": module["version"],
                    "status": STATUS_WORDS[record.status],
                    "exercise": exercise["name"],
                    "number": exercise["number"],
                    "result": RESULT_WORDS[result.result][1] if result else "",
                    "points": _num(result.earned) if result else 0,
                    "max_points": _num(exercise["points"]),
                    "public_points": _num(result.public_earned) if result else 0,
                    "public_max": _num(exercise["public_points"]),
                    "hidden_points": _num(result.hidden_earned) if result else 0,
                    "hidden_max": _num(exercise["hidden_points"]),
                    "hidden_tests_passed": result.hidden_passed if result else 0,
                    "hidden_tests": result.hidden_total if result else 0,
                    "mistake": (result.mistake or "") if result else "",
                    "objectives": " ".join(exercise["objectives"]),
                })
    return rows


ASSESSMENT_COLUMN = "assessment"


def gradebook_rows(records: dict[tuple[str, str], Record], trainees: list[str], modules: list[dict],
                   assessment: bool = False) -> tuple[list[str], list[dict]]:
    """The wide gradebook: columns, and one row per trainee. An assessment's gradebook says so in
    a column of its own (``assessment``: ``yes``), right after the trainee."""
    columns = ["trainee", *([ASSESSMENT_COLUMN] if assessment else [])]
    for module in modules:
        columns.append(f"{module['id']} status")
        columns += [f"{module['id']}.{e['name']} ({_num(e['points'])} pts)" for e in module["exercises"]]
        columns.append(f"{module['id']} total ({_num(module['points'])} pts)")
    course_points = sum(module["points"] for module in modules)
    columns += [f"total ({_num(course_points)} pts)", "total %"]
    objectives = [(o["id"], module) for module in modules for o in module["objectives"]]
    columns += [f"objective {objective_id} %" for objective_id, _ in objectives]
    rows = []
    for trainee in trainees:
        row = {"trainee": trainee, **({ASSESSMENT_COLUMN: "yes"} if assessment else {})}
        total = 0.0
        earned_by_objective: Counter = Counter()
        for module in modules:
            record = records.get((trainee, module["id"])) or missing_record(trainee, module)
            results = {e.name: e for e in record.exercises}
            row[f"{module['id']} status"] = STATUS_WORDS[record.status]
            module_total = 0.0
            for exercise in module["exercises"]:
                earned = results[exercise["name"]].earned if exercise["name"] in results else 0.0
                row[f"{module['id']}.{exercise['name']} ({_num(exercise['points'])} pts)"] = _num(earned)
                module_total += earned
                for objective in exercise["objectives"]:
                    earned_by_objective[objective] += earned
            row[f"{module['id']} total ({_num(module['points'])} pts)"] = _num(module_total)
            total += module_total
        row[f"total ({_num(course_points)} pts)"] = _num(total)
        row["total %"] = _pct(total, course_points)
        for objective_id, module in objectives:
            available = sum(e["points"] for e in module["exercises"] if objective_id in e["objectives"])
            row[f"objective {objective_id} %"] = _pct(earned_by_objective[objective_id], available)
        rows.append(row)
    return columns, rows


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- feedback ----------------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{font-family: sans-serif; color: #1A1A1A; max-width: 60em; margin: 1.5em auto; padding: 0 1em; line-height: 1.45}}
table {{border-collapse: collapse; margin: 0.6em 0 1.2em 0}}
th, td {{border-bottom: 1px solid #CCC; padding: 0.35em 0.6em; text-align: left; vertical-align: top}}
th {{background: #F4F4F4}}
.note {{border-left: 6px solid #56B4E9; background: #F0F8FD; padding: 0.4em 0.8em; margin: 0.5em 0}}
.warn {{border-left: 6px solid #E69F00; background: #FDF5E6; padding: 0.4em 0.8em; margin: 0.5em 0}}
code {{background: #F4F4F4; padding: 0 0.2em}}
</style></head><body>
{body}
</body></html>
"""


# The feedback page's words, in one place for translation (the exercises' own words come from the
# checks and the module files).
FEEDBACK_WORDS = {
    "heading": "{course}: your results",
    "page_title": "{course}: results of {trainee}",
    "who": "Trainee <strong>{trainee}</strong> · course run {cohort}",
    "module": "Module {module} · {title}: {earned} of {points} points",
    "missing": "No notebook was handed in for this module.",
    "invalid": "This notebook could not be graded: {problem}. Hand in the notebook file as Jupyter saved it, "
    "with its name unchanged.",
    "timed_out": "Part of your notebook ran too long and was stopped. Exercises after that point could not be "
    "graded. Look for a loop that never ends.",
    "kernel_died": "Your notebook stopped working part-way (its Python kernel quit). Exercises after that point "
    "could not be graded.",
    "restored": "Some course cells in your notebook had been changed, moved or deleted. That is fine: the grader "
    "always uses the course's own version of them.",
    "columns": ("Exercise", "Result", "Points", "What next"),
    "exercise": "Exercise {number}",
    "points": "{earned} of {points}",
    "not_answered": "Not answered yet.",
    "hint": "A hint to start from: {hint}",
    "hidden": "Extra tests from your instructor: {passed} of {total} passed.",
    "revisit": "To revisit",
    "nothing_to_revisit": "Nothing: every exercise is right. Well done.",
}


def _code(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _module_words(record: Record) -> str:
    words = FEEDBACK_WORDS
    if record.status == "missing":
        return f'<p class="warn">{words["missing"]}</p>'
    if record.status == "invalid_notebook":
        return f'<p class="warn">{words["invalid"].format(problem=html.escape(record.problem or ""))}</p>'
    parts = [f'<p class="warn">{words[record.status]}</p>'] if record.status in ("timed_out", "kernel_died") else []
    if record.events:
        parts.append('<ul class="note">' + "".join(f"<li>{html.escape(event)}</li>" for event in record.events) + "</ul>")
    if record.restored:
        parts.append(f'<p class="note">{words["restored"]}</p>')
    return "".join(parts)


def feedback_page(trainee: str, cohort: str, course: str, records: dict[str, Record], modules: list[dict],
                  hints: dict[tuple[str, str], str]) -> str:
    """The feedback page for one trainee (``records`` by module id)."""
    words = FEEDBACK_WORDS
    body = [f"<h1>{html.escape(words['heading'].format(course=course))}</h1>",
            f"<p>{words['who'].format(trainee=html.escape(trainee), cohort=html.escape(cohort))}</p>"]
    revisit = []
    for module in modules:
        record = records.get(module["id"]) or missing_record(trainee, module)
        results = {e.name: e for e in record.exercises}
        heading = words["module"].format(module=module["id"], title=module["title"], earned=_num(record.earned),
                                         points=_num(module["points"]))
        body += [f"<h2>{html.escape(heading)}</h2>", _module_words(record)]
        rows = []
        for exercise in module["exercises"]:
            result = results.get(exercise["name"])
            kind = result.result if result else "not_attempted"
            symbol, result_words = RESULT_WORDS[kind]
            advice = []
            if kind == "not_attempted":
                advice.append(words["not_answered"])
            elif result and result.message and kind != "correct":
                advice.append(_code(result.message))
            if kind != "correct" and (module["id"], exercise["name"]) in hints:
                advice.append(_code(words["hint"].format(hint=hints[(module["id"], exercise["name"])])))
            if result and result.hidden_total and kind != "not_attempted":
                advice.append(words["hidden"].format(passed=result.hidden_passed, total=result.hidden_total))
            points = words["points"].format(earned=_num(result.earned if result else 0), points=_num(exercise["points"]))
            rows.append(f"<tr><td>{html.escape(words['exercise'].format(number=exercise['number']))}</td>"
                        f"<td>{symbol} {result_words}</td><td>{points}</td><td>{'<br>'.join(advice)}</td></tr>")
            if kind != "correct":
                revisit += exercise["objectives"]
        head = "".join(f"<th>{column}</th>" for column in words["columns"])
        body.append(f"<table><tr>{head}</tr>{''.join(rows)}</table>")
    texts = {o["id"]: o["text"] for module in modules for o in module["objectives"]}
    body.append(f"<h2>{words['revisit']}</h2>")
    if revisit:
        body.append("<ul>" + "".join(f"<li>{html.escape(texts.get(o, o))} ({html.escape(o)})</li>" for o in dict.fromkeys(revisit)) + "</ul>")
    else:
        body.append(f"<p>{words['nothing_to_revisit']}</p>")
    return _PAGE.format(title=html.escape(words["page_title"].format(course=course, trainee=trainee)), body="\n".join(body))


# --- cohort summary ----------------------------------------------------------------------------


def missed_shares(records: dict[tuple[str, str], Record], trainees: list[str], modules: list[dict]) -> list[tuple[str, float]]:
    """Per exercise (label ``Exercise NN.k``), the share of trainees without full marks, most missed first."""
    shares = []
    for module in modules:
        for exercise in module["exercises"]:
            missed = 0
            for trainee in trainees:
                record = records.get((trainee, module["id"]))
                result = next((e for e in record.exercises if e.name == exercise["name"]), None) if record else None
                if result is None or not math.isclose(result.earned, exercise["points"]):
                    missed += 1
            shares.append((f"Exercise {exercise['number']}", _pct(missed, len(trainees))))
    return sorted(shares, key=lambda item: (-item[1], item[0]))


def missed_figure(path: Path, shares: list[tuple[str, float]], cohort: str) -> Path:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    labels = [label for label, _ in shares][::-1]
    values = [value for _, value in shares][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.6))
    ax.barh(labels, values, color=COLOURS["incorrect"])
    for y, value in enumerate(values):
        ax.text(min(value + 1, 92), y, f"{value:g} %", va="center")
    ax.set_xlim(0, 100)
    ax.set_xlabel("trainees without full marks (%)")
    ax.set_title(f"Which exercises do most trainees miss? ({cohort})")
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path


ASSESSMENT_NOTE = ("An assessment: these modules were released with --assessment. The trainees' checks said only "
                   "whether an answer had the right form; their folder held no ground truth and no exercise file, and "
                   "every point here was scored by the grader alone, with data the trainees never had.")


def summary_page(cohort: str, course: str, records: dict[tuple[str, str], Record], trainees: list[str],
                 modules: list[dict], shares: list[tuple[str, float]], figure_name: str, folder_notes: list[str],
                 assessment: bool = False) -> str:
    body = [f"<h1>{html.escape(course)}: grading summary for {html.escape(cohort)}</h1>",
            f"<p>{len(trainees)} trainee(s), {len(modules)} module(s). The gradebook is <code>gradebook.csv</code>; "
            "each trainee's feedback is in <code>feedback/</code>.</p>"]
    if assessment:
        body.append(f"<p><strong>{html.escape(ASSESSMENT_NOTE)}</strong></p>")
    head = "".join(f"<th>{html.escape(STATUS_WORDS[s])}</th>" for s in STATUS_WORDS)
    rows = []
    for module in modules:
        counts = Counter((records.get((t, module["id"])) or missing_record(t, module)).status for t in trainees)
        points = [(records.get((t, module["id"])) or missing_record(t, module)).earned for t in trainees]
        mean = sum(points) / len(points) if points else 0
        rows.append(f"<tr><td>Module {module['id']} · {html.escape(module['title'])}</td>"
                    + "".join(f"<td>{counts.get(s, 0)}</td>" for s in STATUS_WORDS)
                    + f"<td>{_num(mean)} of {_num(module['points'])}</td></tr>")
    body.append(f"<h2>Hand-ins</h2><table><tr><th>Module</th>{head}<th>Mean points</th></tr>{''.join(rows)}</table>")
    body.append(f'<h2>Which exercises do most trainees miss?</h2><img src="{html.escape(figure_name)}" '
                'alt="Bar chart: share of trainees without full marks, per exercise">')
    mistakes = _common_mistakes(records, modules)
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{value:g} %</td><td>{html.escape(mistakes.get(label, ''))}</td></tr>" for label, value in shares
    )
    body.append(f"<table><tr><th>Exercise</th><th>Without full marks</th><th>Most common known mistake</th></tr>{rows}</table>")
    attention = []
    for (trainee, module_id), record in sorted(records.items()):
        if trainee not in trainees:
            continue
        details = [*([record.problem] if record.problem else []), *record.events, *record.restored, *record.notes]
        if record.status != "graded" or details:
            attention.append(f"<li><strong>{html.escape(trainee)}</strong>, module {module_id}: "
                             f"{html.escape(STATUS_WORDS[record.status])}"
                             + ("; " + html.escape("; ".join(details)) if details else "") + "</li>")
    attention += [f"<li>{html.escape(note)}</li>" for note in folder_notes]
    if attention:
        body.append("<h2>Worth a look</h2><ul>" + "".join(attention) + "</ul>")
    return _PAGE.format(title=html.escape(f"Grading summary: {cohort}"), body="\n".join(body))


def _common_mistakes(records: dict[tuple[str, str], Record], modules: list[dict]) -> dict[str, str]:
    numbers = {(m["id"], e["name"]): e["number"] for m in modules for e in m["exercises"]}
    counts: dict[str, Counter] = {}
    for (trainee, module_id), record in sorted(records.items()):
        for result in record.exercises:
            if result.mistake and (module_id, result.name) in numbers:
                counts.setdefault(f"Exercise {numbers[(module_id, result.name)]}", Counter())[result.mistake] += 1
    return {label: f"{key} ({count} trainee(s))" for label, counter in counts.items() for key, count in [counter.most_common(1)[0]]}
