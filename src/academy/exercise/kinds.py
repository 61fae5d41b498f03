"""Answer kinds: how an answer is read and compared with the expected one.

Every kind has three steps, all on plain values (see :mod:`academy.exercise.plain`):

``convert(plain)``
    Check the answer's form and coerce it (``float()``, a sorted list of labels, a DataFrame with
    its named index turned into columns, ...). A wrong form raises :class:`WrongForm` whose text
    is the trainee-facing reason ("Expected a number in mm/s, got a table ...").
``compare(answer, expected)``
    Returns a :class:`Comparison`: ``ok``, or not ok with a plain-words reason.
``matches_mistake(answer, wrong)``
    Whether the answer is a known wrong answer; by default the same test as ``compare``.

The expected value goes through ``convert_expected`` (for most kinds ``convert`` after
``to_plain``), so module authors may return numpy scalars, Series or DataFrames from their
``expected`` functions. Comparisons only ever touch the converted copies, never the trainee's
object, so an answer with a rigged ``__eq__`` gains nothing.

Kinds: :class:`Number`, :class:`Integer`, :class:`Choice` (also free text), :class:`Labels`
(a set of labels), :class:`Column` (pandas Series), :class:`Table` (pandas DataFrame) and
:class:`Figure` (matplotlib figure, see :mod:`academy.exercise.figures`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from academy.exercise.figures import FigureSummary
from academy.exercise.plain import MISSING, TooLarge, Unsupported, to_plain
from academy.exercise.words import word


class WrongForm(Exception):
    """The answer is not in the form the kind expects; ``str(error)`` says so in plain words."""


@dataclass(frozen=True)
class Comparison:
    ok: bool
    reason: str = ""
    # The reason to give instead when the exercise cell's code used round() (a check that can see
    # the cell's code; see academy.exercise.core.score).
    reason_if_rounded: str = ""


OK = Comparison(True)


def describe_got(plain: Any) -> str:
    """What an answer turned out to be, in plain words ("a table with 12 rows and 3 columns")."""
    if plain is MISSING:
        return word("got.missing")
    if plain is None:
        return word("got.none")
    if isinstance(plain, bool):
        return word("got.bool", value=plain)
    if isinstance(plain, (int, float)):
        return word("got.number", value=_number(plain))
    if isinstance(plain, str):
        return word("got.text", value=plain if len(plain) <= 40 else plain[:37] + "...")
    if isinstance(plain, list):
        return word("got.list", count=len(plain))
    if isinstance(plain, np.ndarray):
        return word("got.array", count=plain.size)
    if isinstance(plain, pd.Series):
        return word("got.series", count=len(plain))
    if isinstance(plain, pd.DataFrame):
        return word("got.frame", rows=counted(plain.shape[0], "row"), columns=counted(plain.shape[1], "column"))
    if isinstance(plain, FigureSummary):
        return word("got.figure")
    if isinstance(plain, dict):
        return word("got.mapping")
    if isinstance(plain, TooLarge):
        return word("got.too_large", type_name=plain.type_name, shape=" x ".join(map(str, plain.shape)))
    if isinstance(plain, Unsupported) and plain.callable:
        return word("got.not_called", name=plain.name) if plain.name else word("got.not_called_unnamed")
    if isinstance(plain, Unsupported):
        return word("got.other", type_name=plain.type_name)
    return word("got.other", type_name=type(plain).__name__)


def counted(count: int, noun: str) -> str:
    """``"1 row"``, ``"16 columns"``: a count with its noun (the words ``count.<noun>.one`` / ``.many``)."""
    return word(f"count.{noun}.{'one' if count == 1 else 'many'}", count=count)


def _decimals_shown(value: float) -> int:
    """How many decimals a number has as a person wrote it (a float32's 32.099998 is 32.1: one)."""
    value = float(value)
    return next((d for d in range(7) if abs(round(value, d) - value) <= 1e-6 * max(1.0, abs(value))), 7)


def _number(value: float) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


class AnswerKind:
    """Base class of the answer kinds; see the module docstring for the three steps."""

    # What "not attempted yet" says about a `name = ...` placeholder (see words.py).
    placeholder_key = "not_attempted.placeholder"
    # Whether an empty answer variable makes the check look for the answer under another name.
    look_elsewhere = False

    def may_hold(self, value: Any) -> bool:
        """Whether a notebook variable could hold this kind's answer (for ``look_elsewhere``)."""
        return False

    def resembles(self, answer: Any, expected: Any) -> bool:
        """Whether a converted value is an attempt at the expected answer, though perhaps unfinished."""
        return self.compare(answer, expected).ok

    def describe(self) -> str:
        raise NotImplementedError

    def convert(self, plain: Any) -> Any:
        raise NotImplementedError

    def compare(self, answer: Any, expected: Any) -> Comparison:
        raise NotImplementedError

    def convert_expected(self, value: Any) -> Any:
        return self.convert(to_plain(value))

    def matches_mistake(self, answer: Any, wrong: Any, expected: Any = None) -> bool:
        return self.compare(answer, wrong).ok

    def also_wrong(self, answer: Any, expected: Any, wrong: Any) -> list[str]:
        """For an answer that matched the known mistake ``wrong``: what else is not yet right about
        it, beyond what the mistake's message explains (a figure's labels, say), so that a check
        lists every problem at once. Most kinds have nothing to add."""
        return []

    def wrong_form(self, plain: Any) -> WrongForm:
        return WrongForm(word("reason.wrong_form", expected=self.describe(), got=describe_got(plain)))


def _single_item(plain: Any) -> bool:
    """A list, array or column holding exactly one value: a near miss worth its own message."""
    return isinstance(plain, (list, np.ndarray, pd.Series)) and len(plain) == 1


# A number written in quotes, perhaps with a unit after it: "22", "22.0 kW", "7.1mm/s".
_NUMBER_IN_TEXT = re.compile(r"^\s*(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<rest>.*?)\s*$")
_UNIT_LIKE = re.compile(r"^[^\d'\"]{1,12}$")

# The course's one rule for a number answer, the same in every exercise and stated once for
# trainees in the README ("Working through a module") and in module 00: a number is right when it
# agrees with the expected one to ANSWER_DECIMALS decimal places (within half a unit of the last
# of them), however it was obtained: worked out by Python, rounded with round(x, 2), or copied off
# the screen. The readings themselves carry one or two decimals, so two decimals is all the data
# can vouch for. Large numbers (an energy in kWh) are also right within NUMBER_REL_TOL of
# themselves, since summing a million readings in another order moves their last digits.
ANSWER_DECIMALS = 2
NUMBER_ABS_TOL = 0.5 * 10.0**-ANSWER_DECIMALS
NUMBER_REL_TOL = 1e-6
# An answer rounded to fewer decimals is told so (rather than sent back through the task's steps)
# when it is the expected number rounded to 0 or 1 decimals, or to 2 to 4 significant digits.
_FEWER_DECIMALS = tuple(range(ANSWER_DECIMALS))
_SIGNIFICANT_DIGITS = (2, 3, 4)


def numbers_agree(answer: float, expected: float) -> bool:
    """The course's rule for a number (see :data:`ANSWER_DECIMALS`)."""
    return math.isclose(answer, expected, rel_tol=NUMBER_REL_TOL, abs_tol=NUMBER_ABS_TOL * (1 + 1e-9))


def rounded_too_far(answer: float, expected: float) -> int | None:
    """The decimals (or, for small and large numbers, significant digits) to which ``expected`` was
    rounded or cut off to give ``answer``, when that broke the course's rule; else None. Cutting
    off after :data:`ANSWER_DECIMALS` decimals breaks it when the next digit is 5 or more."""
    if not (math.isfinite(answer) and math.isfinite(expected)) or expected == 0:
        return None

    def same(a: float, b: float) -> bool:
        # float32 readings round to a float32 (round(np.float32(32.3167), 1) is 32.29999923...)
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)

    for decimals in _FEWER_DECIMALS:
        if same(answer, round(expected, decimals)) or same(answer, _cut_off(expected, decimals)):
            return decimals
    if same(answer, _cut_off(expected, ANSWER_DECIMALS)):  # 32.31 for 32.316734: cut, not rounded
        return ANSWER_DECIMALS
    magnitude = math.floor(math.log10(abs(expected)))
    for digits in _SIGNIFICANT_DIGITS:
        decimals = digits - 1 - magnitude
        if decimals < ANSWER_DECIMALS and decimals in _FEWER_DECIMALS:
            continue  # already tried above
        if same(answer, round(expected, decimals)):
            return decimals
    return None


