"""The run screen after `resume`: a step that was running comes back unknown (d asks how it was checked), the pane
shows the run as it was, and `resume --solo` at a last step waiting for the verifier ends the run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from run_screen_helpers import SIZE, events, marks, of_kind, painted, screen_is, settled, started, type_text, types, until

from runbook_tui.app.session import load, open_session, resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.report import build_report, render
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.widgets import RunHeader, StepDetail

JOURNAL = "j.jsonl"


# -- resume --------------------------------------------------------------------------------------


def _killed_mid_step(workdir: Path) -> None:
    """`exec` as a person runs it, killed with SIGKILL while `slow` waits: a journal with a step that was running."""
    with open(workdir / "exec.out", "wb") as out:
        proc = subprocess.Popen(
            # (--ack-manual: exec refuses a runbook with a confirm step without it; `drop` comes after `slow`, never reached)
            [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "-p", "hold=true", "--solo", "kill test", "--journal", JOURNAL, "--ack-manual", "x"],
            cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "slow" not in marks(workdir):
            assert proc.poll() is None, (workdir / "exec.out").read_text()
            assert time.monotonic() < deadline, "exec never reached the step that waits"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        (workdir / "release").touch()  # the step's shell lives on in its own process group: let it end
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.asyncio
async def test_after_resume_the_running_step_is_unknown_and_d_asks_how_it_was_checked(workdir: Path) -> None:
    _killed_mid_step(workdir)
    app = RunbookApp(lambda _override: resume_session(JOURNAL, settings=Settings()))
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        assert controller.state.steps["slow"].status == "unknown"
        assert "'slow' outcome UNKNOWN" in painted(app.screen.query_one(StatusStack))
        assert "UNKNOWN" in painted(app.screen.query_one(StepDetail))
        await pilot.press("d")
        prompt = await screen_is(pilot, "TextPrompt")
        body = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "How did you check" in body
        # what marking it does, said before (the prompt asked only how it was checked)
        assert "Marked done, it is not run again: its undo stays in the rollback list (u); then 'drop' is next." in body, body
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        assert of_kind(JOURNAL, "step_marked_done") == []
        await pilot.press("d")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "service answers on 8080")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["slow"].status == "done", "slow to be marked done")
        assert controller.state.current == "drop"
        await pilot.press("d")  # only an unknown step can be marked done: nothing opens now
        await pilot.pause()
        assert type(app.screen).__name__ == "RunScreen"
    marked = of_kind(JOURNAL, "step_marked_done")
    assert [(e["step"], e["reason"], e["actor"]) for e in marked] == [("slow", "service answers on 8080", "alice")]
    assert "session_resumed" in types(JOURNAL)
    assert marks(workdir).count("slow") == 1  # nothing was re-run on its own
    assert [e["step"] for e in of_kind(JOURNAL, "step_started")].count("slow") == 1


@pytest.mark.asyncio
async def test_enter_on_an_unknown_step_says_its_command_may_still_run_before_re_running_it(workdir: Path) -> None:
    """kill -9 does not stop the step's command (its own process group here, detached over SSH). Before: enter re-ran it
    at once, a second copy beside the first, and nothing said the first may still be running; now enter asks first."""
    _killed_mid_step(workdir)
    app = RunbookApp(lambda _override: resume_session(JOURNAL, settings=Settings()))
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        said = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "'slow' was running when the program stopped." in said, said
        assert "it may still be running on local" in said and "could run it twice at once" in said, said
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        assert [e["attempt"] for e in of_kind(JOURNAL, "step_started") if e["step"] == "slow"] == [1], "escape runs nothing"
        await pilot.press("enter")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["slow"].attempts == 2, "the re-run to start")
    assert [e["attempt"] for e in of_kind(JOURNAL, "step_started") if e["step"] == "slow"] == [1, 2]


@pytest.mark.asyncio
async def test_a_resumed_run_shows_the_pane_as_it_was_not_only_the_output(workdir: Path) -> None:
    """The process died mid-step; after `resume` the pane reads as it did: each step's start and end, the decisions,
    the output, the same lines a replay of the journal shows at that point (it showed the output tails alone); then the
    resume itself, as a replay and the verifier read it."""
    _killed_mid_step(workdir)
    before = events(JOURNAL)
    replay_app = ReplayApp(before, label=JOURNAL)
    async with replay_app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await settled(pilot)
        replayed = list(replay_app.screen.query_one(OutputLog).lines)
    assert any(line.startswith("── slow started (attempt 1)") for line in replayed), replayed
    app = RunbookApp(lambda _override: resume_session(JOURNAL, settings=Settings()))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await settled(pilot)
        resumed = list(app.screen.query_one(OutputLog).lines)
    assert resumed[: len(replayed)] == replayed, (resumed, replayed)
    assert resumed[len(replayed)].startswith("── resumed by "), "then where the process stopped and the run went on"


@pytest.mark.asyncio
async def test_a_run_resumed_by_someone_else_names_them_at_the_keyboard(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """alice's exec died mid-step; dave resumes it. His header says he is at the keyboard, live and in a replay, and the
    report's record names both (the header said `assignee alice` while dave ran the steps, journaled as his)."""
    _killed_mid_step(workdir)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "dave")
    app = RunbookApp(lambda _override: resume_session(JOURNAL, settings=Settings()))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await settled(pilot)
        assert "planned: alice, ran by: dave" in painted(app.screen.query_one(RunHeader))
    replay_app = ReplayApp(events(JOURNAL), label=JOURNAL)
    async with replay_app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await settled(pilot)
        assert "planned: alice, ran by: dave" in painted(replay_app.screen.query_one(RunHeader))
    assert "| Assignee | planned: alice, ran by: alice, then dave |" in render(build_report(JOURNAL), "md")


