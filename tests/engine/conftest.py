"""Shared fixtures for the engine tests: runbooks in tmp_path, journals read back, the CLI as a user runs it.

Everything here runs real `sh` commands in tmp_path; nothing in the engine
is mocked. Helpers are fixtures (returning callables) so that test files
never import this module by name.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rules_helpers import runbook_text
from written_lines import written_events

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings

#: Runs `python -m runbook_tui` as a user would; the first import costs ~0.3 s.
CLI = [sys.executable, "-m", "runbook_tui"]


@pytest.fixture(autouse=True)
def _isolated_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the developer's settings, journals or identity."""
    monkeypatch.delenv("RUNBOOK_TUI_USER", raising=False)
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))


@pytest.fixture
def write_runbook(tmp_path: Path) -> Callable[..., Path]:
    """`write_runbook(yaml_text, name="runbook.yaml") -> Path`, dedented, under tmp_path."""

    def write(text: str, name: str = "runbook.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def _events(path: Path) -> list[dict[str, Any]]:
    return written_events(path)


@pytest.fixture
def journal_events() -> Callable[[Path], list[dict[str, Any]]]:
    """`journal_events(path)`: every line of a journal as a dict (raises on a torn line)."""
    return _events


@pytest.fixture
def open_local_session(tmp_path: Path) -> Callable[..., Session]:
    """`open_local_session(runbook_path, *, solo=None, params=None, journal="journal.jsonl") -> Session`.

    The same wiring `exec` uses (session.open_session), with default settings
    and a journal in tmp_path. Call it inside the running event loop.
    """

    def make(runbook: Path, *, solo: str | None = None, params: dict[str, Any] | None = None, journal: str = "journal.jsonl", **options: Any) -> Session:
        loaded = load(str(runbook), dict(params or {}))
        # Without solo, the test itself plays the verifier through the controller (as the share server would relay).
        options.setdefault("verifier_in_process", solo is None and "share" not in options)
        return open_session(loaded, solo=solo, journal=str(tmp_path / journal), settings=Settings(), **options)

    return make


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_cli(*args, env=None, timeout=30)`: `python -m runbook_tui ARGS` in tmp_path, output captured."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], cwd=tmp_path, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)

    return run


def _processes_mentioning(token: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if token.encode() in cmdline:
            pids.append(int(entry))
    return pids


@pytest.fixture
def reap_commands() -> Iterator[Callable[[str], None]]:
    """`reap_commands(token)` kills the process groups of every process whose argv mentions token.

    A command started by a process that gets kill -9 runs on in its own
    process group; the test that killed its parent cleans it up here (also at
    teardown for every token it was given).
    """
    tokens: list[str] = []

    def kill_groups(token: str) -> None:
        ours = os.getpgrp()
        for pid in _processes_mentioning(token):
            try:
                group = os.getpgid(pid)
                if group != ours:  # never the test run's own group
                    os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def reap(token: str) -> None:
        tokens.append(token)
        kill_groups(token)

    yield reap
    for token in tokens:
        kill_groups(token)


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """`wait_for(predicate, timeout=10, what="...")`: poll every 20 ms; fail the test when it never holds."""

    def wait(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return
            time.sleep(0.02)
        pytest.fail(f"timed out after {timeout:g}s waiting for {what}")

    return wait


@pytest.fixture
def session_for(tmp_path: Path, write_runbook: Callable[..., Path], open_local_session: Callable[..., Session],
                monkeypatch: pytest.MonkeyPatch) -> Callable[..., Callable[[Callable[[Session], Awaitable[Any]]], Any]]:  # fmt: skip
    """`session_for(steps_yaml, solo=None)(body)`: runs `await body(session)` in a fresh event loop, alice at the keyboard."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")

    def make(steps: str, solo: str | None = None) -> Callable[[Callable[[Session], Awaitable[Any]]], Any]:
        runbook = write_runbook(runbook_text(steps))

        def run(body: Callable[[Session], Awaitable[Any]]) -> Any:
            async def main() -> Any:
                session = open_local_session(runbook, solo=solo)
                try:
                    return await body(session)
                finally:
                    await session.controller.wait_idle()
                    await session.close()

            return asyncio.run(main())

        return run

    return make
