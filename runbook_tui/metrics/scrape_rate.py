"""`rate()` over a scraped counter, from the readings the scrape source keeps of each series, as Prometheus reads it.

A counter that drops was restarted and counts from zero again: Prometheus' `rate()` adds, at each drop, what the
counter had counted before it, so the increase over the window is the sum of each pair of readings' increase, a drop
read as counting from zero. Before, only the window's oldest and newest readings were compared: a restart between
them, after which the counter climbed past its oldest reading, read as almost no increase (a burst of errors hidden by
the restart that came with it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from itertools import pairwise
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)

#: Readings kept per series (a window of 10 minutes polled every second).
KEPT = 600


def increase(readings: Sequence[tuple[float, float]]) -> float:
    """How much a counter counted over `readings` ((time, value), oldest first), each drop a restart from zero."""
    return sum(after - before if after >= before else after for (_, before), (_, after) in pairwise(readings))


def series_rates(kept: dict[Key, deque[tuple[float, float]]], window: float, series: Mapping[Key, float], now: float) -> dict[Key, float]:
    """Each series' per-second increase from its own oldest reading kept within the window (at least its previous one)
    to now; {} before any series was read twice. `kept`, the readings so far, is updated: each series apart, and one no
    longer exported forgotten (its old readings would make no rate)."""
    for gone in kept.keys() - series.keys():
        del kept[gone]
    rates = {}
    for key, value in series.items():
        readings = kept.setdefault(key, deque(maxlen=KEPT))
        readings.append((now, value))
        while len(readings) > 2 and now - readings[0][0] > window:
            readings.popleft()
        then = readings[0][0]
        if len(readings) > 1 and now > then:
            rates[key] = increase(readings) / (now - then)
    return rates
