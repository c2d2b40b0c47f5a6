"""`resume JOURNAL` in a terminal (`launch.resume`, the path the CLI takes with a tty and no decision flags), for a
runbook with metrics: the session opened before the app's event loop ran, the metrics could not start polling, and the
trainee's resumed demo ended in `RuntimeError: no running event loop` (a traceback, exit 1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from run_screen_helpers import SIZE, until

from runbook_tui import cli
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


def test_resume_in_a_terminal_of_a_session_that_ended_done_exits_0(workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The contract's `resume` exits as `run`: a session that ended done, resumed in a terminal, exited 1 (as if it had
    failed) after saying it had finished done; the screen's refusal now exits with the outcome's code, as headless does."""
    (workdir / "once.yaml").write_text("runbook: 1\nid: once\ntitle: Once\nsections:\n  - {id: a, title: A, steps: [{id: s, title: S, run: 'true'}]}\n")
    assert cli.main(["exec", "once.yaml", "--solo", "a drill", "--journal", "once.jsonl"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(launch, "not_a_terminal", lambda *_: False)
    run = RunbookApp.run
    monkeypatch.setattr(RunbookApp, "run", lambda app: run(app, headless=True, size=SIZE))
    assert launch.resume("once.jsonl") == 0
    assert capsys.readouterr().err == "runbook-tui: once.jsonl: this session already finished (done); nothing to resume\n"
