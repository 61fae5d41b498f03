"""Answers as plain values, and their JSON form.

A trainee's variable can hold anything. Before anything compares it, :func:`to_plain` turns it
into one of a few plain types, copying it so the trainee's object (and any rigged ``__eq__`` it
carries) takes no part in the comparison:

=====================  ===================================================================
kernel value           plain value
=====================  ===================================================================
missing variable       :data:`MISSING`
``...``                ``Ellipsis`` (the placeholder of a trainee notebook)
None, bool, str        the same (numpy strings and bools become Python ones)
int, float, numbers    ``int`` or ``float`` (numpy scalars and 0-d arrays included)
list, tuple, set,      ``list`` of plain values (sets sorted, so the order is reproducible)
pandas Index
numpy array            a new ``numpy.ndarray``
pandas Series          a new ``pandas.Series``
pandas DataFrame       a new ``pandas.DataFrame``
dict                   ``dict`` of str keys to plain values
matplotlib Figure/Axes :class:`FigureSummary` (see :mod:`academy.exercise.figures`)
anything else          :class:`Unsupported` (its type name only)
=====================  ===================================================================

:func:`encode` and :func:`decode` move plain values through JSON without loss (NaN, infinities,
time zones, categories and integer columns included), so an answer extracted inside a kernel can
be scored in another process with the same result. Every encoded value is a dict with a
``"type"`` key: ``missing``, ``placeholder``, ``none``, ``bool``, ``int``, ``float``, ``text``,
``list``, ``array``, ``series``, ``frame``, ``mapping``, ``figure``, ``too_large`` or
``unsupported``.
"""
from __future__ import annotations

import math
import numbers
import sys
import types
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from academy.exercise.figures import FigureSummary, summarise

# Tables beyond this many cells are summarised by shape when encoded: no exercise expects one
# that large, and a whole telemetry table would make every saved answer huge.
MAX_ENCODED_CELLS = 500_000


