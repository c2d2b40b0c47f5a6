"""The assignee rewrites a shared run so that no verifier was ever in it: `journal verify --allowed-signers` says whose
word the journal is.

alice (who writes the file) takes a signed shared run bob verified and sealed, and either (1) rewrites it as solo from
its first line (`solo` set in session_started, bob's confirmations, seals, joining and the share gone, the steps done
unverified), or (2) cuts it before bob's first word and ends it there (`aborted`); then she recomputes the chain and
signs and seals the rest with her own key. No rule of the run asks for a word either journal lacks, and every signature
in it holds: nothing in the file tells it from an honest solo run, or a shared run nobody verified. Before, `journal
verify --allowed-signers` said only "signatures hold and the end is sealed", as for the run bob sealed; now it says the
journal is signed by alice alone, whose word it is, and that such a rewrite reads the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from share_peers import Lab, allowed_signers, journal_verify
from test_signed_run import _resigned, _signed_run, journal_lines_of

pytestmark = pytest.mark.asyncio

ALONE = "signed by alice alone, who ran it: {how}; what it says is their word: a shared run its assignee rewrote from its first line as solo, or cut before the verifier's first word, reads the same"
SHARE_EVENTS = ("share_started", "share_closed", "participant_joined", "participant_left")


def _renumbered(kept: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`kept` numbered again from 0, each seq a signature or a seal names moved to where that event now stands."""
    moved = {e["seq"]: n for n, e in enumerate(kept)}
    out = []
    for n, event in enumerate(kept):
        event = dict(event, seq=n)
        if event["type"] == "decision_signed":
            event["decision"] = moved[event["decision"]]
        elif event["type"] == "seal":
            event["statement"] = dict(event["statement"], seq=moved[event["statement"]["seq"]])
        out.append(event)
    return out


def _as_solo(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = [e for e in events if e.get("actor") != "bob" and e.get("statement", {}).get("by") != "bob" and e["type"] not in SHARE_EVENTS]
    kept[0] = kept[0] | {"solo": "bob is on leave"}
    return [e | {"status": "done", "verified": False} if e["type"] == "step_finished" else e for e in _renumbered(kept)]


def _cut_before_bob(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first = next(e["seq"] for e in events if e.get("actor") == "bob" or e.get("name") == "bob")
    at, session = events[first]["ts"], events[0]["session"]
    end = {"type": "session_finished", "actor": "system", "outcome": "aborted", "ts": at, "seq": first}
    sealed = {"kind": "seal", "session": session, "by": "alice", "seq": first, "head": ""}  # signed by _resigned
    return [*events[:first], end, {"type": "seal", "actor": "alice", "role": "assignee", "ts": at, "seq": first + 1, "statement": sealed}]


@pytest.mark.peers
async def test_a_shared_run_rewritten_with_no_verifier_in_it_is_said_to_be_the_assignees_word(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    people = {name: lab.key(name) for name in ("alice", "bob", "carol", "dave")}
    path, _ = await _signed_run(lab, **people)
    allowed = allowed_signers(lab, *people.items())
    honest = journal_verify(lab, path, allowed)
    assert honest.returncode == 0 and "sealed by alice, bob" in honest.stdout and "alone" not in honest.stdout, honest.stdout
    events = journal_lines_of(path)

    rewrites: list[tuple[Path, str]] = [
        (await _resigned(_as_solo(events), {"alice": people["alice"]}, lab.root / "solo.jsonl"), "a solo run ('bob is on leave')"),
        (await _resigned(_cut_before_bob(events), {"alice": people["alice"]}, lab.root / "cut.jsonl"), "a shared run no verifier signed anything in"),
    ]
    for forged, how in rewrites:
        result = journal_verify(lab, forged, allowed)
        assert result.returncode == 0, result.stdout  # as an honest run of that kind: nothing in it can say otherwise
        assert "sealed by alice\n" in result.stdout, result.stdout
        lines = result.stdout.splitlines()
        assert lines[-2:] == [f"{forged}: {ALONE.format(how=how)}", f"{forged}: signatures hold and the end is sealed"], result.stdout
