"""The undo list of a step whose host's link was lost for good while its command ran (the program lived on).

Before, the host read `step outcome unknown: the program stopped while it ran` in the plan `resume --rollback` prints
and journals (and in `u`'s list): the program never stopped, and nothing said the command might still be running
there while its undo ran. Now it says the link was lost and the command may still be running there, and that the
undo waits for that run to end first (test_cli_rollback_waits_lost_link.py: here it has ended already).
"""

from __future__ import annotations

import pytest
import yaml
from integration_cli import Cli, events, ledger, of_type
from waiting import wait_until

from runbook_tui.engine.reattach import waits_words
from runbook_tui.engine.undo_notes import HOST_LOST

pytestmark = pytest.mark.peers


def test_the_undo_list_says_the_link_was_lost_not_that_the_program_stopped(cli: Cli) -> None:
    led = cli.dir / "ledger"
    settings = yaml.safe_load(cli.settings.read_text())
    settings["ssh"]["reconnect_attempts"] = 1
    cli.settings.write_text(yaml.safe_dump(settings))
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": f"echo start >> {led}; sleep 2; echo end >> {led}", "undo": f"echo undo >> {led}"}
    sections = [
        {"id": "pre", "title": "Before", "kind": "precheck", "steps": [{"id": "cp", "title": "Checkpoint", "run": "true", "checkpoint": True}]},
        {"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll]},
    ]
    rb, journal = cli.runbook("lost-link-undo", sections, hosts=1), cli.dir / "j.jsonl"
    proc, _lines = cli.start("exec", str(rb), "--solo", "sshd goes mid-step", "--journal", str(journal))
    try:
        wait_until(lambda: ledger(cli)["start"] == 1, lambda: f"the command started: {ledger(cli)}; {cli.stderr()}", alive=proc)
        cli.sshd.stop()  # every sshd process: the link drops; the detached command lives on
        assert proc.wait(90) == 1, cli.stderr()
    finally:
        cli.sshd.start()
    [finished] = of_type(events(journal), "step_finished", step="roll")
    assert finished["hosts"]["peer01"]["status"] == "unknown" and "may still be running" in finished["hosts"]["peer01"]["error"], finished
    wait_until(lambda: ledger(cli)["end"] == 1, lambda: f"the command ran on to its end: {ledger(cli)}")
    back = cli.run("resume", str(journal), "--rollback", timeout=90)
    words = HOST_LOST.replace("check first", waits_words("peer01"))
    assert f"undo roll ({words}) on peer01:" in back.stdout, back.stdout
    assert "the program stopped while it ran" not in back.stdout, back.stdout
    [started] = of_type(events(journal), "rollback_started")
    [entry] = [e for e in started["plan"]["entries"] if e["step_id"] == "roll"]
    assert entry["note"] == words, entry
    assert ledger(cli)["undo"] == 1 and cli.run("journal", "verify", str(journal)).returncode == 0
