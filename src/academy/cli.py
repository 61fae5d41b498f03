"""The ``academy`` command: a thin layer over the package's Python functions.

Each command lives in the module that does the work, which adds its subcommand(s) with one
function, ``register(subparsers)``: it calls ``subparsers.add_parser(...)`` and sets
``run=<function(args) -> exit code>`` as the parser's default. :data:`COMMAND_MODULES` lists those
modules; one that does not exist yet (a tool still being written), or that has no ``register``,
is skipped, while an error inside an existing one is reported as usual.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = (
    "academy.build",  # build
    "academy.course",  # validate, readme-table
    "academy.new_module",  # new-module
    "academy.release",  # release tooling
    "academy.grade",  # grading
    "academy.progress",  # progress reports
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="academy", description="Smart Factory Academy course tools.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        register = getattr(module, "register", None)
        if register is not None:  # a library-only module (no commands) is fine too
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
