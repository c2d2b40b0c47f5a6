"""The run screen driven with the documented keys (spec: cli-and-journal.md, "Keys in the TUI"); after a resume:
test_run_screen_resume.py; the verifier's keys: test_verifier_keys.py.

Each test walks an example-like local runbook (run_screen_helpers.RUNBOOK) with
Pilot and asserts what the journal says happened, not pixels. Every wait polls
the state in a bounded loop: the machine running these may be busy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import (
    ORDER,
    RUNBOOK,
    SIZE,
    events,
    footer_keys,
    make_app,
    marks,
    of_kind,
    painted,
    run_step,
    screen_is,
    settled,
    started,
    type_text,
    types,
    until,
    until_apply_failed,
    write_runbook,
)
from textual.widgets import Static

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine import events as ev
from runbook_tui.engine.state import replay
from runbook_tui.trust.approval import Approval
from runbook_tui.trust.run_trust import RunTrust
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.output_pane import CONTINUED, OutputLog
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.widgets import RunHeader, StepDetail

JOURNAL = "j.jsonl"


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
        # The live run ended: the post-change review asks three questions; enter moves on, then saves it, and the
        # action line says which (it read `enter next / submit` in each answer).
        keys = (await screen_is(pilot, "ReviewScreen")).query_one("#dialog-keys")
        said = "enter next question · escape skip (no review in the report)"
        await until(pilot, lambda: " ".join(painted(keys).split()) == said, f"{said!r} in the first answer")
        await type_text(pilot, "all")
        await pilot.press("enter", "enter")
        said = "enter save the review to the journal and the report · escape skip (no review in the report)"
        await until(pilot, lambda: " ".join(painted(keys).split()) == said, f"{said!r} in the last answer")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.review is not None, "the review")
        await screen_is(pilot, "RunScreen")
        await settled(pilot)
        assert "Session finished: done" in painted(app.screen.query_one(StatusStack))
        await pilot.press("q")  # nothing runs: quits at once
    assert app.return_value == 0
    started_steps = [e["step"] for e in of_kind(JOURNAL, "step_started")]
    assert started_steps == list(ORDER)
    assert all(e["status"] == "done" for e in of_kind(JOURNAL, "step_finished"))
    assert marks(workdir) == list(ORDER)
    assert types(JOURNAL, "session_finished", "review") == ["session_finished", "review"]
    assert of_kind(JOURNAL, "session_finished")[0]["outcome"] == "done"
    assert of_kind(JOURNAL, "review")[0]["planned"] == "all"
    assert all(e["actor"] == "alice" for e in of_kind(JOURNAL, "step_started"))


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
        assert "drop" not in [e["step"] for e in of_kind(JOURNAL, "step_started")]
        assert "drop" not in marks(workdir)
        await pilot.press("enter")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["drop"].status == "done" and not controller.busy, "drop to run after y")
    assert [e["step"] for e in of_kind(JOURNAL, "step_started")].count("drop") == 1
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
        assert of_kind(JOURNAL, "step_skipped") == []
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
    skipped = of_kind(JOURNAL, "step_skipped")
    assert [(e["step"], e["reason"], e["actor"]) for e in skipped] == [("check", "checked by hand", "alice")]
    assert of_kind(JOURNAL, "step_started") == [] and marks(workdir) == []


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
    notes = of_kind(JOURNAL, "note")
    assert [(e["text"], e["actor"], e["step"]) for e in notes] == [("dba on the bridge", "alice", "check")]


def log_text(app: Any) -> str:
    """The output pane's lines as one text, a wrapped line joined to its start ("" until the pane is mounted: the screen
    shows before its containers have mounted theirs)."""
    return " ".join(line.removeprefix(CONTINUED).strip() for pane in app.screen.query(OutputLog) for line in pane.lines)


@pytest.mark.asyncio
async def test_the_share_port_refusing_connections_is_said_in_the_log_and_a_notification(workdir: Path) -> None:
    """A flood keeping the verifier out is said where the assignee looks (the share server emits this event)."""
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        controller = await started(pilot)
        rack = app.screen.query_one("#textual-toastrack")  # hidden until a toast comes (one layout fewer before the first frame)
        assert not rack.display
        controller.emit(ev.SHARE_REFUSING, ev.SYSTEM, refused=3, reason="refused_address", waiting=32, addresses=1)
        said = "share port: 3 connections refused, one address holds as many connections waiting to authenticate as one may"

        await until(pilot, lambda: said in log_text(app), "the log line")
        toast = ("Share port", "3 connections refused: a verifier may not get in while this lasts (the log says why)")
        await until(pilot, lambda: toast in [(n.title, n.message) for n in app._notifications] and rack.display and bool(rack.query("Toast")), "the toast")


@pytest.mark.asyncio
async def test_a_stranger_knocking_on_the_share_port_is_a_notification_too(workdir: Path) -> None:
    """A key that is not a participant's tried to get in: the log names the key, and a toast says it where the
    assignee looks while output floods the log (before, the log line only)."""
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        controller = await started(pilot)
        key = {"fingerprint": "SHA256:abc", "type": "ssh-ed25519"}
        controller.emit(ev.JOIN_REFUSED, ev.SYSTEM, keys=[key], user="[b]mallory[/b]", address="10.0.0.9", last=False)
        said = 'join refused: a key that is not a participant\'s (ssh-ed25519 SHA256:abc) from 10.0.0.9, user "[b]mallory[/b]"'
        await until(pilot, lambda: said in log_text(app), "the log line")
        toast = ("Join refused", "10.0.0.9 offered a key that is not a participant's (the log says which)")
        await until(pilot, lambda: toast in [(n.title, n.message) for n in app._notifications], "the toast")


@pytest.mark.asyncio
async def test_a_new_run_shows_what_its_opening_journaled_such_as_the_plans_approval(workdir: Path) -> None:
    """The approval a run starts under (`run --approval`) is journaled before the screen shows: the log said nothing of
    it (a resumed run's pane starts with its last events; a new run's started empty). Now the log's first line names
    who approved which plan, as exec, the verifier and replay say it."""
    approval = Approval({"plan": "0123456789abcdef" * 4, "by": "bob"}, "signature", "SHA256:bobskey", "bob", "bob.approval")

    def starter(override: str | None) -> Any:
        loaded = load("runbook.yaml", {})
        return open_session(loaded, solo="ui test", journal="j.jsonl", settings=Settings(), trust=RunTrust(None, approval=approval))

    app = RunbookApp(starter)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        said = "── plan sha256 0123456789abcdef approved by bob with SHA256:bobskey"
        await until(pilot, lambda: said in log_text(app), f"{said!r} in the log")
    assert of_kind(JOURNAL, "plan_approved")[0]["principal"] == "bob"


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
        assert of_kind(JOURNAL, "step_started") == []
        assert not controller.busy and controller.state.steps["check"].status == "pending"
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused, "the resume")
        await run_step(pilot, "check")
    assert types(JOURNAL, "paused", "resumed", "step_started") == ["paused", "resumed", "step_started"]


@pytest.mark.asyncio
async def test_the_footer_drops_the_run_key_while_paused_and_says_p_resume(workdir: Path) -> None:
    """The screen tells the footer only when a key's availability changed: a pause must still reach it.
    While paused, p resumes, and the footer says so (it said `p pause` on a paused run); resumed, `p pause` again."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        at_start = footer_keys(app)
        assert at_start[0] == "⏎ run" and "p pause" in at_start and "p resume" not in at_start
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused, "the pause")
        await until(pilot, lambda: "⏎ run" not in footer_keys(app), "the run key to go")
        paused = footer_keys(app)
        assert "p resume" in paused and "p pause" not in paused and "u roll back" in paused
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused, "the resume")
        await until(pilot, lambda: "⏎ run" in footer_keys(app), "the run key to come back")
        assert footer_keys(app) == at_start


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
            assert footer_keys(app)[0] == enter and [key for key in footer_keys(app) if key.startswith("⏎")] == [enter], (solo, footer_keys(app))


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
        await until_apply_failed(pilot)
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
    assert [e["step"] for e in of_kind(JOURNAL, "step_started")] == ["check", "backup", "edit", "tweak", "apply"], "nothing ran again"
    assert of_kind(JOURNAL, "step_skipped") == []


