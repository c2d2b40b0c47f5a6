"""RunStates for the panel snapshots, built from events as a journal would hold them (deterministic times)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState, apply, initial

T0 = dt.datetime(2026, 11, 23, 2, 0, 0, tzinfo=dt.UTC)
#: The clock the snapshots use: 2 s after the last reading.
NOW = (T0 + dt.timedelta(seconds=62)).timestamp()

PANELS = [
    {
        "id": "p99",
        "title": "API p99 latency",
        "query": "histogram_quantile(0.99, ...)",
        "unit": "ms",
        "warn": 200,
        "critical": 300,
        "direction": "above",
        "for": 30,
        "on_critical": "pause",
    },
    {
        "id": "errors",
        "title": "Error rate",
        "query": "sum(rate(errors[1m]))",
        "unit": "%",
        "warn": 1,
        "critical": 5,
        "direction": "above",
        "for": 10,
        "on_critical": "rollback",
    },
    {
        "id": "rps",
        "title": "Requests per second",
        "query": "sum(rate(http_requests_total[1m]))",
        "unit": "/s",
        "warn": 500,
        "critical": 200,
        "direction": "below",
        "for": 0,
        "on_critical": "notify",
    },
]


def _ts(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _plan(wait_watch: list[str] | None = None, run_watch: list[str] | None = None) -> dict[str, Any]:
    steps = [{"id": "deploy", "title": "Deploy", "section": "impl", "kind": "run", "run": {"local": "true"}, "watch": run_watch or []}]
    if wait_watch is not None:
        steps.append({"id": "soak", "title": "Soak", "section": "impl", "kind": "wait", "wait": 600, "watch": wait_watch})
    return {"sections": [{"id": "impl", "title": "Implement", "kind": "implement", "steps": steps}]}


def build(events: Iterable[tuple[str, dict[str, Any]]]) -> RunState:
    state = initial()
    for seq, (kind, data) in enumerate(events):
        state = apply(state, {"seq": seq, "ts": data.pop("_ts", _ts(seq * 0.01)), "type": kind, "actor": "system", **data})
    return state


def _series(panel: str, values: list[float | None], error: str | None = None, start: float = 0.0) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for i, value in enumerate(values):
        t = start + i * (60 / max(len(values) - 1, 1))
        last = i == len(values) - 1
        out.append(
            (
                ev.METRIC_SAMPLE,
                {"panel": panel, "value": None if (error and last) else value, "ts_sample": _ts(t), "error": error if last else None, "_ts": _ts(t)},
            )
        )
    return out


def state_for(kind: str) -> RunState:
    """ok, warn, critical, unreachable, watching (a wait step with watch: running), or watching-run (a run step with
    watch: [errors] running)."""
    watch = ["p99"] if kind == "watching" else None
    plan = _plan(watch, ["errors"] if kind == "watching-run" else None)
    events: list[tuple[str, dict[str, Any]]] = [
        (ev.SESSION_STARTED, {"session": "s", "runbook": "demo", "title": "Demo", "plan": plan, "mode": "live", "_ts": _ts(-5)}),
        (
            ev.METRICS_STARTED,
            {
                "source": {"kind": "prometheus", "url": "http://prometheus:9090"},
                "interval": 5.0,
                "timeout": 5.0,
                "panels": PANELS,
                "success": [{"panel": "p99", "below": 250, "within": 600, "text": "p99 below 250 ms within 10m"}],
                "_ts": _ts(-4),
            },
        ),
        (ev.METRIC_BASELINE, {"panel": "p99", "value": 180.0, "error": None, "basis": "median of the 30m before the start", "_ts": _ts(-3)}),
        (ev.METRIC_BASELINE, {"panel": "errors", "value": 0.2, "error": None, "basis": "median", "_ts": _ts(-3)}),
        (ev.METRIC_BASELINE, {"panel": "rps", "value": 840.0, "error": None, "basis": "median", "_ts": _ts(-3)}),
    ]
    base_p99 = [180, 182, 179, 185, 181, 183, 186, 180, 184, 182, 181, 183, 185]
    if kind in ("ok", "watching", "watching-run"):
        p99 = base_p99
    elif kind == "warn":
        p99 = base_p99[:8] + [195, 205, 212, 220, 231]
    else:
        p99 = base_p99[:6] + [210, 240, 268, 290, 305, 322, 341]
    error = "Prometheus unreachable at http://prometheus:9090: connection refused" if kind == "unreachable" else None
    rps = [840, 835, 842, 838, 845, 850, 847, 839, 841, 836, 844, 848, 846]
    errs = [0.2, 0.2, 0.3, 0.2, 0.2, 0.1, 0.2, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2]
    if kind == "critical":
        errs = errs[:8] + [0.8, 1.6, 3.2, 5.5, 6.1]
    if kind == "watching":
        events.append((ev.STEP_STARTED, {"step": "deploy", "hosts": ["local"], "_ts": _ts(0)}))
        events.append((ev.STEP_FINISHED, {"step": "deploy", "status": "done", "hosts": {"local": {"status": "done", "exit_code": 0}}, "_ts": _ts(1)}))
        events.append((ev.STEP_STARTED, {"step": "soak", "hosts": ["local"], "_ts": _ts(2)}))
    if kind == "watching-run":
        events.append((ev.STEP_STARTED, {"step": "deploy", "hosts": ["local"], "_ts": _ts(0)}))
    samples = _series("p99", p99, error) + _series("errors", errs, error) + _series("rps", rps, error)
    samples.sort(key=lambda e: e[1]["_ts"])
    events += samples
    if kind == "critical":
        events.append(
            (
                ev.GUARD_TRIPPED,
                {
                    "panel": "errors",
                    "value": 5.5,
                    "threshold": 5,
                    "for": 10,
                    "action": "rollback",
                    "samples": [],
                    "words": "guard 'errors' tripped: 5.5% above 5% for 10s",
                    "_ts": _ts(60),
                },
            )
        )
    if kind == "ok":
        events.append(
            (
                ev.SUCCESS_CHECK_STARTED,
                {
                    "when": "end",
                    "criteria": [{"panel": "p99", "below": 250, "within": 600, "text": "p99 below 250 ms within 10m"}],
                    "until": _ts(600),
                    "_ts": _ts(59),
                },
            )
        )
        events.append(
            (
                ev.SUCCESS_CHECKED,
                {
                    "criterion": {"panel": "p99", "below": 250, "within": 600, "text": "p99 below 250 ms within 10m"},
                    "met": True,
                    "value": 185.0,
                    "when": "end",
                    "words": "met",
                    "_ts": _ts(60),
                },
            )
        )
    return build(events)


def with_samples(state: RunState, samples: Mapping[str, tuple[tuple[str, float | None], ...]], **changes: Any) -> RunState:
    """`state` with its readings replaced by `samples`, and each panel's last value (`metric_last`) as the fold keeps it."""
    last = {pid: next(((ts, v) for ts, v in reversed(kept) if v is not None)) for pid, kept in samples.items() if any(v is not None for _ts, v in kept)}
    return dataclasses.replace(state, samples=samples, metric_last=last, **changes)
