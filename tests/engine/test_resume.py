"""kill -9 in the middle of a step, then `resume`: nothing is lost, nothing is re-run on its own."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runbook_tui import cli
from runbook_tui.app.session import Session
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay

RUNBOOK = """\
    runbook: 1
    id: resume-demo
    title: Resume demo
    params:
      nap: {type: int, default: 30}
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: one
            title: Step one
            run: echo one >> marks
            undo: echo undo-one >> marks
          - id: two
            title: Step two (sleeps)
            run: echo two >> marks; echo sleeping; sleep {{ nap }}; echo TOKEN-woke
            undo: echo undo-two >> marks
          - id: three
            title: Step three
            run: echo three >> marks
            undo: echo undo-three >> marks
          - id: four
            title: Step four
            run: echo four >> marks
"""


def marks(tmp_path: Path) -> list[str]:
    path = tmp_path / "marks"
    return path.read_text().splitlines() if path.exists() else []


def raw_lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def intact_events(path: Path) -> list[dict[str, Any]]:
    read = read_events(path)
    assert read.intact, read.problems
    return read.events


@pytest.fixture
def killed_mid_step(tmp_path: Path, write_runbook: Callable[..., Path], reap_commands: Callable[[str], None], wait_for: Callable[..., None]) -> Path:
    """An `exec` killed with SIGKILL while step two sleeps; returns its journal."""
    token = f"resume-{uuid.uuid4().hex}"
    runbook = write_runbook(RUNBOOK.replace("TOKEN", token))
    journal = tmp_path / "run.jsonl"
    with open(tmp_path / "exec.out", "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "runbook_tui", "exec", str(runbook), "--solo", "kill test", "--journal", str(journal)],
                                cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_for(lambda: marks(tmp_path) == ["one", "two"], what="step two to start")
        # Output is committed in groups, at least once a second: what a crash loses is bounded.
        wait_for(lambda: b'"text":"sleeping\\n"' in journal.read_bytes(), timeout=3, what="step two's output on disk while it still runs")
        assert proc.poll() is None, "exec ended before it could be killed"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        reap_commands(token)  # the step's shell lives on in its own process group
    assert proc.returncode == -signal.SIGKILL
    return journal


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`in_process(*argv)`: `cli.main(argv)` in tmp_path (no interpreter start-up): (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_kill_9_then_resume_reruns_nothing_and_mark_done_continue_finishes_once(killed_mid_step: Path, tmp_path: Path,
        run_cli: Callable[..., Any], in_process: Callable[..., tuple[int, str, str]]) -> None:  # fmt: skip
    journal = killed_mid_step
    before = raw_lines(journal)
    kinds = [json.loads(line)["type"] for line in before]
    assert kinds[-1] == "output" and "session_finished" not in kinds

    # `resume JOURNAL`: the step that was running is unknown, and nothing runs on its own.
    result = run_cli("resume", str(journal))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "'two' was running when the program stopped; its outcome is unknown. Nothing was re-run." in result.stdout
    # kill -9 did not stop the command (its own process group): said before anyone re-runs it (before: not a word)
    assert "Its command was not stopped with the program: it may still be running on local. Check there first" in result.stdout
    assert any(line.split() == ["UNKNOWN", "two"] for line in result.stdout.splitlines())
    assert marks(tmp_path) == ["one", "two"], "step two was not run again, and nothing after it ran"
    after = raw_lines(journal)
    assert after[: len(before)] == before, "resume only appends"
    events = intact_events(journal)
    # A look (no decision) is no resume: it journals what it learned, that the process is gone and two's end unknown.
    assert [e["type"] for e in events[len(before) :]] == ["session_interrupted"]
    state = replay(events)
    assert state.steps["two"].status == "unknown" and state.current == "two" and not state.finished
    assert in_process("journal", "verify", str(journal))[0] == 0
    # Before: each look journaled a `session_resumed`, and the report listed resumes nobody did, at the same second.
    code, out, _ = in_process("resume", str(journal))
    assert code == 1 and any(line.split() == ["UNKNOWN", "two"] for line in out.splitlines()), out
    assert raw_lines(journal) == after, "a second look learned nothing, and wrote nothing"
    assert out.startswith("looked at resume-demo (Resume demo), started "), out  # not "resumed"
    # the start as a clock time, as every other time said to a person (before: the raw `2026-12-05T21:40:25.123Z`)
    assert re.match(r"started \d\d:\d\d:\d\d$", out.splitlines()[0].split("), ")[1]), out
    code, out, _ = in_process("report", str(journal), "--format", "json")
    assert code == 0 and json.loads(out)["session"]["resumed_at"] == [], out

    # `resume JOURNAL --mark-done REASON --continue`: the rest runs, once.
    code, out, err = in_process("resume", str(journal), "--mark-done", "checked by hand", "--continue")
    assert code == 0, out + err
    assert marks(tmp_path) == ["one", "two", "three", "four"], "every step ran exactly once"
    events = intact_events(journal)
    assert [e["type"] for e in events].count("session_resumed") == 1, "the one resume that decided"
    code, out, _ = in_process("report", str(journal), "--format", "json")
    assert code == 0 and len(json.loads(out)["session"]["resumed_at"]) == 1, out
    [marked] = [e for e in events if e["type"] == "step_marked_done"]
    assert marked["step"] == "two" and marked["reason"] == "checked by hand"
    assert [e["step"] for e in events if e["type"] == "step_started"] == ["one", "two", "three", "four"]
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"
    assert in_process("journal", "verify", str(journal))[0] == 0

    # A finished session is not resumed again; the exit says how it ended, as `run` says it (0: done).
    code, out, err = in_process("resume", str(journal), "--rerun", "--continue")
    assert code == 0
    assert "already finished" in err
    assert marks(tmp_path) == ["one", "two", "three", "four"]


@pytest.fixture
def died_after_two_steps(
    tmp_path: Path, write_runbook: Callable[..., Path], open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A journal whose process stopped after steps one and two finished (no session_finished)."""
    monkeypatch.chdir(tmp_path)
    runbook = write_runbook(RUNBOOK.replace("TOKEN", "cut"))

    async def first_two_steps() -> None:
        session = open_local_session(runbook, solo="cut test", params={"nap": 0}, journal="run.jsonl")
        c = session.controller
        for _ in range(2):
            assert c.run_current(session.actor).ok
            await c.wait_idle()
        await session.close()

    asyncio.run(first_two_steps())
    assert marks(tmp_path) == ["one", "two"]
    return tmp_path / "run.jsonl"


