"""Helpers for the metrics tests (imported by name; fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from written_lines import written_events


def metrics_runbook(source: str, *, panels: str, sections: str, success: str = "", interval: str = "0.5s") -> str:
    """A runbook with a metrics block; `source` is the YAML of `source:` (e.g. `prometheus: {url: ...}`)."""
    text = f"""
runbook: 1
id: metrics-test
title: Metrics test
metrics:
  source:
    {source}
  interval: {interval}
  panels:
{textwrap.indent(textwrap.dedent(panels).strip(), "    ")}
"""
    if success:
        text += f"  success:\n{textwrap.indent(textwrap.dedent(success).strip(), '    ')}\n"
    text += "sections:\n" + textwrap.indent(textwrap.dedent(sections).strip(), "  ") + "\n"
    return text


def runbook_with(source: str, queries: list[str], tmp_path: Path) -> Any:
    """A loaded runbook reading `queries` (panels p0, p1, ...) from `source`: for preflight's query checks."""
    from runbook_tui.runbook.loader import load_runbook

    panels = "\n".join(f"- {{id: p{i}, query: '{q}'}}" for i, q in enumerate(queries))
    path = tmp_path / "runbook.yaml"
    path.write_text(metrics_runbook(source, panels=panels, sections="- id: s\n  steps:\n    - {id: one, run: 'true'}"), encoding="utf-8")
    return load_runbook(str(path), {}).runbook


def journal(path: Path) -> list[dict[str, Any]]:
    return written_events(path)


def of_type(events: list[dict[str, Any]], kind: str, **match: Any) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind and all(e.get(k) == v for k, v in match.items())]


async def until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Await until `predicate()` holds (checked every 50 ms); fail the test after `timeout`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"timed out after {timeout:g}s waiting for {what}")


#: The error-rate gauge the exporter moves (`exporter.set`), as a panel's query.
API = 'rbt_test_value{service="api"}'


def one_step_runbook(prometheus_url: str, success: str) -> str:
    """One step (`edit`), then `metrics.success` on the error-rate panel `err` (e.g. `- {panel: err, below: 3, within: 1s}`)."""
    return metrics_runbook(
        f'prometheus: {{url: "{prometheus_url}"}}',
        panels=f"""
        - {{id: err, title: Error rate, query: '{API}', unit: "%"}}
        """,
        sections="""
- id: change
  kind: implement
  steps:
    - {id: edit, title: Change, run: "true", undo: "true", verify: none}
""",
        success=success,
    )


@contextlib.contextmanager
def exporter(body: Callable[[], bytes]) -> Iterator[str]:
    """An exporter on loopback answering each scrape with `body()`: its scrape source line."""

    class Exporter(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = body()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Exporter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f'scrape: {{url: "http://127.0.0.1:{server.server_address[1]}/metrics"}}'
    finally:
        server.shutdown()
        server.server_close()


def file_exporter(value: Path, metric: str = "app_errors") -> contextlib.AbstractContextManager[str]:
    """An exporter serving `metric` with the number the file `value` holds now: its scrape source line."""
    return exporter(lambda: f"{metric} {value.read_text(encoding='utf-8').strip()}\n".encode())
