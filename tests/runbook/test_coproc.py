"""`coproc` runs the command after it (and its optional NAME) as any command: its rules apply there.

bash (and `bash --posix`, which `sh` is on some systems) reads `coproc CMD`, `coproc { CMD; }` and `coproc NAME {
CMD; }` as CMD run in the background: `coproc eval "{{ x }}"` and `coproc { eval "{{ x }}"; }` validated, and eval
ran the value (x = `touch F` made F); `coproc {{ x }}` ran the program the value named. Now `coproc` (and its NAME
before a compound command) is passed over like `time` or `!`, so eval, sh -c and a value as the command's name are
refused there as anywhere; a value as data (`coproc printf '%s' "{{ x }}"`) still passes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK

from runbook_tui.runbook.templating import TemplateError, render_command

REFUSED = [
    ('coproc eval "{{ x }}"; wait', "'eval' parses this value again"),
    ('coproc { eval "{{ x }}"; }; wait', "'eval' parses this value again"),
    ('coproc RUNNER { eval "{{ x }}"; }; wait', "'eval' parses this value again"),
    ('coproc time eval "{{ x }}"; wait', "'eval' parses this value again"),
    ('coproc RUNNER while true; do eval "{{ x }}"; break; done; wait', "'eval' parses this value again"),
    ("coproc {{ x }}; wait", "the command's name"),
    ("coproc { {{ x }}; }; wait", "the command's name"),
]


@pytest.mark.parametrize(("template", "why"), REFUSED)
def test_a_value_coproc_runs_as_code_is_refused_at_its_position(
    template: str, why: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:{11 + template.index('{{ x')}: " in err and why in err, err
    with pytest.raises(TemplateError, match=why):
        render_command(template, {"x": "v1.2"})


@pytest.mark.parametrize("shell", ["bash", "bash --posix"])
def test_the_holes_were_real_in_bash(shell: str, tmp_path: Path) -> None:
    """What those commands do with the value passed as the loader passes any other: eval runs it."""
    made = tmp_path / "made"
    for text in ('coproc eval "$V"; wait', 'coproc { eval "$V"; }; wait', 'coproc RUNNER { eval "$V"; }; wait'):
        subprocess.run([*shell.split(), "-c", text], env={**os.environ, "V": f"touch {made}"}, check=True, timeout=10)
        assert made.exists(), text
        made.unlink()


@pytest.mark.parametrize("shell", ["bash", "bash --posix"])
def test_a_value_coproc_prints_is_data(shell: str, tmp_path: Path) -> None:
    made = tmp_path / "made"
    value = f"touch {made}; $(touch {made})"
    out = tmp_path / "out"
    for template in (
        f"coproc printf '%s' \"{{{{ x }}}}\" > {out}; wait",
        f"coproc RUNNER {{ printf '%s' \"{{{{ x }}}}\" > {out}; }}; wait",
        f'coproc {{ printf \'%s\' "{{{{ x }}}}"; }}; read -r line <&"${{COPROC[0]}}"; printf \'%s\' "$line" > {out}; wait',
    ):
        command = render_command(template, {"x": value})
        subprocess.run([*shell.split(), "-c", command.text], env={**os.environ, **dict(command.env)}, check=True, timeout=10)
        assert out.read_text() == value, template
        out.unlink()
    assert not made.exists()
