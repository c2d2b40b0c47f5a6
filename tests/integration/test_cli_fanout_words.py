"""What a failed step on a group says per host, through `runbook-tui exec` against aliases of the real sshd: some
hosts exit non-zero (each its own code, from `host.name`), one alias points at a closed port, one times out, and
a rolling step is stopped by `max_fail`. The status row (what the assignee reads first) is folded from the journal
the run wrote, as the TUI folds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from integration_cli import Cli, events, of_type

pytestmark = pytest.mark.peers

#: Each alias's exit code (`host.name` picks it); peer05 sleeps past the step's timeout.
CASE = "case {{ host.name }} in peer02) exit 3;; peer03) exit 42;; peer04) exit 10;; peer05) sleep 30;; esac; echo ok"


def write(cli: Cli, name: str, step: dict[str, Any], hosts: list[dict[str, Any]]) -> Path:
    doc = {"runbook": 1, "id": name, "title": name, "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "kind": "implement", "steps": [step]}]}
    path = cli.dir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    return path


def test_the_line_of_a_timeout_on_a_host_names_the_host_once(cli: Cli) -> None:
    """Before: `[push] peer05: peer05: timed out after 2 s: ...` in exec, the pane and the report's errors (the event
    names the host, and the SSH executor's words began with it again)."""
    step = {"id": "push", "on": "fleet", "run": CASE, "timeout": "2s"}
    path = write(cli, "timeout", step, cli.hosts(5))
    result = cli.run("exec", str(path), "--solo", "probe", "--journal", "j.jsonl")
    assert result.returncode == 1, result.stdout + result.stderr
    [error] = [e for e in of_type(events(cli.dir / "j.jsonl"), "error", step="push") if "timed out" in e["message"]]
    assert error["host"] == "peer05" and error["message"] == "timed out after 2 s: stopping its process group", error
    assert "[push] peer05: timed out after 2 s: stopping its process group" in result.stdout, result.stdout
    assert "peer05: peer05" not in result.stdout
    report = cli.run("report", "j.jsonl")
    assert "| push | peer05 | timed out after 2 s: stopping its process group (transient) |" in report.stdout, report.stdout
