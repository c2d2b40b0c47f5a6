"""The one sanitiser for text that reaches a terminal.

Runbook strings, parameters, captured values, command output and what
participants type are hostile: an escape sequence in any of them could retitle
the window (`ESC]0;`), write the clipboard (`ESC]52;`), move the cursor or
repaint the screen, and a bidi override (U+202E) can make a command read
differently from what runs. Everything written to a terminal (the TUI, exec's
event lines, replay, a report printed to a terminal) goes through `visible`
or `visible_line`; the journal keeps the bytes as they came.

Markup is a separate matter: the UI shows this text as literal `Text`, never
parses it as Textual/Rich markup.
"""

from __future__ import annotations

import json
import shlex
import unicodedata

#: C0 controls (tab kept, newline kept by `visible`) become Control Pictures (`\x1b` → `␛`),
#: DEL `␡`; C1 controls (`\x9b` is a CSI too) become `�`.
_C0_C1 = {
    **{code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)},
    0x7F: "\u2421",
    **{code: "\ufffd" for code in range(0x80, 0xA0)},
}
_LINE = {**_C0_C1, 0x0A: "\u23ce"}  # ⏎: a newline inside one line is shown, never obeyed


#: Shown by their code too: the letters drawn as blank space (the Hangul fillers: U+3164 takes two cells in a terminal
#: where Rich measures none), the variation selectors (invisible) and the skin tones U+1F3FB-U+1F3FF (two cells in tmux,
#: none for Rich).
_ALSO_SHOWN = frozenset(
    (0x115F, 0x1160, 0x3164, 0xFFA0, *range(0x180B, 0x180E), 0x180F, *range(0xFE00, 0xFE0E), *range(0xE0100, 0xE01F0), *range(0x1F3FB, 0x1F400))
)
#: Not drawn: the text and emoji presentation selectors. The symbol is the same without them, and its width is what
#: every terminal agrees on: Rich measures `⚠️` (U+26A0 U+FE0F) as two cells, tmux draws it in one, and each moved the
#: rest of its row a cell left, past what the screen had drawn there (a stray `│` beyond the pane's edge).
_PRESENTATION = {0xFE0E: "", 0xFE0F: ""}


#: Where the format characters and separators are (tests/ui/test_invisible_characters.py holds the table to every code point).
_BLOCKS = ((0x0, 0x2100), (0xFE00, 0x10000), (0x11000, 0x14000), (0x1BC00, 0x1BD00), (0x1D100, 0x1D200), (0xE0000, 0xE1000))
#: The format characters and separators of Unicode 14.0.0 (Python 3.11's `unicodedata`) as [start, end) ranges, what
#: `format_characters` finds there: written out, as walking the blocks cost every start 2-5 ms (bench/README.md, session 30).
_UNICODE_14_FORMAT = (
    (0xAD, 0xAE), (0x600, 0x606), (0x61C, 0x61D), (0x6DD, 0x6DE), (0x70F, 0x710), (0x890, 0x892), (0x8E2, 0x8E3),
    (0x180E, 0x180F), (0x200B, 0x2010), (0x2028, 0x202F), (0x2060, 0x2065), (0x2066, 0x2070), (0xFEFF, 0xFF00),
    (0xFFF9, 0xFFFC), (0x110BD, 0x110BE), (0x110CD, 0x110CE), (0x13430, 0x13439), (0x1BCA0, 0x1BCA4), (0x1D173, 0x1D17B),
    (0xE0001, 0xE0002), (0xE0020, 0xE0080),
)  # fmt: skip


def format_characters() -> set[int]:
    """Every format character (Cf) and line or paragraph separator (Zl, Zp) in `_BLOCKS`, by this Python's `unicodedata`."""
    return {code for start, end in _BLOCKS for code in range(start, end) if unicodedata.category(chr(code)) in ("Cf", "Zl", "Zp")}


