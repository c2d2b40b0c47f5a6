"""Ask the metrics source whether each panel's query is accepted (for `preflight`).

The same sources the live panels use (sources.py), read once: a query the
source refuses, a scrape query that does not parse or matches no series, or
an unreachable source is one finding each. A query Prometheus accepts that reads
no data now (no series, NaN) is no finding (its series may come with the change),
but a note saying what its panel and guard will do. Blocking: call from a worker thread.
"""

from __future__ import annotations

from runbook_tui.metrics.exposition import too_many_words
from runbook_tui.metrics.sources import PanelQuery, PrometheusSource, Sample, ScrapeSource
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.model import Panel, Runbook
from runbook_tui.runbook.scrape_query import QueryError, parse_scrape_query
from runbook_tui.runbook.templating import TemplateError, context_for, render_text

TIMEOUT_SECONDS = 10


def check_queries(runbook: Runbook, secrets: dict[str, str], notes: list[str] | None = None) -> list[str]:
    """One finding per panel whose query the source refuses, or per unreachable source; `notes` gets one line per panel
    that reads no data now."""
    metrics = runbook.metrics
    if metrics is None or metrics.source is None:
        return []
    source = metrics.source
    context = context_for(runbook, secrets=secrets)
    try:
        url = render_text(source.url, context)
        token = render_text(source.token, context) if source.token else None
        queries = [(panel, PanelQuery(panel.id, render_text(panel.query, context), panel.direction)) for panel in metrics.panels]
    except TemplateError as exc:
        return [f"metrics source: {exc}"]
    if source.kind == "prometheus":
        return _check_prometheus(url, token, queries, [] if notes is None else notes)
    return _check_scrape(url, queries)


#: What a query the server accepted may read the afternoon before, and is not a finding: its series may appear with the
#: change, and a NaN or infinite value is the panel's to show.
_ACCEPTED = ("the query returned no data", "the value is ")


def _check_prometheus(url: str, token: str | None, queries: list[tuple[Panel, PanelQuery]], notes: list[str]) -> list[str]:
    prometheus = PrometheusSource(url, token, timeout=TIMEOUT_SECONDS)
    server = (f"Prometheus at {prometheus.url}", f"Prometheus unreachable at {prometheus.url}")
    findings = []
    try:
        for panel, query in queries:
            sample = prometheus.query_now(query)
            error = sample.error
            if error is None or error.startswith(_ACCEPTED):
                notes += _no_data_note(panel, sample)
                continue
            # The server's own problem (unreachable, silent, credentials, TLS, an HTTP error, an answer that is not
            # Prometheus JSON: a login page, a proxy's 502) would be every panel's: said once. Before, only the first
            # four were findings, and a Grafana or an HTML login page at the address was "ready".
            if error.startswith(server) and "gave up on the query" not in error:
                return [f"metrics source {prometheus.url}: {error}"]
            findings.append(f"{panel.mark}: panel '{panel.id}': {error}")
    finally:
        prometheus.close()
    return findings


def _check_scrape(url: str, queries: list[tuple[Panel, PanelQuery]]) -> list[str]:
    scrape = ScrapeSource(url, timeout=TIMEOUT_SECONDS)
    samples, error, now, too_many, stale = scrape.scrape([query for _, query in queries])
    if samples is None:
        return [f"metrics source {scrape.url}: cannot scrape: {error}"]
    findings = []
    for panel, query in queries:
        try:
            parsed = parse_scrape_query(query.query)
        except QueryError as exc:
            findings.append(f"{panel.mark}: panel '{panel.id}': {exc}")
            continue
        if parsed in too_many:
            findings.append(f"{panel.mark}: panel '{panel.id}': {too_many_words(scrape.url, parsed.name, too_many[parsed])}")
        elif not parsed.select(samples) and parsed.select(stale):  # only old ones: in the words a poll says it
            findings.append(f"{panel.mark}: panel '{panel.id}': {scrape.evaluate(query, samples, now, too_many, stale).error}")
        elif not parsed.select(samples):
            findings.append(f"{panel.mark}: panel '{panel.id}': the exporter at {scrape.url} has no series matching {query.query!r}")
    return findings


def _no_data_note(panel: Panel, sample: Sample) -> list[str]:
    """A panel reading no data now, and what its guard will do about it (before: preflight said "ready", and the run
    paused `for` after its start: the guard's `on_no_data`, for a series that never came)."""
    if sample.error is None or sample.infinite is not None:  # a number, or +Inf: a reading
        return []
    if panel.critical is None or panel.on_no_data == "ignore":
        then = "the panel reads NO VALUE until data comes"
    else:
        act = "pauses the run" if panel.on_no_data == "pause" else "notifies"
        when = f"once it has had no data for {format_duration(panel.for_seconds)} of the run" if panel.for_seconds else "as the run starts"
        then = f"its guard {act} {when}, unless data comes"
    return [f"{panel.mark}: note: panel '{panel.id}' reads no data now: {sample.error}; {then}; not a finding"]
