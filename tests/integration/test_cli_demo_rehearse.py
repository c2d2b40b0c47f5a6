"""`runbook-tui rehearse` on the demo runbook, against a fresh sandbox folder (local steps only: no sshd)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from integration_cli import RUNBOOK_TUI, events, of_type

from runbook_tui.demo import RUNBOOK, prepare_sandbox
from runbook_tui.engine.journal import verify


def digests(sandbox: Path) -> dict[str, str]:
    """sha256 of every file of the pretend server that a change or its undo may touch (the log only grows)."""
    return {
        str(p.relative_to(sandbox)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((sandbox / "etc").rglob("*")) + sorted((sandbox / "run").rglob("*"))
        if p.is_file()
    }


# A full rehearsal (no --fail-at) works too but waits out the demo's 3 s `settle` step; the
# full rollback path is covered over SSH in test_cli_rollback.py.
@pytest.mark.parametrize("fail_at", ["reload"])
def test_rehearsing_the_demo_rolls_back_to_the_state_before(tmp_path: Path, fail_at: str | None) -> None:
    sandbox = prepare_sandbox(tmp_path / "sandbox")
    before = digests(sandbox)
    args = [*RUNBOOK_TUI, "rehearse", "--yes", "--ack-manual", "demo notes", str(RUNBOOK), "-p", f"sandbox={sandbox}", "--journal", "j.jsonl"]
    if fail_at:
        args += ["--fail-at", fail_at]
    (tmp_path / "none.yaml").touch()  # an empty settings file: the defaults (a named file that is missing is an error)
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_SETTINGS": str(tmp_path / "none.yaml")}

    result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "rehearsal: rollback restored state" in result.stdout
    assert "prechecks after rollback pass" in result.stdout
    assert digests(sandbox) == before, "the rollback left the pretend server as it found it"
    journal = events(tmp_path / "j.jsonl")
    [started] = of_type(journal, "rollback_started")
    assert started["scope"] == ("checkpoint" if fail_at else "full")
    assert of_type(journal, "rollback_finished")[0]["ok"] is True
    if fail_at:
        [failed] = of_type(journal, "step_finished", step=fail_at)
        assert failed["status"] == "failed"
        assert list((sandbox / "var" / "backups").iterdir()), "the checkpoint (the backup) is kept"
    else:
        assert not list((sandbox / "var" / "backups").iterdir()), "a full rollback drops the backup too"
    assert journal[-1]["type"] == "session_finished" and journal[-1]["outcome"] == "rolled_back"
    assert not verify(tmp_path / "j.jsonl").problems
