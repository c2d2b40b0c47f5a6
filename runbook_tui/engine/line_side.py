"""A number said beside the lines it is judged against (a panel's warn and critical, a criterion's below / above) reads
on the side of each line it is on: 299.996 under a critical 300 is not said `300.0`, which reads as at the line while
the panel says it is not critical. Shared by the screens (metrics.guards.format_value) and the report (report.text)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator


def on_its_side(value: float, text: str, lines: Iterable[float | None]) -> str:
    """`text` (`value` rounded for people) when it compares with every line as `value` does (below, at, above); else
    `value` with the fewest more digits that do (`299.996`), at most its exact repr."""
    marks = [float(line) for line in lines if line is not None and math.isfinite(float(line))]
    if not math.isfinite(value) or all(_agrees(text, value, line) for line in marks):
        return text
    return next(said for said in _finer(value, text) if all(_agrees(said, value, line) for line in marks))


def _agrees(text: str, value: float, line: float) -> bool:
    try:
        shown = float(text.replace(",", ""))
    except ValueError:
        return True  # not a number as written: nothing to compare
    return (shown > line) - (shown < line) == (value > line) - (value < line)


def _finer(value: float, text: str) -> Iterator[str]:
    if 1 <= abs(value) < 1e12 and "e" not in text:
        decimals = len(text.partition(".")[2])
        yield from (f"{value:,.{places}f}" for places in range(decimals + 1, 17))
    else:
        yield from (f"{value:.{digits}g}" for digits in range(4, 18))
    yield repr(value)
