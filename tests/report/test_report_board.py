"""The report as a change board reads it: the Summary's outcome, who ended the run, the steps and who verified, from
journals made by real `exec` and `resume` processes (and one edited journal for a verifier who is otherwise forgotten)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from waiting import wait_until

from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay
from runbook_tui.report import build_report, render, text
from runbook_tui.report.model import ReportError
from tests.engine.test_event_shapes import rechained
from tests.engine.test_exec_cli import exec_env, run_exec

DATA = Path(__file__).parent / "data"

#: b fails while `make-b-fail` exists; a's undo fails while `undo-a-fails` exists; r runs only in a full rollback.
BOARD = """\
    runbook: 1
    id: board
    title: Board reads it
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: "test ! -e undo-a-fails"}
          - {id: b, title: Step b, run: "test ! -e make-b-fail", undo: echo undo-b}
      - id: back
        title: Back out
        kind: rollback
        steps:
          - {id: r, title: Restart, run: echo r}
"""


def _resume_rollback(workdir: Path, user: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """`resume run.jsonl --rollback --full EXTRA` as `user`, its own process."""
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", "--headless", "--rollback", "--full", *extra],
        cwd=workdir, env=exec_env(workdir, "unused") | {"RUNBOOK_TUI_USER": user}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def _board(path: Path, step: str = "| 3 | r: ") -> tuple[dict[str, str], dict[str, int], str | None]:
    """The Markdown Summary's rows (and the Steps table's Outcome of `step`'s row: the rollback section's step `r`,
    as `r` and as `step`), the JSON's counts and finished_by."""
    report = build_report(path)
    rows = {}
    for line in render(report, "md").splitlines():
        if line.startswith("| **"):
            what, result = line[2:-2].split(" | ", 1)
            rows[what.strip("*")] = result
        if line.startswith(step):
            rows["r"] = rows["step"] = line.split(" | ")[4]
    data = json.loads(render(report, "json"))
    assert step != "| 3 | r: " or rows["r"] == data["steps"][2]["counted"]
    return rows, data["counts"], data["session"]["finished_by"]


