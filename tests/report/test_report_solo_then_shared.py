"""A run started solo and shared later (`resume --share`, or the mode changed in the TUI): the reason the first steps
went without a second person is the record's too, as it is for a run shared first and solo at the end."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.controller import Actor
from runbook_tui.report import build_report, render
from tests.engine.rules_helpers import until

BOB = Actor("bob", "verifier")


def test_the_verifier_row_keeps_the_reason_the_run_began_solo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `Verifier: bob (1 step)`, and the banner `1 step(s) UNVERIFIED: a` with no word anywhere but the Timeline
    of why: the solo reason ("bob is late") was gone from the Summary once the run was shared."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    steps = [{"id": s, "title": s.upper(), "run": f"echo {s}", "undo": f"echo undo-{s}"} for s in ("a", "b")]
    ticket = {"id": "CHG-8", "subject": "s", "assignee": "alice", "verifier": "bob"}
    doc = {"runbook": 1, "id": "solo-then-shared", "title": "S", "ticket": ticket, "sections": [{"id": "impl", "steps": steps}]}
    Path("rb.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    journal = tmp_path / "j.jsonl"

    async def the_run() -> None:
        session = open_session(load("rb.yaml", {}), solo="bob is late", journal=str(journal), verifier_in_process=True)
        controller, alice = session.controller, session.actor
        try:
            assert controller.run_current(alice).ok
            await until(lambda: controller.state.steps["a"].status == "done" and not controller.busy, "a to end", 20)
            controller.change_mode(alice, solo=None, shared=True)
            controller.join("bob", "verifier")
            assert controller.run_current(alice).ok
            await until(lambda: controller.state.steps["b"].status == "awaiting_verification", "b to wait for bob", 20)
            assert controller.confirm(BOB).ok
            await until(lambda: controller.state.finished, "the run to finish", 20)
        finally:
            await session.close()

    asyncio.run(the_run())
    report = build_report(journal)
    said = "bob (1 step); solo for part of the run (bob is late)"
    assert f"| **Verifier** | {said} |" in render(report, "md")
    assert f"<th>Verifier</th><td>{said}</td>" in render(report, "html")
