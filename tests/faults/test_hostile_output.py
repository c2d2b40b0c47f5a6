"""Hostile command output: binary, invalid UTF-8 and terminal escape sequences. The journal stays valid
UTF-8 JSON that verifies (with replacement characters), and the screen shows the output without letting
it repaint anything outside the output pane: through `exec`, through the TUI (Pilot) and in a real
terminal (tmux)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Log

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.journal import read_events, verify
from runbook_tui.ui.app import RunbookApp

RUNBOOK_TUI = Path(sys.executable).parent / "runbook-tui"

RUNBOOK = r"""runbook: 1
id: hostile-output
title: Hostile output
ticket: {id: CHG-666, subject: hostile output, assignee: alice, verifier: bob}
sections:
  - id: s
    title: Noise
    kind: precheck
    steps:
      - id: binary
        title: Binary blob
        run: head -c 4096 /dev/urandom; echo; echo binary-done
      - id: invalid
        title: Invalid UTF-8
        run: printf '\377\376 half \342\202 end\n'; printf '\377' >&2
      - id: escapes
        title: Escape sequences
        run: printf '\033[2J\033[H\033]0;pwned\007\033[31mred\033[0m \033[10;10Hmoved \033[?1049h\033[?1049l\033[?25l\033[999B\033[Kdel\177 csi\302\233 bell\007 end\n'; echo escapes-done
      - id: last
        title: Keep the run open
        note: Nothing to do; the run stays open so the screen stays the run screen.
"""

CONTROL = {chr(c) for c in range(0x20) if c != 0x09} | {"\x7f"} | {chr(c) for c in range(0x80, 0xA0)}


def check_journal(path: Path) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # strict: the journal is UTF-8
    for line in text.split("\n")[:-1]:  # lines end at "\n" only: str.splitlines would also cut at U+2028 or \x85 inside a string
        json.loads(line)
    read = verify(path)
    assert read.intact, read.problems or read.unreadable
    return list(read.events)


def outputs(events: list[dict[str, Any]], step: str) -> str:
    return "".join(e["text"] for e in events if e["type"] == "output" and e["step"] == step)


def test_exec_journals_binary_and_invalid_utf8_safely(tmp_path: Path) -> None:
    (tmp_path / "runbook.yaml").write_text(RUNBOOK, encoding="utf-8")
    env = {**os.environ, "RUNBOOK_TUI_USER": "alice", "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "--solo", "fault test", "--journal", "j.jsonl", "--ack-manual", "fault test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
    )
    said = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 0, said
    assert "Traceback" not in said
    events = check_journal(tmp_path / "j.jsonl")
    assert [e["status"] for e in events if e["type"] == "step_finished"][:3] == ["done", "done", "done"]
    assert "\ufffd" in outputs(events, "binary") and "binary-done" in outputs(events, "binary")
    invalid = outputs(events, "invalid")
    assert invalid.startswith("\ufffd\ufffd half \ufffd end"), invalid
    assert "escapes-done" in outputs(events, "escapes")
    assert "binary-done" in said and "escapes-done" in said  # and shown
    assert subprocess.run([sys.executable, "-m", "runbook_tui", "journal", "verify", "j.jsonl"], cwd=tmp_path, capture_output=True, timeout=60).returncode == 0


def make_app(folder: Path) -> RunbookApp:
    (folder / "runbook.yaml").write_text(RUNBOOK, encoding="utf-8")
    loaded = load(str(folder / "runbook.yaml"), {})

    def starter(override: str | None) -> Session:
        return open_session(loaded, mode="live", solo="fault test", journal=str(folder / "j.jsonl"), override_window=override, settings=Settings(), now=None)

    return RunbookApp(starter)


async def until(pilot: Any, predicate: Any, what: str, seconds: float = 60.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.asyncio
async def test_the_tui_shows_hostile_output_without_control_characters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", "the run screen")
        controller = app.handle.controller
        run_screen = app.screen
        for step in ("binary", "invalid", "escapes"):
            await until(pilot, lambda step=step: controller.state.current == step and not controller.busy, f"{step} to be current")
            await pilot.press("enter")
            await until(pilot, lambda step=step: controller.state.steps[step].status == "done" and not controller.busy, f"{step} done")
        log = run_screen.query_one("#output", Log)
        await until(pilot, lambda: any("escapes-done" in line for line in log.lines), "the output on screen")
        shown = re.sub(r"\n *↪ ", "", "\n".join(log.lines))  # long lines wrap on screen with a ↪ marker: read them whole
        assert "binary-done" in shown and "\ufffd\ufffd half" in shown
        bad = {c for line in log.lines for c in line if c in CONTROL}
        assert not bad, sorted(hex(ord(c)) for c in bad)
        assert "␛[2J␛[H␛]0;pwned␇" in shown  # made visible, not dropped: the reader sees what was printed
        assert "del␡" in shown
    events = check_journal(tmp_path / "j.jsonl")
    assert "\x1b[2J" in outputs(events, "escapes")  # the journal keeps the bytes as they were (as JSON escapes)


def test_a_real_terminal_keeps_its_header_and_footer_after_escape_sequences(tmp_path: Path) -> None:
    (tmp_path / "runbook.yaml").write_text(RUNBOOK, encoding="utf-8")
    sockets = Path(tempfile.mkdtemp(prefix="rbt-f-"))
    socket = sockets / "sock"
    env = {
        "RUNBOOK_TUI_USER": "alice",
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
    }
    command = f"{shlex.quote(str(RUNBOOK_TUI))} run runbook.yaml --solo 'fault test' --journal j.jsonl; echo $? > rc"
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    shell = f"cd {shlex.quote(str(tmp_path))} && env -i {exports} sh -c {shlex.quote(command)}"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-S", str(socket), *args], check=True, capture_output=True, text=True, timeout=30).stdout

    def wait(predicate: Any, what: str, seconds: float = 60) -> str:
        deadline, screen = time.monotonic() + seconds, ""
        while time.monotonic() < deadline:
            screen = tmux("capture-pane", "-p", "-t", "t")
            if predicate(screen):
                return screen
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}; the pane shows:\n{screen}")

    tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "140", "-y", "45", shell)
    try:
        first = wait(lambda s: "CHG-666" in s and "journal: j.jsonl" in s, "the run screen")
        header_line = next(line for line in first.splitlines() if "CHG-666" in line)
        for done_text in ("── binary done", "── invalid done", "── escapes done"):
            tmux("send-keys", "-t", "t", "Enter")
            wait(lambda s, t=done_text: t in s, done_text)
        # The frame that shows escapes-done also drew the escapes' line: had they reached the terminal, the
        # header would be cleared (2J) and the app would be off the alternate screen (?1049l) by now.
        screen = wait(lambda s: "local │ escapes-done" in s, "the escapes output")
        lines = screen.splitlines()
        assert len(lines) >= 40, screen
        assert header_line in screen, screen  # the header is where it was, intact
        assert "journal: j.jsonl" in screen and any("help" in line for line in lines[-3:]), screen  # footer keys
        assert "␛[2J" in screen, "\n" + screen  # the sequence is shown, not executed
        assert "\x1b" not in screen
        assert tmux("display-message", "-p", "-t", "t", "#{pane_title}").strip() != "pwned"
        assert tmux("display-message", "-p", "-t", "t", "#{alternate_on}").strip() == "1", "the output's ESC[?1049l took the app off the alternate screen"
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(sockets, ignore_errors=True)
    assert read_events(tmp_path / "j.jsonl").intact
