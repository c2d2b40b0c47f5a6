"""Output into a reader that has already gone (`runbook-tui report J | head -1`): exit 1, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_closed_stdout_ends_the_command_quietly() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: every write fails with EPIPE
    try:
        done = subprocess.run([sys.executable, "-m", "runbook_tui", "schema"], stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 1


RUNBOOK = """\
runbook: 1
id: pipe
title: piped
sections:
  - id: main
    steps:
      - {id: one, run: "echo one"}
      - {id: two, run: "seq 20000"}
      - {id: three, run: "echo three"}
"""


def test_exec_into_a_reader_that_leaves_goes_on_with_the_change(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`exec … | head -2`: the run stopped with exit 1 after two lines, nothing run (and a step running then would have
    been left `unknown`); a change must not stop half way because its reader left. It goes on to the end, says once on
    stderr that stdout was closed, and the journal has every event."""
    (tmp_path / "rb.yaml").write_text(RUNBOOK)
    (tmp_path / "none.yaml").touch()
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(tmp_path / "none.yaml"), "XDG_STATE_HOME": str(tmp_path / "st"), "RUNBOOK_TUI_USER": "alice"}
    argv = [sys.executable, "-m", "runbook_tui", "exec", "rb.yaml", "--solo", "pipe test", "--journal", "j.jsonl"]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first == "journal: j.jsonl\n", first
    proc.stdout.close()  # the reader leaves, as `head -1` does
    _, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert proc.returncode == 0, stderr
    journal = (tmp_path / "j.jsonl").read_text()
    assert '"outcome":"done"' in journal and journal.count('"type":"step_finished"') == 3, journal[-500:]
    assert stderr.count("stdout was closed") == 1, stderr  # `seq 20000` outgrows the pipe: a write after the close fails


def _close_stdout() -> None:
    os.close(1)  # as `runbook-tui … >&-` starts it: no descriptor 1 at all


def test_a_stdout_closed_from_the_start_is_said_once_and_exec_goes_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Started with `>&-`, Python leaves sys.stdout None: `schema`, `plan`, `report` ended in an AttributeError traceback,
    `exec` printed `listener failed on …: AttributeError … please report it` for every event. Now a printing command
    ends with exit 1 and one line saying stdout is closed; `exec` runs the change to its end, says so once, and the
    journal has every event."""
    (tmp_path / "rb.yaml").write_text(RUNBOOK)
    (tmp_path / "none.yaml").touch()
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(tmp_path / "none.yaml"), "XDG_STATE_HOME": str(tmp_path / "st"), "RUNBOOK_TUI_USER": "alice"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "runbook_tui", *args]
        return subprocess.run(
            argv, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60, check=False, preexec_fn=_close_stdout
        )

    ran = run("exec", "rb.yaml", "--solo", "closed stdout", "--journal", "j.jsonl")
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr == "runbook-tui: stdout was closed; the run goes on and the journal has every event\n", ran.stderr
    journal = (tmp_path / "j.jsonl").read_text()
    assert '"outcome":"done"' in journal and journal.count('"type":"step_finished"') == 3, journal[-500:]
    for args in (["schema"], ["plan", "rb.yaml"], ["report", "j.jsonl"]):
        done = run(*args)
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr == "runbook-tui: stdout is closed (started with >&-): nothing could be written there\n", (args, done.stderr)


def _close_stdin() -> None:
    os.close(0)


def _close_stderr() -> None:
    os.close(2)


def test_a_stdin_or_stderr_closed_from_the_start_is_no_traceback_and_no_error_in_stdout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`<&-`: `new`, `run`, `rehearse`, `demo`, `replay` ended in `'NoneType' object has no attribute 'isatty'`; now they
    read it as `</dev/null` (no terminal) and say what to do. `2>&-`: an error meant for stderr went into stdout
    (`print(file=None)`), into the plan a script was reading; now it is dropped and the exit code says it."""
    (tmp_path / "rb.yaml").write_text(RUNBOOK)
    (tmp_path / "none.yaml").touch()
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(tmp_path / "none.yaml"), "XDG_STATE_HOME": str(tmp_path / "st")}

    def run(closing, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
        argv = [sys.executable, "-m", "runbook_tui", *args]
        return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False, preexec_fn=closing)

    for args, said in (
        (["new", "n.yaml"], "runbook-tui: new: give the kind of change with --kind"),
        (["run", "rb.yaml", "--solo", "x"], "runbook-tui: run shows a screen, and stdin or stdout is not a terminal: nothing was started."),
        (["rehearse", "rb.yaml"], "runbook-tui: rehearse: pass --yes to run the real commands without a terminal to ask in; nothing was run"),
    ):
        done = run(_close_stdin, *args)
        assert done.returncode == 2 and done.stderr.startswith(said), (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "n.yaml").exists() and not (tmp_path / "st").exists()
    done = run(_close_stderr, "plan", "missing.yaml", "--json")
    assert (done.returncode, done.stdout) == (2, ""), done


