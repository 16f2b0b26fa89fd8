"""Random draws remembered with the generator's state before and after them.

A slider panel builds the same network again on every change, with another weight or current:
its synapses and its noise are drawn again from the same seed, to the same numbers. Drawing them
is a large part of a small network's run (a third of it for synapses, over a third for a noise
current), so :class:`Remembered` keeps the last few draws, keyed by what was drawn and the
generator's state before the draw; a hit returns the same arrays (read-only) and moves the
generator to where the draw would have left it, so that everything drawn after it is the same
too. Panels draw in threads of their own: the memory takes a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np


class Remembered:
    """The last ``entries`` draws of at most ``largest`` numbers each, ``total`` in all."""

    def __init__(self, entries: int, largest: int, total: int | None = None):
        self.entries = entries
        self.largest = largest
        self.total = total if total is not None else entries * largest
        self._kept: dict = {}
        self._lock = threading.Lock()

    def draw(self, key: tuple, rng: np.random.Generator, make: Callable) -> tuple:
        """``make(rng)`` (a tuple of arrays), or the arrays it returned for this ``key`` and this
        state of ``rng`` before, with ``rng`` moved on as ``make`` would have moved it."""
        key = (*key, repr(rng.bit_generator.state))
        with self._lock:
            hit = self._kept.pop(key, None)
        if hit is None:
            arrays = make(rng)
            size = sum(array.size for array in arrays)
            if size > self.largest:
                return arrays
            for array in arrays:
                array.flags.writeable = False
            hit = (arrays, rng.bit_generator.state, size)
        else:
            rng.bit_generator.state = hit[1]  # where drawing them would have left it
        with self._lock:
            self._kept[key] = hit
            while len(self._kept) > self.entries or sum(kept[2] for kept in self._kept.values()) > self.total:
                del self._kept[next(iter(self._kept))]  # the oldest first
        return hit[0]

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
