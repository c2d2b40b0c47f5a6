"""The environment of alice's signed runs in the trust tests: her name, settings and state in the test's folder, no agent;
a one-step change she runs and bob verifies; and one she runs alone, signed, with `run_as_alice`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def alice_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(XDG_CONFIG_HOME=str(folder / "cfg"), XDG_STATE_HOME=str(folder / "state"), SSH_AUTH_SOCK="", RUNBOOK_TUI_USER="alice")
    return env


#: A one-step change alice runs and bob verifies: what the tests that sign it need, no more.
UPGRADE = """\
runbook: 1
id: signed-upgrade
title: Upgrade
ticket:
  id: CHG-1
  assignee: alice
  verifier: bob
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Install
        run: echo installing
        undo: echo removing
"""


#: A one-step change with no ticket, which alice runs `--solo` and signs (her journal's report and verify tests).
ONE_STEP = """\
runbook: 1
id: signers
title: The run's signers
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
"""


def run_as_alice(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """`runbook-tui ARGV` in `folder` as alice (`alice_env`)."""
    return subprocess.run([sys.executable, "-m", "runbook_tui", *argv], cwd=folder, env=alice_env(folder), capture_output=True, text=True, timeout=120)
