"""Bytes from the terminal that are not UTF-8 are read as U+FFFD, never a crash.

A paste of a log line holding a byte that is not UTF-8 (`0xff`, a cut sequence), or `é` typed in a terminal set to
Latin-1 (one byte, `0xe9`), ended `runbook-tui run` with Textual's crash report, `UnicodeDecodeError: 'utf-8' codec
can't decode byte 0xff`, exit 1, the run left for `resume`. Walked in a real tmux: the note dialog takes the text with
`�` in each such byte's place, and the journal keeps that (valid UTF-8, no lone surrogate).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from runbook_tui.engine.journal import read_events
from tests.e2e.test_tmux import RUNBOOK_TUI, Pane

RUNBOOK = """\
runbook: 1
id: bytes
title: Undecodable input
sections:
  - id: main
    steps:
      - {id: one, title: First step, run: "true"}
"""


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    sockets = Path(tempfile.mkdtemp(prefix="rbt-bytes-"))
    env = {
        "RUNBOOK_TUI_USER": "alice",
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
    }
    command = f"{shlex.quote(str(RUNBOOK_TUI))} run runbook.yaml --solo 'bytes test' --journal j.jsonl; echo ended $?"
    exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    pane = Pane(sockets / "sock")
    pane.tmux(
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "100",
        "-y",
        "30",
        f"cd {shlex.quote(str(tmp_path))} && env -i {exports} sh -c {shlex.quote(command)}; sleep 60",
    )
    try:
        yield pane
    finally:
        subprocess.run(["tmux", "-S", str(pane.socket), "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(sockets, ignore_errors=True)


def test_a_pasted_and_a_typed_byte_that_is_not_utf8_reach_the_note_as_replacement_characters(tmp_path: Path, pane: Pane) -> None:
    pane.wait_text("Undecodable input", "⏎ run")
    pane.send("n")
    pane.wait_text("Add a note")
    (tmp_path / "paste").write_bytes(b"log: a\xffb \xe2\x82(cut)")
    pane.tmux("load-buffer", "-t", "t", str(tmp_path / "paste"))
    pane.tmux("paste-buffer", "-p", "-t", "t")  # bracketed, as a terminal pastes
    # ` été!` typed in a Latin-1 terminal: one byte each é (the first byte of a 3-byte sequence: shown once the next comes)
    pane.tmux("send-keys", "-t", "t", "-H", "20", "e9", "74", "e9", "21")
    screen = pane.wait_for(lambda s: "t�!" in s or "ended" in s or "Error" in s, "the typed bytes in the field")
    assert "ended" not in screen and "Error" not in screen, f"the app ended:\n{screen}"
    pane.send("Enter")
    screen = pane.wait_for(lambda s: "note by alice" in s or "ended" in s, "the note in the output")
    assert "ended" not in screen and "Error" not in screen, f"the app ended:\n{screen}"
    notes = [e["text"] for e in read_events(tmp_path / "j.jsonl").events if e["type"] == "note"]
    assert notes == ["log: a\ufffdb \ufffd(cut) \ufffdt\ufffd!"], notes
