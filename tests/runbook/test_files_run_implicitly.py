"""A value written to a file a later command runs without naming it: `echo "{{ x }}" > Makefile; make` (make reads
the makefile of the folder it starts in, and runs a `$(shell CMD)` there as it reads it), `echo "{{ x }}" > g.py;
python3 -m g` (python imports the module from the current folder).

Both validated while make and python ran the value (below, for real): only a file a command names was followed. These
files are now read as run by the command, so a value written there is refused at its position.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, refused_at_the_value

from runbook_tui.runbook.templating import render_command

REFUSED = {
    'echo "{{ x }}" > Makefile; make': "$(shell touch {made})",
    'printf "%s\\n" "{{ x }}" > g.py; python3 -m g': "import os; os.system('touch {made}')",
}


@pytest.mark.parametrize("template", list(REFUSED))
def test_a_value_written_to_a_file_a_command_runs_unnamed_is_refused(
    template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "then")


def test_the_holes_were_real(tmp_path: Path) -> None:
    made = tmp_path / "made"
    for number, (template, value) in enumerate(REFUSED.items()):
        (tmp_path / str(number)).mkdir()
        script = template.replace("{{ x }}", "$V")
        subprocess.run(["sh", "-c", script], cwd=tmp_path / str(number), env={**os.environ, "V": value.format(made=made)}, capture_output=True, timeout=60)
        assert made.exists(), template
        made.unlink()


def test_other_files_and_other_folders_take_any_value() -> None:
    for template in ('echo "{{ x }}" > notes.txt; make', 'echo "{{ x }}" > Makefile; make -C /srv/app', 'make; echo "{{ x }}" > Makefile'):
        assert render_command(template, {"x": "$(shell touch F)"}).env, template
