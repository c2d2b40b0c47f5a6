"""A dry run executes nothing, so it does not wait out a `wait:` step either (it sat through the whole wait), nor judge
a command's `expect.exit` and `expect.stdout` against its own `[dry-run] would run …` line, exit 0 (it failed every such step)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, runbook_text, types_of

STEPS = """\
- id: soak
  title: Let it soak
  wait: 10m
  verify: none
- id: after
  title: After
  run: echo after >> log
  expect: {exit: 1, stdout: '^after$'}
  capture: lsn
  verify: none
- id: use
  title: Use what was captured
  run: echo "{{ captured.lsn }}" >> log
  verify: none
"""


def test_a_dry_run_passes_a_wait_step_at_once_and_a_command_unjudged_and_says_so(
    tmp_path: Path, write_runbook: Callable[..., Path], open_local_session: Callable[..., Any], journal_events: Callable[..., Any]
) -> None:
    runbook = write_runbook(runbook_text(STEPS))

    async def main() -> None:
        session = open_local_session(runbook, solo="dry", mode="dry-run")
        try:
            c = session.controller
            assert c.run_current(ALICE).ok
            async with asyncio.timeout(10):  # a wait of 10 minutes, not waited
                await c.wait_idle()
            assert c.state.steps["soak"].status == "done"
            assert c.state.current == "after"
            assert c.run_current(ALICE).ok
            await c.wait_idle()
            assert c.state.steps["after"].status == "done", "a dry run walks on past a step whose output it cannot have"
            assert c.run_current(ALICE).ok
            await c.wait_idle()
            assert c.state.finished and c.state.outcome == "done"
            assert not (tmp_path / "log").exists()
        finally:
            await session.close()

    asyncio.run(main())
    (note,) = types_of(journal_events, tmp_path, type="note", step="soak")
    assert note["text"] == "dry run: the 10m wait is not waited" and note["actor"] == "system"
    (unjudged,) = types_of(journal_events, tmp_path, type="note", step="after")
    (captured,) = (e["captured"] for e in types_of(journal_events, tmp_path, type="step_finished", step="after"))
    assert captured == {"lsn": "⟨captured.lsn: dry run, nothing ran⟩"}, "before: its own '[dry-run] would run on local: …' line"
    (shown,) = (e["text"] for e in types_of(journal_events, tmp_path, type="output", step="use"))
    assert shown.startswith('[dry-run] would run on local: echo "⟨captured.lsn: dry run, nothing ran⟩" >> log'), shown
    assert unjudged["text"] == "dry run: expect.exit and expect.stdout not checked (nothing ran: no exit code or output to match)"
