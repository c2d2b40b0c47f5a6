"""What a panel says when its readings fail, against the real Prometheus on loopback (tests/peers.py).

An SRE at 2 AM reads the panel's head (`UNREACHABLE`, `NO VALUE`) and its foot (`last 1%, 12s ago · …`) to decide
whether the number on the screen is still true: both must say what Prometheus really did.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from metrics_helpers import metrics_runbook, until
from peers import Exporter, Prometheus
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Static
from written_lines import written_events

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.state import RunState
from runbook_tui.metrics.panel_view import panel_view, parse_ts
from runbook_tui.report import build_report, render
from runbook_tui.ui.panels import MetricPanel, PanelArea

pytestmark = pytest.mark.peers

APP_CSS = Path(__file__).resolve().parents[2] / "runbook_tui" / "ui" / "app.tcss"
API = 'rbt_test_value{service="api"}'


def _runbook(prometheus: Prometheus, query: str) -> str:
    return metrics_runbook(
        f'prometheus: {{url: "{prometheus.url}"}}',
        panels=f"- {{id: err, title: Error rate, query: '{query}', unit: '%', warn: 3, critical: 5, for: 60s, on_critical: pause}}",
        sections="- id: s\n  steps:\n    - {id: one, run: 'true'}",
    )


def _open(path: Path, tmp_path: Path) -> Session:
    return open_session(load(str(path), {}), solo="panel words test", journal=str(tmp_path / "journal.jsonl"), settings=Settings())


class _Panels(App[None]):
    """The panel area alone, at a fixed clock, as the run screen draws it."""

    CSS_PATH = APP_CSS

    def __init__(self, state: RunState, now: float, classes: str = "") -> None:
        super().__init__()
        self.state, self.now, self.area_classes = state, now, classes

    def compose(self) -> ComposeResult:
        yield PanelArea(lambda: self.state, clock=lambda: self.now, id="metrics", classes=self.area_classes)


async def _painted(state: RunState, now: float, size: tuple[int, int] = (140, 20), classes: str = "", panel: str = "err") -> tuple[str, str]:
    """(head, foot) of `panel` as painted at `size` (140 columns; `classes="one-line"`: as on a short terminal)."""
    app = _Panels(state, now, classes)
    async with app.run_test(size=size):

        def laid_out() -> bool:
            return any(p.panel_id == panel and p.size.width > 0 for p in app.query(MetricPanel))

        await until(laid_out, 10, f"panel '{panel}' laid out")
        drawn = next(p for p in app.query(MetricPanel) if p.panel_id == panel)
        texts = []
        for part in (".panel-head", ".panel-foot"):
            widget = drawn.query_one(part, Static)
            texts.append(" ".join(s.text for s in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))))
        return texts[0], " ".join(texts[1].split())


def test_during_an_outage_the_last_value_is_said_with_its_own_age(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Before: 30 s into an outage the foot said `(last 1%, 0s ago)`: the age of the failed reading beside the value of
    one long gone, so a stale number read as fresh. Now the value's own age: `last 1%, 3s ago`, before the error (after
    it, a long error cut it off the foot's four lines). At 80x24 only the head shows (`one-line`): it said `UNREACHABLE`
    alone, with no value nor age; now `UNREACHABLE (last 1% 3s ago)`."""
    path = write_runbook(_runbook(prometheus, API))

    async def scenario() -> RunState:
        session = _open(path, tmp_path)
        state = session.controller.state
        try:
            await until(lambda: bool(session.controller.state.samples.get("err")), timeout=15, what="a first reading")
            prometheus.stop()

            def failing_for_3s() -> bool:
                readings = session.controller.state.samples["err"]
                good = [ts for ts, value in readings if value is not None]
                return readings[-1][1] is None and bool(good) and parse_ts(readings[-1][0]) - parse_ts(good[-1]) >= 3

            await until(failing_for_3s, timeout=15, what="3 s of failed readings after the last value")
            state = session.controller.state
        finally:
            await session.close()
        return state

    try:
        state = asyncio.run(scenario())
    finally:
        prometheus.start()
    readings = state.samples["err"]
    now = parse_ts(readings[-1][0])  # the moment of the newest (failed) reading
    last_value_at = parse_ts([ts for ts, value in readings if value is not None][-1])
    head, foot = asyncio.run(_painted(state, now))
    assert "UNREACHABLE" in head, head
    assert f"last 1%, {now - last_value_at:.0f}s ago · Prometheus unreachable" in foot and "0s ago" not in foot, foot
    head, _foot = asyncio.run(_painted(state, now, (80, 24), "one-line"))
    assert f"UNREACHABLE (last 1% {now - last_value_at:.0f}s ago)" in head and "Error rate" in head, head
    view = panel_view(state.metrics["panels"][0], state, now, 0.5)
    assert view.state == "unreachable" and view.value == 1 and view.age == 0, "the newest reading is the failed one"
    assert view.value_age == pytest.approx(now - last_value_at), "the value's own age"


