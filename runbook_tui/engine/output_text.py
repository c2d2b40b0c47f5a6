"""An `output` event as exec prints it, made for the whole chunk at once.

One output event carries a chunk of up to 64 KiB: thousands of lines. `describe`
says how one line looks (its prefix, `  HOST | `, and the line through
`visible_line`); printing a chunk line by line costs a call, a sanitiser pass
and a string per line. Here the chunk's lines get the same prefix in one
`replace` (or one `join` when lines end other than with `\\n`) and the whole
block goes through the sanitiser once: the same text, a few passes over the
chunk in C.
"""

from __future__ import annotations

from runbook_tui.engine.describe import describe
from runbook_tui.engine.events import Event
from runbook_tui.runbook.safe_text import visible

#: Line ends `str.splitlines` obeys besides `\n` in ASCII text (all of them control characters).
_ASCII_LINE_ENDS = "\r\x0b\x0c\x1c\x1d\x1e"


def output_block(event: Event) -> str:
    """The lines `describe(event)` gives for an output event, each ending in a newline, as one string ('' for no text).

    The lines are split where `str.splitlines` splits them (a `\\r\\n` ends one line) and every
    control or format character left is shown through `visible`, so no line can drive the
    terminal or forge another.
    """
    text = str(event.get("text", ""))
    if not text:
        return ""
    prefix = describe({**event, "text": "x"})[0][:-1]  # what describe puts before each line (host, stream, phase)
    if text.isascii() and not any(end in text for end in _ASCII_LINE_ENDS):  # only `\n` ends lines: no split needed
        block = prefix + text.removesuffix("\n").replace("\n", "\n" + prefix)
    else:
        block = prefix + ("\n" + prefix).join(text.splitlines())
    return visible(block) + "\n"
