"""End to end: the installed `runbook-tui` in a real terminal (tmux on a private socket), driven with
the documented keys; the assertions are on what a person reads in the pane.

The story: a step fails, `u` shows the undo list, `y` rolls back to the checkpoint, the cause is
fixed, `enter` runs the rest, the run finishes and `q` quits with exit code 0.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runbook_tui.engine.journal import read_events

#: The console script of the venv running the tests (what `pip install` put on PATH).
RUNBOOK_TUI = Path(sys.executable).parent / "runbook-tui"

#: `apply` fails while the file `broken` exists: the test "fixes" the cause by deleting it.
RUNBOOK = """\
runbook: 1
id: e2e-tmux
title: Raise the pool size (e2e)
ticket: {id: CHG-9, subject: pool size, assignee: alice, verifier: bob}
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - id: check
        title: Config parses
        run: echo check >> marks; echo config ok
  - id: backup
    title: Backup
    kind: backup
    steps:
      - id: backup
        title: Back up the config
        run: echo backup >> marks
        undo: echo undo-backup >> marks
        checkpoint: true
  - id: change
    title: Change
    kind: implement
    steps:
      - id: edit
        title: Edit the config
        run: echo edit >> marks
        undo: echo undo-edit >> marks
      - id: apply
        title: Reload the service
        run: echo apply >> marks; if [ -e broken ]; then echo reload refused; exit 4; fi; echo reloaded
        undo: echo undo-apply >> marks
  - id: verify
    title: Verify
    kind: verify
    steps:
      - id: healthy
        title: Service healthy
        run: echo healthy >> marks
"""


class Pane:
    """One tmux session on a private socket: send keys, read the screen."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", str(self.socket), *args], check=True, capture_output=True, text=True, timeout=30).stdout

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def wait_for(self, predicate: Callable[[str], bool], what: str, seconds: float = 60) -> str:
        """Poll the pane until `predicate(screen)` holds; fail with the last screen after `seconds`."""
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}; the pane shows:\n{screen}")

    def wait_text(self, *texts: str, seconds: float = 60) -> str:
        return self.wait_for(lambda screen: all(t in screen for t in texts), " and ".join(repr(t) for t in texts), seconds)


def row(screen: str, title: str) -> str:
    """The step table's line for a step title (the status glyph is before it); "" while it is not drawn."""
    for line in screen.splitlines():
        cells = line.split("│")
        if len(cells) > 2 and title in cells[1]:
            return cells[1]
    return ""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    return tmp_path


