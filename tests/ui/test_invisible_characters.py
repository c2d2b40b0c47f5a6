"""Characters a terminal draws as nothing (or as blank) must show as `⟨U+XXXX⟩`, wherever runbook text or output is drawn.

The sanitiser showed the bidi controls and zero-width marks it listed by hand (U+200B-U+200F, U+202A-U+202E,
U+2060-U+206F, U+FEFF), but not the other invisible format characters: a soft hyphen (U+00AD), the tag characters
(U+E0000-U+E007F, an invisible copy of ASCII), the interlinear annotation marks, nor the Hangul fillers, which are
letters drawn blank (U+3164 takes two cells in the terminal where Rich measures none). A step's `rm -rf /tmp/x` could
hold a tail of tag characters and read on screen as the command it is not, and a filler shifted the row's right edge.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len
from run_screen_helpers import make_app, painted, prepare_workdir, settled, started

from runbook_tui.runbook import safe_text
from runbook_tui.runbook.safe_text import json_inert, visible, visible_line

#: Letters drawn as blank space: the Hangul fillers (choseong, jungseong, compatibility, halfwidth).
FILLERS = ("\u115f", "\u1160", "\u3164", "\uffa0")
#: Every character a terminal draws as nothing: the Unicode format characters and the line and paragraph separators.
INVISIBLE = tuple(chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) in ("Cf", "Zl", "Zp")) + FILLERS


@pytest.mark.parametrize("show", [visible, visible_line])
def test_every_invisible_character_is_shown_by_its_code(show: object) -> None:
    assert callable(show)
    for char in INVISIBLE:
        shown = show(f"a{char}b")
        assert shown == f"a⟨U+{ord(char):04X}⟩b", (f"U+{ord(char):04X}", shown)
        assert cell_len(shown) == len(shown), shown  # every cell of it drawn, as measured


def test_json_keeps_every_invisible_character_as_an_escape_that_reads_back_the_same() -> None:
    text = "a" + "".join(INVISIBLE) + "b"
    written = json_inert(json.dumps({"title": text}, ensure_ascii=False))
    assert not [char for char in INVISIBLE if char in written], written
    assert "\\udb40\\udc41" in written  # U+E0041 as JSON writes it: a surrogate pair, never `\\ue0041`
    assert json.loads(written) == {"title": text}


HIDDEN = r"""
runbook: 1
id: hidden-tail
title: "Clean up"
sections:
  - id: main
    steps:
      - id: clean
        title: "Remove x\u3164"
        run: "rm -rf /tmp/x\U000E0020\U000E0041 && echo a\u00adb"
        undo: "echo back\uFFF9"
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_step_pane_shows_the_invisible_tail_of_a_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, HIDDEN)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        pane = painted(app.screen.query_one("#step-detail"))
        assert "run:  rm -rf /tmp/x⟨U+E0020⟩⟨U+E0041⟩ && echo a⟨U+00AD⟩b" in pane, pane
        assert "undo: echo back⟨U+FFF9⟩" in pane, pane
        assert "Remove x⟨U+3164⟩" in pane, pane
        assert not [char for char in INVISIBLE if char in pane], pane


def test_emoji_are_drawn_as_wide_as_they_are_measured() -> None:
    """The presentation selectors are left out (the symbol is the same; Rich measured `⚠️` as two cells where tmux
    draws one); a skin tone and the other variation selectors show by their code (tmux draws a skin tone in two cells,
    Rich in none)."""
    assert visible_line("⚠\ufe0f Drop ☃\ufe0e") == "⚠ Drop ☃"
    assert visible("👍\U0001f3fb a\ufe00 b\U000e0100") == "👍⟨U+1F3FB⟩ a⟨U+FE00⟩ b⟨U+E0100⟩"


def test_the_table_written_out_is_what_walking_unicode_finds() -> None:
    """The format characters are written out for Python 3.11's Unicode (walking the blocks cost each start 2-5 ms): the
    ranges are the walk's, and another Unicode version is walked for."""
    assert unicodedata.unidata_version == "14.0.0", "another Python: write its ranges out (safe_text.format_characters) or start-up walks them"
    written = {code for start, end in safe_text._UNICODE_14_FORMAT for code in range(start, end)}
    assert written == safe_text.format_characters() == safe_text._FORMAT
    assert {ord(char) for char in INVISIBLE if char not in FILLERS} == written  # every code point, not only the blocks
