"""An `output` event as exec prints it, made for the whole chunk at once.

One output event carries a chunk of up to 256 KiB: thousands of lines. `describe`
says how one line looks (its prefix, `  HOST | `, and the line through
`visible_line`); printing a chunk line by line costs a call, a sanitiser pass
and a string per line. Here the chunk's lines get the same prefix in one
`replace` (or one `join` when lines end other than with `\\n`) and the chunk
goes through the sanitiser once (before the prefixes, which are sanitised
already, so it reads the chunk, not the longer block): the same text, a few
passes over the chunk in C. The usual chunk (ASCII, and so after sanitising) is made as
bytes (`ascii_block`), which exec writes to stdout's buffer as they are: no pass
encoding the block, which is ~2.4x the chunk (the prefix on every line).
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
    fast = ascii_block(event)
    if fast is not None:
        return b"".join(fast).decode("ascii")
    text = str(event.get("text", ""))
    if not text:
        return ""
    if "\t" in text:  # `visible_line` expands tabs from each line's start, under describe's indent: line by line, as it does
        return "".join(line + "\n" for line in describe(event))
    prefix = _prefix(event)
    return visible(prefix + ("\n" + prefix).join(text.splitlines())) + "\n"


def ascii_block(event: Event) -> tuple[bytes, ...] | None:
    """`output_block(event)` as ASCII bytes, for the usual chunk: ASCII text that stays ASCII once sanitised, behind an
    ASCII prefix (exec writes the parts to stdout's buffer one after another: no pass encoding the block, no copy
    joining it). None otherwise, and for no text.

    `visible` turns every ASCII control character but tab and newline into a non-ASCII stand-in: still ASCII, the
    chunk had none, so only `\\n` ends its lines. A chunk with a tab takes the other path (its tabs are expanded). The chunk is sanitised first, then each line prefixed (the prefix is
    sanitised already): every `\\n` but a last one is followed by the prefix.
    """
    text = str(event.get("text", ""))
    if not text or "\t" in text or not text.isascii() or not (shown := visible(text)).isascii():
        return None
    prefix = _prefix(event)
    if not prefix.isascii():
        return None
    data, head = shown.encode("ascii"), prefix.encode("ascii")
    return head, data.removesuffix(b"\n").replace(b"\n", b"\n" + head), b"\n"


def _prefix(event: Event) -> str:
    """What `describe` puts before each line of this event (host, stream, phase), already sanitised."""
    return describe({**event, "text": "x"})[0][:-1]
