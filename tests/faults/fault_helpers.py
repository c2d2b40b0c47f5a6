"""Helpers for the fault-injection tests (tests/faults/test_fault_*.py): the real command line, run as a script would.

Every run gets its own XDG dirs and user name under the test's tmp_path, so no
test reads or writes the developer's settings or journals. Imported by name
(pytest puts this directory on sys.path; there is no __init__.py).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import yaml
from waiting import wait_until

from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import RunState, replay


def _command() -> list[str]:
    script = Path(sys.executable).with_name("runbook-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "runbook_tui"]


RUNBOOK_TUI = _command()


#: Not handed to the program: RUNBOOK_TUI_SETTINGS (the tests' own settings), and PYTHONUNBUFFERED, which a person's
#: shell does not set and a developer's may: with it a TUI whose terminal went away passed, without it (in CI) it
#: ended with exit 120, its buffered last words failing again as Python exited.
_NOT_PASSED = frozenset({"RUNBOOK_TUI_SETTINGS", "PYTHONUNBUFFERED"})


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_PASSED}
    env.update(
        XDG_STATE_HOME=str(tmp_path / "xdg-state"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        RUNBOOK_TUI_USER="fault-tester",
    )
    env.update(extra)
    return env


def run(tmp_path: Path, *args: str, timeout: float = 30, env: dict[str, str] | None = None, **popen: Any) -> subprocess.CompletedProcess[str]:
    """`runbook-tui ARGS` in tmp_path, output captured, stdin closed (headless)."""
    return subprocess.run(
        [*RUNBOOK_TUI, *args], cwd=tmp_path, env=env or env_for(tmp_path), capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL, **popen,
    )  # fmt: skip


def write_runbook(tmp_path: Path, name: str, steps: list[dict[str, Any]], **top: Any) -> Path:
    """A runbook of local steps in one implement section."""
    doc: dict[str, Any] = {"runbook": 1, "id": name, "title": f"faults: {name}"}
    doc.update(top)
    doc["sections"] = [{"id": "impl", "title": "Implement", "kind": "implement", "steps": steps}]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    return path


def raw_events(path: Path) -> list[dict[str, Any]]:
    """Every whole line of a journal, parsed; a torn last line is left out (no chain checks)."""
    out = []
    for line in path.read_bytes().splitlines(keepends=True):
        if line.endswith(b"\n"):
            out.append(json.loads(line))
    return out


def of_type(events: list[dict[str, Any]], kind: str, **match: Any) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind and all(e.get(k) == v for k, v in match.items())]


def state_of(path: Path) -> RunState:
    """The state rebuilt from the journal's events that hold together (what resume rebuilds)."""
    return replay(read_events(path).events)


SUMMARY_LINE = re.compile(r"^  (\S+(?: \S+)*)\s{2,}(\S+)$")


def printed_statuses(stdout: str, order: list[str]) -> dict[str, str]:
    """The step statuses `resume` printed in its summary ("  STATUS   STEP_ID"), in words (`event_words.status_words`)."""
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        m = SUMMARY_LINE.match(line)
        if m and m.group(2) in order and m.group(2) not in found:
            found[m.group(2)] = m.group(1)
    return found


__all__ = ["wait_until"]  # (tests/waiting.py's, as the fault tests import it from here)


def exec_killed_in_wait(tmp_path: Path, steps: list[dict[str, Any]], step: str = "soak") -> Path:
    """`exec` of `steps` (solo) killed with SIGKILL once the wait `step` has started; its journal."""
    journal = tmp_path / "j.jsonl"
    argv = [*RUNBOOK_TUI, "exec", str(write_runbook(tmp_path, step, steps)), "--solo", "t", "--journal", str(journal)]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: journal.exists() and of_type(raw_events(journal), "step_started", step=step) != [], f"exec's start of the wait {step!r}", alive=proc)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    return journal


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


#: Terminal escape sequences (CSI, OSC, two-byte ones) dropped from what a screen draws, leaving its text.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


class Screen:
    """`runbook-tui ARGS` with an 80x24 pty as its controlling terminal; what it draws is read, its text kept in `seen`
    (escape sequences dropped, the last 64 KiB) for `wait_for`."""

    def __init__(self, cwd: Path, env: dict[str, str], *args: str) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: nothing but exec (the test process has threads)
            try:
                os.chdir(cwd)
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
                os.execve(RUNBOOK_TUI[0], [*RUNBOOK_TUI, *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd, self.code = pid, fd, None
        self.seen = ""

    def drain(self, seconds: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            try:
                drawn = os.read(self.fd, 65536)
            except OSError:  # EIO: the terminal closed with the process
                time.sleep(seconds)
                return
            self.seen = (self.seen + ESCAPES.sub("", drawn.decode("utf-8", "replace")))[-65536:]

    def wait_for(self, text: str, timeout: float = 30) -> None:
        """Until `text` was drawn (words a screen draws in one go: a dialog's title, a status)."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            assert time.monotonic() < deadline, f"timed out waiting for the screen to show {text!r}; last drawn: {self.seen[-400:]!r}"
            self.drain(0.1)

    def exit_code(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
                return self.code
            assert time.monotonic() < deadline, "the TUI did not exit after the signal"
            self.drain(0.05)

    def close(self) -> None:
        if self.code is None and os.waitpid(self.pid, os.WNOHANG)[0] == 0:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
