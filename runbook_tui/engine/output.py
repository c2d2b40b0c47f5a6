"""Command output from raw chunks to journal-ready text.

Chunks arrive split anywhere: in the middle of a line, even in the middle of
a UTF-8 character. We decode incrementally and hand on only whole lines, so
a secret split across two chunks is still masked whole, and binary output
becomes replacement characters rather than an exception.
"""

from __future__ import annotations

import codecs

from runbook_tui.engine.redact import Redactor

#: A line longer than this is handed on in pieces (a binary blob has no newlines).
MAX_PENDING = 64 * 1024
#: stdout kept per host for `expect.stdout` and `capture` (the journal keeps all of it).
KEEP_STDOUT = 1024 * 1024


class LineAssembler:
    """Turns a byte stream into text made of whole lines.

    The redactor says how many trailing characters must wait for more input
    (the start of a secret that may continue in the next chunk), and `shown`
    masks what is handed on, knowing what came before it.
    """

    def __init__(self, redactor: Redactor | None = None) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._redactor = redactor or Redactor()
        self._before = ""  # the end of what was handed on: a secret's first letters may be there

    def feed(self, data: bytes) -> str:
        """The whole lines completed by `data` ('' when none is complete yet)."""
        text = self._pending + self._decoder.decode(data)
        cut = text.rfind("\n") + 1
        if cut == 0 and len(text) < MAX_PENDING:
            self._pending = text
            return ""
        if cut == 0:
            cut = len(text)
        cut -= self._redactor.holdback(text[:cut])
        self._pending = text[cut:]
        return text[:cut]

    def shown(self, text: str) -> str:
        """`text` (what `feed` or `finish` just gave) as it may be journaled and shown: secrets masked, also the rest
        of one whose first letters ended the text handed on before."""
        if not self._redactor:  # no secret: nothing to keep (a flood's chunks are not copied)
            return text
        before, self._before = self._before, (self._before + text)[-self._redactor.reach :]
        return self._redactor.continued(before, text)

    def finish(self) -> str:
        """Whatever is left at the end of the stream (a last line without newline)."""
        text = self._pending + self._decoder.decode(b"", final=True)
        self._pending = ""
        return text


class StdoutKeeper:
    """The first KEEP_STDOUT characters of a host's stdout, for expectations and captures."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def add(self, text: str) -> None:
        room = KEEP_STDOUT - self.size
        if room <= 0:
            self.truncated = self.truncated or bool(text)
            return
        self.parts.append(text[:room])
        self.size += min(len(text), room)
        self.truncated = self.truncated or len(text) > room

    def replace(self, text: str) -> None:
        """Keep `text` instead of what came (a practice's command the night never ran: its stand-in words)."""
        self.parts, self.size, self.truncated = [text[:KEEP_STDOUT]], min(len(text), KEEP_STDOUT), len(text) > KEEP_STDOUT

    @property
    def text(self) -> str:
        return "".join(self.parts)
