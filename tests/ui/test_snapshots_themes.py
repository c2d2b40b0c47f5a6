"""The run screen after a failed step, in each shipped theme: the state where colours matter most.

Deterministic on every machine: no change window (no countdown), a journal
path relative to tmp_path (the screen shows it), no stderr (its order against
stdout may vary), toasts cleared before the screenshot.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from run_screen_helpers import run_step, started, steady
from textual.pilot import Pilot

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.ui.app import RunbookApp

SIZE = (140, 45)

RUNBOOK = """
runbook: 1
id: theme-snapshot
title: Every status colour
ticket:
  id: CHG-7
  subject: Colours
  assignee: alice
  verifier: bob
  risk: {level: high, summary: a snapshot}
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - id: hello
        title: Say hello
        run: echo hello
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: write
        title: Write a file
        run: echo written
        undo: echo unwritten
        checkpoint: true
      - id: breaks
        title: This one fails
        run: echo about to fail; exit 3
        undo: echo undo breaks
      - id: later
        title: Never reached
        run: echo later
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")  # the ticket's assignee at the keyboard, on every machine
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    return tmp_path


def failed_run(theme: str) -> RunbookApp:
    loaded = load("runbook.yaml", {})

    def starter(override: str | None) -> Session:
        return open_session(loaded, solo="snapshot", journal="j.jsonl", override_window=override)

    return RunbookApp(starter, theme=theme)


async def run_until_the_failure(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RunbookApp)
    controller = await started(pilot)
    for step in ("hello", "write", "breaks"):
        await run_step(pilot, step, ("done", "failed"))
    assert controller.state.steps["breaks"].status == "failed"
    await steady(pilot)  # the screen repaints on a timer: wait for it, and for the toasts to go


@pytest.mark.parametrize("theme", ["night", "day", "high-contrast"])
def test_snapshot_failed_step(workdir: Path, snap_compare: Callable[..., bool], theme: str) -> None:
    """The failed step in each theme; the footer starts `⏎ re-run` (what enter does on a failed step)."""
    assert snap_compare(failed_run(theme), run_before=run_until_the_failure, terminal_size=SIZE)
