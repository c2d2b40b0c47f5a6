"""Reading a command's shell syntax costs time in proportion to its length, whatever its shape.

`echo "{{ x }}" | cat | cat | ...` doubled what each stage was known to read (what `cat` prints of its input was added
to that input again): 28 stages (183 bytes) took 36 s to validate, 40 would take hours, and every `exec`, `plan` and
run of the runbook the same; so did copying a descriptor back and forth (`exec 4<&3; exec 3<&4; ...`). A command
nested hundreds of levels deep is refused in words (it crashed validate). Each shape here, hundreds of stages or levels deep, now validates in about a second.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

RUNBOOK = """\
runbook: 1
id: long
title: T
params:
  x: {{type: string, default: v1}}
sections:
  - id: main
    steps:
      - id: one
        run: '{run}'
"""

LONG = [
    'echo "{{ x }}"' + " | cat" * 300,
    'echo "{{ x }}"' + " | head -n 5 | tail -n 1" * 150,
    'echo "{{ x }}"' + " | tee -a log | cat" * 150,
    'echo "{{ x }}" > f; cat f' + " | cat" * 300,
    'exec 3<<< "{{ x }}"; ' + "exec 4<&3; exec 3<&4; " * 150,
    'exec <<< "{{ x }}"; ' + "exec 4<&0; exec 0<&4; " * 150,
]


@pytest.mark.parametrize("run", LONG, ids=lambda run: run[16:40])
def test_a_long_pipeline_validates_in_a_moment(run: str, write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(RUNBOOK.format(run=run))
    said = subprocess.run([sys.executable, "-m", "runbook_tui", "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert said.returncode == 0, said.stderr


@pytest.mark.parametrize("depth", ["$(", '"$('])
def test_a_command_nested_hundreds_deep_is_refused_in_words(depth: str, write_runbook: Callable[..., Path]) -> None:
    """400 levels of `$(` or `"$(` crashed validate with a RecursionError's traceback (exit 1 and no FILE:LINE:COL):
    now the value there is refused in words; the same command without a value validates."""
    closing = {"$(": ")", '"$(': ')"'}[depth]
    path = write_runbook(RUNBOOK.format(run=depth * 400 + 'echo "{{ x }}"' + closing * 400))
    said = subprocess.run([sys.executable, "-m", "runbook_tui", "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert said.returncode == 2 and f"{path}:10:" in said.stderr and "nests $(...), backticks" in said.stderr, said.stderr
    assert "Traceback" not in said.stderr
    path.write_text(RUNBOOK.format(run=depth * 400 + "echo hi" + closing * 400))
    said = subprocess.run([sys.executable, "-m", "runbook_tui", "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert said.returncode == 0, said.stderr
