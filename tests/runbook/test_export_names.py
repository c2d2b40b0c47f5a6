"""A value standing as `export`'s or `readonly`'s name: `export "{{ x }}"`, `n="{{ x }}"; export "$n"`.

It was refused as "read as arithmetic" ("must be an integer"), which bash does not do there: `export "$V"` with V =
`a[$(touch F)]` ran nothing (below). What bash does is read the word as NAME=VALUE, so V = `PATH=/tmp/upload` sets
PATH for every command after it. Now the refusal says so, and a variable's name passes (`export "{{ x }}"` with
x = PGHOST exports PGHOST); `unset`, `declare` and `local` still take integers only (they evaluate a subscript).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command

TEMPLATES = ['export "{{ x }}"', 'n="{{ x }}"; export "$n"=1', "readonly {{ x }}", 'n="{{ x }}"; export "$n"', 'n="{{ x }}"; m=$n; readonly "$m"']


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_there_is_a_variables_name(template: str) -> None:
    for value in ("PATH=/tmp/upload", "LD_PRELOAD=/tmp/upload/evil.so", "a[$(touch pwned)]", "1"):
        with pytest.raises(TemplateError, match=r"reads this value as a variable's NAME=VALUE.*expected a variable's name") as refused:
            render_command(template, {"x": value})
        assert "arithmetic" not in str(refused.value)
    assert [value for _, value in render_command(template, {"x": "PGHOST"}).env] == ["PGHOST"]


def test_declare_and_unset_still_read_a_subscript_as_arithmetic() -> None:
    for template in ("unset {{ x }}", 'declare "{{ x }}"=1', 'local "{{ x }}"'):
        with pytest.raises(TemplateError, match="must be an integer"):
            render_command(template, {"x": "a[$(touch pwned)]"})


def test_what_bash_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    run = ["bash", "-c", 'a=(1); export "$V"; echo "$PATH"']
    subscript = subprocess.run(run, env={**os.environ, "V": f"a[$(touch {made})]"}, capture_output=True, text=True, timeout=30)
    assert not made.exists()  # no arithmetic: the subscript ran nothing
    assigned = subprocess.run(run, env={**os.environ, "V": "PATH=/tmp/upload"}, capture_output=True, text=True, timeout=30)
    assert assigned.stdout == "/tmp/upload\n" and subscript.stdout != assigned.stdout
