"""The demo's metrics endpoint: what the pretend demo-app would export, read from its sandbox.

`serve_metrics(sandbox)` starts a prometheus_client HTTP server on
127.0.0.1 on a free port and returns its URL (the demo passes it to the
runbook as `metrics_url`; the runbook reads it with the `scrape` source).
Values are computed at each scrape from the sandbox's files, so the steps
move them the way a real change would:

- `demo_app_p99_milliseconds`: p99 latency; requests wait for a database
  connection, so it falls as `pool_size` (in `run/demo-app.running`) rises:
  about 260 ms at 32, 175 ms at 64;
- `demo_app_error_ratio_percent`: errors in percent; ~0.2 % normally, 35 %
  while health is `down`, ~8 % while the pool warms up after a reload made
  with `--error-spike SECONDS` (until the time in
  `var/lib/demo-app/errors-until`);
- `demo_app_requests_total`: a counter growing at ~120 requests per second
  (for a `rate(...)` panel).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Where `demo-appctl reload --error-spike N` writes until when requests fail (Unix time).
SPIKE_FILE = Path("var/lib/demo-app/errors-until")
REQUESTS_PER_SECOND = 120.0


class DemoAppCollector:
    """A prometheus_client collector that reads demo-app's state from the sandbox at every scrape."""

    def __init__(self, sandbox: Path, seed: int | None = None) -> None:
        self.sandbox = Path(sandbox)
        self.started = time.time()
        self.random = random.Random(seed)

    def _read(self, relative: str | Path) -> str:
        try:
            return (self.sandbox / relative).read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def pool_size(self) -> int:
        found = re.search(r"pool_size\s*=\s*(\d+)", self._read("run/demo-app.running"))
        return max(int(found.group(1)), 1) if found else 32

    def p99_ms(self) -> float:
        return 90.0 + 5400.0 / self.pool_size() + self.random.uniform(-4.0, 4.0)

    def error_percent(self, now: float) -> float:
        if self._read("run/demo-app.health") == "down":
            return 35.0 + self.random.uniform(-2.0, 2.0)
        try:
            spike_until = float(self._read(SPIKE_FILE) or 0)
        except ValueError:
            spike_until = 0.0
        if now < spike_until:
            return 8.0 + self.random.uniform(-1.0, 1.0)
        return 0.2 + self.random.uniform(-0.1, 0.1)

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        now = time.time()
        yield GaugeMetricFamily("demo_app_p99_milliseconds", "demo-app request latency, 99th percentile", value=round(self.p99_ms(), 1))
        yield GaugeMetricFamily("demo_app_error_ratio_percent", "demo-app requests that failed, in percent", value=round(self.error_percent(now), 2))
        yield CounterMetricFamily("demo_app_requests", "demo-app requests served", value=round((now - self.started) * REQUESTS_PER_SECOND))


@contextmanager
def serve_metrics(sandbox: Path) -> Iterator[str]:
    """Serve demo-app's metrics on 127.0.0.1 (a free port) while the demo runs; yields the URL."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry(auto_describe=False)
    registry.register(DemoAppCollector(sandbox))
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        yield f"http://127.0.0.1:{server.server_port}/metrics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)
