"""A panel's source down longer than the panel's window of readings (120 sparkline points, 600 kept readings).

Seen at 80x24 and 140x45 against the real Prometheus stopped for a minute, polled every 0.5 s: the head read
`UNREACHABLE` alone and the foot `Prometheus unreachable at …: connection refused (0s ago)`: the last value and since
when nothing was read had gone with the 120th failed reading (10 minutes at the default 5 s interval). An outage's
words must say what the panel last read and how long ago, however long the outage."""

from __future__ import annotations

import datetime as dt

import pytest
from panel_states import NOW, PANELS, T0, state_for

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import apply
from runbook_tui.metrics.panel_view import outage_heads, panel_view

ERROR = "Prometheus unreachable at http://prometheus:9090: connection refused"


@pytest.mark.parametrize(("failed", "ago"), [(130, "11m"), (700, "58m")])
def test_the_last_value_and_its_age_outlive_the_window_of_readings(failed: int, ago: str) -> None:
    state = state_for("unreachable")  # p99 last read 322 ms at T0+55s, then failed at T0+60s
    for i in range(failed):
        ts = (T0 + dt.timedelta(seconds=65 + 5 * i)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        state = apply(
            state, {"seq": 1000 + i, "ts": ts, "type": ev.METRIC_SAMPLE, "actor": "system", "panel": "p99", "value": None, "ts_sample": ts, "error": ERROR}
        )
    now = NOW + 5 * failed + 5
    view = panel_view(PANELS[0], state, now, 5.0)
    assert view.state == "unreachable"
    assert view.value == 322.0, "the last value read before the outage"
    assert view.value_age == pytest.approx(now - (T0.timestamp() + 55)), "its own age: since the last good reading"
    assert view.values == (), "the sparkline holds no point of the window: nothing was read in it"
    assert outage_heads(view)[0] == f"UNREACHABLE (last 322 ms {ago} ago)"
