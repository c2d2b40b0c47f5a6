"""Commands drawn so they can be read and copied: wrapped at spaces, with a hanging indent.

A command is never cut and never broken inside a word when a space is near
(`…/app.conf.20` / `261201T222210Z` broke copy-paste); only a single word
wider than the whole line is folded. Every line goes through the sanitiser, and a tab is drawn as the spaces
to its next stop (measured as none, it ran the line past the pane's edge, where the command's end was cut off).
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.measure import Measurement
from rich.text import Text

from runbook_tui.runbook.safe_text import visible

#: Continuation lines of a wrapped command start this far in.
HANGING = 2


def wrap_command(command: str, width: int, indent: int = HANGING, breaks: str = "") -> list[str]:
    """`command` as lines of at most `width` cells, broken at spaces; continuations indented by `indent`; a word wider
    than the line broken after the last of `breaks` that fits, where it has one (a host name after a dot or a hyphen).

    Spaces stay where they were (leading indentation of a script line too), so the lines joined
    back with their breaks removed are the command. Trailing newlines (a block scalar's `run: |` ends with one) are
    left out: an empty row under the command said nothing and cost a row at 80x24. Tabs are expanded (to stops of 8).
    """
    width = max(width, indent + 8)
    lines: list[str] = []
    for source in _shown(command).split("\n"):
        line = ""
        for token in re.findall(r"\s*\S+\s*|\s+", source) or [""]:
            if not line or cell_len(line + token.rstrip()) <= width:
                line += token
            else:
                lines.append(line.rstrip())
                line = " " * indent + token.lstrip()
            while cell_len(line.rstrip()) > width:  # one word wider than the line: folded, the only place a word breaks
                head, rest = _fold(line, width, breaks)
                lines.append(head)
                line = " " * indent + rest
        lines.append(line.rstrip())
    return lines


def _fold(line: str, width: int, breaks: str) -> tuple[str, str]:
    """`line` cut at `width` cells: after the last of `breaks` in its first `width` cells past its indent, or where the
    width ends (`web01-frontend-production.eu-west-1a.in` over `ternal.payments.example.com` named no host)."""
    head, *rest = chop_cells(line, width)
    at = max((head.rfind(mark) for mark in breaks), default=-1)
    if at > len(head) - len(head.lstrip(" ")):
        return head[: at + 1], head[at + 1 :] + "".join(rest)
    return head, "".join(rest)


class CommandText:
    """A rich renderable: the command wrapped to whatever width it gets (see `wrap_command`)."""

    def __init__(self, command: str, style: str = "", prefix: str = "", indent: int = HANGING, breaks: str = "") -> None:
        """`indent`: how far past the prefix its continuation lines start (0 for a list: under its first item);
        `breaks`: where a word wider than the line may break (`wrap_command`)."""
        self.command, self.style, self.prefix, self.indent, self.breaks = command, style, prefix, indent, breaks

    def __rich_console__(self, console: Any, options: Any) -> Any:
        pad = " " * cell_len(self.prefix)
        for index, line in enumerate(wrap_command(self.command, options.max_width - len(pad), self.indent, self.breaks)):
            text = Text(self.prefix if index == 0 else pad, style="bold")
            text.append(line, style=self.style)
            text.no_wrap = True
            yield text

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        longest = max((cell_len(word) for word in _shown(self.command).split()), default=1)
        whole = max((cell_len(line) for line in _shown(self.command).split("\n")), default=1)
        return Measurement(min(longest + self.indent, options.max_width), min(whole + cell_len(self.prefix), options.max_width))


def _shown(command: str) -> str:
    """The command as drawn: sanitised, tabs expanded (a terminal draws a tab as the spaces to its next stop, and
    `cell_len` counts it as none), no trailing newline."""
    return visible(command.rstrip("\n")).expandtabs(8)


class StyledWrap:
    """A rich renderable: a styled line (a list's head) wrapped at spaces as `wrap_command` wraps, its continuation rows
    `indent` cells in, its styles kept; a word wider than the line broken after one of `breaks` (a host name after a
    dot). Rich's own wrap put the rest of `1  push on web01-….example.com` at the margin, under the list's numbers."""

    def __init__(self, text: Text, indent: int = HANGING, breaks: str = "") -> None:
        self.text, self.indent, self.breaks = text, indent, breaks

    def __rich_console__(self, console: Any, options: Any) -> Any:
        plain, at = self.text.plain, 0
        for index, row in enumerate(wrap_command(plain, max(options.max_width, 1), self.indent, self.breaks)):
            body = row[self.indent :] if index else row
            while index and at < len(plain) and plain[at].isspace():  # the spaces a break took
                at += 1
            line = Text(" " * self.indent if index else "")
            line.append_text(self.text[at : at + len(body)])
            line.no_wrap = True
            at += len(body)
            yield line

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        return Measurement(min(self.indent + 8, options.max_width), min(cell_len(self.text.plain), options.max_width))
