"""A run begun in one time zone and resumed in another (a person's TZ, a jump box's, a laptop flown across zones).

faketime is not at hand; the zone is what moves. `exec` runs under TZ=Asia/Tokyo and is killed mid-step, the resume
runs under TZ=America/New_York, the report is written under three zones.
"""

from __future__ import annotations

import re
from pathlib import Path

from fault_helpers import env_for, raw_events, run, write_runbook


def test_a_run_resumed_in_another_time_zone_keeps_its_times_and_its_now(tmp_path: Path) -> None:
    steps = [
        {"id": "one", "title": "One", "run": "echo \"{{ now.strftime('%H:%M %z') }}\" >> ledger; [ -e killed ] || { touch killed; kill -9 $PPID; }"},
        {"id": "two", "title": "Two", "run": "echo two >> ledger"},
    ]
    runbook = write_runbook(tmp_path, "zones", steps)
    journal = tmp_path / "J.jsonl"
    begun = run(tmp_path, "exec", str(runbook), "--solo", "t", "--journal", str(journal), env=env_for(tmp_path, TZ="Asia/Tokyo"))
    assert begun.returncode == -9, begun.stdout + begun.stderr
    resumed = run(tmp_path, "resume", str(journal), "--headless", "--rerun", "--continue", env=env_for(tmp_path, TZ="America/New_York"))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr

    # The step's `{{ now }}` is the one journaled with it, in the zone it was read in: the re-run renders the same text.
    first, again, two = (tmp_path / "ledger").read_text().splitlines()
    assert first == again and first.endswith("+0900") and two == "two", (first, again)
    # Every time printed is the journal's, in UTC, whatever the zone of the process printing it.
    events = raw_events(journal)
    assert all(event["ts"].endswith("Z") for event in events)
    stamps = {event["type"]: event["ts"][11:19] for event in events}
    said = re.findall(r"^(\d\d:\d\d:\d\d) (session_started|session_resumed|session_finished)\b", begun.stdout + resumed.stdout, re.M)
    assert said and all(stamps[kind] == clock for clock, kind in said), (said, stamps)
    reports = {zone: run(tmp_path, "report", str(journal), env=env_for(tmp_path, TZ=zone)) for zone in ("UTC", "Asia/Tokyo", "America/New_York")}
    assert all(report.returncode == 0 for report in reports.values()), reports
    assert len({report.stdout for report in reports.values()}) == 1, "the report changed with the reader's time zone"
    assert "Times are UTC" in reports["UTC"].stdout and "the clock went back" not in reports["UTC"].stdout
