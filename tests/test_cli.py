"""The academy command: subcommands come from the modules that do the work."""
from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

from academy import cli

REPO = Path(__file__).resolve().parents[1]
TEST_COURSE = Path(__file__).parent / "modules"


def test_the_course_commands_are_registered():
    subcommands = cli.make_parser()._subparsers._group_actions[0].choices
    assert {"build", "validate", "readme-table"} <= set(subcommands)


def test_another_module_registers_its_command_with_one_function(monkeypatch, capsys):
    tool = types.ModuleType("academy_fake_tool")

    def register(subparsers):
        parser = subparsers.add_parser("greet", help="say hello")
        parser.add_argument("--name", default="shift")
        parser.set_defaults(run=lambda args: print(f"hello {args.name}") or 3)

    tool.register = register
    monkeypatch.setitem(sys.modules, "academy_fake_tool", tool)
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "academy_fake_tool"))
    assert cli.main(["greet", "--name", "L1"]) == 3
    assert capsys.readouterr().out == "hello L1\n"


def test_tools_not_written_yet_are_skipped_but_broken_ones_are_not(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("academy.build", "academy.not_written_yet"))
    assert set(cli.make_parser()._subparsers._group_actions[0].choices) == {"build"}

    (tmp_path / "academy_broken_tool.py").write_text("import a_dependency_nobody_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("academy_broken_tool",))
    with pytest.raises(ModuleNotFoundError, match="a_dependency_nobody_installed"):
        cli.make_parser()


def test_the_command_runs_as_a_program():
    result = subprocess.run(
        [sys.executable, "-m", "academy.cli", "validate", "--root", str(TEST_COURSE)],
        capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO / "src"), "PATH": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "course.yml is sound: 2 modules, 14 points." in result.stdout
