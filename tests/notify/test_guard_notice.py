"""A guard's notice carries what a receiver needs to read the trip: the value, the line, which side is bad, the unit.

Against a real exporter (read by `scrape`) and a real HTTP receiver: a guard below 0.5 over two series, one at 0. Before,
`details` held `value` 0 and `threshold` 0.5 but not `direction`: a paging rule reading the details could not tell a
trip below the line from no trip at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from peers import Prometheus
from receivers import Receiver

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings

pytestmark = pytest.mark.peers


def test_a_guard_notice_says_the_side_the_unit_and_the_series(
    prometheus: Prometheus, receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    exporter = prometheus.exporter
    exporter.set(1)
    exporter.set(0, service="batch")
    hook = receiver("ok")
    path = write_runbook(f"""
runbook: 1
id: guard-notice
title: Guard notice
notify:
  - {{url: "{hook.url}", events: [guard_tripped]}}
metrics:
  source: {{scrape: {{url: "{exporter.url}"}}}}
  interval: 0.5s
  panels:
    - {{id: up, title: Up, query: 'rbt_test_value{{service=~"api|batch"}}', unit: x, critical: 0.5, direction: below, on_critical: notify}}
sections:
  - id: s
    kind: precheck
    steps:
      - {{id: one, run: "true", verify: none}}
""")

    async def scenario() -> None:
        session = open_session(load(str(path), {}), solo="guard notice test", journal=str(tmp_path / "j.jsonl"), settings=Settings())
        try:
            await asyncio.to_thread(hook.wait_for, lambda r: "guard_tripped" in r.events(), 20, "the guard's notice")
        finally:
            await session.close()

    asyncio.run(scenario())
    [notice] = [r.body for r in hook.requests if r.body.get("event") == "guard_tripped"]
    assert notice["summary"] == "NO TICKET: guard 'up' tripped: 0x below 0.5x (the worst of 2 series: service=\"batch\") -> notify", notice
    details = notice["details"]
    assert {k: details.get(k) for k in ("panel", "title", "value", "threshold", "direction", "unit", "action")} == {
        "panel": "up", "title": "Up", "value": 0.0, "threshold": 0.5, "direction": "below", "unit": "x", "action": "notify",
    }  # fmt: skip
