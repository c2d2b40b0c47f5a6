"""The run screen driven with the documented keys (spec: cli-and-journal.md, "Keys in the TUI").

Each test walks an example-like local runbook (run_screen_helpers.RUNBOOK) with
Pilot and asserts what the journal says happened, not pixels. Every wait polls
the state in a bounded loop: the machine running these may be busy.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import (
    ORDER,
    RUNBOOK,
    SIZE,
    FakeClient,
    events,
    make_app,
    marks,
    painted,
    run_step,
    screen_is,
    settled,
    shared_session_events,
    started,
    type_text,
    types,
    until,
    write_runbook,
)
from textual.widgets import Static

from runbook_tui.app.session import load, open_session, resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine import events as ev
from runbook_tui.engine.state import apply, replay
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.output_pane import CONTINUED, OutputLog
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import RunHeader, StepDetail

JOURNAL = "j.jsonl"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """tmp_path as the working folder and XDG home, alice at the keyboard, the runbook written."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    write_runbook(tmp_path)
    yield tmp_path
    (tmp_path / "release").touch()  # a held step ends within 0.1 s, whatever the test did


def _of(journal: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in events(journal) if e["type"] == kind]


# -- enter ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_enter_runs_every_step_in_order_then_the_review_closes_the_run(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        for step in ORDER[:6]:
            await run_step(pilot, step)
        await pilot.press("enter")  # drop: confirm first
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["drop"].status == "done" and not controller.busy, "drop to run")
        await screen_is(pilot, "RunScreen")
        await run_step(pilot, "healthy")
        # The live run ended: the post-change review asks three questions; enter moves on, then submits.
        await screen_is(pilot, "ReviewScreen")
        await type_text(pilot, "all")
        await pilot.press("enter", "enter", "enter")
        await until(pilot, lambda: controller.state.review is not None, "the review")
        await screen_is(pilot, "RunScreen")
        await settled(pilot)
        assert "Session finished: done" in painted(app.screen.query_one(StatusStack))
        await pilot.press("q")  # nothing runs: quits at once
    assert app.return_value == 0
    started_steps = [e["step"] for e in _of(JOURNAL, "step_started")]
    assert started_steps == list(ORDER)
    assert all(e["status"] == "done" for e in _of(JOURNAL, "step_finished"))
    assert marks(workdir) == list(ORDER)
    assert types(JOURNAL, "session_finished", "review") == ["session_finished", "review"]
    assert _of(JOURNAL, "session_finished")[0]["outcome"] == "done"
    assert _of(JOURNAL, "review")[0]["planned"] == "all"
    assert all(e["actor"] == "alice" for e in _of(JOURNAL, "step_started"))


@pytest.mark.asyncio
async def test_a_step_with_confirm_runs_only_after_y(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        for step in ORDER[:6]:
            await run_step(pilot, step)
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = painted(prompt.query_one("#dialog-body", Static))
        assert "The old table is gone for good." in body
        assert "echo drop >> marks" in body  # what it runs, spelled out
        await pilot.press("n")  # cancel: nothing runs
        await screen_is(pilot, "RunScreen")
        await pilot.press("enter")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("escape")  # escape cancels too
        await screen_is(pilot, "RunScreen")
        assert "drop" not in [e["step"] for e in _of(JOURNAL, "step_started")]
        assert "drop" not in marks(workdir)
        await pilot.press("enter")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["drop"].status == "done" and not controller.busy, "drop to run after y")
    assert [e["step"] for e in _of(JOURNAL, "step_started")].count("drop") == 1
    assert marks(workdir)[-1] == "drop"


# -- s, n, p -------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_s_asks_for_a_reason_escape_cancels_and_the_reason_is_journaled(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await pilot.press("s")
        await screen_is(pilot, "TextPrompt")
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        assert _of(JOURNAL, "step_skipped") == []
        await pilot.press("s")
        prompt = await screen_is(pilot, "TextPrompt")
        await pilot.press("enter")  # an empty reason is refused: the prompt stays and says why
        await pilot.pause()
        assert app.screen is prompt
        assert "A reason is required" in painted(prompt.query_one("#dialog-keys"))
        await type_text(pilot, "checked by hand")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["check"].status == "skipped", "check to be skipped")
        assert controller.state.current == "backup"
    skipped = _of(JOURNAL, "step_skipped")
    assert [(e["step"], e["reason"], e["actor"]) for e in skipped] == [("check", "checked by hand", "alice")]
    assert _of(JOURNAL, "step_started") == [] and marks(workdir) == []


