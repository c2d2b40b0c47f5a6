"""A file a function runs, and a value written there: `f() { sh g; echo "{{ x }}" > g; }; f; f`.

A function's body runs at each call, anywhere after its definition: the second call runs what the first wrote, and
`f() { sh g; }; echo "{{ x }}" > g; f` runs what was written after the definition. Both validated while bash ran
`touch F` in x (a run was noted only once something was written, or in a loop). A file a function's body runs is now
kept as run for the rest of the text: a value written there is refused at its position.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, ran_in_shell, refused_at_the_value

from runbook_tui.runbook.templating import render_command

REFUSED = [
    'f() { sh g; echo "{{ x }}" > g; }; f; f',
    'f() { sh g; }; echo "{{ x }}" > g; f',
    'f () { [ ! -e g ] || . ./g; printf "%s\\n" "{{ x }}" >> g; }; f; f',
    'f() ( bash g; echo "{{ x }}" > g ); f; f',
    'f() { if [ -e g ]; then sh g; fi; }; v="{{ x }}"; echo "$v" > g; f',
]


@pytest.mark.parametrize("template", REFUSED)
def test_a_value_written_to_a_file_a_function_runs_is_refused(template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "then run")


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_hole_was_real(shell: str, tmp_path: Path) -> None:
    """Each command, the value passed in the environment as the loader passes it, in a folder of its own: the shell
    runs it."""
    for number, template in enumerate(REFUSED):
        (tmp_path / str(number)).mkdir()
        ran_in_shell([template], shell, tmp_path / str(number))


def test_a_function_that_runs_no_file_written_takes_any_value() -> None:
    assert render_command('f() { echo "{{ x }}" > g; }; f; f; cat g', {"x": "a; b"}).env
    assert render_command('f() { sh h; }; echo "{{ x }}" > g; f', {"x": "a; b"}).env  # another file
    assert render_command('f() { echo "$1"; }; f "{{ x }}" > g', {"x": "a; b"}).env
