"""Fixtures for the notification and silence tests: real HTTP receivers, isolated settings and journals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from receivers import Receiver


@pytest.fixture(autouse=True)
def _isolated_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RUNBOOK_TUI_USER", raising=False)
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))


@pytest.fixture
def receiver() -> Iterator[Callable[[str], Receiver]]:
    """Start receivers by mode ("ok", "fail", "hang"); all are stopped after the test."""
    started: list[Receiver] = []

    def start(mode: str = "ok") -> Receiver:
        server = Receiver(mode).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def write_runbook(tmp_path: Path) -> Callable[..., Path]:
    def write(text: str, name: str = "runbook.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
