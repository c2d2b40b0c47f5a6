"""apply/replay: the journal alone rebuilds exactly the state the live run had, at every event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.app.session import Session
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import RunState, apply, replay

RUNBOOK = """\
    runbook: 1
    id: replay-demo
    title: Replay demo
    sections:
      - id: pre
        title: Pre
        kind: precheck
        steps:
          - id: look
            title: Look
            run: echo v1
            capture: version
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: a
            title: Step a
            run: echo a >> log
            undo: echo undo-a >> log
            checkpoint: true
          - id: b
            title: Step b
            run: echo b >> log
            undo: echo undo-b >> log
          - id: c
            title: Step c (fails until ok-to-go exists)
            run: echo c >> log; test -e ok-to-go
            undo: echo undo-c >> log
          - id: d
            title: Step d
            run: echo d {{ captured.version }} >> log
      - id: back
        title: After a full rollback
        kind: rollback
        steps:
          - id: after
            title: Check after
            run: echo rollback-section >> log
"""


class Recorder:
    """Keeps the live controller's state after every event, by seq."""

    def __init__(self) -> None:
        self.states: dict[int, RunState] = {}

    def __call__(self, event: Event, state: RunState) -> None:
        self.states[event["seq"]] = state


def run_scenario(tmp_path: Path, write_runbook: Callable[..., Path], open_local_session: Callable[..., Session],
                 monkeypatch: pytest.MonkeyPatch, body: Callable[[Session], Any]) -> tuple[Recorder, RunState, list[Event]]:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    runbook = write_runbook(RUNBOOK)
    recorder = Recorder()

    async def main() -> RunState:
        session = open_local_session(runbook, solo="replay tests", listeners=[recorder])
        try:
            await body(session)
            return session.controller.state
        finally:
            await session.close()

    final = asyncio.run(main())
    read = read_events(tmp_path / "journal.jsonl")
    assert read.intact, read.problems
    return recorder, final, read.events


async def rollback_to_checkpoint_then_finish(session: Session) -> None:
    c, me = session.controller, session.actor
    assert await drive(c, me, on_failure="stop", finish=False) == "failed"
    assert c.note(me, "c failed, going back to the checkpoint").ok
    assert c.rollback(me, "checkpoint", acknowledged=True, reason="test").ok
    await c.wait_idle()
    Path("ok-to-go").touch()
    assert await drive(c, me) == "done"


async def full_rollback(session: Session) -> None:
    c, me = session.controller, session.actor
    assert await drive(c, me, on_failure="abort") == "rolled_back"


async def skip_and_finish(session: Session) -> None:
    c, me = session.controller, session.actor
    Path("ok-to-go").touch()
    c.run_current(me)
    await c.wait_idle()
    assert c.skip(me, "already done by hand in CHG-1").ok
    assert await drive(c, me) == "done"


@pytest.mark.parametrize("body", [rollback_to_checkpoint_then_finish, full_rollback, skip_and_finish])
def test_replaying_the_journal_gives_the_live_state_at_every_event(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch, body: Callable[[Session], Any]) -> None:  # fmt: skip
    recorder, final, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, body)
    assert final.finished
    assert replay(events) == final
    assert sorted(recorder.states) == [e["seq"] for e in events]
    state = None
    for event in events:
        state = apply(state or RunState(), event)
        assert state == recorder.states[event["seq"]], f"replay differs from the live state after seq {event['seq']} ({event['type']})"


def test_replay_rebuilds_outcome_steps_captures_and_notes(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _, _, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, rollback_to_checkpoint_then_finish)
    state = replay(events)
    assert state.outcome == "done"
    assert state.captured == {"version": "v1"}
    assert {sid: s.status for sid, s in state.steps.items() if sid in state.order} == {"look": "done", "a": "done", "b": "done", "c": "done", "d": "done"}
    assert state.steps["b"].attempts == 2 and state.steps["a"].attempts == 1
    assert [n["text"] for n in state.notes if n["actor"] != "system"] == ["c failed, going back to the checkpoint"]
    assert all(s.verified is False for sid, s in state.steps.items() if sid in state.order)
    assert (tmp_path / "log").read_text().split("\n")[:-1] == ["a", "b", "c", "undo-c", "undo-b", "b", "c", "d v1"]


def test_rollback_to_a_checkpoint_marks_steps_undone_and_moves_the_current_step_back(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _, _, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, rollback_to_checkpoint_then_finish)
    end = next(i for i, e in enumerate(events) if e["type"] == "rollback_finished")
    before = replay(events[: next(i for i, e in enumerate(events) if e["type"] == "rollback_started")])
    assert before.current == "c" and before.steps["c"].status == "failed"
    state = replay(events[: end + 1])
    assert state.rollback is not None and state.rollback.finished and state.rollback.ok
    assert state.rollback.done_steps == ("c", "b")
    assert state.steps["c"].status == "undone" and state.steps["b"].status == "undone"
    assert state.steps["a"].status == "done", "the checkpoint step itself is not undone"
    assert state.checkpoint == "a"
    assert state.current == "b", "the run stands at the first step after the checkpoint"
    assert not state.finished


