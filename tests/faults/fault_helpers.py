"""Helpers for the fault-injection tests (tests/faults/test_fault_*.py): the real command line, run as a script would.

Every run gets its own XDG dirs and user name under the test's tmp_path, so no
test reads or writes the developer's settings or journals. Imported by name
(pytest puts this directory on sys.path; there is no __init__.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import RunState, replay


def _command() -> list[str]:
    script = Path(sys.executable).with_name("runbook-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "runbook_tui"]


RUNBOOK_TUI = _command()


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_SETTINGS",)}
    env.update(
        XDG_STATE_HOME=str(tmp_path / "xdg-state"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        RUNBOOK_TUI_USER="fault-tester",
    )
    env.update(extra)
    return env


def run(tmp_path: Path, *args: str, timeout: float = 30, env: dict[str, str] | None = None, **popen: Any) -> subprocess.CompletedProcess[str]:
    """`runbook-tui ARGS` in tmp_path, output captured, stdin closed (headless)."""
    return subprocess.run(
        [*RUNBOOK_TUI, *args], cwd=tmp_path, env=env or env_for(tmp_path), capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL, **popen,
    )  # fmt: skip


def write_runbook(tmp_path: Path, name: str, steps: list[dict[str, Any]], **top: Any) -> Path:
    """A runbook of local steps in one implement section."""
    doc: dict[str, Any] = {"runbook": 1, "id": name, "title": f"faults: {name}"}
    doc.update(top)
    doc["sections"] = [{"id": "impl", "title": "Implement", "kind": "implement", "steps": steps}]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    return path


def raw_events(path: Path) -> list[dict[str, Any]]:
    """Every whole line of a journal, parsed; a torn last line is left out (no chain checks)."""
    out = []
    for line in path.read_bytes().splitlines(keepends=True):
        if line.endswith(b"\n"):
            out.append(json.loads(line))
    return out


def of_type(events: list[dict[str, Any]], kind: str, **match: Any) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind and all(e.get(k) == v for k, v in match.items())]


def state_of(path: Path) -> RunState:
    """The state rebuilt from the journal's events that hold together (what resume rebuilds)."""
    return replay(read_events(path).events)


SUMMARY_LINE = re.compile(r"^  (\S+(?: \S+)*)\s{2,}(\S+)$")


def printed_statuses(stdout: str, order: list[str]) -> dict[str, str]:
    """The step statuses `resume` printed in its summary ("  STATUS   STEP_ID"), in words (`event_words.status_words`)."""
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        m = SUMMARY_LINE.match(line)
        if m and m.group(2) in order and m.group(2) not in found:
            found[m.group(2)] = m.group(1)
    return found
