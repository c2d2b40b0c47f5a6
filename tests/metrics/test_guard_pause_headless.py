"""A guard pauses a headless `exec`: the words fit a headless run, and `resume --lift-pause REASON` lifts it headless.

Real `runbook-tui` processes against the session's real Prometheus (the
exporter's gauge moved by the test). Before: the journaled pause reason and
exec's lines named the TUI's keys ("check the panels (u rolls back)", "press p
to resume"), and nothing headless could lift the pause: `resume --continue`
stopped at it again, so a script could only go on through the TUI.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from metrics_helpers import journal, metrics_runbook, of_type
from peers import Exporter, Prometheus

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers
API = 'rbt_test_value{service="api"}'
CLI = [sys.executable, "-m", "runbook_tui"]
#: A TUI key in words: "u rolls back", "p resume", "press p", "u shows the undo list".
TUI_KEY = re.compile(r"\bpress \w\b|\b[pu] (rolls|resume|shows|to)\b|\(u\b")


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=tmp_path, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)


def test_exec_paused_by_a_guard_says_the_headless_way_on_and_resume_lift_pause_goes_on(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger"
    steps = f"""
        - id: impl
          kind: implement
          steps:
            - {{id: first, run: "sleep 1; echo first >> {ledger}", verify: none}}
            - {{id: next, run: "echo next >> {ledger}", verify: none}}
        """
    panels = f"- {{id: err, title: Error rate, query: '{API}', unit: '%', critical: 5, for: 0s, on_critical: pause}}"
    runbook = write_runbook(metrics_runbook(f'prometheus: {{url: "{prometheus.url}"}}', panels=panels, sections=steps))
    exporter.set(9)
    prometheus.wait_for(API, lambda v: v == 9)
    path = tmp_path / "j.jsonl"

    went = _cli(tmp_path, "exec", str(runbook), "--solo", "guard test", "--journal", str(path))
    assert went.returncode == 1, went.stdout + went.stderr  # stopped paused, the journal open
    [paused] = of_type(journal(path), "paused")
    assert paused["reason"] == "guard 'err' tripped: 9% above 5%; check the panels before going on", paused
    assert not TUI_KEY.search(went.stdout), went.stdout  # before: "check the panels (u rolls back)"
    assert f"`runbook-tui resume {path} --lift-pause REASON --continue` lifts the pause and goes on" in went.stdout, went.stdout
    assert "(the run is paused: add --lift-pause REASON once you have checked, and --continue to go on)" in went.stdout, went.stdout
    assert not of_type(journal(path), "session_finished")
    ran_before = ledger.read_text().split() if ledger.exists() else []
    assert "next" not in ran_before, "no step starts after the trip"

    looked = _cli(tmp_path, "resume", str(path), "--headless")
    assert "or headless --lift-pause REASON (journaled), with --continue to go on." in looked.stdout, looked.stdout
    assert not TUI_KEY.search(looked.stdout.replace(f"p in `runbook-tui resume {path}` at a terminal", "")), looked.stdout

    exporter.set(1)
    prometheus.wait_for(API, lambda v: v == 1)
    lifted = _cli(tmp_path, "resume", str(path), "--lift-pause", "error rate back at 1%, checked the logs", "--continue")
    assert lifted.returncode == 0, lifted.stdout + lifted.stderr
    events = journal(path)
    [resumed] = of_type(events, "resumed")
    assert resumed["actor"] != "system" and resumed["reason"] == "pause lifted (resume --lift-pause): error rate back at 1%, checked the logs"
    assert Counter(ledger.read_text().split()) == Counter(["first", "next"]), "each step once"
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"
    assert not verify(path).problems


def test_the_help_of_exec_and_resume_says_how_a_pause_is_lifted_headless(tmp_path: Path) -> None:
    exec_help = _cli(tmp_path, "exec", "--help").stdout
    assert "--lift-pause" in " ".join(exec_help.split()) and "exit 1" in " ".join(exec_help.split()).lower(), exec_help
    resume_help = _cli(tmp_path, "resume", "--help").stdout
    assert "--lift-pause REASON" in resume_help, resume_help


def test_lift_pause_without_continue_then_again_with_it_says_the_command_that_goes_on(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Before: `resume J --lift-pause R` lifted the pause and printed `pause lifted` (exit 1, nothing run); the natural
    next try, the same with `--continue`, was refused `the run is not paused; nothing was lifted` and said no more: at
    2 AM nothing went on and nothing said how. Now both name `runbook-tui resume J --continue`."""
    steps = """
        - id: impl
          kind: implement
          steps:
            - {id: first, run: "sleep 1", verify: none}
            - {id: next, run: "true", verify: none}
        """
    panels = f"- {{id: err, title: Error rate, query: '{API}', unit: '%', critical: 5, for: 0s, on_critical: pause}}"
    runbook = write_runbook(metrics_runbook(f'prometheus: {{url: "{prometheus.url}"}}', panels=panels, sections=steps))
    exporter.set(9)
    prometheus.wait_for(API, lambda v: v == 9)
    path = tmp_path / "j.jsonl"
    went = _cli(tmp_path, "exec", str(runbook), "--solo", "guard test", "--journal", str(path))
    assert went.returncode == 1 and of_type(journal(path), "paused"), went.stdout + went.stderr
    go_on = f"`runbook-tui resume {path} --continue` goes on"

    lifted = _cli(tmp_path, "resume", str(path), "--lift-pause", "checked the dashboards")
    assert f"pause lifted; no step was started: {go_on}" in lifted.stdout, lifted.stdout + lifted.stderr
    again = _cli(tmp_path, "resume", str(path), "--lift-pause", "checked the dashboards", "--continue")
    assert again.returncode == 1
    assert f"--lift-pause: the run is not paused; nothing was lifted, nothing run: {go_on}" in again.stderr, again.stderr
    assert not of_type(journal(path), "session_finished")

    exporter.set(1)
    prometheus.wait_for(API, lambda v: v == 1)
    done = _cli(tmp_path, "resume", str(path), "--continue")
    assert done.returncode == 0, done.stdout + done.stderr
    assert journal(path)[-1]["outcome"] == "done"
