"""The record of a re-run after `kill -9`: the step's own history says the re-run followed the runs the dead process
left on the hosts, where it happened, before the attempt it began.

Before: the program's note (`re-run on peer01, peer02: the run the stopped process left there is followed …`) was in
the report's Notes table only; the step's section read `attempt 2 … by tester: done` as if the command had simply been
run again.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from integration_cli import Cli, events, of_type
from test_cli_kill9_reattach import killed_mid_step, released, roll_step
from waiting import wait_until

from runbook_tui.report import build_report, render

pytestmark = pytest.mark.peers
__all__ = ["released"]  # its autouse fixture releases the waiting commands here too

FOLLOWED = "re-run on peer01, peer02: the run the stopped process left there is followed if it is still there"


def test_the_steps_history_says_the_rerun_followed_the_runs_left_before_its_attempt(cli: Cli) -> None:
    rb, journal = roll_step(cli), cli.dir / "j.jsonl"
    killed_mid_step(cli, rb, journal, Counter(["start-peer01", "start-peer02"]))
    rerun = cli.start("resume", str(journal), "--rerun", "--continue")[0]
    wait_until(lambda: of_type(events(journal), "step_started", step="roll", attempt=2), lambda: f"the re-run started: {cli.stderr()}", alive=rerun)
    (cli.dir / "release").touch()
    assert rerun.wait(60) == 0, cli.stderr()

    report = build_report(journal)
    markdown = render(report, "md")
    section = markdown.split("### 1. roll: Roll out")[1].split("### 2.")[0]
    followed = section.index(f"- {FOLLOWED}")
    assert section.index("- attempt 1:") < followed < section.index("- attempt 2:"), section
    [step] = [s for s in json.loads(render(report, "json"))["steps"] if s["id"] == "roll"]
    assert [h["kind"] for h in step["history"]] == ["attempt", "follow", "attempt"], step["history"]
    assert FOLLOWED in render(report, "html")
