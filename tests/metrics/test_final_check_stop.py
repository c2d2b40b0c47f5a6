"""`k` ends the wait of the check of `metrics.success` before the end (engine/final_check.py), on a real Prometheus.

Before, with every step done no step ran, so `k` was not offered and the check waited its whole `within:` (10 minutes
here); only a rollback cancelled it. Now the status row and the footer offer `k`, the stop is journaled with who
stopped it, and the criterion counts as not met: the session stays open to be accepted with a reason or rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from metrics_helpers import journal, metrics_runbook, of_type
from peers import Exporter, Prometheus

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings

pytestmark = pytest.mark.peers

API = 'rbt_test_value{service="api"}'

SECTIONS = """
- id: change
  kind: implement
  steps:
    - {id: edit, title: Change, run: "true", undo: "true", verify: none}
"""


@pytest.mark.asyncio
async def test_k_ends_the_final_checks_wait_journaled_with_who_and_unmet(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.status_stack import StatusStack

    exporter.set(4)
    prometheus.wait_for(API, lambda v: v == 4)
    path = write_runbook(
        metrics_runbook(
            f'prometheus: {{url: "{prometheus.url}"}}',
            panels=f"""
        - {{id: err, title: Error rate, query: '{API}', unit: "%"}}
        """,
            sections=SECTIONS,
            success="- {panel: err, below: 3, within: 10m}",
        )
    )
    loaded = load(str(path), {})
    app = RunbookApp(lambda _override: open_session(loaded, solo="stop test", journal=str(tmp_path / "t.jsonl"), settings=Settings()))
    async with app.run_test(size=(140, 45)) as pilot:

        async def wait(predicate: Callable[[], bool], what: str) -> None:
            for _ in range(300):
                if predicate():
                    return
                await pilot.pause(0.1)
            raise AssertionError(f"timed out waiting for {what}")

        await wait(lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", "the run screen")
        assert app.handle is not None
        controller, screen = app.handle.controller, app.screen
        await pilot.press("enter")
        await wait(lambda: any(p.get("when") == "end" for p in controller.state.success_pending), "the final check to start")
        await wait(lambda: "k end the check" in str(screen.query_one(StatusStack).render()), "the status row to offer k")
        assert "stop" in controller.allowed_intents() and screen.check_action("stop_step", ()) is True, "the footer offers k"
        await pilot.press("k")
        await wait(lambda: type(app.screen).__name__ == "ConfirmPrompt", "the stop dialog")
        await pilot.press("y")
        await wait(lambda: bool(controller.state.criteria_unmet), "the criterion to count as not met")
        assert not controller.state.finished, "unmet: accepted with a reason or rolled back, as when the check finds it unmet"
        await wait(lambda: "Success criteria NOT met" in str(screen.query_one(StatusStack).render()), "the unmet status")
        assert "stop" not in controller.allowed_intents() and "accept_criteria" in controller.allowed_intents()
    events = journal(tmp_path / "t.jsonl")
    [note] = [e for e in of_type(events, "note") if e.get("request") == "stop"]
    assert note["actor"] == controller.assignee and "success criteria" in note["text"], note
    [checked] = of_type(events, "success_checked")
    assert checked["met"] is None and f"stopped by {controller.assignee}" in checked["words"], checked
