"""`run`/`exec --identity KEY --allowed-signers FILE` where FILE does not give KEY to the person running: refused before
anything is journaled, as `approve` refuses a key FILE does not list, since every decision and seal that key signs
would fail `journal verify --allowed-signers` afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alice_env import UPGRADE

CLI = [sys.executable, "-m", "runbook_tui"]


def _exec(folder: Path, identity: str, signers: str, journal: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_SETTINGS",)}
    env.update(XDG_CONFIG_HOME=str(folder / "xdg-config"), XDG_STATE_HOME=str(folder / "xdg-state"), SSH_AUTH_SOCK="", RUNBOOK_TUI_USER="alice")
    args = ["exec", "R.yaml", "--solo", "test", "--identity", identity, "--allowed-signers", signers, "--journal", journal]
    return subprocess.run([*CLI, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120)


def test_a_run_signing_with_a_key_the_allowed_signers_do_not_give_to_its_runner_is_refused(tmp_path: Path) -> None:
    (tmp_path / "R.yaml").write_text(UPGRADE)
    public = {}
    for name in ("alice", "bob", "work"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
        public[name] = " ".join((tmp_path / f"{name}.pub").read_text().split()[:2])
    (tmp_path / "signers").write_text(f"alice {public['alice']}\nbob {public['bob']}\n")
    fingerprint = subprocess.run(["ssh-keygen", "-l", "-f", str(tmp_path / "work.pub")], capture_output=True, text=True, check=True).stdout.split()[1]
    for key, gives in (("work", "nobody"), ("bob", "bob")):
        refused = _exec(tmp_path, key, "signers", f"{key}.jsonl")
        said = f"runbook-tui: --identity {key}: a key signers gives to {gives}, not to alice (who runs this change)"
        assert refused.returncode == 2 and refused.stderr.startswith(said), refused.stderr
        assert "journal verify --allowed-signers" in refused.stderr and not (tmp_path / f"{key}.jsonl").exists(), refused.stderr
    assert fingerprint in _exec(tmp_path, "work", "signers", "w.jsonl").stderr
    ran = _exec(tmp_path, "alice", "signers", "a.jsonl")
    assert ran.returncode == 0, ran.stderr
