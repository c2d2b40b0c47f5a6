"""The Summary's window verdict of a journal whose session never finished: its last event is judged, and said so.

Before, a journal cut before `session_finished` (a process that died, a run still going, a practice left open) read
`yes: started and ended inside the window`: an end that never happened, claimed to the change board.
"""

from __future__ import annotations

from pathlib import Path

from runbook_tui.cli import main as cli_main

DATA = Path(__file__).parent / "data"


def _window_line(journal: Path, out: Path) -> str:
    assert cli_main(["report", str(journal), "-o", str(out)]) == 0
    return next(line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| **Window**"))


def test_an_open_session_is_not_said_to_have_ended_inside_the_window(tmp_path: Path) -> None:
    lines = (DATA / "change.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "open.jsonl"
    cut.write_text("".join(lines[:40]), encoding="utf-8")  # a prefix keeps its hash chain: the session left open
    said = _window_line(cut, tmp_path / "open.md")
    assert "ended" not in said, said
    assert "yes so far: started inside the window, and the last event too (the session has not finished)" in said, said
    finished = _window_line(DATA / "change.jsonl", tmp_path / "whole.md")
    assert "yes: started and ended inside the window" in finished, finished
