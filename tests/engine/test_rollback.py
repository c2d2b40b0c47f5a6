"""The rollback planner: what an SRE sees, and what runs, when they roll a change back."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runbook_tui.engine.rollback import (
    RAN_OUTCOMES,
    Outcome,
    RollbackPlan,
    StepRecord,
    UndoEntry,
    from_json,
    plan_rollback,
    to_json,
)
from runbook_tui.runbook.model import Host, Mark, Runbook, Section, SectionKind, Step, StepKind, Text

M = Mark("test.yaml", 1, 1)
LOCAL_HOST = Host("local", "127.0.0.1", M)
DB = (Host("db1", "10.0.0.5", M), Host("db2", "10.0.0.6", M), Host("db3", "10.0.0.7", M))


def step(
    step_id: str,
    *,
    kind: StepKind = "run",
    undo: str | None = "undo",
    on: str = "db",
    checkpoint: bool = False,
) -> Step:
    return Step(
        id=step_id,
        title=f"Title of {step_id}",
        kind=kind,
        section_id="",  # set by section()
        mark=M,
        body=Text(f"do {step_id}", M, "shell", f"do {step_id}"),
        wait_seconds=30.0 if kind == "wait" else None,
        on=on,
        undo=None if undo is None else Text(f"{undo} {step_id}", M, "shell", f"{undo} {step_id}"),
        checkpoint=checkpoint,
    )


def section(section_id: str, kind: SectionKind, *steps: Step) -> Section:
    return Section(
        id=section_id,
        title=section_id.title(),
        kind=kind,
        steps=tuple(dataclasses.replace(s, section_id=section_id) for s in steps),
        mark=M,
    )


def runbook(*sections: Section) -> Runbook:
    return Runbook(
        id="test-change",
        title="Test change",
        file="test.yaml",
        digest="sha256:00",
        ticket=None,
        params=(),
        param_values=(),
        hosts=(("local", (LOCAL_HOST,)), ("db", DB)),
        secrets=(),
        metrics=None,
        sections=sections,
    )


def rec(step_id: str, *hosts: tuple[str, Outcome]) -> StepRecord:
    return StepRecord(step_id, tuple(hosts))


def done(step_id: str, *names: str) -> StepRecord:
    """A step that finished on the given hosts (db1, db2 by default)."""
    return rec(step_id, *((n, "done") for n in (names or ("db1", "db2"))))


def render(step: Step, host: Host) -> str:
    """Render like the controller would: the undo text, made host-specific."""
    assert step.undo is not None and step.undo.value is not None
    return f"{step.undo.value} --on {host.name}@{host.address}"


def pairs(plan: RollbackPlan) -> list[tuple[str, str]]:
    return [(e.step_id, e.host) for e in plan.entries]


# A realistic shape: look, back up, change with a checkpoint in the middle, verify, roll back.
RB = runbook(
    section(
        "prechecks",
        "precheck",
        step("repl-lag", undo=None),
        step("disk-ok", undo=None),
    ),
    section("backup", "backup", step("snapshot", checkpoint=True)),
    section(
        "implement",
        "implement",
        step("drain", on="local"),
        step("install"),
        step("restart", checkpoint=True),
        step("reindex"),
        step("tell-team", kind="note", undo=None, on="local"),
        step("soak", kind="wait", undo=None, on="local"),
        step("ok-to-go", kind="ask", undo=None, on="local"),
        step("config"),
    ),
    section("verify", "verify", step("smoke", undo=None)),
    section("rollback", "rollback", step("restore-snapshot"), step("page-dba", kind="note", undo=None)),
    section("postchecks", "postcheck", step("final-lag", undo=None)),
    section("rollback-2", "rollback", step("reopen-traffic", on="local")),
)


# --- the span of a checkpoint rollback ---------------------------------------------------------------


def test_undoes_steps_after_the_last_completed_checkpoint_newest_first_and_not_the_checkpoint() -> None:
    history = [
        done("repl-lag"),
        done("snapshot"),
        done("drain", "local"),
        done("install"),
        done("restart"),
        done("reindex"),
        done("config"),
    ]
    plan = plan_rollback(RB, history, "checkpoint", render)

    assert plan.scope == "checkpoint"
    assert plan.checkpoint_step == "restart"
    assert pairs(plan) == [("config", "db2"), ("config", "db1"), ("reindex", "db2"), ("reindex", "db1")]
    assert plan.rollback_steps == ()
    assert not plan.needs_acknowledgement


def test_no_checkpoint_reached_goes_back_to_the_start() -> None:
    rb = runbook(section("implement", "implement", step("a"), step("b"), step("c", checkpoint=True)))
    plan = plan_rollback(rb, [done("a"), done("b", "db1")], "checkpoint", render)

    assert plan.checkpoint_step is None
    assert pairs(plan) == [("b", "db1"), ("a", "db2"), ("a", "db1")]


def test_a_checkpoint_that_failed_on_one_host_does_not_count_the_earlier_one_is_used() -> None:
    history = [
        done("snapshot"),
        done("install"),
        rec("restart", ("db1", "done"), ("db2", "failed")),
    ]
    plan = plan_rollback(RB, history, "checkpoint", render)

    assert plan.checkpoint_step == "snapshot"
    # The half-done checkpoint is itself in the span, on both hosts (a failed command may have changed things).
    assert pairs(plan) == [("restart", "db2"), ("restart", "db1"), ("install", "db2"), ("install", "db1")]


@pytest.mark.parametrize("other", ["skipped", "timed_out", "unknown", "undone"])
def test_a_checkpoint_not_done_everywhere_does_not_count(other: Outcome) -> None:
    history = [done("snapshot"), done("install"), rec("restart", ("db1", "done"), ("db2", other))]
    assert plan_rollback(RB, history, "checkpoint", render).checkpoint_step == "snapshot"


def test_a_checkpoint_with_no_hosts_recorded_does_not_count() -> None:
    history = [done("snapshot"), done("install"), rec("restart")]
    assert plan_rollback(RB, history, "checkpoint", render).checkpoint_step == "snapshot"


def test_the_most_recent_completed_checkpoint_wins() -> None:
    history = [done("snapshot"), done("install"), done("restart"), done("reindex")]
    plan = plan_rollback(RB, history, "checkpoint", render)
    assert plan.checkpoint_step == "restart"
    assert [e.step_id for e in plan.entries] == ["reindex", "reindex"]


def test_rolling_back_right_after_a_checkpoint_undoes_nothing() -> None:
    plan = plan_rollback(RB, [done("snapshot"), done("install"), done("restart")], "checkpoint", render)
    assert plan.checkpoint_step == "restart"
    assert plan.entries == ()
    assert not plan.needs_acknowledgement


def test_empty_history_plans_nothing() -> None:
    plan = plan_rollback(RB, [], "checkpoint", render)
    assert plan == RollbackPlan("checkpoint", None, (), ())


# --- outcomes -----------------------------------------------------------------------------------------


def test_failed_timed_out_and_unknown_steps_are_undone_and_keep_their_outcome() -> None:
    history = [
        done("restart"),
        rec("reindex", ("db1", "failed")),
        rec("config", ("db1", "timed_out"), ("db2", "unknown"), ("db3", "done")),
    ]
    plan = plan_rollback(RB, history, "checkpoint", render)

    assert [(e.step_id, e.host, e.outcome) for e in plan.entries] == [
        ("config", "db3", "done"),
        ("config", "db2", "unknown"),
        ("config", "db1", "timed_out"),
        ("reindex", "db1", "failed"),
    ]
    assert all(e.command is not None for e in plan.entries)


def test_skipped_and_already_undone_hosts_and_steps_are_not_undone_again() -> None:
    history = [
        done("restart"),
        rec("reindex", ("db1", "skipped"), ("db2", "skipped")),  # whole step skipped
        rec("config", ("db1", "undone"), ("db2", "done"), ("db3", "skipped")),  # mixed
        rec("tell-team", ("local", "skipped")),  # no undo, but never ran: nothing to acknowledge
    ]
    plan = plan_rollback(RB, history, "checkpoint", render)

    assert pairs(plan) == [("config", "db2")]
    assert not plan.needs_acknowledgement


# --- per-host spans -----------------------------------------------------------------------------------


def test_a_rollout_stopped_by_max_fail_is_undone_only_where_it_ran() -> None:
    rb = runbook(section("implement", "implement", step("upgrade")))
    # db1 failed, max_fail 0 stopped the rollout before db2's batch: db2 has no outcome at all.
    plan = plan_rollback(rb, [rec("upgrade", ("db1", "failed"))], "checkpoint", render)

    assert plan.entries == (UndoEntry("upgrade", "Title of upgrade", "db1", "undo upgrade --on db1@10.0.0.5", "failed"),)


def test_hosts_are_undone_in_reverse_of_the_order_they_ran() -> None:
    rb = runbook(section("implement", "implement", step("upgrade")))
    history = [rec("upgrade", ("db2", "done"), ("db3", "done"), ("db1", "done"))]  # serial batches, as they ran
    plan = plan_rollback(rb, history, "checkpoint", render)
    assert [e.host for e in plan.entries] == ["db1", "db3", "db2"]


def test_render_undo_gets_the_host_each_entry_runs_on() -> None:
    calls: list[tuple[str, Host]] = []

    def recording(s: Step, h: Host) -> str:
        calls.append((s.id, h))
        return render(s, h)

    history = [done("install", "db1", "db2", "db3"), rec("tell-team", ("local", "done"))]
    plan = plan_rollback(RB, history, "full", recording)

    assert calls == [("install", DB[2]), ("install", DB[1]), ("install", DB[0])]  # no call for a step without undo
    assert [e.command for e in plan.entries if e.step_id == "install"] == [
        "undo install --on db3@10.0.0.7",
        "undo install --on db2@10.0.0.6",
        "undo install --on db1@10.0.0.5",
    ]


# --- steps without undo -------------------------------------------------------------------------------


def test_changing_steps_without_undo_are_listed_and_must_be_acknowledged() -> None:
    rb = runbook(
        section(
            "implement",
            "implement",
            step("snap", checkpoint=True),
            step("drop-index", undo=None),
            step("tell-team", kind="note", undo=None, on="local"),
            step("bump"),
        )
    )
    history = [done("snap"), done("drop-index"), rec("tell-team", ("local", "done")), done("bump", "db1")]
    plan = plan_rollback(rb, history, "checkpoint", render)

    assert [(e.step_id, e.host, e.command) for e in plan.entries] == [
        ("bump", "db1", "undo bump --on db1@10.0.0.5"),
        ("tell-team", "local", None),
        ("drop-index", "db2", None),
        ("drop-index", "db1", None),
    ]
    assert plan.needs_acknowledgement
    assert [(e.step_id, e.host) for e in plan.without_undo] == [
        ("tell-team", "local"),
        ("drop-index", "db2"),
        ("drop-index", "db1"),
    ]


def test_read_only_sections_and_wait_ask_steps_without_undo_are_omitted() -> None:
    history = [
        done("repl-lag"),
        done("disk-ok"),
        rec("soak", ("local", "done")),
        rec("ok-to-go", ("local", "done")),
        done("smoke"),
        done("final-lag"),
    ]
    for scope in ("checkpoint", "full"):
        plan = plan_rollback(RB, history, scope, render)
        assert plan.entries == ()
        assert not plan.needs_acknowledgement


def test_a_step_with_an_undo_is_undone_whatever_its_section_or_kind() -> None:
    rb = runbook(
        section("pre", "precheck", step("mark-maintenance")),
        section("imp", "implement", step("soak", kind="wait", on="local"), step("note", kind="note", on="local")),
        section("ver", "verify", step("flag-on")),
    )
    history = [
        done("mark-maintenance", "db1"),
        rec("soak", ("local", "done")),
        rec("note", ("local", "done")),
        done("flag-on", "db2"),
    ]
    plan = plan_rollback(rb, history, "checkpoint", render)
    assert pairs(plan) == [("flag-on", "db2"), ("note", "local"), ("soak", "local"), ("mark-maintenance", "db1")]
    assert plan.entries[0].command == "undo flag-on --on db2@10.0.0.6"
    assert not plan.needs_acknowledgement


# --- full scope ---------------------------------------------------------------------------------------


def test_full_rollback_undoes_everything_that_ran_then_lists_rollback_sections_in_order() -> None:
    history = [
        done("repl-lag"),
        done("snapshot"),
        done("drain", "local"),
        done("install"),
        done("restart"),
        rec("reindex", ("db1", "failed"), ("db2", "skipped")),
    ]
    plan = plan_rollback(RB, history, "full", render)

    assert plan.scope == "full"
    assert plan.checkpoint_step is None
    assert pairs(plan) == [
        ("reindex", "db1"),
        ("restart", "db2"),
        ("restart", "db1"),  # checkpoints are undone too: the whole change goes
        ("install", "db2"),
        ("install", "db1"),
        ("drain", "local"),
        ("snapshot", "db2"),
        ("snapshot", "db1"),
    ]
    assert plan.entries[0].outcome == "failed"
    # every rollback section, in file order, even with a non-rollback section between them
    assert plan.rollback_steps == ("restore-snapshot", "page-dba", "reopen-traffic")


def test_full_rollback_with_nothing_run_still_runs_the_rollback_sections() -> None:
    plan = plan_rollback(RB, [], "full", render)
    assert plan.entries == ()
    assert plan.rollback_steps == ("restore-snapshot", "page-dba", "reopen-traffic")


def test_a_step_run_twice_is_undone_once_per_run_newest_first() -> None:
    # e.g. resumed after an earlier rollback undid it, then re-run
    history = [done("restart"), rec("config", ("db1", "undone")), rec("config", ("db1", "done"))]
    plan = plan_rollback(RB, history, "checkpoint", render)
    assert [(e.step_id, e.host, e.outcome) for e in plan.entries] == [("config", "db1", "done")]


# --- journal ------------------------------------------------------------------------------------------


def test_to_json_is_plain_json_and_reads_back_to_the_same_plan() -> None:
    history = [
        done("snapshot"),
        dataclasses.replace(rec("install", ("db1", "done"), ("db2", "unknown")), notes=(("db2", "step outcome unknown"),)),
        rec("tell-team", ("local", "done")),
    ]
    plan = plan_rollback(RB, history, "full", render)
    data = to_json(plan)
    text = json.dumps(data)

    assert json.loads(text) == data
    assert from_json(json.loads(text)) == plan
    assert data["scope"] == "full"
    assert data["checkpoint_step"] is None
    assert data["needs_acknowledgement"] is True
    assert data["rollback_steps"] == ["restore-snapshot", "page-dba", "reopen-traffic"]
    assert data["entries"][0] == {
        "step_id": "tell-team",
        "step_title": "Title of tell-team",
        "host": "local",
        "command": None,
        "outcome": "done",
        "note": "",
    }
    assert data["entries"][1]["command"] == "undo install --on db2@10.0.0.6"
    assert data["entries"][1]["outcome"] == "unknown"
    assert data["entries"][1]["note"] == "step outcome unknown", "each host's note is kept: the journal says what the list showed"
    del data["entries"][1]["note"]  # a journal from before the notes reads back without one
    assert from_json(data).entries[1].note == ""


def test_from_json_rejects_an_unknown_outcome() -> None:
    data = to_json(plan_rollback(RB, [done("install")], "checkpoint", render))
    data["entries"][0]["outcome"] = "exploded"
    with pytest.raises(ValueError, match="exploded"):
        from_json(data)


# --- a journal that does not match its runbook ---------------------------------------------------------


def test_a_step_id_not_in_the_runbook_raises() -> None:
    with pytest.raises(ValueError, match="no-such-step"):
        plan_rollback(RB, [done("snapshot"), done("no-such-step")], "checkpoint", render)
    # even when it lies before the checkpoint and would not be undone
    with pytest.raises(ValueError, match="no-such-step"):
        plan_rollback(RB, [done("no-such-step"), done("snapshot")], "checkpoint", render)


def test_a_host_the_step_does_not_target_raises() -> None:
    with pytest.raises(ValueError, match="web1"):
        plan_rollback(RB, [done("install", "db1", "web1")], "full", render)


def test_an_unknown_outcome_raises() -> None:
    with pytest.raises(ValueError, match="exploded"):
        plan_rollback(RB, [rec("install", ("db1", "exploded"))], "full", render)  # type: ignore[arg-type]


def test_an_unknown_scope_raises() -> None:
    with pytest.raises(ValueError, match="partial"):
        plan_rollback(RB, [], "partial", render)  # type: ignore[arg-type]


# --- properties over any history ----------------------------------------------------------------------

_OUTCOME_VALUES: Sequence[Outcome] = ("done", "failed", "timed_out", "unknown", "skipped", "undone")
_HISTORY_STEPS = list(RB.forward_steps)


@st.composite
def histories(draw: st.DrawFn) -> list[StepRecord]:
    records = []
    for s in draw(st.lists(st.sampled_from(_HISTORY_STEPS), max_size=12)):
        names = [h.name for h in RB.targets(s)]
        ran = draw(st.permutations(names))[: draw(st.integers(0, len(names)))]
        records.append(StepRecord(s.id, tuple((n, draw(st.sampled_from(_OUTCOME_VALUES))) for n in ran)))
    return records


@given(histories())
def test_checkpoint_plan_is_the_newest_part_of_the_full_plan(history: list[StepRecord]) -> None:
    full = plan_rollback(RB, history, "full", render)
    partial = plan_rollback(RB, history, "checkpoint", render)

    assert full.entries[: len(partial.entries)] == partial.entries
    assert all(e.outcome in RAN_OUTCOMES for e in full.entries)
    assert all((e.command is None) == (RB.step(e.step_id).undo is None) for e in full.entries)
    completed = [r for r in history if RB.step(r.step_id).checkpoint and r.hosts and all(o == "done" for _, o in r.hosts)]
    assert partial.checkpoint_step == (completed[-1].step_id if completed else None)
    if not completed:
        assert partial.entries == full.entries
    assert json.loads(json.dumps(to_json(full))) == to_json(full)
