"""Floating-point math that differs in its last bits, as it does from one machine to the next.

``exp``, ``log``, ``sin`` or ``pow`` are not correctly rounded: numpy's AVX-512 kernels, another
libm (arm64, macOS) or a compiler that fuses a multiply and an add give results a unit or two in
the last place (ULP) apart. This module stands in for such a machine without needing one: inside
:func:`perturbed`, every inexact numpy function the plant may call, scipy's ``lfilter`` and the
random Generator's continuous draws return their usual result moved by a few ULP.

Run as a script it generates a plant under the perturbation (``tests/test_determinism.py`` does
this in a subprocess, with other BLAS and SIMD settings in the environment)::

    python tests/perturbed_math.py OUT --ulps 2 --pattern alternate
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import numpy as np
import scipy.signal

# Inexact numpy functions: results are not guaranteed to be correctly rounded (sqrt is, but a
# machine may still compute it through a fused or approximate path, so it is nudged too).
NUMPY_FUNCTIONS = (
    "exp", "expm1", "exp2", "log", "log1p", "log2", "log10",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh",
    "power", "float_power", "hypot", "sqrt", "cbrt", "interp",
)
SCIPY_SIGNAL_FUNCTIONS = ("lfilter",)
# Generator draws that pass through libm (log, exp, pow) or a multiply-add on their way out.
GENERATOR_METHODS = (
    "normal", "standard_normal", "lognormal", "gamma", "standard_gamma", "exponential",
    "standard_exponential", "uniform", "beta", "weibull", "triangular",
)
PATTERNS = ("up", "down", "alternate")


def nudge(values, ulps: int, pattern: str = "up"):
    """``values`` moved by ``ulps`` units in the last place (``alternate``: up, down, up, ...).

    Zeros stay zero: every machine computes pow(0, x), sin(0) or a filter's silent start exactly.
    """
    if isinstance(values, tuple):
        return tuple(nudge(v, ulps, pattern) for v in values)
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.floating):
        return values
    up = np.full(array.shape, pattern != "down")
    if pattern == "alternate" and array.ndim:
        up.reshape(-1)[1::2] = False
    out = array
    for _ in range(ulps):
        moved = np.where(up, np.nextafter(out, np.inf), np.nextafter(out, -np.inf))
        out = np.where(array == 0, array, moved).astype(array.dtype)
    if np.ndim(values) == 0:
        return out.dtype.type(out)
    return out


def _nudged(function, ulps: int, pattern: str):
    def wrapper(*args, **kwargs):
        return nudge(function(*args, **kwargs), ulps, pattern)

    wrapper.__name__ = getattr(function, "__name__", "nudged")
    wrapper.__wrapped__ = function
    return wrapper


def _generator_class(ulps: int, pattern: str) -> type:
    methods = {name: _nudged(getattr(np.random.Generator, name), ulps, pattern) for name in GENERATOR_METHODS}
    return type("NudgedGenerator", (np.random.Generator,), methods)


@contextlib.contextmanager
def perturbed(ulps: int = 1, pattern: str = "up"):
    """Inside this block the plant's floating-point math answers ``ulps`` ULP off."""
    if ulps < 1 or pattern not in PATTERNS:
        raise ValueError(f"ulps must be 1 or more and pattern one of {PATTERNS}")
    saved = [(np, name, getattr(np, name)) for name in NUMPY_FUNCTIONS]
    saved += [(scipy.signal, name, getattr(scipy.signal, name)) for name in SCIPY_SIGNAL_FUNCTIONS]
    saved.append((np.random, "default_rng", np.random.default_rng))
    nudged_generator = _generator_class(ulps, pattern)
    original_default_rng = np.random.default_rng

    def default_rng(seed=None):
        return nudged_generator(original_default_rng(seed).bit_generator)

    try:
        for owner, name, function in saved[:-1]:
            setattr(owner, name, _nudged(function, ulps, pattern))
        np.random.default_rng = default_rng
        yield
    finally:
        for owner, name, function in saved:
            setattr(owner, name, function)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the plant with last-bit-perturbed math.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--ulps", type=int, default=1)
    parser.add_argument("--pattern", choices=PATTERNS, default="up")
    parser.add_argument("--scenario", type=Path,
                        default=Path(__file__).resolve().parents[1] / "datasets" / "plant" / "scenario.yml")
    parser.add_argument("--fleet", action="store_true",
                        help="generate the fleet from --scenario (a fleet scenario), in this process")
    args = parser.parse_args(argv)
    from plantsim.fleet import generate_fleet
    from plantsim.simulate import generate

    with perturbed(args.ulps, args.pattern):
        if args.fleet:
            generate_fleet(args.scenario, args.out, jobs=1)  # one process: the perturbation reaches every site
        else:
            generate(args.scenario, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
