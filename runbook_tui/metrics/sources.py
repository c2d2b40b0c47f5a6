"""Where panel values come from: a Prometheus server, or an exporter scraped directly.

Both sources answer the same question, "what is each panel's value now?",
with a `Sample` per panel: a number, or an error in words a tired person
can act on ("Prometheus unreachable at http://prom:9090: connection
refused"). Nothing here raises on a network or query problem, and nothing
imports Textual. Every request is one bounded GET (engine/http_bounded.py: a deadline
for the whole request, a size limit, few redirects) in a daemon thread of
its own (not asyncio's default pool, where the journal waits for a decision's
fsync); the event loop never waits on the network, no request outlives its
deadline (a peer dripping a byte every half second ties up no thread), a
reading whose answer is still being read past it is waited for by the next
poll, never started again, and the process's exit waits for none (readings.py).
prometheus-api-client is not used: it reads an answer whole, however long
and however slowly it comes.

- `PrometheusSource`: instant queries for the current value; a range query
  over the 30 minutes before the session started for the baseline, both
  read by prom_answer.py. Bearer token from the runbook's rendered `token`;
  TLS verified (a private CA via `REQUESTS_CA_BUNDLE`). No retries inside a
  poll: the next poll is the retry.
- `ScrapeSource`: GET the exporter's text exposition once per poll, parsed by
  `prometheus_client.parser`.

A value that is not a number (NaN) is no reading, said in words; an
infinite one is a reading with no journalable value (`Sample.infinite`):
the guards see it past every line on its side. A panel query is a metric name with optional
  label matchers (`http_requests_total{code="500"}`) or `rate(name{...}[1m])`, computed from successive
  scrapes held in memory, each series' own; of several series the value is the worst, as Prometheus' is.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

from runbook_tui.engine.http_bounded import FetchError, get, redirected_note, without_password
from runbook_tui.engine.redact import MASK, MIN_SECRET_LENGTH
from runbook_tui.metrics.exposition import Samples, too_many_words, wanted_samples
from runbook_tui.metrics.guards import format_value
from runbook_tui.metrics.prom_answer import (
    TLS_PORT_WORDS,
    AnswerError,
    evaluated_at,
    http_error,
    instant_values,
    parse,
    plain_to_tls,
    range_series,
    series_name,
    shown,
    vector_labels,
)
from runbook_tui.metrics.readings import Readings
from runbook_tui.metrics.scrape_rate import series_rates
from runbook_tui.metrics.staleness import (
    UNKNOWN_NOTE,
    Unreadable,
    is_plain,
    old_stamps_query,
    plain_stale,
    selector_stale,
    selectors,
    stale_error,
    stale_words,
    summary_query,
    without,
)
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.reach import header_value_problem
from runbook_tui.runbook.scrape_query import QueryError, ScrapeQuery, parse_scrape_query

Direction = Literal["above", "below"]

#: How far back the Prometheus baseline reaches before the session started.
BASELINE_SECONDS = 30 * 60
#: Points a baseline range query asks for (the step is derived from it).
BASELINE_POINTS = 120
#: A series whose last sample is older than this is called stale (two scrapes of a 1-minute interval and more: whatever
#: wrote it stopped); Prometheus still answers it, as current, until 5 minutes after that sample.
STALE_SAMPLE_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading of one panel: `value`, or `error` in words. Both None: nothing to show yet (rate warming up).

    `infinite` is an infinite reading (value None, the error says it): no number the journal can hold, but a
    reading all the same, past every line on its side, which the guards must see.
    """

    value: float | None
    error: str | None
    ts: float  # Unix time the reading was taken
    infinite: float | None = None
    note: str | None = None  # what the value leaves out: `1 of 3 series NaN` (the value is the worst of the others)
    series: str = ""  # which series the value is, of several: `the worst of 2 series: service="batch"` (words only)

    @property
    def guarded(self) -> float | None:
        """The value a guard judges: the number, or the infinity."""
        return self.value if self.value is not None else self.infinite

    @property
    def ok(self) -> bool:
        return self.error is None and self.value is not None

    @property
    def pending(self) -> bool:
        return self.error is None and self.value is None


@dataclass(frozen=True, slots=True)
class Baseline:
    """What a panel read before the change: `value` (with how it was computed), or `error`."""

    value: float | None
    error: str | None
    basis: str


@dataclass(frozen=True, slots=True)
class PanelQuery:
    """What a source needs of a panel: its id, its rendered query, and which side is bad."""

    id: str
    query: str
    direction: Direction = "above"


