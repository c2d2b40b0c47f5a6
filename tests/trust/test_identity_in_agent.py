"""`--identity KEY` naming a key protected by a passphrase (or its `.pub`) whose private half a real ssh-agent holds.

OpenSSH signs with the agent's copy (`ssh -i KEY`, `ssh-keygen -Y sign -f KEY`, git's `user.signingKey`); the key the
person named signs, not whichever key the agent lists first.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alice_env import UPGRADE

from runbook_tui.trust.statements import encode

CLI = [sys.executable, "-m", "runbook_tui"]


def _key(folder: Path, name: str) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)], check=True)
    return " ".join((folder / f"{name}.pub").read_text().split()[:2])


def _fingerprint(path: Path) -> str:
    return subprocess.run(["ssh-keygen", "-l", "-f", str(path)], capture_output=True, text=True, check=True).stdout.split()[1]


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real ssh-agent holding dave's key first, then bob's; bob's file is then given a passphrase (the agent keeps its
    copy), as when a person adds their protected key once with `ssh-add`."""
    (tmp_path / "R.yaml").write_text(UPGRADE)
    lines = [f"{name} {_key(tmp_path, name)}" for name in ("alice", "bob", "dave")]
    (tmp_path / "allowed_signers").write_text("\n".join(lines) + "\n")
    started = subprocess.run(["ssh-agent", "-s", "-a", str(tmp_path / "agent.sock")], capture_output=True, text=True, check=True).stdout
    pid = int(re.search(r"SSH_AGENT_PID=(\d+);", started).group(1))  # type: ignore[union-attr]
    try:
        env = {**os.environ, "SSH_AUTH_SOCK": str(tmp_path / "agent.sock")}
        for name in ("dave", "bob", "alice"):
            subprocess.run(["ssh-add", str(tmp_path / name)], env=env, check=True, capture_output=True)
        for name in ("bob", "alice"):
            subprocess.run(["ssh-keygen", "-q", "-p", "-P", "", "-N", "never-typed-here", "-f", str(tmp_path / name)], check=True, capture_output=True)
        yield tmp_path, str(tmp_path / "agent.sock")
    finally:
        os.kill(pid, signal.SIGTERM)


def _cli(folder: Path, sock: str, *args: str, stdin: str = "", user: str = "bob") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(XDG_CONFIG_HOME=str(folder / "xdg-config"), XDG_STATE_HOME=str(folder / "xdg-state"), SSH_AUTH_SOCK=sock, HOME=str(folder))
    return subprocess.run([*CLI, *args], cwd=folder, env={**env, "RUNBOOK_TUI_USER": user}, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("named", ["bob", "bob.pub"])
def test_approve_signs_with_the_agents_copy_of_the_key_named(agent: tuple[Path, str], named: str) -> None:
    folder, sock = agent
    made = _cli(folder, sock, "approve", "R.yaml", "--identity", named, "--allowed-signers", "allowed_signers", "-o", "b.approval", stdin="yes\n")
    assert made.returncode == 0 and "Traceback" not in made.stderr, made.stderr
    approval = json.loads((folder / "b.approval").read_text())
    assert approval["key"] == _fingerprint(folder / "bob.pub"), (approval["key"], "dave's key, the agent's first, signed")
    (folder / "b.sig").write_text(approval["signature"])
    checked = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", "allowed_signers", "-I", "bob", "-n", "runbook-tui", "-s", "b.sig"],
        cwd=folder,
        input=encode(approval["statement"]),
        capture_output=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_exec_signs_the_assignees_decisions_with_the_agents_copy_and_a_key_not_in_it_is_still_refused(agent: tuple[Path, str]) -> None:
    folder, sock = agent
    ran = _cli(
        folder, sock, "exec", "R.yaml", "--solo", "test", "--identity", "alice", "--allowed-signers", "allowed_signers", "--journal", "J.jsonl", user="alice"
    )
    assert ran.returncode == 0, ran.stderr
    keys = {json.loads(line).get("key") for line in (folder / "J.jsonl").read_text().splitlines() if '"seal"' in line}
    assert keys == {_fingerprint(folder / "alice.pub")}, keys
    verified = _cli(folder, sock, "journal", "verify", "J.jsonl", "--allowed-signers", "allowed_signers")
    assert verified.returncode == 0 and "sealed by alice" in verified.stdout, verified.stdout + verified.stderr
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "not-in-the-agent", "-C", "carol", "-f", str(folder / "carol")], check=True)
    refused = _cli(folder, sock, "approve", "R.yaml", "--identity", "carol", "-o", "c.approval", stdin="yes\n")
    said = "--identity carol: this key is protected by a passphrase, which runbook-tui never asks for: add it to your ssh-agent (ssh-add carol)"
    assert refused.returncode == 2 and said in refused.stderr and not (folder / "c.approval").exists(), refused.stderr
    assert "leave out --identity" not in refused.stderr, refused.stderr


def test_approve_without_identity_signs_with_the_agents_key_the_allowed_signers_list(agent: tuple[Path, str]) -> None:
    """No `--identity`: the agent holds dave's key first, which this allowed_signers file does not list, then bob's. The
    key the file lists signs (before: dave's, the first, was refused: `… is not in FILE: nobody could check this
    approval`, with bob's own key in the agent)."""
    folder, sock = agent
    (folder / "bob_only").write_text((folder / "allowed_signers").read_text().splitlines()[1] + "\n")
    made = _cli(folder, sock, "approve", "R.yaml", "--allowed-signers", "bob_only", "-o", "b.approval", stdin="yes\n")
    assert made.returncode == 0, made.stderr
    assert json.loads((folder / "b.approval").read_text())["key"] == _fingerprint(folder / "bob.pub")
