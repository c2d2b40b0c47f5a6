"""The assignee erases the verifier from a signed shared run: `journal verify --allowed-signers` says the evidence is gone.

alice (who writes the file) drops everything bob did (his confirmation and go-ahead, their signatures, his seals, his
joining), recomputes the chain and re-signs her own decisions and the end's seal with her key. Every signature left
holds and the end is sealed by alice; the verifier who would have to seal it is no longer named anywhere. Before,
`journal verify --allowed-signers` said "signatures hold and the end is sealed" (exit 0) while the report called both
steps UNVERIFIED. The run was shared, and its plan had bob confirm 'one' (verify: after) and let 'two' start (verify:
before): that is what a rewrite cannot take out.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from share_peers import CLI, NO_AGENT, Lab, allowed_signers, confirm_next, journal_verify, until
from test_signed_run import _resigned, journal_lines_of, renumbered

pytestmark = pytest.mark.asyncio

#: 'one' is confirmed after it ran (the default), a checkpoint; 'two' needs bob's go-ahead before it runs.
RUNBOOK = """\
runbook: 1
id: erased
title: Erased verifier
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
        undo: echo undo-one
        checkpoint: true
      - id: two
        title: Step two
        run: echo two
        undo: echo undo-two
        verify: before
"""


async def _shared_run(lab: Lab, alice: Path, bob: Path) -> Path:
    shared = await lab.share(lab.runbook(RUNBOOK), "--verifier-key", f"{bob}.pub", "--identity", str(alice), env=NO_AGENT)
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        assert await confirm_next(client) == "one"
        await until(lambda: client.state.current == "two", what="the run to stand at 'two'")
        reply = await client.send("confirm")  # the go-ahead
        assert reply.ok, reply.message
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 10)
    finally:
        await client.close()
    return shared.journal


def _without_bob(events: list[dict[str, Any]], **finished: str) -> list[dict[str, Any]]:
    """Every event of bob's gone (and the share's closing), `finished` {step: status} set on their step_finished, each
    seq a signature names moved to where that event now stands."""
    kept = [
        e for e in events if e.get("actor") != "bob" and e.get("name") != "bob" and e.get("statement", {}).get("by") != "bob" and e["type"] != "share_closed"
    ]
    return [e | {"status": finished[e["step"]]} if e["type"] == "step_finished" and e["step"] in finished else e for e in renumbered(kept)]


@pytest.mark.peers
@pytest.mark.forged_sequence  # the rewrites below go on without the verifier's word, as no run does
async def test_a_shared_run_rewritten_without_its_verifier_fails_verify(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    alice, bob = lab.key("alice"), lab.key("bob")
    path = await _shared_run(lab, alice, bob)
    allowed = allowed_signers(lab, ("alice", alice), ("bob", bob))
    honest = journal_verify(lab, path, allowed)
    assert honest.returncode == 0 and "sealed by alice, bob" in honest.stdout, honest.stdout
    events = journal_lines_of(path)

    # 1. bob erased, 'one' left as it ended (waiting for him): the run went on past it.
    waiting = await _resigned(_without_bob(events), {"alice": alice}, lab.root / "waiting.jsonl")
    result = journal_verify(lab, waiting, allowed)
    assert result.returncode == 1, result.stdout
    assert "sealed by alice\n" in result.stdout, result.stdout  # alice's own signatures and seal hold: not the point
    lines = journal_lines_of(waiting)
    finished = next(e["seq"] + 1 for e in lines if e["type"] == "step_finished" and e["step"] == "one")
    started = next(e["seq"] + 1 for e in lines if e["type"] == "step_started" and e["step"] == "two")
    assert (
        f"line {finished}: 'one' ran and waited for the verifier's confirmation, and the run went on to 'two' at line {started} without it:"
        " the two-person rule's evidence is missing" in result.stdout
    ), result.stdout
    assert f"line {started}: 'two' started (attempt 1) without the verifier's go-ahead (verify: before, a shared run)" in result.stdout, result.stdout

    # 2. bob erased and 'one' made done at once, as a step that needs no verifier ends.
    done = await _resigned(_without_bob(events, one="done"), {"alice": alice}, lab.root / "done.jsonl")
    result = journal_verify(lab, done, allowed)
    assert result.returncode == 1, result.stdout
    assert (
        f"line {finished}: 'one' finished done without waiting for the verifier's confirmation (verify: after, a shared run):"
        " the two-person rule's evidence is missing" in result.stdout
    ), result.stdout
    assert "NOT trusted" in result.stdout, result.stdout


@pytest.mark.peers
@pytest.mark.forged_sequence  # bob erased, his steps made done: the run went on without the verifier's word
async def test_the_report_says_what_journal_verify_says_of_the_erased_verifier(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """`report --allowed-signers` of the rewrite above: its Journal row, banner and Signatures say what `journal verify
    --allowed-signers` says, that the two-person rule's evidence is missing (before: `journal verify` passes, no failing
    row: only the missing evidence failed the check, and the report counted failing signatures alone)."""
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    alice, bob = lab.key("alice"), lab.key("bob")
    path = await _shared_run(lab, alice, bob)
    allowed = allowed_signers(lab, ("alice", alice), ("bob", bob))
    done = await _resigned(_without_bob(journal_lines_of(path), one="done"), {"alice": alice}, lab.root / "done.jsonl")
    assert journal_verify(lab, done, allowed).returncode == 1
    lines = journal_lines_of(done)
    finished = next(e["seq"] + 1 for e in lines if e["type"] == "step_finished" and e["step"] == "one")
    missing = "'one' finished done without waiting for the verifier's confirmation (verify: after, a shared run)"

    def report(*extra: str) -> str:
        run = [*CLI, "report", str(done), "--allowed-signers", str(allowed), *extra]
        made = subprocess.run(run, cwd=lab.root, env=lab.env(**NO_AGENT), capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        return made.stdout

    markdown = report()
    assert "with --allowed-signers it FAILS" in markdown and "`journal verify` passes;" not in markdown, markdown
    assert "> **Signatures FAIL" in markdown and f"line {finished} the two-person rule: {missing}" in markdown, markdown
    rows = json.loads(report("--format", "json"))["signatures"]
    assert {"line": finished, "what": "the two-person rule", "status": "fails"}.items() <= next(r for r in rows if r["line"] == finished).items(), rows


@pytest.mark.peers
async def test_the_report_of_a_shared_run_stripped_of_every_signature_says_verify_fails(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `decision_signed` and `seal` dropped from a signed shared run, bob's confirmations kept, the chain recomputed:
    `report --allowed-signers` says what `journal verify --allowed-signers` says, his decisions unsigned and the end not
    sealed (before: with no signature left the report read no signatures at all: `journal verify` passes, no warning)."""
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    alice, bob = lab.key("alice"), lab.key("bob")
    path = await _shared_run(lab, alice, bob)
    allowed = allowed_signers(lab, ("alice", alice), ("bob", bob))
    kept = [e for e in journal_lines_of(path) if e["type"] not in ("decision_signed", "seal")]
    stripped = await _resigned(renumbered(kept), {}, lab.root / "stripped.jsonl")
    assert journal_verify(lab, stripped, allowed).returncode == 1
    confirmed = next(e["seq"] + 1 for e in journal_lines_of(stripped) if e["type"] == "step_confirmed")
    run = [*CLI, "report", str(stripped), "--allowed-signers", str(allowed)]
    made = subprocess.run(run, cwd=lab.root, env=lab.env(**NO_AGENT), capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert "with --allowed-signers it FAILS" in made.stdout and "> **Signatures FAIL" in made.stdout, made.stdout
    assert f"line {confirmed} the two-person rule: step\\_confirmed by bob is not signed (a verifier's decision must be)" in made.stdout, made.stdout
    assert "not sealed: no seal in it" in made.stdout, made.stdout