@pytest.fixture
def pane(workdir: Path) -> Iterator[Pane]:
    """`runbook-tui run` in a 140x45 tmux pane; its exit code lands in the file `rc`."""
    sockets = Path(tempfile.mkdtemp(prefix="rbt-tmux-"))  # short: a socket path has at most 107 bytes
    env = {
        "RUNBOOK_TUI_USER": "alice",
        "XDG_CONFIG_HOME": str(workdir / "xdg-config"),
        "XDG_STATE_HOME": str(workdir / "xdg-state"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(workdir)),
        "LANG": "C.UTF-8",
    }
    command = f"{shlex.quote(str(RUNBOOK_TUI))} run runbook.yaml --solo 'e2e test' --journal j.jsonl; echo $? > rc"
    exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    shell = f"cd {shlex.quote(str(workdir))} && env -i {exports} sh -c {shlex.quote(command)}"
    pane = Pane(sockets / "sock")
    pane.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "140", "-y", "45", shell)
    try:
        yield pane
    finally:
        subprocess.run(["tmux", "-S", str(pane.socket), "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(sockets, ignore_errors=True)


def test_fail_roll_back_fix_and_finish_in_a_real_terminal(workdir: Path, pane: Pane) -> None:
    (workdir / "broken").touch()
    screen = pane.wait_text("CHG-9", "Raise the pool size (e2e)", "⏎ run", "journal: j.jsonl")
    assert "SOLO (e2e test)" in screen

    for title in ("Config parses", "Back up the config", "Edit the config"):
        pane.send("Enter")
        pane.wait_for(lambda s, title=title: "✓" in row(s, title), f"'{title}' done")
    pane.send("Enter")
    # The status row and the output pane's lines (the step's output, its exit code) may be a frame apart: all waited for.
    screen = pane.wait_text("'apply' FAILED", "u roll back", "reload refused", "exit code 4")
    assert "✗" in row(screen, "Reload the service")

    pane.send("u")
    screen = pane.wait_text("Roll back to the last checkpoint (backup)", "y start this rollback")
    # Each undo: "N  step on host", its command on the line below.
    listed = [match.groups() for match in re.finditer(r"(\d+)  (\w+)(?: \(step failed\))? on local[^\n]*\n[^\n]*?(echo undo-\w+)", screen)]
    assert listed == [("1", "apply", "echo undo-apply"), ("2", "edit", "echo undo-edit")], screen
    assert "apply (step failed)" in screen
    assert "undo-backup" not in screen  # the checkpoint itself stays

    pane.send("y")
    # The output pane's line may come one output frame after the rows it changed: both are waited for.
    pane.wait_for(
        lambda s: "↶" in row(s, "Edit the config") and "↶" in row(s, "Reload the service") and "rollback finished" in s,
        "both steps undone and 'rollback finished' in the output",
    )

    (workdir / "broken").unlink()  # the cause, fixed by hand
    for title in ("Edit the config", "Reload the service", "Service healthy"):
        pane.send("Enter")
        pane.wait_for(lambda s, title=title: "✓" in row(s, title) or "Post-change review" in s, f"'{title}' done")
    pane.wait_text("Post-change review (the run ended: done)")
    pane.send("Escape")  # no review this time
    # Wait until the review is gone: the status line says "Session finished" behind it already, and a `q`
    # sent right after Escape would reach the terminal as alt+q.
    screen = pane.wait_for(lambda s: "Session finished: done" in s and "Post-change review" not in s, "the review closed")
    for title in ("Config parses", "Back up the config", "Edit the config", "Reload the service", "Service healthy"):
        assert "✓" in row(screen, title), title

    pane.send("q")
    deadline = time.monotonic() + 60
    while not (workdir / "rc").exists() or not (workdir / "rc").read_text().strip():
        assert time.monotonic() < deadline, f"runbook-tui did not exit; the pane shows:\n{pane.screen()}"
        time.sleep(0.2)
    assert (workdir / "rc").read_text().strip() == "0"
    assert (workdir / "marks").read_text().split() == [
        "check", "backup", "edit", "apply", "undo-apply", "undo-edit", "edit", "apply", "healthy",
    ]  # fmt: skip
    read = read_events(workdir / "j.jsonl")
    assert read.intact
    assert [e["outcome"] for e in read.events if e["type"] == "session_finished"] == ["done"]


#: The demo's steps up to the guard's pause, with whether each has an undo the pane must show under its command
#: (None: a wait, no command).
DEMO_STEPS: list[tuple[str, bool | None]] = [
    ("config-parses", False), ("config-sum", False), ("healthy", False), ("disk-space", False),
    ("backup-config", True), ("set-pool-size", True), ("reload", True), ("settle", None),
]  # fmt: skip


def test_the_demo_walked_at_80x24_shows_each_command_its_undo_and_output_up_to_the_rollback(tmp_path: Path) -> None:
    """Issue 16's "done when": at 80x24 the demo is walked to a rollback with nothing scrolled but the output, and the
    command about to run, its undo and the last output lines are in view at every step. The detail pane says
    `▼ N more lines` when a step does not fit: it must never say it on this walk (set-pool-size's four-line command
    and backup-config's undo did not fit; the pane hid the undo)."""
    sockets = Path(tempfile.mkdtemp(prefix="rbt-demo-"))
    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", str(tmp_path)), "LANG": "C.UTF-8"}  # fmt: skip
    exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    shell = f"cd {shlex.quote(str(tmp_path))} && env -i {exports} {shlex.quote(str(RUNBOOK_TUI))} demo"
    pane = Pane(sockets / "sock")
    pane.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "80", "-y", "24", shell)
    try:
        pane.wait_text("press enter to start")
        pane.send("Enter")
        for number, (step, has_undo) in enumerate(DEMO_STEPS, start=1):
            screen = pane.wait_text(f"step {number}/12", step)
            lines = screen.splitlines()
            assert "more lines" not in screen, f"'{step}': the pane hides part of the step at 80x24:\n{screen}"
            undo = next((line for line in lines if line.startswith(" undo: ")), None)
            if has_undo is None:
                assert "wait 3s" in screen and undo is None, screen
            else:
                assert any(line.startswith(" run:  ") for line in lines), screen
                assert undo is not None and (undo != " undo: (none)") == has_undo, screen
            output = next(i for i, line in enumerate(lines) if line.startswith("─output─"))
            metrics = next(i for i, line in enumerate(lines) if line.startswith("─metrics─"))
            assert metrics - output - 1 >= 6, f"'{step}': fewer than six output lines:\n{screen}"
            pane.send("Enter")
        pane.wait_text("PAUSED: guard 'errors' tripped", "u roll back")
        pane.send("u")
        screen = pane.wait_text("Roll back to the last checkpoint (backup-config)", "y start this rollback")
        pane.send("y")
        screen = pane.wait_text("Rolled back to backup-config", "rollback finished")
        lines = screen.splitlines()
        assert any(line.startswith(" undo: cp -p var/backups/app.conf.") for line in lines), screen  # set-pool-size is next again
    finally:
        subprocess.run(["tmux", "-S", str(pane.socket), "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(sockets, ignore_errors=True)
