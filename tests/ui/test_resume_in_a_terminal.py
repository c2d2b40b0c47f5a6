"""`resume JOURNAL` in a terminal (`launch.resume`, the path the CLI takes with a tty and no decision flags), for a
runbook with metrics: the session opened before the app's event loop ran, the metrics could not start polling, and the
trainee's resumed demo ended in `RuntimeError: no running event loop` (a traceback, exit 1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from run_screen_helpers import SIZE, until

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui import launch
from runbook_tui.ui.app import RunbookApp

WITH_METRICS = """\
runbook: 1
id: with-metrics
title: With metrics
metrics:
  source:
    scrape: {url: "http://127.0.0.1:9/metrics"}
  interval: 1s
  panels:
    - {id: errors, title: Error rate, query: errors_percent, unit: "%"}
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: only, title: The only step, run: echo only}
"""


def test_resume_in_a_terminal_opens_a_run_whose_runbook_has_metrics(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "m.yaml").write_text(WITH_METRICS)

    async def stopped_before_its_step() -> None:
        session = open_session(load("m.yaml", {}), journal="m.jsonl", settings=Settings(), solo="a drill")
        await session.close()

    asyncio.run(stopped_before_its_step())
    seen: list[str] = []

    def drive(app: RunbookApp) -> int:
        async def at_the_screen() -> None:
            async with app.run_test(size=SIZE) as pilot:
                await until(pilot, lambda: app.handle is not None and bool(app.handle.controller.state.metrics), "the resumed run's metrics")
                assert app.handle is not None
                seen.append(app.handle.controller.state.current or "")

        asyncio.run(at_the_screen())
        return 0

    monkeypatch.setattr(launch, "_launch", drive)
    assert launch.resume("m.jsonl") == 0  # called outside any event loop, as the command line calls it
    assert seen == ["only"]
