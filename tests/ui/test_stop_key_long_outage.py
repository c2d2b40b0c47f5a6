"""`k`'s end-check dialog after the panel's source was down for longer than the readings the state keeps (600).

Before: the dialog looked for the last value among the kept readings, all failed, and read `? … no reading yet`, as
if the panel had never read anything; it had read 185 ms before the outage. Now it names that reading and how long
before the check it was taken, as for any reading from before the check."""

from __future__ import annotations

import datetime as dt

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import apply
from runbook_tui.ui.stop_key import criteria_now
from tests.metrics.panel_states import T0, state_for


def _ts(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_a_reading_from_before_a_long_outage_is_named_not_called_none() -> None:
    state = state_for("ok")  # p99 185 ms at 02:01:00
    for i in range(700):  # every 5 s from 02:01:05 to 02:59:20: Prometheus down
        at = _ts(65 + 5 * i)
        error = "Prometheus unreachable at http://prometheus:9090: connection refused"
        state = apply(
            state, {"seq": state.seq + 1, "ts": at, "type": ev.METRIC_SAMPLE, "actor": "system", "panel": "p99", "value": None, "ts_sample": at, "error": error}
        )
    criterion = {"panel": "p99", "below": 250, "within": 600, "text": "p99 below 250 ms within 10m"}
    began = {"seq": state.seq + 1, "ts": _ts(3600), "type": ev.SUCCESS_CHECK_STARTED, "actor": "system"}
    state = apply(state, {**began, "when": "end", "criteria": [criterion], "until": _ts(4200)})
    said = criteria_now(state).plain
    assert said == "? p99 below 250 ms within 10m: not read since the check began (last 185 ms, 59m before it): counts as NOT met", said