def test_a_query_prometheus_refuses_is_not_called_unreachable(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Prometheus answers HTTP 400 to a query it cannot parse. Before: the head said UNREACHABLE (and the area's title
    `1 unreachable`), sending the person to check a Prometheus that was up. Now NO VALUE, and the foot says why."""
    path = write_runbook(_runbook(prometheus, "sum(rate(rbt_test_value[1m]) by"))

    async def scenario() -> RunState:
        session = _open(path, tmp_path)
        try:
            await until(lambda: bool(session.controller.state.metric_errors.get("err")), timeout=15, what="the refused query's error")
            return session.controller.state
        finally:
            await session.close()

    state = asyncio.run(scenario())
    error = state.metric_errors["err"] or ""
    assert error.startswith("Prometheus refused the query: ") and "parse error" in error, error
    now = time.time()
    view = panel_view(state.metrics["panels"][0], state, now, 0.5)
    assert view.state == "novalue", view.state
    head, foot = asyncio.run(_painted(state, now))
    assert "NO VALUE" in head and "UNREACHABLE" not in head, head
    assert "Prometheus refused the query" in foot, foot


def test_the_reports_lines_of_a_panel_where_low_is_bad_say_so(exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path) -> None:
    """`direction: below` (availability, requests per second): the panels write `crit ≤99`. Before: the report's Metrics
    table (and the HTML chart's legend) said Warn `99.5%`, Critical `99%`, as for a panel where high is bad."""
    path = write_runbook(
        metrics_runbook(
            f'scrape: {{url: "{exporter.url}"}}',
            panels=f"- {{id: avail, title: Availability, query: '{API}', unit: '%', warn: 99.5, critical: 99, direction: below, on_critical: notify}}",
            sections="- id: s\n  steps:\n    - {id: one, run: 'true'}",
        )
    )
    exporter.set(99.9)

    async def scenario() -> None:
        session = _open(path, tmp_path)
        try:
            await until(lambda: bool(session.controller.state.samples.get("avail")), timeout=15, what="a first reading")
        finally:
            await session.close()

    asyncio.run(scenario())
    report = build_report(tmp_path / "journal.jsonl")
    table = render(report, "md")
    assert "| Availability (avail) | 99.9% | 99.9% | 99.9% | 99.9% | ≤99.5% | ≤99% |" in table, table
    legend = render(report, "html")
    assert "- - warn ≤99.5%" in legend and "- - critical ≤99%" in legend, legend


def test_a_baseline_that_failed_at_the_start_is_fetched_again_until_it_comes(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Prometheus down when the session starts, back a few seconds later. Before: the baseline was fetched once, so the
    panel said `before: n/a` for the whole run and the report had no baseline. Now it is fetched again until it comes:
    the median of the half hour before the start (the gauge read 1 there), its basis saying it was read late. The
    series is this test's own: other tests move `service="api"`, whose half-hour median then is not 1."""
    own = 'rbt_test_value{service="late-baseline"}'
    exporter.set(1, service="late-baseline")
    prometheus.wait_for(own, lambda value: value == 1)
    # Three scrapes (1 s apart), so a 1 stands well before the start: the baseline's range ends at the start rounded to
    # the second, and a series first scraped within that second had no point in it ("no data in the 30m": final).
    prometheus.wait_for(f"count_over_time({own}[1m])", lambda scrapes: scrapes >= 3)
    path = write_runbook(_runbook(prometheus, own))

    async def scenario() -> RunState:
        prometheus.stop()
        session = _open(path, tmp_path)
        try:
            failed = lambda: (session.controller.state.baselines.get("err") or {}).get("error")  # noqa: E731
            await until(lambda: bool(failed()), timeout=15, what="the baseline to fail at the start")
            assert "Prometheus unreachable at" in str(failed())
            await asyncio.to_thread(prometheus.start)
            got = lambda: (session.controller.state.baselines.get("err") or {}).get("value") is not None  # noqa: E731
            await until(got, timeout=30, what="the baseline fetched again once Prometheus is back")
            return session.controller.state
        finally:
            await session.close()

    try:
        state = asyncio.run(scenario())
    finally:
        prometheus.start()
    baseline = state.baselines["err"]
    assert baseline["value"] == 1 and baseline["error"] is None, baseline
    assert str(baseline["basis"]).startswith("median of the 30m before the start; read ") and "after the start" in str(baseline["basis"]), baseline
    assert panel_view(state.metrics["panels"][0], state, time.time(), 0.5).baseline == "before 1%"
    report = build_report(tmp_path / "journal.jsonl")
    assert report.panels[0].before == 1 and "read " in str(report.panels[0].before_basis), report.panels[0]


def test_a_series_without_a_number_among_others_is_said_and_all_of_them_is_no_data(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """`x / x` over two series where one is 0: that series is NaN (0/0). Before: the panel showed the other series' value
    as if it were all of them, with no word of the NaN one (a service with no traffic at all looked as healthy as one
    with traffic and no errors). Now the value is the worst of the series with a number, the head says `(1/2 NaN)` and
    the foot which. Every series NaN is no value (`NO VALUE`, `the value is NaN in all 2 series`): no data, and the
    guard acts as `on_no_data` says (pause here)."""
    both = 'rbt_test_value{service=~"api|batch"}'
    path = write_runbook(
        metrics_runbook(
            f'prometheus: {{url: "{prometheus.url}"}}',
            panels=f"""
            - {{id: part, title: Part NaN, query: '{both} / {both}', critical: 5, for: 60s, on_critical: notify}}
            - {{id: none, title: All NaN, query: '({both} * 0) / ({both} * 0)', critical: 5, for: 1s, on_critical: pause}}
            """,
            sections="- id: s\n  steps:\n    - {id: one, run: 'true'}",
        )
    )

    async def scenario() -> RunState:
        session = _open(path, tmp_path)
        try:
            state = lambda: session.controller.state  # noqa: E731
            await until(lambda: bool(state().metric_notes.get("part")) and bool(state().metric_errors.get("none")), timeout=15, what="both panels read")
            await until(lambda: any(t.get("panel") == "none" for t in state().guard_trips), timeout=15, what="the all-NaN panel's no-data guard")
            return state()
        finally:
            await session.close()

    state = asyncio.run(scenario())
    assert state.samples["part"][-1][1] == 1, state.samples["part"]
    assert state.metric_notes["part"] == "1 of 2 series NaN (no number): the value is of the other 1", state.metric_notes
    assert str(state.metric_errors["none"]).startswith("the value is NaN in all 2 series"), state.metric_errors
    [trip] = [t for t in state.guard_trips if t.get("panel") == "none"]
    assert trip.get("no_data") is True and trip.get("action") == "pause" and state.paused, trip
    events = written_events(tmp_path / "journal.jsonl")
    assert any(e["type"] == "metric_sample" and e["panel"] == "part" and e.get("note", "").startswith("1 of 2 series NaN") for e in events)
    now = parse_ts(state.samples["part"][-1][0])
    views = {p["id"]: panel_view(p, state, now, 0.5) for p in state.metrics["panels"]}
    assert (views["part"].state, views["part"].value, views["none"].state) == ("ok", 1, "novalue"), views
    head, foot = asyncio.run(_painted(state, now, panel="part"))
    assert re.search(r" 1 (→ )?\(1/2 NaN\)$", head.rstrip()), head
    assert "1 of 2 series NaN (no number): the value is of the other 1" in foot, foot
    head, _foot = asyncio.run(_painted(state, now, (80, 24), "one-line", panel="part"))
    assert re.search(r" 1 (→ )?\(1/2 NaN\)$", head.rstrip()), head
    head, foot = asyncio.run(_painted(state, now, panel="none"))
    assert "NO VALUE" in head and "the value is NaN in all 2 series" in foot, (head, foot)
    report = build_report(tmp_path / "journal.jsonl")
    part = next(p for p in report.panels if p.id == "part")
    assert part.noted_readings == part.samples > 0, part
    assert f"| {part.samples} ({part.samples} partial or stale) |" in render(report, "md")


class _OldSamples:
    """A collector whose series the exporter stamps itself, `age` seconds before it was registered (Prometheus honours
    the stamp, and answers the series for 5 minutes after it, stamped with the query's time)."""

    def __init__(self, age: float) -> None:
        self.taken = time.time() - age

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily("rbt_test_old", "a sample the exporter stamped before the test", labels=["instance_id"])
        family.add_metric(["a"], 7, timestamp=self.taken)
        family.add_metric(["b"], 9, timestamp=self.taken)
        yield family


def test_a_stale_series_is_no_data_for_the_guard_plain_or_in_an_expression(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Two series an exporter stamped 200 s ago: Prometheus answers them, as current, for 5 minutes. Before: the plain
    selector's panel showed `9` with a note (`its last sample is 3m… old`) and its no-data guard counted it as data (it
    never tripped); `sum(...)` and `rbt_test_old * 2` were never even called stale (`timestamp()` of an expression is
    the evaluation's time). Now each is no reading: `NO VALUE`, `the value is stale: … (it read 9); no fresh data`, and
    each guard panel's no-data guard trips after its `for` and pauses the run, with those words, for the assignee and in
    the journal the verifier's replica folds. A fresh series beside them, and `rate()` over it, read as before; a
    panel with `offset` says its staleness was not checked."""
    collector = _OldSamples(200)
    exporter.registry.register(collector)
    guard = "critical: 50, for: 1s, on_critical: pause"
    path = write_runbook(
        metrics_runbook(
            f'prometheus: {{url: "{prometheus.url}"}}',
            panels=f"""
            - {{id: old, title: Old gauge, query: 'rbt_test_old', {guard}}}
            - {{id: total, title: Old sum, query: 'sum(rbt_test_old)', {guard}}}
            - {{id: twice, title: Old twice, query: 'rbt_test_old * 2 + on() group_left() 0 * {API}', {guard}}}
            - {{id: err, title: Error rate, query: '{API}', unit: '%', {guard}}}
            - {{id: rate, title: Requests, query: 'sum by (code) (rate(rbt_test_requests_total[1m]))', critical: 1000, for: 1s, on_critical: pause}}
            - {{id: back, title: Yesterday, query: '{API} offset 1s', unit: '%'}}
            - {{id: mixed, title: Old and new, query: '{{__name__=~"rbt_test_old|rbt_test_value", service=~"|api"}}'}}
            """,
            sections="- id: s\n  steps:\n    - {id: one, run: 'true'}",
        )
    )
    stale = ("old", "total", "twice")

    async def scenario() -> RunState:
        session = _open(path, tmp_path)
        try:
            state = lambda: session.controller.state  # noqa: E731
            tripped = lambda: {t.get("panel") for t in state().guard_trips if t.get("no_data")}  # noqa: E731
            await until(
                lambda: set(stale) <= tripped() and bool(state().samples.get("back")) and bool(state().samples.get("mixed")),
                timeout=20,
                what="the stale panels' no-data trips",
            )
            return state()
        finally:
            await session.close()

    try:
        prometheus.wait_for("rbt_test_old")
        state = asyncio.run(scenario())
    finally:
        exporter.registry.unregister(collector)
    for panel in stale:
        error = str(state.metric_errors.get(panel))
        assert re.fullmatch(r"the value is stale: .*3m\d*s? .*\(it read (9|16|18)\); no fresh data", error), (panel, error)
        assert all(value is None for _ts, value in state.samples[panel]), f"{panel}: a stale reading has no value"
    assert "rbt_test_old was" not in str(state.metric_errors["old"]) and "the newest of its 2 series is 3m" in str(state.metric_errors["old"]), (
        state.metric_errors
    )
    assert "the newest of 2 series of rbt_test_old is 3m" in str(state.metric_errors["total"]), state.metric_errors
    assert state.paused and "no data" in str(state.pause_reason), state.pause_reason
    assert {t.get("panel") for t in state.guard_trips if t.get("no_data")} == set(stale), "the fresh panels trip nothing"
    for panel in ("err", "rate"):
        assert state.samples[panel][-1][1] is not None and not state.metric_errors.get(panel) and not state.metric_notes.get(panel), panel
    assert state.metric_notes.get("back") == "staleness not checked: the query uses offset or @", state.metric_notes
    # A selector matching old and fresh series (other tests' gauges left out): the value is of the fresh one (api 1), not the old 9.
    assert state.samples["mixed"][-1][1] == 1, state.samples["mixed"][-3:]
    assert re.fullmatch(r"2 of 3 series last sampled up to 3m\d*s? ago: stale, the value is of the other 1", str(state.metric_notes.get("mixed"))), (
        state.metric_notes
    )
    events = written_events(tmp_path / "journal.jsonl")
    [trip] = [e for e in events if e["type"] == "guard_tripped" and e["panel"] == "old"]
    assert trip["no_data"] and trip["error"] == state.metric_errors["old"] and "the value is stale" in trip["words"], trip
    from runbook_tui.engine.state import replay

    replica = replay(events)
    assert [t["words"] for t in replica.guard_trips] == [t["words"] for t in state.guard_trips], "the verifier folds the same words"
    now = parse_ts(state.samples["old"][-1][0])
    head, foot = asyncio.run(_painted(state, now, panel="old"))
    assert "NO VALUE" in head and "the value is stale" in foot, (head, foot)
    head, foot = asyncio.run(_painted(state, now, (80, 24), "one-line", panel="total"))
    assert "NO VALUE" in head, head


def test_a_scalar_of_several_series_says_why_it_is_nan(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """`scalar(x)` over two series is NaN in PromQL (scalar() takes exactly one). Before, the panel said `the value is
    NaN (not a number: e.g. 0/0, or no data in its window)`, words that sent the person looking at the data; now it
    says that scalar() gives NaN for no series or more than one. A scalar of one series reads its value."""
    path = write_runbook(
        metrics_runbook(
            f'prometheus: {{url: "{prometheus.url}"}}',
            panels="""
            - {id: many, title: Scalar of two, query: 'scalar(rbt_test_value{service=~"api|batch"})', critical: 5}
            - {id: one, title: Scalar of one, query: 'scalar(rbt_test_value{service="api"})', critical: 5}
            """,
            sections="- id: s\n  steps:\n    - {id: one, run: 'true'}",
        )
    )

    async def scenario() -> RunState:
        session = _open(path, tmp_path)
        try:
            state = lambda: session.controller.state  # noqa: E731
            await until(lambda: bool(state().metric_errors.get("many")) and bool(state().samples.get("one")), timeout=15, what="both panels read")
            return state()
        finally:
            await session.close()

    state = asyncio.run(scenario())
    assert state.metric_errors["many"] == ("the value is NaN (not a number: scalar() gives NaN when its vector has no series or more than one)"), (
        state.metric_errors
    )
    assert state.samples["one"][-1][1] == 1, state.samples["one"]


def test_a_guard_over_several_series_names_the_one_that_tripped_it(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """A guard's query answering two series (api at 1, batch at 7): the value is the worst one, 7. Before, the trip said
    `7 above 5` alone: the person looked at api, saw 1, and could not tell what had tripped. Now the words name the
    series by the labels that tell them apart, and how many there were."""
    exporter.set(7, service="batch")
    prometheus.wait_for('rbt_test_value{service="batch"}', lambda v: v == 7)
    path = write_runbook(
        metrics_runbook(
            f'prometheus: {{url: "{prometheus.url}"}}',
            panels="""
            - {id: both, title: Two series, query: 'rbt_test_value{service=~"api|batch"}', critical: 5, on_critical: notify}
            """,
            sections="- id: s\n  steps:\n    - {id: one, run: 'true'}",
        )
    )

    async def scenario() -> RunState:
        session = _open(path, tmp_path)
        try:
            await until(lambda: bool(session.controller.state.guard_trips), timeout=15, what="the guard to trip")
            return session.controller.state
        finally:
            await session.close()

    try:
        state = asyncio.run(scenario())
    finally:
        exporter.set(0, service="batch")
    [trip] = state.guard_trips
    assert trip.get("words") == """guard 'both' tripped: 7 above 5 (the worst of 2 series: service="batch")""", trip
