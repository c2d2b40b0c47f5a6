"""A host that hangs forever (`sleep 3600`) under `timeout: 1s`: the step fails clearly and leaves nothing running.

Locally and over the real sshd of peers.py. The journal says timed_out for
the host and "timed out after 1s"; the command's whole process group is gone.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import pytest
import yaml
from fault_helpers import env_for, of_type, run, write_runbook
from peers import Sshd

from runbook_tui.engine.journal import read_events

REMOTE_RUNS = Path.home() / ".cache" / "runbook-tui" / "runs"


def running_with(token: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if token.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def gone(token: str, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while running_with(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not running_with(token)


def hanging_steps(tmp_path: Path, token: str, on: str | None) -> list[dict[str, object]]:
    # `sleep 3600` in a child of the step's shell (and a grandchild), so the whole group has to go.
    hang = {"id": "hang", "title": "A host that hangs", "run": f"echo before; (sleep 3600 {token} &); sleep 3600 {token}", "timeout": "1s"}
    after = {"id": "after", "title": "Never reached", "run": f"touch {tmp_path}/after-ran"}
    if on:
        hang["on"] = after["on"] = on
    return [hang, after]


def check(tmp_path: Path, journal: Path, result: object, host: str, token: str, elapsed: float) -> None:
    out = result.stdout + result.stderr  # type: ignore[attr-defined]
    assert result.returncode == 1, out  # type: ignore[attr-defined]
    assert "Traceback" not in out
    assert elapsed < 15, f"the 1s timeout took {elapsed:.1f}s to end the run"
    events = read_events(journal)
    assert events.intact, events.problems
    [finished] = of_type(events.events, "step_finished", step="hang")
    assert finished["status"] == "failed"
    assert finished["hosts"][host]["status"] == "timed_out", finished
    assert f"{host}: timed out after 1s" in finished["problems"], finished["problems"]
    assert "timed out after 1s" in result.stdout  # type: ignore[attr-defined]
    assert not of_type(events.events, "step_started", step="after"), "the run stopped at the failed step"
    assert not (tmp_path / "after-ran").exists()
    assert gone(token), f"still running after the timeout: {running_with(token)}"


def test_a_local_command_that_hangs_times_out_and_its_group_is_gone(tmp_path: Path) -> None:
    token = f"0.{uuid.uuid4().int % 10**9}"  # `sleep 3600 0.NNN`: a unique command line
    rb = write_runbook(tmp_path, "hang-local", hanging_steps(tmp_path, token, None))
    journal = tmp_path / "j.jsonl"
    started = time.monotonic()
    try:
        result = run(tmp_path, "exec", str(rb), "--solo", "hang", "--journal", str(journal))
        check(tmp_path, journal, result, "local", token, time.monotonic() - started)
    finally:
        for pid in running_with(token):
            os.kill(pid, 9)


@pytest.mark.peers
def test_a_remote_command_that_hangs_times_out_and_its_group_is_gone(tmp_path: Path, sshd: Sshd) -> None:
    token = f"0.{uuid.uuid4().int % 10**9}"
    settings = tmp_path / "settings.yaml"
    settings.write_text(yaml.safe_dump({"ssh": {"known_hosts": str(sshd.known_hosts)}}), encoding="utf-8")
    host = {"name": "peer01", "address": "127.0.0.1", "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)}
    rb = write_runbook(tmp_path, "hang-remote", hanging_steps(tmp_path, token, "g"), hosts={"g": [host]})
    journal = tmp_path / "j.jsonl"
    started = time.monotonic()
    try:
        result = run(tmp_path, "exec", str(rb), "--solo", "hang", "--journal", str(journal), env=env_for(tmp_path, RUNBOOK_TUI_SETTINGS=str(settings)))
        check(tmp_path, journal, result, "peer01", token, time.monotonic() - started)
    finally:
        for pid in running_with(token):
            os.kill(pid, 9)
        if journal.exists():
            session = read_events(journal).events[0]["session"]
            for leftover in REMOTE_RUNS.glob(f"{session}_*"):
                shutil.rmtree(leftover, ignore_errors=True)
