"""A user id with no name: runbook-tui started in a container (`docker run --user 4242`, a Kubernetes `runAsUser`) or by
a service manager with no passwd entry for its uid and none of LOGNAME, USER, LNAME, USERNAME set.

ssh itself refuses to log in from there ("No user exists for uid 4242"), and asyncssh too ("Unknown local username").
Before: `plan` and `preflight` ended in a `KeyError: 'getpwuid(): uid not found'` traceback, and `exec` in "step a
crashed: ExceptionGroup ... (an unexpected error; please report it)"."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from local_users import become_nameless

from runbook_tui.cli import main

RUNBOOK = (
    "runbook: 1\nid: t\ntitle: t\nhosts:\n  g: [{name: db1, address: 127.0.0.1, port: 1, user: deploy}]\n"
    "sections:\n  - id: s\n    steps:\n      - {id: a, run: 'true', on: g}\n"
)
TODO = "set USER=NAME before starting runbook-tui, or run it as a user the passwd database knows"
SAID = "this machine's user id {uid} has no user name (no passwd entry, and LOGNAME, USER, LNAME and USERNAME are unset)"


@pytest.fixture
def nameless(monkeypatch: pytest.MonkeyPatch) -> int:
    return become_nameless(monkeypatch)


def test_plan_says_the_host_cannot_be_reached_without_a_user_name(tmp_path: Path, nameless: int, capsys: pytest.CaptureFixture[str]) -> None:
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(RUNBOOK)
    assert main(["plan", str(runbook)]) == 0
    out = capsys.readouterr().out
    assert f"  db1: CANNOT RESOLVE: {SAID.format(uid=nameless)}; ssh needs one to log in with: set USER=NAME" in out, out


def test_exec_fails_the_step_in_words_not_as_an_internal_error(tmp_path: Path, nameless: int, capsys: pytest.CaptureFixture[str]) -> None:
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(RUNBOOK)
    journal = tmp_path / "j.jsonl"
    assert main(["exec", str(runbook), "--solo", "a nameless uid", "--journal", str(journal)]) == 1
    captured = capsys.readouterr()
    assert "internal error" not in captured.out + captured.err and "crashed" not in captured.err, captured
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    finished = [event for event in events if event["type"] == "step_finished"]
    assert len(finished) == 1 and finished[0]["status"] == "failed", finished
    assert SAID.format(uid=nameless) in json.dumps(events), events


def test_preflight_names_the_local_user_not_the_ssh_config(tmp_path: Path, nameless: int, capsys: pytest.CaptureFixture[str]) -> None:
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(RUNBOOK)
    assert main(["preflight", str(runbook)]) == 1
    out = capsys.readouterr().out
    finding = next((line for line in out.splitlines() if line.startswith("host db1 ")), "")
    assert f"host db1 (127.0.0.1:1): local user: db1: {SAID.format(uid=nameless)}" in finding, out
    assert finding.endswith(f"What to do: {TODO}"), finding


def test_join_says_so_before_any_contact(tmp_path: Path, nameless: int, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: asyncssh's `ValueError: Unknown local username: set one of LOGNAME, USER, LNAME, or USERNAME` as a
    traceback, once the session answered (nothing listens at port 1 here: that was said instead)."""
    key = tmp_path / "bob"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob", "-f", str(key)], check=True, timeout=60)
    assert main(["join", "127.0.0.1:1", "--identity", str(key)]) == 2
    err = capsys.readouterr().err
    assert err == f"runbook-tui: join: {SAID.format(uid=nameless)}; ssh needs one to log in with: {TODO}; nothing was joined\n", err


def test_join_with_an_ssh_config_says_so_before_reading_it(
    tmp_path: Path, nameless: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """join reads the ssh config for the session's host key files (`Match localuser` needs the user's name): the same words
    before it is read."""
    key = tmp_path / "bob"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob", "-f", str(key)], check=True, timeout=60)
    config = tmp_path / "ssh_config"
    config.write_text("Match localuser bob\n  RevokedHostKeys /nowhere\n")
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"ssh: {{config: {config}, known_hosts: {tmp_path / 'known_hosts'}}}\n")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(settings))
    assert main(["join", "127.0.0.1:1", "--identity", str(key)]) == 2
    err = capsys.readouterr().err
    assert err == f"runbook-tui: join: {SAID.format(uid=nameless)}; ssh needs one to log in with: {TODO}; nothing was joined\n", err
