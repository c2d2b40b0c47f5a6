"""An output file that a leading `|` makes a command: `psql -o "|CMD"`, `strace -o "|CMD"` (and `"!CMD"`).

psql opens its `-o` file as it starts, before it connects, and runs `|CMD` there through a shell; strace does the same
with `-o |CMD` and `-o !CMD`. `psql -o "{{ x }}"` with x = `|touch F` and `strace -o "|grep {{ x }}"` with x = `a;
touch F` validated and ran touch (below, offline: no server, a trace of `true`). A value starting that argument picks
whether it is a file or a command, and is refused at validate, as a command's name is; a value inside the command is
in another shell's script, refused unless written `{{ x | shq }}`; a value inside a path written there passes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, refused_at_the_value

from runbook_tui.runbook.templating import render_command

STARTS = [
    "psql -h 127.0.0.1 -p 9 -o \"{{ x }}\" -c 'select 1'",
    "sudo -u postgres psql --output=\"{{ x }}\" -c 'select 1'",
    'strace -o "{{ x }}" true',
    'strace -f -o"{{ x }}" true',
]
INSIDE = [
    "psql -h 127.0.0.1 -p 9 -o \"|gzip > out-{{ x }}.gz\" -c 'select 1'",
    'strace -o "|grep {{ x }}" true',
    'strace --output="!grep {{ x }}" true',
]


@pytest.mark.parametrize("template", STARTS)
def test_a_value_starting_a_piped_output_file_is_refused(template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "output file (a leading | makes it a command")


@pytest.mark.parametrize("template", INSIDE)
def test_a_value_in_the_command_of_a_piped_output_is_refused(template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "-o |' parses this value again as shell code")


@pytest.mark.parametrize("template", ['psql -o "/srv/reports/{{ x }}.txt" -c "select 1"', 'strace -f -o "/tmp/{{ x }}.trace" true'])
def test_a_value_inside_a_path_written_there_passes(template: str) -> None:
    assert [v for _, v in render_command(template, {"x": "|touch F; $(id)"}).env] == ["|touch F; $(id)"]


def test_the_holes_were_real(tmp_path: Path) -> None:
    made = tmp_path / "made"
    shown = {
        STARTS[0]: f"|touch {made}",
        STARTS[2]: f"|touch {made}",
        INSIDE[0]: f"a; touch {made}; echo",
        INSIDE[1]: f"a; touch {made}",
    }
    for template, value in shown.items():
        script = template.replace("{{ x }}", "$V")
        subprocess.run(["sh", "-c", script], cwd=tmp_path, env={**os.environ, "V": value}, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        assert made.exists(), template
        made.unlink()
