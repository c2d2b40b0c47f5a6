"""An approval of a plan whose ticket names a verifier approves a run that verifier verifies: a solo run needs the
approval to say so (`approve --solo REASON`, signed), as a change board decides it in advance.

Before: bob approved CHG-1 as its verifier, and alice ran it `exec --solo 'bob is away' --approval bob.approval`: it
started, exit 0, and `journal verify --allowed-signers` passed it (`signatures hold and the end is sealed`); the
verifier who approved the plan never saw a step of it. Now `run`/`exec` refuse it (exit 2, before anything is
journaled), `resume --solo` refuses to go on alone with such a run, and `journal verify` fails a journal that went solo
under it (a run made by another build, or rewritten). Real keys, the real CLI.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from test_approval_rules import CLI, _cli, _rechained, _write, folder  # noqa: F401 (folder: the fixture)

SIGNERS = ("--allowed-signers", "allowed_signers")
REFUSED = "it approves CHG-1 verified by bob; a solo run is not the plan approved"


def _approve(at: Path, out: str, *solo: str) -> subprocess.CompletedProcess[str]:
    return _cli(at, "approve", "R.yaml", "-p", "version=1.2", "--identity", "bob", *SIGNERS, "-o", out, *solo, stdin="yes\n", user="bob")


def _solo(at: Path, approval: str, journal: str) -> subprocess.CompletedProcess[str]:
    return _cli(at, "exec", "R.yaml", "-p", "version=1.2", "--solo", "bob is away", "--journal", journal, *SIGNERS, "--approval", approval,
                "--identity", "alice")  # fmt: skip


def test_a_solo_run_starts_only_under_an_approval_that_admits_one(folder: Path) -> None:  # noqa: F811
    verified = _approve(folder, "bob.approval")
    assert verified.returncode == 0, verified.stderr
    assert "the approval is of a run bob verifies: a solo run (--solo) is refused under it" in verified.stdout, verified.stdout  # read before yes
    refused = _solo(folder, "bob.approval", "J.jsonl")
    assert refused.returncode == 2 and f"bob.approval: {REFUSED}: share it for the verifier" in refused.stderr, refused.stdout + refused.stderr
    assert "approve FILE --solo REASON" in refused.stderr and not (folder / "J.jsonl").exists(), "nothing journaled, nothing run"

    alone = _approve(folder, "alone.approval", "--solo", "standard change, one engineer")
    assert "the approval also admits a run without bob, its verifier (--solo): standard change, one engineer" in alone.stdout, alone.stdout
    ran = _solo(folder, "alone.approval", "J.jsonl")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    [approved] = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines() if '"plan_approved"' in line]
    assert approved["statement"]["solo"] == "standard change, one engineer", approved["statement"]  # signed, journaled
    assert re.search(r"plan_approved +plan sha256 \w+ approved by bob with SHA256:\S+; it may run solo: standard change, one engineer", ran.stdout), ran.stdout
    checked = _cli(folder, "journal", "verify", "J.jsonl", *SIGNERS)
    assert checked.returncode == 0 and "signatures hold and the end is sealed" in checked.stdout, checked.stdout

    # a rehearsal has no verifier by design: it runs under the approval of a verified run, and verifies
    rehearsed = _cli(folder, "rehearse", "R.yaml", "-p", "version=1.2", "--yes", *SIGNERS, "--journal", "H.jsonl", "--approval", "bob.approval",
                     "--identity", "alice")  # fmt: skip
    assert rehearsed.returncode == 0, rehearsed.stdout + rehearsed.stderr
    assert _cli(folder, "journal", "verify", "H.jsonl", *SIGNERS).returncode == 0

    # the same run with bob's approval of a verified run put in its place, every hash and alice's signatures made again
    events = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines()]
    other = json.loads((folder / "bob.approval").read_text())
    swap = {"statement": other["statement"], "signature": other["signature"], "key": other["key"]}
    _write(folder / "F.jsonl", _rechained(folder, events, {approved["seq"]: swap}))
    forged = _cli(folder, "journal", "verify", "F.jsonl", *SIGNERS)
    said = f"F.jsonl: line {approved['seq'] + 1}: the plan's approval fails: {REFUSED}, and this run went solo at line 1"
    assert forged.returncode == 1 and said in forged.stdout and "NOT trusted: 1 problem" in forged.stdout, forged.stdout


@pytest.mark.peers
def test_resume_solo_of_a_shared_approved_run_is_refused_before_anything_is_journaled(folder: Path) -> None:  # noqa: F811
    """alice shares the approved run for bob; her process dies while 'one' waits for him; `resume --solo` would finish it
    alone (before: it did, exit 0). `--rollback` stays hers to do."""
    (folder / "R.yaml").write_text((folder / "R.yaml").read_text().replace("echo installing {{ version }}", "echo installing {{ version }}; sleep 60"))
    assert _approve(folder, "bob.approval").returncode == 0
    out = folder / "exec.out"
    with out.open("wb") as stdout:
        shared = subprocess.Popen(
            [*CLI, "exec", "R.yaml", "-p", "version=1.2", "--share", f"127.0.0.1:{_free_port()}", "--verifier-key", "bob.pub", "--journal", "J.jsonl", *SIGNERS,
             "--approval", "bob.approval", "--identity", "alice"],
            cwd=folder, env=_env(folder), stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "one started" not in out.read_text() and shared.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "one started" in out.read_text(), f"the step to start (exit {shared.poll()}): {out.read_text()}"
    finally:
        shared.send_signal(signal.SIGKILL)
        shared.wait(30)
    before = (folder / "J.jsonl").read_bytes()
    refused = _cli(folder, "resume", "J.jsonl", "--headless", "--solo", "bob left", "--mark-done", "it ran", "--continue", *SIGNERS, "--identity", "alice")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert re.search(rf"J.jsonl: the approval this run started under {REFUSED}: .*resume --share", refused.stderr), refused.stderr
    assert (folder / "J.jsonl").read_bytes() == before, "nothing journaled"
    back = _cli(folder, "resume", "J.jsonl", "--headless", "--rollback", "--solo", "bob left", *SIGNERS, "--identity", "alice")
    assert back.returncode == 1 and "rollback finished" in back.stdout, back.stdout + back.stderr  # (a rolled back run exits 1)


def _env(at: Path) -> dict[str, str]:
    """`_cli`'s environment (alice, the folder's settings and state, no agent), for a process the test stops itself."""
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(XDG_CONFIG_HOME=str(at / "xdg-config"), XDG_STATE_HOME=str(at / "xdg-state"), SSH_AUTH_SOCK="", RUNBOOK_TUI_USER="alice")
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