@pytest.mark.asyncio
async def test_n_journals_a_note(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await pilot.press("n")
        await screen_is(pilot, "TextPrompt")
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        await pilot.press("n")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "dba on the bridge")
        await pilot.press("enter")
        await until(pilot, lambda: len(controller.state.notes) == 1, "the note")
    notes = _of(JOURNAL, "note")
    assert [(e["text"], e["actor"], e["step"]) for e in notes] == [("dba on the bridge", "alice", "check")]


@pytest.mark.asyncio
async def test_the_share_port_refusing_connections_is_said_in_the_log_and_a_notification(workdir: Path) -> None:
    """A flood keeping the verifier out is said where the assignee looks (the share server emits this event)."""
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        controller = await started(pilot)
        controller.emit(ev.SHARE_REFUSING, ev.SYSTEM, refused=3, reason="refused_address", waiting=32, addresses=1)
        said = "share port: 3 connections refused, one address holds as many connections waiting to authenticate as one may"

        def unwrapped(lines: Any) -> str:
            return " ".join(line.removeprefix(CONTINUED).strip() for line in lines)

        await until(pilot, lambda: said in unwrapped(app.screen.query_one(OutputLog).lines), "the log line")
        toast = ("Share port", "3 connections refused: a verifier may not get in while this lasts (the log says why)")
        await until(pilot, lambda: toast in [(n.title, n.message) for n in app._notifications] and bool(app.screen.query("Toast")), "the notification")


@pytest.mark.asyncio
async def test_p_pauses_enter_is_refused_while_paused_and_p_resumes(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused, "the pause")
        await settled(pilot)
        assert "PAUSED" in painted(app.screen.query_one(StatusStack))
        await pilot.press("enter")  # run_current decides at once: a refused run journals nothing
        await pilot.pause()
        assert _of(JOURNAL, "step_started") == []
        assert not controller.busy and controller.state.steps["check"].status == "pending"
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused, "the resume")
        await run_step(pilot, "check")
    assert types(JOURNAL, "paused", "resumed", "step_started") == ["paused", "resumed", "step_started"]


def _keys(app: Any) -> list[str]:
    """The footer's keys as drawn (`⏎ run`, `p pause`), checked against its painted row."""
    footer = app.screen.query_one(KeyFooter)
    keys = [f"{key.shown} {key.description}" for key in footer.keys[0]]
    row = painted(footer)
    assert all(key in row for key in keys), (keys, row)
    return keys


@pytest.mark.asyncio
async def test_the_footer_drops_the_run_key_while_paused_and_says_p_resume(workdir: Path) -> None:
    """The screen tells the footer only when a key's availability changed: a pause must still reach it.
    While paused, p resumes, and the footer says so (it said `p pause` on a paused run); resumed, `p pause` again."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        at_start = _keys(app)
        assert at_start[0] == "⏎ run" and "p pause" in at_start and "p resume" not in at_start
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused, "the pause")
        await until(pilot, lambda: "⏎ run" not in _keys(app), "the run key to go")
        paused = _keys(app)
        assert "p resume" in paused and "p pause" not in paused and "u roll back" in paused
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused, "the resume")
        await until(pilot, lambda: "⏎ run" in _keys(app), "the run key to come back")
        assert _keys(app) == at_start


@pytest.mark.asyncio
async def test_the_footer_says_ask_go_ahead_where_enter_asks_the_verifier(workdir: Path) -> None:
    """A step the verifier must let start: enter asks for the go-ahead, and the footer says so as the status row does
    (it said `⏎ run`); the same step in a solo run, where nobody is asked, offers `⏎ run`."""
    write_runbook(workdir, RUNBOOK.replace("        title: Config parses", "        title: Config parses\n        verify: before"))
    for solo, enter in ((None, "⏎ ask go-ahead"), ("ui test", "⏎ run")):
        app = make_app(solo=solo, verifier_in_process=solo is None, journal=f"{enter[2:5]}.jsonl")
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot)
            await settled(pilot)
            assert _keys(app)[0] == enter and [key for key in _keys(app) if key.startswith("⏎")] == [enter], (solo, _keys(app))


@pytest.mark.asyncio
async def test_help_opening_and_closing_leaves_the_footer_as_it_is(workdir: Path) -> None:
    """`?` and its close do not change the keys, so the footer keeps what it shows and is not drawn again (Textual's
    footer removed and mounted every key on each push and pop, and the screen was laid out again for it)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await settled(pilot)
        footer = app.screen.query_one(KeyFooter)
        before = footer.keys
        for _ in range(2):
            await pilot.press("question_mark")
            await screen_is(pilot, "HelpScreen")
            await pilot.press("question_mark")
            await screen_is(pilot, "RunScreen")
            await settled(pilot)
        assert footer.keys is before, "the footer took new keys though they did not change"


