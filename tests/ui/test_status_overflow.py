"""The status stack when more needs attention than its rows hold: the most urgent first, and what has no row counted
and named (past the fourth row the rest was cut with no sign, and the one cut could be a rollback request or a
closing window), with `e` to list them all; on a tall screen, more rows (four at any height before)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from run_screen_helpers import FakeClient, painted, screen_is, shared_session_events, until
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Region

from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import with_step
from runbook_tui.ui.modals import HELP_KEYS
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.run_view import RunView
from runbook_tui.ui.status_stack import EVERY_STATUS_KEY, StatusStack, every_status_text, max_rows
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import StepDetail

NOW = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)
REASON = "the config still points at the old database host; fix the template and ask again"


class _Stack(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusStack()


def _busy_night(workdir: Path) -> RunState:
    return _busy(FakeClient(shared_session_events(workdir)).state)


def _busy(state: RunState) -> RunState:
    """bob refused 'check' its go-ahead (two rows at 80 columns), the run is paused, bob asks to hold, the window
    closes in 5 minutes: five rows of statuses."""
    state = with_step(state, "check", status="rejected", decision="go-ahead refused", decided_by="bob", decided_at="2026-03-14T01:59:00Z", reason=REASON)
    ticket = {**(state.session.get("ticket") or {}), "window": {"start": "2026-03-14T01:00:00+00:00", "end": "2026-03-14T02:05:00+00:00"}}
    return dataclasses.replace(state, paused=True, pause_reason="alice paused", hold_requested="bob asks to hold", session={**state.session, "ticket": ticket})


def _rows(stack: Any) -> list[str]:
    width, height = stack.outer_size
    return [strip.text.strip() for strip in stack.render_lines(Region(0, 0, width, height))]


@pytest.mark.asyncio
async def test_at_80x24_the_most_urgent_status_shows_first_and_those_cut_are_counted(workdir: Path) -> None:
    """The rows must show, at 80 columns, in four rows: the errors first (the closing window was the row cut, under
    two warnings), each status with its keys whole, and, when five statuses need more rows than four, `+N more` naming
    the ones with no row."""
    app = _Stack()
    async with app.run_test(size=(80, 24)) as pilot:
        stack = app.query_one(StatusStack)
        state = _busy_night(workdir)
        stack.show(state, NOW, "assignee")
        await until(pilot, lambda: len(_rows(stack)) == 4, "four rows of statuses")
        # The pane says the reason whole; paused, the row offers no enter (refused while paused, the footer leaves it out).
        refused = "'check' GO-AHEAD REFUSED by bob 01:59:00: the config still poin… — u roll back"
        assert _rows(stack) == [refused, "window closes in 5m", "PAUSED: alice paused — p resume", "HOLD asked: bob asks to hold — p pause"]
        stack.show(dataclasses.replace(state, rollback_requested="bob: the error rate doubled"), NOW, "assignee")
        rollback = "ROLLBACK REQUESTED: bob: the error rate doubled — u roll back · x decline"
        await until(pilot, lambda: _rows(stack)[0] == rollback, f"the rollback request on the first row: {_rows(stack)}")
        # The row names the key that lists them whole (it said `shown as those above clear`, and nothing listed them).
        more = "+2 more: PAUSED: alice paused · HOLD asked: bob asks to hold — e every status"
        assert _rows(stack) == [rollback, refused, "window closes in 5m", more]
        # `e`'s list: each status whole, its keys on a row of their own (never split across a wrapped row).
        listed = every_status_text(stack.found, "assignee").split("\n\n")
        assert listed[:2] == [rollback.replace(" — ", "\n  — "), f"'check' GO-AHEAD REFUSED by bob 01:59:00: {REASON}\n  — u roll back"]
        assert listed[2:] == ["window closes in 5m", "PAUSED: alice paused\n  — p resume", "HOLD asked: bob asks to hold\n  — p pause"], listed


@pytest.mark.asyncio
async def test_a_tall_screen_gives_the_stack_more_rows_and_e_lists_every_status_on_either_screen(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack must grow with the screen (four rows at 80x24 under any height before): at 140x45 the busy night's
    five statuses show whole in five rows with no `+N more`, while the output pane keeps most of the screen; at 80x24
    (the sketch in shared/screens.md) four rows, the command and the output still on screen. `e`, which the `+N more`
    row names, opens every status whole with the verifier's keys, on the verifier's screen as on the assignee's (the
    key is the run view's); the help says what `e` does, in the binding's words."""
    monkeypatch.setattr(RunView, "clock", staticmethod(lambda: NOW))
    assert [max_rows(height) for height in (24, 31, 45, 60)] == [4, 5, 7, 10]
    client = FakeClient(shared_session_events(workdir))
    client.state = dataclasses.replace(_busy(client.state), rollback_requested="bob: the error rate doubled")
    app = VerifierApp(client)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await screen_is(pilot, "VerifierScreen")
        stack = screen.query_one(StatusStack)
        await until(pilot, lambda: len(_rows(stack)) == 5, "five rows at 140x45")
        rows = _rows(stack)
        assert rows[0].startswith("ROLLBACK REQUESTED: bob: the error rate doubled") and not any("more" in row for row in rows), rows
        assert f"{REASON}" in rows[1], "the refusal whole, on its row"
        assert screen.query_one(OutputLog).size.height >= 20, "the output keeps most of the screen"
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: len(_rows(stack)) == 4 and _rows(stack)[-1].startswith("+2 more:"), "four rows at 80x24, the last +2 more")
        assert _rows(stack)[-1].endswith(" — e every status"), _rows(stack)
        assert screen.query_one(StepDetail).region.height >= 3 and screen.query_one(OutputLog).region.height >= 4, "command and output on screen"
        await pilot.press("e")
        listing = await screen_is(pilot, "InfoScreen")
        said = painted(listing.query_one("#dialog-body"))
        for words in ("ROLLBACK REQUESTED", REASON.split(";")[0], "window closes in 5m", "PAUSED: alice paused", "HOLD asked: bob asks to hold"):
            assert words in " ".join(said.split()), (words, said)
        await pilot.press("escape")
        await screen_is(pilot, "VerifierScreen")
    binding = next(b for b in RunView.BINDINGS if isinstance(b, Binding) and b.key == "e")
    assert EVERY_STATUS_KEY == f"e {binding.description}" and binding.action == "every_status"
    assert dict(HELP_KEYS)["e"].startswith(f"{binding.description}:"), "the help calls e what the row calls it"


