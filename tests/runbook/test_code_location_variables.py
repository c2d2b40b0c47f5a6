"""A value naming where a program finds code to run: git's configuration file (`GIT_CONFIG_GLOBAL`,
`GIT_CONFIG_SYSTEM`: core.fsmonitor runs a command) and where an interpreter's modules are found (`PYTHONPATH`,
`PERL5LIB`, `NODE_PATH`).

`GIT_CONFIG_GLOBAL={{ x }} git status` with x = an uploaded file holding `core.fsmonitor = CMD` ran CMD, and
`PYTHONPATH={{ x }} python3 -m app` with x = an uploaded folder imported app from it (below, with git and python
themselves); both passed, in the command and through a step's `env:`. Now such a value is one file or folder name,
as in the program's path (`PYTHONPATH=/opt/app/{{ x }}` with x = v2 passes).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook.shell_classify import environment_in_program_path
from runbook_tui.runbook.templating import TemplateError, render_command

PROGRAMS = {
    "GIT_CONFIG_GLOBAL": "git status",
    "GIT_CONFIG_SYSTEM": "git status",
    "PYTHONPATH": "python3 -m app",
    "PERL5LIB": "perl x.pl",
    "NODE_PATH": "node x.js",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_path_there_is_refused_one_name_passes(name: str) -> None:
    program = PROGRAMS[name]
    for template in (f"{name}={{{{ x }}}} {program}", f"export {name}={{{{ x }}}}; ./deploy.sh", f"v={{{{ x }}}}; {name}=$v {program}"):
        with pytest.raises(TemplateError, match="expected one file or folder name"):
            render_command(template, {"x": "/tmp/upload"})
        assert [value for _, value in render_command(template, {"x": "v2"}).env] == ["v2"]
    assert environment_in_program_path(program, (name,)) == {name}


def test_what_git_and_python_did_with_such_a_path(tmp_path: Path) -> None:
    repo, config, lib = tmp_path / "repo", tmp_path / "config", tmp_path / "lib"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    config.write_text(f"[core]\n\tfsmonitor = touch {tmp_path / 'by-git'}\n")
    subprocess.run(["git", "status"], cwd=repo, env={**os.environ, "GIT_CONFIG_GLOBAL": str(config)}, capture_output=True, timeout=30)
    lib.mkdir()
    (lib / "app.py").write_text(f"open({str(tmp_path / 'by-python')!r}, 'w').close()\n")
    subprocess.run(["python3", "-m", "app"], env={**os.environ, "PYTHONPATH": str(lib)}, check=True, timeout=30)
    assert (tmp_path / "by-git").exists() and (tmp_path / "by-python").exists()


RUNBOOK = """\
runbook: 1
id: git-config
title: T
params:
  x: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: cd REPO && git status
        env: {GIT_CONFIG_GLOBAL: "{{ x }}"}
"""


def test_a_steps_env_naming_gits_configuration_runs_nothing(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo, config, made = tmp_path / "repo", tmp_path / "config", tmp_path / "made"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    config.write_text(f"[core]\n\tfsmonitor = touch {made}\n")
    path = write_runbook(RUNBOOK.replace("REPO", str(repo)))
    assert cli_main(["exec", str(path), "-p", f"x={config}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env GIT_CONFIG_GLOBAL: a value inside the program's path picks the program that runs" in capsys.readouterr().out
    assert not made.exists()
