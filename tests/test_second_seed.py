"""Checks compute their answers from the data, so they hold on a plant generated with another seed.

Generates the default scenario with :data:`SECOND_SEED` into a temporary folder (through
``ACADEMY_PLANT_DIR``) and then, for every module of the course:

* every exercise's expected answer is judged correct and each known mistake still caught;
* the solution notebook, executed against that plant, reports "correct" at every check.

Slow: it generates a whole plant and executes every solution notebook.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from academy import data, modules
from academy.build import execute_notebook
from academy.course import load_course
from academy.exercise import Figure, check_results, score
from academy.exercise.figures import draw_expected

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SECOND_SEED = 7
COURSE = load_course(REPO)


@pytest.fixture(scope="module")
def second_plant(tmp_path_factory) -> Path:
    simulate = pytest.importorskip("plantsim.simulate", reason="the plant simulator is not there yet")
    folder = tmp_path_factory.mktemp("second-seed") / "tables"
    simulate.generate(data.scenario_path(), folder, seed=SECOND_SEED)
    return folder


@pytest.fixture
def on_second_plant(second_plant, monkeypatch) -> Path:
    monkeypatch.setenv(data.PLANT_DIR_ENV, str(second_plant))
    return second_plant


def test_the_second_plant_is_another_plant(on_second_plant):
    second = json.loads((on_second_plant / "MANIFEST.json").read_text())
    default = json.loads((REPO / "datasets" / "plant" / "tables" / "MANIFEST.json").read_text())
    assert second["seed"] == SECOND_SEED != default["seed"]
    telemetry = [name for name in second["files"] if name.startswith("clean/telemetry/")]
    assert telemetry and all(second["files"][name] != default["files"].get(name) for name in telemetry)


def as_answer(exercise, value):
    """A computed value as a trainee would hold it: a drawn figure, or a dict for several variables."""
    if isinstance(exercise.kinds[0], Figure):
        return draw_expected(value, exercise.kinds[0])
    return dict(zip(exercise.variables, value)) if len(exercise.variables) > 1 else value


@pytest.mark.parametrize("entry", COURSE.modules, ids=lambda entry: entry.id)
def test_every_exercise_holds_on_the_second_plant(entry, on_second_plant):
    module = modules.load_module(entry.id)
    plant = module.data()
    for exercise in module.exercises:
        assert score(exercise, as_answer(exercise, exercise.expected(plant)), plant).status == "correct", exercise.name
        for mistake in exercise.mistakes:
            verdict = score(exercise, as_answer(exercise, mistake.compute(plant)), plant)
            assert verdict.mistake == mistake.key, f"{exercise.name}: mistake {mistake.key} is not caught on seed {SECOND_SEED}"


@pytest.mark.parametrize("entry", COURSE.modules, ids=lambda entry: entry.id)
def test_every_solution_notebook_checks_correct_on_the_second_plant(entry, on_second_plant):
    path = COURSE.solution_path(entry)
    executed = execute_notebook(
        nbformat.read(path, as_version=4), path.parent, env={data.PLANT_DIR_ENV: str(on_second_plant)}
    )
    results = check_results(executed)
    assert [result["exercise"] for result in results] == list(entry.exercises), "every exercise's check ran once"
    wrong = [f"{r['exercise']}: {r['status']}" for r in results if r["status"] != "correct"]
    assert not wrong, f"on seed {SECOND_SEED}: " + ", ".join(wrong)
