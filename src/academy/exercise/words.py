"""Trainee-facing words shared by every module's checks, in one place.

Module-specific words (hints, mistake messages, placeholder text) live in each module file's
``WORDS``; these are the words of the checking machinery itself. A translated edition replaces
the values of this dict and keeps its keys and ``{placeholders}``.

The three status phrases must stay literal: tools that read saved notebooks look for them, and no
other message may contain the word the correct status uses, so the reasons below say "right" or
"expected" instead.
"""
from __future__ import annotations

COMMON_WORDS: dict[str, str] = {
    "exercise": "Exercise {number}",
    # The course's one rule for numbers (academy.exercise.kinds.ANSWER_DECIMALS), as the trainee
    # folder's README states it.
    "guide.number_rule": (
        "A number is right when it agrees with the expected one to two decimals, rounded (18.47 for "
        "18.4683), however you got it: worked out and stored by Python, or copied off the screen. "
        "Fewer decimals (18.5), or digits cut off rather than rounded (18.46), are not enough, and the "
        "check says so. Write decimals with a point: 22.5, not 22,5."
    ),
    "status.not_attempted": "not attempted yet",
    "status.incorrect": "not yet right",
    "status.correct": "correct",
    # an assessment's checks (academy release --assessment) judge only an answer's form
    "status.wrong_form": "not in the form the task asks for yet",
    "status.recorded": "answer recorded",
    # The exercise's cell stopped with an error the last time it ran (academy.exercise.cellruns):
    # what the answer variable holds is older than the cell's code, so the check does not judge it.
    "stopped.older_answer": (
        "The last time your exercise cell ran, it stopped with an error ({error}), so it did not finish: "
        "{variables} may still hold an older answer, and this check does not judge it. Fix the red error under the exercise cell (its last line names the error and "
        "says what went wrong), run that cell again, then run this check."
    ),
    # The exercise's cell, as it last ran, stores none of the answer variables: what the check
    # would read is left from an earlier run, so it does not judge it.
    "stale.stores_other": (
        "Your exercise cell, as it last ran, does not store {variables}: it stores {stored}. The "
        "{variables} this check reads is left from an earlier run, so the check does not judge it. Store "
        "your answer under the name the task gives ({variables}, written exactly so), run that cell, "
        "then run this check again."
    ),
    "stale.stores_nothing": (
        "Your exercise cell, as it last ran, does not store {variables}. The {variables} this check "
        "reads is left from an earlier run, so the check does not judge it. Store your answer under "
        "the name the task gives ({variables}, written exactly so), run that cell, then run this check again."
    ),
    "stopped.no_answer": (
        "The last time your exercise cell ran, it stopped with an error ({error}), so it did not finish "
        "and stored no answer in {variables}. Fix the red error under the exercise cell (its last line "
        "names the error and says what went wrong), run that cell again, then run this check."
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
    # The answer was made, but stored under another name than the task's: not yet right, since
    # the work is there and only its name is wrong.
    "reason.other_name": (
        "Your figure is in `{found}`, but the check reads only `{variable}`, which holds no answer yet. "
        "Store it under that name: write `{variable}, ax = plt.subplots(...)` in place of "
        "`{found}, ax = plt.subplots(...)`, run the cell, then run this check again."
    ),
    # The answer variable holds a figure the check finds wrong, and another name holds a newer one
    # that shows what the task asks (a later run stored it under the worked example's `fig`).
    "reason.older_figure": (
        "`{variable}` holds an older figure than `{found}`, and the check reads only `{variable}`. Your "
        "newer figure in `{found}` shows what the task asks: store it under the check's name by writing "
        "`{variable}, ax = plt.subplots(...)` in place of `{found}, ax = plt.subplots(...)`, run the cell, "
        "then run this check again."
    ),
    # the answer variable does not exist, but a name spelled almost like it does
    "reason.similar_name": (
        "There is no `{variable}` yet, but there is `{found}`: check the spelling. The check reads only "
        "`{variable}`, written exactly so; change the name in your exercise cell, run that cell, then "
        "run this check again."
    ),
    "incorrect.partly_answered": "`{answered}` has an answer, but `{missing}` still needs one.",
    # after the verdict
    "correct.done": "Well done.",
    "correct.public_only": (
        "The checks here pass. Your instructor's grading runs more tests on this exercise, "
        "so keep your answer as it is."
    ),
    # The standing line: it follows the reason of a "not yet right", on a line of its own, the
    # first time an exercise is not yet right in a notebook session, not under every message after.
    "incorrect.next_step": "\nNeed a nudge? Run ex.{exercise}.hint() for a hint.",
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
    "got.frame": "a whole table, {rows} and {columns}",
    "count.row.one": "{count} row",
    "count.row.many": "{count} rows",
    "count.column.one": "{count} column",
    "count.column.many": "{count} columns",
    # `.mean` written without its brackets, or `round` without them
    "got.not_called": "`{name}` without the () after it: add () after {name}, so that Python carries it out",
    "got.not_called_unnamed": (
        "a step written without the () after it (such as .mean in place of .mean()): add the (), so that "
        "Python carries it out"
    ),
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
        "Expected {expected}, got a column (or a list) holding one value, not the value itself. Add "
        ".iloc[0] at the end of a column to take out its first value, here its only one ([0] at the end "
        "of a list); or read the number off the table and write it down."
    ),
    "reason.decimal_comma": (
        "Python writes a decimal with a point, not a comma: {meant}, not {written}. With the comma, "
        "Python reads two numbers, {meant_first} and {meant_second}."
    ),
    # an empty column: the filter before it kept no rows (a misspelt machine id, most often)
    "reason.empty_column": (
        "Expected {expected}, got an empty column: your filter kept no rows at all, so there is nothing "
        "to take a value from. Most often no row's machine id is written exactly as in your filter, "
        "capitals and hyphen included (\"CNC-102\", not \"cnc-102\" or \"CNC 102\"). The asset "
        "register's asset_id column (assets[\"asset_id\"]) lists every machine's id as the plant writes it."
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
    # a whole table where one number is asked, by how the task makes one number of a column
    "reason.table_not_one_value.summary": (
        "Expected {expected}, got {got}. Take the one column the task asks about first, its name in "
        "quotes inside square brackets (table[\"column name\"]), then finish with a step that makes "
        "one number of it, such as .mean() or .max(), whichever the task asks for."
    ),
    "reason.table_not_one_value.one_row": (
        "Expected {expected}, got {got}. Take the one column the task asks about first, its name in "
        "quotes inside square brackets (table[\"column name\"]), then add .iloc[0] to take out its "
        "first value; or read the number off the table and write it down."
    ),
    "reason.table_not_one_value.count": (
        "Expected {expected}, got {got}. Take the one column the task asks about first, its name in "
        "quotes inside square brackets (table[\"column name\"]), then count with .count() or .sum()."
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
        "the filter kept no rows, because no row's machine id is written exactly as in your filter, "
        "capitals and hyphen included (\"CNC-102\", not \"cnc-102\" or \"CNC 102\"). The asset "
        "register's asset_id column (assets[\"asset_id\"]) lists every machine's id as the plant writes it."
    ),
    "reason.number_differs": "{value}{unit_phrase} is not the value the check expects. Go through the task's steps again.",
    # the expected number with digits rounded or cut off; which of the two a check cannot tell
    "reason.number_rounded": (
        "Close: {value}{unit_phrase} agrees with the expected number, but to fewer than the {decimals} "
        "decimals the course asks for. Store the number Python works out (copy all its digits), or write "
        "at least {decimals} decimals, the last one rounded up when the digit after it is 5 or more."
    ),
    # the answer has enough decimals, but its last one was cut off where rounding puts it one higher
    "reason.number_cut_off": (
        "Close: {value}{unit_phrase} has its digits cut off rather than rounded. A number is right when it "
        "agrees with the expected one to {decimals} decimals, rounded: the last digit goes up by one when "
        "the digit after it is 5 or more. Store the number Python works out (copy all its digits), and "
        "the check does the rounding."
    ),
    # the same, when the exercise cell's code used round()
    "reason.number_rounded.round_used": (
        "Close: {value}{unit_phrase} is the expected number rounded to fewer decimals than the course "
        "asks for. A number is right when it agrees with the expected one to {decimals} decimals: leave "
        "out the round(), or write round(..., {decimals})."
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
    # after a known mistake's own message, the figure's other problems
    "reason.figure.also": "Also to change in your figure:",
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
    """One common phrase with its ``{placeholders}`` filled in."""
    return COMMON_WORDS[key].format(**values)