@pytest.mark.asyncio
async def test_help_opens_at_its_top_again_after_being_scrolled(workdir: Path) -> None:
    """The help is kept between presses: scrolled to its end at 80x24 and closed, it opens at the top the next time."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        help_screen = await screen_is(pilot, "HelpScreen")
        scroll = help_screen.query_one("#dialog-scroll")
        await pilot.press("end")
        await until(pilot, lambda: scroll.scroll_y > 0, "the help to scroll down")
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        await pilot.press("question_mark")
        assert await screen_is(pilot, "HelpScreen") is help_screen
        await until(pilot, lambda: scroll.scroll_y == 0, "the help to open at its top")


# -- u: the rollback list ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_while_a_rollback_stands_stopped_enter_and_s_are_not_offered_and_say_why(workdir: Path) -> None:
    """A failed undo stops the rollback half way: `enter` ran the failed step again on a half-undone change (seen at 80x24).

    Now neither `enter` nor `s` is in the footer, and each, pressed, says why instead of doing nothing; nothing runs.
    """
    app = make_app(params={"fail": True})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        controller = await started(pilot)
        for step in ("check", "backup", "edit", "tweak"):
            await run_step(pilot, step)
        await run_step(pilot, "apply", "failed")
        (workdir / "marks").unlink()
        (workdir / "marks").mkdir()  # every undo's `>> marks` fails from now on
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback_stopped is not None and not controller.busy, "the rollback to stop at its failed undo")
        await settled(pilot)
        shown = [key.key for key in app.screen.query_one(KeyFooter).keys[0]]
        assert "u" in shown and not {"enter", "s"} & set(shown), shown
        app.clear_notifications()
        await pilot.press("enter", "s")
        said = "the rollback stopped at 'apply': u goes on with it; no forward step runs or is skipped until it has finished"
        await until(pilot, lambda: [n.message for n in app._notifications] == [said, said], "enter and s to say why they do nothing")
    assert [e["step"] for e in _of(JOURNAL, "step_started")] == ["check", "backup", "edit", "tweak", "apply"], "nothing ran again"
    assert _of(JOURNAL, "step_skipped") == []


@pytest.mark.asyncio
async def test_after_a_failure_u_lists_the_undos_in_order_and_y_runs_them(workdir: Path) -> None:
    app = make_app(params={"fail": True})
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        for step in ("check", "backup", "edit", "tweak"):
            await run_step(pilot, step)
        await run_step(pilot, "apply", "failed")
        await settled(pilot)
        assert "'apply' FAILED" in painted(app.screen.query_one(StatusStack))
        assert "FAILED" in painted(app.screen.query_one(StepDetail))

        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        # The list may scroll at 80x24: its title says how long it is (the step without undo counted apart).
        assert "Roll back to the last checkpoint (backup): 2 undo commands, 1 without undo" in painted(modal.query_one("#dialog-title"))
        # Each undo: "N  step on host", then its command on the lines below, indented.
        lines = [line for line in painted(modal.query_one("#dialog-body")).splitlines() if line.strip()]
        heads = [re.fullmatch(r"\s*(\d+)  (\S+)(?: \(step \w+\))? on local", line) for line in lines[0::2]]
        assert all(heads), lines
        listed = [(*head.groups(), command.strip()) for head, command in zip(heads, lines[1::2]) if head]
        assert listed == [
            ("1", "apply", "echo undo-apply >> marks"),  # newest first; the failed step may have changed things
            ("2", "tweak", "NO UNDO: acknowledge that this stays as it is"),
            ("3", "edit", "echo undo-edit >> marks"),
        ]
        assert "(step failed)" in painted(modal.query_one("#dialog-body"))
        assert "acknowledge the steps without undo" in painted(modal.query_one("#dialog-keys"))
        await pilot.press("escape")  # cancel: nothing starts
        await screen_is(pilot, "RunScreen")
        assert _of(JOURNAL, "rollback_started") == []

        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished and not controller.busy, "the rollback")
    tail = [e for e in events(JOURNAL) if e["type"] in ("rollback_started", "undo_started", "undo_finished", "rollback_finished")]
    assert [(e["type"], e.get("step")) for e in tail] == [
        ("rollback_started", None),
        ("undo_started", "apply"),
        ("undo_finished", "apply"),
        ("undo_started", "edit"),
        ("undo_finished", "edit"),
        ("rollback_finished", None),
    ]
    plan = tail[0]["plan"]
    assert [(e["step_id"], e["command"]) for e in plan["entries"]] == [
        ("apply", "echo undo-apply >> marks"),
        ("tweak", None),
        ("edit", "echo undo-edit >> marks"),
    ]
    assert tail[0]["scope"] == "checkpoint" and plan["checkpoint_step"] == "backup" and tail[0]["acknowledged"] is True
    assert tail[-1]["ok"] is True
    assert marks(workdir)[-2:] == ["undo-apply", "undo-edit"]


@pytest.mark.asyncio
async def test_f_in_the_rollback_list_switches_to_a_full_rollback_with_the_rollback_section(workdir: Path) -> None:
    app = make_app(params={"fail": True})
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for step in ("check", "backup", "edit"):
            await run_step(pilot, step)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        await pilot.press("f")
        await pilot.pause()
        assert "FULL rollback" in painted(modal.query_one("#dialog-title"))
        body = painted(modal.query_one("#dialog-body"))
        order = [body.index(text) for text in ("echo undo-edit", "echo undo-backup", "then this rollback section step")]
        assert order == sorted(order)
        assert "restored" in body
        await pilot.press("n")
        await screen_is(pilot, "RunScreen")
    assert _of(JOURNAL, "rollback_started") == []


@pytest.mark.asyncio
async def test_the_acknowledgement_shows_the_command_and_its_undo_as_rendered_and_never_calls_an_undoable_step_final(workdir: Path) -> None:
    """'drop' asks for acknowledgement (`confirm:`); given an undo built from a capture, the dialog shows that undo with
    the captured value filled in (not the template) and does not say the step cannot be undone."""
    runbook = RUNBOOK.replace("        checkpoint: true\n", "        checkpoint: true\n        capture: saved\n", 1).replace(
        "        confirm: The old table is gone for good.\n",
        '        confirm: "The old table is gone for good. [bold]x[/bold] \\e]0;owned\\a"\n        undo: echo restore {{ captured.saved }} >> marks\n',
    )
    write_runbook(workdir, runbook)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for step in ORDER[:6]:
            await run_step(pilot, step)
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = painted(prompt.query_one("#dialog-body"))
        assert "The old table is gone for good. [bold]x[/bold] ␛]0;owned␇" in body, body  # literal: no markup, escapes shown
        assert "run on local:\n  echo drop >> marks" in body, body
        assert "undo on local:\n  echo restore 'backed up' >> marks" in body, body
        assert "{{" not in body and "cannot be undone" not in body and "no undo" not in body, body
        await pilot.press("n")
        await screen_is(pilot, "RunScreen")


# -- q -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_q_while_a_step_runs_asks_n_keeps_running_y_quits_and_the_journal_stays_resumable(workdir: Path) -> None:
    app = make_app(params={"hold": True})
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        for step in ORDER[:5]:
            await run_step(pilot, step)
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["slow"].status == "running", "slow to run")
        await pilot.press("q")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert f"runbook-tui resume {JOURNAL}" in painted(prompt.query_one("#dialog-body"))
        await pilot.press("n")
        await screen_is(pilot, "RunScreen")
        assert app.is_running and controller.busy  # still running, still watched
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the app to exit")
    (workdir / "release").touch()
    assert app.return_value == 1
    kinds = types(JOURNAL)
    assert "session_finished" not in kinds
    assert [e["step"] for e in _of(JOURNAL, "step_started")][-1] == "slow"
    assert "slow" not in [e["step"] for e in _of(JOURNAL, "step_finished")]
    state = replay(events(JOURNAL))
    assert not state.finished and state.current == "slow"


# -- ? -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_question_mark_opens_the_help_and_closes_it(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        help_screen = await screen_is(pilot, "HelpScreen")
        text = painted(help_screen.query_one("#dialog-body"))
        for key in ("enter", "u", "s", "d", "n", "p", "?", "q"):
            assert any(line.strip().startswith(key + " ") for line in text.splitlines()), key
        assert "runbook-tui resume JOURNAL" in text
        await pilot.press("question_mark")  # the same key closes it
        await screen_is(pilot, "RunScreen")
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
    assert _of(JOURNAL, "step_started") == []


# -- run --dry-run -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_dry_run_shows_the_badge_and_executes_nothing(workdir: Path) -> None:
    app = make_app(mode="dry-run")
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        assert "DRY-RUN: NOTHING IS EXECUTED" in painted(app.screen.query_one(RunHeader))
        for step in ORDER[:3]:
            await run_step(pilot, step)
    assert _of(JOURNAL, "session_started")[0]["mode"] == "dry-run"
    assert [e["step"] for e in _of(JOURNAL, "step_started")] == list(ORDER[:3])
    assert not (workdir / "marks").exists()  # `echo ... >> marks` would have created it
    assert controller.state.steps["edit"].status == "done"


# -- resume --------------------------------------------------------------------------------------


def _killed_mid_step(workdir: Path) -> None:
    """`exec` as a person runs it, killed with SIGKILL while `slow` waits: a journal with a step that was running."""
    with open(workdir / "exec.out", "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "-p", "hold=true", "--solo", "kill test", "--journal", JOURNAL],
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
        assert "How did you check" in painted(prompt.query_one("#dialog-body"))
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        assert _of(JOURNAL, "step_marked_done") == []
        await pilot.press("d")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "service answers on 8080")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["slow"].status == "done", "slow to be marked done")
        assert controller.state.current == "drop"
        await pilot.press("d")  # only an unknown step can be marked done: nothing opens now
        await pilot.pause()
        assert type(app.screen).__name__ == "RunScreen"
    marked = _of(JOURNAL, "step_marked_done")
    assert [(e["step"], e["reason"], e["actor"]) for e in marked] == [("slow", "service answers on 8080", "alice")]
    assert "session_resumed" in types(JOURNAL)
    assert marks(workdir).count("slow") == 1  # nothing was re-run on its own
    assert [e["step"] for e in _of(JOURNAL, "step_started")].count("slow") == 1


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


# -- the verifier's keys (a fake client stands in for the SSH connection) ------------------------


@pytest.mark.asyncio
async def test_verifier_keys_send_their_intents(workdir: Path) -> None:
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        assert "verifier bob" in painted(app.screen.query_one(RunHeader))
        await pilot.press("enter")  # the step's details
        details = await screen_is(pilot, "InfoScreen")
        assert "Step 'check'" in painted(details.query_one("#dialog-title"))
        assert "echo check >> marks" in painted(details.query_one("#dialog-body"))
        await pilot.press("escape")
        await screen_is(pilot, "VerifierScreen")

        # Nothing to confirm yet ('check' verifies after it ran): the footer does not offer c.
        assert not app.screen.check_action("confirm", ())
        check = client.state.steps["check"]
        client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification")})
        assert app.screen.check_action("confirm", ())
        await pilot.press("c")
        await until(pilot, lambda: client.sent == [("confirm", "")], "confirm")
        await pilot.press("x")
        await screen_is(pilot, "TextPrompt")
        await pilot.press("escape")  # no reason, no rejection
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("x")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "wrong host")
        await pilot.press("enter")
        await until(pilot, lambda: client.sent[-1] == ("reject", "wrong host"), "reject")
        await pilot.press("u")
        await screen_is(pilot, "TextPrompt")
        await pilot.press("enter")  # the reason is optional
        await until(pilot, lambda: client.sent[-1] == ("request_rollback", ""), "request_rollback")
        await pilot.press("n")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "looks fine")
        await pilot.press("enter")
        await until(pilot, lambda: client.sent[-1] == ("note", "looks fine"), "note")
        await pilot.press("p")
        await until(pilot, lambda: client.sent[-1][0] == "hold", "hold")
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        await pilot.press("escape")
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("s", "d")  # the assignee's keys do nothing here
        await pilot.pause()
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")  # 'check' still waits for bob's word (this client never folds a reply)
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the verifier to leave")
    assert [action for action, _ in client.sent] == ["confirm", "reject", "request_rollback", "note", "hold"]
    assert app.return_value == 0


@pytest.mark.asyncio
async def test_c_with_nothing_to_confirm_says_why_and_sends_nothing(workdir: Path) -> None:
    """A verifier's `c` before the step ran used to do nothing at all: a lost key and a refusal looked the same."""
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        await pilot.press("c")
        await until(pilot, lambda: bool(app.screen.query("Toast")), "a notification saying why c did nothing")
        said = " ".join(painted(toast) for toast in app.screen.query("Toast"))
        assert "'check' is pending: nothing waits for your confirmation" in said, said
        assert client.sent == [], "nothing was sent to the assignee"