def test_a_failed_step_a_stopped_and_a_finished_full_rollback_read_true_on_the_board(tmp_path: Path) -> None:
    (tmp_path / "make-b-fail").touch()
    (tmp_path / "undo-a-fails").touch()
    failed = run_exec(tmp_path, BOARD, "s3cr3t-board-1")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    path = tmp_path / "run.jsonl"
    rows, counts, by = _board(path)
    # r belongs to the rollback section, and no full rollback started: not needed, in the JSON as in the Markdown
    assert counts == {"done": 1, "failed": 1, "not needed": 1}, counts  # before: {"not run": 1} beside "1 not needed"
    assert rows["Steps"] == "1 done, 1 FAILED, 1 not needed (run only after a full rollback); 1 UNVERIFIED", rows
    assert rows["r"] == "not needed"  # the Steps table says what the Summary says (it read `not run`)

    # mallory's full rollback stops at a's undo: r was needed and never ran
    stopped = _resume_rollback(tmp_path, "mallory")
    assert stopped.returncode == 1 and "rollback STOPPED at a" in stopped.stdout, stopped.stdout + stopped.stderr
    rows, counts, by = _board(path)
    assert counts == {"done": 1, "undone": 1, "not run": 1}, counts  # before: "1 not needed" in the Markdown
    assert rows["r"] == "not run"
    assert rows["Steps"] == "1 done, 1 undone (1 FAILED before the rollback), 1 not run; 1 UNVERIFIED", rows  # before: "1 undone"
    said = "FAILED; the rollback of the whole change STOPPED at a: undone b; not undone a"  # before: FAILED alone
    assert (rows["Outcome"], by) == (f"**{said}** (by mallory)", "mallory"), rows

    # carol finishes it: the program journals the end of a full rollback as `system`; carol ended the change
    (tmp_path / "undo-a-fails").unlink()
    done = _resume_rollback(tmp_path, "carol", "--solo", "carol | alone")
    assert done.returncode == 1 and "outcome ROLLED BACK" in done.stdout, done.stdout + done.stderr
    finished = [e for e in read_events(path).events if e["type"] == ev.SESSION_FINISHED][-1]
    assert finished["actor"] == ev.SYSTEM  # what the journal says; the report names the person
    rows, counts, by = _board(path)
    assert (rows["Outcome"], by) == ("**ROLLED BACK** (by carol)", "carol"), rows  # before: (by system)
    assert counts == {"done": 1, "undone": 2}, counts
    # the failure stays on the board once undone (before: "2 undone", no failure in the summary)
    # a, done solo then undone, is no longer counted UNVERIFIED: its change does not stand; r's does
    assert rows["Steps"] == "1 done, 2 undone (1 done, 1 FAILED before the rollback); 1 UNVERIFIED", rows
    report = build_report(path)
    html, markdown = render(report, "html"), render(report, "md")
    assert "ROLLED BACK</strong> (by carol)" in html and "1 FAILED before the rollback" in html
    # who went on with eve's run: the Record's Resumed row names them (before: only the times)
    resumed = next(line for line in markdown.splitlines() if line.startswith("| Resumed |"))
    assert (resumed.count(" UTC by mallory"), resumed.count(" UTC by carol")) == (1, 1), resumed
    assert report.session.resumed_by == ["mallory", "carol"] and " UTC by carol</dd>" in html
    # each reason to go without a verifier stands (before: only carol's, the one the run started with gone)
    assert rows["Verifier"] == "none: solo run (e2e test; then carol \\| alone)", rows

    # the same journal as if carol's process had died during her undo: reopened, never finished again
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    reopened = max(i for i, line in enumerate(lines) if json.loads(line)["type"] == ev.SESSION_REOPENED)
    undoing = next(i for i, line in enumerate(lines) if i > reopened and json.loads(line)["type"] == ev.UNDO_STARTED)
    (tmp_path / "cut.jsonl").write_text("".join(lines[: undoing + 1]), encoding="utf-8")
    rows, counts, by = _board(tmp_path / "cut.jsonl")
    session = build_report(tmp_path / "cut.jsonl").session
    # before: `UNFINISHED (no session_finished in the journal) (by mallory)`, and the run's end was mallory's finish
    cut_short = "UNFINISHED (the journal ends with the session open); the journal ends during the rollback of the whole change"
    assert (rows["Outcome"], by, session.finished_at) == (f"**{cut_short}**", None, None), rows
    assert session.last_event_at == json.loads(lines[undoing])["ts"] and rows["Window"].endswith(
        f"{text.when(session.last_event_at)} ({text.duration(session.duration_seconds)})"
    )
    # the step whose undo runs as the record ends says so in its own history (before: its last line the rollback's)
    undone = json.loads(lines[undoing])["step"]
    [step] = [s for s in build_report(tmp_path / "cut.jsonl").steps if s.id == undone]
    assert (step.history[-1].kind, step.history[-1].words) == ("undo", "undo on local: unknown, was running when the record ends"), step.history


def test_who_gave_the_verifiers_word_is_one_answer_for_the_header_and_the_report(tmp_path: Path) -> None:
    """carol rejected 'health' (bob confirmed its re-run), then the run went solo: the run screen's header
    (`RunState.verifiers_heard`) and the report's Verifier line both name her (the state forgot her: her word was
    not the step's last)."""
    events = [dict(e) for e in read_events(DATA / "change.jsonl").events]
    rejection = next(e for e in events if e["type"] == ev.STEP_REJECTED and e.get("phase") != "before")
    rejection["actor"] = "carol"
    end = next(i for i, e in enumerate(events) if e["type"] == ev.SESSION_FINISHED)
    solo = {"type": ev.MODE_CHANGED, "ts": events[end]["ts"], "actor": "alice", "solo": "bob went home", "shared": False, "reason": "solo: bob went home"}
    path = rechained([*events[:end], solo, *events[end:]], tmp_path / "edited.jsonl")
    state = replay(read_events(path).events)
    report = build_report(path)
    assert state.verifiers_heard == ("bob", "carol")  # before: ("bob",)
    assert report.session.verifiers_heard == ["bob", "carol"]
    assert text.verifier(report) == "bob, carol, then solo (bob went home) (the ticket names bob)"


