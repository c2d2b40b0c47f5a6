"""gdb commands that run a shell (`-ex "shell CMD"`, `-ex "!CMD"`, `-ex "pipe bt | CMD"`) and the program gdb runs.

`gdb -batch -ex "shell kill {{ x }}"` validated: the value had to be a plain word at run time (as gdb code), but a
plain word could still name the program (`-ex "shell {{ x }}"`), and `gdb -batch -ex run --args {{ x }}` ran any
program the value named. Now the text after `shell`/`!`/the pipe is a script another shell parses: refused at
validate unless `{{ x | shq }}` (never as its command's name), and a value that is the program gdb runs is refused
as a command name. `gdb -batch -ex bt {{ x }} core` (loading a program without running it) still passes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK

REFUSED = [
    ('gdb -batch -ex "shell echo {{ x }}"', "'gdb -ex shell' parses this value again as shell code"),
    ('gdb -p 1 -batch --eval-command="shell kill {{ x }}"', "'gdb -ex shell' parses this value again as shell code"),
    ('gdb -batch -ex "!echo {{ x }}"', "'gdb -ex shell' parses this value again as shell code"),
    ('gdb -p 1 -batch -ex "pipe bt | grep {{ x }}"', "'gdb -ex shell' parses this value again as shell code"),
    ('gdb -batch -ex "shell {{ x | shq }}"', "the command's name"),
    ("gdb -batch -ex run --args {{ x }}", "this value is the program gdb runs"),
    ("gdb -batch -ex r {{ x }}", "this value is the program gdb runs"),
]


@pytest.mark.parametrize(("template", "why"), REFUSED)
def test_a_value_gdb_hands_to_a_shell_or_runs_is_refused_at_validate(
    template: str, why: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:{11 + template.index('{{')}: " in err and why in err, err


@pytest.mark.parametrize(
    "template",
    [
        "gdb -batch -ex bt {{ x }} core",
        "gdb -batch -ex run --args /usr/bin/prog {{ x }}",
        "gdb -p {{ x }} -batch -ex bt",
        'gdb -batch -ex "shell kill {{ x | shq }}"',
    ],
)
def test_a_value_gdb_only_loads_or_passes_on_is_data(template: str, write_runbook: Callable[..., Path]) -> None:
    assert cli_main(["validate", str(write_runbook(RUNBOOK.format(run=template)))]) == 0


def test_the_shq_form_runs_the_value_as_one_word_in_gdbs_shell(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    made, out = tmp_path / "made", tmp_path / "out"
    value = f"a b; touch {made}; $(touch {made})"
    path = write_runbook(RUNBOOK.format(run=f"gdb -nx -batch -ex \"shell printf '%s' {{{{ x | shq }}}} > {out}\""))
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 0
    assert out.read_text() == value
    assert not made.exists()
