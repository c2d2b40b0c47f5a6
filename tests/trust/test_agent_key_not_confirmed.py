"""A real ssh-agent holding keys that must be confirmed at each use (`ssh-add -c`, as a hardware key asks for a touch),
the confirmation refused: the agent answers every sign request with a failure.

The person is told in words and the failure is journaled; the journal stays whole (before: `approve` ended in a
traceback, and `exec`'s `error` events for the end's seal and its last decision, written after `session_finished`,
made `journal verify` call its own journal `NOT intact`, and `report` refused it).
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
from alice_env import UPGRADE, alice_env

CLI = [sys.executable, "-m", "runbook_tui"]


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A real ssh-agent whose confirmation program always says no, holding alice's and bob's keys with `-c`."""
    (tmp_path / "R.yaml").write_text(UPGRADE)
    (tmp_path / "say-no").write_text("#!/bin/sh\nexit 1\n")
    (tmp_path / "say-no").chmod(0o700)
    lines = []
    for name in ("alice", "bob"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
        lines.append(f"{name} " + " ".join((tmp_path / f"{name}.pub").read_text().split()[:2]))
    (tmp_path / "allowed_signers").write_text("\n".join(lines) + "\n")
    asks = {**os.environ, "SSH_ASKPASS": str(tmp_path / "say-no"), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"}
    started = subprocess.run(["ssh-agent", "-s", "-a", str(tmp_path / "agent.sock")], env=asks, capture_output=True, text=True, check=True).stdout
    pid = int(re.search(r"SSH_AGENT_PID=(\d+);", started).group(1))  # type: ignore[union-attr]
    try:
        env = {**alice_env(tmp_path), "SSH_AUTH_SOCK": str(tmp_path / "agent.sock")}
        for name in ("alice", "bob"):
            subprocess.run(["ssh-add", "-c", str(tmp_path / name)], env=env, check=True, capture_output=True)
        refused = subprocess.run(["ssh-keygen", "-Y", "sign", "-f", str(tmp_path / "bob.pub"), "-n", "x"], env=env, input=b"x", capture_output=True)
        assert refused.returncode != 0, "the agent signed without a confirmation: the fixture tests nothing"
        yield tmp_path, env
    finally:
        os.kill(pid, signal.SIGTERM)


def _cli(folder: Path, env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=folder, env=env, input=stdin, capture_output=True, text=True, timeout=120)


def test_approve_with_a_key_the_agent_will_not_sign_with_says_so_and_writes_nothing(agent: tuple[Path, dict[str, str]]) -> None:
    folder, env = agent
    made = _cli(
        folder,
        {**env, "RUNBOOK_TUI_USER": "bob"},
        "approve",
        "R.yaml",
        "--identity",
        "bob.pub",
        "--allowed-signers",
        "allowed_signers",
        "-o",
        "b.approval",
        stdin="yes\n",
    )
    assert "Traceback" not in made.stderr, made.stderr
    said = "runbook-tui: cannot sign the approval with SHA256:"
    assert made.returncode == 1 and said in made.stderr and "the ssh-agent did not sign" in made.stderr, made.stderr
    assert "not approved: nothing was written" in made.stderr and not (folder / "b.approval").exists(), made.stderr


def test_a_run_whose_agent_will_not_sign_journals_why_and_its_journal_stays_whole(agent: tuple[Path, dict[str, str]]) -> None:
    folder, env = agent
    ran = _cli(
        folder, env, "exec", "R.yaml", "--solo", "bob is away", "--identity", "alice.pub", "--allowed-signers", "allowed_signers", "--journal", "J.jsonl"
    )
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, ran.stdout + ran.stderr
    assert "could not sign (seal): the ssh-agent did not sign" in ran.stdout, ran.stdout
    events = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines()]
    failed = [e for e in events if e["type"] == "error"]
    assert {e["unsigned"] for e in failed} == {"decision_signed", "seal"}, failed
    assert not [e for e in events if e["type"] in ("decision_signed", "seal")], "an agent that refused signed nothing"
    checked = _cli(folder, env, "journal", "verify", "J.jsonl")
    assert checked.returncode == 0 and "intact" in checked.stdout and "NOT intact" not in checked.stdout, checked.stdout + checked.stderr
    signed = _cli(folder, env, "journal", "verify", "J.jsonl", "--allowed-signers", "allowed_signers")
    assert signed.returncode == 1 and "unsigned" in signed.stdout and "not sealed" in signed.stdout, signed.stdout + signed.stderr
    assert "after session_finished" not in signed.stdout, signed.stdout
    report = _cli(folder, env, "report", "J.jsonl", "--format", "json")
    assert report.returncode == 0, report.stdout + report.stderr
