"""Trainee-facing words shared by every module's checks, in one place.

Module-specific words (hints, mistake messages, placeholder text) live in each module file's
``WORDS``; these are the words of the checking machinery itself. A translated edition replaces
the values of this dict and keeps its keys and ``{placeholders}``.

The three status phrases must stay literal: tools that read saved notebooks look for them, and no
other message may contain the word the correct status uses, so the reasons below say "right" or
"expected" instead.

``{after_error}`` in a phrase stands for the phrase ``note.after_error``; :func:`word` fills it in,
so a translation writes that sentence once.
"""
from __future__ import annotations

COMMON_WORDS: dict[str, str] = {
    "exercise": "Exercise {number}",
    # The course's one rule for numbers (academy.exercise.kinds.ANSWER_DECIMALS), as the trainee
    # folder's README states it.
    "guide.number_rule": (
        "A number is right when it agrees with the expected one to two decimals (32.32 for 32.316734), "
        "however you got it: worked out by Python, rounded with round(x, 2) or copied off the screen. "
        "Fewer decimals (32.3) are not enough, and the check says so. Write decimals with a point: "
        "22.5, not 22,5."
    ),
    "status.not_attempted": "not attempted yet",
    "status.incorrect": "not yet right",
    "status.correct": "correct",
    # an assessment's checks (academy release --assessment) judge only an answer's form
    "status.wrong_form": "not in the form the task asks for yet",
    "status.recorded": "answer recorded",
    # A cell that stops with an error stores nothing after the failing line, so a check run next
    # sees the variable as it was before: every verdict short of the right one says so.
    "note.after_error": (
        "If your exercise cell ended with red error text, the cell did not finish and your new answer "
        "was not stored: fix the error and run that cell again."
    ),
    # not attempted
    "not_attempted.missing": (
        "There is no `{variable}` yet. Write your answer in the exercise cell above, run that cell, "
        "then run this check again."
    ),
    "not_attempted.placeholder": (
        "`{variable}` still holds `...`. Replace the `...` in the exercise cell above with your answer, "
        "run that cell, then run this check again."
    ),
    # a figure's exercise cell holds `name = ...` as a line to delete, not a value to replace
    "not_attempted.placeholder_line": (
        "`{variable}` still holds `...`. In the exercise cell above, delete the line `{variable} = ...` "
        "and write your figure's lines in its place, storing the figure in `{variable}`; run that cell, "
        "then run this check again."
    ),
    # the answer was made, but stored under another name than the task's
    "not_attempted.other_name": (
        "There is no answer in `{variable}` yet, but `{found}` holds what the task asks for. The check "
        "reads only `{variable}`: store your answer under that name (for a figure, "
        "`{variable}, ax = plt.subplots(...)` in place of `{found}, ax = ...`), run the cell, then run "
        "this check again."
    ),
    # what follows a "not attempted yet" the first time (see incorrect.next_step)
    "not_attempted.next_step": "\n{after_error}",
    "incorrect.partly_answered": "`{answered}` has an answer, but `{missing}` still needs one.",
    # after the verdict
    "correct.done": "Well done.",
    "correct.public_only": (
        "The checks here pass. Your instructor's grading runs more tests on this exercise, "
        "so keep your answer as it is."
    ),
    # follows the reason of every "not yet right", which is why it starts on a line of its own
    # The standing lines: a check shows them under the first "not yet right" or "not attempted
    # yet" of an exercise in a notebook session, not under every message after it.
    "incorrect.next_step": "\n{after_error}\nNeed a nudge? Run ex.{exercise}.hint() for a hint.",
    "check.broken": (
        "The check could not work out the expected answer ({error}). This is a problem with the course, "
        "not with your answer: please tell your instructor."
    ),
    # an assessment (academy release --assessment): the checks say only whether an answer has the
    # right form, and the grader scores it after the hand-in
    "assessment.recorded": (
        "It has the form the task asks for ({forms}). This is an assessment: the check does not say "
        "whether your answer is right; your instructor grades it after you hand in."
    ),
    "assessment.graded_later": "This is an assessment: your instructor grades your answers after you hand in.",
    "assessment.missing_columns": "Expected {expected}; your table has no column {columns}.",
    "assessment.no_expected": (
        "This is an assessment: the expected answers are not in this notebook. Your instructor's grader "
        "works them out after you hand in."
    ),
    "assessment.no_module": "Module {module} is not part of this assessment (it has module {modules}).",
    "assessment.no_hints": (
        "This is an assessment, so there are no hints. Read the task again; if it is unclear, ask your instructor."
    ),
    "assessment.no_solution": "This is an assessment, so there are no worked answers.",
    "check.unreadable": "The check could not read your answer ({error}).",
    # hints and worked answers
    "hint.title": "Hint {level} of {count} for {exercise_label}",
    "hint.more": "Another hint: ex.{exercise}.hint({next_level})",
    "hint.last": "That was the last hint.",
    "hint.past_last": "{exercise_label} has {count} hints, so here is the last one again.",
    "hint.solution": "Still stuck? ex.{exercise}.solution() shows a worked answer.",
    "hint.none": "There are no hints for this exercise.",
    "solution.title": "A worked answer for {exercise_label}",
    "solution.intro": "One way to answer it (yours may differ and still be right):",
    "solution.off": (
        "Worked answers are switched off for this course run. Try ex.{exercise}.hint({last_level}), "
        "or ask your instructor."
    ),
    "solution.missing": "The worked answer for this exercise is not part of this copy of the course.",
    "placeholder": "# {exercise_label}: replace the ... with {todo}.",
    # a figure's placeholder line is deleted, not filled in (see not_attempted.placeholder_line)
    "placeholder.line": "# {exercise_label}: delete the line {variable} = ... and write {todo} in its place.",
    "placeholder.markdown": "*Write your answer here.*",
    "hidden_tests.comment": "# {exercise_label}: nothing to do in this cell. Your instructor's grading runs more tests here.",
    # what an answer turned out to be (used in reasons)
    "got.missing": "nothing",
    "got.none": "None (nothing)",
    "got.bool": "a yes/no value ({value})",
    "got.number": "the number {value}",
    "got.text": "the text '{value}'",
    "got.list": "a list of {count} items",
    "got.array": "an array of {count} values",
    "got.series": "a whole column of {count} readings",
    "got.frame": "a table with {rows} rows and {columns} columns (a pandas DataFrame)",
    "got.figure": "a figure",
    "got.mapping": "a dictionary",
    "got.too_large": "a {type_name} of shape {shape}",
    "got.other": "a {type_name}",
    # what an answer kind expects
    "kind.number": "a number",
    "kind.number_unit": "a number in {unit}",
    "kind.integer": "a whole number",
    "kind.choice": "one of {options}",
    "kind.text": "a piece of text",
    "kind.labels": "a list of {noun}",
    "kind.column": "a column of values (a pandas Series)",
    "kind.column_per": "a column with one value per {per} (a pandas Series)",
    "kind.table": "a table (a pandas DataFrame) with the columns {columns}",
    "kind.table_any": "a table (a pandas DataFrame)",
    "kind.figure": "a figure (the fig from plt.subplots())",
    # reasons
    "reason.wrong_form": "Expected {expected}, got {got}.",
    "reason.one_value": (
        "Expected one value, got a list or column holding {count}: take the single value out of it, "
        "with .iloc[0] after a column (or [0] after a list)."
    ),
    "reason.decimal_comma": (
        "Python writes a decimal with a point, not a comma: {meant}, not {written}. With the comma, "
        "Python reads two numbers ({written} is a pair of numbers, a tuple)."
    ),
    # a whole column where one number is asked, by how the task makes one number of a column
    "reason.column_not_one_value.summary": (
        "Expected {expected}, got a whole column of {count} readings: finish with a step that makes "
        "one number of them, such as .mean() or .max(), whichever the task asks for."
    ),
    "reason.column_not_one_value.one_row": (
        "Expected {expected}, got a whole column of {count} values, one per row. The task asks for one "
        "row's value: keep that row first, as the filter table[table[\"asset_id\"] == \"...\"] does, then "
        "take its single value with .iloc[0]; or read the number off the table and write it down."
    ),
    "reason.column_not_one_value.count": (
        "Expected {expected}, got a whole column of {count} values: finish with a step that counts "
        "them, such as .count() or .sum()."
    ),
    "reason.number_as_text": (
        "Expected {expected}, got the text '{value}'. The quotes make it text: write {number} without quotes."
    ),
    "reason.number_and_unit_as_text": (
        "Expected {expected}, got the text '{value}'. The quotes make it text: write just the number, "
        "{number}, without quotes and without the unit."
    ),
    # NaN from .mean() or .max() almost always means the filter kept no rows at all: a column of
    # readings with gaps in it still averages to a number, since empty cells are skipped.
    "reason.not_a_number": (
        "Your number is NaN (not a number): the calculation had no readings to work on. Most often "
        "the filter kept no rows, because no row's machine id is written exactly as in the question, "
        "capitals and hyphen included (\"CNC-102\", not \"cnc-102\" or \"CNC 102\"). "
        "telemetry[\"asset_id\"].unique() lists the ids as the table writes them."
    ),
    "reason.number_differs": "{value}{unit_phrase} is not the value the check expects. Go through the task's steps again.",
    "reason.number_rounded": (
        "Close: {value}{unit_phrase} is the expected number rounded to fewer decimals than the course "
        "asks for. A number is right when it agrees to {decimals} decimals: keep at least {decimals} "
        "(leave out the round(), or write round(..., {decimals}))."
    ),
    "reason.not_whole": "Expected a whole number (a count), got {value}.",
    "reason.integer_differs": "{value} is not the count the check expects.",
    "reason.not_an_option": "'{value}' is not one of the options: {options}.",
    "reason.choice_differs": "'{value}' is not the answer the check expects.",
    "reason.labels_from_text": "Expected a list of {noun}, got the text '{value}'. Put each one in quotes inside [ ], like ['A', 'B'].",
    "reason.labels_differ": (
        "{right} of your {given} {noun} are right; {missing} expected ones are missing "
        "and {extra} should not be there."
    ),
    "reason.length_differs": "Expected {expected} values{per_phrase}, yours has {actual}.",
    "reason.index_differs": (
        "The labels of your column (its index) are not the expected ones: {missing} expected labels "
        "are missing, for example {example}."
    ),
    "reason.text_not_numbers": "The values in {where} are text, not numbers: turn them into numbers with pd.to_numeric(...).",
    "where.column": "your column",
    "reason.order_differs": "The values are right but in another order: sort them as the task says.",
    "reason.values_differ": "{bad} of {total} values differ from the expected ones (the first at {where}).",
    "reason.columns_differ": "Your table's columns are {actual}; expected {expected}.",
    "reason.rows_differ": "Expected {expected} rows{per_phrase}, your table has {actual}.",
    "reason.keys_differ": "Rows the check expects are missing from your table, for example {example}.",
    "reason.column_values_differ": "In column '{column}', {bad} of {total} rows differ from the expected values (the first at {where}).",
    "reason.figure.several": "{count} things to change in your figure:",
    "reason.figure.item": "- {problem}",
    "reason.figure.no_title": "Your figure has no title yet: say in it which question the figure answers (ax.set_title(...)).",
    "reason.figure.title_not_a_question": (
        "Your title, '{title}', does not ask a question yet: in this course a figure's title asks the "
        "question the figure answers, and ends with a question mark."
    ),
    "reason.figure.title_words": (
        "Your title, '{title}', asks about something else: the question of this figure is about {words}."
    ),
    "reason.figure.no_xlabel": "The x-axis has no label yet (ax.set_xlabel(...)).",
    "reason.figure.xlabel_words": (
        "The x-axis label '{label}' should say {words}: the times of this table are the plant's local "
        "time, not UTC."
    ),
    "reason.figure.ylabel_words": (
        "The y-axis label '{label}' should name what is measured ({words}), not only its unit."
    ),
    "reason.figure.x_row_numbers": (
        "Your line has the right readings, but drawn against their row numbers (0, 1, 2, ...), not "
        "against time: give ax.plot the times first, {x_name}, then the readings."
    ),
    "reason.figure.x_differs": (
        "Your line has the right readings, but not against the x values the task asks for: give "
        "ax.plot {x_name} first, then the readings."
    ),
    "where.x_values": "the x values",
    "reason.figure.limit_style": (
        "The limit line at {value}{unit_phrase} should be {style}, as the task says "
        "(the linestyle=... of ax.axhline(...))."
    ),
    "style.dashed": "dashed",
    "style.dotted": "dotted",
    "style.solid": "solid",
    "style.dashdot": "dash-dotted",
    "reason.figure.no_ylabel": "The y-axis has no label yet (ax.set_ylabel(...)).",
    "reason.figure.ylabel_unit": "The y-axis label should carry the unit ({unit}).",
    "reason.figure.no_matching_line": "None of the lines in your figure shows the data the task asks for.",
    "reason.figure.missing_limit": "The limit line at {value}{unit_phrase} is missing (draw it with ax.axhline(...)).",
    "reason.figure.missing_marker": "The marker line at {value} is missing (draw it with ax.axvline(...)).",
}


def word(key: str, **values: object) -> str:
    """One common phrase with its ``{placeholders}`` filled in (``{after_error}`` included)."""
    return COMMON_WORDS[key].format(**{"after_error": COMMON_WORDS["note.after_error"], **values})
