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
    return executed(tmp_path, monkeypatch, capsys, RUNBOOK)


@pytest.fixture
def stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Events:
    """As `honest`, but b's undo fails: the rollback stops at b (c undone, a not), the session ends failed."""
    return executed(tmp_path, monkeypatch, capsys, RUNBOOK.replace('undo: "echo undo-b"', 'undo: "echo undo-b; exit 4"'))


def executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], runbook: str) -> Events:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    (tmp_path / "R.yaml").write_text(runbook)
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


def inserted(after: tuple[str, str], **event: Any) -> Callable[[Events], Events]:
    """A forged event put right after the first `after` = (type, step) event, with its time."""

    def edit(events: Events) -> Events:
        at = where(events, *after)
        events.insert(at + 1, {"ts": events[at]["ts"], "actor": "system"} | event)
        return events

    return edit


def _ended(outcome: str) -> Callable[[Events], Events]:
    """The last event, `session_finished`, given another outcome."""

    def edit(events: Events) -> Events:
        assert events[-1]["type"] == "session_finished", events[-1]
        events[-1] = events[-1] | {"outcome": outcome}
        return events

    return edit


FORGED = "all good (forged)\n"


def _output(step: str, phase: str = "run") -> dict[str, Any]:
    return {"type": "output", "step": step, "host": "local", "stream": "stdout", "text": FORGED, "phase": phase}


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
    "output of a step while another runs": (
        inserted(("step_started", "a"), **_output("c")), "output", "c",
        "output of 'c', which was not running (it stood never run, and the run stood at 'a'): a step's output comes between its step_started and its step_finished",
    ),
    "output of a step after it finished": (
        inserted(("step_finished", "c"), **_output("c")), "output", "c", "output of 'c', which was not running (it stood failed)",
    ),
    "output of an undo while another undo runs": (
        inserted(("undo_started", "c"), **_output("b", "undo")), "output", "b",
        "output of the undo of 'b', whose undo was not running (the undo of 'c' was running): an undo's output comes between its undo_started and its undo_finished",
    ),
    "output of a step not in the plan": (inserted(("step_started", "a"), **_output("zz")), "output", "zz", "output of 'zz', a step not in the plan"),
    "a skip while the rollback runs": (
        inserted(("undo_finished", "c"), type="step_skipped", actor="alice", step="c", reason="fine"), "step_skipped", "c",
        "step_skipped of 'c' while the rollback was running: no step is skipped until the rollback has finished (u goes on with it)",
    ),
    # a resume's line erased: what followed the program's last word came from no process
    "a step started after the program left, no resume between": (
        inserted(("step_finished", "b"), type="note", request="exit", step="c", text="exec was stopped by SIGTERM at 'c' (nothing was running); the journal is kept"),
        "step_started", "c", "step_started of 'c' after the program's last note (line 10: it had left the run) with no session_resumed between",
    ),
    # the report lists each decline (and practice makes it a decision point): one put in, or a copy of one, read as a request answered
    "a rollback request declined where none stood": (
        inserted(("step_finished", "a"), type="rollback_declined", actor="alice", reason="p99 is the nightly batch", request="bob: p99 doubled"),
        "rollback_declined", None,
        "rollback_declined where no rollback request stood (the program journals a decline of the open request only)",
    ),
    # the report's window verdict names each override: one put in after the fact read as given before the run went on
    "a window override after a step ran": (
        inserted(("step_finished", "b"), type="window_override", actor="alice", reason="CAB agreed", window=None), "window_override", None,
        "window_override after the run had moved on (line 7: step_started of 'b'): an override is journaled as the run starts or resumes, before any step runs",
    ),
    "a resume's override where no resume was": (
        inserted(("session_started", None), type="window_override", actor="alice", reason="CAB agreed", window=None, resumed=True), "window_override", None,
        "window_override given on resume (resumed: true) where the run had not been resumed",
    ),
    # the final verdict: before, the chain recomputed, `report` read **done** / ROLLED BACK over what the journal holds
    "a rolled-back run's end made done": (
        _ended("done"), "session_finished", None,
        "session_finished done while 'a' stood undone (a run ends done once every step is done or skipped)",
    ),
    "an end made rolled back before any rollback": (
        lambda events: _ended("rolled_back")(events[: where(events, "rollback_started")] + events[-1:]), "session_finished", None,
        "session_finished rolled_back where no rollback had begun (a run ends rolled back once a rollback finished whole)",
    ),
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
    line = next((i for i, e in enumerate(events) if e.get("text") == FORGED), None) or where(events, kind, step)
    line += 1
    assert code == 1, out
    assert f"{path}: line {line}: {words}" in out, out  # before: exit 0, "intact"
    assert "NOT intact: the hash chain holds" in out and "intact: " not in out.replace("NOT intact: ", ""), out


