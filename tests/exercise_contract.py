"""The contract every exercise check keeps (snnlab.exercises._core), tested once for all of them.

Each ``tests/test_exercises_<module>.py`` names its module, its reference solutions and its table
of plausible wrong solutions, and gets these tests for every exercise of that module; it keeps
only what is its own (the solutions and the table, the wrong types and shapes its checks name, its
references against snnlab)::

    from exercise_contract import ExerciseContract
    from snnlab.exercises import scaling as check

    REFERENCE = {"spikes_identical": spikes_identical, ...}  # the notebook's order
    WRONG = {"spikes_identical": {"counts only": (identical_counts, r"case one spike of b a step later"), ...},
             ...}

    class TestEveryExercise(ExerciseContract):
        checks = check
        reference = REFERENCE
        wrong = WRONG

The contract: the reference solution passes; a stub (the student edition's
``raise NotImplementedError(...)``, a body that returns nothing or ``...``, a name left ``None``
or ``...``) is "not done yet", never a failure; code that raises is failed with the student's own
error (and the case, where the check has cases); an endless loop is stopped by the budget; a value
where a function belongs is explained; and the grader (:func:`grade_namespace`) finds every
exercise, in order, and names the one that is missing. And every exercise has at least three
plausible wrong solutions, each failed with a message that matches what the module's table says
(the failing case, what differs, the hint). Test ids name the exercise and the variant:
``TestEveryExercise::test_a_stub_is_not_done_yet[lif_step-returns-None]``,
``TestEveryExercise::test_a_wrong_solution_is_failed_naming_the_case[lif_step-R forgotten]``.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

from snnlab.exercises import BUDGET, MODULES, REGISTRY, exercises, grade_namespace


def _raises_not_implemented(*args, **kwargs):
    raise NotImplementedError("Student exercise: complete it")  # the student edition's stub


def _body_pass(*args, **kwargs):
    pass  # returns None


def _returns_ellipsis(*args, **kwargs):
    return ...


#: Unfinished work, by test id: (the student's value, what the "not done yet" message says).
STUBS = {
    "raises-NotImplementedError": (_raises_not_implemented, "it still raises NotImplementedError"),
    "returns-None": (_body_pass, "returned None"),
    "returns-Ellipsis": (_returns_ellipsis, "returned Ellipsis"),
    "None": (None, "the name is still None or ..."),
    "Ellipsis": (..., "the name is still None or ..."),
}


def _divides_by_zero(*args, **kwargs):
    return 1 / 0


def _reads_a_missing_key(*args, **kwargs):
    return {}["E"]


def _raises_value_error(*args, **kwargs):
    raise ValueError("oops")


#: Broken code, by test id: (the student's function, the error the verdict must quote).
ERRORS = {
    "ZeroDivisionError": (_divides_by_zero, "raised ZeroDivisionError: division by zero"),
    "KeyError": (_reads_a_missing_key, "raised KeyError: 'E'"),
    "ValueError": (_raises_value_error, "raised ValueError: oops"),
}


def _endless(*args, **kwargs):
    while True:
        pass


#: Values given where the function belongs (the student called it, or passed its result).
NOT_FUNCTIONS = {"a-number": 42, "an-array": np.zeros(3)}


def by_exercise(wrong: list[tuple[str, Callable, str]]) -> dict[str, dict[str, tuple[Callable, str]]]:
    """A list of (exercise, wrong solution, pattern) as :attr:`ExerciseContract.wrong`, each
    mistake named by its function."""
    out: dict[str, dict[str, tuple[Callable, str]]] = {}
    for name, function, pattern in wrong:
        table = out.setdefault(name, {})
        if function.__name__ in table:  # a second one would silently replace the first
            raise ValueError(f"by_exercise: two wrong solutions of {name} are named {function.__name__}")
        table[function.__name__] = (function, pattern)
    return out


class ExerciseContract:
    """The contract tests, for every exercise of ``checks``; a test module subclasses this as
    ``TestEveryExercise`` and sets the class attributes below."""

    #: The exercise module, ``snnlab.exercises.<module>``.
    checks: ModuleType
    #: The reference solution of every exercise of the module, by name, in the notebook's order.
    reference: dict[str, Callable]
    #: Plausible wrong solutions, by exercise: {mistake: (the student's function, a regular
    #: expression the verdict's message must match)}.
    wrong: dict[str, dict[str, tuple[Callable, str]]]
    #: A word every passing verdict of this module says, or "" for none.
    passed_says: str = ""

    def pytest_generate_tests(self, metafunc):
        if "mistake" in metafunc.fixturenames:
            cases = [(name, mistake) for name, table in self.wrong.items() for mistake in table]
            metafunc.parametrize(("name", "mistake"), cases, ids=[f"{name}-{mistake}" for name, mistake in cases])
        elif "name" in metafunc.fixturenames:
            metafunc.parametrize("name", list(self.reference))

    def verdict(self, name, value):
        return getattr(self.checks, name)(value, quiet=True)

    def test_the_reference_solution_passes(self, name):
        verdict = self.verdict(name, self.reference[name])
        assert verdict.passed, verdict.line()
        assert verdict.line().startswith(f"✓ {name}: ")
        if self.passed_says:
            assert self.passed_says in verdict.message, verdict.message

    @pytest.mark.parametrize("stub", STUBS)
    def test_a_stub_is_not_done_yet(self, name, stub):
        value, says = STUBS[stub]
        verdict = self.verdict(name, value)
        assert verdict.status == "not done", verdict.line()
        assert verdict.line().startswith(f"… {name}: not done yet")
        assert says in verdict.message

    @pytest.mark.parametrize("error", ERRORS)
    def test_code_that_raises_is_failed_with_the_students_error(self, name, error):
        broken, says = ERRORS[error]
        verdict = self.verdict(name, broken)
        assert verdict.status == "failed", verdict.line()
        assert verdict.line().startswith(f"✗ {name}: ")
        # a function without arguments is called once, on no case; every other check names its case
        has_cases = bool(inspect.signature(self.reference[name]).parameters)
        expected = f"{says} on case " if has_cases else says
        assert expected in verdict.message, verdict.message

    def test_an_endless_loop_is_interrupted(self, name):
        start = time.perf_counter()
        verdict = self.verdict(name, _endless)
        assert time.perf_counter() - start < 10.0  # interrupted: an endless loop never returns
        assert verdict.status == "failed"
        assert verdict.line().startswith(f"✗ {name}: ")
        assert f"ran out of its {BUDGET:g} s" in verdict.message

    @pytest.mark.parametrize("value", NOT_FUNCTIONS)
    def test_a_value_instead_of_a_function_is_explained(self, name, value):
        verdict = self.verdict(name, NOT_FUNCTIONS[value])
        assert verdict.status == "failed"
        assert "expected a function" in verdict.message and "no parentheses" in verdict.message, verdict.message

    def test_the_notebook_lists_its_exercises_in_order(self):
        notebook = self.checks.NOTEBOOK
        assert MODULES[notebook] == self.checks.__name__.rpartition(".")[2]
        assert [ex.name for ex in exercises(notebook)] == list(self.reference)
        assert all(ex.targets == (ex.name,) for ex in exercises(notebook))

    def test_the_grader_calls_the_module_s_own_check(self, name):
        """What a grader runs is the check the notebook calls (which prepares its references first)."""
        assert REGISTRY[(self.checks.NOTEBOOK, name)].check is getattr(self.checks, name)

    def test_grading_the_notebook_passes_every_reference_solution(self):
        verdicts = grade_namespace(self.checks.NOTEBOOK, dict(self.reference))
        assert [v.exercise for v in verdicts] == list(self.reference)
        assert all(v.passed for v in verdicts), [v.line() for v in verdicts if not v.passed]

    def test_grading_names_a_missing_function(self, name):
        others = {other: solution for other, solution in self.reference.items() if other != name}
        verdicts = {v.exercise: v for v in grade_namespace(self.checks.NOTEBOOK, others)}
        assert verdicts[name].status == "failed"
        assert f"not found in the notebook: {name}" in verdicts[name].message
        assert all(verdicts[other].passed for other in others), [v.line() for v in verdicts.values()]

    def test_a_wrong_solution_is_failed_naming_the_case(self, name, mistake):
        student, pattern = self.wrong[name][mistake]
        verdict = self.verdict(name, student)
        assert verdict.status == "failed", verdict.line()
        assert verdict.line().startswith(f"✗ {name}: ")
        assert re.search(pattern, verdict.message), verdict.message

    def test_every_exercise_has_three_wrong_solutions(self, name):
        assert len(self.wrong.get(name, {})) >= 3
