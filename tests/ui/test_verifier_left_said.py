"""When the verifier left is said where the assignee looks, with its time.

Walked in tmux at 80x24: bob closed `join`, then his link was cut (the relay frozen: the session's keepalive let him go
15 s later). The journal has each `participant_left` with its time, and the report's Participants row the spans; but
the assignee's screen said only `── bob (verifier) left`, untimed among untimed lines (a step's output then scrolled it
off), so alice could not tell when the second person was gone, nor whether anyone was left to give a step its word.
Now the log's join and leave lines carry their time, as a note's and a decision's do, and a verifier leaving a run
that goes on is a notification naming when, and who (if anyone) still verifies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import make_app, prepare_workdir, started, until

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import initial
from runbook_tui.ui.log_lines import log_lines
from runbook_tui.ui.share_toasts import share_toast


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


LEFT = {"type": ev.PARTICIPANT_LEFT, "seq": 9, "ts": "2026-03-14T02:07:31.250Z", "actor": "system", "name": "bob", "role": "verifier"}


def test_the_log_says_when_someone_joined_and_left() -> None:
    assert log_lines(LEFT) == ["── 02:07:31 bob (verifier) left"]
    assert log_lines({**LEFT, "type": ev.PARTICIPANT_JOINED}) == ["── 02:07:31 bob joined as verifier"]
    assert log_lines({**LEFT, "role": "observer", "repeats": 3}) == ["── 02:07:31 bob (observer) left (3 more sessions counted)"]


def test_a_verifier_leaving_a_run_that_goes_on_is_said_with_who_is_left() -> None:
    state = initial()
    assert share_toast(LEFT, state) == (
        "Verifier left",
        "bob left at 02:07:31: no verifier is connected now; a step that needs a verifier's word waits for one",
    )
    carol = dataclasses.replace(state, participants={"carol": "verifier", "dan": "observer"})
    assert share_toast(LEFT, carol) == ("Verifier left", "bob left at 02:07:31: carol still verifies")
    assert share_toast({**LEFT, "role": "observer"}, state) is None, "an observer's leaving is the log's line alone"
    ended = dataclasses.replace(state, outcome="done")
    assert share_toast(LEFT, ended) is None, "after the end nothing waits for a verifier"
    hostile = {**LEFT, "name": "bob\x1b]0;pwned\x07[b]x[/b]"}
    _title, said = share_toast(hostile, state) or ("", "")
    assert "\x1b" not in said and "\x07" not in said and said.startswith("bob␛]0;pwned␇[b]x[/b] left at"), said


@pytest.mark.asyncio
async def test_the_assignee_is_told_when_bob_leaves(workdir: Path) -> None:
    app = make_app(solo=None, verifier_in_process=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        controller = await started(pilot)
        controller.join("bob", "verifier")
        controller.leave("bob", "verifier")

        def told() -> list[str]:
            return [str(n.message) for n in app._notifications if n.title == "Verifier left"]

        await until(pilot, lambda: bool(told()), "the notification that bob left")
        assert told()[0].startswith("bob left at ") and "no verifier is connected now" in told()[0], told()
