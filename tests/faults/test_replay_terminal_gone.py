"""`replay JOURNAL` whose terminal goes away (its window closed, the pty's master closed without a SIGHUP): it ends with
exit 0, the spec's one code for replay (nothing ran), as `join` does.

Before: exit 120 (`Exception ignored ... OSError: [Errno 5]`): nothing is printed after replay's screen closes, but the
screen's own last writes (leaving the alternate screen, the cursor shown), buffered for the dead terminal, failed again
as Python exited. Started without PYTHONUNBUFFERED, as a person's shell and CI start it (env_for)."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, run, write_runbook


def test_replay_whose_terminal_went_away_ends_with_exit_0(tmp_path: Path) -> None:
    env = {**env_for(tmp_path), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    journal = tmp_path / "j.jsonl"
    runbook = write_runbook(tmp_path, "echo", [{"id": "hello", "title": "Say hello", "run": "echo hello"}])
    made = run(tmp_path, "exec", str(runbook), "--solo", "replay test", "--journal", str(journal))
    assert made.returncode == 0, made.stderr
    screen, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    # its own session (no controlling terminal: no SIGHUP comes), stdin, stdout and stderr on the terminal
    replaying = subprocess.Popen(
        [*RUNBOOK_TUI, "replay", str(journal)], cwd=tmp_path, env=env, stdin=terminal, stdout=terminal, stderr=terminal, start_new_session=True
    )
    os.close(terminal)
    try:
        deadline, drawn = time.monotonic() + 60, b""
        while b"REPLAY, nothing runs" not in drawn:
            assert time.monotonic() < deadline and replaying.poll() is None, f"the replay never showed: {drawn[-2000:]!r}"
            if select.select([screen], [], [], 0.2)[0]:
                drawn += os.read(screen, 65536)  # what replay draws: read, as a terminal does
        os.close(screen)  # the window closed
        screen = -1
        try:
            code = replaying.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError("replay went on after its terminal went away") from None
        assert code == 0, f"replay ended with {code}"  # the spec's code for replay (before: 120)
    finally:
        if screen >= 0:
            os.close(screen)
        replaying.kill()
        replaying.wait()
