"""Shared fixtures: a seeded generator, and a headless matplotlib backend."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    """A seeded numpy Generator, so every random test is reproducible."""
    return np.random.default_rng(20261125)
