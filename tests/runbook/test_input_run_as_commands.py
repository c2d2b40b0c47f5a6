"""A value piped into sed or perl whose program runs its input as a shell command line.

`printf '%s' "{{ x }}" | sed 's/^//e'` and `| perl -ne 'system $_'` passed `validate`, and the value ran (x = `touch F`
made F): sed's `e` flag and command hand the pattern space to `sh -c`, perl's `system`, `exec`, `qx` and backticks to a
shell. Now a value fed to such a program is refused at its position, whatever it holds; the same programs not
running commands (`sed 's/^/> /'`, `perl -ne 'print'`) still pass.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK

RUNNING = ["sed 's/^//e'", "sed -n 's/.*/&/ep'", "sed -e 'e'", "sed '1e'", "perl -ne 'system $_'", "perl -lne 'qx($_)'", "perl -pe '$_ = `$_`'"]
DATA = ["sed 's/^/> /'", "sed -e 's/a/b/g'", "perl -ne 'print'", "perl -pe 's/e/E/'"]


@pytest.mark.parametrize("program", RUNNING)
def test_a_value_fed_to_a_program_running_its_input_is_refused(program: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    template = f"printf '%s\\n' \"{{{{ x }}}}\" | {program}"
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:{11 + template.index('{{ x')}: " in err and "reading stdin" in err, err


@pytest.mark.parametrize("program", RUNNING)
def test_the_holes_were_real(program: str, tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {**os.environ, "V": f"touch {made}"}
    subprocess.run(["bash", "-c", f"printf '%s\\n' \"$V\" | {program}"], cwd=tmp_path, env=env, capture_output=True, timeout=30)
    assert made.exists(), program


@pytest.mark.parametrize("program", DATA)
def test_programs_not_running_their_input_still_pass(program: str, write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(RUNBOOK.format(run=f"printf '%s\\n' \"{{{{ x }}}}\" | {program}"))
    assert cli_main(["validate", str(path)]) == 0
