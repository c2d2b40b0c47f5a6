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

#: `runbook-tui ARGS` whose headless run says, on stderr as the run begins, whether the collector is on, and how many
#: collections ran while the command started (from `main` to the run's beginning).
PROBE = """
import gc, importlib.abc, importlib.util, sys

collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info["generation"]))
from runbook_tui.cli import main  # as the console script does, before main

at_main = len(collections)


def reporting(module):
    run_headless = module.run_headless

    async def reported_run(session, body, *told):
        started = len(collections) - at_main

        async def reported(s):
            print(f"collections while it started: {started}", file=sys.stderr, flush=True)
            print(f"collector on during the run: {gc.isenabled()}", file=sys.stderr, flush=True)
            return await body(s)

        return await run_headless(session, reported, *told)

    module.run_headless = reported_run


class Wrap(importlib.abc.MetaPathFinder):  # as main imports it, in its order
    def find_spec(self, name, path, target=None):
        if name != "runbook_tui.app.headless":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            reporting(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, Wrap())
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


def test_exec_and_a_headless_resume_start_without_collections_and_run_with_the_collector_on(tmp_path: Path) -> None:
    (tmp_path / "settings.yaml").touch()
    (tmp_path / "rb.yaml").write_text(RUNBOOK.format(marker=tmp_path / "stopped-once"), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    first = runbook_tui(tmp_path, "exec", "rb.yaml", "--solo", "test", "--journal", str(journal))
    assert "collector on during the run: True" in first.stderr, first.stderr
    # Paused while it started, as a screen command is: what the start builds (modules, the runbook, the session) lives
    # on, and the ~60 collections that walked it cost 6-8 ms of a 90 ms start (bench/output.py's `seq 1`).
    assert "collections while it started: 0" in first.stderr, first.stderr
    assert "interrupted; the journal is kept" in first.stderr, f"step b was to stop exec while it ran:\n{first.stderr}"

    resumed = runbook_tui(tmp_path, "resume", str(journal), "--headless", "--rerun")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "collector on during the run: True" in resumed.stderr, resumed.stderr
    assert "collections while it started: 0" in resumed.stderr, resumed.stderr
    assert "session_finished   outcome done" in resumed.stdout, resumed.stdout
