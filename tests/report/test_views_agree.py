"""Every view of one run says the same thing: `exec`'s and `resume`'s lines, the report (the model behind md, html
and json, and its timeline) and replay's step list, each read from the same journal made by real processes."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from waiting import wait_until

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import said as log_said
from runbook_tui.engine.event_words import self_confirmed_words
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare
from runbook_tui.engine.state import RunState, replay
from runbook_tui.report import build_report, text
from runbook_tui.report.model import ReportError
from runbook_tui.report.practice_md import decision_words
from runbook_tui.ui.status_stack import statuses
from runbook_tui.ui.widgets import StepDetail
from tests.engine.test_event_shapes import rechained
from tests.engine.test_exec_cli import exec_env, run_exec
from tests.replay.replay_helpers import text_of, until
from tests.ui.run_screen_helpers import SIZE

DATA = Path(__file__).parent / "data"
UNMET = {"when": "end", "criterion": {"text": "err below 3%"}, "met": False}

#: c fails; the full rollback undoes c, then b, whose undo fails while the file `undo-b-fails` exists.
STOPPED_UNDO = """\
    runbook: 1
    id: views
    title: Views agree
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: echo undo-a}
          - {id: b, title: Step b, run: echo b, undo: "test ! -e undo-b-fails"}
          - {id: c, title: Step c, run: "test ! -e make-c-fail", undo: echo undo-c}
"""


def resume(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", "--solo", "e2e test", "--headless", *args],
        cwd=workdir, env=exec_env(workdir, "unused"), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def undo_words(stdout: str) -> list[str]:
    """`undo b: local: failed exit 1` lines of exec's or resume's stdout, without the time and type."""
    return [line.split("undo_finished", 1)[1].strip() for line in stdout.splitlines() if " undo_finished " in line]


@pytest.mark.asyncio
async def test_a_rollback_stopped_at_a_failed_undo_then_retried_reads_the_same_everywhere(tmp_path: Path) -> None:
    (tmp_path / "make-c-fail").touch()
    (tmp_path / "undo-b-fails").touch()
    first = run_exec(tmp_path, textwrap.dedent(STOPPED_UNDO), f"s3cr3t-{uuid.uuid4().hex}", "--on-failure", "abort")
    assert first.returncode == 1, first.stdout + first.stderr
    stopped = build_report(tmp_path / "run.jsonl")
    undo = {(u.step, u.host): u for u in stopped.rollbacks[0].undo}
    assert (undo["c", "local"].status, undo["b", "local"].status, undo["a", "local"].status) == ("ok", "failed", "not run")
    # exec said what the report's undo table says: b's undo exited 1, so it failed (it read `ok exit 1`)
    assert undo_words(first.stdout) == ["undo c: local: ok exit 0", "undo b: local: failed exit 1"], first.stdout
    assert "rollback STOPPED at b" in first.stdout and stopped.rollbacks[0].failed_step == "b"
    assert [t.text for t in stopped.timeline if " undo_finished " in t.text][-1].endswith("undo b: local: failed exit 1")
    state = replay(read_events(tmp_path / "run.jsonl").events)
    assert {sid: s.status for sid, s in state.steps.items()} == {"a": "done", "b": "done", "c": "undone"}
    assert [s.outcome for s in stopped.steps] == ["done", "done", "undone"]
    # the outcome: exec's last line, the report, the run screen's last status, and practice's finish
    assert "outcome FAILED" in first.stdout and text.outcome(stopped.session.outcome) == "FAILED"
    # who ended it too, in the report's words (`exec`'s policy, for whoever ran it): the row named nobody
    ended = text.finished_words(stopped)
    assert ended.startswith(" (by exec, run by ") and (state.finished_by, state.finished_driver) == (stopped.session.finished_by, "exec"), ended
    assert statuses(state, dt.datetime.now(dt.UTC))[0].text.startswith(f"Session finished: FAILED{ended}.")
    night = read_events(tmp_path / "run.jsonl").events
    finish = next(p for p in compare(night, night).points if p.night is not None and p.night.kind == "finish")
    assert (decision_words(finish.night, ""), finish.why) == ("finish (FAILED)", "the night ended FAILED")

    (tmp_path / "undo-b-fails").unlink()
    second = resume(tmp_path, "--rollback", "--full")
    assert second.returncode == 1, second.stdout + second.stderr  # rolled back: 1, as `run` exits
    assert undo_words(second.stdout) == ["undo b: local: ok exit 0", "undo a: local: ok exit 0"], second.stdout
    done = build_report(tmp_path / "run.jsonl")
    assert [r.ok for r in done.rollbacks] == [False, True]
    assert [s.outcome for s in done.steps] == ["undone"] * 3
    state = replay(read_events(tmp_path / "run.jsonl").events)
    assert {s.status for s in state.steps.values()} == {"undone"} and state.outcome == done.session.outcome == "rolled_back"
    assert "outcome ROLLED BACK" in second.stdout and text.outcome_line(done) == "ROLLED BACK"
    # resume's full rollback, which the program ends (`system`): the person who started it ended it, as the report says
    ended = text.finished_words(done)
    assert ended.startswith(" (by ") and "program" not in ended and "exec" not in ended, ended
    assert statuses(state, dt.datetime.now(dt.UTC))[0].text.startswith(f"Session finished: ROLLED BACK{ended}.")
    assert f"Session finished: ROLLED BACK{ended}." in await detail_text(state, None)  # the detail pane once no step is left
    accepted = {"reason": "noise\x1b[2J\nforged line", "by": "alice", "needs_verifier": False}
    shown = await detail_text(replace(state, criteria_acceptance=accepted, success_checks=(UNMET,)), None)
    assert f"accepted by alice: noise␛[2J⏎forged line; then ROLLED BACK{ended}." in shown and "\x1b" not in shown, shown


class DetailApp(App[None]):
    """The step detail pane the run screen, the verifier's screen and replay show, drawing one step of a state."""

    def __init__(self, state: RunState, step_id: str | None) -> None:
        super().__init__()
        self.state, self.step_id = state, step_id

    def compose(self) -> ComposeResult:
        yield StepDetail()

    def on_mount(self) -> None:
        self.query_one(StepDetail).show(self.state, self.step_id)


