"""A bracketed paste holding escape sequences and line ends is one paste, however the terminal's reads cut it.

Textual's parser handed what followed an ESC inside a paste on as key presses (an
`enter` among them, before the paste itself): the prompt was submitted half-typed
and the rest drove the screen's keys.
"""

from __future__ import annotations

from textual import events
from textual.drivers import linux_driver

from runbook_tui.ui.base_app import ThemedApp
from runbook_tui.ui.paste_guard import PasteSafeParser

PASTED = "night shift\rsecond ␛]0;pwned\x07 ␛[31mred␛[0m end\r"
RAW = "a\x1b[200~" + PASTED.replace("␛", "\x1b") + "\x1b[201~b"


def test_a_paste_with_escapes_is_one_paste_wherever_the_reads_are_cut() -> None:
    for cut in range(1, len(RAW)):
        parser = PasteSafeParser()
        tokens = [*parser.feed(RAW[:cut]), *parser.feed(RAW[cut:]), *parser.feed("c")]  # ("" would say: end of input)
        said = [(type(t).__name__, t.text if isinstance(t, events.Paste) else getattr(t, "key", "")) for t in tokens]
        assert said == [("Key", "a"), ("Paste", PASTED), ("Key", "b"), ("Key", "c")], (cut, said)


def test_the_apps_read_the_terminal_with_it() -> None:
    ThemedApp()
    assert linux_driver.XTermParser is PasteSafeParser
