"""`runbook-tui exec` end to end, as a CI job or a staging rehearsal runs it: a real process, real `sh` steps."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from runbook_tui import cli
from runbook_tui.engine.journal import read_events

RUNBOOK = """\
    runbook: 1
    id: exec-demo
    title: Exec demo on {{ target }}
    params:
      target: {type: string, default: web1}
    secrets:
      token: {env: EXEC_DEMO_TOKEN}
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - id: look
            title: Look at {{ target }}
            run: |
              echo checking {{ target }}; echo "token={{ secrets.token }}"; echo "env=$EXEC_DEMO_TOKEN" >&2
              printf 'split=%s' "$(printf %s "$EXEC_DEMO_TOKEN" | cut -c1-10)"; sleep 0.1; printf '%s\\n' "$EXEC_DEMO_TOKEN" | cut -c11-
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: a
            title: Step a
            run: echo a >> log
            undo: echo undo-a >> log; echo "undo-token={{ secrets.token }}" >> secret-seen
            checkpoint: true
          - id: b
            title: Step b
            run: echo b >> log
            undo: echo undo-b >> log
          - id: c
            title: Step c (fails when make-c-fail exists)
            run: echo c >> log; test ! -e make-c-fail
            undo: echo undo-c >> log
          - id: d
            title: Step d
            run: echo d >> log
            undo: echo undo-d >> log
      - id: back
        title: After a full rollback
        kind: rollback
        steps:
          - id: after
            title: Check after the rollback
            run: echo rollback-section >> log
"""


@pytest.fixture
def secret() -> str:
    return f"s3cr3t-{uuid.uuid4().hex}"


def exec_env(workdir: Path, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(EXEC_DEMO_TOKEN=secret, XDG_CONFIG_HOME=str(workdir / "xdg-config"), XDG_STATE_HOME=str(workdir / "xdg-state"))
    return env


def run_exec(workdir: Path, runbook: str, secret: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """`runbook-tui exec RUNBOOK --solo ... --journal run.jsonl EXTRA` as its own process, in workdir."""
    path = workdir / "runbook.yaml"
    path.write_text(textwrap.dedent(runbook), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "e2e test", "--journal", "run.jsonl", *extra],
        cwd=workdir, env=exec_env(workdir, secret), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture
def exec_run(tmp_path: Path, secret: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`exec_run(*extra_args, runbook=RUNBOOK)`: exec --solo with a journal at tmp_path/run.jsonl."""

    def run(*extra: str, runbook: str = RUNBOOK) -> subprocess.CompletedProcess[str]:
        return run_exec(tmp_path, runbook, secret, *extra)

    return run


@dataclass(frozen=True)
class Run:
    workdir: Path
    result: subprocess.CompletedProcess[str]
    secret: str