def test_a_self_confirmation_by_a_name_holding_a_pipe_keeps_the_steps_table_whole(tmp_path: Path) -> None:
    """An edited journal: 'install-config' (undone later) and 'backup-config' run and confirmed by `ev|<b>il`: their rows say
    so, escaped, in seven cells (before: the bold `UNVERIFIED: confirmed by …` cell was not escaped, and the pipe split
    the row)."""
    events = [dict(e) for e in read_events(DATA / "change.jsonl").events]
    for e in events:
        if e.get("step") in ("install-config", "backup-config") and e["type"] in (ev.STEP_STARTED, ev.STEP_CONFIRMED):
            e["actor"] = "ev|<b>il"
    report = build_report(rechained(events, tmp_path / "edited.jsonl"))
    rows = [line for line in render(report, "md").splitlines() if line.startswith(("| 4 | install-config: ", "| 3 | backup-config: "))]
    assert [row.replace("\\|", "").count("|") for row in rows] == [8, 8], rows
    assert "| rolled back before confirmation (only ev\\|\\<b\\>il, who ran it, confirmed it) |" in rows[1], rows
    assert "**UNVERIFIED: confirmed by ev\\|\\<b\\>il, who ran it**" in rows[0], rows


@pytest.mark.forged_sequence  # edited.jsonl: the assignee's confirmation of her own step (journal verify says so)
def test_the_assignee_confirming_their_own_step_is_refused_by_the_report(tmp_path: Path) -> None:
    """An edited journal: alice, the assignee, confirms 'watch', which she ran. The run refuses that (two-person rule),
    so only an edit writes it: the report refuses the journal, naming the line, as journal verify does (before: it was
    reported, the step UNVERIFIED, the Summary's Verifier naming bob alone)."""
    events = [dict(e) for e in read_events(DATA / "change.jsonl").events]
    at = next(i for i, e in enumerate(events) if e.get("step") == "watch" and e["type"] == ev.STEP_CONFIRMED)
    events[at]["actor"] = "alice"
    words = f"refusing to report on it: line {at + 1}: step_confirmed by 'alice', the assignee: only the verifier decides this"
    with pytest.raises(ReportError, match=re.escape(words)):
        build_report(rechained(events, tmp_path / "edited.jsonl"))


def test_measured_success_criteria_never_checked_are_not_none_set(tmp_path: Path) -> None:
    """Before: a run that failed before its success criteria were checked read `Success criteria: none set` in the
    Summary, as if the runbook measured nothing; now each criterion is there, `not decided: never checked`."""
    import socket

    with socket.socket() as sock:  # a port nothing listens on: the panel reads nothing, which does not matter here
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runbook = f"""\
    runbook: 1
    id: board-measured
    title: Measured, never checked
    metrics:
      source: {{scrape: {{url: "http://127.0.0.1:{port}/metrics"}}}}
      interval: 1s
      panels:
        - {{id: errors, title: Errors, query: app_errors, unit: "%", warn: 1, critical: 5, on_critical: notify}}
      success:
        - {{panel: errors, below: 1, within: 2m}}
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {{id: a, title: Step a, run: "exit 3"}}
    """
    failed = run_exec(tmp_path, runbook, "s3cr3t-board-measured")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    report = build_report(tmp_path / "run.jsonl")
    rows = {line[2:-2].split(" | ", 1)[0].strip("*"): line[2:-2].split(" | ", 1)[1] for line in render(report, "md").splitlines() if line.startswith("| **")}
    assert rows["Success criteria"] == "errors below 1% within 2m: not decided: never checked, the run did not reach its check", rows
    [check] = json.loads(render(report, "json"))["success"]
    assert check["met"] is None and check["at"] is None and check["when"] == "end", check


#: b has no undo: a rollback to the checkpoint cp (exec's `--on-failure rollback` when c fails) passes over it.
KEPT = """\
    runbook: 1
    id: board-kept
    title: A step without undo past the checkpoint
    sections:
      - id: change
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: echo unda}
          - {id: cp, title: Checkpoint, run: echo cp, undo: echo uncp, checkpoint: true}
          - {id: b, title: Bee, run: echo b}
          - {id: c, title: Sea, run: "false", undo: echo unc}
"""


