"""A step on one host that timed out: the status row says why it failed, and the detail pane says it once.

Walked in tmux at 80x24 and 140x45 (`sleep 30` with `timeout: 3s`): the status row read `'slow' FAILED — enter
re-run · u roll back · s skip`, the cause only in the pane below it (a step that exited 3 reads `FAILED (exit 3)`);
the pane said `✗ local: timed out after 3s` and then a host row `local  ⏱ TIMED OUT  timed out`: three times the
same fact in two rows of a 24-row screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, settled, started

from runbook_tui.ui.widgets import StepDetail

RUNBOOK = """\
runbook: 1
id: timed
title: A step that takes too long
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - id: slow
        title: Warm the caches
        run: sleep 30
        undo: echo cold caches
        timeout: 1s
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    yield tmp_path


def _words(text: str) -> str:
    return " ".join(text.split())


async def _timed_out(app: object, size: tuple[int, int]) -> tuple[str, str]:
    """Run the step until it timed out; the status row's words and the detail pane's text then."""
    async with app.run_test(size=size) as pilot:  # type: ignore[attr-defined]
        await started(pilot)
        await run_step(pilot, "slow", "failed")
        await settled(pilot)
        return _words(painted(app.screen.query_one("#status"))), painted(app.screen.query_one(StepDetail))  # type: ignore[attr-defined]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_timed_out_step_on_one_host_says_so_in_its_status_row(workdir: Path, size: tuple[int, int]) -> None:
    status, _ = await _timed_out(make_app("runbook.yaml"), size)
    assert "'slow' FAILED (timed out) — enter re-run · u roll back · s skip" in status, status


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_timed_out_step_on_one_host_says_it_once_in_the_detail_pane(workdir: Path, size: tuple[int, int]) -> None:
    _, detail = await _timed_out(make_app("runbook.yaml"), size)
    assert "✗ local: timed out after 1s" in detail, detail
    assert detail.count("timed out") == 1, f"the pane says the timeout more than once:\n{detail}"
