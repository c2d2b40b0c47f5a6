"""Which runs a resumed session asks its hosts to clear (engine/leftovers.py): only runs whose end the journal holds.

A run the dead process left `unknown` (step or host), or the undo of a rollback cut short, is what `resume --rerun`
and `--rollback` follow (engine/reattach.py): clearing it would lose the command's only record. Local commands leave
no run files; a dry run or practice runs nothing. (The clearing itself, with a real sshd and a kill -9:
tests/integration/test_cli_kill9_leftovers.py.)
"""

from __future__ import annotations

import textwrap
from dataclasses import replace

from runbook_tui.engine.leftovers import journaled_runs
from runbook_tui.engine.state_model import HostState, RollbackState, RunState, StepState
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Runbook

RUNBOOK = """\
runbook: 1
id: leftovers
title: Leftovers
hosts:
  web:
    - {name: web1, address: 127.0.0.1}
    - {name: web2, address: 127.0.0.1}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: done, title: done, on: web, run: "work", retries: 1, retry_delay: 0s, undo: "unwork", verify: none}
      - {id: lost, title: lost, on: web, run: "work", verify: none}
      - {id: half, title: half, on: web, run: "work", verify: none}
      - {id: here, title: here, run: "work", verify: none}
      - {id: later, title: later, on: web, run: "work", verify: none}
"""


def runbook(tmp_path) -> Runbook:  # type: ignore[no-untyped-def]
    path = tmp_path / "rb.yaml"
    path.write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    loaded = load_runbook(str(path), {}).runbook
    assert loaded is not None
    return loaded


def state(**changes: object) -> RunState:
    ended = {"web1": HostState("done", 0), "web2": HostState("failed", 1)}
    steps = {
        "done": StepState("done", status="failed", hosts=ended, attempts=2),
        "lost": StepState("lost", status="unknown", hosts={"web1": HostState("unknown"), "web2": HostState("unknown")}, attempts=1),
        "half": StepState("half", status="failed", hosts={"web1": HostState("done", 0), "web2": HostState("unknown")}, attempts=1),
        "here": StepState("here", status="done", hosts={"local": HostState("done", 0)}, attempts=1),
        "later": StepState("later"),
    }
    return replace(RunState(session={"session": "S", "mode": "live"}, steps=steps), **changes)  # type: ignore[arg-type]


def test_only_ended_remote_runs_are_named_every_attempt_and_try(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = journaled_runs(state(), runbook(tmp_path))
    expected = tuple(f"S/done/{{}}/run{a}{t}" for a in (1, 2) for t in ("", ".1"))
    assert found == {"web1": tuple(k.format("web1") for k in expected), "web2": tuple(k.format("web2") for k in expected)}


def test_the_last_finished_rollbacks_undo_is_named_and_an_interrupted_ones_is_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    finished = RollbackState(scope="checkpoint", plan={}, finished=True, ok=True, started_seq=42)
    found = journaled_runs(state(rollback=finished), runbook(tmp_path))
    assert found["web1"][-1] == "S/done/web1/undo2@42"
    cut = replace(finished, finished=False, ok=None, interrupted=True, failed_step="done")
    assert not any("undo" in key for keys in journaled_runs(state(rollback=cut), runbook(tmp_path)).values() for key in keys)


def test_a_dry_run_or_practice_names_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for mode in ("dry-run", "practice"):
        assert journaled_runs(state(session={"session": "S", "mode": mode}), runbook(tmp_path)) == {}