@pytest.fixture(scope="module")
def rolled_back(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One `exec --on-failure abort` (the full rollback) whose step c fails; several tests read what it left."""
    workdir = tmp_path_factory.mktemp("rolled-back")
    (workdir / "make-c-fail").touch()
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    return Run(workdir, run_exec(workdir, RUNBOOK, secret, "--on-failure", "abort"), secret)


def log(tmp_path: Path) -> list[str]:
    path = tmp_path / "log"
    return path.read_text().splitlines() if path.exists() else []


def intact_events(path: Path) -> list[dict[str, Any]]:
    read = read_events(path)
    assert read.intact, read.problems
    return read.events


def test_a_run_that_completes_exits_0(exec_run: Callable[..., Any], tmp_path: Path) -> None:
    result = exec_run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("journal: run.jsonl\n"), "the path first, as the contract says (it came after the first step's command)"
    assert log(tmp_path) == ["a", "b", "c", "d"]
    events = intact_events(tmp_path / "run.jsonl")
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"
    assert [e["step"] for e in events if e["type"] == "step_finished"] == ["look", "a", "b", "c", "d"]
    assert "outcome done" in result.stdout


WHERE = """\
    runbook: 1
    id: where-demo
    title: Where it runs
    params:
      dir: {type: string, default: sub}
    secrets:
      token: {env: EXEC_DEMO_TOKEN}
    sections:
      - id: impl
        steps:
          - id: clean
            run: pwd > ../where
            cwd: "{{ dir }}"
            env: {MODE: fast, TOKEN: "{{ secrets.token }}"}
"""


def test_the_step_lines_say_where_and_how_the_command_runs(exec_run: Callable[..., Any], tmp_path: Path, secret: str) -> None:
    """exec's lines said `run on local: pwd > ../where` and nothing of the step's cwd, env or sudo, which the plan
    shows: a log reader could not tell in which directory (or as whom) a command ran."""
    (tmp_path / "sub").mkdir()
    result = exec_run(runbook=WHERE)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    ready = next(i for i, line in enumerate(lines) if "step_ready" in line)
    assert lines[ready + 1 : ready + 3] == ["   in sub; env MODE=fast, TOKEN=***", "   run on local: pwd > ../where"]
    assert (tmp_path / "where").read_text().strip() == str(tmp_path / "sub")
    started = next(e for e in intact_events(tmp_path / "run.jsonl") if e["type"] == "step_ready")
    assert started["cwd"] == "sub" and "sudo" not in started
    assert secret not in result.stdout


def test_a_failed_step_exits_1_and_stops_there(exec_run: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "make-c-fail").touch()
    result = exec_run("--on-failure", "stop")
    assert result.returncode == 1, result.stdout + result.stderr
    assert log(tmp_path) == ["a", "b", "c"], "nothing after the failed step ran, and nothing was undone"
    events = intact_events(tmp_path / "run.jsonl")
    failed = [e for e in events if e["type"] == "step_finished" and e["step"] == "c"]
    assert failed[0]["status"] == "failed" and failed[0]["hosts"]["local"]["exit_code"] == 1
    assert not any(e["type"].startswith(("rollback", "undo")) for e in events)
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "failed"


def test_on_failure_rollback_undoes_newest_first_then_runs_the_rollback_section(rolled_back: Run) -> None:
    result, workdir = rolled_back.result, rolled_back.workdir
    assert result.returncode == 1, result.stdout + result.stderr
    assert log(workdir) == ["a", "b", "c", "undo-c", "undo-b", "undo-a", "rollback-section"]
    events = intact_events(workdir / "run.jsonl")
    start = next(i for i, e in enumerate(events) if e["type"] == "rollback_started")
    plan = events[start]["plan"]
    assert events[start]["scope"] == "full"
    assert [(e["step_id"], e["host"]) for e in plan["entries"]] == [("c", "local"), ("b", "local"), ("a", "local")]
    assert plan["entries"][0]["outcome"] == "failed", "the failed step is in the undo list, marked as failed"
    assert plan["entries"][1]["command"] == "echo undo-b >> log"
    assert plan["rollback_steps"] == ["after"]
    after = [(e["type"], e.get("step")) for e in events[start + 1 :] if e["type"] not in ("output", "note")]
    assert after == [
        ("undo_started", "c"), ("undo_finished", "c"),
        ("undo_started", "b"), ("undo_finished", "b"),
        ("undo_started", "a"), ("undo_finished", "a"),
        ("step_started", "after"), ("step_finished", "after"),
        ("rollback_finished", None),
        ("session_finished", None),
    ]  # fmt: skip
    assert all(e["hosts"]["local"]["exit_code"] == 0 for e in events if e["type"] == "undo_finished")
    assert events[-2]["ok"] is True
    assert events[-1]["outcome"] == "rolled_back"
    assert "outcome ROLLED BACK" in result.stdout


def test_the_full_rollback_list_names_what_the_rollback_section_runs(rolled_back: Run) -> None:
    """The contract: the program shows exactly which commands a rollback will run, where and in what order, first.
    exec's list said `then rollback step after` and nothing of its command (the TUI's list showed it)."""
    result, workdir = rolled_back.result, rolled_back.workdir
    started = next(e for e in intact_events(workdir / "run.jsonl") if e["type"] == "rollback_started")
    assert started["plan"]["rollback_commands"] == {"after": {"local": "echo rollback-section >> log"}}
    lines = result.stdout.splitlines()
    listed = lines.index("   then rollback step after on local: echo rollback-section >> log")
    assert listed < next(i for i, line in enumerate(lines) if "undo_started" in line), "listed before anything is undone"


def test_a_secret_echoed_by_a_command_never_reaches_the_journal_or_stdout(rolled_back: Run) -> None:
    result, workdir, secret = rolled_back.result, rolled_back.workdir, rolled_back.secret
    assert (workdir / "secret-seen").read_text() == f"undo-token={secret}\n", "the commands did get the real value"
    journal = (workdir / "run.jsonl").read_text()
    assert secret not in journal
    assert secret not in result.stdout
    assert secret not in result.stderr
    outputs = "".join(e["text"] for e in intact_events(workdir / "run.jsonl") if e["type"] == "output")
    assert "token=***\n" in outputs
    assert "env=***\n" in outputs
    assert "split=***\n" in outputs, "a secret printed in two pieces is masked whole"
    assert "token=***" in result.stdout and "env=***" in result.stdout
    assert "***" in json.dumps([e for e in intact_events(workdir / "run.jsonl") if e["type"] == "rollback_started"])


PAYLOADS = ["x; touch pwned", "$(touch pwned)", "`touch pwned`", "'; touch pwned; '", "x && touch pwned\ntouch pwned"]

INJECTION = (
    """\
    runbook: 1
    id: injection-demo
    title: Parameters with shell syntax
    params:
