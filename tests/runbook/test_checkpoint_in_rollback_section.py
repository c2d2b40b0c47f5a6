"""`checkpoint: true` on a step of a rollback section: a warning at the key, and no checkpoint.

A rollback section's steps run only in a full rollback (spec: Rollback), after every completed step was undone: none
of them is a safe point a rollback to the last checkpoint goes back to. Before: accepted silently, and the step, once
done in a full rollback, was journaled `checkpoint_reached` and named `⚑ last checkpoint`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers_runbook import at, load

RUNBOOK = """\
runbook: 1
id: cp
title: T
sections:
  - id: main
    steps:
      - {id: a, run: 'true', undo: 'true', checkpoint: true}
  - id: back
    kind: rollback
    steps:
      - {id: restore, run: 'true', checkpoint: true}
      - {id: tell, note: Tell the team, checkpoint: false}
"""


def test_a_rollback_sections_checkpoint_is_warned_and_is_none(write_runbook: Callable[..., Path]) -> None:
    loaded = load(write_runbook(RUNBOOK))
    assert [(at(d), d.message) for d in loaded.warnings] == [
        (
            (11, 36),
            "step 'restore': 'checkpoint: true' does nothing in a rollback section (its steps run only in a full rollback,"
            " which no rollback goes back into); expected it on a step the change runs, or checkpoint left out",
        )
    ]
    assert loaded.runbook.step("restore").checkpoint is False
    assert loaded.runbook.step("a").checkpoint is True