def test_why_c_confirms_nothing_follows_the_run(workdir: Path) -> None:
    from runbook_tui.ui.verifier_screen import nothing_to_confirm

    state = FakeClient(shared_session_events(workdir)).state

    def at(status: str, **changes: Any) -> str:
        check = dataclasses.replace(state.steps["check"], status=status)
        return nothing_to_confirm(dataclasses.replace(state, steps={**state.steps, "check": check}, **changes), observe=False)

    assert at("running") == "'check' is running: confirm it when it has ended and asks for your word"
    assert at("failed") == "'check' is FAILED: nothing waits for your confirmation (c confirms when a step asks for your word)"
    assert at("pending", paused=True).startswith("the run is paused; 'check' is pending: nothing waits")
    assert nothing_to_confirm(state, observe=True) == "you joined as an observer: you watch, you do not confirm"


@pytest.mark.asyncio
@pytest.mark.parametrize("flag", [True, False], ids=["--observe", "an observer's key without --observe"])
async def test_an_observer_cannot_confirm_reject_or_note(workdir: Path, flag: bool) -> None:
    """Nothing is sent, and each key says why (before, they did nothing at all). An observer's key joining without
    --observe is an observer too (before: the screen said "joined as verifier" and opened the reject prompt)."""
    client = FakeClient(shared_session_events(workdir))
    client.role = "observer"
    app = VerifierApp(client, observe=flag)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        assert "joined as observer (read-only)" in painted(app.screen.query_one("#journal-path"))
        await pilot.press("c", "x", "u", "n", "p")
        said = ["you joined as an observer: you watch, you do not confirm"]
        said += ["you joined as an observer: you watch; confirming, rejecting, notes and holds are the verifier's"] * 4
        await until(pilot, lambda: [n.message for n in app._notifications] == said, "each key to say why it does nothing")
        assert type(app.screen).__name__ == "VerifierScreen"
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the observer to leave")
    assert client.sent == []


