"""What the shell-safety tests of a command shape share: `validate` refuses the value at its own position, the shape
really ran the value in a real shell before (the value passed as the loader passes any other: in the environment), and
the same plumbing carrying data prints the value and runs nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook.templating import TemplateError, render_command

#: A one-step runbook whose command is `{run}` (line 11, column 11, where `refused_at_the_value` looks) and whose one
#: parameter `x` is a string: what each shell-shape test writes its command into.
RUNBOOK = """\
runbook: 1
id: shell-shape
title: T
params:
  x: {{type: string}}
sections:
  - id: main
    steps:
      - id: one
        run: |
          {run}
"""

#: What waits, in a script, for a value run in the background (a FIFO's reader, a process substitution) to have run.
WAIT_FOR_MADE = "\nfor _ in $(seq 100); do [ -e {made} ] && break; sleep 0.05; done"


def refused_at_the_value(path: Path, template: str, capsys: pytest.CaptureFixture[str], says: str, *, rendered: bool = True) -> None:
    """`validate` of the runbook at `path` (the command `template` on its line 11, column 11) exits 2 naming the value's
    line and column and `says`; with `rendered`, rendering the command with any value refuses it too."""
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:{11 + template.index('{{ x')}: " in err and says in err, err
    if not rendered:
        return
    with pytest.raises(TemplateError):
        render_command(template, {"x": "v1.2"})


def ran_in_shell(templates: list[str], shell: str, tmp_path: Path, *, waits: bool = False) -> None:
    """Each of `templates`, `{{ x }}` read from the environment's `V` = `a; touch made`: the shell ran the value."""
    made = tmp_path / "made"
    for template in templates:
        script = template.replace("{{ x }}", "$V") + (WAIT_FOR_MADE.format(made=made) if waits else "")
        subprocess.run([*shell.split(), "-c", script], cwd=tmp_path, env={**os.environ, "V": f"a; touch {made}"}, capture_output=True, timeout=30)
        assert made.exists(), template
        made.unlink()


def printed_as_data(template: str, tmp_path: Path) -> str:
    """What bash prints running `template` rendered with a value that would run code anywhere it were code; asserts
    that nothing ran."""
    made = tmp_path / "made"
    value = f"a; touch {made}; $(touch {made})"
    command = render_command(template, {"x": value})
    done = subprocess.run(["bash", "-c", command.text], cwd=tmp_path, env={**os.environ, **dict(command.env)}, capture_output=True, text=True, timeout=30)
    assert not made.exists(), (template, done)
    return done.stdout
