"""stdout that refuses writes: `runbook-tui plan --json > plan.json` on a full disk (/dev/full stands in for one).

Before: every command but `exec` ended in a traceback (`OSError: [Errno 28] No space left on device`) with exit 1, which
for `journal verify` is "tampered" and for `validate` no code at all; `exec` said "listener failed … please report it"
at every event."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNBOOK = """\
runbook: 1
id: full
title: full disk
sections:
  - id: main
    steps:
      - {id: one, run: "echo one"}
      - {id: two, run: "seq 2000"}
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "none.yaml").touch()
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(tmp_path / "none.yaml"), "XDG_STATE_HOME": str(tmp_path / "st"), "RUNBOOK_TUI_USER": "alice"}
    with open("/dev/full", "w") as full:
        return subprocess.run([sys.executable, "-m", "runbook_tui", *args], cwd=tmp_path, env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)


@pytest.mark.parametrize("args", [["plan", "rb.yaml"], ["plan", "rb.yaml", "--json"], ["schema"], ["report", "j.jsonl"]])
def test_a_command_printing_what_it_makes_says_stdout_refused_and_exits_1(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "rb.yaml").write_text(RUNBOOK)
    if args[0] == "report":
        assert _run(tmp_path, "exec", "rb.yaml", "--solo", "full disk", "--journal", "j.jsonl").returncode == 0
    done = _run(tmp_path, *args)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr == "runbook-tui: cannot write to stdout: No space left on device; what it holds is incomplete\n", done.stderr
    assert done.returncode == 1


@pytest.mark.parametrize(("args", "code"), [(["validate", "rb.yaml"], 0), (["journal", "verify", "j.jsonl"], 0), (["journal", "verify", "cut.jsonl"], 1)])
def test_an_answer_given_as_the_exit_code_is_kept_and_the_lost_output_said(tmp_path: Path, args: list[str], code: int) -> None:
    (tmp_path / "rb.yaml").write_text(RUNBOOK)
    assert _run(tmp_path, "exec", "rb.yaml", "--solo", "full disk", "--journal", "j.jsonl").returncode == 0
    (tmp_path / "cut.jsonl").write_bytes((tmp_path / "j.jsonl").read_bytes()[:-20])  # the last line cut short
    done = _run(tmp_path, *args)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.endswith(f"runbook-tui: cannot write to stdout: No space left on device; the exit code ({code}) is the answer\n"), done.stderr
    assert done.returncode == code


def test_exec_goes_on_with_the_change_and_says_it_once(tmp_path: Path) -> None:
    (tmp_path / "rb.yaml").write_text(RUNBOOK)
    done = _run(tmp_path, "exec", "rb.yaml", "--solo", "full disk", "--journal", "j.jsonl")
    assert done.stderr == "runbook-tui: cannot write to stdout (No space left on device); the run goes on and the journal has every event\n", done.stderr
    assert done.returncode == 0
    journal = (tmp_path / "j.jsonl").read_text()
    assert '"outcome":"done"' in journal and journal.count('"type":"step_finished"') == 2, journal[-500:]