ONE_STEP = """\
runbook: 1
id: one-step
title: One step
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: only
        title: The only step
        run: echo only
"""


@pytest.mark.asyncio
async def test_resume_solo_at_a_last_step_waiting_for_the_verifier_ends_the_run(workdir: Path) -> None:
    """The verifier is gone for good and the last step waits for their word: `resume --solo REASON` records it done,
    unverified, and the run ends (before: it waited for a verifier, then said "Every step is done" and stayed open)."""
    (workdir / "one.yaml").write_text(ONE_STEP)
    shared = open_session(load("one.yaml", {}), journal="one.jsonl", settings=Settings(), verifier_in_process=True)
    assert shared.controller.run_current(shared.actor).ok
    await shared.controller.wait_idle()
    assert shared.controller.state.steps["only"].status == "awaiting_verification"
    await shared.close()
    app = RunbookApp(lambda _override: resume_session("one.jsonl", solo="bob went home", settings=Settings()))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.handle is not None and app.handle.controller.state.finished, "the run to end")
        assert app.handle is not None and app.handle.controller.state.outcome == "done"
        await screen_is(pilot, "ReviewScreen")  # as at the end of any run
    [settled] = of_kind("one.jsonl", "step_marked_done")
    assert settled["verified"] is False and "bob went home" in settled["reason"]


TWICE = """\
runbook: 1
id: roll-twice
title: Roll back to the checkpoint, then all of it
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: a, title: A, run: echo a >> log, undo: echo undo-a >> log, verify: none}
      - {id: cp, title: CP, run: echo cp >> log, undo: echo undo-cp >> log, checkpoint: true, verify: none}
      - {id: b, title: B, run: echo b >> log, undo: echo undo-b >> log, verify: none}
      - {id: c, title: C, run: echo c >> log; false, undo: echo undo-c >> log, verify: none}
"""


@pytest.mark.asyncio
async def test_a_reopening_the_process_died_after_is_said_and_u_offers_its_rollback(workdir: Path) -> None:
    """`resume --rollback --full` of a session rolled back to its checkpoint, dead between `session_reopened` and
    `rollback_started` (the journal ends at the reopening, as a kill -9 then leaves it), resumed in a terminal. Before:
    `Rolled back to cp; 'b' is next again — enter re-run`, and u showed the rollback to the checkpoint (nothing to undo).
    Now the row says the reopening and the rollback that never started, and u shows the full rollback: y runs it."""
    (workdir / "twice.yaml").write_text(TWICE)
    cli = [sys.executable, "-m", "runbook_tui"]
    made = subprocess.run([*cli, "exec", "twice.yaml", "--solo", "t", "--journal", JOURNAL, "--on-failure", "rollback"], cwd=workdir, capture_output=True)
    assert made.returncode == 1, made
    full = subprocess.run([*cli, "resume", JOURNAL, "--rollback", "--full", "--headless"], cwd=workdir, capture_output=True)
    assert full.returncode == 1, full
    lines = (workdir / JOURNAL).read_bytes().splitlines(keepends=True)
    reopened = next(i for i, line in enumerate(lines) if b'"type":"session_reopened"' in line)
    (workdir / JOURNAL).write_bytes(b"".join(lines[: reopened + 1]))
    (workdir / "log").write_text("")
    app = RunbookApp(lambda _override: resume_session(JOURNAL, settings=Settings()))
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        row = " ".join(painted(app.screen.query_one(StatusStack)).split())
        assert "Reopened to roll back the whole change (resume --rollback --full); the program stopped before that rollback started" in row, row
        assert "next again" not in row, row
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        assert modal.scope == "full"
        await pilot.press("y")
        await until(pilot, lambda: controller.state.finished, "the full rollback to end the run")
    assert (workdir / "log").read_text().split() == ["undo-cp", "undo-a"]
    assert [e["scope"] for e in events(JOURNAL) if e["type"] == "rollback_started"] == ["checkpoint", "full"]
