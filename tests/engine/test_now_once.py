"""`{{ now }}` in a step renders once: the command and undo journaled (step_ready, step_started, the rollback's list)
are the ones that run, also when a later process (`resume --rollback`) runs the undo.

Before: the step's texts were rendered for people when it became ready and again for the shell, each with its own
`now`. `run: "echo {{ now.isoformat() }}"` journaled `echo 2026-12-05T16:14:13.986152+00:00` and printed
`…16:14:14.988322…`; its undo was listed as the journaled text and ran with the time of the rollback. A backup named
after `now` and removed by its undo (`rm backup-{{ now.strftime(...) }}`) would remove a file that never existed.
A real process, real `sh`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

RUNBOOK = """\
    runbook: 1
    id: now-once
    title: The time a step renders with
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: stamp
            title: "Stamp {{ now.strftime('%H:%M:%S.%f') }}"
            run: "echo {{ now.isoformat() }} >> run.log"
            undo: "echo {{ now.isoformat() }} >> undo.log"
          - id: fails
            title: Fails
            run: exit 1
"""


def _cli(workdir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(XDG_CONFIG_HOME=str(workdir / "xdg-config"), XDG_STATE_HOME=str(workdir / "xdg-state"))
    return subprocess.run([sys.executable, "-m", "runbook_tui", *argv], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


def _events(journal: Path, kind: str) -> list[dict[str, Any]]:
    return [e for e in map(json.loads, journal.read_text().splitlines()) if e["type"] == kind]


def _written(command: str) -> str:
    """What `echo TEXT >> FILE` writes."""
    return command.removeprefix("echo ").rsplit(" >> ", 1)[0]


def test_a_step_using_now_runs_and_undoes_the_text_journaled(tmp_path: Path) -> None:
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    journal = tmp_path / "run.jsonl"
    ran = _cli(tmp_path, "exec", "runbook.yaml", "--solo", "e2e test", "--journal", journal.name)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    ready = next(e for e in _events(journal, "step_ready") if e["step"] == "stamp")
    started = next(e for e in _events(journal, "step_started") if e["step"] == "stamp")
    assert started["commands"] == ready["commands"] and started["undo"] == ready["undo"] and started["title"] == ready["title"]
    stamp = _written(ready["commands"]["local"])
    assert (tmp_path / "run.log").read_text() == stamp + "\n", "the command that ran is the one journaled"
    assert ready["title"] == "Stamp " + stamp[11:26], "the title renders with the same time"

    undone = _cli(tmp_path, "resume", journal.name, "--rollback", "--solo", "e2e test")
    assert undone.returncode == 1, undone.stdout + undone.stderr  # rolled back
    listed = _events(journal, "undo_started")[0]["commands"]["local"]
    assert listed == ready["undo"]["local"], "the rollback lists the undo journaled with the step"
    assert (tmp_path / "undo.log").read_text() == _written(listed) + "\n", "the undo that ran is the one listed"
