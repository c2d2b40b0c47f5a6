"""The demo's metrics endpoint moves with the sandbox, as demo-app's would with the server."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import pytest

from runbook_tui.demo import prepare_sandbox
from runbook_tui.demo.metrics import serve_metrics
from runbook_tui.metrics.sources import PanelQuery, ScrapeSource

QUERIES = [
    PanelQuery("p99", "demo_app_p99_milliseconds"),
    PanelQuery("errors", "demo_app_error_ratio_percent"),
    PanelQuery("rps", "rate(demo_app_requests_total[10s])"),
]


def read(source: ScrapeSource) -> dict[str, float | None]:
    return {k: s.value for k, s in asyncio.run(source.poll(QUERIES)).items()}


def test_the_demo_endpoint_follows_the_sandbox(tmp_path: Path) -> None:
    sandbox = prepare_sandbox(tmp_path / "sandbox")
    with serve_metrics(sandbox) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/metrics")
        source = ScrapeSource(url, timeout=2)
        before = read(source)
        assert before["p99"] == pytest.approx(259, abs=6), "pool_size 32: requests wait for connections"
        assert before["errors"] == pytest.approx(0.2, abs=0.11)
        assert before["rps"] is None, "a rate needs a second scrape"
        (sandbox / "run" / "demo-app.running").write_text("pool_size = 64\n")
        time.sleep(0.3)  # not a wait for anything: the time between two scrapes that the rates are over
        after = read(source)
        assert after["p99"] == pytest.approx(174, abs=6)
        assert after["rps"] == pytest.approx(120, rel=0.25)
        # The reload the demo runs in the TUI: the pool warms up and errors spike for a while.
        appctl = sandbox / "bin" / "demo-appctl"
        subprocess.run([str(appctl), "reload", "--error-spike", "5"], check=True, capture_output=True, timeout=10)
        assert read(source)["errors"] == pytest.approx(8, abs=1.1)
        (sandbox / "run" / "demo-app.health").write_text("down\n")
        assert read(source)["errors"] == pytest.approx(35, abs=2.1)
    assert "warming up" in (sandbox / "var" / "log" / "demo-app.log").read_text()
