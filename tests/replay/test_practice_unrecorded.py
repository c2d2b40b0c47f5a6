"""Practice past where the night went: a step the night never ran counts as succeeded, as its output says.

The recorded executor has nothing to play for a command the night never ran; it prints `[practice] this command
did not run on the night; nothing was recorded, it counts as succeeded` and ends it `ok`, exit 0. A step that
checks its output (`expect.stdout`) or expects another exit code then FAILED on that very line, every re-run alike:
the trainee who skipped where the night rolled back (the demo's `service-ok`) was stuck at a failure the night
never had, told it succeeded.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from replay_helpers import night_place

from runbook_tui.app import practice
from runbook_tui.app.session import load, open_session
from runbook_tui.engine.journal import read_events
from tests.engine.rules_helpers import until

NIGHT = """\
runbook: 1
id: unrecorded
title: Unrecorded
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: reload, title: Reload, run: "echo reload failed >&2; exit 1", undo: "echo unreload >> marker.txt", verify: none}
      - {id: health, title: Health, run: "echo health: ok >> marker.txt; echo health: ok", expect: {stdout: "^health: ok$"}, verify: none}
      - {id: refused, title: Refused, run: "echo refused >> marker.txt; exit 7", expect: {exit: [7]}, verify: none}
      - {id: version, title: Version, run: "echo 1.2.3", capture: version, verify: none}
      - {id: deploy, title: Deploy, run: "echo deploying {{ captured.version }} >> marker.txt", verify: none}
"""


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A solo night: `reload` failed and alice rolled back; `health` and `refused` never ran."""
    journal = night_place(tmp_path, monkeypatch, NIGHT)

    async def the_night() -> None:
        session = open_session(load("night.yaml", {}), solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        assert c.run_current(alice).ok
        await c.wait_idle()
        assert c.state.steps["reload"].status == "failed"
        assert c.rollback(alice, "checkpoint", reason="reload failed").ok
        await c.wait_idle()
        c.finish(alice, "rolled_back")
        await session.close()

    asyncio.run(the_night())
    Path("marker.txt").unlink(missing_ok=True)  # the night's undo wrote it; practice must write nothing
    return journal


def test_a_step_the_night_never_ran_counts_as_succeeded_whatever_it_checks(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "erin")

    async def practise() -> None:
        run = practice.open_practice(str(night))
        c, erin = run.session.controller, run.session.actor
        assert c.run_current(erin).ok
        await c.wait_idle()
        assert c.state.steps["reload"].status == "failed"
        assert c.skip(erin, "reload is flaky; health tells").ok  # where the night rolled back
        for step in ("health", "refused"):
            assert c.run_current(erin).ok
            await until(lambda step=step: c.state.steps[step].status not in ("pending", "ready", "running"), f"'{step}' to end", timeout=10)
            assert c.state.steps[step].status == "done", f"'{step}' ended {c.state.steps[step].status}: {c.state.steps[step].problems}"
        await run.session.close()
        texts = [e.get("text", "") for e in read_events(run.session.journal_path).events if e["type"] == "output"]
        assert sum("did not run on the night" in t and "counts as succeeded" in t for t in texts) == 2, texts

    asyncio.run(practise())
    assert not Path("marker.txt").exists(), "practice executed a command"


def test_a_capture_from_a_command_the_night_never_ran_says_it_was_not_recorded(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `captured.version` held the executor's own line, and the next step read `echo deploying '[practice] this
    command did not run on the night; nothing was recorded, it counts as succeeded' >> marker.txt`, a value the
    night never had shown as if captured."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "erin")

    async def practise() -> list[dict[str, object]]:
        run = practice.open_practice(str(night))
        c, erin = run.session.controller, run.session.actor
        assert c.run_current(erin).ok
        await c.wait_idle()
        assert c.skip(erin, "reload is flaky").ok
        for step in ("health", "refused", "version"):
            assert c.run_current(erin).ok
            await until(lambda step=step: c.state.steps[step].status == "done", f"'{step}' done", timeout=10)
        assert c.state.captured["version"] == "⟨captured.version: not recorded on the night (practice)⟩", c.state.captured
        await run.session.close()
        return read_events(run.session.journal_path).events

    events = asyncio.run(practise())
    [ready] = [e for e in events if e["type"] == "step_ready" and e["step"] == "deploy"]
    command = str(ready["commands"])
    assert "not recorded on the night" in command and "[practice] this command" not in command, command
