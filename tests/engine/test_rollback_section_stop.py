"""A full rollback that stopped at a step of the runbook's `rollback` section, then `resume --rollback` (no --full).

Every undo had run, so a rollback to a checkpoint has nothing left to undo: it ran nothing and ended the run ROLLED BACK
(report: `ROLLED BACK to the last checkpoint (the start)`), though the rollback section's step that failed never ran to
its end. Real processes (`python -m runbook_tui`), real `sh` steps writing to a log in tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

RUNBOOK = """\
runbook: 1
id: section-stop
title: A rollback section that fails
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: a, title: Step a, run: echo a >> log, undo: echo undo-a >> log}
      - {id: b, title: Step b, run: echo b >> log; exit 3, undo: echo undo-b >> log}
  - id: back
    title: Back
    kind: rollback
    steps:
      - {id: r, title: Restore, run: echo r >> log; test -e restore-works}
"""

CLI = [sys.executable, "-m", "runbook_tui"]


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    on_path = os.path.dirname(shutil.which("runbook-tui") or "/usr/bin")  # as installed: the commands it prints name it so
    env = {"PATH": f"{on_path}:/usr/bin:/bin", "HOME": str(tmp_path), "RUNBOOK_TUI_USER": "alice", "XDG_STATE_HOME": str(tmp_path / "state")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return subprocess.run([*CLI, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_rollback_alone_after_a_full_rollback_stopped_in_its_section_runs_nothing_and_ends_nothing(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(RUNBOOK)
    night = cli(tmp_path, "exec", "r.yaml", "--solo", "test", "--on-failure", "abort", "--journal", "j.jsonl")
    assert night.returncode == 1, night
    # the way on it names is the full rollback's (before: `--rollback (or --rollback --full)`: --rollback ran nothing)
    assert "the rollback of the whole change stopped at rollback step 'r'; to go on with it: runbook-tui resume j.jsonl --rollback --full\n" in night.stdout
    before = (tmp_path / "j.jsonl").read_text()

    alone = cli(tmp_path, "resume", "j.jsonl", "--rollback")
    assert alone.returncode == 1, alone
    assert (
        "this session already finished (failed); nothing to resume; the rollback of the whole change stopped at rollback step 'r',"
        " every undo run; a rollback to a checkpoint has nothing left to undo: `resume --rollback --full` runs 'r' again and the"
        " rollback steps after it: nothing was rolled back" in alone.stderr
    ), alone
    assert (tmp_path / "j.jsonl").read_text() == before, "nothing is journaled: the run still ends FAILED"
    report = json.loads(cli(tmp_path, "report", "j.jsonl", "--format", "json").stdout)
    assert report["session"]["outcome"] == "failed", report["session"]

    looked = cli(tmp_path, "resume", "j.jsonl")
    assert "`resume --rollback --full` runs 'r' again" in looked.stderr and "`resume --rollback` (or" not in looked.stderr, looked

    (tmp_path / "restore-works").touch()
    full = cli(tmp_path, "resume", "j.jsonl", "--rollback", "--full")
    assert full.returncode == 1 and "outcome ROLLED BACK" in full.stdout, full  # rolled back: 1, as `run`
    assert (tmp_path / "log").read_text().splitlines() == ["a", "b", "undo-b", "undo-a", "r", "r"], "only r ran again"
