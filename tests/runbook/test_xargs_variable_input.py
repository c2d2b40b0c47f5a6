"""A variable's text fed to `xargs` becomes `$1`... of the script it runs, as a value written there does.

`v="{{ x }}"; echo "$v" | xargs -0 sh -c 'eval "$1"' sh` and the same through `exec 3<<< "$v"` and `<&3` passed
`validate`, and eval ran the value (x = `a; touch F` made F): only values written directly in the input were linked
to the inner script's `$1`. Now what a variable feeds xargs is linked too, and refused at the value.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, refused_at_the_value

REFUSED = [
    'v="{{ x }}"; printf \'%s\' "$v" | xargs -0 sh -c \'eval "$1"\' sh',
    'v="{{ x }}"; exec 3<<< "$v"; xargs -0 sh -c \'eval "$1"\' sh <&3',
    'v="{{ x }}"; xargs -0 bash -c \'eval "$1"\' bash <<< "$v"',
]


@pytest.mark.parametrize("template", REFUSED)
def test_a_variable_fed_to_xargs_running_eval_is_refused_at_the_value(
    template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "eval", rendered=False)


@pytest.mark.parametrize("template", REFUSED)
def test_the_holes_were_real(template: str, tmp_path: Path) -> None:
    made = tmp_path / "made"
    script = template.replace("{{ x }}", "$V")
    subprocess.run(["bash", "-c", script], cwd=tmp_path, env={**os.environ, "V": f"a; touch {made}"}, capture_output=True, timeout=30)
    assert made.exists(), template
