"""Snapshots of the verifier's screen and its dialogs at 80x24 and 140x45.

The verifier's screen is rebuilt from the assignee's events (here a fake
client holding a replica of a shared session's start); the status stack
names the verifier's keys, and `c confirm` is offered only when the step
waits for a confirmation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import RUNBOOK, FakeClient, painted, screen_is, settled, shared_session_events, with_plan, write_runbook
from textual.pilot import Pilot
from textual.widgets import Input

from runbook_tui.ui.modals import TextPrompt
from runbook_tui.ui.run_view import RunView
from runbook_tui.ui.verifier_app import VerifierApp

FROZEN = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)
BOTH = pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def frozen_clock(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The working folder of tests/ui/conftest.py, and the screens' clock stopped: a snapshot shows times."""
    monkeypatch.setattr(RunView, "clock", staticmethod(lambda: FROZEN))


def _verifier(waiting: bool) -> VerifierApp:
    client = FakeClient(shared_session_events(Path.cwd()))
    if waiting:  # 'check' ran and waits for the verifier
        check = client.state.steps["check"]
        steps = {**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification")}
        client.state = dataclasses.replace(client.state, steps=steps)
    return VerifierApp(client)


def _then(*keys: str, screen: str = "VerifierScreen") -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        if keys:
            await pilot.press(*keys)
            await screen_is(pilot, screen)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        pilot.app.clear_notifications()
        await settled(pilot)

    return run_before


@BOTH
def test_snapshot_verifier_nothing_to_confirm(snap_compare: Snap, size: tuple[int, int]) -> None:
    """'check' is pending (it verifies after it ran): nothing needs attention, so the status row says calmly
    `Next: 'check' on local: alice runs it, then your word · Config parses` (no key: running it is the assignee's;
    it read the assignee's words alone, and nothing said bob's word would follow); the footer offers details, request rollback, note, hold, help, leave, steps, copy — but no
    `c confirm` and no `x reject`: it has not run, and it asks no go-ahead (x said "it does not start" and alice's enter ran it);
    at 80 columns it ends where a key would not fit whole (never a lone `y`);
    "joined as verifier" on the one row above it."""
    assert snap_compare(_verifier(False), run_before=_then(), terminal_size=size)


@BOTH
def test_snapshot_verifier_asked_to_confirm(snap_compare: Snap, size: tuple[int, int]) -> None:
    """'check' waits: the status stack says to bob, whose word it is, `Your word on 'check': it has run — c confirm ·
    x reject` (it read `Waiting for bob to confirm 'check'`, bob's name in the third person on his own screen), and the
    footer offers `c confirm` (at 80 columns `⏎ details c confirm x reject u request rollback n note p hold ? help
    q leave`, each key whole)."""
    assert snap_compare(_verifier(True), run_before=_then(), terminal_size=size)


@BOTH
def test_snapshot_verifier_step_details(snap_compare: Snap, size: tuple[int, int]) -> None:
    """enter: "Step 'check'" centred: the rendered title, its facts (id, section, where, `verifier confirms after it runs`), then `run on local:`
    with the command below it as it runs (`echo check >> marks; echo config ok`: written out, not YAML-quoted), its undo,
    then what became of it (`⧗ waiting for verifier`, as the detail pane says); the body scrolls and `escape / q / enter / ? close` stays pinned below."""
    assert snap_compare(_verifier(True), run_before=_then("enter", screen="InfoScreen"), terminal_size=size)


@BOTH
def test_snapshot_verifier_reject_reason(snap_compare: Snap, size: tuple[int, int]) -> None:
    """x on 'check', which ran and waits: "Reject 'check'", what happens (the run stops, the assignee sees the reason), an empty reason field,
    `enter reject 'check' · escape cancel` pinned: what enter does, as the run screen's dialogs say it (`enter skip 'drop'`)."""
    assert snap_compare(_verifier(True), run_before=_then("x", screen="TextPrompt"), terminal_size=size)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("waiting", "key", "says"),
    [
        (True, "x", "enter reject 'check' · escape cancel"),
        (False, "u", "enter request the rollback · escape cancel"),
        (False, "n", "enter add the note · escape cancel"),
    ],
)
async def test_the_verifiers_dialogs_say_what_enter_does(waiting: bool, key: str, says: str) -> None:
    """Walked: x's dialog read `enter submit · escape cancel`, where the run screen's say what enter does (`enter skip
    'drop'`, `enter mark 'x' done`): enter rejects the step (the run stops there), requests the rollback, adds the note."""
    app = _verifier(waiting)
    async with app.run_test(size=(80, 24)) as pilot:
        await _then(key, screen="TextPrompt")(pilot)
        assert " ".join(painted(app.screen.query_one("#dialog-keys")).split()) == says


#: 'check' asking the go-ahead, its command ten lines, the dangerous one ninth: more than the pane holds at 80x24.
TALL = "".join(f"\n          echo line{n}" for n in range(1, 9)) + "\n          rm -rf /srv/app/releases/old\n          echo done"
TALL_RUNBOOK = RUNBOOK.replace("        run: echo check >> marks; echo config ok", f"        verify: before\n        run: |{TALL}")


def test_snapshot_verifier_go_ahead_shows_the_step_whole_first(snap_compare: Snap) -> None:
    """c on 'check' (`verify: before`), whose ten-line command the pane cuts at 80x24 (`▼ … more lines: v shows all`):
    instead of giving the go-ahead at once, "Your go-ahead for 'check'" centred, the lead (`The step pane does not show all
    of this step now: this is what runs, where, and its undo.`), `run on local:` with all ten lines, `rm -rf
    /srv/app/releases/old` ninth, then `It has no undo: a rollback cannot take it back.`, and `y give the go-ahead · n /
    escape cancel` pinned below; nothing sent yet (test_read_first.py)."""
    write_runbook(Path.cwd(), TALL_RUNBOOK)
    assert snap_compare(_verifier(False), run_before=_then("c", screen="ConfirmPrompt"), terminal_size=(80, 24))


@pytest.mark.asyncio
async def test_rejecting_a_step_with_a_go_ahead_says_the_go_ahead_is_withdrawn() -> None:
    """x on a step bob already let start: the dialog says, before he types, that the go-ahead goes with the rejection."""
    app = _verifier(False)
    client = app.client
    check = client.state.steps["check"]
    given = dataclasses.replace(check, go_ahead_by="bob")  # only a step that asks a go-ahead (verify: both) has one given
    client.state = dataclasses.replace(with_plan(client.state, "check", verify="both"), steps={**client.state.steps, "check": given})
    async with app.run_test(size=(80, 24)) as pilot:
        await _then("x", screen="TextPrompt")(pilot)
        prompt = pilot.app.screen
        assert isinstance(prompt, TextPrompt) and "The go-ahead given is withdrawn" in prompt.explanation
        # 'check' has not run: x refuses its go-ahead, as the rows then say (`GO-AHEAD REFUSED`); it said `Reject 'check'`
        assert prompt.title_text == "Refuse the go-ahead for 'check'" and prompt.explanation.startswith("It does not start:"), prompt.title_text
        assert "The go-ahead given is withdrawn" in " ".join(painted(w) for w in prompt.walk_children()).replace("\n", " ")
