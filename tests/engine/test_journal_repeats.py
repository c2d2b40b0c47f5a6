"""`journal verify` refuses a line copied into a journal, its hashes recomputed: a `step_ready`, a `checkpoint_reached`
or a chunk of a command's output said twice (and a chunk cut out).

Before: each of these copies verified `intact` (and `report`, `replay` and `resume` read them). The program announces a
step once as the run comes to it and a checkpoint once as its step turns done; a command's output is numbered as the
journal's writer writes it (`chunk`: 0, 1, 2 ... per step, host, stream and phase), since two chunks of the same text
in the same millisecond are what a command printing one short line at a time writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_journal_sequence import rewritten, verified

from runbook_tui import cli

RUNBOOK = """\
runbook: 1
id: repeats
title: Repeats
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: a, title: Step a, run: "echo a; echo a; echo err >&2", undo: "echo undo-a", checkpoint: true}
      - {id: b, title: Step b, run: "for i in 1 2 3; do echo tick; sleep 0.05; done", undo: "echo undo-b"}
"""

#: A precheck, then the change: `rehearse --fail-at a` (before its checkpoint) rolls back to the start, runs the precheck again.
REHEARSED = RUNBOOK.replace(
    "sections:\n", "sections:\n  - id: pre\n    title: Look\n    kind: precheck\n    steps:\n      - {id: p1, title: Look, run: echo look}\n", 1
)

Events = list[dict[str, Any]]


@pytest.fixture
def honest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Events:
    """A solo `exec` of RUNBOOK: its events."""
    at_home(tmp_path, monkeypatch)
    (tmp_path / "R.yaml").write_text(RUNBOOK)
    assert cli.main(["exec", "R.yaml", "--solo", "test", "--journal", "J.jsonl"]) == 0
    capsys.readouterr()
    return [json.loads(line) for line in (tmp_path / "J.jsonl").read_text().splitlines()]


def at_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)


def test_each_command_s_output_is_numbered_and_the_honest_journal_verifies(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = [e for e in honest if e["type"] == "output"]
    for step, stream in (("a", "stdout"), ("a", "stderr"), ("b", "stdout")):
        chunks = [e["chunk"] for e in outputs if e["step"] == step and e["stream"] == stream]
        assert chunks == list(range(len(chunks))) and chunks, (step, stream, outputs)
    code, out = verified(capsys, tmp_path / "J.jsonl")
    assert code == 0 and ": intact: " in out, out


@pytest.mark.forged_sequence
@pytest.mark.parametrize("kind", ["step_ready", "checkpoint_reached", "output"])
def test_a_line_copied_after_itself_is_refused_naming_its_line(kind: str, honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    at = next(i for i, e in enumerate(honest) if e["type"] == kind)
    forged = rewritten(tmp_path / "forged.jsonl", honest[: at + 1] + [honest[at]] + honest[at + 1 :])
    code, out = verified(capsys, forged)
    assert code == 1, out
    assert f"forged.jsonl: line {at + 2}: {kind} " in out, out  # the copy, one line after the original
    assert "NOT intact: the hash chain holds" in out, out
    assert cli.main(["report", str(forged)]) == 2  # the readers refuse it as verify does
    assert f"line {at + 2}: {kind} " in capsys.readouterr().err


@pytest.mark.forged_sequence
def test_a_chunk_of_output_cut_out_is_refused(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ticks = [i for i, e in enumerate(honest) if e["type"] == "output" and e["step"] == "b"]
    assert len(ticks) >= 2, [honest[i] for i in ticks]
    cut = ticks[0]
    code, out = verified(capsys, rewritten(tmp_path / "cut.jsonl", honest[:cut] + honest[cut + 1 :]))
    assert code == 1, out
    assert f"line {cut + 1}: output of 'b' on local (stdout) is chunk 1 where chunk 0 was next" in out, out


def test_an_older_rehearsal_s_second_announcement_after_its_rollback_still_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before session 36 a rehearsal announced the step it stood at after its rollback, then its recheck announced the
    same precheck again (engine/rehearsal.py): `rollback_finished`, `step_ready p1`, `step_ready p1`. Those journals
    were written by the program: they stay intact."""
    at_home(tmp_path, monkeypatch)
    (tmp_path / "P.yaml").write_text(REHEARSED)
    assert cli.main(["rehearse", "--yes", "P.yaml", "--fail-at", "a", "--journal", "P.jsonl"]) == 0
    capsys.readouterr()
    events = [json.loads(line) for line in (tmp_path / "P.jsonl").read_text().splitlines()]
    finished = next(i for i, e in enumerate(events) if e["type"] == "rollback_finished")
    assert (events[finished + 1]["type"], events[finished + 1]["step"]) == ("step_ready", "p1"), events[finished + 1]
    older = events[: finished + 2] + events[finished + 1 :]
    code, out = verified(capsys, rewritten(tmp_path / "older.jsonl", older))
    assert code == 0 and ": intact: " in out, out


@pytest.mark.forged_sequence
def test_a_checkpoint_reached_cut_out_is_refused_naming_the_next_move(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`a` is a checkpoint: its `checkpoint_reached` removed (the hashes recomputed) left the run standing at no
    checkpoint, so the report, the screens' `⚑ last checkpoint` and a rollback's reach named none. Before: `intact`."""
    at = next(i for i, e in enumerate(honest) if e["type"] == "checkpoint_reached")
    done = max(i for i, e in enumerate(honest[:at]) if e["type"] == "step_finished")
    assert honest[at + 1]["type"] == "step_ready", honest[at + 1]
    code, out = verified(capsys, rewritten(tmp_path / "cut.jsonl", honest[:at] + honest[at + 1 :]))
    assert code == 1, out
    assert f"cut.jsonl: line {at + 1}: step_ready while checkpoint 'a' stood done since line {done + 1} with no checkpoint_reached" in out, out
    assert cli.main(["report", str(tmp_path / "cut.jsonl")]) == 2


def test_an_older_writer_s_journal_without_a_checkpoint_reached_still_verifies(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A process before session 34 (no `process` in its session_started) may have written the next `step_ready` first,
    or no `checkpoint_reached` after a step marked done: those journals were written by the program and stay intact."""
    at = next(i for i, e in enumerate(honest) if e["type"] == "checkpoint_reached")
    older = [{k: v for k, v in e.items() if k != "process"} for e in honest]
    code, out = verified(capsys, rewritten(tmp_path / "older.jsonl", older[:at] + older[at + 1 :]))
    assert code == 0 and ": intact: " in out, out
    code, out = verified(capsys, rewritten(tmp_path / "order.jsonl", older[:at] + [older[at + 1], older[at]] + older[at + 2 :]))
    assert code == 0 and ": intact: " in out, out
