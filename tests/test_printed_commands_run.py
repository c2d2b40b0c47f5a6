"""A command the program prints to go on (`resume J --rollback`, `resume J` after an unfinished run) works as printed,
however the program was started: by a path not on PATH (as scripts/demo starts it), or as `python -m runbook_tui`.

Before: every such line began `runbook-tui`, which the shell could not find when that name is not on PATH (`command not
found` at 2 AM, the journal's only way on); the demo's own closing lines already named the program as it was started.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

RUNBOOK = """\
runbook: 1
id: printed
title: Printed
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {id: one, title: One, run: "true", undo: "true", verify: none}
      - {id: two, title: Two, run: "false", verify: none}
"""

SCRIPT = Path(sys.executable).with_name("runbook-tui")


@pytest.mark.parametrize(
    ("start", "named"),
    [([str(SCRIPT)], shlex.quote(str(SCRIPT))), ([sys.executable, "-m", "runbook_tui"], f"{shlex.quote(sys.executable)} -m runbook_tui")],
    ids=["script by its path", "python -m"],
)
def test_the_undo_advice_after_a_failed_exec_runs_as_printed(tmp_path: Path, start: list[str], named: str) -> None:
    (tmp_path / "r.yaml").write_text(RUNBOOK, encoding="utf-8")
    env = {
        **os.environ, "PATH": "/usr/bin:/bin", "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "RUNBOOK_TUI_USER": "alice",
    }  # fmt: skip
    done = subprocess.run([*start, "exec", "r.yaml", "--solo", "t", "--journal", "j.jsonl"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    last = done.stdout.splitlines()[-1]
    assert last == f"to undo what ran: {named} resume j.jsonl --rollback (or --rollback --full)", last
    advice = last.removeprefix("to undo what ran: ").removesuffix(" (or --rollback --full)")
    undone = subprocess.run(advice, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert undone.returncode == 1 and "outcome ROLLED BACK" in undone.stdout, undone.stdout + undone.stderr  # (1: rolled back, as run)


def test_on_path_the_program_is_named_by_its_name(tmp_path: Path) -> None:
    """The usual case stays as it reads in the README: `runbook-tui resume …` (the tests put it on PATH, as installed)."""
    (tmp_path / "r.yaml").write_text(RUNBOOK, encoding="utf-8")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "RUNBOOK_TUI_USER": "alice"}
    for start in ([str(SCRIPT)], [sys.executable, "-m", "runbook_tui"]):
        done = subprocess.run([*start, "exec", "r.yaml", "--solo", "t"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert done.stdout.splitlines()[-1].startswith("to undo what ran: runbook-tui resume "), done.stdout


def test_a_journal_given_again_names_the_resume_as_started(tmp_path: Path) -> None:
    """`--journal` naming a run's journal is refused with the command that continues that run: as it was started too."""
    (tmp_path / "r.yaml").write_text(RUNBOOK, encoding="utf-8")
    env = {**os.environ, "PATH": "/usr/bin:/bin", "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    argv = [str(SCRIPT), "exec", "r.yaml", "--solo", "t", "--journal", "j.jsonl"]
    assert subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120).returncode == 1
    again = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and again.stderr.endswith(f"to continue that run: {shlex.quote(str(SCRIPT))} resume j.jsonl\n"), again.stderr
