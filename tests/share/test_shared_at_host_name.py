"""A share on every interface (`--share :PORT`) is said as a verifier elsewhere types it: `shared at HOST:PORT`, with
this machine's host name, as the session_started notice's join command names it (notify.triggers.join_address).
Before, exec's line and the run screen's note said `shared at 0.0.0.0:PORT`, which from the verifier's machine is
their own. An address given whole is said as given."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path

import pytest
from share_peers import CLI, HOST, free_port
from waiting import wait_until

RUNBOOK = """\
runbook: 1
id: share-host
title: Shared on every interface
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - id: one
        title: One
        run: "true"
"""


@pytest.mark.peers
@pytest.mark.parametrize("everywhere", [True, False])
def test_exec_says_where_a_verifier_joins(tmp_path: Path, everywhere: bool) -> None:
    (tmp_path / "runbook.yaml").write_text(RUNBOOK)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob@laptop", "-f", str(tmp_path / "bob")], check=True)
    port = free_port()
    given = f":{port}" if everywhere else f"{HOST}:{port}"
    out = tmp_path / "exec.out"
    with out.open("wb") as stdout:
        proc = subprocess.Popen(
            [*CLI, "exec", "runbook.yaml", "--share", given, "--verifier-key", "bob.pub", "--journal", "j.jsonl"],
            cwd=tmp_path, stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        wait_until(lambda: "\nshared at " in out.read_text(), lambda: f"exec to say where it is shared: {out.read_text()!r}", alive=proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    said = out.read_text()
    where = f"{socket.gethostname()}:{port}" if everywhere else f"{HOST}:{port}"
    [note] = [line for line in said.splitlines() if line.startswith("shared at ")]  # the event line above keeps the bound address
    assert note.startswith(f"shared at {where}, host key SHA256:"), said
