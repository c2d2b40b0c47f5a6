"""The verifier's signed hold names no place in the run; moved elsewhere by whoever writes the file, it still fails.

A hold (or a rollback request) is urgent: the session never refuses it for a step shown since, so its statement names
the step the verifier looked at, not a line. bob holds alice's shared run before 'two' starts; alice lifts the hold
with `resume`, bob rejoins and lets 'two' start, and both seal the end. alice then moves bob's hold (with its
signature) to another line, after 'two' ran, right before the end (the hold as if bob asked it then), recomputes the
chain and signs her own decisions and seal again. Every signature of bob's still holds over its statement; what fails is bob's seal of the end, which
`journal verify --allowed-signers` asks of the verifier who decided last, and the hold makes him that. Copied after the
end, where no seal covers it, the hold is an event no run writes there. (A sequence number in the statement would not
bind it better: bob signs before the session journals his hold, and cannot say how late it may come; his seal can.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from share_peers import NO_AGENT, Lab, allowed_signers, confirm_next, journal_verify, start_shared, until
from test_exec_share_requests import GO_AHEAD
from test_signed_run import _resigned, journal_lines_of, renumbered

pytestmark = pytest.mark.asyncio


def _moved(events: list[dict[str, Any]], pair: tuple[int, int], before: int) -> list[dict[str, Any]]:
    """The two events at `pair` (a decision and its decision_signed) moved to just before seq `before`, each seq a
    signature or a seal names following its event."""
    moving = [events[pair[0]], events[pair[1]]]
    rest = [e for e in events if e["seq"] not in pair]
    at = next(n for n, e in enumerate(rest) if e["seq"] == before)
    return renumbered([*rest[:at], *moving, *rest[at:]])


@pytest.mark.peers
async def test_a_signed_hold_moved_to_another_line_fails_the_verifiers_seal(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    alice, bob = lab.key("alice"), lab.key("bob")
    shared = await lab.share(lab.runbook(GO_AHEAD), "--verifier-key", f"{bob}.pub", "--identity", str(alice), env=NO_AGENT)
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        assert await confirm_next(client) == "one"
        await until(lambda: client.state.current == "two", what="the run to stand at 'two'")
        assert (await client.send("hold", "the graphs look odd")).ok
        await shared.exit_code(30)  # exec stops at the hold: the journal is left open
    finally:
        follow.cancel()
        await client.close()

    args = ["resume", str(shared.journal), "--lift-pause", "graphs checked", "--continue", "--identity", str(alice)]
    resumed, out, port = await start_shared(lab, "resumed", args, ["--verifier-key", f"{bob}.pub"], lab.env(**NO_AGENT))
    again = lab.client(bob, port)
    follow = asyncio.create_task(again.run())
    try:
        await until(lambda: again.state.current == "two" and not again.state.paused, what="the rejoined replica at 'two', the hold lifted")
        assert (await again.send("confirm")).ok  # the go-ahead ('two' is verify: before)
        await until(lambda: resumed.poll() is not None, 30, "the resumed run to end")
        assert resumed.returncode == 0, out.read_text()
        await asyncio.wait_for(follow, 10)
    finally:
        follow.cancel()
        await again.close()

    allowed = allowed_signers(lab, ("alice", alice), ("bob", bob))
    honest = journal_verify(lab, shared.journal, allowed)
    assert honest.returncode == 0 and "sealed by alice, bob" in honest.stdout, honest.stdout
    events = journal_lines_of(shared.journal)
    hold = next(e["seq"] for e in events if e["type"] == "hold_requested")
    signed = next(e["seq"] for e in events if e["type"] == "decision_signed" and e["decision"] == hold)
    end = next(e["seq"] for e in events if e["type"] == "session_finished")
    forged = await _resigned(_moved(events, (hold, signed), before=end), {"alice": alice}, lab.root / "moved.jsonl")
    result = journal_verify(lab, forged, allowed)
    assert result.returncode == 1, result.stdout
    sealed = next(e["seq"] + 1 for e in journal_lines_of(forged) if e["type"] == "seal" and e["statement"]["by"] == "bob" and e["statement"]["seq"] == end)
    assert f"line {sealed}: the seal fails: it seals event" in result.stdout, result.stdout
    # bob sealed the end: his seal no longer fits it (before: "bob sealed nothing", as if he never had)
    assert f"not sealed by bob, who verified this run: the end is sealed by alice alone (bob's seal at line {sealed} fails;" in result.stdout, result.stdout
    assert "decisions: 5 signed and verified, 0 unsigned, 0 failing; sealed by alice\n" in result.stdout, result.stdout  # bob's own hold too

    copied = [*events, *({**events[n], "seq": len(events) + i} for i, n in enumerate((hold, signed)))]
    copied[-1] = copied[-1] | {"decision": len(events)}
    after = await _resigned(copied, {"alice": alice}, lab.root / "after.jsonl")
    result = journal_verify(lab, after, allowed)
    assert result.returncode == 1 and f"line {len(events) + 1}: a hold_requested event after session_finished" in result.stdout, result.stdout
