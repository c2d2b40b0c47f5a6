"""The rollback planner: from a runbook and what has run so far, exactly which undo runs where, in what order.

Pure on purpose: the controller shows this plan before a rollback starts, the
journal records it (`to_json`) and `apply()` / `replay` read it back
(`from_json`), so all of them must agree on the same list without touching
hosts, files or the screen. Rendering an undo for a host is the caller's job
(`render_undo`, and a lazy title: `render_title`), because lazy templates need captures and the host mapping
that only the controller holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeGuard, cast, get_args

from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import READ_ONLY_SECTION_KINDS, Host, Runbook, Step
from runbook_tui.runbook.safe_text import visible_line

Outcome = Literal["done", "failed", "timed_out", "unknown", "skipped", "undone"]
Scope = Literal["checkpoint", "full"]

#: Outcomes after which a command may have changed things, so its undo must run.
RAN_OUTCOMES: frozenset[str] = frozenset({"done", "failed", "timed_out", "unknown"})
_OUTCOMES: frozenset[str] = frozenset(get_args(Outcome))
_SCOPES: frozenset[str] = frozenset(get_args(Scope))

#: Step kinds that change nothing by themselves: without an undo there is nothing to acknowledge.
_PASSIVE_STEP_KINDS: frozenset[str] = frozenset({"wait", "ask"})


@dataclass(frozen=True, slots=True)
class StepRecord:
    """What happened to one step so far, per host, in the order the hosts ran it."""

    step_id: str
    hosts: tuple[tuple[str, Outcome], ...]
    #: The step as a whole is done: it ran everywhere and, where a verifier must confirm, was confirmed. A step the
    #: verifier rejected (or has not confirmed yet) ran, but is not a safe point to go back to.
    accepted: bool = True
    #: Per host, how the step stands there in words (engine/undo_notes.py), for the undo list; "" when plainly done.
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class UndoEntry:
    """One undo on one host; `command` None means the step has no undo and a human must accept that."""

    step_id: str
    step_title: str
    host: str
    command: str | None  # rendered undo for that host; None = the step has no undo
    outcome: Outcome  # how the original step ended on that host
    note: str = ""  # that, and what became of the step after, in words the undo list shows ("" = plainly done)


@dataclass(frozen=True, slots=True)
class RollbackPlan:
    """Everything a rollback will do, known before it starts so it can be shown and journaled first."""

    scope: Scope
    checkpoint_step: str | None  # the checkpoint we go back to (None = back to the start)
    entries: tuple[UndoEntry, ...]  # in the order they will run: newest first
    rollback_steps: tuple[str, ...]  # full scope only: `rollback` sections' step ids, run after the undos
    #: (step, hosts) in the span, newest first, where the command never started (no connection, or a rollout stopped
    #: before their batch): nothing to undo there, so no entry; the list says so. Not journaled (the entries are).
    left_out: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def without_undo(self) -> tuple[UndoEntry, ...]:
        """Entries that cannot be undone: the assignee must acknowledge them before the rollback starts."""
        return tuple(e for e in self.entries if e.command is None)

    @property
    def needs_acknowledgement(self) -> bool:
        """True when something in the span stays changed after the rollback."""
        return any(e.command is None for e in self.entries)

    @property
    def runs_nothing(self) -> str | None:
        """Why this rollback would run nothing, in the undo list's words; None when it has an undo or a rollback step to
        run. Entries of steps without an undo alone run nothing: a rollback of them ended ROLLED BACK with every change
        still standing, where exec's advice after a failure said `nothing to roll back` of the same run."""
        if self.rollback_steps or any(entry.command is not None for entry in self.entries):
            return None
        return NO_UNDO_AT_ALL if self.scope == "full" else no_undo_since(self.checkpoint_step)


#: Why a full rollback has nothing to do: exec's note when `--on-failure abort` has nothing to roll back, its advice after a failure.
NO_UNDO_AT_ALL = "no step that ran has an undo, and the runbook has no rollback section"


