"""Live metrics for one run: poll the panels, journal every reading, trip guards, check success.

`Poller` reads every panel every `interval` (the next poll is armed when the
previous one finished, so polls never overlap, however slow the source).
`MetricsMonitor` wires it to a controller:

- every reading is journaled as `metric_sample` (panel, value, ts_sample,
  error); a failed reading carries the error in words and the run goes on;
- each panel's `Guard` (guards.py) sees every reading; a trip is journaled as
  `guard_tripped`; the controller acts on it (engine/guard_response.py):
  `pause` pauses the run (as the system), `rollback` rolls back to the last
  checkpoint once no step runs, the same in the TUI and `exec`; `notify` is
  only the event (the TUI shows a toast). A `pause` or `rollback` trip also
  ends a running `wait` step early, as failed;
- a guard panel with no successful reading for its `for` (source down,
  empty result, scrape failing) trips its `NoDataGuard`: `guard_tripped`
  with `no_data: true`, acted on as `on_no_data` says (pause or notify);
- `judge` is the controller's `metric_judge` for `expect.metric`;
- `metrics.success` is checked when a verify section is complete (if steps
  follow it) and before the session finishes as done (the controller's
  `before_finish`), journaled as `success_check_started` and one
  `success_checked` per criterion. Dry runs (`enforce=False`): panels, no checks, a trip is a note.

Readings are evaluated from the poller's own stream: a check waits for the
next fresh reading instead of querying on its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.controller import SYSTEM, Controller
from runbook_tui.engine.dry_run import dry_run_guard_note
from runbook_tui.engine.events import Event, P
from runbook_tui.engine.http_bounded import short
from runbook_tui.engine.journal import JournalError
from runbook_tui.engine.ports import StopSignal
from runbook_tui.engine.state import RunState
from runbook_tui.engine.stop_waits import unless_stopped
from runbook_tui.metrics.check_wait import FreshReadings, wait_for_check
from runbook_tui.metrics.guard_memory import GuardMemory
from runbook_tui.metrics.guards import Guard, NoDataGuard, NoDataTrip, Trip, blind_outlook, check_words, panel_json
from runbook_tui.metrics.outages import Outages
from runbook_tui.metrics.sources import Baseline, PanelQuery, PrometheusSource, Sample, ScrapeSource, Source
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.model import MetricCheck, Metrics, Panel, Runbook
from runbook_tui.runbook.plan import check_json
from runbook_tui.runbook.templating import TemplateError, context_for, render_text

log = logging.getLogger(__name__)

FINAL = frozenset({"done", "skipped"})
#: Baseline errors that trying again cannot mend: the window before the start held no data, the query is refused.
FINAL_BASELINE_ERRORS = ("no data in the ", "Prometheus refused the query")
#: The longest pause between two tries of a baseline that failed (they start one interval apart and double).
BASELINE_RETRY_MAX = 10.0


def default_timeout(interval: float) -> float:
    """How long one reading may take: the interval, but at least 2 s and at most 10 s."""
    return min(max(interval, 2.0), 10.0)


def iso(ts: float) -> str:
    """Unix time as the journal writes times: ISO 8601 UTC with milliseconds."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def make_source(runbook: Runbook, secrets: Mapping[str, str], timeout: float) -> tuple[Source, list[PanelQuery]]:
    """The runbook's source with its URL and token rendered (secrets included), and each panel's query.

    Raises TemplateError when something cannot be rendered.
    """
    metrics = runbook.metrics
    assert metrics is not None and metrics.source is not None
    context = context_for(runbook, secrets=dict(secrets))
    url = render_text(metrics.source.url, context)
    panels = [PanelQuery(p.id, render_text(p.query, context), p.direction) for p in metrics.panels]
    if metrics.source.kind == "prometheus":
        token = render_text(metrics.source.token, context) if metrics.source.token is not None else None
        return PrometheusSource(url, token, timeout=timeout), panels
    return ScrapeSource(url, timeout=timeout), panels


