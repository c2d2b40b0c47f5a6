"""The receivers' secrets are in the environment every step inherits: a step printing them shows `***`.

A webhook URL and header token read with `{env: VAR}` (the runbook's `notify:` and the settings'), not declared
under `secrets:`: only the notifier knew them, so the journal writer let them through.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import Receiver

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers

HOOK_PATH = "services/T0/B0/hookpath7788"
HOOK_TOKEN = "hook-token-5566"
SETTINGS_TOKEN = "settings-token-1234"


def test_a_step_printing_the_receivers_secrets_from_its_environment_shows_them_masked(tmp_path: Path, receiver: Callable[[str], Receiver]) -> None:
    """Before: `env | grep RBT_` printed `RBT_HOOK_URL=http://127.0.0.1:PORT/services/T0/B0/hookpath7788`,
    `RBT_HOOK_TOKEN=hook-token-5566` and the settings' token whole, in `exec`'s stdout and the journal's `output`."""
    hook = receiver("ok")
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(
        """
runbook: 1
id: receiver-secrets
title: Receiver secrets
notify:
  - url: {env: RBT_HOOK_URL}
    events: [session_finished]
    headers: {Authorization: {env: RBT_HOOK_TOKEN, prefix: "Bearer "}}
sections:
  - id: s
    title: S
    kind: verify
    steps:
      - {id: show-env, title: Show env, run: "env | grep '^RBT_' | sort", verify: none}
""",
        encoding="utf-8",
    )
    settings = tmp_path / "settings.yaml"
    settings.write_text(
        f"notify:\n  - url: {hook.url}\n    events: [session_finished]\n    headers: {{X-Token: {{env: RBT_SETTINGS_TOKEN}}}}\n", encoding="utf-8"
    )
    journal = tmp_path / "exec.jsonl"
    hook_url = hook.url.replace("/hook", f"/{HOOK_PATH}")
    env = dict(os.environ, RUNBOOK_TUI_SETTINGS=str(settings), RBT_HOOK_URL=hook_url, RBT_HOOK_TOKEN=HOOK_TOKEN, RBT_SETTINGS_TOKEN=SETTINGS_TOKEN)
    ran = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", str(runbook), "--solo", "test", "--journal", str(journal)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert not verify(journal).problems
    hook.wait_for(lambda r: len(r.requests) >= 2, what="both session_finished notices")
    assert {r.path for r in hook.requests} == {"/hook", f"/{HOOK_PATH}"}, "both receivers were reached with their secrets"
    assert "local | RBT_HOOK_TOKEN=***" in ran.stdout and "local | RBT_HOOK_URL=***" in ran.stdout, ran.stdout
    assert "local | RBT_SETTINGS_TOKEN=***" in ran.stdout, ran.stdout
    written = journal.read_text(encoding="utf-8") + ran.stdout + ran.stderr
    for secret in ("hookpath7788", HOOK_TOKEN, SETTINGS_TOKEN):
        assert secret not in written, f"{secret} leaked:\n{written}"
