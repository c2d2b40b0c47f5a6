"""kill -9 of `exec --on-failure rollback` while an undo runs on two hosts over the real sshd, then `resume --rollback`.

Before: the resumed rollback gave the undo a new key (`undo1@<its own rollback_started seq>`), so on each host the undo
started a second time beside the first one, still running there (or ended with its result never collected): every
undo line of the ledger twice, and the first undo's end never learned. Now the resumed rollback's undo of the step the
dead process was undoing asks for the dead rollback's key on each remote host (engine/reattach.py, `undo_left_running`),
and the SSH executor follows the undo found there to its end instead of starting it: each host's undo ran once, the
journal holds its output from its first byte and its real exit status, and says it was followed, not started again.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from integration_cli import Cli, events, of_type
from waiting import wait_until

from runbook_tui.engine.undo_notes import UNDO_FOLLOWED

pytestmark = pytest.mark.peers


def ledger(cli: Cli) -> Counter[str]:
    path = cli.dir / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


@pytest.fixture(autouse=True)
def released(cli: Cli) -> Iterator[None]:
    """The detached undos wait for `release`: made at the end whatever happened, so none is left waiting."""
    yield
    (cli.dir / "release").touch()


def undo_runbook(cli: Cli, undo_exit: str = "0") -> Path:
    """`roll` on two hosts (its undo waits for `release`, then exits `undo_exit` on peer02), then `boom` fails."""
    led, release = cli.dir / "ledger", cli.dir / "release"
    undo = (
        f"echo undo-start-{{{{ host.name }}}} >> {led}; echo undo-before-the-kill-{{{{ host.name }}}}\n"
        f"while [ ! -e {release} ]; do sleep 0.05; done\n"
        f"echo undo-after-the-kill-{{{{ host.name }}}}; echo undo-end-{{{{ host.name }}}} >> {led}\n"
        f"if [ {{{{ host.name }}}} = peer02 ]; then exit {undo_exit}; fi\n"
    )
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": f"echo roll-{{{{ host.name }}}} >> {led}", "undo": undo}
    boom = {"id": "boom", "title": "Boom", "run": "exit 7"}
    sections = [
        {"id": "pre", "title": "Before", "kind": "precheck", "steps": [{"id": "cp", "title": "Checkpoint", "run": "true", "checkpoint": True}]},
        {"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll, boom]},
    ]
    return cli.runbook("kill9-undo-reattach", sections, hosts=2)


def killed_mid_undo(cli: Cli, rb: Path, journal: Path) -> None:
    proc, _lines = cli.start("exec", str(rb), "--solo", "kill -9 mid-undo", "--on-failure", "rollback", "--journal", str(journal))
    ready = Counter(["undo-start-peer01", "undo-start-peer02"])
    wait_until(lambda: ready <= ledger(cli), lambda: f"the undos started: {ledger(cli)}; {cli.stderr()}", alive=proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def test_a_resumed_rollback_follows_the_undo_left_running_on_the_hosts_instead_of_starting_it_again(cli: Cli) -> None:
    rb, journal = undo_runbook(cli), cli.dir / "j.jsonl"
    killed_mid_undo(cli, rb, journal)
    looked = cli.run("resume", str(journal), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert "--rollback follows the undo of 'roll' left running on peer01, peer02" in looked.stdout, looked.stdout

    before = len(events(journal))
    back = cli.start("resume", str(journal), "--rollback")[0]
    wait_until(lambda: len(of_type(events(journal), "rollback_started")) == 2, lambda: f"the rollback started again: {cli.stderr()}", alive=back)
    wait_until(lambda: of_type(events(journal)[before:], "note", request="follow"), lambda: f"the follow note: {cli.stderr()}", alive=back)
    (cli.dir / "release").touch()  # the first undos, still waiting on the hosts, go on to their end now
    assert back.wait(60) == 1, cli.stderr()  # rolled back: exit 1, as `run`

    assert ledger(cli) == Counter(["roll-peer01", "roll-peer02", "undo-start-peer01", "undo-start-peer02", "undo-end-peer01", "undo-end-peer02"]), ledger(cli)
    written = events(journal)
    again = of_type(written, "rollback_started")[1]
    after = written[written.index(again) :]
    [note] = of_type(after, "note", request="follow")
    assert set(note["follows"]) == {"peer01", "peer02"}, note
    # the program's note on each host, not an error (engine/reattach.py FOUND_RUN): nothing went wrong
    found = {e["text"].split(": ")[0]: e["text"] for e in of_type(after, "note", step="roll", actor="system") if "request" not in e}
    assert set(found) == {"peer01", "peer02"} and all(m.endswith("followed from its first byte to its end, not started again") for m in found.values()), found
    assert not of_type(after, "error", step="roll"), of_type(after, "error")
    for host in ("peer01", "peer02"):
        text = "".join(e["text"] for e in of_type(after, "output", step="roll", host=host))
        assert text == f"undo-before-the-kill-{host}\nundo-after-the-kill-{host}\n", text  # from its first byte, once
    [finished] = of_type(after, "undo_finished", step="roll")
    assert finished["ok"] is True and {h: r["exit_code"] for h, r in finished["hosts"].items()} == {"peer01": 0, "peer02": 0}, finished
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "rolled_back", written[-1]
    assert cli.run("journal", "verify", str(journal)).returncode == 0
    report = cli.run("report", str(journal))
    assert report.returncode == 0, report.stderr


def test_the_followed_undo_ends_with_its_real_exit_status(cli: Cli) -> None:
    """The undo left on peer02 exits 4 after the kill: the resumed rollback says so (failed there, stopped at 'roll'),
    not a success nor a second start."""
    rb, journal = undo_runbook(cli, undo_exit="4"), cli.dir / "j.jsonl"
    killed_mid_undo(cli, rb, journal)
    (cli.dir / "release").touch()  # both end before the resume: their results were never collected
    wait_until(lambda: ledger(cli)["undo-end-peer02"] == 1, lambda: f"the undos ended: {ledger(cli)}")
    back = cli.run("resume", str(journal), "--rollback")
    assert back.returncode == 1, back.stdout + back.stderr
    assert f"undo roll ({UNDO_FOLLOWED}) on peer02:" in back.stdout, back.stdout  # the undo list says what the rollback does
    assert ledger(cli)["undo-start-peer01"] == 1 and ledger(cli)["undo-start-peer02"] == 1, ledger(cli)
    written = events(journal)
    after = written[written.index(of_type(written, "rollback_started")[1]) :]
    [finished] = of_type(after, "undo_finished", step="roll")
    assert finished["ok"] is False and {h: r["exit_code"] for h, r in finished["hosts"].items()} == {"peer01": 0, "peer02": 4}, finished
    [ended] = of_type(after, "rollback_finished")
    assert ended["ok"] is False and ended["failed_step"] == "roll", ended
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_a_second_kill_while_following_keeps_following_the_first_undo(cli: Cli) -> None:
    """The resumed rollback is itself killed while it follows: the next one follows the first rollback's undo again
    (its key, named by the follow note), not the second rollback's key, under which nothing ever started."""
    rb, journal = undo_runbook(cli), cli.dir / "j.jsonl"
    killed_mid_undo(cli, rb, journal)
    first = of_type(events(journal), "rollback_started")[0]["seq"]
    back = cli.start("resume", str(journal), "--rollback")[0]
    wait_until(lambda: of_type(events(journal), "note", request="follow"), lambda: f"the follow note: {cli.stderr()}", alive=back)
    os.kill(back.pid, signal.SIGKILL)
    back.wait(10)
    again = cli.start("resume", str(journal), "--rollback")[0]
    wait_until(lambda: len(of_type(events(journal), "note", request="follow")) == 2, lambda: f"the second follow: {cli.stderr()}", alive=again)
    (cli.dir / "release").touch()
    assert again.wait(60) == 1, cli.stderr()
    assert ledger(cli)["undo-start-peer01"] == 1 and ledger(cli)["undo-start-peer02"] == 1 and ledger(cli)["undo-end-peer01"] == 1, ledger(cli)
    notes = of_type(events(journal), "note", request="follow")
    assert all(n["follows"] == {"peer01": [1, f"@{first}"], "peer02": [1, f"@{first}"]} for n in notes), notes
    assert events(journal)[-1]["outcome"] == "rolled_back"
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_a_host_whose_undo_had_ended_before_the_kill_is_not_undone_again(cli: Cli) -> None:
    """peer01's undo ends at once and its result is collected; peer02's waits: after the kill, the resumed rollback
    follows peer02's and never runs peer01's again (before: nothing of peer01's end was journaled until both ended, so
    the resumed rollback ran its undo a second time)."""
    led, release = cli.dir / "ledger", cli.dir / "release"
    undo = (
        f"echo undo-start-{{{{ host.name }}}} >> {led}\n"
        f"if [ {{{{ host.name }}}} = peer02 ]; then while [ ! -e {release} ]; do sleep 0.05; done; fi\n"
        f"echo undo-end-{{{{ host.name }}}} >> {led}\n"
    )
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": f"echo roll-{{{{ host.name }}}} >> {led}", "undo": undo}
    sections = [
        {"id": "pre", "title": "Before", "kind": "precheck", "steps": [{"id": "cp", "title": "Checkpoint", "run": "true", "checkpoint": True}]},
        {"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll, {"id": "boom", "title": "Boom", "run": "exit 7"}]},
    ]
    rb, journal = cli.runbook("kill9-undo-ended", sections, hosts=2), cli.dir / "j.jsonl"
    proc, _lines = cli.start("exec", str(rb), "--solo", "kill -9 mid-undo", "--on-failure", "rollback", "--journal", str(journal))
    wait_until(
        lambda: journal.exists() and of_type(events(journal), "undo_host_finished", host="peer01"), lambda: f"peer01's undo ended: {cli.stderr()}", alive=proc
    )
    wait_until(lambda: ledger(cli)["undo-start-peer02"] == 1, lambda: f"peer02's undo started: {ledger(cli)}", alive=proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)

    looked = cli.run("resume", str(journal), "--headless")
    assert "the undo of 'roll' was running on peer02: its outcome is unknown" in looked.stdout, looked.stdout
    assert "it had ended before on peer01 (undone): not run there again" in looked.stdout, looked.stdout
    assert "follows the undo of 'roll' left running on peer02 (" in looked.stdout, looked.stdout
    report = cli.run("report", str(journal), "--format", "json")
    assert report.returncode == 0, report.stderr

    back = cli.start("resume", str(journal), "--rollback")[0]
    wait_until(lambda: len(of_type(events(journal), "rollback_started")) == 2, lambda: f"the rollback started again: {cli.stderr()}", alive=back)
    release.touch()
    assert back.wait(60) == 1, cli.stderr()
    assert ledger(cli) == Counter(["roll-peer01", "roll-peer02", "undo-start-peer01", "undo-end-peer01", "undo-start-peer02", "undo-end-peer02"]), ledger(cli)
    written = events(journal)
    second = written[written.index(of_type(written, "rollback_started")[1]) :]
    assert [e["host"] for e in second[0]["plan"]["entries"] if e["step_id"] == "roll"] == ["peer02"], second[0]["plan"]
    [finished] = of_type(second, "undo_finished", step="roll")
    assert finished["ok"] is True and set(finished["hosts"]) == {"peer02"}, finished
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "rolled_back", written[-1]
    assert cli.run("journal", "verify", str(journal)).returncode == 0
    md = cli.run("report", str(journal)).stdout
    assert "UNDONE" in md.upper(), md


@pytest.mark.parametrize("cut_after", ["rollback_started", "undo_started"])
def test_a_resumed_rollback_killed_before_it_follows_leaves_the_next_one_following_the_first_undo(cli: Cli, cut_after: str) -> None:
    """The resumed rollback dies after its `rollback_started` (or its `undo_started`), before its follow note (the journal
    cut there, as a kill -9 between the lines leaves it): the next look still says the undo left running, and the next
    `resume --rollback` follows the first rollback's undo on each host (before: the cut rollback reset what was known, the
    look said `not run yet: roll`, or the next rollback looked for the second rollback's undo, which never began, and
    started the undo a second time beside the one still running there)."""
    rb, journal = undo_runbook(cli), cli.dir / "j.jsonl"
    killed_mid_undo(cli, rb, journal)
    first = of_type(events(journal), "rollback_started")[0]["seq"]
    back = cli.start("resume", str(journal), "--rollback")[0]
    wait_until(lambda: of_type(events(journal), "note", request="follow"), lambda: f"the follow note: {cli.stderr()}", alive=back)
    os.kill(back.pid, signal.SIGKILL)
    back.wait(10)
    lines = journal.read_bytes().splitlines(keepends=True)
    written = events(journal)
    resumed = next(i for i, e in enumerate(written) if e["type"] == "rollback_started" and e["seq"] != first)
    cut = next(i for i, e in enumerate(written) if e["type"] == cut_after and i >= resumed)
    journal.write_bytes(b"".join(lines[: cut + 1]))

    looked = cli.run("resume", str(journal), "--headless")
    assert "--rollback follows the undo of 'roll' left running on peer01, peer02" in looked.stdout, looked.stdout
    again = cli.start("resume", str(journal), "--rollback")[0]
    wait_until(lambda: of_type(events(journal), "note", request="follow"), lambda: f"the follow: {cli.stderr()}", alive=again)
    (cli.dir / "release").touch()
    assert again.wait(60) == 1, cli.stderr()
    assert ledger(cli)["undo-start-peer01"] == 1 and ledger(cli)["undo-start-peer02"] == 1 and ledger(cli)["undo-end-peer02"] == 1, ledger(cli)
    [note] = of_type(events(journal), "note", request="follow")
    assert note["follows"] == {"peer01": [1, f"@{first}"], "peer02": [1, f"@{first}"]}, note
    assert events(journal)[-1]["outcome"] == "rolled_back"
    assert cli.run("journal", "verify", str(journal)).returncode == 0
