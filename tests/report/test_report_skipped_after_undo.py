"""A step that failed, was undone by a rollback to the checkpoint, then skipped: its row says it was skipped, not that it
stands undone on some hosts only.

Found in a walk at the TUI: `slow` timed out, `u` rolled back to `cp` (its undo ended ok on local, its one host), the
assignee re-ran `one` and skipped `slow`. The report's row read `skipped; undone on local only`, words for a step
whose undo failed on its other hosts (the JSON's `undone_hosts`: "the undo ended ok on some hosts and failed on
others"), and the Summary's `not on every host` named it too.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.report import build_report, render

RUNBOOK = """\
runbook: 1
id: skip-after-undo
title: Skip after undo
sections:
  - id: b
    kind: backup
    steps:
      - {id: cp, title: Checkpoint, run: "echo cp", checkpoint: true, verify: none}
  - id: impl
    kind: implement
    steps:
      - {id: one, title: One, run: "echo one", undo: "echo undo-one", verify: none}
      - {id: slow, title: Slow, run: "echo slow; exit 3", undo: "echo undo-slow", verify: none}
      - {id: last, title: Last, run: "echo last", verify: none}
"""


def test_a_step_undone_then_skipped_is_not_said_undone_on_some_hosts_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    Path("rb.yaml").write_text(RUNBOOK, encoding="utf-8")
    journal = tmp_path / "j.jsonl"

    async def the_run() -> None:
        session = open_session(load("rb.yaml", {}), solo="walk", journal=str(journal))
        c, alice = session.controller, session.actor
        for _ in ("cp", "one", "slow"):
            assert c.run_current(alice).ok
            await c.wait_idle()
        assert c.state.steps["slow"].status == "failed"
        assert c.rollback(alice, "checkpoint", acknowledged=True, reason="slow failed").ok
        await c.wait_idle()
        assert c.state.steps["slow"].status == "undone" and c.state.current == "one"
        assert c.run_current(alice).ok
        await c.wait_idle()
        assert c.skip(alice, "slow is known to fail").ok
        assert c.run_current(alice).ok
        await c.wait_idle()
        c.finish(alice, "done")
        await session.close()

    asyncio.run(the_run())
    report = build_report(str(journal))
    md = render(report, "md")
    row = next(line for line in md.splitlines() if line.startswith("| 3 | slow: Slow |"))
    assert row.split(" | ")[4] == "skipped", row
    [summary] = [line for line in md.splitlines() if line.startswith("| **Steps** |")]
    assert "not on every host" not in summary and "only" not in summary, summary
    data = json.loads(render(report, "json"))
    [slow] = [s for s in data["steps"] if s["id"] == "slow"]
    assert slow["outcome"] == "skipped" and "undone_hosts" not in slow, slow
