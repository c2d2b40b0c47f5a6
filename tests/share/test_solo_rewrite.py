"""The assignee rewrites a shared run so that no verifier was ever in it: `journal verify --allowed-signers` says whose
word the journal is.

alice (who writes the file) takes a signed shared run bob verified and sealed, and either (1) rewrites it as solo from
its first line (`solo` set in session_started, bob's confirmations, seals, joining and the share gone, the steps done
unverified), or (2) cuts it before bob's first word and ends it there (`aborted`); then she recomputes the chain and
signs and seals the rest with her own key. No rule of the run asks for a word either journal lacks, and every signature
in it holds: nothing in the file tells it from an honest solo run, or a shared run nobody verified. Before, `journal
verify --allowed-signers` said only "signatures hold and the end is sealed", as for the run bob sealed; now it says the
journal is signed by alice alone, whose word it is, and that such a rewrite reads the same.

What tells them apart is outside the file: bob's own copy of the events his join received. `journal verify
--received COPY` finds each rewrite at the line it parts from the copy (exit 1); the journal as written holds the copy.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest
from share_peers import CLI, HOST, NO_AGENT, Lab, allowed_signers, confirm_next, journal_verify
from test_signed_run import CHECKPOINTED, _resigned, journal_lines_of, renumbered

from runbook_tui.share.client import Endpoint, ShareClient

pytestmark = pytest.mark.asyncio

ALONE = "signed only by alice, who ran it: {how}; what it says is their word: a shared run its assignee rewrote from its first line as solo, or cut before the verifier's first word, reads the same (a verifier's own copy of the events received shows it: --received COPY)"
SHARE_EVENTS = ("share_started", "share_closed", "participant_joined", "participant_left")


async def _verified_run(lab: Lab, people: dict[str, Path]) -> tuple[Path, Path]:
    """alice assigns (signing with her key), bob confirms both steps and keeps his own copy: the journal and that copy."""
    shared = await lab.share(lab.runbook(CHECKPOINTED), "--verifier-key", f"{people['bob']}.pub", "--identity", str(people["alice"]), env=NO_AGENT)
    await lab.trust(shared.fingerprint, shared.port)
    received = lab.root / "bob-received"
    bob = ShareClient(Endpoint(HOST, shared.port, str(lab.known_hosts), str(people["bob"]), copy_dir=str(received)), reconnect_delays=(0.1, 0.2, 0.3))
    follow = asyncio.create_task(bob.run())
    try:
        assert await confirm_next(bob) == "one"
        assert await confirm_next(bob) == "two"
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 10)
    finally:
        await bob.close()
    [copy] = received.iterdir()
    return shared.journal, copy


def _verify_against(lab: Lab, journal: Path, allowed: Path, copy: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "journal", "verify", str(journal), "--allowed-signers", str(allowed), "--received", str(copy)],
        cwd=lab.root, env=lab.env(**NO_AGENT), capture_output=True, text=True,
    )  # fmt: skip


def _as_solo(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = [e for e in events if e.get("actor") != "bob" and e.get("statement", {}).get("by") != "bob" and e["type"] not in SHARE_EVENTS]
    kept[0] = kept[0] | {"solo": "bob is on leave"}
    return [e | {"status": "done", "verified": False} if e["type"] == "step_finished" else e for e in renumbered(kept)]


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
    path, copy = await _verified_run(lab, people)
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

    # bob's copy: the journal as written holds it; each rewrite parts from it where it was changed
    held = len(copy.read_text().splitlines())
    assert 10 < held <= len(events), held
    against = _verify_against(lab, path, allowed, copy)
    assert against.returncode == 0, against.stdout
    assert f"{path}: lines 1-{held} are the events {copy} holds: what its holder's join received" in against.stdout, against.stdout
    cut = next(e["seq"] + 1 for e in events if e.get("actor") == "bob" or e.get("name") == "bob")
    for (forged, _), line in zip(rewrites, (1, cut), strict=True):
        result = _verify_against(lab, forged, allowed, copy)
        assert result.returncode == 1, result.stdout
        said = f"{forged}: line {line} is not the event {copy} holds there: the journal was changed from there after the session sent it (or the copy was)"
        assert said in result.stdout, result.stdout
        assert result.stdout.splitlines()[-1] == f"{forged}: NOT trusted: it is not what {copy} received, whatever the signatures say", result.stdout
    shorter = lab.root / "shorter.jsonl"
    shorter.write_text("".join(path.read_text().splitlines(keepends=True)[: held - 1]))
    result = _verify_against(lab, shorter, allowed, copy)
    assert (
        result.returncode == 1
        and f"the journal ends at line {held - 1}; {copy} holds {held} lines: lines the session sent were cut from the journal" in result.stdout
    ), result.stdout
    missing = subprocess.run(
        [*CLI, "journal", "verify", str(path), "--received", str(lab.root / "nowhere.jsonl")],
        cwd=lab.root,
        env=lab.env(**NO_AGENT),
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and missing.stdout == "" and "nowhere.jsonl" in missing.stderr, (missing.stdout, missing.stderr)
    torn = lab.root / "torn.jsonl"  # a copy its holder's machine cut inside its first line: nothing to hold the journal to
    torn.write_bytes(copy.read_bytes()[:100])
    result = _verify_against(lab, path, allowed, torn)
    assert result.returncode == 0 and f"{path}: {torn} holds no whole event, nothing to compare (line 1: cut short" in result.stdout, result.stdout
