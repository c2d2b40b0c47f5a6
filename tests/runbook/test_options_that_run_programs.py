"""Options a program reads from its environment where even a plain word runs a program.

GNU tar reads `$TAR_OPTIONS` as options of its own before its arguments: `TAR_OPTIONS={{ x }} tar -cf ...` with x =
`--use-compress-program=PROG` (a plain word: no space, no quote) ran PROG (below, with tar itself), and
`-IPROG`, `--to-command=PROG`, `--checkpoint-action=exec=PROG` run one too; man reads `$MANOPT` so (`--pager=PROG`). Both passed, in the command and
through a step's `env:`, since only `PERL5OPT`-like variables were held, to a plain word. Now any value there is
refused, as a value naming `LD_PRELOAD`'s library is: it picks the program that runs.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.templating import TemplateError, render_command

PLAIN = {"TAR_OPTIONS": ("tar -cf /tmp/a.tar /etc/hostname", "--use-compress-program=reboot"), "MANOPT": ("man ls", "--pager=reboot")}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_a_value_there_is_refused_in_the_command_even_a_plain_word(name: str) -> None:
    program, value = PLAIN[name]
    for template in (f"{name}={{{{ x }}}} {program}", f'export {name}="{{{{ x }}}}"; {program}', f'v="{{{{ x }}}}"; env {name}="$v" {program}'):
        with pytest.raises(TemplateError, match=f"{name}.*picks the program that runs"):
            render_command(template, {"x": value})


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_a_steps_env_value_there_is_refused_even_a_plain_word(name: str) -> None:
    program, value = PLAIN[name]
    problem = environment_refusal(program, [(name, value)])
    assert problem is not None and problem.startswith(f"env {name}: this value is "), problem
    assert environment_refusal(program, [(name, "v")]) is not None


def test_what_tar_did_with_such_a_plain_word(tmp_path: Path) -> None:
    made, program = tmp_path / "made", tmp_path / "prog"
    program.write_text(f"#!/bin/sh\ntouch {made}\n")
    program.chmod(0o755)
    (tmp_path / "f").write_text("data\n")
    env = {**os.environ, "TAR_OPTIONS": f"--use-compress-program={program}"}
    subprocess.run(["tar", "-cf", str(tmp_path / "a.tar"), "-C", str(tmp_path), "f"], env=env, check=True, timeout=30)
    assert made.exists()  # the plain word ran the program


RUNBOOK = """\
runbook: 1
id: tar-options
title: T
params:
  x: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: cd DIR && TAR_OPTIONS={{ x }} tar -cf a.tar f
"""


def test_tar_runs_no_program(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made, program = tmp_path / "made", tmp_path / "prog"
    program.write_text(f"#!/bin/sh\ntouch {made}\n")
    program.chmod(0o755)
    (tmp_path / "f").write_text("data\n")
    value = f"--use-compress-program={program}"
    path = write_runbook(RUNBOOK.replace("DIR", str(tmp_path)))
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j1.jsonl")]) == 2
    column = 14 + len(f"cd {tmp_path} && TAR_OPTIONS=")
    assert f"{path}:10:{column}: this value is tar's options (TAR_OPTIONS)" in capsys.readouterr().err

    path.write_text(RUNBOOK.replace("DIR", str(tmp_path)).replace("TAR_OPTIONS={{ x }} ", "") + '        env: {TAR_OPTIONS: "{{ x }}"}\n')
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j2.jsonl")]) == 1
    assert "env TAR_OPTIONS: this value is tar's options" in capsys.readouterr().out
    assert not made.exists()


@pytest.mark.parametrize("name", ["GIT_CONFIG_VALUE_0", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_3"])
def test_a_value_in_a_git_setting_from_the_environment_is_refused(name: str) -> None:
    """`GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0={{ x }} git status` with x = a plain word
    `prog` ran prog (below, with git), as `GIT_CONFIG_PARAMETERS` would: refused, any value, and in a step's `env:`."""
    template = f"GIT_CONFIG_COUNT=4 {name}={{{{ x }}}} git status"
    with pytest.raises(TemplateError, match="picks the program that runs"):
        render_command(template, {"x": "prog"})
    assert (environment_refusal("git status", [(name, "prog")]) or "").startswith(f"env {name}: this value is a git setting")


def test_what_git_did_with_a_plain_word_as_a_setting(tmp_path: Path) -> None:
    made, program, repo = tmp_path / "made", tmp_path / "prog", tmp_path / "repo"
    program.write_text(f"#!/bin/sh\ntouch {made}\n")
    program.chmod(0o755)
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    setting = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.fsmonitor", "GIT_CONFIG_VALUE_0": "prog"}
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", **setting}
    subprocess.run(["git", "status"], cwd=repo, env=env, capture_output=True, timeout=30)
    assert made.exists()
