"""The Steps table's "Confirmed by" names the verifier who gave a `verify: before` step its go-ahead.

Before, such a step read `not required` there (the JSON's go_ahead_by had bob): the table a change board reads said no
one verified a step bob had let start; a `verify: none` step still reads `not required`.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
import yaml

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.controller import Actor
from runbook_tui.report import build_report, render
from tests.engine.rules_helpers import until
from tests.report.test_report import journal

BOB = Actor("bob", "verifier")


def test_a_go_ahead_is_named_in_the_confirmed_by_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    steps = [
        {"id": "drop", "title": "Drop the cache", "run": "echo dropped", "verify": "before"},
        {"id": "look", "title": "Look", "run": "echo looked", "verify": "none"},
    ]
    doc = {"runbook": 1, "id": "go-ahead", "title": "Go-ahead", "sections": [{"id": "impl", "steps": steps}]}
    Path("rb.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    journal = tmp_path / "j.jsonl"

    async def the_run() -> None:
        session = open_session(load("rb.yaml", {}), mode="dry-run", journal=str(journal), verifier_in_process=True)
        controller, alice = session.controller, session.actor
        try:
            controller.join("bob", "verifier")
            assert controller.run_current(alice).ok
            await until(lambda: controller.state.steps["drop"].go_ahead_asked, "drop to wait for bob's go-ahead", 20)
            assert controller.confirm(BOB).ok
            await until(lambda: controller.state.steps["drop"].has_go_ahead, "the go-ahead", 20)
            assert controller.run_current(alice).ok
            await until(lambda: controller.state.steps["drop"].status == "done" and not controller.busy, "drop to end", 20)
            assert controller.run_current(alice).ok
            await until(lambda: controller.state.finished, "the run to finish", 20)
        finally:
            await session.close()

    asyncio.run(the_run())
    report = build_report(str(journal))
    assert {s.id: (s.verification, s.go_ahead_by) for s in report.steps} == {"drop": ("not required", "bob"), "look": ("not required", None)}
    rows = {line.split(" | ")[1].split(":")[0]: line.split(" | ")[5] for line in render(report, "md").splitlines() if line.startswith(("| 1 |", "| 2 |"))}
    assert rows == {"drop": "go-ahead by bob", "look": "not required"}, rows
    assert '<td class="muted">go-ahead by bob</td>' in render(report, "html")


def test_unverified_steps_are_marked_everywhere() -> None:
    change = build_report(journal("change"))
    # reload: the process died while it ran; after resume alice marked it done by hand, nobody confirmed it, and the
    # last rollback undid it: rolled back before confirmation, not UNVERIFIED (it was, as if its change stood)
    assert change.unverified == []
    assert {s.id: s.verification for s in change.steps if s.verification != "n/a"} == {
        "health": "confirmed", "backup-config": "confirmed", "install-config": "confirmed", "reload": "rolled back before confirmation",
        "watch": "confirmed",
    }  # fmt: skip
    md = render(change, "md")
    assert re.search(r"^\| 5 \| reload: .* \| marked done, then undone \| rolled back before confirmation \|", md, re.M)
    assert "UNVERIFIED" not in md and "### 5. reload: Reload nginx, one host at a time\n" in md
    assert json.loads(render(change, "json"))["unverified"] == []

    solo = build_report(journal("solo"))
    done = [s.id for s in solo.steps if s.outcome == "done"]
    assert solo.unverified == done and len(done) == 8
    md = render(solo, "md")
    assert re.search(r"^\| 5 \| reload: .* \| done \| \*\*UNVERIFIED\*\* \|", md, re.M)
    assert "### 5. reload: Reload nginx, one host at a time — UNVERIFIED" in md
    assert '<article class="step unverified" id="step-reload">' in render(solo, "html")
    assert all(s["unverified"] for s in json.loads(render(solo, "json"))["steps"] if s["outcome"] == "done")
