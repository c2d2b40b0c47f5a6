"""The assignee is told, as the run opens, when their decisions go unsigned (no `--identity` key, no key in the
ssh-agent): until now only the report and `journal verify` said so, after the night."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, make_app, painted, screen_is, shared_session_events, started, until

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine import events as ev
from runbook_tui.engine.state import apply
from runbook_tui.trust.run_trust import RunTrust
from runbook_tui.trust.sshsig import file_signer
from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.verifier_app import VerifierApp


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_run_without_a_key_says_its_decisions_are_unsigned_after_the_journal(workdir: Path, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        foot = app.screen.query_one("#journal-path", NoteLine)
        said = "journal: j.jsonl · decisions unsigned: no --identity key, no agent key"
        await until(pilot, lambda: painted(foot).strip() == said, f"{said!r} painted")  # once laid out (at once, the line could still be 0x0)


def _session(workdir: Path, **options: Any) -> Any:
    return open_session(
        load(str(workdir / "runbook.yaml"), {}), journal=str(workdir / f"j{len(list(workdir.iterdir()))}.jsonl"), settings=Settings(), **options
    )


def test_a_key_or_a_run_that_decides_nothing_for_real_says_nothing(workdir: Path) -> None:
    key = workdir / "alice"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", str(key)], check=True)
    signed = _session(workdir, solo="ui test", trust=RunTrust(file_signer(str(key))))
    unsigned = _session(workdir, solo="ui test", trust=RunTrust(None))
    dry = _session(workdir, solo="ui test", mode="dry-run")
    try:
        assert signed.unsigned_note == "" and dry.unsigned_note == ""
        assert unsigned.unsigned_note == "decisions unsigned: no --identity key, no agent key"
    finally:
        for session in (signed, unsigned, dry):
            session.controller.journal.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("size", "said"),
    [
        ((80, 24), "joined as verifier · the assignee's decisions are unsigned"),
        # the reason is the assignee's run's: an observer who joined with --identity read `no --identity key` as theirs
        ((140, 45), "joined as verifier · the assignee's decisions are unsigned: their run has no --identity key, no agent key"),
    ],
    ids=["80x24", "140x45"],
)
async def test_the_verifier_is_told_the_assignees_decisions_are_unsigned(workdir: Path, size: tuple[int, int], said: str) -> None:
    """The session's welcome carries the assignee's foot's words (`Session.unsigned_note`, tests/share/test_signed_run.py);
    the verifier's foot says them, shortened to fit at 80 columns (before: only the assignee's screen said it). A
    reconnect whose welcome says nothing (the assignee resumed with a key) takes it away."""
    client = FakeClient(shared_session_events(workdir))
    client.unsigned = "decisions unsigned: no --identity key, no agent key"
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        foot = app.screen.query_one("#journal-path", NoteLine)
        assert painted(foot).strip() == said, painted(foot)
        client.unsigned = ""
        joined = "joined as verifier; your confirmations are journaled under your name"
        await until(pilot, lambda: painted(foot).strip() == joined, "the foot to drop the words once the welcome drops them")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_verifiers_foot_says_the_run_is_over_once_it_is(workdir: Path, size: tuple[int, int]) -> None:
    """A shared run finished while bob's screen stays open: his foot still said `your confirmations are journaled under
    your name`, a promise about a run that takes no more of them. Now it says the run is over, as soon as the end
    arrives (and, on a screen opened after it, from the start)."""
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        foot = app.screen.query_one("#journal-path", NoteLine)
        assert painted(foot).strip() == "joined as verifier; your confirmations are journaled under your name", painted(foot)
        finished = {"seq": client.state.seq + 1, "ts": "2026-03-20T02:13:00.000Z", "type": ev.SESSION_FINISHED, "actor": "system", "outcome": "done"}
        client.state = apply(client.state, finished)
        for listener in client._listeners:
            listener(finished, client.state)
        over = "joined as verifier; the run is over: nothing more to confirm"
        await until(pilot, lambda: painted(foot).strip() == over, f"{over!r} painted once the run finished")
