"""The environment of alice's signed runs in the trust tests: her name, settings and state in the test's folder, no agent;
and a one-step change she runs and bob verifies."""

from __future__ import annotations

import os
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
