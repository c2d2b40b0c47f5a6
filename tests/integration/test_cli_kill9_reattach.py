"""kill -9 of `exec` while a step runs on two hosts over the real sshd, then `resume --rerun --continue`.

Before: the re-run was attempt 2 with a new key, so on each host the command started a second time beside the first
(still running there, or ended with its result never collected): every line of the ledger twice, and the first run's
end never learned; the look said only "Check there first: a re-run now could run it twice at once". Now the re-run's
first try on a host the dead process left `unknown` asks for that attempt's key (engine/reattach.py), and the SSH
executor follows the run found there to its end instead of starting it: each host's command ran once, the journal
holds its output from its first byte and its real exit status, and says that it was followed, not started again.
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from integration_cli import Cli, events, ledger, of_type
from waiting import wait_until

pytestmark = pytest.mark.peers


@pytest.fixture(autouse=True)
def released(cli: Cli) -> Iterator[None]:
    """The detached commands wait for `release`: made at the end whatever happened, so none is left waiting."""
    yield
    (cli.dir / "release").touch()


def killed_mid_step(cli: Cli, rb: Path, journal: Path, ready: Counter[str]) -> None:
    """exec, SIGKILLed once the ledger holds `ready` (the commands then wait for the test's `release` file)."""
    proc, _lines = cli.start("exec", str(rb), "--solo", "kill -9 and re-attach", "--journal", str(journal))
    wait_until(lambda: ready <= ledger(cli), lambda: f"the commands started: {ledger(cli)}; {cli.stderr()}", alive=proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def roll_step(cli: Cli, **more: object) -> Path:
    led, release = cli.dir / "ledger", cli.dir / "release"
    run = (
        f"echo start-{{{{ host.name }}}} >> {led}; echo before-the-kill-{{{{ host.name }}}}\n"
        f"while [ ! -e {release} ]; do sleep 0.05; done\n"
        f"echo after-the-kill-{{{{ host.name }}}}; echo end-{{{{ host.name }}}} >> {led}\n"
    )
    step = {"id": "roll", "title": "Roll out", "on": "g", "run": run, "undo": f"echo undo-{{{{ host.name }}}} >> {led}", **more}
    after = {"id": "after", "title": "After", "run": f"echo after >> {led}"}
    return cli.runbook("kill9-reattach", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step, after]}], hosts=2)


