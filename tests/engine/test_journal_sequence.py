"""`journal verify` checks the event sequence, not only the hash chain.

Someone who can write the journal can delete a `step_started` and recompute every hash after it: the chain holds,
and verify said `intact`. It now folds every event through the state the program decides by (`engine.event_order`)
and names each impossible one, `line N: TYPE what was wrong`, exit 1; every journal the program writes still passes
(tests/conftest.py verifies each journal any test writes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runbook_tui import cli
from runbook_tui.engine.journal import event_hash

RUNBOOK = """\
runbook: 1
id: seq
title: Sequence
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: a, title: Step a, run: "echo a", undo: "echo undo-a"}
      - {id: b, title: Step b, run: "echo b", undo: "echo undo-b"}
      - {id: c, title: Step c, run: "echo c; exit 3", undo: "echo undo-c"}
"""

Events = list[dict[str, Any]]


@pytest.fixture
def honest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Events:
    """A solo `exec --on-failure rollback` whose step c fails: a, b, c run, then c, b and a are undone; its events."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    (tmp_path / "R.yaml").write_text(RUNBOOK)
    assert cli.main(["exec", "R.yaml", "--solo", "test", "--journal", "J.jsonl", "--on-failure", "rollback"]) == 1
    capsys.readouterr()
    return [json.loads(line) for line in (tmp_path / "J.jsonl").read_text().splitlines()]


def rewritten(path: Path, events: Events) -> Path:
    """`events` written as a forger who can write the file would: renumbered, every `prev` and `hash` recomputed."""
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


def where(events: Events, kind: str, step: str | None = None) -> int:
    """The index of the first `kind` event (of `step`)."""
    return next(i for i, e in enumerate(events) if e["type"] == kind and (step is None or e.get("step") == step))


def without(*picked: tuple[str, str | None]) -> Callable[[Events], Events]:
    def edit(events: Events) -> Events:
        for kind, step in picked:
            del events[where(events, kind, step)]
        return events

    return edit


def _attempt_three(events: Events) -> Events:
    events[where(events, "step_started", "a")]["attempt"] = 3
    return events


def _b_before_a_ends(events: Events) -> Events:
    started = events.pop(where(events, "step_started", "b"))
    events.insert(where(events, "step_started", "a") + 1, started)
    return events


def _resumed_unpaused(events: Events) -> Events:
    events.insert(1, {"ts": events[0]["ts"], "type": "resumed", "actor": "alice", "reason": "resumed"})
    return events


def _confirmed_while_running(events: Events) -> Events:
    at = where(events, "step_started", "b")
    events.insert(at + 1, {"ts": events[at]["ts"], "type": "step_confirmed", "actor": "bob", "step": "b", "phase": "after", "attempt": 1})
    return events


def _undo_without_its_run(events: Events) -> Events:
    events = without(("step_started", "a"), ("step_finished", "a"))(events)
    return [e for e in events if not (e["type"] == "output" and e.get("step") == "a" and e.get("phase") == "run")]


CASES = {
    "a step finished that never started": (without(("step_started", "b")), "step_finished", "b", "step_finished of 'b', which never started"),
    "an attempt number out of order": (_attempt_three, "step_started", "a", "step_started names attempt 3 of 'a', where attempt 1 was the one to come"),
    "a step started while another runs": (_b_before_a_ends, "step_started", "b", "step_started of 'b' while 'a' was still running"),
    "resumed without a pause": (_resumed_unpaused, "resumed", None, "resumed while the run was not paused"),
    "a confirmation of a step still running": (
        _confirmed_while_running, "step_confirmed", "b", "step_confirmed is a confirmation of 'b', which had nothing to confirm (it stood running)",
    ),
    "an undo of a step that never ran": (_undo_without_its_run, "undo_started", "a", "undo_started of 'a', which never ran (nothing of it to undo)"),
    "an undo finished that never started": (without(("undo_started", "b")), "undo_finished", "b", "undo_finished of 'b', whose undo was not running"),
}  # fmt: skip


def test_an_honest_journal_and_its_faithful_rewrite_verify_intact(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verified(capsys, tmp_path / "J.jsonl")
    assert code == 0 and "intact: " in out and "impossible" not in out, out
    code, out = verified(capsys, rewritten(tmp_path / "same.jsonl", honest))  # the forger's tool changes nothing by itself
    assert code == 0 and "intact: " in out, out


@pytest.mark.forged_sequence
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_rewritten_chain_with_an_impossible_event_is_refused_naming_its_line(
    honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    edit, kind, step, words = CASES[case]
    events = edit([dict(e) for e in honest])
    path = rewritten(tmp_path / "forged.jsonl", events)
    code, out = verified(capsys, path)
    line = where(events, kind, step) + 1
    assert code == 1, out
    assert f"{path}: line {line}: {words}" in out, out  # before: exit 0, "intact"
    assert "NOT intact: the hash chain holds" in out and "intact: " not in out.replace("NOT intact: ", ""), out


@pytest.mark.forged_sequence
def test_each_impossible_event_is_named(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No rollback_started: each undo and the rollback's end are impossible, each said on its own line."""
    events = without(("rollback_started", None))([dict(e) for e in honest])
    code, out = verified(capsys, rewritten(tmp_path / "forged.jsonl", events))
    said = [line.split(": ", 1)[1] for line in out.splitlines() if ": line " in line]
    expected = [where(events, kind, step) + 1 for kind, step in [("undo_started", "c"), ("undo_finished", "c"), ("undo_started", "b")]]
    assert code == 1 and len(said) == 7, out  # three undos started and finished, and the rollback's end
    assert [int(s.split(":")[0].removeprefix("line ")) for s in said[:3]] == expected, out
    assert said[0].endswith("undo_started of 'c' outside a rollback (no rollback_started before it, or it had finished)"), out
    assert said[-1].endswith("rollback_finished with no rollback running"), out
    assert "7 events are impossible where the run stood" in out, out


def test_exec_ends_a_rollback_without_announcing_a_step_it_will_not_run(honest: Events) -> None:
    """exec --on-failure rollback with no checkpoint reached: the run is back at 'a', and ends. Before, a `step_ready` of
    'a' ("the step as it will run: what the verifier approves") stood between rollback_finished and session_finished."""
    ending = [e["type"] for e in honest[where(honest, "rollback_finished") :]]
    assert ending == ["rollback_finished", "session_finished"], ending
    assert honest[-1]["outcome"] == "rolled_back"