def test_a_full_rollback_marks_every_ran_step_undone(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _, _final, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, full_rollback)
    state = replay(events)
    assert state.outcome == "rolled_back"
    assert [state.steps[s].status for s in ("a", "b", "c")] == ["undone", "undone", "undone"]
    assert state.steps["after"].status == "done"
    assert state.current == "a"


def test_session_resumed_after_step_started_makes_that_step_unknown(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _, _, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, skip_and_finish)
    cut = next(i for i, e in enumerate(events) if e["type"] == "step_started" and e["step"] == "b")
    died = replay(events[: cut + 1])
    assert died.steps["b"].status == "running"
    resumed_event = {"seq": cut + 1, "ts": events[cut]["ts"], "type": "session_resumed", "actor": "root", "prev": events[cut]["hash"], "hash": "x", "pid": 1}
    state = apply(died, resumed_event)
    assert state.steps["b"].status == "unknown"
    assert {h: hs.status for h, hs in state.steps["b"].hosts.items()} == {"local": "unknown"}
    assert state.steps["b"].problems, "an unknown step says why"
    assert state.steps["a"].status == "skipped" and state.steps["look"].status == "done"
    assert state.steps["c"].status == "pending"
    assert state.current == "b"
    assert state.resumed == 1 and not state.finished
    assert died.steps["b"].status == "running", "apply is pure: the earlier state is unchanged"


def test_a_step_that_finished_before_the_resume_stays_as_it_was(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _, _, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, skip_and_finish)
    cut = next(i for i, e in enumerate(events) if e["type"] == "step_finished" and e["step"] == "b")
    died = apply(
        replay(events[: cut + 1]), {"seq": cut + 1, "ts": events[cut]["ts"], "type": "participant_joined", "actor": "bob", "name": "bob", "role": "verifier"}
    )
    assert dict(died.participants) == {"bob": "verifier"}
    state = apply(died, {"seq": cut + 2, "ts": events[cut]["ts"], "type": "session_resumed", "actor": "root"})
    assert state.steps["b"].status == "done"
    assert state.current == "c"
    assert dict(state.participants) == {}, "seen in a walk: the resumed header said 'verifier bob connected' before anyone joined"
    closed = apply(died, {"seq": cut + 2, "ts": events[cut]["ts"], "type": "share_closed", "actor": "system", "authenticated": 1})
    assert dict(closed.participants) == {}, "seen in a replay's last moment: 'verifier bob connected' after the share had closed"


def test_an_unknown_event_type_only_advances_seq(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A journal written by a newer version still replays (new event types are welcome)."""
    _, _, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, skip_and_finish)
    state = replay(events[:3])
    later = apply(state, {"seq": 3, "ts": "2030-01-01T00:00:00.000Z", "type": "hologram_projected", "actor": "system"})
    assert later.seq == 3
    assert later.steps == state.steps and later.current == state.current


def _outputs_after_each_start(events: list[Event], outputs: Callable[[Event], list[Event]]) -> list[Event]:
    """`events` with `outputs(step_started)` after each step start, numbered again."""
    long: list[Event] = []
    for event in events:
        long.append(event)
        if event["type"] == "step_started":
            long.extend(outputs(event))
    return [{**event, "seq": seq} for seq, event in enumerate(long)]


def _assert_replay_is_apply(long: list[Event], cuts: Iterable[int]) -> None:
    for cut in cuts:
        state = RunState()
        for event in long[:cut]:
            state = apply(state, event)
        assert replay(long[:cut]) == state, f"replay differs from apply after {cut} events"


def test_replay_folds_long_runs_of_output_as_apply_does_event_by_event(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """`replay` folds a run of output events at once (resume of a long journal): the state must be the one `apply` gives."""
    _, _, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, skip_and_finish)
    # More lines than OUTPUT_TAIL, from two hosts and both streams, a stray step among them.
    long = _outputs_after_each_start(events, lambda event: [
        {**event, "type": "output", "step": event["step"] if n % 97 else "not-in-the-plan", "host": f"h{n % 2}",
         "stream": "stderr" if n % 5 == 0 else "stdout", "text": f"{n}a\n{n}b\n" if n % 3 else ""} for n in range(300)
    ])  # fmt: skip
    _assert_replay_is_apply(long, range(0, len(long) + 1, 37))
    kept = [line.text for line in replay(long).steps["look"].output]
    assert kept[-2:] == ["299b", "v1"] and "97a" not in kept  # the last of ours, then the step's own; not the stray step's


def test_replay_of_a_run_longer_than_the_tail_keeps_the_same_lines_as_apply(tmp_path: Path, write_runbook: Callable[..., Path],
        open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A run of output events longer than OUTPUT_TAIL (only its last events with text are split), empty ones among them."""
    _, _, events = run_scenario(tmp_path, write_runbook, open_local_session, monkeypatch, skip_and_finish)
    long = _outputs_after_each_start(events, lambda event: [
        {**event, "type": "output", "text": "" if n % 3 == 0 else f"{n}\n" if n % 7 else f"{n}a\r\n{n}b"} for n in range(1500)
    ])  # fmt: skip
    _assert_replay_is_apply(long, (len(long) // 3, len(long) // 2, len(long)))
