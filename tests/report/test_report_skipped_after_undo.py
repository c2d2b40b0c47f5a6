"""A step skipped after it ran: its row says so, and what of it stands; never that it is undone on some hosts only.

Found in walks at the TUI. `slow` failed, `u` rolled back to `cp` (its undo ended ok on local, its one host), the
assignee re-ran `one` and skipped `slow`: the report's row read `skipped; undone on local only`, words for a step
whose undo failed on its other hosts (the JSON's `undone_hosts`: "the undo ended ok on some hosts and failed on
others"). And a step stopped with `k` (or failed) and then skipped read `skipped` alone, the Summary `1 skipped`, as
if it had never run, though what its command did before it stopped stands.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.controller import Controller
from runbook_tui.report import build_report, render

RUNBOOK = """\
runbook: 1
id: skip-after-run
title: Skip after run
sections:
  - id: b
    kind: backup
    steps:
      - {id: cp, title: Checkpoint, run: "echo cp", checkpoint: true, verify: none}
  - id: impl
    kind: implement
    steps:
      - {id: one, title: One, run: "echo one", undo: "echo undo-one", verify: none}
      - {id: slow, title: Slow, run: "echo slow; exit 3", undo: "echo undo-slow", verify: none}
      - {id: never, title: Never, run: "echo never", verify: none}
      - {id: last, title: Last, run: "echo last", verify: none}
"""


@pytest.fixture()
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    Path("rb.yaml").write_text(RUNBOOK, encoding="utf-8")
    return tmp_path / "j.jsonl"


def run_then_skip(journal: Path, *, roll_back: bool) -> tuple[str, dict[str, dict[str, object]]]:
    """cp, one, slow (fails); with `roll_back`: `u` to cp and one again; then slow and never skipped, last run.
    The markdown report and the JSON's steps by id."""

    async def the_run() -> None:
        session = open_session(load("rb.yaml", {}), solo="walk", journal=str(journal))
        c, alice = session.controller, session.actor

        async def run(c: Controller) -> None:
            assert c.run_current(alice).ok
            await c.wait_idle()

        for _ in ("cp", "one", "slow"):
            await run(c)
        assert c.state.steps["slow"].status == "failed"
        if roll_back:
            assert c.rollback(alice, "checkpoint", acknowledged=True, reason="slow failed").ok
            await c.wait_idle()
            assert c.state.steps["slow"].status == "undone" and c.state.current == "one"
            await run(c)
        assert c.skip(alice, "slow is known to fail").ok
        assert c.skip(alice, "not tonight").ok
        await run(c)
        c.finish(alice, "done")
        await session.close()

    asyncio.run(the_run())
    report = build_report(str(journal))
    data = json.loads(render(report, "json"))
    return render(report, "md"), {s["id"]: s for s in data["steps"]}


def outcome_of(md: str, row: str) -> str:
    return next(line for line in md.splitlines() if line.startswith(row)).split(" | ")[4]


def test_a_step_undone_then_skipped_reads_undone_not_undone_on_some_hosts_only(place: Path) -> None:
    md, steps = run_then_skip(place, roll_back=True)
    assert outcome_of(md, "| 3 | slow: Slow |") == "skipped after it ran and was undone", md
    assert outcome_of(md, "| 4 | never: Never |") == "skipped", md  # it never began: nothing more to say
    [summary] = [line for line in md.splitlines() if line.startswith("| **Steps** |")]
    assert "not on every host" not in summary and "only" not in summary, summary
    assert steps["slow"]["outcome"] == "skipped" and "undone_hosts" not in steps["slow"], steps["slow"]
    assert steps["slow"]["ran_before_skip"] == {"local": "undone"} and "ran_before_skip" not in steps["never"]


def test_a_step_that_failed_then_was_skipped_says_what_it_left_standing(place: Path) -> None:
    md, steps = run_then_skip(place, roll_back=False)
    assert outcome_of(md, "| 3 | slow: Slow |") == "skipped after it ran; not undone on local", md
    assert steps["slow"]["outcome"] == "skipped" and steps["slow"]["ran_before_skip"] == {"local": "stands"}, steps["slow"]