def _cut_off(number: float, decimals: int) -> float:
    """``number`` with its digits after ``decimals`` decimals dropped (31.8728 -> 31.8 at one)."""
    return math.trunc(number * 10**decimals) / 10**decimals


def _decimal_comma(plain: Any) -> str | None:
    """``22,5`` makes Python a pair of numbers, (22, 5): the number a trainee meant, or None."""
    if (
        isinstance(plain, list)
        and len(plain) == 2
        and all(isinstance(item, int) and not isinstance(item, bool) for item in plain)
        and plain[1] >= 0
    ):
        return f"{plain[0]}.{plain[1]}"
    return None


def _not_a_single_number(kind: AnswerKind, plain: Any, step: str) -> WrongForm:
    """Why an answer that should be one number is not, with the way to fix the near misses:
    one value wrapped in a list, a whole column not yet reduced, a number put in quotes, a comma
    written for a decimal point."""
    if _single_item(plain):
        return WrongForm(word("reason.one_value", expected=kind.describe()))
    if (meant := _decimal_comma(plain)) is not None:
        written = meant.replace(".", ",")
        first, second = meant.split(".")
        return WrongForm(word("reason.decimal_comma", written=written, meant=meant, meant_first=first, meant_second=second))
    if isinstance(plain, pd.Series) and len(plain) == 0:
        return WrongForm(word("reason.empty_column", expected=kind.describe()))
    if isinstance(plain, pd.Series) and len(plain) > 1:
        return WrongForm(word(f"reason.column_not_one_value.{step}", expected=kind.describe(), count=len(plain)))
    if isinstance(plain, pd.DataFrame):
        return WrongForm(word(f"reason.table_not_one_value.{step}", expected=kind.describe(), got=describe_got(plain)))
    if isinstance(plain, str) and (found := _NUMBER_IN_TEXT.match(plain)):
        number, rest = found["number"], found["rest"]
        if not rest:
            return WrongForm(word("reason.number_as_text", expected=kind.describe(), value=plain, number=number))
        if _UNIT_LIKE.match(rest):
            return WrongForm(word("reason.number_and_unit_as_text", expected=kind.describe(), value=plain, number=number))
    return kind.wrong_form(plain)


