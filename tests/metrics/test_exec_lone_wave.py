"""exec's lines for a step on one host in one wave (a `local` step with `expect.metric`).

Such a step is journaled in a wave (`wave_started`, `wave_finished`: a resume after the hosts' end re-runs only the
metric check), and exec printed `r wave 1/1: local` and `r wave 1/1 finished` between `step_started` and the
output: lines that repeat the step's own. Now exec leaves them out for one host in one wave; the journal keeps both
events, and a wave of several hosts (or one of several waves) still prints.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from metrics_helpers import journal, metrics_runbook, of_type
from peers import GAUGE, Exporter

from runbook_tui.app.headless import printer
from runbook_tui.engine import events as ev
from runbook_tui.engine.state_model import HostState, RunState, StepState

CLI = [sys.executable, "-m", "runbook_tui"]


def test_a_local_step_with_a_metric_check_prints_no_wave_lines_but_journals_them(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    exporter = Exporter()
    try:
        steps = """
            - id: impl
              kind: implement
              steps:
                - {id: here, run: "echo hi", verify: none, expect: {metric: {panel: v, below: 5}}}
            """
        panels = f"- {{id: v, query: '{GAUGE}{{service=\"api\"}}'}}"
        runbook = write_runbook(metrics_runbook(f'scrape: {{url: "{exporter.url}"}}', panels=panels, sections=steps, interval="0.2s"))
        path = tmp_path / "j.jsonl"
        went = subprocess.run(
            [*CLI, "exec", str(runbook), "--solo", "one host", "--journal", str(path)],
            cwd=tmp_path, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        exporter.stop()
    assert went.returncode == 0, went.stdout + went.stderr
    assert "local | hi" in went.stdout and "step_finished" in went.stdout, went.stdout
    assert "wave_started" not in went.stdout and "wave_finished" not in went.stdout and "wave 1/1" not in went.stdout, went.stdout
    events = journal(path)
    assert [e["hosts"] for e in of_type(events, "wave_started")] == [["local"]]
    assert len(of_type(events, "wave_finished")) == 1


def _printed(hosts: list[str], of: int) -> str:
    out = io.StringIO()
    listen = printer(out)
    state = RunState(steps={"roll": StepState(id="roll", status="running", hosts={h: HostState("running") for h in hosts})})
    base = {"ts": "2026-12-01T12:00:00.000Z", "step": "roll", "actor": "system", "wave": 1, "of": of}
    listen({**base, "type": ev.WAVE_STARTED, "hosts": hosts[:1] if of > 1 else hosts}, state)
    listen({**base, "type": ev.WAVE_FINISHED, "failed": [], "stopped": False, "awaiting": False}, state)
    return out.getvalue()


def test_waves_of_several_hosts_or_several_waves_still_print() -> None:
    assert _printed(["local"], 1) == ""
    two = _printed(["web1", "web2"], 1)
    assert "roll wave 1/1: web1, web2" in two and "roll wave 1/1 finished" in two, two
    assert "roll wave 1/2" in _printed(["web1", "web2"], 2)
