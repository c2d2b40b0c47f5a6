"""A host behind a link that goes down mid-step: the real sshd in a network namespace, its veth set down and up.

As root, each test makes its own namespace `rbt-<random>` and a veth pair
with a /30 in 169.254.0.0/16 (link-local: only this machine's own veth
carries it; an `unreachable` route of the lowest priority keeps packets to
the /30 from leaving through the default route while the link is down).
sshd runs inside the namespace (`ip netns exec`), listening on the
namespace's end only. `runbook-tui exec` runs a remote step printing 1..20;
after a few lines the host side of the veth goes down.

- Down ~1.5 s: SSH keepalives (0.3 s in the test's settings) drop the
  connection, the executor reconnects and re-attaches to the detached
  command: the step is `done` and the journal has 1..20 exactly once.
- Down longer than the reconnect budget: the host ends `unknown` (the step
  `failed`), saying the command may still be running (detached); the state
  resume rebuilds shows the host unknown, and since headless exec finished
  the session, `resume` says there is nothing to resume.

Without root or `ip netns` the test fails on CI (where scripts/test runs as
root) and is skipped elsewhere, saying why. Namespace, veth and route are
removed in the fixture's teardown whatever happens.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fault_helpers import env_for, of_type, raw_events, run, state_of, write_runbook
from netns import cannot_set_up as _cannot
from netns import free_subnet as _free_subnet
from netns import ip
from peers import PeerError, Sshd, make_sshd

from runbook_tui.engine.journal import read_events

pytestmark = pytest.mark.peers

REMOTE_RUNS = Path.home() / ".cache" / "runbook-tui" / "runs"
SSH_PORT = 2222  # the namespace has its own ports: nothing else listens there
COUNT = "for i in $(seq 1 20); do echo $i; sleep 0.2; done"


@dataclass
class Netns:
    name: str
    link: str  # the host's end of the veth, the one the test sets down
    subnet: str
    sshd: Sshd

    def down(self) -> None:
        ip("link", "set", self.link, "down")

    def up(self) -> None:
        ip("link", "set", self.link, "up")


@pytest.fixture
def netns(tmp_path: Path) -> Iterator[Netns]:
    if os.geteuid() != 0:
        _cannot("not root")
    if shutil.which("ip") is None:
        _cannot("the ip command (iproute2) is missing")
    suffix = secrets.token_hex(3)
    name, here, there = f"rbt-{suffix}", f"rbtA{suffix}", f"rbtB{suffix}"
    made = ip("netns", "add", name, check=False)
    if made.returncode != 0:
        _cannot(f"ip netns add: {made.stderr.strip()}")
    subnet = ""
    sshd: Sshd | None = None
    try:
        subnet, local, remote = _free_subnet()
        ip("link", "add", here, "type", "veth", "peer", "name", there)
        ip("link", "set", there, "netns", name)
        ip("addr", "add", f"{local}/30", "dev", here)
        ip("-n", name, "addr", "add", f"{remote}/30", "dev", there)
        ip("-n", name, "link", "set", "lo", "up")
        ip("-n", name, "link", "set", there, "up")
        ip("link", "set", here, "up")
        # While the link is down its connected route is gone: this keeps the /30 from falling to the default route.
        ip("route", "add", "unreachable", subnet, "metric", "4294967295")
        directory = tmp_path / "sshd"
        directory.mkdir()
        sshd = make_sshd(directory, address=remote, port=SSH_PORT, wrapper=("ip", "netns", "exec", name))
        yield Netns(name, here, subnet, sshd)
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        if sshd is not None:
            sshd.stop()
        for pid in ip("netns", "pids", name, check=False).stdout.split():  # detached commands the test started there
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError):
                pass
        ip("link", "del", here, check=False)  # takes its peer along
        if subnet:
            ip("route", "del", "unreachable", subnet, "metric", "4294967295", check=False)
        ip("netns", "del", name, check=False)
        for path in tmp_path.glob("*.jsonl"):
            events = raw_events(path)
            if events:
                for leftover in REMOTE_RUNS.glob(f"{events[0]['session']}_*"):
                    shutil.rmtree(leftover, ignore_errors=True)


def setup_run(tmp_path: Path, ns: Netns, reconnect_attempts: int) -> tuple[Path, Path, dict[str, str]]:
    settings = tmp_path / "settings.yaml"
    ssh = {"known_hosts": str(ns.sshd.known_hosts), "keepalive_interval": 0.3, "reconnect_attempts": reconnect_attempts}
    settings.write_text(yaml.safe_dump({"ssh": ssh}), encoding="utf-8")
    host = {"name": "nshost", "address": ns.sshd.address, "port": ns.sshd.port, "user": ns.sshd.user, "identity": str(ns.sshd.client_key)}
    step = {"id": "count", "title": "Count to twenty on the far host", "run": COUNT, "on": "g"}
    rb = write_runbook(tmp_path, "netns", [step], hosts={"g": [host]})
    return rb, tmp_path / "j.jsonl", env_for(tmp_path, RUNBOOK_TUI_SETTINGS=str(settings))


def start(tmp_path: Path, rb: Path, journal: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    from fault_helpers import RUNBOOK_TUI

    return subprocess.Popen(
        [*RUNBOOK_TUI, "exec", str(rb), "--solo", "netns fault test", "--journal", str(journal)], cwd=tmp_path, env=env,
        stdin=subprocess.DEVNULL, stdout=(tmp_path / "out.txt").open("w"), stderr=(tmp_path / "err.txt").open("w"), text=True,
    )  # fmt: skip


def printed(journal: Path) -> list[str]:
    text = "".join(e["text"] for e in of_type(raw_events(journal), "output", step="count", stream="stdout"))
    return text.splitlines()


def wait_for_lines(journal: Path, proc: subprocess.Popen[str], n: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and len(printed(journal)) >= n:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    output = (journal.parent / "out.txt").read_text() + (journal.parent / "err.txt").read_text()
    pytest.fail(f"the step did not print {n} lines (exit {proc.poll()}); journal so far: {printed(journal) if journal.exists() else None}\n{output}")


def finish(proc: subprocess.Popen[str], tmp_path: Path, timeout: float = 60) -> tuple[int, str]:
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        pytest.fail(f"runbook-tui exec did not end within {timeout:g}s")
    out = (tmp_path / "out.txt").read_text() + (tmp_path / "err.txt").read_text()
    assert "Traceback" not in out, out
    return code, out


def test_a_link_down_for_a_moment_reconnects_and_the_step_prints_everything_once(tmp_path: Path, netns: Netns) -> None:
    rb, journal, env = setup_run(tmp_path, netns, reconnect_attempts=8)
    proc = start(tmp_path, rb, journal, env)
    try:
        wait_for_lines(journal, proc, 3)
        netns.down()
        time.sleep(1.5)  # the outage itself: how long the link stays down
    finally:
        netns.up()
    code, out = finish(proc, tmp_path)
    assert code == 0, out
    events = read_events(journal)
    assert events.intact, events.problems
    [finished] = of_type(events.events, "step_finished", step="count")
    assert finished["status"] == "done", finished
    assert finished["hosts"]["nshost"]["status"] == "done", finished
    assert printed(journal) == [str(i) for i in range(1, 21)]
    notes = [e["message"] for e in of_type(events.events, "error", step="count")]
    assert any("reconnected; re-attaching" in m for m in notes), f"the link drop never cost the connection; the test proves little: {notes}"


def test_a_link_down_past_the_reconnect_budget_leaves_the_step_unknown(tmp_path: Path, netns: Netns) -> None:
    rb, journal, env = setup_run(tmp_path, netns, reconnect_attempts=2)  # backoff 0.5 + 1 s: gives up well within the outage
    proc = start(tmp_path, rb, journal, env)
    try:
        wait_for_lines(journal, proc, 3)
        netns.down()
        code, out = finish(proc, tmp_path, timeout=30)
    finally:
        netns.up()
    assert code != 0, out
    events = read_events(journal)
    assert events.intact, events.problems
    [finished] = of_type(events.events, "step_finished", step="count")
    assert finished["status"] in ("unknown", "failed"), finished  # the engine records a step with an unknown host as failed
    host = finished["hosts"]["nshost"]
    assert host["status"] == "unknown", finished
    assert "may still be running" in host["error"] and "detached" in host["error"], host
    assert any("may still be running" in p for p in finished["problems"]), finished["problems"]
    assert "may still be running" in out, out
    lines = printed(journal)
    assert lines == [str(i) for i in range(1, len(lines) + 1)] and len(lines) < 20, lines  # in order, none twice, cut short
    state = state_of(journal)  # what resume rebuilds
    assert state.steps["count"].hosts["nshost"].status == "unknown", state.steps["count"]
    # Headless exec ends the session after the failed step, so resume has nothing to continue; it says so, and why.
    looked = run(tmp_path, "resume", str(journal), "--headless", env=env)
    said = looked.stdout + looked.stderr
    assert "Traceback" not in said
    assert looked.returncode == 1 and "already finished (failed); nothing to resume" in said, said