# How the one number an exercise asks for comes out of a column, for the message a whole column gets.
SUMMARY, ONE_ROW = "summary", "one_row"


@dataclass(frozen=True)
class Number(AnswerKind):
    """One number, right by the course's one rule (:func:`numbers_agree`); ``unit`` appears in
    messages. ``from_column`` says how the task gets its number out of a column: ``"summary"``
    (an average, a highest value) or ``"one_row"`` (one machine's value in the register), which
    decides what a whole column handed in is told.

    An answer outside the rule that is the expected number rounded to fewer decimals is told
    so (see :func:`rounded_too_far`), rather than sent back through the task's steps."""

    unit: str = ""
    from_column: str = SUMMARY

    def describe(self) -> str:
        return word("kind.number_unit", unit=self.unit) if self.unit else word("kind.number")

    def convert(self, plain: Any) -> float:
        if isinstance(plain, bool) or not isinstance(plain, (int, float)):
            raise _not_a_single_number(self, plain, self.from_column)
        number = float(plain)
        if math.isnan(number):
            raise WrongForm(word("reason.not_a_number"))
        return number

    def compare(self, answer: float, expected: float) -> Comparison:
        if numbers_agree(answer, expected):
            return OK
        unit_phrase = f" {self.unit}" if self.unit else ""
        decimals = rounded_too_far(answer, expected)
        if decimals is None:
            return Comparison(False, word("reason.number_differs", value=_number(answer), unit_phrase=unit_phrase))
        values = dict(value=_number(answer), unit_phrase=unit_phrase, decimals=ANSWER_DECIMALS)
        key = "reason.number_cut_off" if _decimals_shown(answer) >= ANSWER_DECIMALS else "reason.number_rounded"
        return Comparison(
            False, word(key, **values), reason_if_rounded=word("reason.number_rounded.round_used", **values)
        )


