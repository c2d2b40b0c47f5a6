"""Emoji whose width terminals disagree on must not shift a row of the screen (tmux on a private socket, 140x45).

Rich measures `⚠️` (U+26A0 and the emoji presentation selector U+FE0F) as two cells; tmux (3.3) and other terminals
draw it in one, so each one moved the rest of its row a cell left and left the row's last cells as an earlier frame
had them: a title `⚠️ Drop the legacy table` left a stray `│        │` past the step pane's edge. A skin tone (U+1F3FB)
is two cells in tmux where Rich measures none: the row ran past the edge and lost its border. Now the presentation
selectors are not drawn (the symbol is the same) and a skin tone shows as `⟨U+1F3FB⟩`, so every row measures what
the terminal draws.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from test_tmux import RUNBOOK_TUI, Pane

from runbook_tui.runbook.safe_text import cells

RUNBOOK = """\
runbook: 1
id: emoji
title: "⚠️ Drop ⚠️ the ⚠️ legacy ⚠️ table"
sections:
  - id: main
    steps:
      - id: one
        title: "⚠️⚠️⚠️⚠️⚠️⚠️ Drop the legacy table ⚠️⚠️⚠️"
        run: "echo '⚠️⚠️⚠️⚠️⚠️⚠️⚠️⚠️ done' && echo a-command-long-enough-to-reach-the-edge-of-the-step-pane-at-140 END"
      - id: two
        title: "👍🏻👍🏻👍🏻👍🏻 thumbs"
        run: echo ok
"""
BOX = "│╭╮╰╯"


def test_rows_holding_emoji_keep_their_borders_in_a_real_terminal(tmp_path: Path) -> None:
    (tmp_path / "runbook.yaml").write_text(RUNBOOK, encoding="utf-8")
    sockets = Path(tempfile.mkdtemp(prefix="rbt-emoji-"))
    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", str(tmp_path)), "LANG": "C.UTF-8"}  # fmt: skip
    exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    command = f"{shlex.quote(str(RUNBOOK_TUI))} run runbook.yaml --solo 'e2e test' --dry-run --journal j.jsonl"
    pane = Pane(sockets / "sock")
    pane.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "140", "-y", "45", f"cd {shlex.quote(str(tmp_path))} && env -i {exports} {command}")
    try:
        screen = pane.wait_text("Drop the legacy table", "👍", "a-command-long-enough", "journal: j.jsonl")
        lines = screen.splitlines()
        boxed = [line for line in lines if line[:1] in BOX]
        assert len(boxed) > 30, screen
        for line in boxed:  # the step list and a pane beside it: four borders, the last in the last column
            assert sum(line.count(mark) for mark in BOX) == 4 and line[-1] in BOX and cells(line) == 140, f"{line!r}\n{screen}"
        assert any("👍⟨U+1F3FB⟩" in line for line in boxed), screen
        assert "⚠ Drop ⚠ the ⚠ legacy ⚠ table" in lines[0] and lines[0].endswith("no change window"), lines[0]
    finally:
        subprocess.run(["tmux", "-S", str(pane.socket), "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(sockets, ignore_errors=True)