async def detail_text(state: RunState, step_id: str | None) -> str:
    app = DetailApp(state, step_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: text_of(app.query_one(StepDetail)), pilot, "the detail pane drawn")
        return text_of(app.query_one(StepDetail))


@pytest.mark.asyncio
@pytest.mark.forged_sequence  # self.jsonl: the assignee's confirmation of their own step (journal verify says so)
async def test_a_step_confirmed_by_who_ran_it_is_unverified_in_every_view(tmp_path: Path) -> None:
    """Only an edited journal holds it (the run refuses the assignee's confirmation of their own step): the report
    said UNVERIFIED, while the detail pane of replay and the run screen said `confirmed by alice` and practice `alice
    confirmed it`. The report now refuses the journal (journal verify calls it impossible); the views that fold the
    events still say it as the report did."""
    done = run_exec(tmp_path, textwrap.dedent(STOPPED_UNDO), f"s3cr3t-{uuid.uuid4().hex}")
    assert done.returncode == 0, done.stdout + done.stderr
    events = read_events(tmp_path / "run.jsonl").events
    events[0].pop("solo")  # as if it had been shared: only the edit below makes b unverified
    at = next(i for i, e in enumerate(events) if e["type"] == ev.STEP_FINISHED and e["step"] == "b")
    ran_by = next(e["actor"] for e in events if e["type"] == ev.STEP_STARTED and e["step"] == "b")
    events[at] = {k: v for k, v in events[at].items() if k != "verified"} | {"status": "awaiting_verification"}
    confirmed = {"type": ev.STEP_CONFIRMED, "actor": ran_by, "ts": events[at]["ts"], "step": "b", "phase": "after", "attempt": 1}
    path = rechained([*events[: at + 1], confirmed, *events[at + 1 :]], tmp_path / "self.jsonl")
    said = self_confirmed_words(ran_by)

    with pytest.raises(ReportError, match=r"step_confirmed by .*, the assignee: only the verifier decides this"):
        build_report(path)
    state = replay(read_events(path).events)
    assert state.steps["b"].verified is False and state.steps["a"].verified is False  # a: solo on the night, as exec wrote it
    assert said in await detail_text(state, "b")
    night = read_events(path).events
    run_b = next(p for p in compare(night, night).points if p.step == "b" and p.night is not None and p.night.kind == "run")
    assert said in run_b.why, run_b.why