def test_a_reader_that_leaves_never_changes_an_answer_given_as_the_exit_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`journal verify J | head -1` (or `>&-`) ended with exit 1, which the contract gives to "tampered" (and `preflight`
    to "findings", `validate` to nothing): a broken pipe read as a verdict. Now the verdict is the exit code whatever
    happens to stdout: an intact journal 0, a tampered one 1, a valid runbook 0; `>&-` is said on stderr."""
    (tmp_path / "rb.yaml").write_text(RUNBOOK)
    (tmp_path / "none.yaml").touch()
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(tmp_path / "none.yaml"), "XDG_STATE_HOME": str(tmp_path / "st"), "RUNBOOK_TUI_USER": "alice"}
    argv = [sys.executable, "-m", "runbook_tui"]
    ran = subprocess.run([*argv, "exec", "rb.yaml", "--solo", "t", "--journal", "j.jsonl"], cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False)
    assert ran.returncode == 0, ran.stderr
    lines = (tmp_path / "j.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "cut.jsonl").write_text("".join(lines[:3] + lines[4:]))  # a line taken out: the chain breaks

    def into_a_gone_reader(*args: str) -> subprocess.CompletedProcess[str]:
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader has left before the first write: every write fails with EPIPE, as after `head -1`
        try:
            return subprocess.run([*argv, *args], cwd=tmp_path, env=env, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60, check=False)
        finally:
            os.close(write_end)

    for args, code in ((["journal", "verify", "j.jsonl"], 0), (["journal", "verify", "cut.jsonl"], 1), (["validate", "rb.yaml"], 0)):
        done = into_a_gone_reader(*args)
        assert (done.returncode, done.stderr) == (code, ""), (args, done)
        closed = subprocess.run(
            [*argv, *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            preexec_fn=_close_stdout,
        )
        said = f"runbook-tui: stdout is closed (started with >&-): nothing could be written there; the exit code ({code}) is the answer\n"
        assert (closed.returncode, closed.stderr) == (code, said), (args, closed)
    shell = subprocess.run(  # a real `| head -1`
        ['exec 2>&1; "$0" -m runbook_tui journal verify j.jsonl | head -1; echo "exit ${PIPESTATUS[0]}"', sys.executable], shell=True, executable="/bin/bash", cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert shell.stdout.startswith("j.jsonl: intact:") and shell.stdout.endswith("exit 0\n"), shell.stdout


def test_a_reader_of_stderr_that_leaves_never_changes_an_answer_given_as_the_exit_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`validate runbooks/ 2>&1 | head -1`: the warnings and errors go to stderr, and once its reader had left the next
    one ended the command with exit 1, which `validate` does not have (0 valid, 2 invalid): a valid runbook with a
    warning read as exit 1, an invalid one too. Now the verdict is the exit code whatever happens to stderr."""
    (tmp_path / "warned.yaml").write_text(RUNBOOK.replace('run: "echo one"', 'run: "echo one", undo: ""'))
    (tmp_path / "broken.yaml").write_text(RUNBOOK.replace("title: piped", "title: piped\ntypo: 1"))
    (tmp_path / "none.yaml").touch()
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(tmp_path / "none.yaml"), "XDG_STATE_HOME": str(tmp_path / "st")}
    for args, code in ((["validate", "warned.yaml", "warned.yaml"], 0), (["validate", "broken.yaml", "warned.yaml"], 2)):
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader has left before the first write, as after `2>&1 | head -1`
        try:
            done = subprocess.run(
                [sys.executable, "-m", "runbook_tui", *args], cwd=tmp_path, env=env, stdout=write_end, stderr=write_end, timeout=60, check=False
            )
        finally:
            os.close(write_end)
        assert done.returncode == code, args
    shell = subprocess.run(  # a real `2>&1 | head -1`
        ['"$0" -m runbook_tui validate warned.yaml broken.yaml 2>&1 | head -1; echo "exit ${PIPESTATUS[0]}"', sys.executable], shell=True, executable="/bin/bash", cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert shell.stdout.startswith("warned.yaml:") and shell.stdout.endswith("exit 2\n"), shell.stdout