"""
    + "".join(f"      p{i}: {{type: string}}\n" for i in range(len(PAYLOADS)))
    + """\
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
"""
    + "".join(
        f"""\
          - id: s{i}
            title: Echo p{i}
            run: echo {{{{ p{i} }}}} > out{i}
            undo: echo undo {{{{ p{i} }}}}
"""
        for i in range(len(PAYLOADS))
    )
)


def test_parameters_with_shell_syntax_stay_inert(exec_run: Callable[..., Any], tmp_path: Path) -> None:
    args = [arg for i, value in enumerate(PAYLOADS) for arg in ("-p", f"p{i}={value}")]
    result = exec_run(*args, runbook=INJECTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(tmp_path.rglob("pwned*")) == []
    for i, value in enumerate(PAYLOADS):
        assert (tmp_path / f"out{i}").read_text() == value + "\n", "the value reached the command as one literal word"


WINDOWED = """\
    runbook: 1
    id: window-demo
    title: Window demo
    ticket:
      id: CHG-7
      subject: Window
      window: {start: "START", end: "END"}
      assignee: alice
      verifier: bob
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: a
            title: Step a
            run: echo a >> log
            undo: echo undo-a >> log
"""


def windowed(start: str, end: str) -> str:
    return WINDOWED.replace("START", start).replace("END", end)


@pytest.fixture
def exec_in_process(tmp_path: Path, write_runbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:  # fmt: skip
    """The same exec through `cli.main` in this process (no interpreter start-up): (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(runbook: str, *extra: str) -> tuple[int, str, str]:
        path = write_runbook(runbook)
        code = cli.main(["exec", str(path), "--solo", "e2e test", "--journal", "run.jsonl", *extra])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


CLOSED = ("2020-01-01T02:00:00+09:00", "2020-01-01T04:00:00+09:00")


def test_after_the_window_closed_the_run_is_refused_with_exit_2(exec_run: Callable[..., Any], tmp_path: Path) -> None:
    result = exec_run(runbook=windowed(*CLOSED))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "CHG-7" in result.stderr and "closed" in result.stderr and "--override-window" in result.stderr
    assert log(tmp_path) == []
    journal = tmp_path / "run.jsonl"
    assert not journal.exists() or not any(e["type"] == "step_started" for e in intact_events(journal))


def test_before_the_window_opens_the_run_is_refused_with_exit_2(exec_in_process: Callable[..., Any], tmp_path: Path) -> None:
    code, out, err = exec_in_process(windowed("2099-01-01T02:00:00+00:00", "2099-01-01T04:00:00+00:00"))
    assert code == 2, out + err
    assert "CHG-7" in err and "opens at 2099-01-01T02:00:00+00:00" in err and "--override-window" in err
    assert log(tmp_path) == []
    journal = tmp_path / "run.jsonl"
    assert not journal.exists() or not any(e["type"] == "step_started" for e in intact_events(journal))


def test_override_window_runs_and_journals_the_reason(exec_run: Callable[..., Any], tmp_path: Path) -> None:
    result = exec_run("--override-window", "CAB approved emergency change INC-9", runbook=windowed(*CLOSED))
    assert result.returncode == 0, result.stdout + result.stderr
    assert log(tmp_path) == ["a"]
    events = intact_events(tmp_path / "run.jsonl")
    assert events[1]["type"] == "window_override", "the override is on record before anything runs"
    assert events[1]["reason"] == "CAB approved emergency change INC-9"
    assert events[1]["actor"] == events[0]["assignee"] == getpass.getuser(), "the person at the keyboard, not the ticket's alice"
    assert events[0]["planned_assignee"] == "alice"
    assert events[1]["window"] == {"start": CLOSED[0], "end": CLOSED[1]}


def test_inside_the_window_no_override_is_needed_or_journaled(exec_in_process: Callable[..., Any], tmp_path: Path) -> None:
    code, out, err = exec_in_process(windowed("2000-01-01T00:00:00+00:00", "2099-01-01T00:00:00+00:00"))
    assert code == 0, out + err
    assert log(tmp_path) == ["a"]
    assert not any(e["type"] == "window_override" for e in intact_events(tmp_path / "run.jsonl"))


LEAKY = """\
    runbook: 1
    id: leak-demo
    title: Output that splits a secret
    secrets:
      token: {env: EXEC_DEMO_TOKEN}
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - id: dump
            title: Print the secret in two pieces, a moment apart
            run: |
              FIRST
              sleep 0.2
              SECOND
"""

#: (secret, first piece, second piece): how real commands can print a secret across two reads.
SPLITS = {
    # A 64 KiB+ line with no newline (a minified JSON API response holding a token) is handed on in pieces.
    "long-line": (
        f"tok-{uuid.uuid4().hex}",
        """head -c 65530 /dev/zero | tr '\\0' x; printf %s "$EXEC_DEMO_TOKEN" | cut -c1-10 | tr -d '\\n'""",
        """printf '%s\\n' "$EXEC_DEMO_TOKEN" | cut -c11-""",
    ),
    # A multi-line secret (a PEM key) printed line by line.
    "multi-line": (
        f"-----BEGIN KEY-----\nMIIB{uuid.uuid4().hex}\n-----END KEY-----",
        """printf '%s\\n' "$EXEC_DEMO_TOKEN" | head -n 1""",
        """printf '%s\\n' "$EXEC_DEMO_TOKEN" | tail -n +2""",
    ),
}


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_a_secret_split_across_output_pieces_is_still_masked(exec_in_process: Callable[..., Any], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch, split: str) -> None:  # fmt: skip
    secret, first, second = SPLITS[split]
    monkeypatch.setenv("EXEC_DEMO_TOKEN", secret)
    code, out, err = exec_in_process(LEAKY.replace("FIRST", first).replace("SECOND", second))
    assert code == 0, out + err
    events = intact_events(tmp_path / "run.jsonl")
    stream = "".join(e["text"] for e in events if e["type"] == "output" and e["step"] == "dump")
    assert secret not in stream, "the step's output, read back from the journal, holds the secret"
    assert "***" in stream
