"""SIGTERM to the demo's screen (README, Usage: "SIGTERM, a hang-up or ctrl-c ends a run command (`run`, `exec`,
`resume`, `rehearse`, `demo`) with `1`"). Walked in tmux in session 38: `kill -TERM` of `runbook-tui demo` left its
run open, the journal said so, and the demo exited 0, as for a run it finished: to `timeout 600 runbook-tui demo` or
any script, the stopped demo read as done. The demo still counts its own run's 1 (rolled back, left with `q`) as 0."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from fault_helpers import Screen, env_for


def test_sigterm_to_the_demos_screen_exits_1_as_the_readme_says(tmp_path: Path) -> None:
    env = {**env_for(tmp_path), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    screen = Screen(tmp_path, env, "demo")
    try:
        screen.wait_for("press enter to start")
        os.write(screen.fd, b"\r")
        screen.wait_for("config-parses", timeout=60)  # the run screen is up, its first step next
        os.kill(screen.pid, signal.SIGTERM)
        code = screen.exit_code()
        assert code == 1, f"the demo a SIGTERM stopped exited {code}; drawn: {screen.seen[-600:]!r}"
    finally:
        screen.close()
