"""A step on many hosts reads at a glance in exec, the run screen's log, replay and the report's timeline.

Walked at 80x24 with a step on 50 hosts: its `started … on web01, web02, …` line and fifty `✗ webNN: stopped by root`
lines filled the log pane (a row or more per host) and hid the command's output. The host table (the step pane, `v`,
the report's attempt table) still names every host; a problem only one host has is still said with its name.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import said

HOSTS = [f"web{n:02d}" for n in range(1, 51)]
AT = {"actor": "alice", "ts": "2026-12-01T12:00:00.000Z", "step": "restart"}


def lines(event: dict[str, Any]) -> list[str]:
    words = said(event)
    assert words is not None
    return words.lines


def test_a_step_started_on_fifty_hosts_is_one_short_line() -> None:
    started = lines({**AT, "type": ev.STEP_STARTED, "attempt": 1, "hosts": HOSTS, "commands": dict.fromkeys(HOSTS, "true")})
    assert started == ["restart started (attempt 1) on 50 hosts (web01, web02, web03 and 47 more)"]
    assert lines({**AT, "type": ev.WAVE_STARTED, "wave": 1, "of": 2, "hosts": HOSTS[:25]}) == ["restart wave 1/2: 25 hosts (web01, web02, web03 and 22 more)"]
    assert lines({**AT, "type": ev.UNDO_STARTED, "hosts": HOSTS[:2]}) == ["undo restart on web01, web02"], "a few hosts: each named, as before"


def test_a_problem_many_hosts_share_is_one_line_and_a_hosts_own_is_kept() -> None:
    results: dict[str, Any] = {h: {"status": "failed", "exit_code": None, "error": "stopped by root"} for h in HOSTS[1:]}
    results[HOSTS[0]] = {"status": "failed", "exit_code": 3}
    problems = [f"{HOSTS[0]}: exit code 3, expected 0", *(f"{h}: stopped by root" for h in HOSTS[1:])]
    said_lines = lines({**AT, "type": ev.STEP_FINISHED, "status": "failed", "hosts": results, "problems": problems})
    assert said_lines[1:] == ["   ✗ web01: exit code 3, expected 0", "   ✗ 49 hosts: stopped by root (web02, web03, web04 and 46 more)"]


def test_hosts_not_run_alike_are_one_line() -> None:
    results: dict[str, Any] = {h: {"status": "skipped", "error": "not run: the failure budget was spent"} for h in HOSTS[5:]}
    results |= {h: {"status": "done", "exit_code": 0} for h in HOSTS[:5]}
    said_lines = lines({**AT, "type": ev.STEP_FINISHED, "status": "failed", "hosts": results, "problems": []})
    assert said_lines[1:] == ["   ↷ 45 hosts: not run: the failure budget was spent (web06, web07, web08 and 42 more)"]
