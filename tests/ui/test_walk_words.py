"""What a person must read at 80x24 in a shared run, found walking the screens in tmux: a go-ahead the verifier
refused before the step ran, what a rollback leaves behind before `y` is pressed, and an `ask` step's answer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rich.cells import cell_len
from run_screen_helpers import (
    FakeClient,
    footer_keys,
    make_app,
    painted,
    run_step,
    screen_is,
    settled,
    shared_session_events,
    started,
    type_text,
    until,
    write_runbook,
)
from textual.app import App, ComposeResult

from runbook_tui.engine.controller import Actor
from runbook_tui.engine.rollback import RollbackPlan, UndoEntry
from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import with_step
from runbook_tui.ui.output_pane import CONTINUED, OutputLog
from runbook_tui.ui.rollback_modal import afterwards
from runbook_tui.ui.run_view import SCREEN_LINES
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.widgets import DetailScroll, StepDetail

SMALL = (80, 24)

RUNBOOK = """\
runbook: 1
id: walk
title: Walk the words
ticket: {id: CHG-5, subject: walk, assignee: alice, verifier: bob}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {id: backup, title: Back up, run: echo backed up, undo: echo unbackup, checkpoint: true, verify: both}
      - {id: edit, title: Edit, run: echo edited, undo: echo unedit}
      - {id: tell, title: Tell the team, note: "Post in #ops that the edit is live."}
      - {id: version, title: Read the version, ask: "Which version runs now?"}
"""


@pytest.mark.asyncio
async def test_refused_go_ahead_rollback_aftermath_and_an_answer_are_on_screen(workdir: Path) -> None:
    write_runbook(workdir, RUNBOOK, "walk.yaml")
    app = make_app("walk.yaml", solo=None, verifier_in_process=True)
    bob = Actor("bob", "verifier")
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        stack, detail = app.screen.query_one(StatusStack), app.screen.query_one(StepDetail)

        # bob says no before 'backup' (verify: both) ever ran. Before: the stack said `REJECTED … enter re-run` and the
        # pane `✗ rejected by bob`, while the log said `go-ahead refused`.
        assert controller.reject(bob, "not before [b]noon[/b]").ok
        await settled(pilot)
        assert "'backup' GO-AHEAD REFUSED by bob" in painted(stack) and "enter ask go-ahead" in painted(stack), painted(stack)
        assert "re-run" not in painted(stack) and "REJECTED" not in painted(stack)
        assert "⊘ go-ahead refused by bob" in painted(detail), painted(detail)
        assert "Back up  ⊘ GO-AHEAD REFUSED" in painted(detail) and "REJECTED" not in painted(detail), "the pane's status as the row says it"

        await pilot.press("enter")  # alice asks bob again; his go-ahead lets 'backup' run
        await until(pilot, lambda: controller.state.steps["backup"].go_ahead_asked, "the go-ahead to be asked again")
        assert controller.confirm(bob).ok
        for step in ("backup", "edit"):
            await run_step(pilot, step, "awaiting_verification")
            assert controller.confirm(bob).ok
        await settled(pilot)

        # Before y: what the run is once the rollback went through (before: a full rollback ended the session unsaid).
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        assert "When it finishes, the run stays open: 'edit' is next again." in painted(modal.query_one("#dialog-keys"))
        await pilot.press("f")
        await until(pilot, lambda: "FULL" in painted(modal.query_one("#dialog-title")), "the full rollback's list")
        assert "When it finishes, the session ends ROLLED BACK: nothing more runs." in painted(modal.query_one("#dialog-keys"))
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")

        # A note runs nothing: enter records that the person did it (before: `Next: 'tell' on local · … — enter run it`).
        await settled(pilot)
        assert "Next: 'tell' · Tell the team — enter I did it (nothing runs)" in painted(stack), painted(stack)
        assert "⏎ I did it" in footer_keys(app) and "⏎ run" not in footer_keys(app), "the footer's enter as the row says it (was `⏎ run`)"
        assert "on local" not in painted(detail), painted(detail)
        await run_step(pilot, "tell", "awaiting_verification")
        assert controller.confirm(bob).ok
        await settled(pilot)
        assert "Next: 'version' · Read the version — enter answer it" in painted(stack), painted(stack)
        assert "⏎ answer" in footer_keys(app), footer_keys(app)

        # The answer is in the log, where the verifier who confirms the step reads it (before: only the report had it), and
        # no stale `running 'version'` toast covers the next dialog.
        app.clear_notifications()
        await pilot.press("enter")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "v1.2 [bold]x[/bold]")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["version"].status == "awaiting_verification", "the answer to be given")
        output = app.screen.query_one(OutputLog)
        await until(pilot, lambda: list(output.lines[-2:]) == ["── version waiting for verifier", "   answer: v1.2 [bold]x[/bold]"], "the answer")
        assert output.following and output.scroll_y == output.max_scroll_y, "the newest line, the answer, is in view"
        assert not [n.message for n in app._notifications if "running" in str(n.message)]


LONG = """\
runbook: 1
id: long
title: A long command
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - id: drop
        title: Drop the old table
        run: echo dropping the table with a long command line --option-alpha=1 --option-beta=2 --option-gamma=3 --option-delta=4
        undo: echo restoring the table from the backup taken before --option-alpha=1 --option-beta=2 --option-gamma=3
        confirm: The old table is gone for good.
