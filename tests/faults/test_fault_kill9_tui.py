"""kill -9 of the TUI (`runbook-tui run` on a real pty) where a person was in the middle of something, then `resume`:
what it says must be where things stand, nothing may run on its own, and the journal must verify.

Before: killed with the acknowledgement of a `confirm` step open, the look said "--continue goes on with 'b'", and
--continue stopped at 'b' at once (a person acknowledges it; exit 1).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

from fault_helpers import Screen, env_for, of_type, raw_events, run, wait_until, write_runbook

CONFIRMED = {"id": "b", "title": "B cannot be undone", "run": "echo b >> log", "confirm": "This cannot be undone. Really?", "verify": "none"}
AFTER = {"id": "c", "title": "C", "run": "echo c >> log", "verify": "none"}


def killed_at(tmp_path: Path, steps: list[dict[str, object]], moves: list[tuple[str, bytes]], until: Callable[[Path], bool] | None = None) -> Path:
    """`run` on an 80x24 pty; for each move, once the screen shows its text, its key; then, once `until` holds of the
    journal, SIGKILL. The journal."""
    env = {**env_for(tmp_path), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    journal = tmp_path / "j.jsonl"
    screen = Screen(tmp_path, env, "run", str(write_runbook(tmp_path, "tui", steps)), "--solo", "kill test", "--journal", str(journal))
    try:
        for shown, key in moves:
            screen.wait_for(shown)
            if key:
                os.write(screen.fd, key)
        if until is not None:
            wait_until(lambda: until(journal), "the journal to hold what the kill waits for")
        os.kill(screen.pid, signal.SIGKILL)
        assert screen.exit_code() == -signal.SIGKILL
    finally:
        screen.close()
    verify = run(tmp_path, "journal", "verify", str(journal))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    return journal


def test_killed_with_a_confirm_open_resume_says_a_person_acknowledges_it_and_nothing_runs(tmp_path: Path) -> None:
    journal = killed_at(tmp_path, [CONFIRMED, AFTER], [("enter run it", b"\r"), ("This cannot be undone. Really?", b"")])
    assert not of_type(raw_events(journal), "step_started") and not (tmp_path / "log").exists()
    look = run(tmp_path, "resume", str(journal))
    assert look.returncode == 1, look
    assert (
        "Nothing was running when the program stopped. Next is 'b', whose confirm text a person acknowledges before it runs:"
        f" `runbook-tui resume {journal}` in a terminal, or --continue --ack-manual REASON." in look.stdout
    ), look.stdout
    assert "--continue goes on with 'b'" not in look.stdout
    going_on = run(tmp_path, "resume", str(journal), "--continue")
    assert going_on.returncode == 1 and "a confirm step is done by a person; --ack-manual REASON acknowledges it headless" in going_on.stdout, going_on
    assert not (tmp_path / "log").exists(), "nothing ran without the acknowledgement"
    acknowledged = run(tmp_path, "resume", str(journal), "--continue", "--ack-manual", "read by the tester")
    assert acknowledged.returncode == 0, acknowledged
    assert (tmp_path / "log").read_text().split() == ["b", "c"]
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0


def test_killed_after_a_stop_was_asked_resume_says_who_asked_it(tmp_path: Path) -> None:
    """k then y on a command that ignores TERM (the KILL comes 2 s later), and the program killed before that: the look
    said the step was running and may still run, and nothing of the stop the assignee had asked for."""
    stubborn = {"id": "s", "title": "Stubborn", "run": f"trap '' TERM; echo $$ > {tmp_path}/step.pid; echo started; exec sleep 120", "verify": "none"}
    journal = killed_at(
        tmp_path,
        [stubborn, AFTER],
        [("enter run it", b"\r"), ("started", b"k"), ("y stop it", b"y")],
        until=lambda j: any(e.get("request") == "stop" for e in of_type(raw_events(j), "note", step="s")),
    )
    pid = int((tmp_path / "step.pid").read_text())
    try:
        look = run(tmp_path, "resume", str(journal))
        assert look.returncode == 1, look
        assert "'s' was running when the program stopped; its outcome is unknown. Nothing was re-run.\n  fault-tester at " in look.stdout, look.stdout
        assert " asked to stop it (k); the program stopped before it had ended\n" in look.stdout, look.stdout
        assert "it may still be running on local" in look.stdout
    finally:
        os.kill(pid, signal.SIGKILL)


def test_killed_while_paused_resume_says_it_is_paused_and_nothing_runs(tmp_path: Path) -> None:
    journal = killed_at(tmp_path, [AFTER], [("enter run it", b"p"), ("PAUSED", b"")])
    assert of_type(raw_events(journal), "paused")
    look = run(tmp_path, "resume", str(journal))
    assert look.returncode == 1 and "The run is paused" in look.stdout and "--lift-pause REASON" in look.stdout, look
    going_on = run(tmp_path, "resume", str(journal), "--continue")
    assert going_on.returncode == 1 and not (tmp_path / "log").exists(), going_on
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
