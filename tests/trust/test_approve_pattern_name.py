"""`approve` with a key the allowed_signers file gives only by a pattern (`b*`): the approval would be signed as `b*`,
a name nobody has, which every run refuses (`approved by b* …, who may not approve this plan`). Said before the plan is
signed (before: `approval written`, exit 0, and the refusal only came at the run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alice_env import UPGRADE, alice_env


def _key(folder: Path, name: str) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)], check=True)
    return " ".join((folder / f"{name}.pub").read_text().split()[:2])


def test_a_key_given_only_by_pattern_approves_nothing(tmp_path: Path) -> None:
    (tmp_path / "R.yaml").write_text(UPGRADE)
    (tmp_path / "S").write_text(f"alice {_key(tmp_path, 'alice')}\nb* {_key(tmp_path, 'mallory')}\nbob,b?b {_key(tmp_path, 'bob')}\n")
    env = {**alice_env(tmp_path), "RUNBOOK_TUI_USER": "mallory"}
    run = [sys.executable, "-m", "runbook_tui", "approve", "R.yaml", "--allowed-signers", "S", "-o", "A"]
    made = subprocess.run([*run, "--identity", "mallory"], cwd=tmp_path, env=env, input="yes\n", capture_output=True, text=True, timeout=60)
    said = "S gives it only by pattern (b*), which names nobody to approve as: give the approver a line of their own (NAME KEY)"
    assert made.returncode == 2 and said in made.stderr and not (tmp_path / "A").exists(), made.stdout + made.stderr
    env["RUNBOOK_TUI_USER"] = "bob"
    made = subprocess.run([*run, "--identity", "bob"], cwd=tmp_path, env=env, input="yes\n", capture_output=True, text=True, timeout=60)
    assert made.returncode == 0 and "signing as bob with" in made.stdout and os.path.exists(tmp_path / "A"), made.stdout + made.stderr
