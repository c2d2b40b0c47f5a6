"""What a command substitution prints of its input, or of a file, is what the variable holding it carries.

Each passed `validate`, and bash ran the value (x = `a; touch F` made F): `cat` reading the input in `$(cat)`
(`sh -c 'eval "$(cat)"' <<< "$v"`, `| { c=$(cat); eval "$c"; }`), bash's `$(< f)` of a file the value was written
to (`c=$(< f); eval "$c"`), and a file the value was written to that a shell then runs as its start-up file
(`BASH_ENV=f bash -c true`, `env BASH_ENV=./f bash …`, `export BASH_ENV=f`, `ENV=f sh -i`). Now each is refused at
the value's position; the same shapes carrying data print the value.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, printed_as_data, ran_in_shell, refused_at_the_value

REFUSED = [
    'v="{{ x }}"; sh -c \'eval "$(cat)"\' <<< "$v"',
    "printf '%s' \"{{ x }}\" | sh -c 'eval \"$(cat)\"'",
    'printf \'%s\' "{{ x }}" | { c=$(cat); eval "$c"; }',
    'c=$(head -n 1 <<< "{{ x }}"); eval "$c"',
    'printf \'%s\' "{{ x }}" > f; c=$(< f); eval "$c"',
    'printf \'%s\' "{{ x }}" > f; eval "$(< f)"',
    "printf '%s' \"{{ x }}\" > f; BASH_ENV=f bash -c true",
    "printf '%s' \"{{ x }}\" > f; env BASH_ENV=./f bash -c true",
    'v="{{ x }}"; printf \'%s\' "$v" > f; export BASH_ENV=f; bash -c true',
]


@pytest.mark.parametrize("template", REFUSED)
def test_a_value_printed_back_into_code_is_refused_at_its_position(
    template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "again")


@pytest.mark.parametrize("shell", ["bash", "bash --posix"])
def test_the_holes_were_real_in_bash(shell: str, tmp_path: Path) -> None:
    """What those commands do with the value passed as the loader passes any other (in the environment): bash runs it."""
    ran_in_shell(REFUSED, shell, tmp_path)


DATA = [
    "printf '%s' \"{{ x }}\" | { c=$(cat); printf '%s' \"$c\"; }",
    "printf '%s' \"{{ x }}\" > f; c=$(< f); printf '%s' \"$c\"",
    "printf '%s' \"{{ x }}\" > f; BASH_ENV=/dev/null bash -c 'cat f'",
]


@pytest.mark.parametrize("template", DATA)
def test_the_same_shapes_carrying_data_pass_and_print_the_value(template: str, tmp_path: Path) -> None:
    printed = printed_as_data(template, tmp_path)
    assert printed == f"a; touch {tmp_path / 'made'}; $(touch {tmp_path / 'made'})", (template, printed)
