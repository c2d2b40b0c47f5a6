"""Fixtures for the metrics tests: runbooks pointing at the session's Prometheus or its exporter.

The peers are real (tests/peers.py): Debian's Prometheus on loopback scraping
a prometheus_client exporter whose gauge the test moves. Every test leaves
the exporter as it found it (gauge api=1, batch=0) and Prometheus running.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from peers import Exporter, Prometheus

GAUGE_API = 'rbt_test_value{service="api"}'


@pytest.fixture(autouse=True)
def _isolated_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the developer's settings, journals or identity."""
    monkeypatch.delenv("RUNBOOK_TUI_USER", raising=False)
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))


@pytest.fixture
def exporter(prometheus: Prometheus) -> Iterator[Exporter]:
    """The exporter Prometheus scrapes, at its resting values (api=1) before and after the test."""
    prometheus.exporter.set(1)
    prometheus.exporter.set(0, service="batch")
    if not prometheus.running:
        prometheus.start()
    prometheus.wait_for(GAUGE_API, lambda v: v == 1)
    yield prometheus.exporter
    prometheus.exporter.set(1)


@pytest.fixture
def write_runbook(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "runbook.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
