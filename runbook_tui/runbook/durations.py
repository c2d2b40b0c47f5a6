"""Durations as runbooks write them: `30s`, `5m`, `1h30m`, `1d`, or a number of seconds."""

from __future__ import annotations

import math

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.diagnostics import shown

_PART = lazy_re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)")  # ASCII digits: `\d` also matched `٣` (3 to Python, not to YAML)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_UNIT_ENDS = ("s", "m", "h", "d")


def parse_duration(value: object) -> float:
    """Seconds for a duration; raises ValueError saying what was expected."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like 30s, 5m, 1h30m or a number of seconds, got {shown(value)}")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer past float's range
            number = math.inf
        if not math.isfinite(number):
            raise ValueError(f"expected a finite duration, got {shown(value)}")
        if number < 0:
            raise ValueError(f"expected a duration of zero or more, got {shown(value)}")
        return number
    text = str(value).strip().replace(" ", "")
    seconds = None if text.endswith(_UNIT_ENDS) else _number(text)  # `30s`: no number ends so (a failed float() raises: slow)
    if seconds is not None:
        if not math.isfinite(seconds):
            raise ValueError(f"expected a finite duration, got {shown(value)}")
        if seconds < 0:
            raise ValueError(f"expected a duration of zero or more, got {shown(value)}")
        return seconds
    position = 0
    total = 0.0
    last = math.inf  # the seconds of the unit before: each unit must be smaller (`1h30m`, never `30s5m` nor `1m1m`)
    for match in _PART.finditer(text):
        if match.start() != position:
            break
        unit = _UNIT_SECONDS[match.group(2)]
        if unit >= last:
            raise ValueError(
                f"expected a duration like 30s, 5m, 1h30m (each unit once, largest first) or a number of seconds, got {shown(value)}: "
                f"'{match.group(0)}' {'repeats its unit' if unit == last else 'comes after a smaller unit'}"
            )
        last = unit
        total += float(match.group(1)) * unit
        position = match.end()
    if position == 0 or position != len(text):
        raise ValueError(f"expected a duration like 30s, 5m, 1h30m or a number of seconds, got {shown(value)}")
    if not math.isfinite(total):  # `999…9d`: each part a float, and one past its range is inf
        raise ValueError(f"expected a finite duration, got {shown(value)}")
    return total


def _number(text: str) -> float | None:
    if not text.isascii():  # float() reads other scripts' digits too (`٣٠` is 30 to it), as `-p` values may not
        return None
    try:
        return float(text)
    except ValueError:
        return None


def format_duration(seconds: float) -> str:
    """The short form people read: 90 -> '1m30s', 3600 -> '1h'; -2 -> '-2s' (a clock that went back; it read '-1h59m58s')."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 1 and seconds > 0:
        return f"{int(seconds * 1000)}ms"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return "".join(parts) or "0s"


def written_duration(seconds: float) -> str:
    """A duration the runbook wrote, exactly: 1.5 -> '1.5s', 90.25 -> '1m30.25s' (`format_duration` rounds to whole
    seconds, which suits a measured time; the plan said 'timeout 2s' for `timeout: 1.5`)."""
    whole, millis = divmod(round(seconds * 1000), 1000)
    if seconds < 1 or not millis:
        return format_duration(seconds if seconds < 1 else whole)
    minutes = format_duration(whole - whole % 60) if whole >= 60 else ""
    return f"{minutes}{whole % 60}.{millis:03d}".rstrip("0") + "s"


def span_words(seconds: float) -> str:
    """A span as people say it, two units at most: `45s`, `12m`, `1h 12m`, `2d 4h` (one format for every countdown)."""
    whole = int(abs(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs and minutes < 10 else f"{minutes}m"
    return f"{secs}s"


def timeout_words(seconds: float, undo: object) -> str:
    """`timeout 30s`, or `timeout 30s (undo too)` for a step with an `undo`: the step's timeout bounds each of its
    commands on a host, the undo a rollback runs included (the spec is silent; README, "Rollback"). The detail pane, the
    whole step, `plan` and the plan's Markdown/HTML say it so."""
    return f"timeout {written_duration(seconds)}" + (" (undo too)" if undo else "")