def test_resume_refuses_a_tampered_journal(died_after_two_steps: Path, tmp_path: Path, in_process: Callable[..., tuple[int, str, str]]) -> None:
    journal = died_after_two_steps
    lines = raw_lines(journal)
    started = next(i for i, line in enumerate(lines) if b'"attempt":1' in line)
    lines[started] = lines[started].replace(b'"attempt":1', b'"attempt":2')
    journal.write_bytes(b"".join(lines))
    code, _out, err = in_process("resume", str(journal), "--continue")
    assert code == 1
    assert "does not verify" in err
    assert marks(tmp_path) == ["one", "two"]
    assert raw_lines(journal) == lines, "nothing was appended to a journal that does not verify"


def test_resume_continues_from_the_last_whole_event_when_the_last_line_is_cut(died_after_two_steps: Path, tmp_path: Path,
        in_process: Callable[..., tuple[int, str, str]]) -> None:  # fmt: skip
    """Power lost while writing step two's step_finished: that line is half there."""
    journal = died_after_two_steps
    lines = raw_lines(journal)
    assert json.loads(lines[-1])["type"] == "step_ready", "the next step, rendered, follows step two's end"
    lines = lines[:-1]  # the power went before it
    last = json.loads(lines[-1])
    assert last["type"] == "step_finished" and last["step"] == "two"
    whole = json.loads(lines[-2])
    journal.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    assert in_process("journal", "verify", str(journal))[0] == 1

    code, out, err = in_process("resume", str(journal))
    assert code == 1, out + err
    assert "'two' was running when the program stopped; its outcome is unknown" in out
    events = intact_events(journal)
    assert len(events) == len(lines) + 1, "the torn line is gone, what the look learned took its place, a note says so"
    learned, said = events[-2:]
    assert said["type"] == "note" and "cut short" in said["text"], said
    assert learned["type"] == "session_interrupted", "a look is no resume"
    assert learned["seq"] == whole["seq"] + 1 and learned["prev"] == whole["hash"]
    assert in_process("journal", "verify", str(journal))[0] == 0

    code, out, err = in_process("resume", str(journal), "--mark-done", "step two's output is in the log", "--continue")
    assert code == 0, out + err
    assert marks(tmp_path) == ["one", "two", "three", "four"]
    assert intact_events(journal)[-1]["outcome"] == "done"
    assert in_process("journal", "verify", str(journal))[0] == 0
    assert os.stat(journal).st_mode & 0o777 == 0o600


