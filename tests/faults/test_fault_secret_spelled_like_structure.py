"""A secret spelled like the journal's own words: masking must not change what the journal says happened.

Masking hides text; it must not hide structure. A secret `steps` or `outcome` (a field name) was masked in the
event's keys, and a secret `done` or `fail` (a status) in its values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_tui.engine.journal import verify
from runbook_tui.engine.redact import Redactor

RUNBOOK = """
runbook: 1
id: structure-words
title: Structure words
secrets:
  pw: {env: RBT_TEST_PW}
sections:
  - id: s
    title: S
    kind: verify
    steps:
      - {id: show-it, title: Show it, run: 'echo "the value is $RBT_TEST_PW"', verify: none}
"""


def _exec(tmp_path: Path, value: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(RUNBOOK, encoding="utf-8")
    journal = tmp_path / f"{value}.jsonl"
    env = dict(os.environ, RBT_TEST_PW=value)
    args = ["exec", str(runbook), "--solo", "test", "--journal", str(journal)]
    return subprocess.run([sys.executable, "-m", "runbook_tui", *args], env=env, capture_output=True, text=True, timeout=60), journal


def test_keys_are_never_masked_values_are() -> None:
    redactor = Redactor(["outcome", "hunter2pass"])
    assert redactor.value({"outcome": "done", "text": "outcome hunter2pass", "hosts": {"outcome": ["hunter2pass"]}}) == {
        "outcome": "done",
        "text": "*** ***",
        "hosts": {"outcome": ["***"]},
    }


@pytest.mark.parametrize("value", ["steps", "outcome", "attempt"])
def test_a_secret_spelled_like_a_field_name_leaves_the_journal_readable(tmp_path: Path, value: str) -> None:
    """Before: `steps` and `outcome` became `***` as keys: `exec` ended in an `UnreadableEvent` traceback (exit 1), and
    `journal verify` and `report` refused the journal (`session_started: plan.sections[0] is not as this program writes it`)."""
    ran, journal = _exec(tmp_path, value)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Traceback" not in ran.stderr
    assert not verify(journal).problems
    events = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"
    output = "".join(e["text"] for e in events if e["type"] == "output")
    assert output == "the value is ***\n"
    assert f"the value is {value}" not in journal.read_text(encoding="utf-8") + ran.stdout
    report = subprocess.run([sys.executable, "-m", "runbook_tui", "report", str(journal)], capture_output=True, text=True, timeout=60)
    assert report.returncode == 0, report.stderr


@pytest.mark.parametrize("value", ["done", "fail", "show-it", "local", "structure"])
def test_a_secret_inside_a_status_or_name_is_refused_before_anything_runs(tmp_path: Path, value: str) -> None:
    """Before: with `done` the finished step was journaled `"status": "***"`, so `exec` stopped the run (`step 'show-it'
    is ***`, outcome aborted, exit 1) after a step that had succeeded; `local` made every host `***`."""
    ran, journal = _exec(tmp_path, value)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "secret 'pw' is part of a word the journal writes whole" in ran.stderr
    assert "secrets missing" not in ran.stderr, "the secret was read: the message must not say it is missing"
    assert value not in ran.stderr.replace("secret 'pw'", ""), "the message does not tell the value"
    assert not journal.exists(), "nothing journaled, nothing run"
