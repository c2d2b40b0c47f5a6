"""A value naming the script a shell runs before its own: `BASH_ENV` (every non-interactive bash), `ENV` (sh -i).

`BASH_ENV={{ x }} bash -c true` with x = `/tmp/upload/evil.sh` ran evil.sh (below, with bash itself): only `$`,
backticks and `\\` were refused there (the shell expands the text again), so any plain path passed, in the command
and through a step's `env:`. The value picks the code that runs, as in `sh {{ x }}`: now it is one file name, as a
value in the program's path is (`/etc/profile.d/{{ x }}` and `site-env.sh` pass).
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

TEMPLATES = [
    "BASH_ENV={{ x }} bash -c true",
    "env BASH_ENV={{ x }} bash -c true",
    "v={{ x }}; export BASH_ENV=$v; bash -c true",
    "BASH_ENV={{ x }} ./deploy.sh",
    "export ENV={{ x }}; sh -i -c true </dev/null",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_path_there_is_refused_one_name_passes(template: str) -> None:
    for value in ("/tmp/upload/evil.sh", "../upload/evil.sh", ".."):
        with pytest.raises(TemplateError, match="expected one file or folder name"):
            render_command(template, {"x": value})
    assert [value for _, value in render_command(template, {"x": "site-env.sh"}).env] == ["site-env.sh"]
    assert [value for _, value in render_command("BASH_ENV=/etc/profile.d/{{ x }} bash -c true", {"x": "site-env.sh"}).env] == ["site-env.sh"]


@pytest.mark.parametrize("name", ["BASH_ENV", "ENV"])
def test_a_steps_env_value_there_is_checked_as_one_name(name: str) -> None:
    assert environment_in_program_path("bash -c true", (name, "OTHER")) == {name}


def test_what_bash_did_with_such_a_path(tmp_path: Path) -> None:
    made, script = tmp_path / "made", tmp_path / "evil.sh"
    script.write_text(f"touch {made}\n")
    subprocess.run(["bash", "-c", "true"], env={**os.environ, "BASH_ENV": str(script)}, check=True, timeout=30)
    assert made.exists()


RUNBOOK = """\
runbook: 1
id: bash-env
title: T
params:
  x: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: bash -c true
        env: {BASH_ENV: "{{ x }}"}
"""


def test_a_steps_env_naming_a_script_runs_nothing(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made, script = tmp_path / "made", tmp_path / "evil.sh"
    script.write_text(f"touch {made}\n")
    path = write_runbook(RUNBOOK)
    assert cli_main(["exec", str(path), "-p", f"x={script}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env BASH_ENV: a value inside the program's path picks the program that runs" in capsys.readouterr().out
    assert not made.exists()
