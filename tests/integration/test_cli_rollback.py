"""Rollbacks over 3 host aliases run exactly the undo list they announced, in its order, on each host."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any

import pytest
from integration_cli import Cli, events, of_type, peer_names

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers

HOSTS = peer_names(3)


def logged(step_id: str) -> str:
    """An undo that appends `STEP HOST` to the shared log (O_APPEND: concurrent hosts do not tear lines)."""
    return f"echo {step_id} {{{{ host.name }}}} >> {{{{ log }}}}"


def step(step_id: str, run: str = "true", **more: Any) -> dict[str, Any]:
    return {"id": step_id, "title": f"Step {step_id}", "on": "g", "run": run, "undo": logged(step_id), **more}


def rollback_runbook(cli: Cli) -> Path:
    sections = [
        {"id": "pre", "title": "Pre-checks", "kind": "precheck", "steps": [{"id": "look", "title": "Look", "on": "g", "run": "true"}]},
        {"id": "backup", "title": "Backup", "kind": "backup", "steps": [step("b1", checkpoint=True)]},
        {"id": "impl", "title": "Implement", "kind": "implement", "steps": [
            step("i1"),
            step("i2"),
            # fails on peer02 only when asked to: a real failure for `exec --on-failure rollback`
            step("i3", run="test {{ host.name }} != {{ fail_on }}"),
            step("i4"),
        ]},
        {"id": "after", "title": "After a full rollback", "kind": "rollback", "steps": [
            {"id": "r1", "title": "Check after the rollback", "on": "g", "run": "echo r1 {{ host.name }} >> {{ log }}"},
        ]},
    ]  # fmt: skip
    params = {"log": {"type": "string"}, "fail_on": {"type": "string", "default": "nobody"}}
    return cli.runbook("rollback", sections, hosts=3, params=params)


def planned(journal: list[dict[str, Any]]) -> list[tuple[str, str]]:
    [started] = of_type(journal, "rollback_started")
    assert all(entry["command"] for entry in started["plan"]["entries"]), "every step here has an undo"
    undos = [(e["step_id"], e["host"]) for e in started["plan"]["entries"]]
    return undos + [(sid, host) for sid in started["plan"]["rollback_steps"] for host in HOSTS]


def check_ran_as_planned(log: Path, plan: list[tuple[str, str]]) -> None:
    ran = [tuple(line.split()) for line in log.read_text().splitlines()]
    # Step by step in the plan's order; the hosts of one step may run concurrently, so compare them as sets.
    assert [(s, sorted(h for _, h in g)) for s, g in groupby(ran, key=lambda e: e[0])] == [
        (s, sorted(h for _, h in g)) for s, g in groupby(plan, key=lambda e: e[0])
    ]
    # And on each host, exactly the plan's sequence.
    for host in HOSTS:
        assert [s for s, h in ran if h == host] == [s for s, h in plan if h == host], host


def test_rollback_to_the_checkpoint_runs_the_planned_undos_in_order(cli: Cli) -> None:
    path = rollback_runbook(cli)
    log = cli.dir / "undo.log"

    result = cli.run("rehearse", "--yes", str(path), "-p", f"log={log}", "--fail-at", "i3", "--journal", "j.jsonl")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "rehearsal: rollback restored state" in result.stdout
    journal = events(cli.dir / "j.jsonl")
    plan = planned(journal)
    [started] = of_type(journal, "rollback_started")
    assert started["scope"] == "checkpoint" and started["plan"]["checkpoint_step"] == "b1"
    assert [s for s, _ in groupby(s for s, _ in plan)] == ["i3", "i2", "i1"], "newest first, back to (not including) b1"
    check_ran_as_planned(log, plan)
    assert of_type(journal, "rollback_finished")[0]["ok"] is True
    assert not verify(cli.dir / "j.jsonl").problems


def test_a_full_rollback_runs_every_undo_then_the_rollback_section(cli: Cli) -> None:
    path = rollback_runbook(cli)
    log = cli.dir / "undo.log"

    result = cli.run(
        "exec", str(path), "-p", f"log={log}", "-p", "fail_on=peer02",
        "--solo", "integration", "--on-failure", "abort", "--journal", "j.jsonl",
    )  # fmt: skip

    assert result.returncode == 1, result.stdout + result.stderr
    journal = events(cli.dir / "j.jsonl")
    [failed] = of_type(journal, "step_finished", step="i3")
    assert {h: r["status"] for h, r in failed["hosts"].items()} == {"peer01": "done", "peer02": "failed", "peer03": "done"}
    plan = planned(journal)
    [started] = of_type(journal, "rollback_started")
    assert started["scope"] == "full"
    assert [s for s, _ in groupby(s for s, _ in plan)] == ["i3", "i2", "i1", "b1", "r1"]
    check_ran_as_planned(log, plan)
    assert of_type(journal, "rollback_finished")[0]["ok"] is True
    assert journal[-1]["type"] == "session_finished" and journal[-1]["outcome"] == "rolled_back"
    assert not verify(cli.dir / "j.jsonl").problems


def test_a_second_rollback_after_a_failed_undo_runs_the_undo_again(cli: Cli) -> None:
    # In-process (the TUI's road: `u` again after fixing what made the undo fail). Each remote run
    # is named after its key; the second rollback must not re-attach to the first one's failed undo.
    import asyncio

    from runbook_tui.app.session import load, open_session
    from runbook_tui.app.settings import Settings
    from runbook_tui.engine.autopilot import drive

    ready = cli.dir / "undo-may-work"
    sections = [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [
        {"id": "a", "title": "Step a", "on": "g", "run": "true", "undo": f"test -e {ready} && echo a {{{{ host.name }}}} >> {{{{ log }}}}"},
        {"id": "b", "title": "Step b", "on": "g", "run": "false", "undo": "true"},
    ]}]  # fmt: skip
    path = cli.runbook("rollback-twice", sections, hosts=2, params={"log": {"type": "string"}})
    log = cli.dir / "undo.log"

    async def main() -> list[bool | None]:
        session = open_session(
            load(str(path), {"log": str(log)}), solo="integration", journal=str(cli.dir / "j.jsonl"),
            settings=Settings(known_hosts=str(cli.sshd.known_hosts)),
        )  # fmt: skip
        oks = []
        try:
            assert await drive(session.controller, session.actor, on_failure="stop", finish=False) == "failed"
            for _ in range(2):
                assert session.controller.rollback(session.actor, "checkpoint", acknowledged=True, finish=False).ok
                await session.controller.wait_idle()
                assert session.controller.state.rollback is not None
                oks.append(session.controller.state.rollback.ok)
                ready.touch()  # the operator fixes what made the undo fail
        finally:
            await session.close()
        return oks

    assert asyncio.run(main()) == [False, True]
    assert sorted(log.read_text().splitlines()) == ["a peer01", "a peer02"]
