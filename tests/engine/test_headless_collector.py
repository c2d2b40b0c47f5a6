"""A headless run goes on with Python's cyclic garbage collector on, however it started.

`runbook-tui` pauses the collector while a command starts (what the start builds lives on: it is frozen once the run
begins, and the collector is on again). A screen's first frame turned it back on; `resume` without a screen (or
`--headless`) never did: the rest of the run, hours of a change, went on with the collector off, every reference cycle
kept. Each command runs in its own process here, as a user runs it; the process reports, from inside the run, whether
the collector is on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: `runbook-tui ARGS` whose headless run says, on stderr as the run begins, whether the collector is on.
PROBE = """
import gc, sys
from runbook_tui.app import headless

run_headless = headless._run_headless

async def reporting(session, body, command="exec"):
    async def reported(s):
        print(f"collector on during the run: {gc.isenabled()}", file=sys.stderr, flush=True)
        return await body(s)
    return await run_headless(session, reported, command)

headless._run_headless = reporting
from runbook_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""

RUNBOOK = """\
runbook: 1
id: collector
title: The collector during a headless run
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - {{id: a, title: A, run: "true", verify: none}}
      - {{id: b, title: B, run: "test -e {marker} || {{ touch {marker}; kill -TERM $PPID; sleep 5; }}", verify: none}}
"""


def runbook_tui(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(tmp_path / "settings.yaml"), "XDG_STATE_HOME": str(tmp_path / "state")}
    return subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def test_exec_and_a_headless_resume_run_with_the_collector_on(tmp_path: Path) -> None:
    (tmp_path / "settings.yaml").touch()
    (tmp_path / "rb.yaml").write_text(RUNBOOK.format(marker=tmp_path / "stopped-once"), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    first = runbook_tui(tmp_path, "exec", "rb.yaml", "--solo", "test", "--journal", str(journal))
    assert "collector on during the run: True" in first.stderr, first.stderr
    assert "interrupted; the journal is kept" in first.stderr, f"step b was to stop exec while it ran:\n{first.stderr}"

    resumed = runbook_tui(tmp_path, "resume", str(journal), "--headless", "--rerun")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "collector on during the run: True" in resumed.stderr, resumed.stderr
    assert "session_finished   outcome done" in resumed.stdout, resumed.stdout
