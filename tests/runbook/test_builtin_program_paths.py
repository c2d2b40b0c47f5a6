"""A value bash's own builtins take as the program or library that runs: `hash -p "{{ x }}" ls; ls`, `enable -f`.

`hash -p PATH NAME` makes NAME run the program at PATH, and `enable -f FILE NAME` loads the shared library FILE into
bash: a value there picks the code that runs, as `{{ x }} --version` does. Both validated and ran the value's program;
now the whole value is refused at its position, and a value inside a path (`hash -p /opt/{{ v }}/bin/psql psql`) takes
the checks a program's path takes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, refused_at_the_value

from runbook_tui.runbook.templating import TemplateError, render_command

TEMPLATES = ['hash -p "{{ x }}" ls; ls', "hash -r; hash -p {{ x }} psql; psql -c 'select 1'", 'enable -f "{{ x }}" sleep; sleep 1']


def test_bash_ran_the_program_hash_named(tmp_path: Path) -> None:
    made, program = tmp_path / "made", tmp_path / "program"
    program.write_text(f"#!/bin/sh\ntouch {made}\n")
    program.chmod(0o755)
    subprocess.run(["bash", "-c", 'hash -p "$V" ls; ls'], cwd=tmp_path, env={**os.environ, "V": str(program)}, capture_output=True, timeout=30)
    assert made.exists()


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_a_builtin_runs_is_refused_at_validate(template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(RUNBOOK.format(run=template))
    refused_at_the_value(path, template, capsys, "so it picks the program that runs")


def test_a_value_inside_the_path_takes_a_programs_path_checks() -> None:
    assert [v for _, v in render_command('hash -p "/opt/{{ x }}/bin/psql" psql', {"x": "pg16"}).env] == ["pg16"]
    with pytest.raises(TemplateError):
        render_command('hash -p "/opt/{{ x }}/bin/psql" psql', {"x": "../../tmp/upload"})
