"""What the controller-rules tests share: the people, a runbook of given steps, the step log, waiting on a state."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.engine.controller import Actor, Controller

ALICE = Actor("alice", "assignee")
BOB = Actor("bob", "verifier")
ALICE_AS_VERIFIER = Actor("alice", "verifier")
EVE = Actor("eve", "observer")

HEADER = """\
runbook: 1
id: rules-demo
title: Rules demo
ticket:
  id: CHG-1
  subject: Rules
  assignee: alice
  verifier: bob
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
"""


def runbook_text(steps: str) -> str:
    return HEADER + textwrap.indent(textwrap.dedent(steps), " " * 6)


TWO_STEPS = """\
- id: a
  title: Step a
  run: echo a >> log
  undo: echo undo-a >> log
  checkpoint: true
  verify: after
- id: b
  title: Step b
  run: echo b >> log
  verify: none
"""


def log(tmp_path: Path) -> list[str]:
    path = tmp_path / "log"
    return path.read_text().splitlines() if path.exists() else []


def types_of(journal_events: Callable[[Path], list[dict[str, Any]]], tmp_path: Path, **match: Any) -> list[dict[str, Any]]:
    return [e for e in journal_events(tmp_path / "journal.jsonl") if all(e.get(k) == v for k, v in match.items())]


async def until(predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    end = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > end:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def run_first_step(c: Controller) -> None:
    assert c.run_current(ALICE).ok
    await c.wait_idle()


async def run_steps(c: Controller, count: int) -> None:
    """The next `count` steps, one after the other, each to its end."""
    for _ in range(count):
        assert c.run_current(ALICE).ok
        await c.wait_idle()
