"""What a host refuses, said as what it is, over real SSH: a changed host key is never retried; sudo's refusal is
said in sudo's words, the command not started.

Before: a step with `retries: 2` on a host whose host key had changed connected three times (offering the
credentials again to whoever answered) and its words did not say why the retries did not help; a `sudo: true` step
whose user sudo refused read only `exit code 1`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
import yaml
from local_users import key_login_user
from peers import PeerError, Sshd, make_sshd, public_line

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.event_words import said
from runbook_tui.engine.state import replay
from runbook_tui.ui.status_stack import statuses

pytestmark = pytest.mark.peers


def run_step(tmp_path: Path, sshd: Sshd, step: dict[str, Any], known_hosts: Path, port: int | None = None, user: str | None = None) -> list[dict[str, Any]]:
    """A runbook of `step` on db1 (the session's sshd, or `port` on its address) run to its end; the journal's events."""
    host = {"name": "db1", "address": sshd.address, "port": port or sshd.port, "user": user or sshd.user, "identity": str(sshd.client_key)}
    doc = {"runbook": 1, "id": "refusals", "title": "Refusals", "hosts": {"db": [host]}, "sections": [{"id": "impl", "steps": [{"on": "db", **step}]}]}
    path = tmp_path / "refusals.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    journal = tmp_path / "j.jsonl"

    async def main() -> None:
        settings = Settings(known_hosts=str(known_hosts), ssh_config=None)
        session = open_session(load(str(path), {}), journal=str(journal), settings=settings, verifier_in_process=True)
        try:
            session.controller.run_current(session.actor)
            await session.controller.wait_idle()
        finally:
            await session.close()

    asyncio.run(main())
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]


def failed_row(events: list[dict[str, Any]]) -> str:
    """The status row while the run stands at the failed step, folded from the journal as the TUI folds it."""
    state = replay([e for e in events if e["type"] != "session_finished"])
    return next(s.text for s in statuses(state, dt.datetime.now(dt.UTC)) if " FAILED" in s.text)


def test_a_changed_host_key_fails_at_once_and_is_not_retried(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    changed = tmp_path / "known_hosts"
    changed.write_text(f"[{sshd.address}]:{sshd.port} {public_line(asyncssh.generate_private_key('ssh-ed25519'))}\n", encoding="utf-8")
    step = {"id": "push", "run": "echo should-not-run", "retries": 2, "retry_delay": 0.1, "verify": "none"}
    events = run_step(tmp_path, sshd, step, changed)

    assert not [e for e in events if e["type"] == "note" and "retry" in e.get("text", "")], "a changed host key was retried"
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["status"] == "failed"
    host = finished["hosts"]["db1"]
    assert host["status"] == "failed" and host.get("started") is False, host
    [problem] = finished["problems"]
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in problem and "changed" in problem, problem
    assert problem.endswith("; not retried (2 retries left): a host key that does not verify is never tried again"), problem
    assert not [e for e in events if e["type"] == "output"]
    assert said(finished).lines[1] == f"   ✗ {problem}"  # type: ignore[union-attr]
    assert failed_row(events) == "'push' FAILED (host key CHANGED)", failed_row(events)


@pytest.mark.parametrize("kind", ["ecdsa-sha2-nistp256", "ssh-rsa"])
def test_a_host_key_of_another_type_than_known_hosts_lists_is_a_changed_key(tmp_path: Path, sshd: Sshd, kind: str) -> None:
    """known_hosts lists the host with an ECDSA (or RSA) key; the real sshd has only an Ed25519 one (a rebuilt host,
    its HostKey changed). asyncssh asks only for the listed types, so the key exchange ended: before, `cannot connect
    to db1 (...): Connection lost`, a reachability problem retried as one (and preflight's advice to check the port)."""
    other = tmp_path / "known_hosts"
    other.write_text(f"[{sshd.address}]:{sshd.port} {public_line(asyncssh.generate_private_key(kind))}\n", encoding="utf-8")
    step = {"id": "push", "run": "echo should-not-run", "retries": 2, "retry_delay": 0.1, "verify": "none"}
    events = run_step(tmp_path, sshd, step, other)

    [finished] = [e for e in events if e["type"] == "step_finished"]
    host = finished["hosts"]["db1"]
    assert host["status"] == "failed" and host.get("started") is False, host
    [problem] = finished["problems"]
    assert problem.startswith(f"db1: host key for db1 ({sshd.address}:{sshd.port}) not verified: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!")
    assert f"The ssh-ed25519 key sent by the remote host has fingerprint {sshd.host_key.get_fingerprint()}" in problem, problem
    assert f"the old key is in {other}:1" in problem, problem
    assert problem.endswith("; not retried (2 retries left): a host key that does not verify is never tried again"), problem
    assert failed_row(events) == "'push' FAILED (host key CHANGED)", failed_row(events)


def test_a_refused_connection_is_still_retried(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule is the host key's alone: a network failure (a port nobody listens on) is tried again as before."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    step = {"id": "push", "run": "true", "retries": 1, "retry_delay": 0.1, "verify": "none"}
    events = run_step(tmp_path, sshd, step, Path(sshd.known_hosts), port=1)
    assert [e["text"] for e in events if e["type"] == "note" and "retry 1/1" in e.get("text", "")], events
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert "not retried" not in " ".join(finished["problems"])


#: A user sudo is asked for (not root: root's commands run without sudo); made with useradd when we are root.
SUDO_USER = "rbt-preflight"


@pytest.fixture
def sudo_sshd() -> Iterator[tuple[Sshd, str, Path]]:
    """An sshd whose sessions find a `sudo` that refuses first on PATH (this machine has no sudo to refuse), as a user
    who is not root; the user, and the folder of that `sudo` (its words are written to `say` there)."""
    directory = Path(tempfile.mkdtemp(prefix="rbt-sudo-"))
    directory.chmod(0o755)
    bin_dir = directory / "bin"
    bin_dir.mkdir(mode=0o755)
    sudo = bin_dir / "sudo"
    sudo.write_text(f"#!/bin/sh\ncat {bin_dir}/say >&2\nexit 1\n", encoding="utf-8")
    sudo.chmod(0o755)
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.geteuid() == 0:
        user = key_login_user(SUDO_USER)
    try:
        server = make_sshd(directory, options={"SetEnv": f"SHLVL=1 PATH={bin_dir}:/usr/local/bin:/usr/bin:/bin"})
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    (directory / "authorized_keys").chmod(0o644)
    try:
        yield server, user, bin_dir
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("sudo: a password is required\n", "sudo: a password is required"),
        ("\n[sudo] rbt is not in the sudoers file.\x1b[2J\nThis incident will be reported.\n", "[sudo] rbt is not in the sudoers file.␛[2J"),
    ],
)
def test_a_sudo_step_sudo_refuses_says_so_in_sudos_words_and_never_starts(
    tmp_path: Path, sudo_sshd: tuple[Sshd, str, Path], monkeypatch: pytest.MonkeyPatch, said: str, shown: str
) -> None:
    """Before: `db1: exit code 1, expected 0`, sudo's refusal in the output among the command's own lines, and the
    host counted as one the command had run on (its undo planned)."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    sshd, user, bin_dir = sudo_sshd
    (bin_dir / "say").write_text(said, encoding="utf-8")
    marker = tmp_path / "ran"
    step = {"id": "push", "run": f"touch {marker}", "sudo": True, "verify": "none", "undo": "true"}
    events = run_step(tmp_path, sshd, step, Path(sshd.known_hosts), user=user)
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["status"] == "failed"
    assert finished["hosts"]["db1"]["started"] is False, finished["hosts"]
    words = f"sudo -n refused to run the command as root for {user}: {shown}; the command was not started"
    assert finished["problems"] == [f"db1: {words}"], finished["problems"]
    assert not marker.exists()
    assert not [e for e in events if e["type"] == "output"], "the command was not started: no output of its own"
    assert failed_row(events) == "'push' FAILED (sudo refused)", failed_row(events)


def test_the_row_of_a_group_step_says_which_refusal_kept_each_host_from_starting() -> None:
    """Only the executor's own words count (a host's `error`); a command's output never reaches them."""
    from runbook_tui.engine.host_tally import failed_words
    from runbook_tui.engine.state_model import HostState

    hosts = {
        "db1": HostState("failed", None, "host key for db1 (10.0.0.1:22) not verified: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! ...", False),
        "db2": HostState("failed", None, "sudo -n refused to run the command as root for app: sudo: a password is required; ...", False),
        "db3": HostState("failed", None, "cannot connect to db3 (10.0.0.3:22): Connection refused", False),
        "db4": HostState("failed", 1, None),
        "db5": HostState("done", 0, None),
    }
    assert failed_words(hosts, {}) == " on 4 of 5 hosts (exit 1; 3 never started: 1 host key CHANGED, 1 sudo refused)"


