"""`journal verify` names a run that moved on past a step waiting for the verifier's word.

Before: delete bob's `step_confirmed` of a step from a shared run's journal and re-chain the hashes, and verify read
`intact`: the step stood waiting for the verifier's confirmation while the next step started, and the run ended `done`
(the two-person rule the journal is there to prove, gone without a trace). The controller never moves on from such a
step, nor ends a run done while one waits; the sequence check now says so, at the line where it happened.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rules_helpers import BOB, run_first_step

from runbook_tui import cli
from runbook_tui.app.session import Session
from runbook_tui.engine.journal import event_hash

STEPS = """
  - {{id: a, title: Step a, run: echo a >> log, undo: echo undo-a >> log, verify: {a}}}
  - {{id: b, title: Step b, run: echo b >> log, undo: echo undo-b >> log, verify: {b}}}
"""

Events = list[dict[str, Any]]


@pytest.fixture
def shared(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any], request: pytest.FixtureRequest) -> Events:
    """alice runs a and b, bob confirms each that asks him (`verify` of a and b: the test's parameter); the run ends done."""
    verify = dict(zip("ab", request.param, strict=True))

    async def body(s: Session) -> None:
        c = s.controller
        for step in "ab":
            await run_first_step(c)
            if verify[step] == "after":
                assert c.confirm(BOB).ok
            await c.wait_idle()

    session_for(STEPS.format(**verify))(body)
    events: Events = journal_events(tmp_path / "journal.jsonl")
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done", events[-1]
    return events


def rewritten(path: Path, events: Events) -> Path:
    """As a forger who can write the file: renumbered, every `prev` and `hash` recomputed."""
    prev, lines = "", []
    for seq, event in enumerate(events):
        obj = {k: v for k, v in event.items() if k != "hash"} | {"seq": seq, "prev": prev}
        obj["hash"] = prev = event_hash(obj)
        lines.append(json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def verified(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    code = cli.main(["journal", "verify", str(path)])
    return code, capsys.readouterr().out


def without_confirmation_of(events: Events, step: str) -> Events:
    return [e for e in events if not (e["type"] == "step_confirmed" and e.get("step") == step)]


def line_of(events: Events, kind: str, step: str | None = None) -> int:
    return next(i for i, e in enumerate(events) if e["type"] == kind and (step is None or e.get("step") == step)) + 1


@pytest.mark.parametrize("shared", [("after", "none"), ("none", "after")], indirect=True)
def test_the_shared_run_as_written_verifies_intact(shared: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verified(capsys, rewritten(tmp_path / "same.jsonl", shared))
    assert code == 0 and "intact: " in out, out


@pytest.mark.forged_sequence
@pytest.mark.parametrize("shared", [("after", "none")], indirect=True)
def test_a_step_left_waiting_while_the_next_starts_is_named(shared: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = without_confirmation_of(shared, "a")
    code, out = verified(capsys, rewritten(tmp_path / "forged.jsonl", events))
    said = f"line {line_of(events, 'step_started', 'b')}: step_started of 'b' while 'a' waited for the verifier's confirmation"
    assert code == 1 and said in out, out  # before: exit 0, "intact"
    assert f"line {line_of(events, 'session_finished')}: session_finished done while 'a' waited" in out, out
    assert "NOT intact: the hash chain holds" in out, out


@pytest.mark.forged_sequence
@pytest.mark.parametrize("shared", [("none", "after")], indirect=True)
def test_a_run_ending_done_while_its_last_step_waits_is_named(shared: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = without_confirmation_of(shared, "b")
    code, out = verified(capsys, rewritten(tmp_path / "forged.jsonl", events))
    said = f"line {line_of(events, 'session_finished')}: session_finished done while 'b' waited for the verifier's confirmation"
    assert code == 1 and said in out, out  # before: exit 0, "intact"
