"""Output waiting for the pane, kept as it came: chunks are split into lines only when the pane takes them.

A step printing a flood hands the screen a chunk of up to 16 KiB at every turn of the event loop (thousands of short
lines), and the pane shows only its last `keep` lines: splitting every chunk into (prefix, line) pairs as it came cost a
third of a millisecond a chunk, for lines that were dropped before any frame took them. Here a chunk is kept whole, with
a count of its lines that is never more than the lines it splits into (its newlines); whole chunks older than the
newest `keep` lines go, and the rest is split when the pane takes it (`take`), as the pairs were made before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import repeat

from runbook_tui.ui.output_pane import RawLine


class PendingLines:
    """The last `keep` lines (at least) of what came for the pane, in order: raw chunks and lines already made."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._parts: deque[tuple[str, str | list[str], int]] = deque()  # (prefix, chunk or lines, lines it has at least)
        self._at_least = 0

    def add_chunk(self, prefix: str, text: str) -> None:
        """Output as it came (split later, as `str.splitlines` splits it, each line after `prefix`)."""
        if text:
            self._add(prefix, text, text.count("\n"))  # each newline ends one line: never more than splitlines makes

    def add_lines(self, lines: Iterable[str]) -> None:
        """Lines already made for the pane (the narration: a step started, a decision), with no prefix."""
        if made := list(lines):
            self._add("", made, len(made))

    def _add(self, prefix: str, part: str | list[str], lines: int) -> None:
        self._parts.append((prefix, part, lines))
        self._at_least += lines
        while self._parts and self._at_least - self._parts[0][2] >= self.keep:  # the rest holds `keep` lines without it
            self._at_least -= self._parts.popleft()[2]

    def __bool__(self) -> bool:
        return bool(self._parts)

    def at_most(self, lines: int) -> bool:
        """Whether `lines` or fewer wait, of the last `keep` (a decision's own line, drawn with the key's frame)."""
        if self.keep <= lines:
            return True
        if self._at_least > lines:
            return False
        return sum(len(part) if isinstance(part, list) else len(part.splitlines()) for _, part, _ in self._parts) <= lines

    def clear(self) -> None:
        self._parts.clear()
        self._at_least = 0

    def take(self) -> list[RawLine]:
        """The last `keep` lines waiting, as (prefix, line) pairs; none wait after."""
        taken: deque[RawLine] = deque(maxlen=self.keep)
        for prefix, part, _ in self._parts:
            taken.extend(zip(repeat(prefix), part if isinstance(part, list) else part.splitlines()))
        self.clear()
        return list(taken)