class Source(Protocol):
    kind: str
    url: str

    async def poll(self, panels: Sequence[PanelQuery]) -> dict[str, Sample]: ...

    async def baseline(self, panel: PanelQuery, started: float) -> Baseline: ...

    def close(self) -> None: ...


def worst(values: Sequence[float], direction: Direction) -> float:
    """Of several series, the one nearest trouble: the highest when high is bad, else the lowest."""
    return max(values) if direction == "above" else min(values)


def median(values: Sequence[float]) -> float:
    """The median of finite values, never past their range: `statistics.median` takes the two middle ones' mean as
    (a + b) / 2, and two readings of 1e308 made +Inf, journaled as `Infinity` (no JSON reader takes it; `journal
    verify` then called the run's own journal NOT intact). Halving first is exact, and the sum cannot overflow."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else ordered[half - 1] / 2 + ordered[half] / 2


# -- errors in words --------------------------------------------------------------------

#: What makes a large answer quicker to read.
FEWER_SERIES = "a query answering fewer series (sum by, topk) reads quicker"
#: What makes a large exporter page quicker to read.
SMALLER_PAGE = "a smaller page (the exporter's own filters) or the same query through Prometheus reads quicker"
#: Bytes an answer may have: a Prometheus vector of ~100,000 series, or a large exporter's page, fits.
ANSWER_LIMIT = 16 * 1024 * 1024


def _fetch_error(what: str, url: str, exc: FetchError) -> str:
    """A failed request in words: `Prometheus unreachable at URL: connection refused`."""
    if exc.kind == "connect":
        return f"{what} unreachable at {url}: {exc}"
    if exc.kind == "timeout":
        return f"{what} at {url} {exc}"
    return f"{what} at {url}: {exc}"


def _named(sample: Sample, values: Sequence[float], drop: set[int], labels: Sequence[Mapping[str, Any]]) -> Sample:
    """`sample` with the series its value is, when several had a number (a guard's trip names it: the person looked at
    one series, saw it fine, and could not tell what had tripped). `labels`: each value's series' labels."""
    kept = [i for i, v in enumerate(values) if i not in drop and not math.isnan(v)]
    worst_index = next((i for i in kept if values[i] == sample.guarded), None)
    name = series_name([labels[i] for i in kept], kept.index(worst_index)) if len(kept) > 1 and worst_index is not None else ""
    if not name:
        return sample
    said = f"the worst of {len(kept)} series: {name}"
    return Sample(sample.value, sample.error, sample.ts, sample.infinite, sample.note, said)


def _noted(sample: Sample, words: str) -> Sample:
    """`sample` with `words` added to what its note says the value leaves out."""
    return Sample(sample.value, sample.error, sample.ts, sample.infinite, "; ".join(n for n in (sample.note, words) if n), sample.series)


#: A scalar answer that is NaN from a query using scalar(): PromQL's scalar() takes a vector of exactly one series.
SCALAR_NAN = "the value is NaN (not a number: scalar() gives NaN when its vector has no series or more than one)"


def _seconds(seconds: float) -> str:
    return format_duration(seconds) if seconds >= 1 else f"{seconds:g}s"


def reading(values: Sequence[float], direction: Direction, now: float) -> Sample:
    """Several series' values as one reading: the worst, NaN and infinities said in words."""
    if not values:
        return Sample(None, "no value", now)
    finite = [v for v in values if not math.isnan(v)]
    value = worst(finite, direction) if finite else math.nan
    if math.isnan(value):
        every = f" in all {len(values)} series" if len(values) > 1 else ""
        return Sample(None, f"the value is NaN{every} (not a number: e.g. 0/0, or no data in its window)", now)
    # Some series NaN, not all: the value is the worst of the others, and says so (before: silently, as if it were all).
    missing = len(values) - len(finite)
    note = f"{missing} of {len(values)} series NaN (no number): the value is of the other {len(finite)}" if missing else None
    if math.isinf(value):
        side = "above" if value > 0 else "below"
        return Sample(None, f"the value is {shown(value)} (infinite: {side} every line)", now, infinite=value, note=note)
    return Sample(value, None, now, note=note)


# -- Prometheus ---------------------------------------------------------------------------