@dataclass(frozen=True)
class Integer(AnswerKind):
    """A whole number (a count). A float is accepted when it is whole (``12.0``)."""

    def describe(self) -> str:
        return word("kind.integer")

    def convert(self, plain: Any) -> int:
        if isinstance(plain, bool) or not isinstance(plain, (int, float)):
            raise _not_a_single_number(self, plain, "count")
        if isinstance(plain, float) and not (math.isfinite(plain) and plain.is_integer()):
            raise WrongForm(word("reason.not_whole", value=_number(plain)))
        return int(plain)

    def compare(self, answer: int, expected: int) -> Comparison:
        return OK if answer == expected else Comparison(False, word("reason.integer_differs", value=answer))


@dataclass(frozen=True)
class Choice(AnswerKind):
    """One of ``options`` (or, without options, a free text), compared ignoring case and spacing."""

    options: tuple[str, ...] | None = None
    case_sensitive: bool = False

    def describe(self) -> str:
        if self.options:
            return word("kind.choice", options=", ".join(f"'{option}'" for option in self.options))
        return word("kind.text")

    def _normal(self, text: str) -> str:
        text = " ".join(text.split())
        return text if self.case_sensitive else text.casefold()

    def convert(self, plain: Any) -> str:
        if isinstance(plain, int) and not isinstance(plain, bool) and self.options and str(plain) in self.options:
            plain = str(plain)
        if not isinstance(plain, str):
            raise self.wrong_form(plain)
        if self.options:
            for option in self.options:
                if self._normal(option) == self._normal(plain):
                    return option
            raise WrongForm(word("reason.not_an_option", value=plain.strip(), options=", ".join(self.options)))
        return " ".join(plain.split())

    def compare(self, answer: str, expected: str) -> Comparison:
        if self._normal(answer) == self._normal(expected):
            return OK
        return Comparison(False, word("reason.choice_differs", value=answer))


@dataclass(frozen=True)
class Labels(AnswerKind):
    """A set of labels (machine ids, alarm codes): order and repeats do not matter."""

    noun: str = "labels"

    def describe(self) -> str:
        return word("kind.labels", noun=self.noun)

    def convert(self, plain: Any) -> list[str]:
        if isinstance(plain, str):
            raise WrongForm(word("reason.labels_from_text", noun=self.noun, value=plain))
        if isinstance(plain, (np.ndarray, pd.Series)):
            plain = [to_plain(item) for item in np.asarray(plain).reshape(-1).tolist()]
        if not isinstance(plain, list) or not all(
            isinstance(item, (str, int)) and not isinstance(item, bool) for item in plain
        ):
            raise self.wrong_form(plain)
        return sorted({str(item) for item in plain})

    def compare(self, answer: list[str], expected: list[str]) -> Comparison:
        given, wanted = set(answer), set(expected)
        if given == wanted:
            return OK
        return Comparison(
            False,
            word(
                "reason.labels_differ",
                right=len(given & wanted),
                given=len(given),
                noun=self.noun,
                missing=len(wanted - given),
                extra=len(given - wanted),
            ),
        )


def _label_key(label: Any) -> str:
    return str(to_plain(label))