#: b waits (bounded) for the file `release`: exec is killed while it runs, so its outcome is unknown.
HELD = """\
    runbook: 1
    id: held
    title: Held
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a}
          - {id: b, title: Step b, run: "i=0; while [ ! -e release ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done"}
          - {id: c, title: Step c, run: echo c}
"""


def started(path: Path, step: str) -> bool:
    return path.exists() and any(e["type"] == ev.STEP_STARTED and e["step"] == step for e in read_events(path).events)


def killed_in_b_then_resumed(workdir: Path, runbook: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`exec` of `runbook` killed while its step b waits for a `release` file, the file made, then `resume` with `args`."""
    (workdir / "runbook.yaml").write_text(textwrap.dedent(runbook), encoding="utf-8")
    command = [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "--solo", "e2e test", "--journal", "run.jsonl"]
    proc = subprocess.Popen(command, cwd=workdir, env=exec_env(workdir, "unused"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: started(workdir / "run.jsonl", "b"), "exec to start b", 30, alive=proc)
    finally:
        proc.kill()
        proc.wait(10)
    (workdir / "release").touch()
    return resume(workdir, *args)


@pytest.mark.asyncio
async def test_a_step_marked_done_after_an_unknown_outcome_and_a_skipped_step_name_who_decided_everywhere(tmp_path: Path) -> None:
    """The log, exec and the report said `b marked done by root: ...` and `announce skipped by alice: ...`; the detail
    pane (run screen, verifier, replay) showed only the status and `reason: ...`, not who decided."""
    journal = tmp_path / "run.jsonl"
    went = killed_in_b_then_resumed(tmp_path, HELD, "--mark-done", "checked b by hand", "--continue")
    assert went.returncode == 0, went.stdout + went.stderr
    ran_by = next(e["actor"] for e in read_events(journal).events if e["type"] == ev.STEP_STARTED)
    said = f"b marked done by {ran_by}: checked b by hand"
    assert said in went.stdout, went.stdout
    b = next(s for s in build_report(journal).steps if s.id == "b")
    assert [(d.kind, d.by, d.reason) for d in b.decisions] == [("marked done", ran_by, "checked b by hand")]
    assert b.outcome == "done" and text.confirmed(b) == "UNVERIFIED"
    assert text.step_outcome(b) == "marked done"  # the Steps table (it read `done`, as if seen to succeed)
    state = replay(read_events(journal).events)
    assert f"✓ marked done by {ran_by} " in await detail_text(state, "b")
    night = read_events(journal).events
    [marked] = [p for p in compare(night, night).points if p.night is not None and p.night.kind == "mark done"]
    # practice's results say the process died and who resumed it first (engine/practice_unknown.py)
    assert marked.step == "b" and marked.why.startswith(f"on the night the program stopped during its last try and {ran_by} ran `resume` "), marked.why
    assert marked.why.endswith(f" later; then it was marked done by hand by {ran_by}, recorded unverified: checked b by hand"), marked.why

    night = read_events(DATA / "change.jsonl").events  # a shared run through the real controller: alice skipped `announce`
    state = replay(night)
    [skipped] = [e for e in night if e["type"] == ev.STEP_SKIPPED]
    assert f"↷ skipped by alice {skipped['ts'][11:19]}" in await detail_text(state, "announce")
    assert "skipped by alice at 17:02:12: announced on the bridge call" in (DATA / "change.report.md").read_text(encoding="utf-8")


@pytest.mark.asyncio
async def test_a_run_rolled_back_to_its_checkpoint_says_where_to_in_every_view(tmp_path: Path) -> None:
    """c fails; `exec --on-failure rollback` rolls back to the checkpoint a. Before: the report's Outcome read `ROLLED
    BACK to the last checkpoint (a)` while the run screen's (and replay's) last status row and the detail pane said
    `Session finished: ROLLED BACK.`, as if the whole change had been undone (a stands)."""
    (tmp_path / "make-c-fail").touch()
    checkpointed = STOPPED_UNDO.replace("{id: a, title: Step a, run: echo a, undo: echo undo-a}", "{id: a, title: Step a, run: echo a, checkpoint: true}")
    ran = run_exec(tmp_path, textwrap.dedent(checkpointed), f"s3cr3t-{uuid.uuid4().hex}", "--on-failure", "rollback")
    assert ran.returncode == 1 and "outcome ROLLED BACK" in ran.stdout, ran.stdout + ran.stderr
    said = "ROLLED BACK to the last checkpoint (a)"
    assert text.outcome_line(build_report(tmp_path / "run.jsonl")) == said
    state = replay(read_events(tmp_path / "run.jsonl").events)
    said += text.finished_words(build_report(tmp_path / "run.jsonl"))  # who ended it, as the report's Outcome says
    assert said.startswith("ROLLED BACK to the last checkpoint (a) (by exec, run by "), said
    assert statuses(state, dt.datetime.now(dt.UTC))[0].text.startswith(f"Session finished: {said}. The journal has everything")
    assert f"Session finished: {said}." in await detail_text(state, None)


def test_practice_names_who_skipped_marked_done_and_rolled_back_as_the_report_and_the_log_do(tmp_path: Path) -> None:
    """The shared night (tests/report/data/change.jsonl) resumed by dave, not alice: the report and replay's log say
    `skipped by alice`, `marked done by dave`, each rollback `requested by bob` and `started by` alice, then dave;
    practice's why-it-matters said `it was skipped`, `marked done by hand` and `the rollback finished in 1s`, naming
    nobody (a verifier's request read the same as the assignee's own `u`)."""
    events = [dict(e) for e in read_events(DATA / "change.jsonl").events]
    resumed = next(i for i, e in enumerate(events) if e["type"] == ev.SESSION_RESUMED)
    for e in events[resumed:]:
        e["actor"] = "dave" if e["actor"] == "alice" else e["actor"]
    night = read_events(rechained(events, tmp_path / "night.jsonl")).events
    report = build_report(tmp_path / "night.jsonl")
    log = [line for e in night if (s := log_said(e)) is not None for line in s.lines]
    assert [(r.requested_by, r.started_by) for r in report.rollbacks] == [("bob", "alice"), ("bob", "dave")]
    assert [d.by for s in report.steps for d in s.decisions if d.kind in ("skipped", "marked done")] == ["alice", "dave"]
    assert any(line.startswith("announce skipped by alice: ") for line in log), log
    assert any(line.startswith("reload marked done by dave: ") for line in log), log
    assert [line.split(",")[0] for line in log if line.startswith("rollback (checkpoint) started by")] == [
        "rollback (checkpoint) started by alice",
        "rollback (checkpoint) started by dave",
    ]
    why = {(p.step, p.night.kind): p.why for p in compare(night, night).points if p.night is not None}
    assert why[("announce", "skip")].startswith("on the night it was skipped by alice: announced on the bridge call"), why
    assert "then it was marked done by hand by dave, recorded unverified: checked by hand" in why[("reload", "mark done")], why
    assert why[("install-config", "roll back")] == "on the night the rollback by alice, asked by bob, finished in 1s", why
    assert why[("flip-flag", "roll back")].startswith("on the night the rollback by dave, asked by bob, finished in 6s"), why