"""


def _command_lines(body: str) -> list[str]:
    """The lines from `run on local:` to the end: a command, a blank line, `undo on local:` and its command."""
    lines = body.splitlines()
    return [line.rstrip() for line in lines[next(i for i, line in enumerate(lines) if line.startswith("run on local:")) :] if line.strip()]


@pytest.mark.asyncio
async def test_a_long_command_wraps_under_itself_in_the_whole_step_and_the_acknowledgement(workdir: Path) -> None:
    """At 80x24 `v` and the acknowledgement wrapped a long command back to column 0, where it read as text after the
    command: each continuation now sits under the command, as in the detail pane."""
    write_runbook(workdir, LONG, "long.yaml")
    app = make_app("long.yaml")
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await settled(pilot)
        for key, dialog in (("v", "InfoScreen"), ("enter", "ConfirmPrompt")):
            await pilot.press(key)
            shown = await screen_is(pilot, dialog)
            lines = _command_lines(painted(shown.query_one("#dialog-body")))
            assert [line for line in lines if not line.startswith("  ")] == ["run on local:", "undo on local:"], lines
            assert len(lines) >= 6 and lines[2].startswith("    --option"), f"{key}: not wrapped under the command: {lines}"
            await pilot.press("escape")
            await screen_is(pilot, "RunScreen")


@pytest.mark.asyncio
async def test_moving_the_highlight_shows_that_step_and_says_it_is_not_the_current_one(workdir: Path) -> None:
    """At 140x45, ↑ in the step list moved the highlight and nothing else: the pane went on showing the current step.
    Now it shows the step looked at, its title saying so; enter still runs the current step, shown whole first (the pane
    shows another: `y` runs it, test_read_first.py), and the pane comes back."""
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await run_step(pilot, "check")
        await settled(pilot)
        detail, scroll = app.screen.query_one(StepDetail), app.screen.query_one(DetailScroll)
        assert str(scroll.border_title) == "step 2/8 · backup" and "Back up the config" in painted(detail)

        await pilot.press("up")
        await until(pilot, lambda: "Config parses" in painted(detail), "the step looked at in the pane")
        assert str(scroll.border_title) == "step 1/8 · only looking (current: 'backup') · check", scroll.border_title
        assert "✓ done" in painted(detail) and "echo check >> marks" in painted(detail)
        await pilot.press("down")
        await until(pilot, lambda: str(scroll.border_title) == "step 2/8 · backup", "the current step again")

        await pilot.press("up")  # looking at 'check', enter shows the current step whole, y runs it
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert prompt.title_text == "Run 'backup'" and "echo backup >> marks" in painted(prompt.query_one("#dialog-body")), prompt.title_text
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["backup"].status == "done" and not controller.busy, "backup to run on y")
        await settled(pilot)
        assert controller.state.steps["check"].attempts == 1
        assert str(scroll.border_title) == "step 3/8 · edit" and "Edit the config" in painted(detail)


class _EarlyLines(App[None]):
    """Lines given to the pane before it has a width, as the verifier's catch-up and resume's last lines come."""

    def compose(self) -> ComposeResult:
        yield OutputLog(SCREEN_LINES, id="output")

    def on_mount(self) -> None:
        self.query_one(OutputLog).add([("local │ ", f"line {n} of a long output that goes on and on beyond the width, to the end {n}") for n in range(3)])


@pytest.mark.asyncio
async def test_lines_that_came_before_the_pane_had_a_width_are_wrapped_whole_and_again_at_a_new_width() -> None:
    """Joining as verifier at 140x45, the catch-up's long lines were cut at the pane's edge (`… beyond the`), the rest
    out of sight: they had been wrapped before the pane knew its width. A resize wraps what is shown again as well."""
    app = _EarlyLines()
    async with app.run_test(size=(60, 20)) as pilot:
        output = app.query_one(OutputLog)
        for width in (60, 40):
            await pilot.resize_terminal(width, 20)
            await until(pilot, lambda width=width: output.virtual_size.width <= width, f"the lines wrapped to {width} columns")
            text = "".join(line.removeprefix(CONTINUED) for line in output.lines)
            assert all(f"to the end {n}" in text for n in range(3)), list(output.lines)
            assert all(cell_len(line) <= width for line in output.lines), list(output.lines)


def test_the_rollback_list_names_the_step_that_is_next_after_it_a_step_without_undo_stays_done(workdir: Path) -> None:
    def entry(step: str, command: str | None) -> UndoEntry:
        return UndoEntry(step, step, "local", command, "done")

    def plan(*entries: UndoEntry) -> RollbackPlan:
        return RollbackPlan("checkpoint", "backup", entries, ())

    base = FakeClient(shared_session_events(workdir)).state

    def ran(*steps: str) -> RunState:
        state = base
        for step in steps:
            state = with_step(state, step, status="done")
        return state

    # newest first: 'tweak' has no undo and stays done, so the run goes back to 'edit', not to 'tweak'
    state = ran("check", "backup", "edit", "tweak", "apply")
    assert afterwards(plan(entry("apply", "undo-apply"), entry("tweak", None), entry("edit", "undo-edit")), state).endswith("'edit' is next again.")
    only = "When it finishes, the run stays open where it stands: nothing is undone."
    assert afterwards(plan(entry("tweak", None)), ran("check", "backup", "tweak")) == only
    assert afterwards(replace(plan(), scope="full"), state) == "When it finishes, the session ends ROLLED BACK: nothing more runs."


@pytest.mark.asyncio
async def test_a_wait_runs_nowhere_and_says_how_long_it_waits(workdir: Path) -> None:
    """A `wait:` step ran nothing anywhere, yet the pane read `on local` and the row `Running 'settle' on local for 1s`."""
    write_runbook(
        workdir, "runbook: 1\nid: w\ntitle: W\nsections:\n  - {id: s, title: S, kind: verify, steps: [{id: settle, title: Let it settle, wait: 30s}]}\n"
    )
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        stack, detail = app.screen.query_one(StatusStack), app.screen.query_one(StepDetail)
        assert "Next: 'settle' · Let it settle" in painted(stack) and "on local" not in painted(detail), (painted(stack), painted(detail))
        await pilot.press("enter")
        await until(pilot, lambda: "Waiting at 'settle' for " in painted(stack) and " of 30s" in painted(stack), "the wait's row")
        assert "on local" not in painted(stack) + painted(detail), (painted(stack), painted(detail))
        assert controller.stop_step(Actor("alice", "assignee")).ok  # ends the wait (k's dialog says the same), not waited out


@pytest.mark.asyncio
async def test_a_finished_run_does_not_offer_a_note_the_journal_refuses(workdir: Path) -> None:
    """Seen in a shared walk: once the run ended the assignee's footer still said `n note`; n opened the dialog, and
    what was typed was refused (`the session is finished; nothing may follow its end in the journal`), while the
    verifier's footer had rightly dropped it. The assignee's footer drops it too, and n opens nothing."""
    write_runbook(workdir, "runbook: 1\nid: one\ntitle: One step\nsections:\n  - id: c\n    steps:\n      - {id: only, title: Only, run: echo only}\n")
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        controller = await started(pilot)
        assert "n note" in footer_keys(app)
        await run_step(pilot, "only")
        await until(pilot, lambda: controller.state.finished, "the run to end")
        await screen_is(pilot, "ReviewScreen")
        await pilot.press("escape")  # no review
        await screen_is(pilot, "RunScreen")
        await settled(pilot)
        assert "n note" not in footer_keys(app), footer_keys(app)
        await pilot.press("n")
        await settled(pilot)  # the key handled and the screen repainted: a dialog would be on top by now
        assert type(app.screen).__name__ == "RunScreen", "n opened a dialog whose note would be refused"
