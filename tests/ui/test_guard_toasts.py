"""Guard trips that only notify, coming together (an exporter down trips every panel's guard at once): one toast.

Found in a walk at 80x24: eight panels on an unreachable exporter raised a toast per guard, stacked over the status
row, the step and its command for 6 seconds. Now the trips that arrive together are one toast naming each panel;
a single trip reads as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, settled, started, until, write_runbook

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.ui.panels import PanelArea

PANELS = "\n".join(f"    - {{id: p{n}, title: Panel {n}, query: metric_{n}}}" for n in range(1, 9))
RUNBOOK = f"""\
runbook: 1
id: panels
title: Many panels
metrics:
  source:
    scrape: {{url: "http://127.0.0.1:9/metrics"}}
  interval: 1h
  panels:
{PANELS}
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - id: one
        title: One
        run: echo one
"""


def trip(controller: Any, panel: str) -> None:
    """A `notify` guard's trip for no data, as the poller journals it."""
    data = {"panel": panel, "value": None, "threshold": None, "for": 0, "action": "notify", "since": "2026-12-05T01:00:00Z"}
    data |= {"samples": [], "no_data": True, "error": "exporter unreachable", "title": panel, "unit": ""}
    controller.emit(ev.GUARD_TRIPPED, SYSTEM, **data, words=f"guard '{panel}' has had no data: exporter unreachable")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_guard_trips_that_come_together_are_one_toast(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "panels.yaml")
    app = make_app("panels.yaml")
    async with app.run_test(size=size, notifications=True) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        area = app.screen.query_one(PanelArea)
        await until(pilot, lambda: area._trips_seen is not None, "the panels to have taken the run's state")
        app.clear_notifications()
        for n in range(1, 9):  # together: the screen repaints after the eight
            trip(controller, f"p{n}")
        await until(pilot, lambda: area._trips_seen == 8, "the panels to have taken the eight trips")
        await until(pilot, lambda: bool(app._notifications), "the toast")
        toasts = [n.message for n in app._notifications if n.title == "Guard tripped"]
        assert toasts == ["8 guards tripped (notified only): p1, p2, p3, p4, p5, p6, p7, p8; the output says why each"], toasts

        app.clear_notifications()
        trip(controller, "p3")  # a single trip later: its own words, as before
        await until(pilot, lambda: area._trips_seen == 9, "the panels to have taken the ninth trip")
        await until(pilot, lambda: bool(app._notifications), "the single trip's toast")
        assert [n.message for n in app._notifications] == ["guard 'p3' has had no data: exporter unreachable (notified only)"]
