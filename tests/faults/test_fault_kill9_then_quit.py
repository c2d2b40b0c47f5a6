"""kill -9 while a step runs here, then a `resume` opened in a terminal and quit (q, y) with nothing run, then a look.

The quit journals the program's last word (`request: exit`: "resume was stopped by alice's quit (q) at 's' (nothing
was running)"). Before, the next look took that note for the one that stopped the step's attempt: it said the quit
had stopped the step, and, since a quit stops the program's own commands here, no longer said that the command the
killed process had started may still be running, though it was (a re-run would run it twice at once). The same for an
undo killed while it ran: the look said "the program stopped it as it left".
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from fault_helpers import Screen, alive, env_for, run, wait_until, write_runbook

AFTER = {"id": "c", "title": "C", "run": "echo c >> log", "verify": "none"}


def tui(tmp_path: Path, *args: str) -> Screen:
    return Screen(tmp_path, {**env_for(tmp_path), "TERM": "xterm-256color", "LANG": "C.UTF-8"}, *args)


def test_a_quit_after_the_kill_does_not_hide_that_the_command_may_still_run(tmp_path: Path) -> None:
    silent = {"id": "s", "title": "Silent", "run": f"echo $$ > {tmp_path}/step.pid; exec sleep 120", "verify": "none"}
    journal = tmp_path / "j.jsonl"
    screen = tui(tmp_path, "run", str(write_runbook(tmp_path, "quit", [silent, AFTER])), "--solo", "kill test", "--journal", str(journal))
    try:
        screen.wait_for("enter run it")
        os.write(screen.fd, b"\r")
        screen.wait_for("Running 's'")  # (said as the step starts: its shell may not be spawned yet)
        wait_until(lambda: bool((tmp_path / "step.pid").exists() and (tmp_path / "step.pid").read_text().strip()), "the step's command to start")
        _kill9(screen)
    finally:
        screen.close()
    pid = int((tmp_path / "step.pid").read_text())
    try:
        first = run(tmp_path, "resume", str(journal))
        assert "it may still be running on local" in first.stdout, first.stdout

        _quit_a_resume(tmp_path, journal, "UNKNOWN")

        assert alive(pid), "the killed process's command still runs"
        look = run(tmp_path, "resume", str(journal))
        assert look.returncode == 1, look
        assert "'s' was running when the program stopped; its outcome is unknown. Nothing was re-run." in look.stdout, look.stdout
        assert "Its command was not stopped with the program: it may still be running on local." in look.stdout, look.stdout
        # The quit is said as what it was, the last process's leaving with nothing running; not as what stopped the step.
        assert "Left at " in look.stdout and "quit (q) at 's' (nothing was running), as the journal's note says." in look.stdout, look.stdout
        assert "(nothing was running) at " not in look.stdout, look.stdout
        assert not (tmp_path / "log").exists()
    finally:
        os.kill(pid, signal.SIGKILL)


def test_a_quit_after_the_kill_during_an_undo_does_not_hide_that_the_undo_may_still_run(tmp_path: Path) -> None:
    steps = [
        {"id": "a", "title": "A", "run": "true", "undo": f"echo $$ > {tmp_path}/undo.pid; exec sleep 120", "verify": "none"},
        {"id": "b", "title": "B", "run": "exit 1", "verify": "none"},
    ]
    journal = tmp_path / "j.jsonl"
    screen = tui(tmp_path, "run", str(write_runbook(tmp_path, "undo-quit", steps)), "--solo", "kill test", "--journal", str(journal))
    try:
        screen.wait_for("enter run it")
        os.write(screen.fd, b"\r")
        screen.wait_for("Next: 'b'")
        os.write(screen.fd, b"\r")
        screen.wait_for("'b' FAILED")
        os.write(screen.fd, b"u")
        screen.wait_for("y start")
        os.write(screen.fd, b"y")
        wait_until(lambda: (tmp_path / "undo.pid").exists(), "the undo of 'a' to start")
        _kill9(screen)
    finally:
        screen.close()
    pid = int((tmp_path / "undo.pid").read_text())
    try:
        first = run(tmp_path, "resume", str(journal))
        assert "the undo of 'a' was running: its outcome is unknown, and nothing stopped it: it may still be running" in first.stdout, first.stdout

        _quit_a_resume(tmp_path, journal, "ROLLBACK DID NOT FINISH")

        assert alive(pid), "the killed process's undo still runs"
        look = run(tmp_path, "resume", str(journal))
        # Before: "…its outcome is unknown, and the program stopped it as it left" (the quit's note, after the kill).
        assert "the undo of 'a' was running: its outcome is unknown, and nothing stopped it: it may still be running" in look.stdout, look.stdout
    finally:
        os.kill(pid, signal.SIGKILL)


def _kill9(screen: Screen) -> None:
    os.kill(screen.pid, signal.SIGKILL)
    assert screen.exit_code() == -signal.SIGKILL


def _quit_a_resume(tmp_path: Path, journal: Path, shown: str) -> None:
    """`resume` in a terminal, once it shows `shown`, quit with q y: the later process's own leaving."""
    again = tui(tmp_path, "resume", str(journal))
    try:
        again.wait_for(shown)
        os.write(again.fd, b"q")
        again.wait_for("y quit now")
        os.write(again.fd, b"y")
        assert again.exit_code() == 1
    finally:
        again.close()
