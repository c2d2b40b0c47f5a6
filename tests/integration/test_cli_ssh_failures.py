"""What goes wrong between us and a host: a changed host key, sshd dying mid-step, our own process killed."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from pathlib import Path

import asyncssh
import pytest
import yaml
from integration_cli import REMOTE_RUNS, Cli, events, of_type
from peers import public_line

from runbook_tui.engine.journal import verify
from runbook_tui.engine.recording import record
from runbook_tui.engine.state import replay

pytestmark = pytest.mark.peers


def one_step(cli: Cli, run: str, *, hosts: int = 1, name: str = "one-step") -> Path:
    step = {"id": "remote", "title": "A remote step", "on": "g", "run": run, "undo": "true"}
    return cli.runbook(name, [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step]}], hosts=hosts)


# -- host keys ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["changed key", "host not listed"])
def test_a_host_key_that_does_not_verify_fails_the_step_with_a_plain_message(cli: Cli, case: str) -> None:
    other = public_line(asyncssh.generate_private_key("ssh-ed25519"))
    if case == "changed key":
        cli.with_known_hosts(f"[127.0.0.1]:{cli.sshd.port} {other}\n")
    else:
        cli.with_known_hosts(f"[127.0.0.1]:1 {public_line(cli.sshd.host_key)}\n")
    known_hosts = str(cli.dir / "other_known_hosts")
    path = one_step(cli, f"touch {cli.dir}/ran")

    result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")

    assert result.returncode == 1, result.stdout + result.stderr
    both = result.stdout + result.stderr
    assert "Traceback" not in both
    assert not (cli.dir / "ran").exists(), "nothing may run on a host whose key did not verify"
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "step_finished" in line)
    line = lines[at + 1]  # the problem, on its line under the step's
    assert line.startswith("   ✗ peer01") and "host key" in line and known_hosts in line, lines[at : at + 2]
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="remote")
    assert finished["status"] == "failed"
    error = finished["hosts"]["peer01"]["error"]
    assert f"host key for peer01 (127.0.0.1:{cli.sshd.port}) not verified" in error
    assert known_hosts in error
    assert any(known_hosts in problem for problem in finished["problems"])


# -- sshd dies mid-step -----------------------------------------------------------------


def test_a_remote_step_survives_sshd_dying_and_coming_back(cli: Cli) -> None:
    path = one_step(cli, "for i in $(seq 1 30); do echo $i; sleep 0.1; done")
    proc, stdout = cli.start("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")
    stdout.wait_for(lambda line: line == "  peer01 | 5")
    cli.sshd.stop()  # drops our connection (the detached command keeps running)
    try:
        time.sleep(1.0)  # the outage itself: how long sshd stays down
    finally:
        cli.sshd.start()
    assert proc.wait(30) == 0, stdout.text() + cli.stderr()

    journal = events(cli.dir / "j.jsonl")
    [finished] = of_type(journal, "step_finished", step="remote")
    assert finished["status"] == "done" and finished["hosts"]["peer01"]["exit_code"] == 0
    reconnects = [e["message"] for e in of_type(journal, "error", step="remote")]
    assert any("reconnecting" in m for m in reconnects), f"the connection never dropped: {reconnects}"
    text = "".join(e["text"] for e in of_type(journal, "output", step="remote", stream="stdout"))
    assert text.splitlines() == [str(i) for i in range(1, 31)], "every line exactly once, in order"
    assert not verify(cli.dir / "j.jsonl").problems


def test_a_timeout_while_the_connection_is_still_opening_says_the_command_never_started(cli: Cli) -> None:
    """A port that takes the connection and never greets, a step timeout shorter than the connect timeout.

    Before: `timed out after 1s` only, after another connect attempt to kill what never ran (the connect timeout
    again); the executor's words (never started, or may still be running where the kill failed) were dropped.
    """
    with socket.socket() as silent:  # listening, never accepting: the kernel completes the handshake, nobody speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        step = {"id": "remote", "title": "A remote step", "on": "g", "run": "true", "undo": "true", "timeout": "1s"}
        path = cli.runbook("never-started", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step]}], hosts=1)
        text = path.read_text().replace(f"port: {cli.sshd.port}", f"port: {silent.getsockname()[1]}")
        path.write_text(text)
        started = time.monotonic()
        result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j.jsonl", timeout=30)
        took = time.monotonic() - started

    assert result.returncode == 1, result.stdout + result.stderr
    assert took < 8, f"{took:.1f}s: nothing to stop on a host the command never reached"
    never = "the command never started on peer01: its connection was not open yet"
    assert f"   ✗ peer01: timed out after 1s; {never}" in result.stdout.splitlines(), result.stdout
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="remote")
    assert finished["hosts"]["peer01"] == {"status": "timed_out", "exit_code": None, "error": f"timed out; {never}", "started": False}  # nothing to undo there
    assert not verify(cli.dir / "j.jsonl").problems


# -- our process is killed mid-step -----------------------------------------------------


def test_resume_after_kill_9_marks_the_step_unknown_and_reruns_nothing(cli: Cli) -> None:
    marker = cli.dir / "marker"
    path = one_step(cli, f"echo ran >> {marker}; echo started; sleep 2; echo finished")
    proc, stdout = cli.start("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")
    stdout.wait_for(lambda line: line == "  peer01 | started")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(5)
    journal = cli.dir / "j.jsonl"
    assert not of_type(events(journal), "step_finished"), "the kill came before the step ended"

    result = cli.run("resume", str(journal))

    # Without a decision, resume reports where the run stands and exits: not done, so 1.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"^\s+UNKNOWN\s+remote$", result.stdout, re.M), result.stdout
    assert "Nothing was re-run" in result.stdout
    checked = cli.run("journal", "verify", str(journal))
    assert checked.returncode == 0 and "intact" in checked.stdout, checked.stdout + checked.stderr
    read = verify(journal)
    state = replay(read.events)
    assert state.steps["remote"].status == "unknown"
    assert dict(state.steps["remote"].hosts)["peer01"].status == "unknown"
    assert state.steps["remote"].attempts == 1
    assert [e["type"] for e in read.events].count("step_started") == 1
    assert read.events[-1]["type"] == "session_interrupted", "a look, no resume: what it learned (the process gone) is journaled"

    # The first (detached) run goes on to its end on the host; still nobody ran it again.
    session = read.events[0]["session"]
    [lock] = REMOTE_RUNS.glob(f"{session}_*.run")  # the run's files: NAME.run (umask, pid, rc lines), .out, .err
    out = lock.with_suffix(".out")
    deadline = time.monotonic() + 10
    while "\nrc " not in lock.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert out.read_text() == "started\nfinished\n"
    lines = lock.read_text().splitlines()
    assert lines[1].startswith("pid ") and lines[2:] == ["rc 0"], f"the detached command recorded its own exit status: {lines}"
    assert marker.read_text() == "ran\n"


# -- the same step again on the same host -------------------------------------------------


def test_retries_run_the_command_again_on_the_remote_host(cli: Cli) -> None:
    # Each remote run is named after its key; a retry must not re-attach to the run that failed.
    counter = cli.dir / "tries"
    step = {"id": "flaky", "title": "Passes on the third try", "on": "g", "retries": 2, "retry_delay": "0s", "verify": "none",
            "run": f"echo try >> {counter}; test $(wc -l < {counter}) -ge 3"}  # fmt: skip
    path = cli.runbook("retries", [{"id": "pre", "title": "Pre-checks", "kind": "precheck", "steps": [step]}], hosts=1)

    result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")

    assert result.returncode == 0, result.stdout + result.stderr
    assert counter.read_text() == "try\ntry\ntry\n"
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="flaky")
    assert finished["status"] == "done"


# -- a host the command never reached -----------------------------------------------------


def test_a_rollback_does_not_undo_on_a_host_the_command_never_reached(cli: Cli) -> None:
    """Before: a step failed on a host nothing listened on (the connection never opened, nothing ran there); `u` (or
    `--on-failure rollback`) planned that host's undo, which failed to connect the same way and stopped the rollback
    there: the run ended FAILED and every later rollback stopped at it. Now the host's `step_finished` says
    `"started": false`, the plan leaves it out, and the rollback undoes what did run."""
    with socket.socket() as probe:  # a loopback port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    steps = [
        {"id": "one", "title": "Change the live host", "on": "g", "run": f"touch {cli.dir}/one", "undo": f"touch {cli.dir}/undo-one"},
        {"id": "two", "title": "Change the dead host", "on": "gone", "run": "true", "undo": f"touch {cli.dir}/undo-two"},
    ]
    path = cli.runbook("never-reached", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": steps}], hosts=1)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["hosts"]["gone"] = [{**cli.hosts(1)[0], "name": "dead", "port": dead_port}]
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")

    result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j.jsonl", "--on-failure", "rollback")

    assert result.returncode == 1, result.stdout + result.stderr
    journal = events(cli.dir / "j.jsonl")
    [finished] = of_type(journal, "step_finished", step="two")
    assert finished["hosts"]["dead"]["status"] == "failed" and finished["hosts"]["dead"]["started"] is False, finished
    [started] = of_type(journal, "rollback_started")
    assert [(e["step_id"], e["host"]) for e in started["plan"]["entries"]] == [("one", "peer01")], started["plan"]
    assert not of_type(journal, "undo_started", step="two")
    [ended] = of_type(journal, "session_finished")
    assert ended["outcome"] == "rolled_back", ended
    assert (cli.dir / "undo-one").exists() and not (cli.dir / "undo-two").exists()
    take = record(journal).take("run", "two", "dead", 1)  # a trainee's practice of this night plans the same rollback
    assert take is not None and take.started is False


# -- identities -----------------------------------------------------------------------------


def test_an_encrypted_identitys_passphrase_comes_from_the_keyring(cli: Cli) -> None:
    """The spec: "a key passphrase may come from the keyring". Nothing asked it in a real run: with no SSH agent, an
    encrypted `identity:` failed every connection ('load it into an SSH agent; runbook-tui asks for no passphrase').
    Now the keyring is asked (service runbook-tui, username the key's path) and the step runs; with nothing stored
    there, the failure says where to store it."""
    encrypted = cli.dir / "encrypted_key"
    key = asyncssh.read_private_key(str(cli.sshd.client_key))
    key.write_private_key(str(encrypted), format_name="pkcs8-pem", passphrase="open sesame")
    encrypted.chmod(0o600)
    step = {"id": "remote", "title": "A remote step", "on": "g", "run": "echo in", "undo": "true"}
    doc = {"runbook": 1, "id": "enc", "title": "Encrypted key", "hosts": {"g": cli.hosts(1, identity=str(encrypted))}}
    doc["sections"] = [{"id": "impl", "title": "Implement", "steps": [step]}]
    path = cli.dir / "enc.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    tests = str(Path(__file__).resolve().parent.parent)
    env = {"PYTHON_KEYRING_BACKEND": "keyring_backends.Scripted", "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), tests]))}
    env["SSH_AUTH_SOCK"] = ""  # no agent to stand in

    ran = cli.run("exec", str(path), "--solo", "t", "--journal", "j1.jsonl", env={**env, "RBT_TEST_KEYRING": "value:open sesame"})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "peer01 | in" in ran.stdout, ran.stdout

    refused = cli.run("exec", str(path), "--solo", "t", "--journal", "j2.jsonl", env={**env, "RBT_TEST_KEYRING": "missing"})
    assert refused.returncode == 1, refused.stdout + refused.stderr
    said = f"identity {encrypted} is encrypted and no SSH agent is there to use it from (SSH_AUTH_SOCK is not set), nor its passphrase in the keyring"
    assert said in refused.stdout and f"keyring set runbook-tui {encrypted}" in refused.stdout, refused.stdout
    assert "open sesame" not in (cli.dir / "j1.jsonl").read_text(), "the passphrase is written nowhere"
