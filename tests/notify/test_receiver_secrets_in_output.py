"""The receivers' secrets are in the environment every step inherits: a step printing them shows `***`.

A webhook URL and header token read with `{env: VAR}` (the runbook's `notify:` and the settings'), not declared
under `secrets:`: only the notifier knew them, so the journal writer let them through.
"""

from __future__ import annotations

import json
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


def _exec(runbook: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    journal = runbook.with_name("exec.jsonl")
    args = ["exec", str(runbook), "--solo", "test", "--journal", str(journal)]
    return subprocess.run([sys.executable, "-m", "runbook_tui", *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60), journal


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
    hook_url = hook.url.replace("/hook", f"/{HOOK_PATH}?mode=live")  # a part spelled like a journal word stays unmasked
    ran, journal = _exec(runbook, RUNBOOK_TUI_SETTINGS=str(settings), RBT_HOOK_URL=hook_url, RBT_HOOK_TOKEN=HOOK_TOKEN, RBT_SETTINGS_TOKEN=SETTINGS_TOKEN)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert not verify(journal).problems
    hook.wait_for(lambda r: len(r.requests) >= 2, what="both session_finished notices")
    assert {r.path for r in hook.requests} == {"/hook", f"/{HOOK_PATH}?mode=live"}, "both receivers were reached with their secrets"
    started = json.loads(journal.read_text(encoding="utf-8").splitlines()[0])
    assert started["type"] == "session_started" and started["mode"] == "live", started
    assert "local | RBT_HOOK_TOKEN=***" in ran.stdout and "local | RBT_HOOK_URL=***" in ran.stdout, ran.stdout
    assert "local | RBT_SETTINGS_TOKEN=***" in ran.stdout, ran.stdout
    written = journal.read_text(encoding="utf-8") + ran.stdout + ran.stderr
    for secret in ("hookpath7788", HOOK_TOKEN, SETTINGS_TOKEN):
        assert secret not in written, f"{secret} leaked:\n{written}"


@pytest.mark.parametrize(("value", "words"), [("done", "is part of a word the journal writes whole"), ("abc", "is only 3 characters")])
def test_a_receiver_secret_the_journal_cannot_mask_leaves_that_receiver_out(
    tmp_path: Path, receiver: Callable[[str], Receiver], value: str, words: str
) -> None:
    """Masked in the journal too now, a receiver's secret spelled `done` would hide every step's status. Before (once
    masked): the step that succeeded was journaled `***` and the run aborted; `abc` was never masked at all."""
    hook = receiver("ok")
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(
        f"""
runbook: 1
id: receiver-short
title: Receiver short
notify:
  - {{url: "{hook.url}", events: [session_finished], headers: {{X-Token: {{env: RBT_HOOK_TOKEN}}}}}}
sections:
  - {{id: s, title: S, kind: verify, steps: [{{id: one, title: One, run: "echo fine", verify: none}}]}}
""",
        encoding="utf-8",
    )
    ran, journal = _exec(runbook, RBT_HOOK_TOKEN=value)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    events = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"
    [error] = [e for e in events if e["type"] == "error"]
    assert f"secret 'notify header X-Token' {words}" in error["message"] and error["message"].endswith("this receiver gets nothing")
    assert not hook.requests