def test_a_rerun_after_a_kill_follows_the_runs_left_on_the_hosts_instead_of_starting_them_again(cli: Cli) -> None:
    rb, journal = roll_step(cli), cli.dir / "j.jsonl"
    killed_mid_step(cli, rb, journal, Counter(["start-peer01", "start-peer02"]))
    looked = cli.run("resume", str(journal), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert "A re-run follows the run left on peer01, peer02 (its output from the start, then how it ended) instead of starting it again" in looked.stdout
    assert "could run it twice" not in looked.stdout, looked.stdout

    rerun = cli.start("resume", str(journal), "--rerun", "--continue")[0]
    wait_until(lambda: of_type(events(journal), "step_started", step="roll", attempt=2), lambda: f"the re-run started: {cli.stderr()}", alive=rerun)
    (cli.dir / "release").touch()  # the first runs, still waiting on the hosts, go on to their end now
    assert rerun.wait(60) == 0, cli.stderr()

    assert ledger(cli) == Counter(["start-peer01", "start-peer02", "end-peer01", "end-peer02", "after"]), ledger(cli)
    written = events(journal)
    [again] = of_type(written, "step_started", step="roll", attempt=2)
    after = written[written.index(again) :]
    # The program's word on each host, not an error: the report listed it among the errors, `(transient)`.
    found = {e["text"].split(":")[0]: e["text"] for e in of_type(after, "note", step="roll", actor="system") if "request" not in e}
    assert set(found) == {"peer01", "peer02"} and all(m.endswith("followed from its first byte to its end, not started again") for m in found.values()), found
    assert not of_type(after, "error", step="roll"), of_type(after, "error")
    said = cli.run("report", str(journal), "--format", "json")
    report = json.loads(said.stdout)
    assert report["errors"] == [] and sum("not started again" in n["text"] for n in report["notes"]) == 3, said.stdout
    for host in ("peer01", "peer02"):
        text = "".join(e["text"] for e in of_type(after, "output", step="roll", host=host))
        assert text == f"before-the-kill-{host}\nafter-the-kill-{host}\n", text  # from its first byte, once
    [finished] = of_type(written, "step_finished", step="roll")
    assert finished["status"] == "done" and {h: r["exit_code"] for h, r in finished["hosts"].items()} == {"peer01": 0, "peer02": 0}
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "done"
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_the_run_followed_is_the_retry_that_was_running(cli: Cli) -> None:
    """retries: 1, the first try fails at once on peer01 (exit 3), the retry is running at the kill: the re-run follows
    the retry's run (`.1`), not the failed first try's (whose files were removed when its result came back)."""
    led, release = cli.dir / "ledger", cli.dir / "release"
    run = (
        f"echo try-{{{{ host.name }}}} >> {led}\n"
        f"if [ {{{{ host.name }}}} = peer01 ] && [ ! -e {cli.dir}/failed-once ]; then touch {cli.dir}/failed-once; exit 3; fi\n"
        f"while [ ! -e {release} ]; do sleep 0.05; done; echo done-{{{{ host.name }}}} >> {led}\n"
    )
    step = {"id": "roll", "title": "Roll out", "on": "g", "run": run, "retries": 1, "retry_delay": "0.1s"}
    rb = cli.runbook("kill9-reattach-retry", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step]}], hosts=2)
    journal = cli.dir / "j.jsonl"
    killed_mid_step(cli, rb, journal, Counter({"try-peer01": 2, "try-peer02": 1}))
    rerun = cli.start("resume", str(journal), "--rerun", "--continue")[0]
    wait_until(lambda: of_type(events(journal), "step_started", step="roll", attempt=2), lambda: f"the re-run started: {cli.stderr()}", alive=rerun)
    release.touch()
    assert rerun.wait(60) == 0, cli.stderr()
    assert ledger(cli) == Counter({"try-peer01": 2, "try-peer02": 1, "done-peer01": 1, "done-peer02": 1}), ledger(cli)
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_a_rerun_killed_before_its_follow_note_leaves_the_next_one_following_the_first_run(cli: Cli) -> None:
    """The re-run dies after its `step_started` (attempt 2), before the note that says it follows the first run (the
    journal cut there, as a kill -9 between the two lines leaves it): nothing of attempt 2 started on the hosts, so the
    next re-run must follow attempt 1's runs, still going there, not start the command beside them."""
    rb, journal = roll_step(cli), cli.dir / "j.jsonl"
    killed_mid_step(cli, rb, journal, Counter(["start-peer01", "start-peer02"]))
    rerun = cli.start("resume", str(journal), "--rerun")[0]
    wait_until(lambda: of_type(events(journal), "note", request="follow"), lambda: f"the follow note: {cli.stderr()}", alive=rerun)
    os.kill(rerun.pid, signal.SIGKILL)
    rerun.wait(10)
    lines = journal.read_bytes().splitlines(keepends=True)
    cut = next(i for i, e in enumerate(events(journal)) if e["type"] == "step_started" and e.get("attempt") == 2)
    journal.write_bytes(b"".join(lines[: cut + 1]))

    looked = cli.run("resume", str(journal), "--headless")
    assert "A re-run follows the run left on peer01, peer02" in looked.stdout, looked.stdout
    again = cli.start("resume", str(journal), "--rerun", "--continue")[0]
    wait_until(lambda: of_type(events(journal), "note", request="follow"), lambda: f"the follow: {cli.stderr()}", alive=again)
    (cli.dir / "release").touch()
    assert again.wait(60) == 0, cli.stderr()
    assert ledger(cli) == Counter(["start-peer01", "start-peer02", "end-peer01", "end-peer02", "after"]), ledger(cli)
    [note] = of_type(events(journal), "note", request="follow")
    assert note["follows"] == {"peer01": [1, ""], "peer02": [1, ""]}, note
    assert cli.run("journal", "verify", str(journal)).returncode == 0