@pytest.fixture
def died_while_two_ran(died_after_two_steps: Path) -> Path:
    """What a crash right after step two's step_started leaves: the journal ends on that (fsynced) line."""
    lines = raw_lines(died_after_two_steps)
    cut = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == "step_started" and json.loads(line)["step"] == "two")
    died_after_two_steps.write_bytes(b"".join(lines[: cut + 1]))
    return died_after_two_steps


def test_continue_without_a_decision_leaves_the_run_resumable(died_while_two_ran: Path, tmp_path: Path,
                                                              in_process: Callable[..., tuple[int, str, str]]) -> None:  # fmt: skip
    journal = died_while_two_ran
    code, out, err = in_process("resume", str(journal), "--continue")
    assert code == 1, out + err
    assert "its outcome is unknown. Nothing was re-run." in out
    assert marks(tmp_path) == ["one", "two"]
    assert not any(e["type"] == "session_finished" for e in intact_events(journal)), "nobody decided yet: the run stays open"
    code, out, err = in_process("resume", str(journal), "--mark-done", "checked by hand", "--continue")
    assert code == 0, out + err
    assert marks(tmp_path) == ["one", "two", "three", "four"]


def test_resume_finds_a_moved_runbook_next_to_the_journal_and_checks_its_digest(died_after_two_steps: Path, tmp_path: Path,
        in_process: Callable[..., tuple[int, str, str]]) -> None:  # fmt: skip
    """The checkout moved after the crash (journal and runbook copied elsewhere, the old folder gone). Before: `cannot reload
    runbook.yaml: …/runbook.yaml: cannot read the file`, although practice finds a runbook there; now resume looks where
    practice looks (where it was, its name here, next to the journal), and the digest still decides."""
    moved = tmp_path / "moved"
    moved.mkdir()
    journal = moved / "run.jsonl"
    died_after_two_steps.rename(journal)
    (tmp_path / "runbook.yaml").rename(moved / "runbook.yaml")
    (tmp_path / "elsewhere").mkdir()
    os.chdir(tmp_path / "elsewhere")
    text = (moved / "runbook.yaml").read_text()
    (moved / "runbook.yaml").write_text(text + "# edited since\n")
    code, _out, err = in_process("resume", str(journal), "--continue")
    assert code == 1 and "runbook.yaml changed since the run started" in err, err  # found, but not the same runbook: refused
    (moved / "runbook.yaml").write_text(text)
    code, out, err = in_process("resume", str(journal), "--continue")
    assert code == 0, out + err
    assert marks(tmp_path / "elsewhere") == ["three", "four"]
    assert intact_events(journal)[-1]["outcome"] == "done"


def test_resume_of_a_run_whose_runbook_is_gone_goes_on_with_the_copy_the_journal_keeps(
    died_after_two_steps: Path, tmp_path: Path, in_process: Callable[..., tuple[int, str, str]]
) -> None:
    """The contract: `resume` rebuilds from the journal alone. Before session 27 a run whose runbook file was deleted (a
    temporary checkout, a branch switched back) could not be resumed at all: `cannot reload runbook.yaml: cannot read the
    file`. session_started now keeps the file's text (its sha256 is the digest): the run goes on with its own runbook,
    and the journal says why. A changed file is still refused (above): the run does not quietly take other commands."""
    journal = died_after_two_steps
    started = intact_events(journal)[0]
    assert started["type"] == "session_started" and "echo three" in started["source"], "the runbook's text is journaled"
    (tmp_path / "runbook.yaml").unlink()
    code, out, err = in_process("resume", str(journal), "--continue")
    assert code == 0, out + err
    assert marks(tmp_path) == ["one", "two", "three", "four"], "steps three and four ran from the journal's copy"
    notes = [e["text"] for e in intact_events(journal) if e["type"] == "note" and e["actor"] == "system"]
    assert notes == [f"the runbook file {started['file']} is gone: the run's own runbook, as the journal keeps it, is used"], notes
    assert intact_events(journal)[-1]["outcome"] == "done"
    assert in_process("journal", "verify", str(journal))[0] == 0