class Poller:
    """Reads every panel every `interval`; the next poll is armed once the previous one finished."""

    def __init__(self, source: Source, panels: Sequence[PanelQuery], interval: float, on_samples: Callable[[dict[str, Sample]], None]) -> None:
        self.source = source
        self.panels = list(panels)
        self.interval = interval
        self.on_samples = on_samples
        self.polls = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="metrics-poller")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run(self) -> None:
        while True:
            started = time.monotonic()
            try:
                samples = await self.source.poll(self.panels)
            except Exception as exc:  # a bug in a source must not end the polling nor reach the screen as a traceback
                log.exception("metrics source failed")
                now = time.time()
                samples = {p.id: Sample(None, f"internal error reading the metrics source: {short(str(exc)) or type(exc).__name__}", now) for p in self.panels}
            self.polls += 1
            try:
                self.on_samples(samples)
            except JournalError:
                log.error("journal write failed; metrics polling stopped")
                return
            except Exception:  # a bug in a consumer must not end the polling
                log.exception("metrics consumer failed")
            spent = time.monotonic() - started
            # Re-armed after the poll: never overlapping; a slow source is not hammered back to back.
            await asyncio.sleep(max(self.interval - spent, min(1.0, self.interval / 2)))


class MetricsMonitor:
    """Polling, guards, `expect.metric` and `metrics.success` for one controller's run."""

    def __init__(
        self,
        controller: Controller,
        *,
        source: Source | None = None,
        queries: Sequence[PanelQuery] | None = None,
        timeout: float | None = None,
        enforce: bool = True,
        memory: GuardMemory | None = None,
    ) -> None:
        metrics = controller.runbook.metrics
        assert metrics is not None, "a monitor needs a runbook with metrics"
        self.controller = controller
        self.metrics: Metrics = metrics
        self.timeout = timeout if timeout is not None else default_timeout(metrics.interval_seconds)
        self.enforce = enforce  # judge expect.metric and check metrics.success (not in dry runs: nothing changed)
        self.source = source
        self.queries = list(queries) if queries is not None else None
        self.panels: dict[str, Panel] = {p.id: p for p in metrics.panels}
        self.guards = {p.id: Guard.for_panel(p) for p in metrics.panels}
        watching_since = time.time()
        self.no_data_guards = {p.id: g for p in metrics.panels if (g := NoDataGuard.for_panel(p, watching_since)) is not None}
        if memory is not None:  # resumed: the guards go on from what the journal's readings showed
            memory.seed(self.guards, self.no_data_guards)
        self.readings = FreshReadings()  # the latest reading of each panel; checks wait on it (check_wait.py)
        self.poller: Poller | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._first_value_baseline: set[str] = set()  # panels whose baseline is their first reading
        self._outages = Outages()  # which panels' readings fail, said once per outage
        self._verify_checked: set[str] = set()
        self._verify_stops: set[StopSignal] = set()  # the verify sections' checks waiting now
        self._stopped = False

    # -- life -------------------------------------------------------------------------------

    def start(self) -> bool:
        """Journal `metrics_started`, fetch baselines, start polling, hook into the controller. False if it cannot start."""
        controller = self.controller
        if self.source is None or self.queries is None:
            try:
                self.source, self.queries = make_source(controller.runbook, controller.secrets, self.timeout)
            except TemplateError as exc:
                self._emit(ev.ERROR, message=f"metrics: cannot render the source or a query: {exc}; panels stay empty")
                return False
        source, queries = self.source, self.queries
        query_of = {q.id: q.query for q in queries}
        self._emit(
            ev.METRICS_STARTED,
            source={"kind": source.kind, "url": source.url},
            interval=self.metrics.interval_seconds,
            timeout=self.timeout,
            panels=[panel_json(p, query_of.get(p.id, p.query.shown())) for p in self.metrics.panels],
            success=[self._criterion(c) for c in self.metrics.success],
        )
        if self.enforce:
            controller.metric_judge = self.judge
        if self.enforce and self.metrics.success:
            controller.before_finish = self._final_check
        controller.subscribe(self._on_event)
        # A resumed run keeps the baselines its journal has: the reading before the change, not one from now. Fetched
        # again, a scrape source's "first reading of the session" was the resumed process's (the spike that paused the
        # run) and the report's Before read 9 where the run had started at 0 (the later baseline stood).
        known = self.controller.state.baselines
        self._spawn(self._baselines([q for q in queries if (known.get(q.id) or {}).get("value") is None]))
        if queries:
            self.poller = Poller(source, queries, self.metrics.interval_seconds, self._on_samples)
            self.poller.start()
        return True

    async def stop(self) -> None:
        self._stopped = True
        if self.poller is not None:
            await self.poller.stop()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        if self.source is not None:
            self.source.close()

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def _closed(self) -> bool:
        """Nothing may follow session_finished in a journal; a broken journal takes no more events."""
        return self._stopped or self.controller.state.finished or self.controller.fatal is not None

    def _emit(self, type: ev.EventType[P], *args: P.args, **data: P.kwargs) -> Event | None:
        if self._closed:
            return None
        return self.controller.emit(type, SYSTEM, *args, **data)

    def _criterion(self, check: MetricCheck) -> dict[str, Any]:
        unit = self.panels[check.panel].unit if check.panel in self.panels else ""
        return {**check_json(check), "text": check_words(check, unit)}

    # -- readings ---------------------------------------------------------------------------

    async def _baselines(self, queries: Sequence[PanelQuery]) -> None:
        assert self.source is not None
        started_at = self.controller.state.session.get("started_at")
        started = parse_iso(started_at) if started_at else time.time()
        results: list[Baseline] = await asyncio.gather(*(self.source.baseline(q, started) for q in queries))
        retry: list[PanelQuery] = []
        for query, baseline in zip(queries, results):
            if baseline.value is None and baseline.error is None:
                self._first_value_baseline.add(query.id)  # the source keeps no history: the first reading is "before"
                first = self.readings.latest.get(query.id)
                if first is not None and first.ok:
                    self._first_value_baseline.discard(query.id)
                    self._emit(ev.METRIC_BASELINE, panel=query.id, value=first.value, error=None, basis=self._first_reading(baseline.basis))
                continue
            self._emit(ev.METRIC_BASELINE, panel=query.id, value=baseline.value, error=baseline.error, basis=baseline.basis)
            if baseline.error is not None and not baseline.error.startswith(FINAL_BASELINE_ERRORS):
                retry.append(query)
        await self._baselines_again(retry, started)

    async def _baselines_again(self, queries: Sequence[PanelQuery], started: float) -> None:
        """Fetch again, until it comes, each baseline that failed for want of the source (down, slow, a bad answer): the
        window is the one before the start either way. Before, it was never fetched again and the panel and the report
        said `before: n/a` for the whole run after a blip at the start. A baseline that comes once a step has begun says
        so in its `basis` (its value is still from before the start; it was read late)."""
        assert self.source is not None
        source, waiting, delay = self.source, list(queries), max(self.metrics.interval_seconds, 1.0)
        while waiting and not self._closed:
            await asyncio.sleep(delay)
            delay = min(delay * 2, BASELINE_RETRY_MAX)
            results: list[Baseline] = await asyncio.gather(*(source.baseline(q, started) for q in waiting))
            for query, baseline in zip(list(waiting), results):
                if baseline.value is None and baseline.error is not None and not baseline.error.startswith(FINAL_BASELINE_ERRORS):
                    continue  # still failing: the panel says the first error already
                waiting.remove(query)
                state = self.controller.state
                begun = [sid for sid in state.order if state.steps[sid].started_at is not None]
                late = f"; read {format_duration(max(time.time() - started, 1))} after the start" + (
                    f", once step '{begun[0]}' had begun: the tries before failed" if begun else ": the tries before failed"
                )
                self._emit(ev.METRIC_BASELINE, panel=query.id, value=baseline.value, error=baseline.error, basis=baseline.basis + late)

    def _first_reading(self, basis: str) -> str:
        """A source with no history takes its first reading as "before": true only while no step has begun. Before, a
        first step quicker than the first scrape (or a panel with no data until then) had its effect reported as the
        "before" value (`Before 50 / After 50` for a change from 1 to 50) with nothing saying it was read late."""
        state = self.controller.state
        begun = next((sid for sid in state.order if state.steps[sid].started_at is not None), None)
        return basis if begun is None else f"{basis}; read once step '{begun}' had begun: it may already show the change"

    def _on_samples(self, samples: dict[str, Sample]) -> None:
        if self._closed:
            return
        failing: dict[str, set[str]] = {}
        trips: list[Trip | NoDataTrip] = []
        self.readings.take(samples)
        for panel_id, sample in samples.items():
            if sample.pending:
                continue  # rate() warming up: nothing to show yet
            said: dict[str, Any] = {key: words for key, words in (("note", sample.note), ("series", sample.series)) if words}
            if sample.infinite is not None:  # a reading all the same (its guard judges it): so a resumed guard reads it too
                said["infinite"] = "+Inf" if sample.infinite > 0 else "-Inf"
            self._emit(ev.METRIC_SAMPLE, panel=panel_id, value=sample.value, ts_sample=iso(sample.ts), error=sample.error, **said)
            if sample.error is not None and sample.infinite is None:  # +Inf is a reading its guard judges, not a failure
                failing.setdefault(sample.error, set()).add(panel_id)
            if panel_id in self._first_value_baseline and sample.ok:
                self._first_value_baseline.discard(panel_id)
                basis = self._first_reading("first reading of the session (an exporter keeps no history)")
                self._emit(ev.METRIC_BASELINE, panel=panel_id, value=sample.value, error=None, basis=basis)
            # An infinite reading has no journalable value, but it is a reading: past every line on its side.
            trip = self.guards[panel_id].observe(sample.ts, sample.guarded)
            if trip is not None:
                trips.append(trip)
            no_data = self.no_data_guards.get(panel_id)
            error = sample.error if sample.infinite is None else None
            blind = no_data.observe(sample.ts, sample.guarded, error) if no_data is not None else None
            if blind is not None:
                trips.append(blind)
        self._announce(failing, {panel for panel, sample in samples.items() if not sample.pending})
        for tripped in trips:
            self._trip(tripped)
        self._spawn(self.readings.announce())

    def _announce(self, failing: dict[str, set[str]], polled: set[str]) -> None:
        """One `error` event when a panel's readings start failing, one note once they are back (outages.py). While a
        panel keeps failing, each reading's own error is in its `metric_sample`."""
        failing_now = {panel: message for message, panels in failing.items() for panel in panels}
        started, back = self._outages.poll(failing_now, polled)
        for message, panels in started.items():
            names = ", ".join(sorted(panels))
            outlook = blind_outlook(self.no_data_guards if self.enforce else {}, sorted(panels))  # a dry run never pauses
            self._emit(ev.ERROR, message=f"metrics ({names}): {message}; {outlook}", transient=True, metrics=True)
        for message, panels in back.items():
            # One level of brackets: `(the value is NaN (not a number: ...) no more)` read as if the value were still NaN.
            self._emit(ev.NOTE, text=f"metrics ({', '.join(sorted(panels))}): readings are back; what had failed: {message}")

    # -- guards -----------------------------------------------------------------------------

    def _trip(self, trip: Trip | NoDataTrip) -> None:
        panel = self.panels[trip.panel]
        latest = self.readings.latest.get(trip.panel)
        words = trip.words(panel.unit) + (f" ({latest.series})" if isinstance(trip, Trip) and latest is not None and latest.series else "")
        if self.enforce:  # the controller acts on the trip (engine/guard_response.py): pause, or roll back to the last checkpoint
            self._emit(ev.GUARD_TRIPPED, **trip.payload(), title=panel.title, unit=panel.unit, words=words)
        else:  # a dry run changed nothing: a note says what a live run would have done, nothing acts on it
            self._emit(ev.NOTE, text=dry_run_guard_note(words, trip.action))

    # -- expect.metric and metrics.success ----------------------------------------------------

    async def evaluate(self, check: MetricCheck, since: str = "the check began") -> tuple[bool, float | None, str]:
        """(met, last value, words): the next fresh reading decides; with `within`, the first one that holds before the
        deadline (check_wait.py)."""
        unit = self.panels[check.panel].unit
        if self.poller is None or not self.poller.running:
            return False, None, f"{check_words(check, unit)}: not checked, the metrics source is not being read"
        one_reading = self.metrics.interval_seconds + self.timeout + 2.0  # long enough for the next poll to land
        return await wait_for_check(self.readings, check, unit, one_reading=one_reading, since=since)

    async def judge(self, check: MetricCheck) -> tuple[bool, str]:
        """The controller's `metric_judge` for `expect.metric`."""
        met, _value, words = await self.evaluate(check, "the command")
        return met, words

    async def check_success(self, when: str, stop: StopSignal | None = None) -> list[bool | None]:
        """Check every `metrics.success` criterion now; one `success_checked` event per criterion as it is decided (a
        person's `stop` ends the wait: the criteria not decided by then are journaled as not met, with who stopped it)."""
        criteria = self.metrics.success
        if not criteria or self._closed:
            return []
        if when == "end" and stop is not None:  # `k` ends a verify section's check still waiting too, saying so

            def end_verify_checks() -> None:
                for verify_stop in list(self._verify_stops):
                    verify_stop.stop(f"ended with the check before the end, {stop.reason}")

            stop.on_stop(end_verify_checks)
        longest = max((c.within_seconds or 0.0) for c in criteria)
        self._emit(ev.SUCCESS_CHECK_STARTED, when=when, criteria=[self._criterion(c) for c in criteria], until=iso(time.time() + longest))
        decided: list[bool | None] = [None] * len(criteria)
        done = [False] * len(criteria)

        async def one(index: int, check: MetricCheck) -> None:
            met, value, words = await self.evaluate(check)
            done[index] = True
            decided[index] = met
            self._emit(ev.SUCCESS_CHECKED, criterion=self._criterion(check), met=met, value=value, when=when, words=words)

        def undecided(why: str) -> None:
            for index, check in enumerate(criteria):
                if not done[index]:
                    text = self._criterion(check)
                    self._emit(ev.SUCCESS_CHECKED, criterion=text, met=None, value=None, when=when, words=f"{text['text']}: not decided: {why}")

        try:
            finished = await unless_stopped(stop, asyncio.gather(*(one(i, c) for i, c in enumerate(criteria))))
        except asyncio.CancelledError:
            undecided("the check was cancelled: a rollback or finish came first")
            raise
        if finished is None and stop is not None:
            undecided(f"the check's wait was {stop.reason}" + ("" if when == "verify" else ", so it counts as not met"))
        return decided

    async def _verify_check(self) -> None:
        """The check at the end of a verify section; the check before the end ends its wait (`k` ends that one's)."""
        stop = StopSignal()
        self._verify_stops.add(stop)
        forget = self.controller.hold_verify_check(stop)  # `k` between steps ends it (engine/final_check.py)
        try:
            await self.check_success("verify", stop)
        finally:
            forget()
            self._verify_stops.discard(stop)

    async def _final_check(self, stop: StopSignal) -> None:
        await self.check_success("end", stop)

    def _on_event(self, event: Event, state: RunState) -> None:
        """At the end of a verify section with steps after it, check the success criteria (in the background)."""
        kind = event["type"]
        if kind == ev.ROLLBACK_STARTED:  # what the verify section saw is being undone: its check's wait ends, undecided
            for verify_stop in list(self._verify_stops):
                verify_stop.stop("ended by the rollback")
            return
        if kind == ev.ROLLBACK_FINISHED:
            self._verify_checked.clear()  # steps will run again: so will the checks
            return
        if kind not in (ev.STEP_FINISHED, ev.STEP_CONFIRMED, ev.STEP_SKIPPED, ev.STEP_MARKED_DONE) or not (self.enforce and self.metrics.success):
            return
        runbook = self.controller.runbook
        order = list(state.order)
        for section in runbook.sections:
            if section.kind != "verify" or not section.steps or section.id in self._verify_checked:
                continue
            if not all(state.steps[s.id].status in FINAL for s in section.steps):
                continue
            last = order.index(section.steps[-1].id)
            if all(state.steps[sid].status in FINAL for sid in order[last + 1 :]):
                continue  # nothing follows: the check before finishing covers it
            self._verify_checked.add(section.id)
            self._spawn(self._verify_check())
