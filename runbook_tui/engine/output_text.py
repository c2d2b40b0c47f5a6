"""An `output` event as exec prints it, made for the whole chunk at once.

One output event carries a chunk of up to 256 KiB: thousands of lines. `describe`
says how one line looks (its prefix, `  HOST | `, and the line through
`visible_line`); printing a chunk line by line costs a call, a sanitiser pass
and a string per line. Here the chunk's lines get the same prefix in one
`replace` (or one `join` when lines end other than with `\\n`) and the chunk
goes through the sanitiser once (before the prefixes, which are sanitised
already, so it reads the chunk, not the longer block): the same text, a few
passes over the chunk in C.
"""

from __future__ import annotations

from runbook_tui.engine.describe import describe
from runbook_tui.engine.events import Event
from runbook_tui.runbook.safe_text import visible


def output_block(event: Event) -> str:
    """The lines `describe(event)` gives for an output event, each ending in a newline, as one string ('' for no text).

    The lines are split where `str.splitlines` splits them (a `\\r\\n` ends one line) and every
    control or format character left is shown through `visible`, so no line can drive the
    terminal or forge another.
    """
    text = str(event.get("text", ""))
    if not text:
        return ""
    prefix = describe({**event, "text": "x"})[0][:-1]  # what describe puts before each line (host, stream, phase), already sanitised
    if text.isascii() and (shown := visible(text)).isascii():
        # `visible` turns every ASCII control character but tab and newline into a non-ASCII stand-in: still ASCII,
        # the chunk had none, so only `\n` ends its lines. `visible` keeps `\n` and leaves the sanitised prefix as it is:
        # the chunk is sanitised first, then each line prefixed (the last `\n` gets no prefix after it).
        block = (prefix + shown).replace("\n", "\n" + prefix)
        return block[: -len(prefix)] if text.endswith("\n") else block + "\n"
    return visible(prefix + ("\n" + prefix).join(text.splitlines())) + "\n"