def test_a_step_the_rollback_passed_over_is_not_counted_done(tmp_path: Path) -> None:
    """Before: b (ran; no undo, not rolled back) was counted among `3 done` in the Summary and the JSON's counts, beside
    the steps the rollback left standing on purpose, while its own row said it was not rolled back."""
    rolled = run_exec(tmp_path, KEPT, "s3cr3t-board-kept", "--on-failure", "rollback")
    assert rolled.returncode == 1 and "outcome ROLLED BACK" in rolled.stdout, rolled.stdout + rolled.stderr
    rows, counts, _by = _board(tmp_path / "run.jsonl", step="| 3 | b: ")
    assert counts == {"done": 2, "not rolled back": 1, "undone": 1}, counts
    assert rows["Steps"].startswith("2 done, 1 ran and not rolled back (no undo), 1 undone (1 FAILED before the rollback); "), rows
    assert rows["step"] == "ran; no undo, not rolled back", rows
    report = build_report(tmp_path / "run.jsonl")
    assert "<th>Steps</th><td>2 done, 1 ran and not rolled back (no undo), 1 undone" in render(report, "html")
    b = json.loads(render(report, "json"))["steps"][2]
    assert (b["outcome"], b["counted"], b["not_rolled_back"]) == ("done", "not rolled back", True), b


def test_a_run_rolled_back_to_a_checkpoint_says_what_it_left_applied(tmp_path: Path) -> None:
    """Before: the Summary read `ROLLED BACK (by alice)` as if the whole change had been undone, while exec's last line
    said `still applied: cp, a (before the checkpoint)`; now the Outcome names the checkpoint and a row says what stands."""
    rolled = run_exec(tmp_path, KEPT, "s3cr3t-board-applied", "--on-failure", "rollback")
    assert "still applied: cp, a (before the checkpoint)" in rolled.stdout, rolled.stdout + rolled.stderr
    rows, _counts, _by = _board(tmp_path / "run.jsonl", step="| 3 | b: ")
    assert rows["Outcome"].startswith("**ROLLED BACK to the last checkpoint (cp)** (by "), rows
    assert rows["Still applied"] == "cp, a: before the checkpoint, not rolled back (resume --rollback --full undoes them)", rows
    report = build_report(tmp_path / "run.jsonl")
    html = render(report, "html")
    assert "ROLLED BACK to the last checkpoint (cp)</strong>" in html
    assert '<th>Still applied</th><td class="warn">cp, a: before the checkpoint, not rolled back' in html
    session = json.loads(render(report, "json"))["session"]
    assert (session["outcome"], session["still_applied"]) == ("rolled_back", ["cp", "a"]), session


def test_a_failed_run_whose_rollback_stopped_says_so_in_the_outcome(tmp_path: Path) -> None:
    """`exec --on-failure abort`: b fails, the full rollback undoes b, then a's undo fails. Before: the Outcome read
    `FAILED (by root)` alone, as if nothing had been tried, and the Summary nowhere said a rollback stopped half way
    with a still applied; now it says which rollback stopped where, and what it undid and did not."""
    (tmp_path / "make-b-fail").touch()
    (tmp_path / "undo-a-fails").touch()
    stopped = run_exec(tmp_path, BOARD, "s3cr3t-board-stop", "--on-failure", "abort")
    assert stopped.returncode == 1 and "rollback STOPPED at a" in stopped.stdout, stopped.stdout + stopped.stderr
    rows, _counts, _by = _board(tmp_path / "run.jsonl")
    said = "FAILED; the rollback of the whole change STOPPED at a: undone b; not undone a"
    assert rows["Outcome"].startswith(f"**{said}** (by "), rows
    html = render(build_report(tmp_path / "run.jsonl"), "html")
    assert f"{said}</strong>" in html

    # finished on resume: the outcome is the rollback's, with nothing more to say
    (tmp_path / "undo-a-fails").unlink()
    done = _resume_rollback(tmp_path, "carol", "--solo", "carol alone")
    assert done.returncode == 1 and "outcome ROLLED BACK" in done.stdout, done.stdout + done.stderr
    rows, _counts, _by = _board(tmp_path / "run.jsonl")
    assert rows["Outcome"] == "**ROLLED BACK** (by carol)", rows


#: 'slow' runs until the file `go` exists: the test stops exec while it runs.
SLOW = """\
    runbook: 1
    id: board-slow
    title: Stopped, resumed and marked done
    sections:
      - id: change
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: echo unda}
          - {id: slow, title: Slow, run: "echo start; while [ ! -e go ]; do sleep 0.05; done", undo: echo unslow}
          - {id: c, title: Step c, run: echo c, undo: echo unc}
"""