@pytest.mark.asyncio
async def test_the_verifier_screen_follows_the_replica(workdir: Path) -> None:
    """An event the client folds shows on the verifier's screen (the repaint timer picks it up)."""
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_is(pilot, "VerifierScreen")
        event = {"seq": client.state.seq + 1, "ts": "2026-01-01T00:00:00.000Z", "type": "step_started", "actor": "alice",
                 "step": "check", "attempt": 1, "hosts": ["local"], "phase": "run", "title": "Config parses", "commands": {"local": "echo check"}}  # fmt: skip
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)
        await until(pilot, lambda: "running" in painted(screen.query_one(StepDetail)), "the running step on the verifier's screen")


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
    [settled] = _of("one.jsonl", "step_marked_done")
    assert settled["verified"] is False and "bob went home" in settled["reason"]


@pytest.mark.asyncio
async def test_the_verifier_losing_the_session_is_said_until_it_is_back_and_a_refused_rejoin_ends_the_join(workdir: Path) -> None:
    """At 80x24: the link down is a row of the stack, whole, until it is back (before: one toast that faded, and the
    screen went on looking joined). A rejoin refused for good ends the app with the reason for `join` to print (before:
    the follower died unseen and `c` said it would reach the assignee once reconnected). The header agrees with the row:
    `not connected` while it shows (before: `verifier bob connected` under `NOT CONNECTED`)."""
    import asyncssh

    from runbook_tui.share.client import JoinError

    client = FakeClient(shared_session_events(workdir))
    client.state = apply(
        client.state,
        {"seq": client.state.seq + 1, "ts": "2026-03-20T02:13:00.000Z", "type": ev.PARTICIPANT_JOINED, "actor": "bob", "name": "bob", "role": "verifier"},
    )
    refusal = asyncio.Event()

    async def run() -> None:
        await refusal.wait()
        raise JoinError("Host key is not trusted") from asyncssh.HostKeyNotVerifiable("Host key is not trusted")

    client.run = run  # type: ignore[method-assign]
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: "verifier bob connected" in painted(header), "the header to say bob is connected")
        client.lost_at = dt.datetime(2026, 3, 20, 2, 13, 5, tzinfo=dt.UTC).timestamp()
        stack = app.screen.query_one(StatusStack)
        await until(pilot, lambda: "NOT CONNECTED" in painted(stack), "the stack to say the link is down")
        assert "verifier bob not connected" in painted(header), painted(header)
        shown = " ".join(line.strip() for line in painted(stack).splitlines())
        assert shown.startswith("NOT CONNECTED since 02:13:05 (the assignee's program stopped, or the network)"), shown
        assert shown.endswith("it goes on with `resume --share` and this screen catches up by itself"), shown
        client.lost_at = None
        await until(pilot, lambda: "NOT CONNECTED" not in painted(stack), "the row to go once the link is back")
        assert "verifier bob connected" in painted(header), painted(header)
        client.diverged = "event 7 differs from the one received before: the assignee's history was rewritten; what you saw is kept in [b]c.jsonl"
        await until(pilot, lambda: "JOURNAL CHANGED" in painted(stack), "the stack to say the history changed")
        shown = " ".join(line.strip() for line in painted(stack).splitlines())  # for good: a toast faded, the screen froze
        assert shown.startswith("THE ASSIGNEE'S JOURNAL CHANGED what you had already seen (event 7 differs"), shown
        assert "kept in [b]c.jsonl): nothing after it is shown. p asks them to hold" in shown, shown
        refusal.set()
        await until(pilot, lambda: app.return_code == 2, "the app to end on the refused rejoin")
    assert isinstance(app.refused, JoinError) and isinstance(app.refused.__cause__, asyncssh.HostKeyNotVerifiable)


@pytest.mark.asyncio
async def test_the_verifier_leaving_while_a_step_waits_for_their_word_is_asked_first(workdir: Path) -> None:
    """One q left the run waiting with nobody to confirm; now q asks while the step waits for the verifier (and leaves
    at once otherwise, as before)."""
    client = FakeClient(shared_session_events(workdir))
    check = client.state.steps["check"]
    client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification")})
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("q")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "'check' waits for your word: the assignee cannot go past it until a verifier gives it" in body, body
        await pilot.press("n")
        await screen_is(pilot, "VerifierScreen")
        client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": check})  # nothing waits for bob
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the verifier to leave at once")
