"""Where panel values come from: a Prometheus server, or an exporter scraped directly.

Both sources answer the same question, "what is each panel's value now?",
with a `Sample` per panel: a number, or an error in words a tired person
can act on ("Prometheus unreachable at http://prom:9090: connection
refused"). Nothing here raises on a network or query problem, and nothing
imports Textual. The HTTP clients (prometheus-api-client, requests) block,
so every call runs in a worker thread (`asyncio.to_thread`) under a
deadline; the event loop never waits on the network.

- `PrometheusSource`: instant queries for the current value; a range query
  over the 30 minutes before the session started for the baseline. Bearer
  token from the runbook's rendered `token`; TLS verified (a private CA via
  `REQUESTS_CA_BUNDLE`, as requests reads it). No retries inside a poll:
  the next poll is the retry.
- `ScrapeSource`: GET the exporter's text exposition once per poll, parsed by
  `prometheus_client.parser`. A panel query is a metric name with optional
  label matchers (`http_requests_total{code="500"}`, summed over the
  matching series) or `rate(name{...}[1m])`, computed from successive
  scrapes held in memory.
"""

from __future__ import annotations

import ast
import asyncio
import json
import math
import re
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Protocol, TypeVar

from runbook_tui.runbook.durations import format_duration, parse_duration
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.matchers import Matcher, MatcherError, parse_matcher_list

Direction = Literal["above", "below"]

#: How far back the Prometheus baseline reaches before the session started.
BASELINE_SECONDS = 30 * 60
#: Points a baseline range query asks for (the step is derived from it).
BASELINE_POINTS = 120


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading of one panel: `value`, or `error` in words. Both None: nothing to show yet (rate warming up)."""

    value: float | None
    error: str | None
    ts: float  # Unix time the reading was taken

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


# -- errors in words --------------------------------------------------------------------

_REASONS = (
    ("connection refused", "connection refused"),
    ("name or service not known", "host name not found"),
    ("temporary failure in name resolution", "host name not found (DNS)"),
    ("nodename nor servname", "host name not found"),
    ("no route to host", "no route to host"),
    ("network is unreachable", "network unreachable"),
    ("connection reset", "connection reset"),
    ("remote end closed connection", "the server closed the connection"),
    ("timed out", "connection timed out"),
)


def network_reason(exc: BaseException) -> str:
    """`requests`' nested exception text boiled down to what a person can act on."""
    text = str(exc)
    lowered = text.lower()
    for needle, words in _REASONS:
        if needle in lowered:
            return words
    return _first_line(text) or type(exc).__name__


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else ""


def _request_error(what: str, url: str, exc: BaseException, timeout: float) -> str:
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return f"{what} at {url}: TLS certificate not trusted ({network_reason(exc)}); set REQUESTS_CA_BUNDLE for a private CA"
    if isinstance(exc, requests.exceptions.Timeout) and not isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"{what} at {url} did not answer within {_seconds(timeout)}"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"{what} unreachable at {url}: {network_reason(exc)}"
    return f"{what} at {url}: {network_reason(exc)}"


def _seconds(seconds: float) -> str:
    return format_duration(seconds) if seconds >= 1 else f"{seconds:g}s"


def _prometheus_http_error(url: str, exc: BaseException) -> str:
    """prometheus-api-client's `HTTP Status Code 400 (b'{...}')` as words, with Prometheus' own reason."""
    text = str(exc)
    match = re.match(r"HTTP Status Code (\d+) \((.*)\)\s*$", text, re.S)
    if not match:
        return f"Prometheus at {url}: {_first_line(text)}"
    status = int(match.group(1))
    reason = ""
    try:
        body = ast.literal_eval(match.group(2))
        body = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        try:
            reason = str(json.loads(body).get("error") or "")
        except (ValueError, AttributeError):
            reason = _first_line(body)
    except (ValueError, SyntaxError):
        reason = ""
    if status in (401, 403):
        return f"Prometheus at {url} refused the credentials (HTTP {status}): check the token"
    if status in (400, 422):
        return f"Prometheus refused the query: {reason or f'HTTP {status}'}"
    if status == 503 and "timeout" in reason.lower():
        return f"Prometheus at {url} gave up on the query (timeout): {reason}"
    return f"Prometheus at {url} answered HTTP {status}" + (f": {reason}" if reason else "")


