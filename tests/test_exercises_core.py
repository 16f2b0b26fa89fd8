"""The machinery every check shares (snnlab.exercises._core): one line per verdict, stubs are
"not done yet", the student's errors, endless loops and wrong shapes get a message, never a
traceback, and grade_namespace runs every check of a notebook on a notebook's names."""

from __future__ import annotations

import signal
import time

import numpy as np
import pytest

from snnlab import exercises
from snnlab.exercises import _core
from snnlab.exercises._core import BUDGET, REGISTRY, RESULTS, Failure, array, call, close, exercise, number

NB = "99_core_test"


@pytest.fixture
def checks():
    """Two checks of a notebook of their own, removed from the registry afterwards."""

    @exercise(NB, "double", targets="double", title="twice x")
    def double(f):
        for x in (0.0, 1.5, -2.0):
            got = number(call(f, x, what="double(x)", case=f"x = {x}"), what="double(x)", case=f"x = {x}")
            close(got, 2 * x, what="double(x)", case=f"x = {x}", hint="multiply by two", unit="mV")
        return "3 cases agree (zero, positive, negative)"

    @exercise(NB, "pair", targets=("first", "second"), title="a pair of arrays")
    def pair(first, second):
        a = array(call(first, 3, what="first(n)", case="n = 3"), what="first(n)", shape=(3,), case="n = 3")
        b = array(call(second, 3, what="second(n)", case="n = 3"), what="second(n)", shape=(None, 2), case="n = 3")
        if a.sum() != 3 or len(b) != 3:
            raise Failure("case n = 3: expected three ones and three rows")
        return "shapes and sums agree"

    yield double, pair
    for key in [k for k in _core.REGISTRY if k[0] == NB]:
        del _core.REGISTRY[key]
        _core.RESULTS.pop(key, None)


def test_a_right_answer_prints_one_tick_line_and_is_recorded(checks, capsys):
    double, _ = checks
    verdict = double(lambda x: 2 * x)
    assert capsys.readouterr().out == "✓ double: 3 cases agree (zero, positive, negative)\n"
    assert verdict.passed and verdict.status == "passed"
    assert exercises.verdicts(NB) == [verdict]
    assert double.exercise.targets == ("double",) and double.exercise.title == "twice x"


def test_a_wrong_answer_names_the_case_expected_and_actual_and_a_hint(checks, capsys):
    double, _ = checks
    verdict = double(lambda x: 2 * x + 1)
    assert capsys.readouterr().out == ("✗ double: case x = 0.0: expected double(x) = 0 mV, got 1 mV. "
                                       "Hint: multiply by two\n")
    assert not verdict.passed


@pytest.mark.parametrize("stub", [
    pytest.param(lambda x: (_ for _ in ()).throw(NotImplementedError("Student exercise: complete double")),
                 id="raises NotImplementedError"),
    pytest.param(lambda x: None, id="returns None"),
    pytest.param(lambda x: ..., id="returns ..."),
])
def test_a_stub_is_not_done_yet_never_a_traceback(checks, capsys, stub):
    double, _ = checks
    verdict = double(stub)
    out = capsys.readouterr().out
    assert verdict.status == "not done"
    assert out.startswith("… double: not done yet (") and out.count("\n") == 1
    assert "Traceback" not in out


@pytest.mark.parametrize("value", [None, ...])
def test_a_name_still_none_or_ellipsis_is_not_done_yet(checks, value):
    double, _ = checks
    assert double(value, quiet=True).message == "not done yet (the name is still None or ...)"


def test_the_students_exception_is_named_with_its_case(checks):
    double, _ = checks
    verdict = double(lambda x: 1 / x, quiet=True)
    assert verdict.status == "failed"
    assert verdict.message == "double(x) raised ZeroDivisionError: float division by zero on case x = 0.0"


def test_an_endless_loop_is_interrupted_within_the_budget(checks):
    double, _ = checks

    def forever(x):
        while True:
            pass

    start = time.perf_counter()
    verdict = double(forever, quiet=True)
    assert time.perf_counter() - start < BUDGET + 8.0  # interrupted (an endless loop never returns)
    assert verdict.status == "failed"
    assert verdict.message.startswith(f"the check ran out of its {BUDGET:g} s: does your code loop forever")
    # the alarm is disarmed and the previous handler is back
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


