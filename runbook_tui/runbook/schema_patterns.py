"""Regular expressions of the JSON Schema (field_table.py) for values the loader reads from text.

A number written as text (`retries: "3"`, `port: "2222"`, `exit: "0"`) is read by the loader with `int()` and
bounded after; the schema can only say it with a pattern, so the bounds are spelled out in digits here
(`digits_between(0, 255)`). Both JavaScript (the YAML language server) and Python (`jsonschema`) read these.
"""

from __future__ import annotations

#: A number as Python's float() reads text (`1.5`, `.5`, `5.`, `1e3`, `1_000`), without its sign.
FLOAT = r"(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][-+]?\d(_?\d)*)?"


def _same_length(low: str, high: str) -> str:
    """The numbers from `low` to `high`, both of one length, where every digit after the first that differs runs 0-9."""
    pattern, free = "", 0
    for a, b in zip(low, high, strict=True):
        if a == b:
            pattern += a
        elif a == "0" and b == "9":
            free += 1
        else:
            pattern += f"[{a}-{b}]"
    return pattern + (r"\d" + (f"{{{free}}}" if free > 1 else "") if free else "")


def _stops(low: int, high: int) -> list[int]:
    """Where the range splits so that each part is one `_same_length` pattern: at each run of 9s up from `low`
    (9, 99, ...: where the length changes too) and each run of 0s down from `high`."""
    stops = {high}
    nines = 1
    while low <= (stop := int(str(low)[:-nines] + "9" * nines)) < high:
        stops.add(stop)
        nines += 1
    zeros = 1
    while low < (stop := (high + 1) - (high + 1) % 10**zeros - 1) <= high:
        stops.add(stop)
        zeros += 1
    return sorted(stops)


def digits_between(low: int, high: int | None = None) -> str:
    """An unanchored pattern of the whole numbers from `low` to `high` (no upper bound when None) written in digits,
    leading zeros allowed."""
    if high is None:
        width = len(str(low))
        return f"0*({digits_between(low, 10**width - 1)[3:-1]}|[1-9]\\d{{{width},}})"
    parts, start = [], low
    for stop in _stops(low, high):
        parts.append(_same_length(str(start), str(stop)))
        start = stop + 1
    return "0*(" + "|".join(parts) + ")"


def whole_text(low: int, high: int | None = None) -> str:
    """A whole number from `low` to `high` as the loader reads it from text: spaces around, a `+` sign, leading zeros."""
    return rf"^\s*\+?{digits_between(low, high)}\s*$"


def percent_text(above_zero: bool) -> str:
    """A share like `25%` or `12.5%`, at most 100%, as the loader reads it (spaces around, none before `%`)."""
    share = r"0*(100(\.0+)?|\d{1,2}(\.\d+)?)%"
    return rf"^\s*{'(?=[^%]*[1-9])' if above_zero else ''}{share}\s*$"
