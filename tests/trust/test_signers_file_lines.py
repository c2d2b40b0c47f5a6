"""allowed_signers lines as people write them, read by `journal verify` / `report` and by `ssh-keygen -Y verify`.

A line pasted from a `.pub` file keeps its comment, and `ssh-keygen -C "José Núñez"` writes one with accents: asyncssh
reads a key given as text as ASCII, so the whole file was refused (`Invalid encoding for key`) where OpenSSH takes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from runbook_tui.trust import statements
from runbook_tui.trust.sshsig import NAMESPACE

CLI = [sys.executable, "-m", "runbook_tui"]

RUNBOOK = """\
runbook: 1
id: accents
title: Accents
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
        undo: echo undo-one
"""


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(XDG_CONFIG_HOME=str(folder / "cfg"), XDG_STATE_HOME=str(folder / "state"), SSH_AUTH_SOCK="", RUNBOOK_TUI_USER="alice")
    return env


def _signed_run(folder: Path, comment: str) -> tuple[Path, list[dict[str, Any]]]:
    """alice's solo run, her decisions and seal signed with a key `ssh-keygen -C comment` made: the journal, its events."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(folder / "alice")], check=True)
    (folder / "R.yaml").write_text(RUNBOOK)
    journal = folder / "J.jsonl"
    ran = subprocess.run(
        [*CLI, "exec", "R.yaml", "--solo", "practice", "--identity", "alice", "--journal", str(journal)],
        cwd=folder,
        env=_env(folder),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return journal, [json.loads(line) for line in journal.read_text().splitlines()]


def _openssh_accepts(folder: Path, allowed: Path, seal: dict[str, Any]) -> bool:
    (folder / "seal.sig").write_text(seal["signature"])
    openssh = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "alice", "-n", NAMESPACE, "-s", str(folder / "seal.sig")],
        input=statements.encode(seal["statement"]),
        capture_output=True,
    )
    return openssh.returncode == 0


def test_a_key_line_whose_comment_has_accents_is_read_as_openssh_reads_it(tmp_path: Path) -> None:
    journal, events = _signed_run(tmp_path, "José Núñez")
    pub = (tmp_path / "alice.pub").read_text(encoding="utf-8").strip()
    assert pub.endswith(" José Núñez"), pub
    seal = [e for e in events if e["type"] == "seal"][-1]
    allowed = tmp_path / "allowed_signers"
    for line in (f"alice {pub}", f'alice namespaces="runbook-tui" {pub}', f"alice,josé {pub}\r"):
        allowed.write_text(f"# the team\n{line}\n", encoding="utf-8")
        assert _openssh_accepts(tmp_path, allowed, seal), line
        verified = subprocess.run(
            [*CLI, "journal", "verify", str(journal), "--allowed-signers", str(allowed)], env=_env(tmp_path), capture_output=True, text=True
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "signatures hold and the end is sealed" in verified.stdout, verified.stdout
        report = subprocess.run([*CLI, "report", str(journal), "--allowed-signers", str(allowed)], env=_env(tmp_path), capture_output=True, text=True)
        assert report.returncode == 0, report.stderr
        assert "FAIL" not in report.stdout and "verified" in report.stdout, report.stdout

    # An option OpenSSH ignores the line for is still said at its place, comment or not (never more lenient than OpenSSH).
    allowed.write_text(f'alice namespace="runbook-tui" {pub}\n', encoding="utf-8")
    assert not _openssh_accepts(tmp_path, allowed, seal)
    refused = subprocess.run([*CLI, "journal", "verify", str(journal), "--allowed-signers", str(allowed)], env=_env(tmp_path), capture_output=True, text=True)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"{allowed}:1:7: OpenSSH ignores this line: 'namespace=\"runbook-tui\"' is not cert-authority" in refused.stderr, refused.stderr
