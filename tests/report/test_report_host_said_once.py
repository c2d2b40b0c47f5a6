"""A host's problem is said once in the report, as on the run screen: its problem line, then its status alone.

A step that timed out on its one host read, under its attempt, `problem: local: timed out after 1s` and then a
table `| local | TIMED OUT | timed out |`: the same fact twice, where the run screen's detail pane says the problem
line and no host table (several hosts: the row says the status, not the error again). The step's own status stays
`FAILED` in the counts, as the run screen's step header (`✗ FAILED`) and exec's `slow FAILED` say it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.history_model import Attempt, HostResult
from runbook_tui.report import build_report, render
from runbook_tui.report.host_rows import host_rows

RUNBOOK = """\
runbook: 1
id: said-once
title: Said once
sections:
  - id: impl
    kind: implement
    steps:
      - {id: slow, title: Slow, run: "sleep 30", timeout: 1s, verify: none}
"""


@pytest.fixture()
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.setenv("SHELL", "/bin/sh")
    monkeypatch.chdir(tmp_path)
    Path("rb.yaml").write_text(RUNBOOK, encoding="utf-8")
    path = tmp_path / "j.jsonl"

    async def the_run() -> None:
        session = open_session(load("rb.yaml", {}), solo="walk", journal=str(path))
        assert session.controller.run_current(session.actor).ok
        await session.controller.wait_idle()
        assert session.controller.state.steps["slow"].status == "failed"
        await session.close()

    asyncio.run(the_run())
    return path


def test_a_timed_out_host_is_said_once_under_its_attempt(journal: Path) -> None:
    report = build_report(str(journal))
    md = render(report, "md")
    attempt = md[md.index("- attempt 1:") : md.index("## Errors")]
    assert "- problem: local: timed out after 1s" in attempt, attempt
    assert "TIMED OUT" not in attempt and "| local |" not in attempt, attempt  # the problem line said it: no row again
    [counts] = [line for line in md.splitlines() if line.startswith("| **Steps** |")]
    assert "1 FAILED" in counts, counts  # the step's status, as the run screen's header and exec say it
    page = render(report, "html")
    assert "local: timed out after 1s" in page and "TIMED OUT" not in page, page
    host = json.loads(render(report, "json"))["steps"][0]["attempts"][0]["hosts"][0]
    assert host["status"] == "timed_out" and host["error"] == "timed out", host  # the data keeps every field


def test_on_several_hosts_the_row_of_a_host_a_problem_line_names_says_its_status_alone() -> None:
    """web2's problem line says its timeout; its row keeps the status (and the exit code, when there is one), not
    `timed out` again; web1's error no line above says stays in its row; a host that is done reads as before."""
    hosts = [
        HostResult("web1", "failed", None, "connection refused"),
        HostResult("web2", "timed_out", None, "timed out"),
        HostResult("web3", "failed", 3, None),
        HostResult("web4", "done", 0, None),
    ]
    problems = ["web2: timed out after 3s", "web3: exit 3"]
    attempt = Attempt(1, "2026-12-06T01:00:00Z", "alice", None, None, "failed", False, hosts=hosts, problems=problems)
    assert host_rows(attempt, fanned_out=True) == [
        ("web1", "FAILED", "connection refused"),
        ("web2", "TIMED OUT", "—"),
        ("web3", "FAILED", "exit 3"),
        ("web4", "done", "exit 0"),
    ]