class PrometheusSource:
    """Instant queries for now, a range query for the baseline: the HTTP API v1, through `fetch.get` (bounded)."""

    kind = "prometheus"
    #: Queries of one poll in flight at once: the default thread pool is shared (2 cores: 6 threads).
    CONCURRENT = 4

    def __init__(self, url: str, token: str | None = None, *, timeout: float = 5.0) -> None:
        self._address = url.rstrip("/")
        self.url = without_password(self._address)  # what messages and the journal say
        self.token = token or None
        # A token that cannot go into a header (a secret read with its line break) was sent, refused by http.client, and
        # said as "not an HTTP answer": the person looked at Prometheus. Now nothing is asked, and the words say why.
        self._token_problem = header_value_problem(self.token) if self.token else None
        self.timeout = timeout
        self._slots: asyncio.Semaphore | None = None
        self._readings = Readings()
        self._answered: dict[str, int] = {}  # panel id -> bytes of the answer its running reading got (then parses)

    def close(self) -> None:
        pass

    # blocking parts, run in threads

    def _get(self, path: str, params: Mapping[str, str], timeout: float | None = None, heard: str | None = None) -> Any:
        """The answer's `data`; raises FetchError (the request) or AnswerError (its content), both in words. `heard`: the
        panel whose reading notes the answer's size before it is parsed (a poll that gave up waiting says so)."""
        if self._token_problem is not None:
            raise AnswerError(f"Prometheus at {self.url}: nothing asked: the token as read cannot go into a header: {self._token_problem} (check its secret)")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        asked = f"{self._address}{path}?{urlencode(params)}"
        answer = get(asked, headers=headers, timeout=timeout or self.timeout, limit=ANSWER_LIMIT)
        body = answer.body
        if self.token and len(self.token) >= MIN_SECRET_LENGTH:  # before any of it is cut short for a message: a cut token is masked by no one
            body = body.replace(self.token.encode("utf-8", "replace"), MASK.encode())
        if answer.status != 200:
            raise AnswerError(http_error(self.url, answer.status, body) + redirected_note(asked, answer.url))
        if heard is not None:
            self._answered[heard] = len(body)
        return parse(body)

    def query_now(self, panel: PanelQuery) -> Sample:
        started = time.monotonic()
        self._answered.pop(panel.id, None)
        try:
            data = self._get("/api/v1/query", {"query": panel.query}, heard=panel.id)
            values, problem = instant_values(data)
        except FetchError as exc:
            return Sample(None, _fetch_error("Prometheus", self.url, exc), time.time())
        except AnswerError as exc:
            return Sample(None, self._answer_words(exc), time.time())
        if problem is not None:
            return Sample(None, problem, time.time())
        now = time.time()
        if data.get("resultType") == "scalar" and math.isnan(values[0]) and "scalar" in panel.query:
            return Sample(None, SCALAR_NAN, now)  # not "0/0, or no data in its window": what scalar() itself does
        drop, words, all_old = self._stale(panel, data, self.timeout - (time.monotonic() - started))
        if all_old or (drop and len(drop) == len(values)):
            old = reading(values, panel.direction, now)  # what the old samples read, said in the words only
            shown_value = format_value(old.guarded) if old.guarded is not None else None
            return Sample(None, stale_error(words or "its samples are old", shown_value), now)
        sample = reading(without(values, drop), panel.direction, now)
        sample = _named(sample, values, drop, vector_labels(data))
        if drop:
            words = f"{words}: stale, the value is of the other {len(values) - len(drop)}"
        return sample if words is None else _noted(sample, words)

    def _stale(self, panel: PanelQuery, data: Any, budget: float) -> tuple[set[int], str | None, bool]:
        """Which of the answer's series are old (`timestamp()` asked at the same evaluation time), in words, and whether
        the value is made of old samples only (staleness.py: a plain selector's series each; an expression's selectors
        each). Best effort: a scalar, a refused or slow second query say nothing."""
        at = evaluated_at(data)
        try:
            found, moved = selectors(panel.query)
        except Unreadable:
            return set(), None, False
        if moved:
            return set(), UNKNOWN_NOTE, False
        if at is None or budget < 0.2:
            return set(), None, False
        deadline = time.monotonic() + budget
        if is_plain(panel.query, found):
            stamps = self._stamps(old_stamps_query(found[0], at, STALE_SAMPLE_SECONDS), at, budget)
            return (*plain_stale(data, stamps, at, STALE_SAMPLE_SECONDS), False) if stamps is not None else (set(), None, False)
        said: list[str] = []
        for selector in found:
            summary = self._stamps(summary_query(selector, at, STALE_SAMPLE_SECONDS), at, deadline - time.monotonic())
            if summary is None:
                continue
            old, words = selector_stale(selector, summary, at)
            if old:
                return set(), words, True
            if words is not None:
                said.append(words)
        return set(), "; ".join(said) or None, False

    def _stamps(self, query: str, at: float, budget: float) -> Any:
        """The answer to `query` (of `timestamp()`s) at `at`; None when it does not come in `budget` seconds or is refused."""
        if budget < 0.2:
            return None
        try:
            return self._get("/api/v1/query", {"query": query, "time": repr(at)}, timeout=budget)
        except (FetchError, AnswerError):
            return None

    def _answer_words(self, exc: AnswerError) -> str:
        text = str(exc)
        return text if text.startswith("Prometheus") else f"Prometheus at {self.url}: {text}"

    def query_baseline(self, panel: PanelQuery, started: float) -> Baseline:
        basis = f"median of the {format_duration(BASELINE_SECONDS)} before the start"
        step = max(1, BASELINE_SECONDS // BASELINE_POINTS)
        params = {"query": panel.query, "start": str(round(started - BASELINE_SECONDS)), "end": str(round(started)), "step": f"{step}s"}
        try:
            per_series = [median(values) for values in range_series(self._get("/api/v1/query_range", params)) if values]
        except FetchError as exc:
            return Baseline(None, _fetch_error("Prometheus", self.url, exc), basis)
        except AnswerError as exc:
            return Baseline(None, self._answer_words(exc), basis)
        if not per_series:
            return Baseline(None, f"no data in the {format_duration(BASELINE_SECONDS)} before the start", basis)
        return Baseline(worst(per_series, panel.direction), None, basis)

    # the async face

    async def poll(self, panels: Sequence[PanelQuery]) -> dict[str, Sample]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.CONCURRENT)
        slots = self._slots

        async def one(panel: PanelQuery) -> Sample:
            async with slots:  # the deadline counts from when the query really starts
                try:
                    return await self._readings.read(("now", panel), self.query_now, panel, deadline=self.timeout + 1)
                except TimeoutError:
                    return Sample(None, self._late_words(panel), time.time())

        samples = await asyncio.gather(*(one(p) for p in panels))
        return {p.id: s for p, s in zip(panels, samples)}

    def _late_words(self, panel: PanelQuery) -> str:
        """Why a poll gave up on `panel`'s reading: no answer in time, or an answer too large to read in time (it read
        `did not answer`, and the person looked at a Prometheus that had answered)."""
        size = self._answered.get(panel.id)
        if size is None:
            return f"Prometheus at {self.url} did not answer within {_seconds(self.timeout)}"
        waited = _seconds(self.timeout + 1)
        return f"Prometheus at {self.url} answered ({size:,} bytes), but reading the answer took longer than {waited}: {FEWER_SERIES}"

    async def baseline(self, panel: PanelQuery, started: float) -> Baseline:
        try:
            return await self._readings.read(("baseline", panel, started), self.query_baseline, panel, started, deadline=self.timeout + 1)
        except TimeoutError:
            return Baseline(None, f"Prometheus at {self.url} did not answer within {_seconds(self.timeout)}", "baseline")


