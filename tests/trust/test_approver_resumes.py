"""Whoever approved a change does not run it: not by resuming the run it started under either.

bob approves the plan; alice runs it (`exec --approval bob.approval --identity alice`) and her process dies after the
first step. `exec` refuses bob running his own approval; before, `resume --continue` as bob (his name, his key) ran
the rest, signed it and sealed it, and `journal verify --allowed-signers` passed the journal (exit 0). Now `resume`
refuses him going on, before anything is journaled (a rollback is still his to do), and `journal verify` fails an
approval whose key the allowed_signers file gives to someone who started a step of the run.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from test_approval_rules import _approve, _cli, _exec, _runbook, _write, folder  # noqa: F401 (folder: the fixture)

from runbook_tui.engine.journal import event_hash
from runbook_tui.trust import statements
from runbook_tui.trust.sshsig import file_signer

TWO_STEPS = _runbook() + "      - id: two\n        title: Two\n        run: echo two\n        undo: echo undo-two\n"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _died_after_step_one(journal: Path) -> None:
    """The journal as the process left it, killed right after step one finished."""
    lines = journal.read_text().splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == "step_finished")
    journal.write_text("".join(lines[: first + 1]))


def _bob_ran_two(root: Path, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """alice's finished run as if bob had resumed it before 'two' and run it with his key: a session_resumed by bob, his
    run of 'two' signed by him, the chain and every signature after the change made again (alice's with hers)."""
    keys = {name: file_signer(str(root / name)) for name in ("alice", "bob")}
    two = next(e["seq"] for e in events if e["type"] == "step_started" and e["step"] == "two")
    resumed = {"type": "session_resumed", "actor": "bob", "pid": 4242, "ts": events[two]["ts"]}
    order = [*events[:two], resumed, *events[two:]]
    seqs = {int(e["seq"]): n for n, e in enumerate(order) if "seq" in e}
    hashes: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for n, old in enumerate(order):
        event = {k: v for k, v in old.items() if k != "hash"} | {"seq": n, "prev": out[-1]["hash"] if out else ""}
        if old.get("seq") == two:
            event["actor"] = "bob"
        if event["type"] in ("decision_signed", "seal"):
            statement = dict(event["statement"])
            if event["type"] == "seal":
                statement |= {"seq": seqs[statement["seq"]], "head": hashes[statement["head"]]}
            else:
                event["decision"] = seqs[event["decision"]]
                statement |= {"shown": hashes.get(statement["shown"], statement["shown"])}
                statement["by"] = out[event["decision"]]["actor"]
            signer = keys[statement["by"]]
            event |= {"statement": statement, "signature": asyncio.run(signer.sign(statements.encode(statement))), "key": signer.fingerprint}
        event["hash"] = event_hash(event)
        if "hash" in old:
            hashes[old["hash"]] = event["hash"]
        out.append(event)
    return out


def test_the_approver_resuming_the_run_he_approved_is_refused_and_journal_verify_fails_it(folder: Path) -> None:  # noqa: F811
    (folder / "R.yaml").write_text(TWO_STEPS)
    assert _approve(folder, "bob").returncode == 0
    assert _exec(folder, "bob.approval", "--identity", "alice", journal="done.jsonl").returncode == 0
    shutil.copy(folder / "done.jsonl", folder / "J.jsonl")
    _died_after_step_one(folder / "J.jsonl")
    before = (folder / "J.jsonl").read_text()

    settings = f"allowed_signers: {folder / 'allowed_signers'}\n"  # require_approval is not needed for the rule
    for user, key in (("bob", "bob"), ("robert", "bob")):  # his own name, or another name with his key
        refused = _cli(folder, "resume", "J.jsonl", "--solo", "test", "--continue", "--identity", key, settings=settings, user=user)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "whoever approved a change may not run it (two-person rule); another person resumes it" in refused.stderr, refused.stderr
        assert (folder / "J.jsonl").read_text() == before  # refused before anything was journaled
    fingerprint = file_signer(str(folder / "bob")).fingerprint
    named = _cli(folder, "resume", "J.jsonl", "--solo", "test", "--continue", settings=settings, user="bob")
    assert f"J.jsonl: bob approved this run's plan ({fingerprint}): whoever approved" in named.stderr, named.stderr

    shutil.copy(folder / "J.jsonl", folder / "undo.jsonl")
    undone = _cli(folder, "resume", "undo.jsonl", "--rollback", "--solo", "test", "--identity", "bob", settings=settings, user="bob")
    assert undone.returncode == 1 and "rollback_finished" in (folder / "undo.jsonl").read_text(), undone.stdout + undone.stderr  # exit 1: rolled back

    goes_on = _cli(folder, "resume", "J.jsonl", "--solo", "test", "--continue", "--identity", "alice", settings=settings)
    assert goes_on.returncode == 0 and "two started" in goes_on.stdout, goes_on.stdout + goes_on.stderr

    _write(folder / "F.jsonl", _bob_ran_two(folder, _lines(folder / "done.jsonl")))
    verified = _cli(folder, "journal", "verify", "F.jsonl", "--allowed-signers", "allowed_signers")
    assert verified.returncode == 1, verified.stdout
    line = next(e["seq"] + 1 for e in _lines(folder / "F.jsonl") if e["type"] == "plan_approved")
    said = (
        f"F.jsonl: line {line}: the plan's approval fails: approved with {fingerprint}, a key allowed_signers gives to bob, who ran steps"
        " of it: whoever approved a change may not run it (two-person rule)"
    )
    assert said in verified.stdout, verified.stdout
    assert _cli(folder, "journal", "verify", "done.jsonl", "--allowed-signers", "allowed_signers").returncode == 0  # alice ran it all
