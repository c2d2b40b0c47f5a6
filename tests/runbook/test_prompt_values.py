"""A value written as a prompt's own text: `PS4="{{ x }}"; set -x; true`.

bash expands PS4 (PS0-PS3 too) each time it prints that prompt, `$(...)` included, so a value that becomes a prompt's
text is code to bash. Rendering refused such a value holding `$`, a backtick or a backslash, but plain `validate` said
nothing; now `validate` refuses the value at its position, as it does `PROMPT_COMMAND="{{ x }}"`, whatever the
parameter holds. A value a prompt only prints through a variable its text names (`PS4='+ $V: '`) still takes any value:
bash expands the prompt once, and V's value is not read again.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, printed_as_data, refused_at_the_value

TEMPLATES = [
    'PS4="{{ x }}"; set -x; true',
    'export PS4="+ {{ x }} "; bash -xc true',
    'env PS4="{{ x }}" bash -xc true',
    "sudo -E PS4={{ x }} bash -xc true",
    'declare PS4="{{ x }}"; set -x; true',
    'v="{{ x }}"; PS4=$v; set -x; true',
    'V="{{ x }}"; PS4="+ $V: "; set -x; true',
    'PS1="{{ x }}" bash --norc -i </dev/null',
    "PS0={{ x }} bash -i </dev/null",
    'PS2="> {{ x }}" bash -i </dev/null',
]


def test_a_value_in_a_prompts_text_ran_in_bash(tmp_path: Path) -> None:
    made = tmp_path / "made"
    for script in ('PS4="$V"; set -x; true', 'v="$V"; PS4=$v; set -x; true', 'declare PS4="+ $V "; set -x; true'):
        subprocess.run(["bash", "-c", script], cwd=tmp_path, env={**os.environ, "V": f"$(touch {made})"}, capture_output=True, timeout=30)
        assert made.exists(), script
        made.unlink()


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_in_a_prompts_text_is_refused_at_validate(template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(RUNBOOK.format(run=template))
    refused_at_the_value(path, template, capsys, "bash expands PS")


@pytest.mark.parametrize("template", ['PS4=\'+ $V: \'; V="{{ x }}"; set -x; echo "$V"', 'export PS4=\'+ ${V} \'; V="{{ x }}"; set -x; echo "$V"'])
def test_a_value_a_prompt_only_prints_is_data(template: str, tmp_path: Path) -> None:
    assert "touch" in printed_as_data(template, tmp_path)
