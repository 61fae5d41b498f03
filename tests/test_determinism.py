"""The plant is the same, byte for byte, on every machine.

A second machine is not needed to show it: the generation below runs with every inexact math
function the simulator uses answering one or two ULP off (tests/perturbed_math.py), with numpy's
SIMD kernels cut down to the x86-64 baseline, with another OpenBLAS kernel and one BLAS thread,
and must still write exactly the files that datasets/plant/SHA256SUMS records. The fast tests
keep that proof honest: the perturbation really reaches each kind of math, and the plant's code
reaches math only through functions the perturbation covers.
"""
from __future__ import annotations

import ast
import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.signal

import perturbed_math
from plantsim import resolution
from plantsim.writer import checksum_lines

ROOT = Path(__file__).resolve().parents[1]
PLANT_SOURCES = sorted((ROOT / "src" / "plantsim").glob("*.py"))
RECORDED = ROOT / "datasets" / "plant" / "SHA256SUMS"

# numpy attributes the plant may use without perturbation: exact operations (IEEE arithmetic,
# comparisons, rounding), reductions whose order numpy fixes, and functions that are not math.
EXACT_NUMPY = {
    "abs", "all", "any", "arange", "argmax", "argmin", "argsort", "array", "asarray", "bincount", "ceil",
    "clip", "concatenate", "cumsum", "diff", "dtype", "empty", "empty_like", "flatnonzero", "float32",
    "float64", "floor", "full", "iinfo", "int8", "int32", "int64", "isfinite", "isin", "isnan", "maximum",
    "mean", "median", "minimum", "nan", "nanmedian", "nanquantile", "ndarray", "nextafter", "ones", "pi",
    "quantile", "random", "repeat", "round", "searchsorted", "select", "sort", "square", "stack", "sum",
    "unique", "where", "zeros", "add", "inf", "datetime64", "timedelta64", "uint64", "bool_", "issubdtype",
    "floating", "integer", "count_nonzero", "nonzero", "lexsort", "isclose", "sign", "cumprod", "prod",
    "max", "min", "std", "var", "percentile", "histogram", "digitize", "linspace", "atleast_1d", "tile",
    "roll", "split", "array_split", "allclose", "array_equal", "errstate", "broadcast_to", "full_like",
    "zeros_like", "ones_like", "rint", "trunc", "fmod", "mod", "floor_divide", "true_divide", "divide",
    "multiply", "subtract", "negative", "insert", "nan_to_num", "radians", "logical_and", "logical_or", "logical_not", "greater", "less",
}
# Generator methods that are exact (integer draws, or a single multiply of the raw bits).
EXACT_GENERATOR = {"integers", "random", "choice", "permutation", "shuffle", "permuted", "bytes", "spawn"}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _plant_math_problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    generator_methods = set(dir(np.random.Generator))
    problems = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import) and any(alias.name == "math" for alias in node.names):
            problems.append(f"{where} imports math: use numpy, whose functions the perturbation covers")
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("math", "numpy", "scipy"):
            problems.append(f"{where} imports names from {node.module}: import the module and call it by "
                            "its dotted name, so the perturbation test can replace it")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            if not (isinstance(node.left, ast.Constant) and type(node.left.value) is int):
                problems.append(f"{where} uses ** on a float: write np.power (or a product), which the "
                                "perturbation test covers; ** is kept for integer constants such as 10**9")
        if isinstance(node, ast.Call):
            name = _dotted(node.func) or ""
            if name.startswith("np.") and name.count(".") == 1:
                function = name[3:]
                if function not in perturbed_math.NUMPY_FUNCTIONS and function not in EXACT_NUMPY:
                    problems.append(f"{where} calls {name}: add it to perturbed_math.NUMPY_FUNCTIONS if it is "
                                    "inexact, or to EXACT_NUMPY here if it is exact")
            elif name.startswith("scipy."):
                if name.rsplit(".", 1)[-1] not in perturbed_math.SCIPY_SIGNAL_FUNCTIONS:
                    problems.append(f"{where} calls {name}, which the perturbation test does not cover")
            elif isinstance(node.func, ast.Attribute) and node.func.attr in generator_methods \
                    and "rng" in (_dotted(node.func.value) or ""):
                method = node.func.attr
                if method not in perturbed_math.GENERATOR_METHODS and method not in EXACT_GENERATOR:
                    problems.append(f"{where} draws rng.{method}: add it to perturbed_math.GENERATOR_METHODS")
    return problems


def test_plant_code_reaches_math_only_through_functions_the_perturbation_covers():
    problems = [p for path in PLANT_SOURCES for p in _plant_math_problems(path)]
    assert not problems, "\n".join(problems)


def test_the_math_check_finds_what_it_forbids(tmp_path):
    offender = tmp_path / "offender.py"
    offender.write_text("import math\nfrom numpy import exp\nimport numpy as np\n"
                        "def f(x, rng):\n    return x ** 1.5 + np.arcsinh(x) + rng.poisson(3) + 10 ** 9\n")
    problems = _plant_math_problems(offender)
    assert len(problems) == 5, problems
    assert any("imports math" in p for p in problems) and any("** on a float" in p for p in problems)
    assert any("np.arcsinh" in p for p in problems) and any("rng.poisson" in p for p in problems)


