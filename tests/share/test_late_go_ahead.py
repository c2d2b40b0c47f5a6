"""A verifier's word given before a later decision on the step cannot land after it and undo it.

bob follows alice's run from two `join` windows. From one he gives 'one' its go-ahead; the link of that window is slow,
and meanwhile, from the other, he refuses the go-ahead. The go-ahead arrived last and was taken: the same signed
statement (the step, its attempt, the commands shown) still held, nothing ordered words sent over two connections, and
the go-ahead came back after his refusal; alice's enter would have run the step. Now each word names the decision it
answers (the journal line of the last one on the step), and one that answers an older decision is refused in words.

Real processes: the assignee's `run --share` in tmux (80x24), bob's two windows real ShareClients over SSH, signing with
his key.
"""

from __future__ import annotations

import asyncio
import sys

import pytest
from share_peers import Lab, free_port, journal_state, of_type, until
from share_peers import journal as journal_events
from test_tmux_e2e import Tmux, _fingerprint

from runbook_tui.engine.state import confirmable
from runbook_tui.share.client import ShareClient

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]

GO_AHEAD = """\
runbook: 1
id: go-ahead
title: A step that needs a go-ahead
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
        undo: echo undo-one
        verify: before
"""


def _asks_go_ahead(client: ShareClient) -> bool:
    return client.state.current == "one" and confirmable(client.state) == "before"


async def test_a_go_ahead_sent_before_a_refusal_and_arriving_after_it_is_refused(lab: Lab) -> None:
    bob = lab.key("bob")
    port, path = free_port(), lab.root / "J.jsonl"
    env = lab.env()  # RUNBOOK_TUI_USER=alice
    keep = {k: env[k] for k in ("PATH", "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "RUNBOOK_TUI_USER")} | {"TERM": "xterm-256color", "SHELL": "/bin/sh"}
    run = [sys.executable, "-m", "runbook_tui", "run", str(lab.runbook(GO_AHEAD)), "--share", f"127.0.0.1:{port}", "--verifier-key", f"{bob}.pub"]
    tmux = Tmux(lab.root)
    windows: list[ShareClient] = []
    follows: list[asyncio.Task[None]] = []
    try:
        tmux.start("alice", [*run, "--journal", path.name], keep, lab.root, size=(80, 24))
        fingerprint = await asyncio.to_thread(_fingerprint, path, 60)
        await lab.trust(fingerprint, port)
        windows = [lab.client(bob, port), lab.client(bob, port)]
        follows = [asyncio.create_task(window.run()) for window in windows]
        slow, other = windows
        await until(lambda: all(_asks_go_ahead(window) for window in windows), 60, "both of bob's windows to show 'one' asking its go-ahead")

        assert slow.trust is not None
        late = await slow.trust.sign_decision(slow.state, "confirm", "one", "")  # c in the slow window: signed, not there yet
        refused = await other.send("reject", "the backup is not checked yet")
        assert refused.ok, refused.message
        await until(lambda: slow.state.steps["one"].decision == "go-ahead refused", 30, "the slow window to show the refusal")

        reply = await slow.send("confirm", signed=late, seen="one")  # the go-ahead, arriving now
        # Before: (True, "go-ahead given for 'one'"): the refusal, bob's last word, was undone by his earlier one.
        assert not reply.ok, reply.message
        assert "was decided since you gave this word" in reply.message and "go-ahead refused by you (from another window)" in reply.message, reply.message
        state = journal_state(path)
        assert not state.steps["one"].has_go_ahead and state.steps["one"].status == "rejected"
        assert not of_type(journal_events(path), "step_confirmed"), "the late go-ahead was journaled"

        again = await slow.send("confirm", seen="one")  # bob, having seen his refusal, changes his mind: that word stands
        assert again.ok, again.message
        await until(lambda: journal_state(path).steps["one"].has_go_ahead, 30, "the go-ahead bob gave after seeing his refusal")
    finally:
        for task in follows:
            task.cancel()
        for window in windows:
            await window.close()
        tmux.end()
