"""A step's text that uses `captured.NAME` before the capture exists reads, for the assignee and the verifier,
as where the value will come from (`⟨captured.backup: from step 'backup', not run yet⟩`), never as the raw
template; once the capture exists, the real value is shown and run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

RUNBOOK = """\
runbook: 1
id: pending
title: Pending captures
sections:
  - id: impl
    kind: implement
    steps:
      - id: backup
        title: Back up
        run: echo /var/backups/cfg-7
        capture: backup
        undo: echo "restore from {{ captured.backup }}" >> undo.log
        checkpoint: true
      - id: use
        title: Use the backup
        run: echo "using {{ captured.backup }}"; exit 3
        undo: echo undo-use >> undo.log
"""

WORDS = "⟨captured.backup: from step 'backup', not run yet⟩"


def test_a_capture_not_known_yet_reads_as_where_it_comes_from(
    run_cli: Callable[..., Any], write_runbook: Callable[..., Path], journal_events: Callable[[Path], list[dict[str, Any]]], tmp_path: Path
) -> None:
    write_runbook(RUNBOOK)
    proc = run_cli("exec", "runbook.yaml", "--solo", "test", "--on-failure", "abort", "--journal", "j.jsonl")
    assert proc.returncode != 0, proc.stderr  # 'use' fails, the whole change is rolled back
    events = journal_events(tmp_path / "j.jsonl")
    shown = [e for e in events if e["type"] in ("step_ready", "step_started")]
    backup = [e for e in shown if e["step"] == "backup"]
    assert backup, "no step_ready/step_started for 'backup'"
    for event in backup:  # before it ran, its undo needs its own capture
        assert event["undo"] == {"local": f'echo "restore from {WORDS}" >> undo.log'}, event
    uses = [e for e in shown if e["step"] == "use"]
    assert uses and all(e["commands"] == {"local": 'echo "using /var/backups/cfg-7"; exit 3'} for e in uses), uses
    assert not any("{{" in str(e) for e in shown), "a raw template reached a step_ready/step_started"
    # what runs uses the real value: the undo at the rollback, and the plan it showed
    [undo] = [e for e in events if e["type"] == "undo_started" and e["step"] == "backup"]
    assert undo["commands"] == {"local": 'echo "restore from /var/backups/cfg-7" >> undo.log'}
    assert (tmp_path / "undo.log").read_text(encoding="utf-8").splitlines() == ["undo-use", "restore from /var/backups/cfg-7"]
    [plan] = [e["plan"] for e in events if e["type"] == "rollback_started"]
    assert "⟨" not in str(plan)
