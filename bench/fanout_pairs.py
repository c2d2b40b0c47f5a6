"""The fan-out bench's figures over pairs of runs: an engine run and a bare asyncssh run back to back, in alternating
order, each pair's ratio taken within the pair; the figure is the median of those ratios, with their interquartile range.

On two shared cores the load moves by the minute: a median of engine runs over a median of bare runs taken in other
minutes (the bench before session 36) compares two loads as much as two programs; within a pair both meet the same one.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def order(pair: int) -> tuple[str, str]:
    """Which variant runs first in pair number `pair` (from 0): the engine in even pairs, bare asyncssh in odd ones, so
    neither always meets the other's leftovers (sshd still reaping, caches warm)."""
    return ("engine", "asyncssh") if pair % 2 == 0 else ("asyncssh", "engine")


@dataclass(frozen=True)
class Spread:
    """A median and the interquartile range around it."""

    median: float
    low: float  # first quartile
    high: float  # third quartile

    def words(self) -> str:
        return f"{self.median:.2f}x (IQR {self.low:.2f}-{self.high:.2f})"


def spread(values: Sequence[float]) -> Spread:
    """The median and quartiles of `values` (inclusive quartiles: one value is its own range)."""
    if len(values) < 2:
        return Spread(values[0], values[0], values[0])
    low, mid, high = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(mid, low, high)


def pair_ratios(engine: Sequence[float], bare: Sequence[float]) -> list[float]:
    """Each pair's engine figure over its bare figure (the lists hold the pairs in order, one entry each)."""
    if len(engine) != len(bare):
        raise ValueError(f"{len(engine)} engine runs but {len(bare)} bare runs: not pairs")
    return [e / b for e, b in zip(engine, bare, strict=True)]
