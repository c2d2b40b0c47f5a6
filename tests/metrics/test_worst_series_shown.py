"""A panel over several series says which one its value is, beside the value: at a glance, not only in a guard's trip.

The value of a query answering several series is the worst of them, named (`the worst of 2 series:
service="batch"`), but the name reached only a guard's trip words: the panel showed `40 ms` and whoever looked at
the api's dashboard saw 1 ms. Now each reading journals `series` (metric_sample), and the panel's foot says it, on
the assignee's screen, the verifier's and in a replay (all fold the same journal).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from metrics_helpers import journal, metrics_runbook, of_type, until
from panel_states import state_for
from peers import GAUGE, Exporter
from test_metric_panels import PanelsApp, _painted, panel_of
from textual.widgets import Static

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState, apply

CLI = [sys.executable, "-m", "runbook_tui"]
WORST = 'the worst of 2 series: service="batch"'


def test_each_reading_of_several_series_journals_which_is_the_worst(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    exporter = Exporter()
    try:
        exporter.set(1, "api")
        exporter.set(7, "batch")
        steps = """
            - id: impl
              kind: implement
              steps:
                - {id: here, run: "echo hi", verify: none, expect: {metric: {panel: both, below: 10}}}
            """
        panels = f"- {{id: both, query: '{GAUGE}'}}\n- {{id: one, query: '{GAUGE}{{service=\"api\"}}'}}"
        runbook = write_runbook(metrics_runbook(f'scrape: {{url: "{exporter.url}"}}', panels=panels, sections=steps, interval="0.2s"))
        path = tmp_path / "j.jsonl"
        went = subprocess.run(
            [*CLI, "exec", str(runbook), "--solo", "worst", "--journal", str(path)],
            cwd=tmp_path, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        exporter.stop()
    assert went.returncode == 0, went.stdout + went.stderr
    events = journal(path)
    both = of_type(events, "metric_sample", panel="both")
    assert both and all(e["value"] == 7 and e["series"] == WORST for e in both), both[:3]
    assert all("series" not in e for e in of_type(events, "metric_sample", panel="one")), "one series: nothing to name"


def _with_reading(state: RunState, seq: int, **extra: object) -> RunState:
    """`state` with one more reading of p99 (186 ms, 2 s before the snapshots' clock)."""
    at = "2026-11-23T02:01:00.000Z"
    event = {"seq": 10_000 + seq, "ts": at, "type": ev.METRIC_SAMPLE, "actor": "system", "panel": "p99", "value": 186.0, "ts_sample": at, "error": None}
    return apply(state, {**event, **extra})


@pytest.mark.asyncio
async def test_the_panel_foot_names_the_worst_series_and_forgets_it_when_one_series_is_left() -> None:
    app = PanelsApp(_with_reading(state_for("ok"), 1, series=WORST))
    async with app.run_test(size=(88, 16)):

        def foot() -> str:
            return " ".join(_painted(panel_of(app, "p99").query_one(".panel-foot", Static)).split())

        await until(lambda: WORST in foot(), 5, "the worst series named on the foot")
        assert foot().endswith(f"before 180 ms · last reading 2s ago · {WORST}"), foot()
        app.state = _with_reading(app.state, 2)  # one series again: nothing to name
        await until(lambda: "worst" not in foot(), 5, "the name gone with the second series")
