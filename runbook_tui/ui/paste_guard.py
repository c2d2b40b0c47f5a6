"""A paste is text, all of it: an escape character inside a bracketed paste no longer turns the rest into key presses.

Textual's terminal parser reads an ESC inside a paste as the start of a key
sequence, and hands what follows it (up to the next ESC, or 32 characters) on as
keys: a pasted log line `ERROR ␛[31mfailed␛[0m` left the note as `ERROR `, then
`escape` cancelled the prompt and `d`, `a`, `l` of the rest were run-screen keys;
a pasted `␛]0;pwned␇ end⏎` submitted the solo reason half-typed. Here an ESC
between the paste's start and end marks reaches the parser as `␛` (what the
field would show anyway), so the whole paste is one `Paste` event.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.drivers import linux_driver
from textual.message import Message

ESC = "\x1b"


class PasteSafeParser(XTermParser):
    """Textual's parser, fed with every ESC inside a bracketed paste made visible (`␛`)."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasting = False
        # The start of a paste's mark that a read cut, looked at again with the next read: before a paste it was passed
        # on (a lone ESC is the escape key: never delayed); inside one it waits (an ESC there is text unless it ends it).
        self._carried = ""
        self._passed = 0

    def feed(self, data: str) -> Iterable[Message]:
        return super().feed(self._inert(data))

    def _inert(self, data: str) -> str:
        """`data` with the ESCs inside a paste made visible (the paste's marks kept)."""
        text, done = self._carried + data, self._passed
        self._carried, self._passed = "", 0
        pieces: list[tuple[int, int, bool]] = []  # (from, to, inside a paste)
        at = 0
        while at < len(text):
            if not self._pasting:
                start = text.find(BRACKETED_PASTE_START, at)
                if start < 0:
                    self._carried = _cut_mark(text[at:], BRACKETED_PASTE_START)
                    self._passed = len(self._carried)
                    pieces.append((at, len(text), False))
                    break
                self._pasting, stop = True, start + len(BRACKETED_PASTE_START)
                pieces.append((at, stop, False))
                at = stop
                continue
            end = text.find(BRACKETED_PASTE_END, at)
            if end < 0:
                self._carried = _cut_mark(text[at:], BRACKETED_PASTE_END)
                pieces.append((at, len(text) - len(self._carried), True))
                break
            self._pasting, stop = False, end + len(BRACKETED_PASTE_END)
            pieces += [(at, end, True), (end, stop, False)]
            at = stop
        return "".join(_piece(text[max(a, done) : max(b, done)], pasted) for a, b, pasted in pieces)


def _piece(text: str, pasted: bool) -> str:
    return text.replace(ESC, "␛") if pasted else text


def _cut_mark(body: str, mark: str) -> str:
    """The end of `body` that begins `mark` (a read ended inside it), or ''."""
    for size in range(len(mark) - 1, 0, -1):
        if body.endswith(mark[:size]):
            return body[-size:]
    return ""


def guard_pastes() -> None:
    """Make the Linux driver read the terminal with `PasteSafeParser` (it names its parser class at module level)."""
    setattr(linux_driver, "XTermParser", PasteSafeParser)  # noqa: B010