def test_a_students_except_exception_cannot_swallow_the_timeout(checks):
    double, _ = checks

    def stubborn(x):
        while True:
            try:
                while True:
                    pass
            except Exception:
                continue

    verdict = double(stubborn, quiet=True)
    assert verdict.status == "failed" and "ran out of its" in verdict.message


def test_something_not_callable_is_refused_with_what_came(checks):
    double, _ = checks
    verdict = double(4.0, quiet=True)
    assert verdict.message == ("expected a function for double(x), got float 4.0; pass the function itself, "
                               "without calling it (no parentheses)")


def test_a_wrong_type_or_shape_is_named(checks):
    double, pair = checks
    assert double(lambda x: "two", quiet=True).message == "double(x) should be a number, got str 'two' on case x = 0.0"
    assert double(lambda x: np.array([2 * x]), quiet=True).passed  # a one-element array is a number
    ones, rows = (lambda n: np.ones(n)), (lambda n: np.zeros((n, 2)))
    assert pair(ones, rows, quiet=True).passed
    assert pair(lambda n: np.ones(n + 1), rows, quiet=True).message == (
        "first(n) should have shape (3), got shape (4,) on case n = 3")
    assert pair(ones, lambda n: np.zeros((n, 3)), quiet=True).message == (
        "second(n) should have shape (any, 2), got shape (3, 3) on case n = 3")
    assert pair(ones, lambda n: [[1], [2, 3]], quiet=True).message.startswith(
        "second(n) should be an array of numbers, got list [[1], [2, 3]] on case n = 3")


def test_a_check_given_the_wrong_number_of_values_says_how_to_call_it(checks):
    _, pair = checks
    verdict = pair(lambda n: np.ones(n), quiet=True)
    assert verdict.message == ("the check takes 2 value(s), first, second, and was given 1: call it as "
                               "check.pair(first, second)")


def test_a_bug_in_the_check_itself_is_not_blamed_on_the_student(checks):
    @exercise(NB, "buggy", targets="f", title="a check with a bug")
    def buggy(f):
        return {}["missing"]

    verdict = buggy(len, quiet=True)
    assert verdict.status == "failed"
    assert verdict.message.startswith("the check itself stopped with KeyError: 'missing' (at buggy, line ")
    assert verdict.message.endswith("please tell your instructor")


def test_grade_namespace_runs_every_check_of_the_notebook_quietly(checks, capsys):
    namespace = {"double": lambda x: x + x, "first": lambda n: np.ones(n)}
    verdicts = exercises.grade_namespace(NB, namespace)
    assert capsys.readouterr().out == ""
    assert [(v.exercise, v.status) for v in verdicts] == [("double", "passed"), ("pair", "failed")]
    assert verdicts[1].message == ("not found in the notebook: second (was the cell that defines it run, or "
                                   "renamed?)")
    assert [ex.name for ex in exercises.exercises(NB)] == ["double", "pair"]
    assert exercises.grade_namespace("98_no_such_notebook", namespace) == []


@pytest.mark.parametrize("fails", [False, True], ids=["slow", "raises"])
def test_preparation_runs_before_the_budget_starts(fails):
    """Loading (or compiling) the engine can take longer than the budget; it must not be blamed on
    the student's code. A preparation that fails is left to the check to meet and report."""
    calls = []

    def prepare():
        calls.append(1)
        if fails:
            raise RuntimeError("no engine")
        time.sleep(BUDGET + 0.1)

    @exercise("test-01-toy", "toy", targets="toy", title="a check that needs a preparation", prepare=prepare)
    def toy(value):
        return f"got {value}"

    try:
        verdict = toy(1, quiet=True)
        registered = REGISTRY[("test-01-toy", "toy")].check
    finally:
        REGISTRY.pop(("test-01-toy", "toy"), None)
        RESULTS.pop(("test-01-toy", "toy"), None)
    assert verdict.passed and verdict.message == "got 1"
    assert calls == [1] and registered is toy
