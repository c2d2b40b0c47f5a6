"""The host's sshd goes while a rollback's undo runs there (the program lives on), then `resume --rollback`.

The undo runs detached on the host, so it goes on to its end while nobody follows it: the rollback stops with `lost
connection … the command may still be running there`. Before, the next `resume --rollback` gave the undo a new key
and started it a second time on each host, beside the first (or after it, its end never learned). Now it follows
the undo the lost link left there, as it does for an undo a killed process left running (engine/reattach.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from integration_cli import Cli, events, ledger, of_type
from peers import PeerError, Sshd, make_sshd
from waiting import wait_until

from runbook_tui.engine.undo_notes import UNDO_FOLLOWED_LOST

pytestmark = pytest.mark.peers


@pytest.fixture(autouse=True)
def released(cli: Cli) -> Iterator[None]:
    """The detached undos wait for `release`: made at the end whatever happened, so none is left waiting."""
    yield
    (cli.dir / "release").touch()
    if not cli.sshd.running:
        cli.sshd.start()


def test_the_next_rollback_follows_the_undo_a_lost_link_left_running_instead_of_starting_it_again(cli: Cli) -> None:
    led, release = cli.dir / "ledger", cli.dir / "release"
    settings = yaml.safe_load(cli.settings.read_text())
    settings["ssh"]["reconnect_attempts"] = 1
    cli.settings.write_text(yaml.safe_dump(settings))
    undo = (
        f"echo undo-start-{{{{ host.name }}}} >> {led}; echo undo-before-{{{{ host.name }}}}\n"
        f"while [ ! -e {release} ]; do sleep 0.05; done\n"
        f"echo undo-after-{{{{ host.name }}}}; echo undo-end-{{{{ host.name }}}} >> {led}\n"
    )
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": f"echo roll-{{{{ host.name }}}} >> {led}", "undo": undo}
    sections = [
        {"id": "pre", "title": "Before", "kind": "precheck", "steps": [{"id": "cp", "title": "Checkpoint", "run": "true", "checkpoint": True}]},
        {"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll, {"id": "boom", "title": "Boom", "run": "exit 7"}]},
    ]
    rb, journal = cli.runbook("undo-lost-link", sections, hosts=2), cli.dir / "j.jsonl"
    proc, _lines = cli.start("exec", str(rb), "--solo", "sshd goes mid-undo", "--on-failure", "rollback", "--journal", str(journal))
    ready = Counter(["undo-start-peer01", "undo-start-peer02"])
    wait_until(lambda: ready <= ledger(cli), lambda: f"the undos started: {ledger(cli)}; {cli.stderr()}", alive=proc)
    cli.sshd.stop()  # every sshd process: the links drop; the detached undos live on
    assert proc.wait(90) == 1, cli.stderr()
    [lost] = of_type(events(journal), "undo_finished", step="roll")
    assert lost["ok"] is False and all("may still be running" in r["error"] for r in lost["hosts"].values()), lost
    cli.sshd.start()
    release.touch()  # the first undos end while nobody follows them: their results are never collected
    wait_until(lambda: ledger(cli)["undo-end-peer02"] == ledger(cli)["undo-end-peer01"] == 1, lambda: f"the undos ended: {ledger(cli)}")

    back = cli.run("resume", str(journal), "--rollback", timeout=90)
    assert back.returncode == 1, back.stdout + back.stderr  # rolled back: exit 1, as `run`
    for host in ("peer01", "peer02"):  # the undo list says what the rollback does
        assert f"undo roll ({UNDO_FOLLOWED_LOST}) on {host}:" in back.stdout, back.stdout
    assert ledger(cli) == Counter(["roll-peer01", "roll-peer02", "undo-start-peer01", "undo-start-peer02", "undo-end-peer01", "undo-end-peer02"]), ledger(cli)
    written = events(journal)
    after = written[written.index(of_type(written, "rollback_started")[1]) :]
    [note] = of_type(after, "note", request="follow")
    first = of_type(written, "rollback_started")[0]["seq"]
    assert note["follows"] == {"peer01": [1, f"@{first}"], "peer02": [1, f"@{first}"]}, note
    assert "the undo the last rollback lost its connection to" in note["text"], note
    for host in ("peer01", "peer02"):
        text = "".join(e["text"] for e in of_type(after, "output", step="roll", host=host))
        assert text == f"undo-before-{host}\nundo-after-{host}\n", text  # from its first byte, once
    [finished] = of_type(after, "undo_finished", step="roll")
    assert finished["ok"] is True, finished
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "rolled_back", written[-1]
    assert cli.run("journal", "verify", str(journal)).returncode == 0


@pytest.fixture
def second(tmp_path: Path) -> Iterator[Sshd]:
    """Another sshd (peer02's), to lose while peer01's stays."""
    (tmp_path / "second").mkdir()
    try:
        server = make_sshd(tmp_path / "second")
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def test_a_killed_rollback_follows_the_undo_an_earlier_lost_link_left_running(cli: Cli, second: Sshd) -> None:
    """peer02's link is lost mid-undo (its end, `may still be running`, journaled) while peer01's undo runs on; then
    the program is killed. Before: the resumed rollback followed peer01's undo but ran peer02's a second time (a host
    whose undo end was journaled counted as collected, whatever that end said)."""
    led, release = cli.dir / "ledger", cli.dir / "release"
    known = cli.dir / "both_known_hosts"
    known.write_text(cli.sshd.known_hosts.read_text() + second.known_hosts.read_text())
    cli.settings.write_text(yaml.safe_dump({"ssh": {"known_hosts": str(known), "reconnect_attempts": 1}, "max_concurrency": 50}))
    undo = f"echo undo-start-{{{{ host.name }}}} >> {led}\nwhile [ ! -e {release} ]; do sleep 0.05; done\necho undo-end-{{{{ host.name }}}} >> {led}\n"
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": f"echo roll-{{{{ host.name }}}} >> {led}", "undo": undo}
    sections = [
        {"id": "pre", "title": "Before", "kind": "precheck", "steps": [{"id": "cp", "title": "Checkpoint", "run": "true", "checkpoint": True}]},
        {"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll, {"id": "boom", "title": "Boom", "run": "exit 7"}]},
    ]
    rb, journal = cli.runbook("undo-lost-then-killed", sections, hosts=2), cli.dir / "j.jsonl"
    doc = yaml.safe_load(rb.read_text())
    doc["hosts"]["g"][1].update(port=second.port, identity=str(second.client_key))
    rb.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000))
    proc, _lines = cli.start("exec", str(rb), "--solo", "lost, then killed", "--on-failure", "rollback", "--journal", str(journal))
    ready = Counter(["undo-start-peer01", "undo-start-peer02"])
    wait_until(lambda: ready <= ledger(cli), lambda: f"the undos started: {ledger(cli)}; {cli.stderr()}", alive=proc)
    second.stop()
    wait_until(lambda: of_type(events(journal), "undo_host_finished", host="peer02"), lambda: f"peer02's lost undo journaled: {cli.stderr()}", alive=proc)
    proc.kill()
    proc.wait(10)
    second.start()
    release.touch()
    wait_until(lambda: ledger(cli)["undo-end-peer02"] == ledger(cli)["undo-end-peer01"] == 1, lambda: f"the undos ended: {ledger(cli)}")

    back = cli.run("resume", str(journal), "--rollback", timeout=90)
    assert back.returncode == 1, back.stdout + back.stderr
    assert f"undo roll ({UNDO_FOLLOWED_LOST}) on peer02:" in back.stdout, back.stdout
    assert ledger(cli) == Counter(["roll-peer01", "roll-peer02", "undo-start-peer01", "undo-start-peer02", "undo-end-peer01", "undo-end-peer02"]), ledger(cli)
    written = events(journal)
    [note] = of_type(written[written.index(of_type(written, "rollback_started")[1]) :], "note", request="follow")
    assert set(note["follows"]) == {"peer01", "peer02"}, note
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "rolled_back", written[-1]
