"""`RunState.plan_steps` is read once per session, not at each of the dozens of times a frame asks for it.

The run screen asked for it 43 times before its first frame, each a new dict over every step of the plan (about
1 ms for 300 steps, bench/first_paint.py). It is now kept with the session mapping it was read from: the same
session gives the same entries, another session (another run, a reopened one, a new fold) its own.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pytest

from runbook_tui.engine.state_model import RunState


def session(*step_ids: str) -> MappingProxyType[str, Any]:
    steps = [{"id": sid, "kind": "run", "hosts": ["local"]} for sid in step_ids]
    return MappingProxyType({"plan": {"sections": [{"id": "s", "steps": steps[:1]}, {"id": "t", "steps": steps[1:]}]}})


def test_the_same_session_is_read_once_and_another_is_read_anew() -> None:
    first = RunState(session=session("a", "b"))
    entries = first.plan_steps
    assert list(entries) == ["a", "b"] and entries["b"]["kind"] == "run"
    assert replace(first, paused=True).plan_steps is entries  # a fold that keeps the session keeps what was read

    other = RunState(session=session("c"))
    assert list(other.plan_steps) == ["c"]
    assert list(first.plan_steps) == ["a", "b"]  # back to the first run's session: its own steps, read again
    reopened = replace(first, session=MappingProxyType({**first.session, "assignee": "bob"}))
    assert list(reopened.plan_steps) == ["a", "b"]
    assert dict(RunState().plan_steps) == {}


def test_the_entries_read_cannot_be_changed_by_a_reader() -> None:
    entries = RunState(session=session("a")).plan_steps
    with pytest.raises(TypeError):
        entries["x"] = {}  # type: ignore[index]