def _values_match(answer: np.ndarray, expected: np.ndarray, rel_tol: float, abs_tol: float) -> np.ndarray:
    """Element-wise: numbers within tolerance (NaN matches NaN), anything else by its text."""
    try:
        a = np.asarray(answer, dtype=float)
        e = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        a_text = pd.Series(answer, dtype=object).map(_text_or_missing).to_numpy()
        e_text = pd.Series(expected, dtype=object).map(_text_or_missing).to_numpy()
        return a_text == e_text
    return np.isclose(a, e, rtol=rel_tol, atol=abs_tol, equal_nan=True)


def _text_or_missing(item: Any) -> str:
    return "<missing>" if item is None or (isinstance(item, float) and math.isnan(item)) or item is pd.NaT else str(item)


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)


def _numbers_as_text(answer: pd.Series, expected: pd.Series) -> bool:
    """Numbers expected, but the answer holds them as text ("2.5" instead of 2.5)."""
    return _is_numeric(expected) and not _is_numeric(answer) and not pd.api.types.is_bool_dtype(answer.dtype)


def _plain_values(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return values.astype(object).to_numpy()


@dataclass(frozen=True)
class Column(AnswerKind):
    """A pandas Series. Values are matched by index label (in any order unless ``ordered``)."""

    per: str = ""
    unit: str = ""
    ordered: bool = False
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9

    def describe(self) -> str:
        text = word("kind.column_per", per=self.per) if self.per else word("kind.column")
        return f"{text}, in {self.unit}" if self.unit else text

    def convert(self, plain: Any) -> pd.Series:
        if not isinstance(plain, pd.Series):
            raise self.wrong_form(plain)
        return plain

    def compare(self, answer: pd.Series, expected: pd.Series) -> Comparison:
        per_phrase = f" (one per {self.per})" if self.per else ""
        if len(answer) != len(expected):
            return Comparison(
                False, word("reason.length_differs", expected=len(expected), actual=len(answer), per_phrase=per_phrase)
            )
        answer_keys = [_label_key(label) for label in answer.index]
        expected_keys = [_label_key(label) for label in expected.index]
        missing = [key for key in expected_keys if key not in set(answer_keys)]
        if missing:  # equal lengths and no label missing: the labels are the same, none repeated
            return Comparison(False, word("reason.index_differs", missing=len(missing), example=missing[0]))
        if _numbers_as_text(answer, expected):
            return Comparison(False, word("reason.text_not_numbers", where=word("where.column")))
        answer_values = pd.Series(_plain_values(answer), index=answer_keys, dtype=object)
        aligned = answer_values.reindex(expected_keys).to_numpy()
        good = _values_match(aligned, _plain_values(expected), self.rel_tol, self.abs_tol)
        if not good.all():
            first = expected_keys[int(np.argmin(good))]
            return Comparison(False, word("reason.values_differ", bad=int((~good).sum()), total=len(good), where=first))
        if self.ordered and answer_keys != expected_keys:
            return Comparison(False, word("reason.order_differs"))
        return OK


def _flatten_index(frame: pd.DataFrame) -> pd.DataFrame:
    """A named index (from groupby or set_index) becomes ordinary columns; a plain row number is dropped."""
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    else:
        frame = frame.reset_index(drop=True)
    frame.columns = [str(column) for column in frame.columns]
    return frame


@dataclass(frozen=True)
class Table(AnswerKind):
    """A pandas DataFrame. A named index counts as columns, so ``groupby(...).mean()`` and its
    ``reset_index()`` are both accepted. With ``key`` columns, rows are matched on them in any
    order; without, rows are compared in order."""

    columns: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    per: str = ""
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9

    def describe(self) -> str:
        if self.columns:
            return word("kind.table", columns=", ".join(self.columns))
        return word("kind.table_any")

    def convert(self, plain: Any) -> pd.DataFrame:
        if not isinstance(plain, pd.DataFrame):
            raise self.wrong_form(plain)
        return _flatten_index(plain)

    def compare(self, answer: pd.DataFrame, expected: pd.DataFrame) -> Comparison:
        if set(answer.columns) != set(expected.columns) or len(answer.columns) != len(expected.columns):
            return Comparison(
                False,
                word("reason.columns_differ", actual=", ".join(answer.columns), expected=", ".join(expected.columns)),
            )
        per_phrase = f" (one per {self.per})" if self.per else ""
        if len(answer) != len(expected):
            return Comparison(
                False, word("reason.rows_differ", expected=len(expected), actual=len(answer), per_phrase=per_phrase)
            )
        key = [column for column in self.key if column in expected.columns]  # a mistake's table may lack some
        if key:
            answer_keys = [self._row_key(row) for row in answer[key].itertuples(index=False)]
            expected_keys = [self._row_key(row) for row in expected[key].itertuples(index=False)]
            missing = [key for key in expected_keys if key not in set(answer_keys)]
            if missing:
                return Comparison(False, word("reason.keys_differ", example=missing[0]))
            answer = answer.set_axis(answer_keys).reindex(expected_keys)
            where = expected_keys
        else:
            answer = answer.reset_index(drop=True)
            where = [f"row {position + 1}" for position in range(len(expected))]
        for column in expected.columns:
            if _numbers_as_text(answer[column], expected[column]):
                return Comparison(False, word("reason.text_not_numbers", where=f"'{column}'"))
            good = _values_match(
                _plain_values(answer[column]), _plain_values(expected[column]), self.rel_tol, self.abs_tol
            )
            if not good.all():
                return Comparison(
                    False,
                    word(
                        "reason.column_values_differ",
                        column=column,
                        bad=int((~good).sum()),
                        total=len(good),
                        where=where[int(np.argmin(good))],
                    ),
                )
        return OK

    @staticmethod
    def _row_key(row: tuple) -> str:
        return " / ".join(_label_key(part) for part in row)


@dataclass(frozen=True)
class Figure(AnswerKind):
    """A matplotlib figure (or Axes). The expected value comes from
    :func:`academy.exercise.figures.expected_figure`: the main line's x and y values and the limit
    lines that must be drawn. A check enforces everything a figure task states:

    * the data: a line with the expected y values, drawn against the expected x values (so
      readings plotted against their row number are told apart from readings against time);
    * the limit lines, in ``limit_linestyle`` (``"dashed"``, ...) when the task names a style;
    * a title that asks the figure's question (ending with "?") and names each of ``title_words``;
    * axis labels, the x label naming each of ``xlabel_words`` ("local" for local times), the y
      label naming each of ``ylabel_words`` (what is measured) and ``ylabel_units``.

    Words are matched ignoring case. A known mistake matches on its data and limit lines alone."""

    title: bool = True
    xlabel: bool = True
    ylabel: bool = True
    ylabel_units: tuple[str, ...] = ()
    title_words: tuple[str, ...] = ()
    xlabel_words: tuple[str, ...] = ()
    ylabel_words: tuple[str, ...] = ()
    limit_linestyle: str = ""
    unit: str = ""
    x_name: str = ""  # how the task names the x values, for the message ('historian["Timestamp"]')
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9

    placeholder_key = "not_attempted.placeholder_line"
    look_elsewhere = True

    def may_hold(self, value: Any) -> bool:
        import sys

        if "matplotlib" not in sys.modules:
            return False
        from matplotlib.figure import Figure as MatplotlibFigure

        return isinstance(value, MatplotlibFigure)

    def describe(self) -> str:
        return word("kind.figure")

    def convert(self, plain: Any) -> FigureSummary:
        if isinstance(plain, dict) and isinstance(plain.get("axes"), list):
            return FigureSummary(plain)
        raise self.wrong_form(plain)

    def convert_expected(self, value: Any) -> dict:
        if not isinstance(value, dict) or not {"y", "hlines", "vlines"} <= set(value):
            raise TypeError("a Figure exercise's expected answer comes from academy.exercise.figures.expected_figure()")
        return {"x": None, **value}

    def compare(self, answer: FigureSummary, expected: dict) -> Comparison:
        empty = {"title": "", "xlabel": "", "ylabel": "", "lines": [], "hlines": [], "hline_styles": [], "vlines": []}
        axes_list = answer["axes"] or [empty]
        problems = [
            self._layout_problems(axes, answer) + self._data_problems(axes, expected, with_style=True) for axes in axes_list
        ]
        best = min(problems, key=len)
        if not best:
            return OK
        if len(best) == 1:
            return Comparison(False, best[0])
        # Every missing piece at once: fixing them one check at a time wears a trainee out.
        lines = [word("reason.figure.several", count=len(best)), *(word("reason.figure.item", problem=p) for p in best)]
        return Comparison(False, "\n".join(lines))

    def matches_mistake(self, answer: FigureSummary, wrong: dict, expected: dict | None = None) -> bool:
        """Axes that show the mistake's data and limits, and not also what the task asks for: a
        figure with the asked limit and a second one besides has not made the mistake."""
        return any(not self._data_problems(axes, wrong, with_style=False)
                   and (expected is None or bool(self._data_problems(axes, expected, with_style=False)))
                   for axes in answer["axes"])

    def also_wrong(self, answer: FigureSummary, expected: dict, wrong: dict) -> list[str]:
        """The problems of the figure that the mistake's message does not explain: its title and
        labels always; its line unless the mistake is about the line's data; its limit lines unless
        the mistake is about which limit is drawn (a mistake that draws none is not)."""
        axes = next(axes for axes in answer["axes"] if not self._data_problems(axes, wrong, with_style=False))
        problems = self._layout_problems(axes, answer)
        about_line = (wrong.get("y") is not None and wrong["y"] != expected.get("y")) or (
            wrong.get("x") is not None and wrong["x"] != expected.get("x"))
        about_limits = any(wrong.get(lines) and wrong[lines] != expected.get(lines) for lines in ("hlines", "vlines"))
        if not about_line:
            problems += self._line_problems(axes, expected)
        if not about_limits:
            problems += self._limit_problems(axes, expected, with_style=True)
        return problems

    def resembles(self, answer: FigureSummary, expected: dict) -> bool:
        """A figure with the expected readings on it, finished or not (no limit line yet, say)."""
        if expected["y"] is None:
            return False
        return any(self._y_matches(line, expected["y"]) for axes in answer["axes"] for line in axes["lines"])

    def _title(self, axes: dict, figure: FigureSummary) -> str:
        title = axes["title"].strip()
        if not title and len(figure["axes"]) == 1:
            title = figure["suptitle"].strip()
        return title

    def _layout_problems(self, axes: dict, figure: FigureSummary) -> list[str]:
        problems = []
        title = self._title(axes, figure)
        if self.title and not title:
            problems.append(word("reason.figure.no_title"))
        elif self.title and not title.endswith("?"):
            problems.append(word("reason.figure.title_not_a_question", title=title))
        elif self.title and (absent := _absent(self.title_words, title)):
            problems.append(word("reason.figure.title_words", title=title, words=_listed(absent)))
        xlabel, ylabel = axes["xlabel"].strip(), axes["ylabel"].strip()
        if self.xlabel and not xlabel:
            problems.append(word("reason.figure.no_xlabel"))
        elif xlabel and (absent := _absent(self.xlabel_words, xlabel)):
            problems.append(word("reason.figure.xlabel_words", label=xlabel, words=_listed(absent)))
        if self.ylabel and not ylabel:
            problems.append(word("reason.figure.no_ylabel"))
        elif ylabel:
            if absent := _absent(self.ylabel_words, ylabel):
                problems.append(word("reason.figure.ylabel_words", label=ylabel, words=_listed(absent)))
            for unit in self.ylabel_units:
                if unit.casefold() not in ylabel.casefold():
                    problems.append(word("reason.figure.ylabel_unit", unit=unit))
        return problems

    def _data_problems(self, axes: dict, expected: dict, with_style: bool) -> list[str]:
        return self._line_problems(axes, expected) + self._limit_problems(axes, expected, with_style)

    def _line_problems(self, axes: dict, expected: dict) -> list[str]:
        problems = []
        expected_x = expected.get("x")
        if expected["y"] is not None:
            with_y = [line for line in axes["lines"] if self._y_matches(line, expected["y"])]
            if not with_y:
                problems.append(word("reason.figure.no_matching_line"))
            elif expected_x is not None and not any(self._x_matches(line, expected_x) for line in with_y):
                against_rows = any(self._x_matches(line, list(range(len(expected_x)))) for line in with_y)
                key = "reason.figure.x_row_numbers" if against_rows else "reason.figure.x_differs"
                problems.append(word(key, x_name=self.x_name or word("where.x_values")))
        elif not axes["lines"]:
            problems.append(word("reason.figure.no_matching_line"))
        return problems

    def _limit_problems(self, axes: dict, expected: dict, with_style: bool) -> list[str]:
        problems = []
        unit_phrase = f" {self.unit}" if self.unit else ""
        styles = axes.get("hline_styles") or []
        for value in expected["hlines"]:
            drawn = [position for position, at in enumerate(axes["hlines"]) if self._close(at, value)]
            if not drawn:
                problems.append(word("reason.figure.missing_limit", value=_number(value), unit_phrase=unit_phrase))
            elif with_style and self.limit_linestyle and not any(
                position < len(styles) and styles[position] == self.limit_linestyle for position in drawn
            ):
                problems.append(
                    word("reason.figure.limit_style", value=_number(value), unit_phrase=unit_phrase,
                         style=word(f"style.{self.limit_linestyle}"))
                )
        for value in expected["vlines"]:
            if not any(self._close(drawn, value) for drawn in axes["vlines"]):
                problems.append(word("reason.figure.missing_marker", value=_number(value)))
        return problems

    def _close(self, a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=self.rel_tol, abs_tol=self.abs_tol)

    def _x_matches(self, line: dict, expected_x: list) -> bool:
        wanted = np.array([np.nan if v is None else v for v in expected_x], dtype=float)
        if line["n"] != len(wanted):
            return False
        if line.get("x") is not None:
            drawn = np.array([np.nan if v is None else v for v in line["x"]], dtype=float)
            # times are days since 1970: a tolerance of a second, whatever the date
            return bool(np.isclose(drawn, wanted, rtol=0, atol=max(self.abs_tol, 1e-5), equal_nan=True).all())
        finite = wanted[np.isfinite(wanted)]
        return bool(
            finite.size
            and line.get("x_min") is not None
            and math.isclose(line["x_min"], finite.min(), abs_tol=1e-5)
            and math.isclose(line["x_max"], finite.max(), abs_tol=1e-5)
        )

    def _y_matches(self, line: dict, expected_y: list) -> bool:
        wanted = np.array([np.nan if v is None else v for v in expected_y], dtype=float)
        if line["n"] != len(wanted):
            return False
        if line["y"] is not None:
            drawn = np.array([np.nan if v is None else v for v in line["y"]], dtype=float)
            return bool(np.isclose(drawn, wanted, rtol=self.rel_tol, atol=self.abs_tol, equal_nan=True).all())
        finite = wanted[np.isfinite(wanted)]  # a long line keeps only its statistics
        if not finite.size:
            return line["y_mean"] is None
        return line["y_mean"] is not None and all(
            self._close(line[stat], float(value))
            for stat, value in (("y_min", finite.min()), ("y_max", finite.max()), ("y_mean", finite.mean()))
        )


def _absent(words: tuple[str, ...], text: str) -> list[str]:
    return [each for each in words if each.casefold() not in text.casefold()]


def _listed(words: list[str]) -> str:
    return ", ".join(f"'{each}'" for each in words)
