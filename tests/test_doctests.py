"""Every example in snnlab's docstrings runs and prints what it shows (doctest, module by module)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import snnlab

MODULES = sorted(info.name for info in pkgutil.walk_packages(snnlab.__path__, "snnlab.")
                 if not info.name.endswith("__main__"))


def test_the_package_has_docstring_examples():
    total = sum(doctest.DocTestFinder().find(importlib.import_module(name)).__len__() for name in MODULES)
    with_examples = [name for name in MODULES
                     if any(t.examples for t in doctest.DocTestFinder().find(importlib.import_module(name)))]
    assert total > 0 and len(with_examples) >= 5, with_examples


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run_as_shown(name):
    module = importlib.import_module(name)
    results = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False,
                              report=True)
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples in {name} failed (see above)"