class _Missing:
    """The value of an answer variable that does not exist in the namespace."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self):
        return (_Missing, ())


MISSING = _Missing()


@dataclass(frozen=True)
class Unsupported:
    """An answer of a type no answer kind understands; only its type name is kept, and for a
    function or method written without its ``()`` its name as written (``.mean``, ``round``)."""

    type_name: str
    name: str = ""

    @property
    def callable(self) -> bool:
        return self.type_name in CALLABLE_TYPES


# What `column.mean` (without the brackets), `len` or a function of one's own turn out to be.
CALLABLE_TYPES = frozenset({"method", "function", "builtin_function_or_method", "method-wrapper"})


@dataclass(frozen=True)
class TooLarge:
    """A table or array too large to encode; kept by type and shape."""

    type_name: str
    shape: tuple[int, ...]


def is_unanswered(value: Any) -> bool:
    return value is MISSING or value is Ellipsis


def to_plain(value: Any) -> Any:
    """Convert a kernel value into a plain value (see the table in the module docstring)."""
    if value is MISSING or value is Ellipsis or value is None:
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (str, np.str_)):
        return str(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if isinstance(value, (numbers.Real, np.floating)):
        return float(value)
    if isinstance(value, pd.DataFrame):
        return pd.DataFrame(value, copy=True)
    if isinstance(value, pd.Series):
        return pd.Series(value, copy=True)
    if isinstance(value, pd.Index):
        return [to_plain(item) for item in value.tolist()]
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return to_plain(value.item())
        return np.array(value, copy=True)
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_plain(item) for item in value), key=lambda item: (type(item).__name__, str(item)))
    if isinstance(value, (FigureSummary, Unsupported, TooLarge)):
        return value  # already plain (decoded from JSON)
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if _is_matplotlib(value):
        return summarise(value)
    type_name = type(value).__name__
    if type_name in CALLABLE_TYPES:
        name = getattr(value, "__name__", "")
        if not (isinstance(name, str) and name.isidentifier()):
            return Unsupported(type_name)
        owner = getattr(value, "__self__", None)
        is_method = owner is not None and not isinstance(owner, types.ModuleType)
        return Unsupported(type_name, f".{name}" if is_method else name)  # as it is written: .mean, round
    return Unsupported(type_name)


def _is_matplotlib(value: Any) -> bool:
    if "matplotlib" not in sys.modules:  # nothing to summarise when matplotlib was never imported
        return False
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    return isinstance(value, (Figure, SubFigure, Axes))


# --- JSON ---------------------------------------------------------------------------------------


def encode(value: Any) -> dict:
    """A plain value (or any kernel value, converted first) as a JSON-able dict."""
    value = to_plain(value)
    if value is MISSING:
        return {"type": "missing"}
    if value is Ellipsis:
        return {"type": "placeholder"}
    if value is None:
        return {"type": "none"}
    if isinstance(value, bool):
        return {"type": "bool", "value": value}
    if isinstance(value, int):
        return {"type": "int", "value": value}
    if isinstance(value, float):
        return {"type": "float", "value": _encode_float(value)}
    if isinstance(value, str):
        return {"type": "text", "value": value}
    if isinstance(value, list):
        return {"type": "list", "items": [encode(item) for item in value]}
    if isinstance(value, FigureSummary):
        return {"type": "figure", "summary": dict(value)}
    if isinstance(value, dict):
        return {"type": "mapping", "items": {key: encode(item) for key, item in value.items()}}
    if isinstance(value, Unsupported):
        return {"type": "unsupported", "type_name": value.type_name, **({"name": value.name} if value.name else {})}
    if isinstance(value, TooLarge):
        return {"type": "too_large", "type_name": value.type_name, "shape": list(value.shape)}
    if isinstance(value, np.ndarray):
        if value.size > MAX_ENCODED_CELLS:
            return {"type": "too_large", "type_name": "ndarray", "shape": list(value.shape)}
        flat = _encode_values(pd.Series(value.reshape(-1)))
        return {"type": "array", "shape": list(value.shape), "values": flat}
    if isinstance(value, pd.Series):
        if value.size > MAX_ENCODED_CELLS:
            return {"type": "too_large", "type_name": "Series", "shape": [value.size]}
        return {
            "type": "series",
            "name": _encode_label(value.name),
            "index": _encode_index(value.index),
            "values": _encode_values(value),
        }
    if isinstance(value, pd.DataFrame):
        if value.size > MAX_ENCODED_CELLS:
            return {"type": "too_large", "type_name": "DataFrame", "shape": list(value.shape)}
        return {
            "type": "frame",
            "columns": [_encode_label(column) for column in value.columns],
            "index": _encode_index(value.index),
            "data": [_encode_values(value.iloc[:, position]) for position in range(value.shape[1])],
        }
    raise TypeError(f"cannot encode a {type(value).__name__}")


def decode(encoded: dict) -> Any:
    """The plain value an :func:`encode` dict stands for."""
    kind = encoded["type"]
    if kind == "missing":
        return MISSING
    if kind == "placeholder":
        return Ellipsis
    if kind == "none":
        return None
    if kind in ("bool", "int", "text"):
        return encoded["value"]
    if kind == "float":
        return _decode_float(encoded["value"])
    if kind == "list":
        return [decode(item) for item in encoded["items"]]
    if kind == "mapping":
        return {key: decode(item) for key, item in encoded["items"].items()}
    if kind == "figure":
        return FigureSummary(encoded["summary"])
    if kind == "unsupported":
        name = encoded.get("name", "")
        return Unsupported(encoded["type_name"], name if isinstance(name, str) else "")
    if kind == "too_large":
        return TooLarge(encoded["type_name"], tuple(encoded["shape"]))
    if kind == "array":
        return _decode_values(encoded["values"]).to_numpy().reshape(encoded["shape"])
    if kind == "series":
        values = _decode_values(encoded["values"])
        values.index = _decode_index(encoded["index"])
        values.name = _decode_label(encoded["name"])
        return values
    if kind == "frame":
        columns = [_decode_values(column) for column in encoded["data"]]
        frame = pd.concat(columns, axis=1) if columns else pd.DataFrame()
        frame.columns = [_decode_label(label) for label in encoded["columns"]]
        frame.index = _decode_index(encoded["index"]) if columns else frame.index
        return frame
    raise ValueError(f"unknown encoded answer type '{kind}'")


def _encode_float(number: float) -> float | str:
    # JSON has no NaN or infinity; strings keep them apart from None.
    return number if math.isfinite(number) else repr(number)


def _decode_float(number: float | str) -> float:
    return float(number)


def _encode_label(label: Any) -> Any:
    label = to_plain(label)
    if isinstance(label, float):
        return {"float": _encode_float(label)}
    if isinstance(label, (str, int, bool)) or label is None:
        return label
    if isinstance(label, list):  # MultiIndex column labels arrive as tuples
        return {"tuple": [_encode_label(part) for part in label]}
    return str(label)


def _decode_label(label: Any) -> Any:
    if isinstance(label, dict):
        if "float" in label:
            return _decode_float(label["float"])
        return tuple(_decode_label(part) for part in label["tuple"])
    return label


def _encode_index(index: pd.Index) -> dict:
    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": _encode_label(index.name)}
    if isinstance(index, pd.MultiIndex):
        return {
            "levels": [_encode_values(index.get_level_values(level).to_series()) for level in range(index.nlevels)],
            "names": [_encode_label(name) for name in index.names],
        }
    return {"levels": [_encode_values(index.to_series())], "names": [_encode_label(index.name)]}


def _decode_index(encoded: dict) -> pd.Index:
    if "range" in encoded:
        return pd.RangeIndex(*encoded["range"], name=_decode_label(encoded["name"]))
    levels = [pd.Index(_decode_values(level)) for level in encoded["levels"]]
    names = [_decode_label(name) for name in encoded["names"]]
    if len(levels) == 1:
        return levels[0].rename(names[0])
    return pd.MultiIndex.from_arrays(levels, names=names)


def _encode_values(values: pd.Series) -> dict:
    dtype = values.dtype
    missing = values.isna().to_numpy()
    if isinstance(dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().tolist()
        return {
            "kind": "category",
            "categories": _encode_values(pd.Series(dtype.categories)),
            "ordered": bool(dtype.ordered),
            "codes": codes,
        }
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        tz = str(dtype.tz) if isinstance(dtype, pd.DatetimeTZDtype) else None
        naive = values.dt.tz_convert("UTC").dt.tz_localize(None) if tz else values
        stamps = naive.astype("datetime64[ns]").to_numpy().astype("int64").tolist()
        return {
            "kind": "datetime",
            "tz": tz,
            "unit": values.dt.unit,
            "ns": [None if gap else stamp for stamp, gap in zip(stamps, missing)],
        }
    if pd.api.types.is_timedelta64_dtype(dtype):
        spans = values.astype("timedelta64[ns]").to_numpy().astype("int64").tolist()
        return {"kind": "timedelta", "unit": values.dt.unit, "ns": [None if gap else span for span, gap in zip(spans, missing)]}
    if pd.api.types.is_bool_dtype(dtype) and not missing.any():
        return {"kind": "bool", "dtype": str(dtype), "values": values.astype(bool).tolist()}
    if pd.api.types.is_integer_dtype(dtype):
        numbers_ = values.astype("Int64").tolist()
        return {"kind": "int", "dtype": str(dtype), "values": [None if gap else int(n) for n, gap in zip(numbers_, missing)]}
    if pd.api.types.is_float_dtype(dtype):
        floats = values.astype("float64").to_numpy().tolist()
        return {"kind": "float", "dtype": str(dtype), "values": [_encode_float(f) for f in floats]}
    items = []
    for item, gap in zip(values.tolist(), missing):
        if gap:
            items.append(None)
        else:
            item = to_plain(item)
            items.append(_encode_float(item) if isinstance(item, float) else item if isinstance(item, (str, int, bool)) else str(item))
    return {"kind": "object", "dtype": str(dtype), "values": items}


def _decode_values(encoded: dict) -> pd.Series:
    kind = encoded["kind"]
    if kind == "category":
        categories = _decode_values(encoded["categories"])
        codes = np.asarray(encoded["codes"], dtype="int64")
        return pd.Series(pd.Categorical.from_codes(codes, categories=categories, ordered=encoded["ordered"]))
    if kind == "datetime":
        stamps = pd.Series(pd.to_datetime(encoded["ns"], unit="ns")).dt.as_unit(encoded["unit"])
        return stamps.dt.tz_localize("UTC").dt.tz_convert(encoded["tz"]) if encoded["tz"] else stamps
    if kind == "timedelta":
        return pd.Series(pd.to_timedelta(encoded["ns"], unit="ns")).dt.as_unit(encoded["unit"])
    if kind == "bool":
        return pd.Series(encoded["values"], dtype=encoded["dtype"])
    if kind == "int":
        values = encoded["values"]
        dtype = encoded["dtype"] if None not in values else "Int64"
        return pd.Series(values, dtype=dtype)
    if kind == "float":
        return pd.Series([_decode_float(value) for value in encoded["values"]], dtype=encoded["dtype"])
    values = pd.Series(encoded["values"], dtype=object)
    try:
        return values.astype(encoded["dtype"])
    except (TypeError, ValueError):
        return values