def test_a_sudo_check_that_does_not_answer_is_said_beside_the_run(sudo_sshd: tuple[Sshd, str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """`sudo` hangs longer than the check waits (a PAM module waiting on a network service). Before: the check
    quietly counted as passed and nothing said that sudo's refusal, if any, would read as the command's exit."""
    from ssh_helpers import cmd, run_one

    from runbook_tui.engine.ports import Result
    from runbook_tui.execute import sudo_probe
    from runbook_tui.execute.ssh import SshExecutor

    monkeypatch.setattr(sudo_probe, "PROBE_SECONDS", 1.0)
    sshd, user, bin_dir = sudo_sshd
    (bin_dir / "sudo").write_text("#!/bin/sh\nsleep 3\nexit 1\n", encoding="utf-8")
    runs = bin_dir.parent / "runs"
    runs.mkdir(mode=0o700)
    shutil.chown(runs, user=user)  # the login's own: a folder shared with others is refused (test_ssh_hostile.py)

    async def main() -> tuple[Result, list[str]]:
        ex = SshExecutor(known_hosts=str(sshd.known_hosts), remote_dir=str(runs))
        try:
            result, _sink, notes = await run_one(ex, cmd(sshd.host("db1", user=user), "true", sudo=True))
            return result, notes
        finally:
            await ex.close()

    result, notes = asyncio.run(main())
    assert result == Result("ok", exit_code=1), result
    assert notes == [
        f"db1: could not check that sudo -n works for {user} (no answer in 1s); starting the command: a refusal by sudo would read as its exit status"
    ], notes