#: Every character a terminal draws as nothing (or as other than Rich measures it): a format character (bidi overrides
#: and isolates, zero-width marks, the BOM, the soft hyphen, the tag characters U+E0000-U+E007F, an invisible copy of
#: ASCII), a line or paragraph separator, or one of `_ALSO_SHOWN`. Another Unicode version is walked for.
_FORMAT = {code for start, end in _UNICODE_14_FORMAT for code in range(start, end)} if unicodedata.unidata_version == "14.0.0" else format_characters()
_INVISIBLE = sorted(_FORMAT | _ALSO_SHOWN)
#: Each shown by its code (`⟨U+202E⟩`), so nothing hides, reorders or shifts text.
_CODES = {code: f"\u27e8U+{code:04X}\u27e9" for code in _INVISIBLE}
_VISIBLE = str.maketrans({**_C0_C1, **_PRESENTATION, **_CODES})
_VISIBLE_LINE = str.maketrans({**_LINE, **_PRESENTATION, **_CODES})
#: JSON text written with `ensure_ascii=False` keeps DEL, C1 controls and invisible characters as they are (C0 controls
#: are escaped already): these as JSON escapes (a surrogate pair beyond U+FFFF), the same string to a JSON reader,
#: inert on a terminal.
_JSON_INERT = str.maketrans({code: json.dumps(chr(code))[1:-1] for code in (0x7F, *range(0x80, 0xA0), *_INVISIBLE)})


def visible(text: str) -> str:
    """`text` with every control character but tab and newline shown as a visible stand-in."""
    return text.translate(_VISIBLE)


def json_inert(text: str) -> str:
    """JSON text (`json.dumps(..., ensure_ascii=False)`) that a terminal cannot be driven or misled by: every character
    `visible` would replace is written as a JSON escape instead, so the data read back is exactly the same."""
    return text.translate(_JSON_INERT)


def visible_line(text: str) -> str:
    """`text` for a single line: like `visible`, and a newline is shown as `⏎`, so an embedded
    newline can never start a line that looks like another event. A tab becomes the spaces to its next stop (of 8,
    from the text's start): what fits a line is measured in cells, where a tab counts as none and the terminal
    draws up to 8 (a title with a tab cut the run screen's header at half its width, `Hostile x    TAB…`)."""
    return text.translate(_VISIBLE_LINE).expandtabs(8)


def shell_word(text: object) -> str:
    """`text` (a path) as one word of a command printed to be copied: quoted for the shell when it needs it (`'my
    j.jsonl'`: before, `runbook-tui resume my j.jsonl` was printed, two words), control characters shown."""
    return visible_line(shlex.quote(str(text)))


#: What starts each further line of a command of several lines, its text where the first line's starts.
CONTINUATION = "│ "


def command_lines(lead: str, command: str, *, sanitise: bool = True) -> list[str]:
    """A command (or any text of several lines) as printed lines: the first after `lead`, each further line under it
    behind `│ `, its text in the column where the first line's text starts, so the lines of a block scalar (`run: |`)
    or a heredoc read as the command's, not as output or prose at the margin. Trailing newlines are dropped. With
    `sanitise` each line goes through `visible_line` (`lead` is the caller's: visible already): the text is split at
    newlines only and any other line break (`\\r`, `\\v`, U+2028) is shown, so every line it adds starts with `│ `."""
    first, *rest = command.rstrip("\n").split("\n")
    show = visible_line if sanitise else str
    under = " " * max(cells(lead) - len(CONTINUATION), 0) + CONTINUATION
    return [lead + show(first), *(under + show(line) if line else under.rstrip() for line in rest)]


def cells(text: str) -> int:
    """The terminal columns `text` takes: a wide (East Asian) character two, a combining mark none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def not_utf8(text: str) -> str | None:
    """None for text that has a UTF-8 form, as a journal needs; else `text` for an error message, its bytes that are
    not UTF-8 (kept by Python as lone surrogates, from a command line, a file name or the environment) shown as `\\xff`."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate that stands for no byte (`\\ud800`)
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return None