@pytest.mark.asyncio
async def test_after_a_failure_u_lists_the_undos_in_order_and_y_runs_them(workdir: Path) -> None:
    app = make_app(params={"fail": True})
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await until_apply_failed(pilot)
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
        assert of_kind(JOURNAL, "rollback_started") == []

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
    assert of_kind(JOURNAL, "rollback_started") == []


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
    assert [e["step"] for e in of_kind(JOURNAL, "step_started")][-1] == "slow"
    assert "slow" not in [e["step"] for e in of_kind(JOURNAL, "step_finished")]
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
    assert of_kind(JOURNAL, "step_started") == []


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
    assert of_kind(JOURNAL, "session_started")[0]["mode"] == "dry-run"
    assert [e["step"] for e in of_kind(JOURNAL, "step_started")] == list(ORDER[:3])
    assert not (workdir / "marks").exists()  # `echo ... >> marks` would have created it
    assert controller.state.steps["edit"].status == "done"


@pytest.mark.asyncio
async def test_the_footer_says_re_run_where_enter_runs_the_step_again(workdir: Path) -> None:
    """A failed step: the status row says `enter re-run` and the footer said `⏎ run`; now both say re-run, and enter
    does run it again (a second attempt). After a rollback the step next again ran before: its row said `enter run it`
    while the footer said re-run; both say re-run."""
    app = make_app(params={"fail": True})
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        for step in ("check", "backup", "edit", "tweak"):
            await run_step(pilot, step)
        await settled(pilot)
        assert [key for key in footer_keys(app) if key.startswith("⏎")] == ["⏎ run"]
        await run_step(pilot, "apply", "failed")
        await until(pilot, lambda: "⏎ re-run" in footer_keys(app), "the footer to say re-run")
        assert [key for key in footer_keys(app) if key.startswith("⏎")] == ["⏎ re-run"]
        await run_step(pilot, "apply", "failed")
        assert controller.state.steps["apply"].attempts == 2
        await pilot.press("u")  # back to backup: 'edit' ran before, and its row and the footer say re-run alike
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished and not controller.busy, "the rollback")
        await settled(pilot)
        assert "'edit' is next again — enter re-run" in " ".join(painted(app.screen.query_one("#status")).split())
        assert [key for key in footer_keys(app) if key.startswith("⏎")] == ["⏎ re-run"]