def nothing_to_roll_back(why: str) -> str:
    """`nothing to roll back: <why>` (`RollbackPlan.runs_nothing`, or `NO_UNDO_AT_ALL`): exec's note and advice, resume's refusal."""
    return f"nothing to roll back: {why}"


def no_undo_since(checkpoint_step: str | None) -> str:
    """`no step since the last checkpoint ('backup') has an undo to run`: the undo list's words, and exec's."""
    since = f"'{visible_line(checkpoint_step)}'" if checkpoint_step else "the start"
    return f"no step since the last checkpoint ({since}) has an undo to run"


def plan_rollback(
    runbook: Runbook,
    history: Sequence[StepRecord],
    scope: Scope,
    render_undo: Callable[[Step, Host], str],
    render_title: Callable[[Step], str] = lambda step: step.title,
) -> RollbackPlan:
    """Plan a rollback to the last completed checkpoint (`checkpoint`) or of the whole change (`full`).

    `history` lists step records in the order the steps were started, oldest
    first. A record naming a step or host the runbook does not have raises
    ValueError: a journal that does not match its runbook is a bug to surface,
    never something to guess around during an incident.
    """
    if scope not in _SCOPES:
        raise ValueError(f"unknown rollback scope {scope!r}; expected 'checkpoint' or 'full'")
    steps = [_resolve(runbook, record) for record in history]

    checkpoint_step: str | None = None
    start = 0
    if scope == "checkpoint":
        for index in range(len(history) - 1, -1, -1):
            if steps[index].checkpoint and _completed(history[index]):
                checkpoint_step = history[index].step_id
                start = index + 1
                break

    entries: list[UndoEntry] = []
    left_out: list[tuple[str, tuple[str, ...]]] = []
    for index in range(len(history) - 1, start - 1, -1):
        entries.extend(_entries_for(runbook, steps[index], history[index], render_undo, render_title))
        never = tuple(name for name, outcome in history[index].hosts if outcome == "skipped")
        if never and _still_stands(history[index]) and (steps[index].undo is not None or _needs_undo(runbook, steps[index])):
            left_out.append((steps[index].id, never))

    rollback_steps = tuple(s.id for s in runbook.rollback_steps) if scope == "full" else ()
    return RollbackPlan(
        scope=scope,
        checkpoint_step=checkpoint_step,
        entries=tuple(entries),
        rollback_steps=rollback_steps,
        left_out=tuple(left_out),
    )


def _still_stands(record: StepRecord) -> bool:
    """Whether the attempt that never started on a step's `skipped` hosts stands: not when an earlier rollback undid it
    on every host it ran on (the next list said `nothing to undo on web3: the command never started there` of a run
    already undone, no step run since). A step whose command started nowhere stands: that is news to the list."""
    outcomes = {outcome for _, outcome in record.hosts}
    return "undone" not in outcomes or bool(outcomes & RAN_OUTCOMES)


def to_json(plan: RollbackPlan, section_commands: Callable[[str], Mapping[str, str] | None] | None = None) -> dict[str, Any]:
    """The plan as plain JSON data for the journal's `rollback_started` event.

    Commands are written as rendered; the journal writer redacts secrets like
    everywhere else. `section_commands`: a `rollback` section step's commands by host as they will run
    (`Runner.rendered_step`), written as `rollback_commands` so the list shown before a full rollback (exec's lines, the
    report) says what those steps run, as the undo entries do (exec named only their ids).
    """
    data = _plan_json(plan)
    if section_commands is not None and plan.rollback_steps:
        data["rollback_commands"] = {step_id: dict(section_commands(step_id) or {}) for step_id in plan.rollback_steps}
    return data


