"""A resume outside the change window, given a reason (`resume --override-window REASON`), is told to the team.

A run's start outside its window says so in its `session_started` notice; a resume's override was journaled and shown
but told to nobody: an unshared resume sends no start notice, so the team never heard that the change went on past
its window, nor who decided it. Now the override's notice names who resumed and why."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import Receiver
from window_resume import RUNBOOK, log, stopped_inside

from runbook_tui import cli

pytestmark = pytest.mark.peers


def test_a_resume_outside_the_window_tells_who_went_on_and_why(
    receiver: Callable[[str], Receiver], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = receiver("ok")
    monkeypatch.chdir(tmp_path)
    runbook = RUNBOOK.replace("sections:\n", f'notify:\n  - {{url: "{hook.url}"}}\nsections:\n', 1)
    asyncio.run(stopped_inside(tmp_path, runbook))
    hook.wait_for(lambda r: "session_started" in r.events(), 20, "the start's notice")
    told = len(hook.requests)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "carol")
    code = cli.main(["resume", "run.jsonl", "--continue", "--override-window", "CAB extended the window, INC-9"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert log(tmp_path) == ["a", "b"]
    hook.wait_for(lambda r: "session_finished" in r.events()[told:], 20, "the end's notice")
    [notice] = [r.body for r in hook.requests[told:] if r.body["event"] == "session_started"]
    assert notice["actor"] == "carol"
    assert notice["summary"].startswith("carol resumed CHG-8 'Window resume'"), notice["summary"]
    assert "OUTSIDE its change window: CAB extended the window, INC-9" in notice["summary"], notice["summary"]
    assert notice["details"]["window_override"] == "CAB extended the window, INC-9" and notice["details"]["resumed"] is True


def test_a_resume_inside_the_window_does_not_repeat_the_starts_override() -> None:
    """A run started early with `--override-window "early start"`, resumed `--share` once its window had opened: no
    override was given (none needed). Before, the share's notice still said `OUTSIDE its change window: early start`,
    the start's reason, as if this resume went on outside the window."""
    from runbook_tui.engine.state import replay
    from runbook_tui.notify.messages import Notice
    from runbook_tui.notify.triggers import Announcer
    from runbook_tui.runbook.reach import NotifyTiming

    sent: list[Notice] = []
    events: list[dict[str, object]] = [
        {"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1", "runbook": "rb",
         "title": "Upgrade", "ticket": {"id": "CHG-3"}, "mode": "live", "solo": None, "plan": {"sections": []}},
        {"seq": 1, "ts": "2026-12-01T23:00:00.001Z", "type": "window_override", "actor": "alice", "reason": "early start"},
        {"seq": 2, "ts": "2026-12-02T01:00:00.000Z", "type": "session_resumed", "actor": "carol", "pid": 4242},
        {"seq": 3, "ts": "2026-12-02T01:00:01.000Z", "type": "share_started", "actor": "carol", "address": "10.0.0.5:2222", "fingerprint": "SHA256:abc"},
    ]  # fmt: skip

    async def scenario() -> None:
        announcer = Announcer(sent.append, NotifyTiming(verifier_missing=3600), shared=True)
        for at in (2, 3):  # what the resumed process hears
            announcer(events[at], replay(events[: at + 1]))
        announcer.stop()

    asyncio.run(scenario())
    [notice] = sent
    assert notice.summary.startswith("carol resumed CHG-3 'Upgrade'; verifier, join with:"), notice.summary
    assert "window_override" not in notice.details, notice.details
