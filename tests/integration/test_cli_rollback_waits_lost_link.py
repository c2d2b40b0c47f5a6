"""A rollback of a step whose host's link was lost for good while its command ran: it waits for that run to end first.

The command runs detached on the host, so it goes on while nobody follows it (`lost connection … may still be
running there`). Before, `resume --rollback` (as `exec --on-failure rollback` and `u` → `y`) ran the step's undo there
at once, while the command it undoes might still be running: the undo and the change raced. Now the rollback first
follows the run the lost link left there (by its key) to its end, and only then runs the undo.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from integration_cli import REMOTE_RUNS, Cli, events, of_type
from waiting import wait_until

from runbook_tui.engine.reattach import UNDO_HELD
from runbook_tui.execute.ssh_scripts import run_dir_name

pytestmark = pytest.mark.peers


@pytest.fixture(autouse=True)
def released(cli: Cli) -> Iterator[None]:
    """The detached command waits for `release`: made at the end whatever happened, so none is left waiting."""
    yield
    (cli.dir / "release").touch()
    if not cli.sshd.running:
        cli.sshd.start()


def lost_mid_step(cli: Cli, *more: str, back: bool = True) -> tuple[Path, Path]:
    """exec of `roll` on one host (its command waits for `release`), sshd stopped once it began (the run fails with the
    link lost, the command running on there), then sshd started again unless not `back`; `more`: exec's further
    arguments; (the ledger, the journal)."""
    led, release = cli.dir / "ledger", cli.dir / "release"
    settings = yaml.safe_load(cli.settings.read_text())
    settings["ssh"]["reconnect_attempts"] = 1
    cli.settings.write_text(yaml.safe_dump(settings))
    run = f"echo start >> {led}; echo before\nwhile [ ! -e {release} ]; do sleep 0.05; done\necho after; echo end >> {led}\n"
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": run, "undo": f"echo undo >> {led}"}
    sections = [
        {"id": "pre", "title": "Before", "kind": "precheck", "steps": [{"id": "cp", "title": "Checkpoint", "run": "true", "checkpoint": True}]},
        {"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll]},
    ]
    rb, journal = cli.runbook("rollback-waits-lost-link", sections, hosts=1), cli.dir / "j.jsonl"
    proc, _lines = cli.start("exec", str(rb), "--solo", "sshd goes mid-step", "--journal", str(journal), *more)
    wait_until(lambda: led.exists() and "start" in led.read_text(), lambda: f"the command started; {cli.stderr()}", alive=proc)
    cli.sshd.stop()  # every sshd process: the link drops; the detached command lives on, waiting for `release`
    assert proc.wait(90) == 1, cli.stderr()
    if back:
        cli.sshd.start()
    return led, journal


def followed(journal: Path, rollback: int = 0) -> bool:
    """Whether the `rollback`th rollback of the journal has journaled output of the run left on peer01."""
    written = events(journal)
    began = of_type(written, "rollback_started")
    after = written[written.index(began[rollback]) :] if len(began) > rollback else []
    return "before\n" in "".join(e["text"] for e in of_type(after, "output", step="roll", host="peer01"))


def test_a_rollback_waits_for_the_run_a_lost_link_left_before_it_runs_the_undo_there(cli: Cli) -> None:
    led, journal = lost_mid_step(cli)
    release = cli.dir / "release"
    back, lines = cli.start("resume", str(journal), "--rollback")
    wait_until(
        lambda: followed(journal), lambda: f"the rollback never followed the run left on peer01: {led.read_text()!r}; {cli.stderr()}", alive=back, timeout=90
    )
    assert led.read_text().split() == ["start"], led.read_text()  # the undo waits while the command still runs
    release.touch()
    assert back.wait(90) == 1, lines.text() + cli.stderr()  # rolled back: exit 1, as `run`
    assert led.read_text().split() == ["start", "end", "undo"], led.read_text()  # the undo after the change's end
    said = lines.text()
    assert "waits for the run left on peer01 to end first" in said, said  # the undo list says so before it runs
    written = events(journal)
    [started] = of_type(written, "rollback_started")
    [entry] = [e for e in started["plan"]["entries"] if e["step_id"] == "roll"]
    assert "waits for the run left on peer01 to end first" in entry["note"], entry
    after = written[written.index(started) :]
    [waits] = [n for n in of_type(after, "note", step="roll") if "waits for the run left on peer01 to end first" in n["text"]]
    [ended] = [n for n in of_type(after, "note", step="roll") if "the run left there ended (exit 0)" in n["text"]]
    text = "".join(e["text"] for e in of_type(after, "output", step="roll", phase="run"))
    assert text == "before\nafter\n", text  # the run left there, from its first byte, once
    [finished] = of_type(after, "undo_finished", step="roll")
    assert after.index(waits) < after.index(ended) < after.index(finished), [e["type"] for e in after]
    assert finished["ok"] is True, finished
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_where_the_run_left_there_is_gone_the_rollback_says_so_and_runs_the_undo(cli: Cli) -> None:
    led, journal = lost_mid_step(cli)
    (cli.dir / "release").touch()
    wait_until(lambda: "end" in led.read_text(), lambda: f"the command ran on to its end: {led.read_text()!r}")
    session = of_type(events(journal), "session_started")[0]["session"]
    files = list(REMOTE_RUNS.glob(f"{run_dir_name(f'{session}/roll/peer01/run1')}.*"))
    assert files, sorted(REMOTE_RUNS.iterdir())
    for file in files:  # someone cleaned the host: no run of that key is there to follow
        file.unlink()
    back, lines = cli.start("resume", str(journal), "--rollback")
    assert back.wait(90) == 1, lines.text() + cli.stderr()
    assert led.read_text().split() == ["start", "end", "undo"], led.read_text()  # not started again; the undo ran
    written = events(journal)
    after = written[written.index(of_type(written, "rollback_started")[0]) :]
    [gone] = [n for n in of_type(after, "note", step="roll") if "the run left there could not be followed" in n["text"]]
    assert "found no run of the command on peer01 to follow" in gone["text"] and "its undo runs now without waiting" in gone["text"], gone
    [finished] = of_type(after, "undo_finished", step="roll")
    assert finished["ok"] is True, finished
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_exec_rolling_back_while_the_link_is_still_down_runs_no_undo_there_and_the_next_rollback_follows_first(cli: Cli) -> None:
    """`exec --on-failure rollback` rolls back at once, the host still down: it cannot follow the run left there, so
    it runs no undo there and stops, saying why; `resume --rollback` then follows that run before the undo. Before,
    the undo was tried at once ("its undo runs now without waiting"; with the link back it ran beside the change),
    failed to connect, and that failure replaced the host's `may still be running`: resume --rollback ran the undo
    at once, while the change still ran."""
    led, journal = lost_mid_step(cli, "--on-failure", "rollback", back=False)
    release = cli.dir / "release"
    written = events(journal)
    [finished] = of_type(written, "undo_finished", step="roll")
    assert finished["ok"] is False and finished["hosts"]["peer01"]["error"].startswith(UNDO_HELD), finished
    assert "`resume --rollback` follows that run to its end once peer01 answers again" in finished["hosts"]["peer01"]["error"], finished
    assert [n["text"] for n in of_type(written, "note", step="roll") if "could not be followed to its end (cannot connect to peer01" in n["text"]], written
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "failed", written[-1]
    cli.sshd.start()
    back, lines = cli.start("resume", str(journal), "--rollback")
    wait_until(lambda: followed(journal, 1) or "undo" in led.read_text().split(), lambda: f"nothing followed: {cli.stderr()}", alive=back, timeout=90)
    assert led.read_text().split() == ["start"], led.read_text()  # the undo waits while the command still runs
    release.touch()
    assert back.wait(90) == 1, lines.text() + cli.stderr()  # rolled back: exit 1, as `run`
    assert led.read_text().split() == ["start", "end", "undo"], led.read_text()  # the undo once, after the change's end
    assert "the undo waits for the run left on peer01 to end first" in lines.text(), lines.text()
    written = events(journal)
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "rolled_back", written[-1]
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_a_rollback_stopped_while_it_followed_the_run_left_there_is_resumed_by_one_that_follows_it_again_first(cli: Cli) -> None:
    """SIGTERM to `resume --rollback` while it follows the run the lost link left (no undo begun there), then
    `resume --rollback` again. Before, the second took the host for one where the dead rollback's undo was running
    (`its undo was running when the program stopped …`): it started the undo at once, beside the change still running."""
    led, journal = lost_mid_step(cli)
    first, _lines = cli.start("resume", str(journal), "--rollback")
    wait_until(lambda: followed(journal), lambda: f"the rollback never followed the run left on peer01: {cli.stderr()}", alive=first, timeout=90)
    first.send_signal(signal.SIGTERM)
    assert first.wait(30) == 1, cli.stderr()
    look = cli.run("resume", str(journal), "--headless").stdout
    assert "--rollback first follows the run the lost link left on peer01 to its end" in look, look
    assert "--rollback follows the undo of 'roll' left running" not in look, look  # no undo had begun there
    back, lines = cli.start("resume", str(journal), "--rollback")
    wait_until(lambda: followed(journal, 1) or "undo" in led.read_text().split(), lambda: f"nothing followed: {cli.stderr()}", alive=back, timeout=90)
    assert led.read_text().split() == ["start"], led.read_text()  # the undo waits while the command still runs
    (cli.dir / "release").touch()
    assert back.wait(90) == 1, lines.text() + cli.stderr()
    assert led.read_text().split() == ["start", "end", "undo"], led.read_text()  # the undo once, after the change's end
    [_, started] = of_type(events(journal), "rollback_started")
    [entry] = [e for e in started["plan"]["entries"] if e["step_id"] == "roll"]
    assert entry["note"].endswith("the undo waits for the run left on peer01 to end first"), entry  # not "its undo was running"
    assert cli.run("journal", "verify", str(journal)).returncode == 0