# -- scrape ---------------------------------------------------------------------------------


def fetch_exposition(url: str, timeout: float) -> tuple[str, int]:
    """GET the exporter's /metrics (blocking, bounded): its text and its size in bytes. Raises FetchError, or AnswerError
    for a status other than 200."""
    answer = get(url, headers={"Accept": "text/plain"}, timeout=timeout, limit=ANSWER_LIMIT)
    if plain_to_tls(answer.status, answer.body):
        raise AnswerError(f"answered HTTP 400: {TLS_PORT_WORDS}{redirected_note(url, answer.url)}")
    if answer.status != 200:
        raise AnswerError(f"answered HTTP {answer.status}{redirected_note(url, answer.url)}")
    return answer.body.decode("utf-8", "replace"), len(answer.body)


class ScrapeSource:
    """Reads an exporter directly: one GET per poll, every panel evaluated on the same scrape."""

    kind = "scrape"

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self._address = url
        self.url = without_password(url)  # what messages and the journal say
        self.timeout = timeout
        self._parsed: dict[str, ScrapeQuery | QueryError] = {}
        self._rates: dict[str, dict[tuple[tuple[str, str], ...], deque[tuple[float, float]]]] = {}  # panel -> series -> its recent (time, value)
        self._readings = Readings()
        self._answered: int | None = None  # bytes of the page the running scrape got (then parses)

    def close(self) -> None:
        pass

    def _query(self, panel: PanelQuery) -> ScrapeQuery | QueryError:
        if panel.query not in self._parsed:
            try:
                self._parsed[panel.query] = parse_scrape_query(panel.query)
            except QueryError as exc:
                self._parsed[panel.query] = exc
        return self._parsed[panel.query]

    def scrape(self, panels: Sequence[PanelQuery]) -> tuple[Samples | None, str | None, float, dict[ScrapeQuery, int], Samples]:
        """Blocking: (the fresh samples of the metrics `panels` name, error in words, time of the scrape, {query: its
        series} for each query over more series than a panel reads: not parsed, exposition.py; and the stale ones, each
        with its age in place of its value: stamped by the exporter more than STALE_SAMPLE_SECONDS before the scrape)."""
        now = time.time()
        self._answered = None
        try:
            text, self._answered = fetch_exposition(self._address, self.timeout)
        except AnswerError as exc:
            return None, f"exporter at {self.url} {exc}", now, {}, []
        except FetchError as exc:
            return None, _fetch_error("exporter", self.url, exc), now, {}, []
        queries = [query for panel in panels if isinstance(query := self._query(panel), ScrapeQuery)]
        try:
            samples, too_many, stamps = wanted_samples(text, queries)
        except ValueError as exc:
            return None, f"cannot read the exporter's output at {self.url}: {exc}", now, {}, []
        # An exporter's own old timestamp (a stuck cache, a federation that stalled): Prometheus reads no such sample, and
        # neither does a guard here. Before, the stale value was judged as the current one: its guard stayed quiet.
        ages = [None if stamp is None else now - stamp for stamp in stamps]
        fresh = [one for one, age in zip(samples, ages) if age is None or age <= STALE_SAMPLE_SECONDS]
        stale = [(name, labels, age) for (name, labels, _value), age in zip(samples, ages) if age is not None and age > STALE_SAMPLE_SECONDS]
        return fresh, None, now, too_many, stale

    def evaluate(
        self, panel: PanelQuery, samples: Samples, now: float, too_many: Mapping[ScrapeQuery, int] | None = None, stale: Samples | None = None
    ) -> Sample:  # fmt: skip
        query = self._query(panel)
        if isinstance(query, QueryError):
            return Sample(None, f"bad query: {query}", now)
        if too_many and query in too_many:
            return Sample(None, too_many_words(self.url, query.name, too_many[query]), now)
        series, old = query.select(samples), list(query.select(stale or []).values())
        old_words = f"{stale_words(old, len(series) + len(old))} (the exporter's own timestamps)" if old else ""
        if not series:
            return Sample(None, stale_error(old_words, None) if old else f"the exporter at {self.url} has no series matching {panel.query}", now)
        if query.rate_window is not None:
            first = panel.id not in self._rates
            # Each series apart: a series that appeared later (`code="503"` at the first 503) has its rate at once.
            series = series_rates(self._rates.setdefault(panel.id, {}), query.rate_window, series, now)
            if not series and first:
                return Sample(None, None, now)  # the first scrape: a rate needs two readings
            if not series:  # never pending for ever (its guard blind): series whose labels change at every scrape
                return Sample(None, f"no series of {panel.query} was there in two scrapes in a row: a rate needs two readings of one series", now)
        # Each series apart and the worst of them, as Prometheus answers the same query and the guards read it (before:
        # their sum, so `up` over three targets read 2 with one down, and a `direction: below` guard at 1 never tripped).
        values = list(series.values())
        sample = _named(reading(values, panel.direction, now), values, set(), [dict(key) for key in series])
        return _noted(sample, f"{old_words}: stale, the value is of the other {len(series)}") if old else sample

    async def poll(self, panels: Sequence[PanelQuery]) -> dict[str, Sample]:
        try:
            samples, error, now, too_many, stale = await self._readings.read("scrape", self.scrape, panels, deadline=self.timeout + 1)
        except TimeoutError:
            samples, error, now, too_many, stale = None, self._late_words(), time.time(), {}, []
        if samples is None:
            return {p.id: Sample(None, error, now) for p in panels}
        return {p.id: self.evaluate(p, samples, now, too_many, stale) for p in panels}

    def _late_words(self) -> str:
        """Why a poll gave up on the scrape: no answer in time, or a page too large to read in time (it read `did not
        answer`, and the person looked at an exporter that had answered)."""
        if self._answered is None:
            return f"exporter at {self.url} did not answer within {_seconds(self.timeout)}"
        waited = _seconds(self.timeout + 1)
        return f"exporter at {self.url} answered ({self._answered:,} bytes), but reading the page took longer than {waited}: {SMALLER_PAGE}"

    async def baseline(self, panel: PanelQuery, started: float) -> Baseline:
        """An exporter keeps no history: the baseline is the first value read (the poller records it)."""
        return Baseline(None, None, "first reading of the session (an exporter keeps no history)")