def test_a_step_marked_done_by_hand_after_a_sigterm_is_not_counted_as_seen_done(tmp_path: Path) -> None:
    """exec is stopped by SIGTERM while 'slow' runs; dave resumes, marks it done by hand (its outcome was unknown) and
    goes on. Before: the Summary read `3 done`, as if each step had been seen to succeed; only slow's row said
    `marked done`."""
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(SLOW), encoding="utf-8")
    out = tmp_path / "exec.out"
    with out.open("wb") as sink:
        running = subprocess.Popen(
            [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "--solo", "night", "--journal", "run.jsonl"],
            cwd=tmp_path, env=exec_env(tmp_path, "unused") | {"RUNBOOK_TUI_USER": "alice"}, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: "| start" in out.read_text(errors="replace"), lambda: f"'slow' to start:\n{out.read_text(errors='replace')}", alive=running)
        running.send_signal(signal.SIGTERM)
        assert running.wait(30) == 1, out.read_text(errors="replace")
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
    # why the journal ends open, first on the board (before: `UNFINISHED` alone; only the Notes said exec was stopped)
    stopped = "UNFINISHED (the journal ends with the session open): exec was stopped by SIGTERM while 'slow' ran"
    assert _board(tmp_path / "run.jsonl", step="| 2 | slow: ")[0]["Outcome"].startswith(f"**{stopped} (its outcome is unknown"), out.read_text()
    assert json.loads(render(build_report(tmp_path / "run.jsonl"), "json"))["session"]["open_because"].startswith("exec was stopped by SIGTERM")
    resumed = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", "--headless", "--mark-done", "checked by hand", "--continue"],
        cwd=tmp_path, env=exec_env(tmp_path, "unused") | {"RUNBOOK_TUI_USER": "dave"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert resumed.returncode == 0 and "outcome done" in resumed.stdout, resumed.stdout + resumed.stderr
    rows, counts, _by = _board(tmp_path / "run.jsonl", step="| 2 | slow: ")
    assert counts == {"done": 3}, counts
    assert json.loads(render(build_report(tmp_path / "run.jsonl"), "json"))["session"]["open_because"] is None  # finished
    assert (rows["Steps"], rows["step"]) == ("3 done (1 marked done by hand); 3 UNVERIFIED", "marked done"), rows
    report = build_report(tmp_path / "run.jsonl")
    assert "<th>Steps</th><td>3 done (1 marked done by hand); 3 UNVERIFIED</td>" in render(report, "html")
    slow = json.loads(render(report, "json"))["steps"][1]
    assert [(d["kind"], d["by"], d["reason"]) for d in slow["decisions"]] == [("marked done", "dave", "checked by hand")], slow["decisions"]


def test_the_verifier_row_names_who_is_not_the_tickets_verifier(tmp_path: Path) -> None:
    """Walked with two verifiers joined (bob, the ticket's, and carol): bob confirmed two steps, carol the last, and the
    Summary read `bob (2 steps), carol (1 step); NOT the ticket's verifier (bob)`, as if bob were not the ticket's
    verifier. Now it names carol as the one who is not; a run confirmed by bob alone has no such words."""
    events = [dict(e) for e in read_events(DATA / "change.jsonl").events]
    assert build_report(DATA / "change.jsonl").ticket.verifier == "bob"
    assert "NOT" not in text.verifier(build_report(DATA / "change.jsonl"))
    confirmed = [e for e in events if e["type"] == ev.STEP_CONFIRMED and e["actor"] == "bob"]
    confirmed[-1]["actor"] = "carol"
    said = text.verifier(build_report(rechained(events, tmp_path / "one.jsonl")))
    assert said.endswith("; carol is NOT the ticket's verifier (bob)"), said
    assert said.startswith("bob (") and "carol (1 step)" in said, said
    for event in confirmed:
        event["actor"] = "carol"
    said = text.verifier(build_report(rechained(events, tmp_path / "all.jsonl")))
    assert re.fullmatch(r"carol \(\d+ steps\); carol is NOT the ticket's verifier \(bob\)", said), said
