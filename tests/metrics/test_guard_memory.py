"""What a resumed run's guards take over from the journal (metrics/guard_memory.py): pure, the journal's events fed in order.

The live kill -9 scenario is in test_kill9_checks.py; these pin the rules a
person relies on after a resume: a trip the dead process journaled is not
made (and announced) again, one it computed and never journaled is, a good
reading re-arms, and a source outage under way goes on counting.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.metrics.guard_memory import GuardMemory
from runbook_tui.metrics.guards import Guard, NoDataGuard
from runbook_tui.metrics.poller import iso

T0 = 1_800_000_000.0
PANEL = {"id": "err", "critical": 5, "direction": "above", "for": 10, "on_critical": "pause", "on_no_data": "pause"}


def sample(at: float, value: float | None, error: str | None = None) -> dict[str, Any]:
    return {"type": "metric_sample", "panel": "err", "value": value, "ts_sample": iso(T0 + at), "error": error}


def resumed(*events: dict[str, Any], now: float = 100.0) -> tuple[Guard, NoDataGuard]:
    """The guards a resumed run starts with `now` seconds after T0, having read `events` after `metrics_started`."""
    memory = GuardMemory()
    for event in ({"type": "metrics_started", "panels": [PANEL]}, *events):
        memory.note(event)
    guard = Guard("err", 5.0, "above", 10.0, "pause")
    blind = NoDataGuard("err", 10.0, "pause", T0 + now)
    memory.seed({"err": guard}, {"err": blind})
    return guard, blind


def test_the_excursion_goes_on_and_a_journaled_trip_is_not_made_again() -> None:
    guard, _ = resumed(sample(0, 1), sample(1, 9), sample(2, 9), sample(8, 9))
    trip = guard.observe(T0 + 100, 9)
    assert trip is not None and trip.since == T0 + 1 and [ts - T0 for ts, _ in trip.samples] == [1, 2, 8, 100], trip
    tripped = {"type": "guard_tripped", "panel": "err", "since": T0 + 1, "no_data": False}
    guard, _ = resumed(sample(1, 9), sample(12, 9), tripped)
    assert guard.observe(T0 + 100, 9) is None, "tripped for this excursion before the kill: no second trip, no second page"
    guard, _ = resumed(sample(1, 9), sample(12, 9), sample(13, 9))
    assert guard.observe(T0 + 100, 9) is not None, "computed but never journaled (killed between the two): tripped now"
    guard, _ = resumed(sample(1, 9), sample(12, 9), tripped, sample(20, 1), sample(30, 9))
    assert guard.observe(T0 + 35, 9) is None and guard.observe(T0 + 40, 9) is not None, "a good reading re-armed it"
    guard, _ = resumed(sample(1, 9), sample(2, None, "connection refused"))
    assert guard.since == T0 + 1, "a failed reading neither breaks nor extends the excursion"


def test_a_source_outage_under_way_goes_on_counting_and_the_time_away_alone_is_no_outage() -> None:
    _, blind = resumed(sample(1, 1), sample(5, None, "connection refused"))
    trip = blind.observe(T0 + 100, None, "connection refused")
    assert trip is not None and trip.since == T0 + 1, "blind since the last good reading before the kill"
    noted = {"type": "guard_tripped", "panel": "err", "since": T0 + 1, "no_data": True}
    _, blind = resumed(sample(1, 1), sample(15, None, "connection refused"), noted)
    assert blind.observe(T0 + 100, None, "connection refused") is None, "that outage was tripped for already"
    _, blind = resumed(sample(1, 1), sample(5, 2))
    assert blind.observe(T0 + 101, None, "timeout") is None, "the last reading was good: counted from the resume"
    assert blind.observe(T0 + 110, None, "timeout") is not None


def test_a_forged_journal_is_read_without_a_traceback() -> None:
    """A re-chained journal is hostile: a panel without an id, a `for` in words, a sample without a time or value."""
    memory = GuardMemory()
    forged: list[dict[str, Any]] = [
        {"type": "metrics_started", "panels": 5},
        {"type": "metrics_started", "panels": [{"critical": 5}, "err", {"id": ["x"]}, {"id": "err", "critical": "5", "for": "1m"}]},
        {"type": "metric_sample", "panel": "err", "value": True, "ts_sample": None},
        {"type": "metric_sample", "panel": "err", "value": "9", "ts_sample": "yesterday"},
        {"type": "guard_tripped", "panel": "err", "since": "then"},
    ]
    for event in forged:
        memory.note(event)
    guard = Guard("err", 5.0, "above", 10.0, "pause")
    memory.seed({"err": guard}, {})
    assert guard.since is None and not guard.tripped, "a forged panel (critical in words) carries nothing over"


def test_an_infinite_excursion_goes_on_after_the_resume() -> None:
    """`histogram_quantile` past its highest bucket reads +Inf: a reading past every line, journaled with `value` null and
    `infinite: +Inf`. Before, the memory read such a sample as no reading: after a kill -9 four minutes into a `for: 5m`
    excursion of +Inf the resumed guard counted its `for` from the resume, and the no-data memory called the panel failing."""
    infinite = [{**sample(at, None, "the value is +Inf (infinite: above every line)"), "infinite": "+Inf"} for at in (1, 2, 8)]
    guard, blind = resumed(sample(0, 1), *infinite)
    trip = guard.observe(T0 + 100, float("inf"))
    assert trip is not None and trip.since == T0 + 1 and [ts - T0 for ts, _ in trip.samples] == [1, 2, 8, 100], trip
    assert blind.last_ok == T0 + 100, "the last reading was a reading: the no-data guard counts from the resume"
