"""A step's `env:` value for a variable whose text a program runs as a command (`GIT_SSH_COMMAND`, `PAGER`, `EDITOR`...).

In the command any value there was refused (`GIT_SSH_COMMAND={{ x }} git fetch`), but through `env:` a plain word
passed: `env: {GIT_SSH_COMMAND: "{{ x }}"}` with x = `prog` ran prog, any program found on `PATH` (`reboot`), below
with git itself. The word is the program that runs: now any value there is refused before the step starts.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook.shell_environment import environment_refusal


@pytest.mark.parametrize(("name", "program"), [("GIT_SSH_COMMAND", "git fetch"), ("PAGER", "git log"), ("EDITOR", "crontab -e"), ("LESSOPEN", "less f")])
def test_a_plain_word_there_is_refused(name: str, program: str) -> None:
    problem = environment_refusal(program, [(name, "reboot")])
    assert problem is not None and problem.startswith(f"env {name}: ") and "even a plain word" in problem, problem
    assert environment_refusal(program, [(name, "")]) is None


def test_what_git_did_with_such_a_plain_word(tmp_path: Path) -> None:
    made, program = tmp_path / "made", tmp_path / "prog"
    program.write_text(f"#!/bin/sh\ntouch {made}\n")
    program.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "GIT_SSH_COMMAND": "prog"}
    subprocess.run(["git", "ls-remote", "ssh://h/r"], env=env, capture_output=True, timeout=30)
    assert made.exists()


RUNBOOK = """\
runbook: 1
id: git-ssh
title: T
params:
  x: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: PATH=DIR:$PATH git ls-remote ssh://h/r
        env: {GIT_SSH_COMMAND: "{{ x }}"}
"""


def test_git_runs_no_program_named_in_env(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made, program = tmp_path / "made", tmp_path / "prog"
    program.write_text(f"#!/bin/sh\ntouch {made}\n")
    program.chmod(0o755)
    path = write_runbook(RUNBOOK.replace("DIR", str(tmp_path)))
    assert cli_main(["exec", str(path), "-p", "x=prog", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env GIT_SSH_COMMAND: git runs $GIT_SSH_COMMAND's text as a shell command, so even a plain word" in capsys.readouterr().out
    assert not made.exists()
