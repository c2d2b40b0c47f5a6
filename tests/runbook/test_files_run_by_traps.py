"""A file a `trap` action (or, in dash, an alias) runs, and a value written there after it: `trap "sh g" EXIT; echo
"{{ x }}" > g`.

The action runs when the shell exits, after everything written later; an alias runs where it is used. Both validated
while the shell ran the value (below, for real: the trap under sh and bash, the alias under dash, which expands aliases
in scripts): an action's text was read only when it held a value. It is now read as a function's body is, its files
kept as run for the rest of the text, so a value written there is refused at its position.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK, ran_in_shell, refused_at_the_value

from runbook_tui.runbook.templating import render_command

TRAPS = ['trap "sh g" EXIT; echo "{{ x }}" > g', "trap -- '. ./g' EXIT INT; printf '%s\\n' \"{{ x }}\" >> g"]
ALIAS = 'alias f="sh g"\n          echo "{{ x }}" > g\n          f'


@pytest.mark.parametrize("template", TRAPS)
def test_a_value_written_to_a_file_a_trap_runs_is_refused(template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "then run")


def test_a_value_written_to_a_file_an_alias_runs_is_refused(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(RUNBOOK.format(run=ALIAS))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:12:17: this value is written to g, which 'sh' then runs" in err, err


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_hole_was_real(shell: str, tmp_path: Path) -> None:
    for number, template in enumerate([*TRAPS, *([ALIAS.replace("\n          ", "\n")] if shell == "sh" else [])]):
        (tmp_path / str(number)).mkdir()
        ran_in_shell([template], shell, tmp_path / str(number))


def test_a_trap_running_no_file_written_takes_any_value() -> None:
    assert render_command("trap 'rm -f g' EXIT; echo \"{{ x }}\" > g; cat g", {"x": "a; b"}).env
    assert render_command("alias ll='ls -l'; echo \"{{ x }}\" > g; ll", {"x": "a; b"}).env
