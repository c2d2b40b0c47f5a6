"""Ask the metrics source whether each panel's query is accepted (for `preflight`).

The same sources the live panels use (sources.py), read once: a query the
source refuses, a scrape query that does not parse or matches no series, or
an unreachable source is one finding each. Blocking: call from a worker thread.
"""

from __future__ import annotations

from runbook_tui.metrics.sources import PanelQuery, PrometheusSource, QueryError, ScrapeSource, parse_scrape_query
from runbook_tui.runbook.model import Panel, Runbook
from runbook_tui.runbook.templating import TemplateError, context_for, render_text

TIMEOUT_SECONDS = 10


def check_queries(runbook: Runbook, secrets: dict[str, str]) -> list[str]:
    """One finding per panel whose query the source refuses, or per unreachable source."""
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
        return _check_prometheus(url, token, queries)
    return _check_scrape(url, queries)


def _check_prometheus(url: str, token: str | None, queries: list[tuple[Panel, PanelQuery]]) -> list[str]:
    prometheus = PrometheusSource(url, token, timeout=TIMEOUT_SECONDS)
    findings = []
    try:
        for panel, query in queries:
            sample = prometheus.query_now(query)
            if sample.error is None:
                continue
            if "unreachable" in sample.error or "did not answer" in sample.error or "credentials" in sample.error or "TLS" in sample.error:
                return [f"metrics source {prometheus.url}: {sample.error}"]
            if sample.error.startswith("Prometheus refused the query"):
                findings.append(f"{panel.mark}: panel '{panel.id}': {sample.error}")
            # An empty result is not a finding the afternoon before: the series may appear with the change.
    finally:
        prometheus.close()
    return findings


def _check_scrape(url: str, queries: list[tuple[Panel, PanelQuery]]) -> list[str]:
    scrape = ScrapeSource(url, timeout=TIMEOUT_SECONDS)
    samples, error, _ = scrape.scrape()
    if samples is None:
        return [f"metrics source {scrape.url}: cannot scrape: {error}"]
    findings = []
    for panel, query in queries:
        try:
            parsed = parse_scrape_query(query.query)
        except QueryError as exc:
            findings.append(f"{panel.mark}: panel '{panel.id}': {exc}")
            continue
        if not parsed.select(samples):
            findings.append(f"{panel.mark}: panel '{panel.id}': the exporter at {scrape.url} has no series matching {query.query!r}")
    return findings
