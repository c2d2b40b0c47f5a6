"""Power lost while the journal's last line was written: that line is cut in half.

`journal verify` exits 1 and names the line; `resume` drops the torn line,
continues from the last whole event, and the journal verifies again after.
(tests/engine/test_resume.py covers a torn step_finished in process; here the
real command line, and a torn line of each kind that matters.)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from fault_helpers import env_for, of_type, printed_statuses, run, write_runbook

from runbook_tui.engine.event_words import status_words
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay

STEPS = ["a", "b", "c"]


@pytest.fixture
def finished_run(tmp_path: Path) -> Path:
    steps = [{"id": s, "title": f"Step {s}", "run": f"echo {s} >> {tmp_path}/ledger; echo out-{s}"} for s in STEPS]
    rb = write_runbook(tmp_path, "power-loss", steps)
    journal = tmp_path / "j.jsonl"
    result = run(tmp_path, "exec", str(rb), "--solo", "power loss", "--journal", str(journal))
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "ledger").write_text("")  # from here on, count what resume runs (what the torn journal never saw start runs now)
    return journal


def ledger(tmp_path: Path) -> Counter[str]:
    return Counter((tmp_path / "ledger").read_text().split())


def cut_at(journal: Path, kind: str, step: str | None) -> tuple[int, dict[str, object]]:
    """Keep the lines before the first `kind` event (of `step`), then half of that line; (its line number, the last whole event)."""
    lines = journal.read_bytes().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == kind and (step is None or json.loads(line).get("step") == step))
    journal.write_bytes(b"".join(lines[:index]) + lines[index][: len(lines[index]) // 2])
    return index + 1, json.loads(lines[index - 1])


@pytest.mark.parametrize(
    ("kind", "step", "then", "reran"),
    [
        ("step_finished", "b", ["--mark-done", "b's output is in the journal"], ["c"]),  # b ran: unknown, marked done
        ("step_finished", "b", ["--rerun"], ["b", "c"]),  # ... or re-run on purpose
        ("step_started", "b", [], ["b", "c"]),  # b never started as far as anyone knows: it runs, once
        ("session_finished", None, [], []),  # every step is done; only the ending is lost
    ],
)
def test_a_torn_last_line_fails_verify_by_line_and_resume_continues_from_the_last_whole_event(
    finished_run: Path, tmp_path: Path, kind: str, step: str | None, then: list[str], reran: list[str]
) -> None:
    journal = finished_run
    number, whole = cut_at(journal, kind, step)

    checked = run(tmp_path, "journal", "verify", str(journal))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"line {number}: cut short" in checked.stdout, checked.stdout
    assert f"{number - 1} events hold together" in checked.stdout

    looked = run(tmp_path, "resume", str(journal), "--headless")
    assert "Traceback" not in looked.stdout + looked.stderr
    events = read_events(journal)
    assert events.intact, events.problems
    # A look is no resume (before: each journaled a `session_resumed`): it journals what it repaired and learned.
    learned = ["session_interrupted"] if kind == "step_finished" else []  # b was running: its end is unknown now
    assert [e["type"] for e in events.events[number - 1 :]] == [*learned, "note"]
    assert events.events[number - 1]["prev"] == whole["hash"], "the chain goes on from the last whole event"
    # ... and the record says so (before: the torn line went without a word, in the journal or on screen)
    said = events.events[-1]
    assert said["type"] == "note" and said["actor"] == "system", said
    assert said["text"].startswith("the journal's last line was cut short when the process stopped (") and "dropped" in said["text"], said
    assert "the journal's last line was cut short" in looked.stdout, looked.stdout
    state = replay(events.events)
    assert printed_statuses(looked.stdout, STEPS) == {s: status_words(state.steps[s].status) for s in STEPS}
    if kind == "step_finished":
        assert state.steps["b"].status == "unknown" and "Nothing was re-run" in looked.stdout
    # What to do next, when no step was left unknown (before: the statuses alone, exit 1, and no word of --continue)
    next_move = {
        "step_started": "Nothing was running when the program stopped: --continue goes on with 'b'.\n",
        "session_finished": "Every step is done; the run was not ended when the program stopped: --continue ends it.\n",
    }
    if kind in next_move:
        assert looked.stdout.endswith(next_move[kind]), looked.stdout
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
    repaired = journal.read_bytes()
    again = run(tmp_path, "resume", str(journal), "--headless")
    assert printed_statuses(again.stdout, STEPS) == printed_statuses(looked.stdout, STEPS), again.stdout + again.stderr
    assert journal.read_bytes() == repaired, "a second look found nothing to repair or learn, and wrote nothing"

    went = run(tmp_path, "resume", str(journal), "--headless", *then, "--continue")
    assert went.returncode == 0, went.stdout + went.stderr
    assert ledger(tmp_path) == Counter(reran)
    final = read_events(journal)
    assert final.intact and replay(final.events).outcome == "done"
    assert len(of_type(final.events, "session_finished")) == 1
    assert len(of_type(final.events, "session_resumed")) == 1, "one resume: the one that decided"
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0


@pytest.mark.parametrize("kept", [1, "half"])
def test_a_torn_session_started_is_said_and_left_as_it_is(finished_run: Path, tmp_path: Path, kept: int | str) -> None:
    """The process died while writing its very first event: no step can have begun (each waits for its own event on
    disk). Before: resume cut the torn line (the file became empty) and then crashed with a KeyError traceback."""
    first = finished_run.read_bytes().splitlines(keepends=True)[0]
    torn = first[: len(first) // 2 if kept == "half" else int(kept)]
    finished_run.write_bytes(torn)

    for extra in ([], ["--rerun", "--continue"], ["--rollback"]):
        looked = run(tmp_path, "resume", str(finished_run), "--headless", *extra)
        assert "Traceback" not in looked.stdout + looked.stderr, looked.stderr
        assert looked.returncode == 2, looked.stdout + looked.stderr
        assert "its only line, the session's start, was cut short" in looked.stderr, looked.stderr
        assert "the run never began (no step ran); nothing to resume" in looked.stderr, looked.stderr
        assert finished_run.read_bytes() == torn, "the torn line is evidence: nothing cut, nothing appended"
    assert ledger(tmp_path) == Counter(), "nothing ran"
    checked = run(tmp_path, "journal", "verify", str(finished_run))
    assert checked.returncode == 1 and "line 1: cut short" in checked.stdout, checked.stdout + checked.stderr


@pytest.mark.parametrize("refusal", ["runbook edited", "secret missing"])
def test_a_refused_resume_leaves_the_torn_line_as_evidence(tmp_path: Path, refusal: str) -> None:
    """A resume refused before it opens the journal (the runbook changed since the run; a secret no longer in the
    environment) journals nothing, so it must cut nothing. Before: the torn last line was dropped first, the refusal came
    after, and `journal verify` then read `intact` with no word anywhere that a line had been cut (the note that says
    so is written only by a resume that goes on)."""
    steps = [{"id": s, "title": f"Step {s}", "run": f"echo {s}" + (" {{ secrets.tok }}" if s == "a" else "")} for s in STEPS]
    rb = write_runbook(tmp_path, "refused", steps, secrets={"tok": {"env": "RBT_PL_TOKEN"}})
    journal = tmp_path / "j.jsonl"
    env = {**env_for(tmp_path), "RBT_PL_TOKEN": "power-loss-token"}
    first = run(tmp_path, "exec", str(rb), "--solo", "power loss", "--journal", str(journal), env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    number, _ = cut_at(journal, "step_finished", "b")
    torn = journal.read_bytes()
    if refusal == "runbook edited":
        rb.write_text(rb.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    else:
        del env["RBT_PL_TOKEN"]
    for extra in ([], ["--rerun", "--continue"]):
        refused = run(tmp_path, "resume", str(journal), "--headless", *extra, env=env)
        assert refused.returncode in (1, 2) and "Traceback" not in refused.stderr, refused.stdout + refused.stderr
        assert ("changed since the run started" if refusal == "runbook edited" else "RBT_PL_TOKEN is not set") in refused.stderr, refused.stderr
        assert journal.read_bytes() == torn, "the refused resume cut the torn line, and journaled nothing about it"
    checked = run(tmp_path, "journal", "verify", str(journal))
    assert checked.returncode == 1 and f"line {number}: cut short" in checked.stdout, checked.stdout + checked.stderr