@pytest.mark.parametrize(
    "credential",
    [
        "metrics:\n  source: {prometheus: {url: 'http://prom:pa55-in-url@127.0.0.1:9'}}\n  panels: []\n",
        "metrics:\n  source: {prometheus: {url: 'http://127.0.0.1:9', token: literal-t0ken-4711}}\n  panels: []\n",
        "notify:\n  - {url: 'http://127.0.0.1:9/hook', events: [session_finished], headers: {X-Key: literal-h3ader-4711}}\n",
    ],
    ids=["url password", "literal token", "literal header"],
)
def test_a_runbook_that_writes_a_credential_itself_is_not_copied_into_its_journal(tmp_path: Path, credential: str) -> None:
    """session_started keeps the runbook's text for resume, and the journal goes to verifiers and into reports, which show
    a URL's password as `***` and never a token or header value. A runbook writing one of those itself is not copied
    (a resume then needs its file, as before); one that names them as secrets is."""
    from runbook_tui.runbook.loader import load_text

    head = "runbook: 1\nid: c\ntitle: C\n"
    steps = "sections:\n  - {id: s, title: S, kind: precheck, steps: [{id: a, title: A, run: 'true', verify: none}]}\n"
    written = load_text((head + credential + steps).encode(), str(tmp_path / "c.yaml")).runbook
    assert written.kept_source is None, "a credential written in the runbook would be journaled"
    named = credential.replace("prom:pa55-in-url@", "").replace("literal-t0ken-4711", "'{{ secrets.t }}'").replace("literal-h3ader-4711", "'{{ secrets.t }}'")
    secrets = "secrets:\n  t: {env: RBT_TEST_T}\n"
    kept = load_text((head + secrets + named + steps).encode(), str(tmp_path / "c.yaml")).runbook
    assert kept.kept_source is not None and "4711" not in kept.kept_source


def test_a_step_whose_stop_had_begun_when_the_process_died_is_said_so(killed_mid_step: Path, run_cli: Callable[..., Any]) -> None:
    """The program died while it stopped a timed-out step (`timed out after 1s: stopping its process group`, journaled):
    resume's look and the re-run's ask said "Its command was not stopped with the program", as if no stop had begun;
    now they say a stop was under way when it died, and that whether it finished is not journaled."""
    from runbook_tui.app.resume_words import unknown_step

    assert run_cli("resume", str(killed_mid_step)).returncode == 1  # the look journals the process found gone
    events = intact_events(killed_mid_step)
    started = next(e for e in events if e["type"] == "step_started" and e["step"] == "two")
    stopping = {"type": "error", "actor": "system", "ts": started["ts"], "seq": events[-1]["seq"] + 1, "step": "two", "host": "local", "transient": True,
                "message": "timed out after 1s: stopping its process group"}  # fmt: skip
    state = replay([*events, stopping])
    said = "\n".join(unknown_step(state, "two"))
    assert "A stop of its command was under way when the program died (local: timed out after 1s: stopping its process group)" in said, said
    assert "whether it finished is not journaled: it may still be running on local" in said, said
    assert "was not stopped with the program" not in said, said
    # without the stop's line, the look says what it said
    assert "Its command was not stopped with the program" in "\n".join(unknown_step(replay(events), "two"))


def test_resume_lists_a_step_marked_done_by_hand_as_the_report_and_the_pane_say_it(
    killed_mid_step: Path, tmp_path: Path, in_process: Callable[..., tuple[int, str, str]]
) -> None:
    """`resume --mark-done REASON`, then a look and `--continue`: their step lists read `done two`, as if two had been
    seen to succeed, beside the report's `marked done` and the detail pane's `✓ marked done by`. Now `marked done`."""
    from runbook_tui.engine.event_words import decision_words

    journal = killed_mid_step
    code, out, err = in_process("resume", str(journal), "--mark-done", "checked by hand")
    assert code == 1 and "marked 'two' done" in out, out + err
    [marked] = [e for e in intact_events(journal) if e["type"] == "step_marked_done"]
    words = decision_words(marked)  # the log's, the report's history and the detail pane's words

    def listed(out: str) -> dict[str, str]:
        return {line.split()[-1]: " ".join(line.split()[:-1]) for line in out.splitlines() if line.startswith("  ")}

    code, out, _ = in_process("resume", str(journal))
    assert code == 1 and listed(out) == {"one": "done", "two": words, "three": "pending", "four": "pending"}, out
    assert words == "marked done"
    code, out, err = in_process("resume", str(journal), "--continue")
    assert code == 0 and listed(out)["two"] == words, out + err  # the list printed before the rest runs
    assert marks(tmp_path) == ["one", "two", "three", "four"], "two was not run again"
