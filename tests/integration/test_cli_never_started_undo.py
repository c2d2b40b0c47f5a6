"""A rollback leaves out a host whose command a timeout (or a stop) reached before it was sent: nothing ran there.

Before: the executor said `the command never started on peer02` in words but counted it as started; `exec
--on-failure rollback` ran the step's undo there too (connecting again to the host that had never answered), that
undo failed, and the run ended `rollback STOPPED`, `FAILED`, where the one host the command ran on was undone."""

from __future__ import annotations

import socket

import pytest
from integration_cli import Cli, events, of_type

pytestmark = pytest.mark.peers


def test_a_rollback_leaves_out_the_host_a_timeout_reached_while_its_connection_was_opening(cli: Cli) -> None:
    with socket.socket() as silent:  # listening, never accepting: the kernel completes the handshake, nobody speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        steps = [
            {"id": "mark", "run": "true", "checkpoint": True},
            {"id": "push", "on": "g", "run": "echo pushed", "undo": "echo undone-{{ host.name }}", "timeout": "2s"},
        ]
        path = cli.runbook("never-started-undo", [{"id": "impl", "kind": "implement", "steps": steps}], hosts=2)
        text = path.read_text()
        second = text.rindex(f"port: {cli.sshd.port}")  # peer02's: at a port that never greets
        path.write_text(text[:second] + f"port: {silent.getsockname()[1]}" + text[second + len(f"port: {cli.sshd.port}") :])
        result = cli.run("exec", str(path), "--solo", "integration", "--on-failure", "rollback", "--journal", "j.jsonl", timeout=60)

    assert "push FAILED on 1 of 2 hosts (1 never started)" in result.stdout, result.stdout
    journal = events(cli.dir / "j.jsonl")
    [started] = of_type(journal, "undo_started")
    assert started["hosts"] == ["peer01"], started
    assert "  undo peer01 | undone-peer01" in result.stdout.splitlines(), result.stdout
    assert not [line for line in result.stdout.splitlines() if "undo peer02" in line or "undo push on peer02" in line], result.stdout
    [finished] = of_type(journal, "session_finished")
    assert finished["outcome"] == "rolled_back", finished
    assert result.returncode == 1, result.stdout + result.stderr
