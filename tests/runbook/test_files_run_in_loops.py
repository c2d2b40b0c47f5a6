"""A file a loop runs before its body writes it: `for i in 1 2; do sh f; echo "{{ x }}" > f; done`.

The second round runs what the first wrote, so the value is code there; only a file written earlier in the text (or
made by `mkfifo`) was followed, and this validated while bash ran `touch F` in x. A loop's body is now read as running
after itself: a value written to a file the loop runs is refused at its position. Outside a loop, a run before the
write still passes (nothing written yet is run).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, refused_at_the_value

from runbook_tui.runbook.templating import render_command

REFUSED = [
    'for i in 1 2; do sh f; echo "{{ x }}" > f; done',
    'n=0; while [ "$n" -lt 2 ]; do [ ! -e f ] || . ./f; n=$((n + 1)); echo "{{ x }}" > f; done',
    'n=0; until [ "$n" -ge 2 ]; do bash f; n=$((n + 1)); printf "%s\\n" "{{ x }}" >> f; done',
    'v="{{ x }}"; for i in 1 2; do if [ -e f ]; then sh f; fi; echo "$v" > f; done',
    'for i in 1 2; do sh f; echo "{{ x }}"; done > f',
]


@pytest.mark.parametrize("template", REFUSED)
def test_a_value_a_loop_writes_and_runs_in_its_next_round_is_refused(
    template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "then run")


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_hole_was_real(shell: str, tmp_path: Path) -> None:
    """Each command, the value passed in the environment as the loader passes it: the shell runs it."""
    made = tmp_path / "made"
    for template in REFUSED:
        subprocess.run(
            [shell, "-c", template.replace("{{ x }}", "$V")], cwd=tmp_path, env={**os.environ, "V": f"touch {made}"}, capture_output=True, timeout=60
        )
        assert made.exists(), template
        made.unlink()
        (tmp_path / "f").unlink()


def test_outside_a_loop_a_file_run_before_it_is_written_is_not_run() -> None:
    assert render_command('sh f; echo "{{ x }}" > f', {"x": "a; b"}).env
    assert render_command('for i in 1 2; do echo "{{ x }}"; done > out; sh f', {"x": "a; b"}).env
    assert render_command('for i in 1 2; do sh f; done; echo "{{ x }}" > f', {"x": "a; b"}).env  # the loop is over