@pytest.mark.asyncio
async def test_a_resize_lays_the_stack_out_again_at_once_not_at_the_next_tick(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a resize the stack kept the old size's rows until something else redrew it (the 1 s tick, a key, an
    event): at 80x24 the 140-column rows, folded by the terminal and past the row limit with no `+N more`; back at
    140x45, the refusal still cut to the 80-column row. With the tick an hour away, only the resize can lay it out:
    the rows must fit each size, as `arrange` lays them out for it, also when the resize came while a dialog covered
    the screen."""
    monkeypatch.setattr(RunView, "clock", staticmethod(lambda: NOW))
    monkeypatch.setattr(RunView, "TICK_SECONDS", 3600.0)
    client = FakeClient(shared_session_events(workdir))
    client.state = dataclasses.replace(_busy(client.state), rollback_requested="bob: the error rate doubled")
    # The verifier's words for bob's hold say whose move it is (`; waiting for alice to pause`), cut on this row.
    more = "+2 more: PAUSED: alice paused · HOLD asked: bob asks to hold… — e every status"

    def whole_at_140(rows: list[str]) -> bool:
        return len(rows) == 5 and any(REASON in row for row in rows) and not any("more" in row for row in rows)

    def laid_out_at_80(rows: list[str]) -> bool:
        return len(rows) == 4 and rows[-1] == more

    async with VerifierApp(client).run_test(size=(140, 45)) as pilot:
        screen = await screen_is(pilot, "VerifierScreen")
        stack = screen.query_one(StatusStack)
        await until(pilot, lambda: whole_at_140(_rows(stack)), "five whole rows at 140x45", seconds=5)
        for size, laid_out in (((80, 24), laid_out_at_80), ((140, 45), whole_at_140), ((80, 24), laid_out_at_80)):
            await pilot.resize_terminal(*size)
            await until(pilot, lambda fits=laid_out: fits(_rows(stack)), f"the stack laid out for {size} after the resize", seconds=5)
            assert stack.outer_size.width == size[0] and all(cell_len(row) <= size[0] - 2 for row in _rows(stack)), _rows(stack)
        assert _rows(stack)[0].startswith("ROLLBACK REQUESTED: bob: the error rate doubled"), _rows(stack)
        # Resized while `e`'s list covers the screen: the stack underneath follows, as it shows when the list closes.
        await pilot.press("e")
        await screen_is(pilot, "InfoScreen")
        await pilot.resize_terminal(140, 45)
        await pilot.press("escape")
        await screen_is(pilot, "VerifierScreen")
        await until(pilot, lambda: whole_at_140(_rows(stack)), "five whole rows at 140x45 once the list closed", seconds=5)


@pytest.mark.asyncio
async def test_a_status_cut_to_its_row_with_no_keys_of_its_own_names_e(workdir: Path) -> None:
    """A finished run whose silence Alertmanager could not expire, at 80x24: the silence's row (four rows whole) is cut
    to one above `Session finished`. Before: it ended `… (connection refused (asked 3 times)): al…` and nothing on the
    screen said how to read until when alerts stay silenced or how to expire it; now the row names `e`, whose list
    has it whole."""
    silence = {"ends_at": "2099-01-02T04:00:00Z", "alertmanager": "http://127.0.0.1:9093", "expire_failed": "connection refused (asked 3 times)"}
    state = dataclasses.replace(FakeClient(shared_session_events(workdir)).state, outcome="done", silences={"abc-123": silence})
    assert state.finished
    app = _Stack()
    async with app.run_test(size=(80, 24)) as pilot:
        stack = app.query_one(StatusStack)
        stack.show(state, NOW, "assignee")
        await until(pilot, lambda: len(_rows(stack)) == 2, f"two rows: {_rows(stack)}")
        rows = _rows(stack)
        assert rows[0].startswith("1 alert silence could NOT be expired (connection refused") and rows[0].endswith("… — e every status"), rows
        assert rows[1] == "Session finished: done. The journal has everything — q quit", rows
        listed = every_status_text(stack.found, "assignee")
        assert "alerts stay silenced until 2099-01-02 04:00:00; expire it at http://127.0.0.1:9093" in listed, listed
