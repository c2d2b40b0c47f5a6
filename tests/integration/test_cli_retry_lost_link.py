"""A host's link lost for good mid-step under `retries:`, the link back before the retry (during its delay).

The command runs detached on the host, so it goes on while nobody follows it: the try ends `lost connection … the
command may still be running there … check whether it still runs before re-running the step`. Before, the program's
own retry then started the command a second time beside the first (the first one's end never learned, its files left
on the host) and the step read `done` from the second alone. Now the retry asks for the lost try's run (its key) and
follows it from its first byte to its end; where that run is gone, the command starts again (engine/reattach.py).
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from subprocess import Popen

import pytest
import yaml
from integration_cli import Cli, events, ledger, of_type
from waiting import wait_until

from runbook_tui.engine.reattach import FOUND_RUN, RETRY_FOLLOWS

pytestmark = pytest.mark.peers


@pytest.fixture(autouse=True)
def released(cli: Cli) -> Iterator[None]:
    """The detached command waits for `release`: made at the end whatever happened, so none is left waiting."""
    yield
    (cli.dir / "release").touch()
    if not cli.sshd.running:
        cli.sshd.start()


def lost_then_back(cli: Cli) -> tuple[Popen[str], Path]:
    """exec of `roll` (retries: 1) on one host; sshd stopped once the command began, started again once the lost try's
    retry note is journaled (its delay still running)."""
    led, release = cli.dir / "ledger", cli.dir / "release"
    settings = yaml.safe_load(cli.settings.read_text())
    settings["ssh"]["reconnect_attempts"] = 1
    cli.settings.write_text(yaml.safe_dump(settings))
    run = f"echo start >> {led}; echo before\nwhile [ ! -e {release} ]; do sleep 0.05; done\necho after; echo end >> {led}\n"
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": run, "retries": 1, "retry_delay": "3s"}
    sections = [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll, {"id": "next", "title": "Next", "run": f"echo next >> {led}"}]}]
    rb, journal = cli.runbook("retry-lost-link", sections, hosts=1), cli.dir / "j.jsonl"
    proc, _lines = cli.start("exec", str(rb), "--solo", "sshd goes mid-step", "--journal", str(journal))
    wait_until(lambda: ledger(cli)["start"] == 1, lambda: f"the command started: {ledger(cli)}; {cli.stderr()}", alive=proc)
    cli.sshd.stop()  # every sshd process: the link drops; the detached command lives on
    retried = lambda: [n for n in of_type(events(journal), "note", step="roll") if "retry 1/1 in 3s" in n["text"]]  # noqa: E731
    wait_until(retried, lambda: f"no retry note: {cli.stderr()}", alive=proc, timeout=90)
    [note] = retried()
    assert "may still be running" in note["text"] and note["text"].endswith(f"{RETRY_FOLLOWS}; retry 1/1 in 3s"), note
    cli.sshd.start()
    return proc, journal


def following(journal: Path) -> bool:
    """The retry gives the output of the run left there from its first byte (it waits for `release` then)."""
    written = events(journal)
    retry = of_type(written, "note", step="roll")[0]
    return "before\n" in "".join(e["text"] for e in of_type(written[written.index(retry) :], "output", step="roll"))


def test_a_retry_after_a_lost_link_follows_the_run_left_there_instead_of_starting_it_again(cli: Cli) -> None:
    proc, journal = lost_then_back(cli)
    wait_until(lambda: following(journal), lambda: f"the retry never followed the run left there: {ledger(cli)}; {cli.stderr()}", alive=proc, timeout=90)
    (cli.dir / "release").touch()
    assert proc.wait(90) == 0, cli.stderr()
    assert ledger(cli) == Counter(["start", "end", "next"]), ledger(cli)  # the command ran once
    written = events(journal)
    assert of_type(written, "note", step="roll", text=f"peer01: {FOUND_RUN}"), of_type(written, "note")
    retry = of_type(written, "note", step="roll")[0]
    text = "".join(e["text"] for e in of_type(written[written.index(retry) :], "output", step="roll"))
    assert text == "before\nafter\n", text  # the run left there, from its first byte, once
    [finished] = of_type(written, "step_finished", step="roll")
    assert finished["status"] == "done" and finished["hosts"]["peer01"]["exit_code"] == 0, finished
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_a_kill_while_the_retry_follows_leaves_resume_following_the_first_run(cli: Cli) -> None:
    proc, journal = lost_then_back(cli)
    wait_until(lambda: following(journal), lambda: f"the retry never followed the run left there: {ledger(cli)}; {cli.stderr()}", alive=proc, timeout=90)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    looked = cli.run("resume", str(journal), "--headless")
    assert "A re-run follows the run left on peer01" in looked.stdout, looked.stdout + looked.stderr
    (cli.dir / "release").touch()  # the run ends while nobody follows it: its result is never collected
    wait_until(lambda: ledger(cli)["end"] == 1, lambda: f"the first run never ended: {ledger(cli)}")
    rerun = cli.run("resume", str(journal), "--rerun", "--continue", timeout=90)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert ledger(cli) == Counter(["start", "end", "next"]), ledger(cli)  # before: the re-run asked for the retry's key: started again
    written = events(journal)
    [note] = of_type(written, "note", step="roll", request="follow")
    assert note["follows"] == {"peer01": [1, ""]}, note
    [again] = of_type(written, "step_started", step="roll", attempt=2)
    text = "".join(e["text"] for e in of_type(written[written.index(again) :], "output", step="roll"))
    assert text == "before\nafter\n", text
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "done", written[-1]
    assert cli.run("journal", "verify", str(journal)).returncode == 0