def _plan_json(plan: RollbackPlan) -> dict[str, Any]:
    return {
        "scope": plan.scope,
        "checkpoint_step": plan.checkpoint_step,
        "entries": [
            {
                "step_id": e.step_id,
                "step_title": e.step_title,
                "host": e.host,
                "command": e.command,
                "outcome": e.outcome,
                "note": e.note,
            }
            for e in plan.entries
        ],
        "rollback_steps": list(plan.rollback_steps),
        "needs_acknowledgement": plan.needs_acknowledgement,
    }


def from_json(data: Mapping[str, Any]) -> RollbackPlan:
    """Read a plan back from a journal event, so `apply()` and `replay` see the plan that was shown."""
    scope = data["scope"]
    if scope not in _SCOPES:
        raise ValueError(f"unknown rollback scope {scope!r} in journal")
    entries = []
    for raw in data["entries"]:
        outcome = raw["outcome"]
        if outcome not in _OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r} for step {raw['step_id']!r} in journal")
        entries.append(
            UndoEntry(
                step_id=raw["step_id"],
                step_title=raw["step_title"],
                host=raw["host"],
                command=raw["command"],
                outcome=cast(Outcome, outcome),
                note=raw.get("note", ""),  # journals before notes had none
            )
        )
    return RollbackPlan(
        scope=cast(Scope, scope),
        checkpoint_step=data["checkpoint_step"],
        entries=tuple(entries),
        rollback_steps=tuple(data["rollback_steps"]),
    )


def _resolve(runbook: Runbook, record: StepRecord) -> Step:
    """The record's step, after checking that its step and hosts exist in this runbook."""
    try:
        step = runbook.step(record.step_id)
    except KeyError:
        raise ValueError(f"history names step {record.step_id!r}, which runbook {runbook.id!r} does not have") from None
    names = {host.name for host in runbook.targets(step)}
    for name, outcome in record.hosts:
        if outcome not in _OUTCOMES:
            raise ValueError(f"step {record.step_id!r}: unknown outcome {outcome!r}")
        if name not in names:
            raise ValueError(f"history says step {record.step_id!r} ran on {name!r}, which is not one of its hosts")
    return step


def _completed(record: StepRecord) -> bool:
    """A checkpoint counts only when it finished on every host and was accepted: a half-done or rejected safe point is not safe."""
    return record.accepted and bool(record.hosts) and all(outcome == "done" for _, outcome in record.hosts)


def _entries_for(
    runbook: Runbook,
    step: Step,
    record: StepRecord,
    render_undo: Callable[[Step, Host], str],
    render_title: Callable[[Step], str],
) -> list[UndoEntry]:
    """Undo entries for one record: hosts where it may have changed things, last host first."""
    ran = [(name, outcome) for name, outcome in record.hosts if outcome in RAN_OUTCOMES]
    if not ran:
        return []
    if step.undo is None and not _needs_undo(runbook, step):
        return []
    targets = {host.name: host for host in runbook.targets(step)}
    notes = dict(record.notes)
    entries, title = [], render_title(step)
    for name, outcome in reversed(ran):
        command = None if step.undo is None else render_undo(step, targets[name])
        entries.append(UndoEntry(step.id, title, name, command, outcome, notes.get(name, "")))
    return entries


def _needs_undo(runbook: Runbook, step: Step) -> bool:
    """Whether a step without an undo leaves something changed: `run`/`note` outside sections that only look."""
    if step.kind in _PASSIVE_STEP_KINDS:
        return False
    return runbook.section(step.section_id).kind not in READ_ONLY_SECTION_KINDS


def plannable(status: str) -> TypeGuard[Outcome]:
    """Whether a host's status is one the rollback planner weighs (it has run, or was skipped)."""
    return status in get_args(Outcome)


def grouped_entries(plan: RollbackPlan) -> list[tuple[str, list[Any]]]:
    """Consecutive undo entries of one step become one fan-out, keeping the plan's order."""
    groups: list[tuple[str, list[Any]]] = []
    for entry in plan.entries:
        if groups and groups[-1][0] == entry.step_id:
            groups[-1][1].append(entry)
        else:
            groups.append((entry.step_id, [entry]))
    return groups
