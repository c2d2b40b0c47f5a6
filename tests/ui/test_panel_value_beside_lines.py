"""A reading just under a panel's line is never shown on it: 299.996 with `critical: 300` read `300.0` in the panel's
head while the panel said it was not critical (no CRIT), and a `direction: below` panel's 300.004 read `300.0` beside
`crit ≤300`. Now the value is said with the digits that keep it on its side of warn and critical: `299.996`; a value
far from every line reads as before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, settled, started, until, write_runbook
from textual.widgets import Static

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.ui.panels import MetricPanel

RUNBOOK = """\
runbook: 1
id: lines
title: Near the line
metrics:
  source:
    scrape: {url: "http://127.0.0.1:9/metrics"}
  interval: 1h
  panels:
    - {id: p99, title: Latency, query: latency, unit: ms, warn: 200, critical: 300}
    - {id: free, title: Free disk, query: free, unit: "%", critical: 300, direction: below}
    - {id: far, title: Far, query: far, unit: ms, critical: 300}
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - id: one
        title: One
        run: echo one
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_reading_just_under_the_line_is_not_shown_on_it(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "lines.yaml")
    app = make_app("lines.yaml")
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        # The source's first readings fail (nothing listens there): the samples below come after them, as a recovery.
        await until(pilot, lambda: len(controller.state.metric_errors) == 3, "the first (failed) readings of the three panels")
        now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
        for panel, value in (("p99", 299.996), ("free", 300.004), ("far", 123.456)):
            controller.emit(ev.METRIC_SAMPLE, SYSTEM, panel=panel, value=value, ts_sample=now, error=None)
        await settled(pilot)
        panels = {panel.panel_id: panel for panel in app.screen.query(MetricPanel)}

        def shown(panel: str) -> str:
            return "\n".join(painted(part) for part in panels[panel].query(Static))

        def read(panel: str) -> bool:
            return not any(word in shown(panel) for word in ("UNREACHABLE", "no reading yet"))

        await until(pilot, lambda: all(read(panel) for panel in panels), "the three panels to show the readings")
        assert "299.996 ms" in shown("p99"), shown("p99")
        assert "300.004%" in shown("free"), shown("free")
        assert "123.5 ms" in shown("far"), shown("far")  # far from its line: few digits, as before
        for panel in ("p99", "free"):
            assert "300.0" not in shown(panel).replace("300.004", "") and "CRIT" not in shown(panel), shown(panel)
