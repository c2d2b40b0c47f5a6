"""Who `actor` names: the person at the keyboard (the spec: `RUNBOOK_TUI_USER`, else the login), also under sudo.

`sudo runbook-tui exec …` runs as root with LOGNAME and USER set to root; the person who typed it is in SUDO_USER
(doas: DOAS_USER), as sudo sets it. The journal must name them, not root, or every run made with sudo is anybody's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

RUNBOOK = """\
    runbook: 1
    id: actor-check
    title: Who ran it
    sections:
      - id: pre
        title: Pre
        kind: precheck
        steps:
          - {id: look, title: Look, run: "true"}
"""


def _exec(tmp_path: Path, **names: str) -> list[dict[str, object]]:
    """`exec --solo` as its own process with the environment sudo (or doas) gives it: LOGNAME/USER of the target user."""
    (tmp_path / "r.yaml").write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    drop = ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS", "SUDO_USER", "SUDO_UID", "DOAS_USER")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"), LOGNAME="root", USER="root", **names)
    result = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "actor test", "--journal", "j.jsonl"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in (tmp_path / "j.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("variable", ["SUDO_USER", "DOAS_USER"])
def test_a_run_started_with_sudo_names_the_person_who_typed_it(tmp_path: Path, variable: str) -> None:
    events = _exec(tmp_path, **{variable: "alice"})
    assert events[0]["assignee"] == "alice", "the session names who typed sudo, not root"
    started = next(e for e in events if e["type"] == "step_started")
    assert started["actor"] == "alice"


def test_runbook_tui_user_still_wins_over_sudo(tmp_path: Path) -> None:
    events = _exec(tmp_path, SUDO_USER="alice", RUNBOOK_TUI_USER="carol")
    assert events[0]["assignee"] == "carol"


def test_without_sudo_the_login_is_the_actor(tmp_path: Path) -> None:
    assert _exec(tmp_path)[0]["assignee"] == "root"
