"""The resumed rollback killed before it reached the undo the first process died in.

`exec --on-failure rollback` dies while the undo of 's4' runs (its outcome unknown); `resume --rollback` journals a
new `rollback_started` and dies before it starts that undo again (a kill -9 there leaves the journal as a cut after
that line does). The next look must still say the undo of 's4' ran and its outcome is unknown, not "not run yet", and
the report must read the same; `resume --rollback` then runs each undo that is left once.
"""

from __future__ import annotations

import json
from pathlib import Path

from fault_helpers import run
from test_fault_kill9_rollback import ledger, rollback_runbook


def _cut_after(journal: Path, out: Path, kind: str, nth: int, step: str | None = None) -> None:
    """Write to `out` the journal's lines up to and including the `nth` (1-based) `kind` event (of `step`)."""
    kept: list[bytes] = []
    seen = 0
    for line in journal.read_bytes().splitlines(keepends=True):
        kept.append(line)
        event = json.loads(line)
        if event["type"] == kind and (step is None or event.get("step") == step):
            seen += 1
            if seen == nth:
                break
    assert seen == nth, f"no {kind} number {nth} in {journal}"
    out.write_bytes(b"".join(kept))
    out.chmod(0o600)


def test_a_resumed_rollback_killed_before_the_unknown_undo_still_says_that_undo_is_unknown(tmp_path: Path) -> None:
    rb = rollback_runbook(tmp_path, "kill9-resumed-rollback", blocking="none")
    whole = tmp_path / "whole.jsonl"
    done = run(tmp_path, "exec", str(rb), "--solo", "a kill -9 in the rollback", "--on-failure", "rollback", "--journal", str(whole))
    assert done.returncode == 1, done.stdout + done.stderr
    first = tmp_path / "first.jsonl"  # exec died while the undo of s4 ran
    _cut_after(whole, first, "undo_started", 1, step="s4")
    resumed = run(tmp_path, "resume", str(first), "--headless", "--rollback")
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr
    journal = tmp_path / "j.jsonl"  # the resume died right after its rollback_started
    _cut_after(first, journal, "rollback_started", 2)
    (tmp_path / "ledger").unlink()

    look = run(tmp_path, "resume", str(journal), "--headless")
    assert "the undo of 's4' was running: its outcome is unknown, and nothing stopped it: it may still be running" in look.stdout, look.stdout
    assert "not run yet: s3, s2" in look.stdout, look.stdout
    assert "--rollback runs what is left; 's4' runs again" in look.stdout, look.stdout
    assert not ledger(tmp_path), "a look ran something"

    report = json.loads(run(tmp_path, "report", str(journal), "--format", "json").stdout)
    first_rollback, second = (([(u["step"], u["status"]) for u in r["undo"]], r["finished_at"]) for r in report["rollbacks"])
    assert first_rollback == ([("s5", "ok"), ("s4", "unknown"), ("s3", "not run"), ("s2", "not run")], None), first_rollback
    assert second == ([("s4", "not run"), ("s3", "not run"), ("s2", "not run")], None), second  # the resumed one, cut before its undos

    again = run(tmp_path, "resume", str(journal), "--headless", "--rollback")
    assert again.returncode == 1, again.stdout + again.stderr
    assert ledger(tmp_path) == {"undo-s4": 1, "undone-s4": 1, "undo-s3": 1, "undone-s3": 1, "undo-s2": 1, "undone-s2": 1}
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
