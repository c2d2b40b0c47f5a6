"""Why a night's rollback matters, read off the guard's panel: from the reading the rollback met, not the trip's.

On a real shared night (tmux, a scrape guard `errs`): the guard tripped at 9 and paused the run, the reading went back
to 1, alice resumed and ran the next step, bob rejected it and alice rolled back. Practice's results said `the rollback
FAILED in 0s and Errors went from 9 to 1`: the rollback credited with a recovery that came half a minute before it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runbook_tui.engine.practice_results import compare

CHANGE = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"


def _night(recovered: float | None) -> list[dict[str, Any]]:
    """The report fixture's night (errors trip at 2.7%, pause, rollback, 0.35% after); with `recovered`, a reading of
    the errors panel between the trip and the rollback."""
    events = [json.loads(line) for line in CHANGE.read_text(encoding="utf-8").splitlines()]
    if recovered is not None:
        at = next(n for n, e in enumerate(events) if e["type"] == "rollback_requested" and e["ts"] > "2026-11-23T17:10")
        sample = next(e for e in events if e["type"] == "metric_sample" and e["panel"] == "errors")
        ts = events[at]["ts"]
        events.insert(at, {**sample, "ts": ts, "ts_sample": ts, "value": recovered})
    return [event | {"seq": seq} for seq, event in enumerate(events)]


def _why(night: list[dict[str, Any]]) -> str:
    [why] = [p.why for p in compare(night, night).points if p.night is not None and p.night.kind == "roll back" and "in 6s" in p.why]
    return why


def test_a_panel_that_recovered_before_the_rollback_is_not_the_rollbacks_doing() -> None:
    assert _why(_night(None)).endswith("went from 2.7% to 0.35%"), "the fixture's night: the rollback met the spike"
    why = _why(_night(0.35))
    assert "2.7%" not in why, why
    assert why == "on the night the rollback by alice, asked by bob, finished in 6s", why


def test_a_reading_the_rollback_met_is_where_it_went_from() -> None:
    why = _why(_night(1.9))
    assert why.endswith("went from 1.9% to 0.35%"), why