def test_the_perturbation_reaches_every_kind_of_math_it_claims():
    positive = np.array([0.3, 0.7, 1.9])
    with perturbed_math.perturbed(1, "up"):
        for name in perturbed_math.NUMPY_FUNCTIONS:
            function = getattr(np, name)
            args = {"arctan2": (positive, positive[::-1]), "power": (positive, 1.7), "float_power": (positive, 1.7),
                    "hypot": (positive, positive[::-1]), "interp": (positive, [0.0, 2.0], [1.0, 3.0]),
                    "arcsin": (positive / 2,), "arccos": (positive / 2,)}.get(name, (positive,))
            assert np.all(function(*args) > function.__wrapped__(*args)), name
        filtered = scipy.signal.lfilter([0.5], [1.0, -0.5], positive)
        assert np.all(filtered > scipy.signal.lfilter.__wrapped__([0.5], [1.0, -0.5], positive))
        rng, plain = np.random.default_rng([1, 2]), np.random.Generator(np.random.PCG64([1, 2]))
        for method in ("normal", "gamma", "lognormal", "exponential", "uniform"):
            args = (1.0, 5) if method in ("gamma", "exponential") else (0.0, 1.0, 5)
            assert np.all(getattr(rng, method)(*args) != getattr(plain, method)(*args)), method
        assert np.all(rng.integers(0, 100, 5) == plain.integers(0, 100, 5))  # exact draws stay exact
    assert np.exp(1.0) == math.exp(1.0) and type(np.random.default_rng(1)) is np.random.Generator


def test_nudging_moves_by_whole_ulps_in_the_pattern_asked():
    ones = np.ones(4)
    step = np.spacing(1.0)
    assert list(perturbed_math.nudge(ones, 2, "alternate") - 1.0) == [2 * step, -step, 2 * step, -step]
    assert perturbed_math.nudge(np.float64(1.0), 1, "down") == np.nextafter(1.0, 0.0)
    assert perturbed_math.nudge(np.arange(3), 1) is not None and perturbed_math.nudge(np.arange(3), 1).dtype.kind == "i"


def test_every_stored_float_column_has_a_declared_resolution():
    import pandas as pd

    with pytest.raises(resolution.UndeclaredColumn, match="no declared resolution"):
        resolution.on_grid(pd.DataFrame({"mystery_kw": [1.23456]}), "telemetry")
    frame = pd.DataFrame({"power_kw": [1.23456, 2.0], "asset_id": ["a", "b"]})
    once = resolution.on_grid(frame, "telemetry")
    assert once["power_kw"].dtype == np.float32 and list(once["power_kw"]) == [np.float32(1.23), np.float32(2.0)]
    assert resolution.on_grid(once, "telemetry")["power_kw"].equals(once["power_kw"])  # idempotent
    assert frame["power_kw"].iloc[0] == 1.23456  # the caller's frame is left as it was


def _dispatched_features() -> list[str]:
    """numpy's SIMD targets above the baseline that this CPU has (disabling them all leaves the baseline)."""
    from numpy._core import _multiarray_umath as umath

    return [target for target in umath.__cpu_dispatch__ if umath.__cpu_features__.get(target)]


def _other_blas_kernel() -> str:
    if platform.machine().lower() in ("arm64", "aarch64"):
        return "ARMV8"
    import threadpoolctl

    current = next((info.get("architecture") for info in threadpoolctl.threadpool_info()
                    if info.get("internal_api") == "openblas"), "")
    return "Sandybridge" if current == "Haswell" else "Haswell"


CONDITIONS = {
    "one ULP up, baseline SIMD, another BLAS kernel, one thread": dict(
        ulps=1, pattern="up", env=lambda: {"NPY_DISABLE_CPU_FEATURES": " ".join(_dispatched_features()),
                                           "OPENBLAS_CORETYPE": _other_blas_kernel(), "OPENBLAS_NUM_THREADS": "1"}),
    "two ULP alternating, this machine's SIMD": dict(ulps=2, pattern="alternate", env=lambda: {}),
}


@pytest.mark.slow
@pytest.mark.parametrize("condition", list(CONDITIONS))
def test_plant_bytes_do_not_depend_on_the_last_bits_of_math(condition, tmp_path):
    setting = CONDITIONS[condition]
    env = {**os.environ, **setting["env"](), "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT / "src")])}
    out = tmp_path / "tables"
    probe = ("import json, numpy, threadpoolctl; from numpy._core import _multiarray_umath as u; "
             "print(json.dumps({'simd': [t for t in u.__cpu_dispatch__ if u.__cpu_features__.get(t)], "
             "'blas': [i.get('architecture') for i in threadpoolctl.threadpool_info()]}))")
    seen = json.loads(subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True,
                                     text=True).stdout)
    if "NPY_DISABLE_CPU_FEATURES" in setting["env"]():
        assert seen["simd"] == [], f"numpy still dispatched to {seen['simd']}"
        assert setting["env"]()["OPENBLAS_CORETYPE"] in seen["blas"], f"OpenBLAS ran {seen['blas']}"
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "perturbed_math.py"), str(out),
                          "--ulps", str(setting["ulps"]), "--pattern", setting["pattern"]],
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    recorded = RECORDED.read_text().splitlines()
    changed = sorted({line.split()[-1] for line in set(checksum_lines(out)) ^ set(recorded)})
    assert not changed, (f"Under '{condition}' the plant differs from SHA256SUMS in {changed}: a stored value or "
                         "an event hangs on the last bits of floating-point math (see plantsim/resolution.py)")