@pytest.mark.forged_sequence
def test_a_skip_after_a_stopped_rollback_is_refused(stopped: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """b's undo failed: the rollback stands stopped at b and the assignee cannot skip (the controller refuses: u goes on
    with it). Before, a forged skip of the step the run stood at verified intact (the step stood undone, not running)."""
    assert stopped[-2]["type"] == "rollback_finished" and stopped[-2]["ok"] is False, stopped[-2]
    events = inserted(("rollback_finished", None), type="step_skipped", actor="alice", step="c", reason="moving on")([dict(e) for e in stopped])
    code, out = verified(capsys, rewritten(tmp_path / "forged.jsonl", events))
    line = where(events, "step_skipped") + 1
    said = f"line {line}: step_skipped of 'c' while the rollback had stopped at 'b': no step is skipped until the rollback has finished"
    assert code == 1 and said in out, out
    code, out = verified(capsys, rewritten(tmp_path / "same.jsonl", stopped))  # the journal as written verifies
    assert code == 0 and "intact: " in out, out
    assert stopped[-1]["outcome"] == "failed", stopped[-1]
    code, out = verified(capsys, rewritten(tmp_path / "ended.jsonl", _ended("rolled_back")([dict(e) for e in stopped])))
    said = f"line {len(stopped)}: session_finished rolled_back where the rollback did not finish (a run ends rolled back once a rollback finished whole)"
    assert code == 1 and said in out, out  # before: intact, and the report read ROLLED BACK over a rollback stopped at b


@pytest.mark.forged_sequence
def test_a_window_override_said_twice_is_refused(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A start (or a resume) journals one override at most; the report's window verdict names each one, so a copy of the
    line (hashes recomputed) read as two reasons given. One override right after the start verifies; its copy does not."""
    once = inserted(("session_started", None), type="window_override", actor="alice", reason="CAB agreed", window=None)([dict(e) for e in honest])
    code, out = verified(capsys, rewritten(tmp_path / "once.jsonl", once))
    assert code == 0 and "intact: " in out, out
    twice = once[:2] + [dict(once[1])] + once[2:]
    code, out = verified(capsys, rewritten(tmp_path / "twice.jsonl", twice))
    # Before: intact, and the report's verdict read `started with an override by alice …` twice.
    assert code == 1 and "line 3: window_override after the override at line 2: one is journaled as the run starts or resumes" in out, out


@pytest.mark.forged_sequence
def test_a_person_s_pause_copied_is_refused(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`p` while paused lifts the pause (`resumed`): a person's `paused` never follows another without one between, and
    the report lists each pause. The copy (hashes recomputed) is refused; the pause once, lifted, verifies."""
    once = inserted(("step_finished", "a"), type="paused", actor="alice", reason="checking the graphs")([dict(e) for e in honest])
    at = where(once, "paused")
    lifted = once[: at + 1] + [once[at] | {"type": "resumed", "reason": "graphs fine"}] + once[at + 1 :]
    code, out = verified(capsys, rewritten(tmp_path / "once.jsonl", lifted))
    assert code == 0 and "intact: " in out, out
    twice = once[: at + 1] + [dict(once[at])] + once[at + 1 :]
    code, out = verified(capsys, rewritten(tmp_path / "twice.jsonl", twice))
    # Before: intact, and the report listed two pauses by alice at the same moment, the first never lifted.
    assert code == 1 and f"line {at + 2}: paused by 'alice' while the run stood paused by alice (p then lifts the pause" in out, out


def test_the_output_of_each_run_and_undo_verifies(stopped: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The program's own output events (each step's run, each undo, the failed undo's too) are not taken for forged."""
    phases = {(e["step"], e["phase"]) for e in stopped if e["type"] == "output"}
    assert {("a", "run"), ("b", "run"), ("c", "run"), ("c", "undo"), ("b", "undo")} <= phases, phases
    code, out = verified(capsys, tmp_path / "J.jsonl")
    assert code == 0 and "intact: " in out, out


@pytest.mark.forged_sequence
def test_each_impossible_event_is_named(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No rollback_started: each undo, the rollback's end and the run's (rolled back) are impossible, each on its line."""
    events = without(("rollback_started", None))([dict(e) for e in honest])
    code, out = verified(capsys, rewritten(tmp_path / "forged.jsonl", events))
    said = [line.split(": ", 1)[1] for line in out.splitlines() if ": line " in line]
    expected = [where(events, kind, step) + 1 for kind, step in [("undo_started", "c"), ("undo_finished", "c"), ("undo_started", "b")]]
    assert code == 1 and len(said) == 8, out  # three undos started and finished, the rollback's end, the session's
    assert [int(s.split(":")[0].removeprefix("line ")) for s in said[:3]] == expected, out
    assert said[0].endswith("undo_started of 'c' outside a rollback (no rollback_started before it, or it had finished)"), out
    assert said[-2].endswith("rollback_finished with no rollback running"), out
    assert said[-1].endswith("session_finished rolled_back where no rollback had begun (a run ends rolled back once a rollback finished whole)"), out
    assert "8 events are impossible where the run stood" in out, out


def test_exec_ends_a_rollback_without_announcing_a_step_it_will_not_run(honest: Events) -> None:
    """exec --on-failure rollback with no checkpoint reached: the run is back at 'a', and ends. Before, a `step_ready` of
    'a' ("the step as it will run: what the verifier approves") stood between rollback_finished and session_finished."""
    ending = [e["type"] for e in honest[where(honest, "rollback_finished") :]]
    assert ending == ["rollback_finished", "session_finished"], ending
    assert honest[-1]["outcome"] == "rolled_back"


READERS = ["a step finished that never started", "an undo of a step that never ran", "output of a step after it finished"]


@pytest.mark.forged_sequence
@pytest.mark.parametrize("case", READERS)
def test_report_replay_and_resume_refuse_what_verify_calls_impossible(honest: Events, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    """`report`, `replay` and `resume` read a journal only if it verifies: a rewritten chain with an impossible event is
    refused with its line, as a broken chain is. Before, `report` exited 0 and said "`journal verify` passes" of a
    journal `journal verify` called NOT intact, `replay` played it and `resume` rebuilt its state from it."""
    from runbook_tui.app.practice import replayable_events
    from runbook_tui.app.session import SessionError

    edit, kind, step, words = CASES[case]
    events = edit([dict(e) for e in honest])
    path = rewritten(tmp_path / "forged.jsonl", events)
    line = 1 + (next((i for i, e in enumerate(events) if e.get("text") == FORGED), None) or where(events, kind, step))
    code, out = verified(capsys, path)
    assert code == 1 and f"line {line}: {words}" in out, out
    first = out.splitlines()[0].removeprefix(f"{path}: ")  # the first impossible event, as verify says it
    assert first.startswith("line "), out
    for fmt in ("md", "json", "html", "cast"):
        report = tmp_path / f"report.{fmt}"
        code = cli.main(["report", str(path), "--format", fmt, "-o", str(report)])
        err = capsys.readouterr().err
        assert code == 2, (fmt, err)
        assert f"refusing to report on it: {first}" in err, (fmt, err)
        assert not report.exists(), fmt
    with pytest.raises(SessionError) as refused:
        replayable_events(str(path))
    assert f"({first}); refusing to replay it" in str(refused.value), refused.value
    before = path.read_bytes()
    assert cli.main(["resume", str(path), "--headless"]) == 1  # tampered: 1, as a broken chain
    assert f"the journal does not verify ({first}); refusing to resume" in capsys.readouterr().err
    assert path.read_bytes() == before  # nothing appended
    assert cli.main(["report", str(rewritten(tmp_path / "same.jsonl", honest)), "--format", "json"]) == 0  # the faithful rewrite reports
    assert '"verified": true' in capsys.readouterr().out
    replayable_events(str(tmp_path / "same.jsonl"))
