"""Ask the metrics source whether each panel's query is accepted (for `preflight`).

Blocking (requests under prometheus-api-client): call from a worker thread.
"""

from __future__ import annotations

import re

from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.templating import TemplateError, context_for, render_text

TIMEOUT_SECONDS = 10
_METRIC_NAME = re.compile(r"^\s*(?:rate\(\s*)?([a-zA-Z_:][a-zA-Z0-9_:]*)")


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
    except TemplateError as exc:
        return [f"metrics source: {exc}"]
    if source.kind == "prometheus":
        return _check_prometheus(runbook, url, token)
    return _check_scrape(runbook, url)


def _check_prometheus(runbook: Runbook, url: str, token: str | None) -> list[str]:
    from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
    from requests import RequestException

    headers = {"Authorization": f"Bearer {token}"} if token else None
    client = PrometheusConnect(url=url, headers=headers, timeout=TIMEOUT_SECONDS)
    findings = []
    assert runbook.metrics is not None
    for panel in runbook.metrics.panels:
        try:
            client.custom_query(panel.query.shown())
        except PrometheusApiClientException as exc:
            findings.append(f"{panel.mark}: panel '{panel.id}': Prometheus refused the query: {_short(exc)}")
        except RequestException as exc:
            return [f"metrics source {url}: Prometheus is not reachable: {_short(exc)}"]
    return findings


def _check_scrape(runbook: Runbook, url: str) -> list[str]:
    import requests
    from prometheus_client.parser import text_string_to_metric_families

    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        names = set()
        for family in text_string_to_metric_families(response.text):
            names.update(sample.name for sample in family.samples)
    except (requests.RequestException, ValueError) as exc:
        return [f"metrics source {url}: cannot scrape: {_short(exc)}"]
    findings = []
    assert runbook.metrics is not None
    for panel in runbook.metrics.panels:
        match = _METRIC_NAME.match(panel.query.shown())
        if match is None or match.group(1) not in names:
            findings.append(f"{panel.mark}: panel '{panel.id}': the exporter at {url} has no metric named in {panel.query.shown()!r}")
    return findings


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