def _number(raw: Any) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


_Result = TypeVar("_Result")


async def _in_thread(func: Callable[..., _Result], *args: Any, deadline: float) -> _Result:
    """Run blocking `func` in a worker thread; give up waiting after `deadline` seconds (the thread ends on its own)."""
    return await asyncio.wait_for(asyncio.to_thread(func, *args), deadline)


# -- Prometheus ---------------------------------------------------------------------------


class PrometheusSource:
    """Instant queries for now, a range query for the baseline, through prometheus-api-client."""

    kind = "prometheus"
    #: Queries of one poll in flight at once: the default thread pool is shared (2 cores: 6 threads).
    CONCURRENT = 4

    def __init__(self, url: str, token: str | None = None, *, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.token = token or None
        self.timeout = timeout
        self._client: Any = None
        self._lock = threading.Lock()  # the first queries of a poll race to make the client
        self._slots: asyncio.Semaphore | None = None

    def client(self) -> Any:
        """The PrometheusConnect, made on first use (its import costs ~0.15 s: not at program start)."""
        with self._lock:
            if self._client is None:
                self._client = connect(self.url, self.token, self.timeout)
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # blocking parts, run in threads

    def query_now(self, panel: PanelQuery) -> Sample:
        from prometheus_api_client.exceptions import PrometheusApiClientException
        from requests import RequestException

        try:
            return _instant_sample(self.client().custom_query(panel.query), panel, time.time())
        except PrometheusApiClientException as exc:
            return Sample(None, _prometheus_http_error(self.url, exc), time.time())
        except RequestException as exc:
            return Sample(None, _request_error("Prometheus", self.url, exc, self.timeout), time.time())
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:  # not the Prometheus API's JSON
            return Sample(None, f"Prometheus at {self.url}: the answer is not Prometheus JSON ({_first_line(str(exc)) or type(exc).__name__})", time.time())

    def query_baseline(self, panel: PanelQuery, started: float) -> Baseline:
        import datetime as dt

        from prometheus_api_client.exceptions import PrometheusApiClientException
        from requests import RequestException

        basis = f"median of the {format_duration(BASELINE_SECONDS)} before the start"
        end = dt.datetime.fromtimestamp(started, dt.UTC)
        start = end - dt.timedelta(seconds=BASELINE_SECONDS)
        step = max(1, BASELINE_SECONDS // BASELINE_POINTS)
        try:
            result = self.client().custom_query_range(panel.query, start_time=start, end_time=end, step=f"{step}s")
        except PrometheusApiClientException as exc:
            return Baseline(None, _prometheus_http_error(self.url, exc), basis)
        except RequestException as exc:
            return Baseline(None, _request_error("Prometheus", self.url, exc, self.timeout), basis)
        except (ValueError, KeyError, TypeError) as exc:
            return Baseline(None, f"Prometheus at {self.url}: the answer is not Prometheus JSON ({_first_line(str(exc)) or type(exc).__name__})", basis)
        per_series = []
        for series in result or []:
            values = [v for v in (_number(point[1]) for point in series.get("values", [])) if v is not None]
            if values:
                per_series.append(statistics.median(values))
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
                    return await _in_thread(self.query_now, panel, deadline=self.timeout + 1)
                except TimeoutError:
                    return Sample(None, f"Prometheus at {self.url} did not answer within {_seconds(self.timeout)}", time.time())

        samples = await asyncio.gather(*(one(p) for p in panels))
        return {p.id: s for p, s in zip(panels, samples)}

    async def baseline(self, panel: PanelQuery, started: float) -> Baseline:
        try:
            return await _in_thread(self.query_baseline, panel, started, deadline=self.timeout * 2 + 1)
        except TimeoutError:
            return Baseline(None, f"Prometheus at {self.url} did not answer within {_seconds(self.timeout * 2)}", "baseline")


def connect(url: str, token: str | None, timeout: float) -> Any:
    """A PrometheusConnect with the bearer token, TLS verified, and no retries (the next poll retries)."""
    from prometheus_api_client import PrometheusConnect
    from urllib3.util.retry import Retry

    headers = {"Authorization": f"Bearer {token}"} if token else None
    return PrometheusConnect(
        url=url.rstrip("/"), headers=headers, disable_ssl=False, timeout=timeout,
        retry=Retry(total=None, connect=0, read=0, status=0, other=0, redirect=3, raise_on_status=False),
    )  # fmt: skip


def _instant_sample(result: Any, panel: PanelQuery, now: float) -> Sample:
    """An instant query's vector (or scalar) reduced to one number."""
    if isinstance(result, list) and len(result) == 2 and not isinstance(result[0], dict):
        value = _number(result[1])  # a scalar result: [ts, "value"]
        return Sample(value, None if value is not None else "the query returned a value that is not a number (NaN or Inf)", now)
    if not result:
        return Sample(None, "the query returned no data (empty result)", now)
    values = [_number((series.get("value") or [None, None])[1]) for series in result]
    numbers = [v for v in values if v is not None]
    if not numbers:
        return Sample(None, "the query returned no number (NaN or Inf: no data in its window?)", now)
    return Sample(worst(numbers, panel.direction), None, now)


# -- scrape ---------------------------------------------------------------------------------

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SELECTOR = re.compile(rf"^\s*({_NAME})\s*(?:\{{(.*)\}})?\s*$", re.S)
_RATE = re.compile(r"^\s*rate\s*\((.*)\[\s*([0-9a-z.]+)\s*\]\s*\)\s*$", re.S)


class QueryError(ValueError):
    """A scrape panel's query is not `name{matchers}` or `rate(name{matchers}[window])`."""


@dataclass(frozen=True, slots=True)
class ScrapeQuery:
    """A parsed scrape query: the metric, its matchers, and the rate window (None: the value itself)."""

    name: str
    matchers: tuple[Matcher, ...] = ()
    rate_window: float | None = None

    def select(self, samples: Sequence[tuple[str, Mapping[str, str], float]]) -> dict[tuple[tuple[str, str], ...], float]:
        """The matching series, keyed by their labels."""
        return {tuple(sorted(labels.items())): value for name, labels, value in samples if name == self.name and all(m.matches(labels) for m in self.matchers)}


def parse_scrape_query(text: str) -> ScrapeQuery:
    """`name`, `name{label="v", other=~"re"}` or `rate(name{...}[1m])`; raises QueryError in words."""
    window = None
    body = text
    rate = _RATE.match(text)
    if rate:
        body = rate.group(1)
        try:
            window = parse_duration(rate.group(2))
        except ValueError:
            raise QueryError(f"rate window {rate.group(2)!r}: expected a duration like 30s or 1m") from None
        if window <= 0:
            raise QueryError("the rate window must be longer than zero")
    elif text.strip().startswith("rate"):
        raise QueryError(f"{text!r}: expected rate(name{{labels}}[window]), e.g. rate(http_requests_total[1m])")
    selector = _SELECTOR.match(body)
    if selector is None:
        raise QueryError(f"{text!r}: with the scrape source a query is a metric name with optional label matchers, or rate(...) over one")
    try:
        matchers = parse_matcher_list((selector.group(2) or "").strip(), text)
    except MatcherError as exc:
        raise QueryError(str(exc)) from None
    return ScrapeQuery(selector.group(1), matchers, window)


def parse_exposition(text: str) -> list[tuple[str, Mapping[str, str], float]]:
    """Every sample of an exporter's text output as (name, labels, value), via prometheus_client's parser."""
    from prometheus_client.parser import text_string_to_metric_families

    return [(s.name, s.labels, float(s.value)) for family in text_string_to_metric_families(text) for s in family.samples]


def fetch_exposition(url: str, timeout: float) -> str:
    """GET the exporter's /metrics (blocking). Raises requests' exceptions."""
    import requests

    response = requests.get(url, timeout=timeout, headers={"Accept": "text/plain"})
    response.raise_for_status()
    return response.text


@dataclass
class _RateHistory:
    """Recent scrapes of one rate() query: (time, series values)."""

    scrapes: deque[tuple[float, dict[Any, float]]] = field(default_factory=lambda: deque(maxlen=600))


class ScrapeSource:
    """Reads an exporter directly: one GET per poll, every panel evaluated on the same scrape."""

    kind = "scrape"

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self._parsed: dict[str, ScrapeQuery | QueryError] = {}
        self._rates: dict[str, _RateHistory] = {}

    def close(self) -> None:
        pass

    def _query(self, panel: PanelQuery) -> ScrapeQuery | QueryError:
        if panel.query not in self._parsed:
            try:
                self._parsed[panel.query] = parse_scrape_query(panel.query)
            except QueryError as exc:
                self._parsed[panel.query] = exc
        return self._parsed[panel.query]

    def scrape(self) -> tuple[list[tuple[str, Mapping[str, str], float]] | None, str | None, float]:
        """Blocking: (samples, error in words, time of the scrape)."""
        import requests

        now = time.time()
        try:
            text = fetch_exposition(self.url, self.timeout)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            return None, f"exporter at {self.url} answered HTTP {status}", now
        except requests.RequestException as exc:
            return None, _request_error("exporter", self.url, exc, self.timeout), now
        try:
            return parse_exposition(text), None, now
        except (ValueError, TypeError, IndexError) as exc:
            return None, f"cannot read the exporter's output at {self.url}: {_first_line(str(exc)) or type(exc).__name__}", now

    def evaluate(self, panel: PanelQuery, samples: Sequence[tuple[str, Mapping[str, str], float]], now: float) -> Sample:
        query = self._query(panel)
        if isinstance(query, QueryError):
            return Sample(None, f"bad query: {query}", now)
        series = query.select(samples)
        if not series:
            return Sample(None, f"the exporter at {self.url} has no series matching {panel.query}", now)
        if query.rate_window is None:
            return Sample(sum(series.values()), None, now)
        return self._rate(panel, query.rate_window, series, now)

    def _rate(self, panel: PanelQuery, window: float, series: dict[Any, float], now: float) -> Sample:
        """Per-second increase between this scrape and the oldest one kept within the window (at least the previous one)."""
        history = self._rates.setdefault(panel.id, _RateHistory()).scrapes
        history.append((now, series))
        while len(history) > 2 and now - history[0][0] > window:
            history.popleft()
        if len(history) < 2:
            return Sample(None, None, now)  # one scrape so far: the rate needs two
        then, old = history[0]
        elapsed = now - then
        if elapsed <= 0:
            return Sample(None, None, now)
        increase = 0.0
        for key, value in series.items():
            if key in old:
                before = old[key]
                increase += value - before if value >= before else value  # a counter reset starts from zero
        return Sample(increase / elapsed, None, now)

    async def poll(self, panels: Sequence[PanelQuery]) -> dict[str, Sample]:
        try:
            samples, error, now = await _in_thread(self.scrape, deadline=self.timeout + 1)
        except TimeoutError:
            samples, error, now = None, f"exporter at {self.url} did not answer within {_seconds(self.timeout)}", time.time()
        if samples is None:
            return {p.id: Sample(None, error, now) for p in panels}
        return {p.id: self.evaluate(p, samples, now) for p in panels}

    async def baseline(self, panel: PanelQuery, started: float) -> Baseline:
        """An exporter keeps no history: the baseline is the first value read (the poller records it)."""
        return Baseline(None, None, "first reading of the session (an exporter keeps no history)")
