"""A change of how the run is verified (`resume --share` of a solo run, `resume --solo REASON` of a shared one) on the
log of every screen, with who and when, in exec's words.

Walked in tmux: alice ran step 'a' with `--solo "bob is late"`, quit, and resumed with `--share`; bob joined. Both
screens read `a done [unverified]`, `resumed by alice`, `bob joined as verifier`, and nothing of the run going shared,
when or by whom: only exec's lines said `mode_changed by alice: shared from now on: …`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, events, prepare_workdir, screen_is, until

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.actors import Actor
from runbook_tui.engine.describe import describe
from runbook_tui.engine.state import apply
from runbook_tui.ui.output_pane import CONTINUED, OutputLog
from runbook_tui.ui.verifier_app import VerifierApp


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


def _journaled_changes() -> list[dict[str, Any]]:
    """A solo run made shared, then solo again, as `resume --share` and `resume --solo` journal it."""
    session = open_session(load("runbook.yaml", {}), solo="bob is late", journal="j.jsonl", settings=Settings())
    alice = Actor("alice", "assignee")
    session.controller.change_mode(alice, solo=None, shared=True)
    session.controller.change_mode(alice, solo="bob went [b]home[/b]", shared=False)
    session.controller.journal.close()
    return events("j.jsonl")


def _pane(app: Any) -> list[str]:
    return [line.removeprefix(CONTINUED).rstrip() for pane in app.screen.query(OutputLog) for line in pane.lines]


def test_exec_says_what_changed_and_by_whom() -> None:
    changes = [e for e in _journaled_changes() if e["type"] == "mode_changed"]
    assert [describe(e)[0].split(" ", 2)[2].strip() for e in changes] == [
        "shared from now on by alice: a verifier may join",
        "solo from now on by alice: bob went [b]home[/b]",
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_verifier_reads_the_run_going_shared(size: tuple[int, int]) -> None:
    journaled = _journaled_changes()
    shared_at = next(i for i, e in enumerate(journaled) if e["type"] == "mode_changed")
    client = FakeClient(journaled[:shared_at])
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        event = journaled[shared_at]
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)
        at = str(event["ts"])[11:19]
        line = f"── {at} shared from now on by alice: a verifier may join"
        await until(pilot, lambda: line in _pane(app), f"the change on the verifier's log: {_pane(app)}")
        assert not any(re.search(r"by alice: shared", text) for text in _pane(app))
