"""The assignee's signed decisions are bound to the attempt and phase they name, as the verifier's are.

`journal verify --allowed-signers` compared a run, skip or rollback statement's session, action, signer and step with
the journal, not its attempt or phase: alice's signature of "run 'one', attempt 1" vouched for a `step_started` of
attempt 2 whoever wrote that line, and the report's Signatures table called that attempt signed by alice, verified.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from waiting import wait_until

from tests.engine.test_event_shapes import rechained
from tests.trust.alice_env import alice_env

CLI = [sys.executable, "-m", "runbook_tui"]

RUNBOOK = """\
runbook: 1
id: bound
title: Bound statements
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


def _signed_run(folder: Path) -> tuple[Path, list[dict[str, Any]]]:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", str(folder / "alice")], check=True)
    (folder / "R.yaml").write_text(RUNBOOK)
    public = " ".join((folder / "alice.pub").read_text().split()[:2])
    (folder / "allowed_signers").write_text(f"alice {public}\n")
    journal = folder / "J.jsonl"
    ran = subprocess.run(
        [*CLI, "exec", "R.yaml", "--solo", "practice", "--identity", "alice", "--journal", str(journal)],
        cwd=folder,
        env=alice_env(folder),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return journal, [json.loads(line) for line in journal.read_text().splitlines()]


def _verify(folder: Path, journal: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "journal", "verify", str(journal), "--allowed-signers", str(folder / "allowed_signers")],
        env=alice_env(folder),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _two_attempts(folder: Path) -> tuple[Path, list[dict[str, Any]]]:
    """alice's signed run whose process is killed in attempt 1 of 'one', then `resume --rerun`: attempt 2 signed too."""
    journal, _ = _signed_run(folder)  # alice's key and the allowed signers; this journal is not the one looked at
    (folder / "R.yaml").write_text(RUNBOOK.replace("run: echo one", "run: test -e m || { touch m; sleep 600; }"))
    journal = folder / "K.jsonl"
    argv = [*CLI, "exec", "R.yaml", "--solo", "practice", "--identity", "alice", "--journal", str(journal)]
    running = subprocess.Popen(argv, cwd=folder, env=alice_env(folder), stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: (folder / "m").exists(), "attempt 1 of 'one' never began", timeout=120)
    finally:
        os.killpg(running.pid, signal.SIGKILL)
        running.wait(60)
    resumed = subprocess.run(
        [*CLI, "resume", str(journal), "--headless", "--rerun", "--continue", "--identity", "alice"],
        cwd=folder,
        env=alice_env(folder),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    return journal, [json.loads(line) for line in journal.read_text().splitlines()]


def test_the_assignees_signature_of_one_attempt_does_not_vouch_for_another(tmp_path: Path) -> None:
    journal, events = _two_attempts(tmp_path)
    signed = {events[e["decision"]]["attempt"]: e for e in events if e["type"] == "decision_signed"}
    assert sorted(signed) == [1, 2], signed
    # attempt 2's signature swapped for attempt 1's: alice's real signature of "run 'one'", said of the other attempt
    signed[2] |= {"statement": signed[1]["statement"], "signature": signed[1]["signature"]}
    result = _verify(tmp_path, rechained(events, journal))
    line = signed[2]["decision"] + 1
    assert result.returncode == 1, result.stdout
    assert f"the signature of the decision at line {line} fails: the signed attempt is 1, the journal says 2" in result.stdout, result.stdout
    assert "1 signed and verified" in result.stdout, result.stdout


def test_the_assignees_signature_of_a_run_does_not_vouch_for_another_phase(tmp_path: Path) -> None:
    journal, events = _signed_run(tmp_path)
    signed = next(e for e in events if e["type"] == "decision_signed")
    assert signed["statement"]["phase"] == "run", signed["statement"]
    started = next(e for e in events if e["type"] == "step_started")
    started["phase"] = "rollback"  # the run's signature said of another phase of the step
    result = _verify(tmp_path, rechained(events, journal))
    assert result.returncode == 1, result.stdout
    assert f"decision at line {started['seq'] + 1} fails: the signed phase is 'run', the journal says 'rollback'" in result.stdout, result.stdout
