"""A capture holding a secret: the journal masks it, the next command still gets the value the step printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from runbook_tui.engine.journal import verify

SECRET = "hunter2-Pass.word"

RUNBOOK = """
runbook: 1
id: capture-secret
title: Capture holding a secret
secrets: {pw: {env: RBT_TEST_PW}}
sections:
  - id: check
    kind: verify
    title: Check
    steps:
      - {id: make-dsn, title: Make the DSN, run: 'echo "postgres://app:$RBT_TEST_PW@db1/app"', capture: dsn, verify: none}
      - id: use-dsn
        title: Use the DSN
        run: 'test "{{ captured.dsn }}" = "postgres://app:$RBT_TEST_PW@db1/app" && echo same value || { echo other value; exit 1; }'
        verify: none
"""


def test_the_next_command_gets_the_captured_secret_and_the_journal_shows_it_masked(tmp_path: Path) -> None:
    """Before: the capture came from the state, which holds the journal's masked text, so `use-dsn` compared
    `postgres://app:***@db1/app` with the real DSN: `other value`, exit 1, the run aborted."""
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(RUNBOOK, encoding="utf-8")
    journal = tmp_path / "exec.jsonl"
    ran = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", str(runbook), "--solo", "test", "--journal", str(journal)],
        env=dict(os.environ, RBT_TEST_PW=SECRET), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "local | same value" in ran.stdout
    assert not verify(journal).problems
    events = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    [made] = [e for e in events if e["type"] == "step_finished" and e["step"] == "make-dsn"]
    assert made["captured"] == {"dsn": "postgres://app:***@db1/app"}
    [started] = [e for e in events if e["type"] == "step_started" and e["step"] == "use-dsn"]
    assert 'test "postgres://app:***@db1/app"' in started["commands"]["local"], "the command as shown: masked"
    assert SECRET not in journal.read_text(encoding="utf-8") + ran.stdout + ran.stderr


def test_a_resumed_run_refuses_a_command_whose_capture_it_knows_only_masked(tmp_path: Path) -> None:
    """The process dies after the capture (`kill -9 $PPID`); the resumed run has the capture only from the journal.
    Before: `use-dsn` ran with `postgres://app:***@db1/app` in place of the DSN (here: `other value`, exit 1; in
    general, a command other than the runbook's)."""
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(
        RUNBOOK.replace("      - id: use-dsn", "      - {id: die, title: Die, run: 'kill -9 $PPID', verify: none}\n      - id: use-dsn"), encoding="utf-8"
    )
    journal = tmp_path / "exec.jsonl"
    env = dict(os.environ, RBT_TEST_PW=SECRET)
    first = [sys.executable, "-m", "runbook_tui", "exec", str(runbook), "--solo", "test", "--journal", str(journal)]
    subprocess.run(first, env=env, capture_output=True, text=True, timeout=60)
    resume = [sys.executable, "-m", "runbook_tui", "resume", str(journal), "--headless", "--mark-done", "it died on purpose", "--continue"]
    resumed = subprocess.run(resume, env=env, capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr
    assert "local | other value" not in resumed.stdout, "the command did not run"
    assert "captured.dsn held a secret, which the journal keeps masked ('postgres://app:***@db1/app')" in resumed.stdout
    assert not verify(journal).problems
    assert SECRET not in journal.read_text(encoding="utf-8") + resumed.stdout + resumed.stderr
