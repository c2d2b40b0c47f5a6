"""A dialog's keys, wrapped between keys, never inside one.

The action line is `key what it does · key what it does · …`. Wrapped at any space, a narrow terminal split a key from
its action: the mode screen at 80 columns read `… · tab: next · escape:` over `cancel`, the rollback dialog at 60
columns `… · n / escape` over `cancel`, as if escape did nothing and `cancel` were a key. Here a line breaks only at a
` · `, the line ending with its `·` (more keys follow); a single key wider than the line wraps at its spaces as before. Lines
of prose above the keys (what the run is after a rollback, a refusal) wrap as any text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.cells import cell_len
from rich.measure import Measurement
from rich.text import Text

SEPARATOR = " · "


class KeysText:
    """A rich renderable: `text` (plain or styled, lines split at newlines) broken between its ` · `-separated keys."""

    def __init__(self, text: str | Text) -> None:
        self.text = Text(text) if isinstance(text, str) else text

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Text]:
        for line in self.text.split("\n", allow_blank=True):
            yield from _broken(line, options.max_width)

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        lines = self.text.plain.split("\n")
        longest = max((cell_len(key) for line in lines for key in line.split(SEPARATOR)), default=1)
        whole = max((cell_len(line) for line in lines), default=1)
        return Measurement(min(longest, options.max_width), min(whole, options.max_width))


def _broken(line: Text, width: int) -> Iterator[Text]:
    """`line` as lines of at most `width` cells, each holding whole keys (a key wider than `width` wraps by itself)."""
    plain = line.plain
    bounds: list[tuple[int, int]] = []  # each key's start and end in `plain`
    start = 0
    while (found := plain.find(SEPARATOR, start)) >= 0:
        bounds.append((start, found))
        start = found + len(SEPARATOR)
    bounds.append((start, len(plain)))
    first, last = bounds[0]
    mark = len(SEPARATOR.rstrip())
    for begin, end in bounds[1:]:
        # Room for the `·` a break after this key would leave at the line's end (the last key leaves none).
        if cell_len(plain[first:end]) + (0 if end == len(plain) else mark) <= width:
            last = end
            continue
        yield line[first : last + mark]  # `· ` ends the line: more keys follow below
        first, last = begin, end
    yield line[first:last]
