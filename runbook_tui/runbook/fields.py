"""Typed reads of marked YAML values: each one either returns a value or records what was expected.

The loader walks the document with these; a wrong value becomes a
diagnostic at the value's `FILE:LINE:COL` and the walk goes on, so one
`validate` reports every problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.diagnostics import Collector, shown
from runbook_tui.runbook.document import YList, YMap
from runbook_tui.runbook.durations import parse_duration, written_duration
from runbook_tui.runbook.field_table import Shape
from runbook_tui.runbook.model import Mark

T = TypeVar("T")
#: One of a fixed set of words (a Literal type at the call site).
Word = TypeVar("Word", bound=str)
_PERCENT = lazy_re.compile(r"^(\d+(?:\.\d+)?)%$")
#: The longest duration a runbook or the settings may give (a timeout, a wait, a guard's `for`): a year and a day.
MAX_DURATION = 366 * 86400

#: Turns a template string into its load-time text (or None when it cannot be rendered yet).
Renderer = Callable[[str, Mark], "str | None"]


def describe(value: Any) -> str:
    """How a wrong value is named in a message: its YAML type and, when short, the value."""
    if isinstance(value, YMap) or isinstance(value, dict):
        return "a mapping"
    if isinstance(value, YList) or isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    return shown(value)


def describe_at(m: YMap, key: str) -> str:
    """`describe` of m[key], saying why when YAML 1.1 read a word as a boolean: `title: yes` was refused as `got true`,
    and `name: no` as `got false`, words the author never wrote."""
    value, written = m[key], m.written.get(key)
    if isinstance(value, bool) and isinstance(written, str) and written.lower() not in ("true", "false"):
        return f"{written}, which YAML reads as {str(value).lower()} (a boolean); for the text, quote it: '{written}'"
    return describe(value)


def is_percent(value: Any) -> bool:
    return isinstance(value, str) and _PERCENT.match(value.strip()) is not None


class Fields:
    """Reads one mapping's values with their marks, reporting problems to a Collector."""

    def __init__(self, diags: Collector, render: Renderer, under: str = "") -> None:
        self.diags = diags
        self.render = render
        self.under = under  # the key path the mapping's keys are named under in messages ("notify_timing."; "": none)

    def named(self, key: str) -> str:
        """A key as a message names it: `'timeout'` at the runbook's own place, else by its whole path, as the settings
        name theirs (`notify_timing.timeout`, as `ssh.config`)."""
        return f"{self.under}{key}" if self.under else f"'{key}'"

    # -- shape ---------------------------------------------------------------

    def mapping(self, value: Any, mark: Mark, what: str) -> YMap | None:
        if isinstance(value, YMap):
            return value
        self.diags.error(mark, f"expected {what} (a mapping), got {describe(value)}")
        return None

    def shaped(self, value: Any, mark: Mark, what: str, shape: Shape, name: str | None = None) -> YMap | None:
        """`value` as a mapping of `shape`, its keys checked (see `keys`, under `name`, else the shape's); None when not a mapping."""
        m = self.mapping(value, mark, what)
        if m is not None:
            self.keys(m, name or shape.name, shape.keys, shape.required)
        return m

    def sequence(self, value: Any, mark: Mark, what: str) -> YList | None:
        if isinstance(value, YList):
            return value
        self.diags.error(mark, f"expected {what} (a list), got {describe(value)}")
        return None

    def keys(self, m: YMap, what: str, allowed: Iterable[str], required: Iterable[str] = ()) -> bool:
        """Unknown keys are errors (a typo must not silently drop a safety check). True when all fit."""
        allowed_set = allowed if isinstance(allowed, frozenset) else frozenset(allowed)
        if allowed_set.issuperset(m) and all(map(m.__contains__, required)):
            return True  # the usual case, before any message is composed
        ok = True
        for key in m:
            if key not in allowed_set:
                import difflib  # only for a key that is wrong: a valid runbook loads without it (and its import, ~1 ms)

                close = difflib.get_close_matches(key, allowed_set, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                self.diags.error(m.key_mark(key), f"unknown key '{key}' in {what}; {hint}expected one of: {', '.join(sorted(allowed_set))}")
                ok = False
        for key in required:
            if key not in m:
                self.diags.error(m.mark, f"{what} is missing the required key '{key}'; expected '{key}:' in it")
                ok = False
        return ok

    # -- scalars -------------------------------------------------------------

    def _null(self, m: YMap, key: str, expected: str) -> None:
        """A key written with no value (`timeout:`, `checkpoint:`) is an error, not the default: a value left out
        there would silently drop what the key asks for. (None from a template that cannot render: said already.)"""
        if key in m and m[key] is None:
            self.diags.error(m.value_mark(key), f"{self.named(key)}: expected {expected}, got nothing (null)")

    def _resolved(self, m: YMap, key: str) -> Any:
        """The value, with a template string rendered first (so `timeout: "{{ t }}s"` works)."""
        value = m[key]
        return self.render(value, m.value_mark(key)) if _templated(value) else value  # a mark only for a template: a load reads thousands

    def resolve(self, value: Any, mark: Mark) -> Any:
        """`value` as written, or, for a template string, its rendered text (None when it cannot render: said already)."""
        return self.render(value, mark) if _templated(value) else value

    def string(self, m: YMap, key: str, default: str | None = None) -> str | None:
        """A plain string that needs no template (ids, names, enum values)."""
        if key not in m:
            return default
        value = m[key]
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(m.as_written(key))
        self.diags.error(m.value_mark(key), f"{self.named(key)}: expected a string, got {describe_at(m, key)}")
        return default

    def identifier(self, m: YMap, key: str, pattern: re.Pattern[str], expected: str) -> str | None:
        value = self.string(m, key)
        if value is not None and not pattern.fullmatch(value):
            self.diags.error(m.value_mark(key), f"{self.named(key)}: expected {expected}, got {shown(value)}")
            return None
        return value

    def choice(self, m: YMap, key: str, choices: tuple[Word, ...], default: Word) -> Word:
        value = self._resolved(m, key) if key in m else default
        if value is None:
            self._null(m, key, f"one of {', '.join(choices)}")
            return default
        for choice in choices:
            if value == choice:
                return choice
        self.diags.error(m.value_mark(key), f"{self.named(key)}: expected one of {', '.join(choices)}, got {describe(value)}")
        return default

    def boolean(self, m: YMap, key: str, default: bool = False) -> bool:
        value = self._resolved(m, key) if key in m else default
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if isinstance(value, bool):
            return value
        if value is not None:
            self.diags.error(m.value_mark(key), f"{self.named(key)}: expected true or false, got {describe(value)}")
        self._null(m, key, "true or false")
        return default

    def integer(self, m: YMap, key: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._resolved(m, key) if key in m else default
        if value is None:
            self._null(m, key, "a whole number")
            return default
        number = _as_int(value)
        if number is None:
            self.diags.error(m.value_mark(key), f"{self.named(key)}: expected a whole number, got {describe(value)}")
            return default
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            bounds = f"from {minimum}" + (f" to {maximum}" if maximum is not None else " up")
            self.diags.error(m.value_mark(key), f"{self.named(key)}: expected a whole number {bounds}, got {shown(number)}")
            return default
        return number

    def number(self, m: YMap, key: str) -> float | None:
        if key not in m:
            return None
        value = self._resolved(m, key)
        if value is None:
            self._null(m, key, "a number")
            return None
        if not isinstance(value, bool):
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):  # OverflowError: an integer past float's range
                pass
            else:
                if math.isfinite(number):
                    return number
                # `critical: .nan` never compares past: the guard would never trip; `.inf`/`1e400` neither
                self.diags.error(m.value_mark(key), f"{self.named(key)}: expected a finite number, got {describe(value)}")
                return None
        self.diags.error(m.value_mark(key), f"{self.named(key)}: expected a number, got {describe(value)}")
        return None

    def duration(
        self, m: YMap, key: str, default: float | None = None, *, shortest: tuple[float, str] | None = None, longest: float | None = None
    ) -> float | None:
        """A duration; under `shortest` (seconds, and why a shorter one is wrong, said in the error) refused, 0 with it;
        past `longest` (default MAX_DURATION; math.inf where the caller bounds it in its own words) refused too."""
        if key not in m:
            return default
        value = self._resolved(m, key)
        if value is None:
            self._null(m, key, "a duration like 30s, 5m, 1h30m or a number of seconds")
            return default
        if isinstance(value, (bool, list, dict)):  # named as YAML reads it (`got True`, `got ['30s']` before)
            self.diags.error(m.value_mark(key), f"{self.named(key)}: expected a duration like 30s, 5m, 1h30m or a number of seconds, got {describe_at(m, key)}")
            return default
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            self.diags.error(m.value_mark(key), f"{self.named(key)}: {exc}")
            return default
        if shortest is not None and seconds < shortest[0]:  # `1e-9` as written (it read `got 0ms`, rounded)
            self.diags.error(m.value_mark(key), f"{self.named(key)}: expected at least {written_duration(shortest[0])} ({shortest[1]}), got {describe(value)}")
            return default
        if seconds > (
            MAX_DURATION if longest is None else longest
        ):  # `99999999999999999999d`: finite, so it passed; the plan read `timeout 2400000000000000007456h…`
            self.diags.error(m.value_mark(key), f"{self.named(key)}: expected a duration of at most 366d (a longer one is a typo), got {describe(value)}")
            return default
        return seconds

    def count_or_percent(self, value: Any, mark: Mark, key: str, minimum: int) -> int | str | None:
        """`3` or `"25%"` (or a template rendering to one): a number of hosts, or a share of the group."""
        resolved = self.resolve(value, mark)
        if resolved is None and value is not None:
            return None  # a template that cannot render: its error is said already
        value = resolved
        number = _as_int(value)
        if number is not None and number >= minimum:
            return number
        percent = _PERCENT.match(value.strip()) if isinstance(value, str) else None
        if percent:
            share = float(percent.group(1))
            if 0 < share <= 100 or (minimum == 0 and share == 0):
                return percent.group(0)
        self.diags.error(mark, f'{self.named(key)}: expected a whole number of at least {minimum} or a percentage like "25%", got {describe(value)}')
        return None

    def string_list(self, m: YMap, key: str) -> list[tuple[str, Mark]]:
        """A list of strings (or one string standing for a list of one), each with its mark."""
        if key not in m:
            return []
        value = m[key]
        if isinstance(value, str):
            return [(value, m.value_mark(key))]
        items = self.sequence(value, m.value_mark(key), self.named(key))
        if items is None:
            return []
        result = []
        for index, (item, mark) in enumerate(zip(items, items.item_marks)):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                result.append((str(items.as_written(index)), mark))
            else:
                self.diags.error(mark, f"{self.named(key)}: expected a string, got {describe(item)}")
        return result


def exit_code(value: Any) -> int | None:
    """An exit status 0-255 as written (`3`, or the text a template rendered: `"3"`), or None."""
    number = _as_int(value)
    return number if number is not None and 0 <= number <= 255 else None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip(), 10)
        except ValueError:
            return None
    return None


def _templated(value: Any) -> bool:
    """Whether a value is a string a template renders (`{{ }}` or `{% %}` in it)."""
    return isinstance(value, str) and ("{{" in value or "{%" in value)
