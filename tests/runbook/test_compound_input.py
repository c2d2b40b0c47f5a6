"""What a compound command or an inner shell reads on stdin reaches every command inside it.

Each of these passed `validate`, and bash ran the value (x = `a; touch F` made F): a redirection after a group, a
subshell or a loop (`{ sh; } <<< "{{ x }}"`, `(sh) <<< …`, `while read -r l; do eval "$l"; done <<< …`, `… done < f`
after the value was written to f); a shell reading what the shell around it was fed (`echo "{{ x }}" | sh -c 'sh'`,
`sh -c 'sh' <<< …`); a script named by the descriptor `exec` opened (`exec 3<<< "{{ x }}"; sh /dev/fd/3`,
`. /dev/fd/3`); a coprocess in a subshell (`coproc S (sh)`); a function called with input (`f() { sh; }; f <<< …`; its body a subshell, `f() ( sh )`, passed until session 36),
and a loop reading a heredoc (`while read -r l; do eval "$l"; done <<EOF`). Now each is refused at the value's position; the same
shapes carrying data still print the value.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK, printed_as_data, ran_in_shell, refused_at_the_value

REFUSED = [
    '{ sh; } <<< "{{ x }}"',
    '(sh) <<< "{{ x }}"',
    'while read -r l; do eval "$l"; done <<< "{{ x }}"',
    'v="{{ x }}"; while read -r l; do eval "$l"; done <<< "$v"',
    'echo "{{ x }}" > f; { sh; } < f',
    'exec 3<<< "{{ x }}"; { bash; } <&3',
    'exec 3<<< "{{ x }}"; while read -r l; do eval "$l"; done <&3',
    'if true; then sh; fi <<< "{{ x }}"',
    "echo \"{{ x }}\" | sh -c 'sh'",
    'v="{{ x }}"; sh -c \'bash\' <<< "$v"',
    'exec 3<<< "{{ x }}"; sh /dev/fd/3',
    'v="{{ x }}"; exec 3<<< "$v"; . /dev/fd/3',
    'coproc S (sh); echo "{{ x }}" >&"${S[1]}"',
    'f() { sh; }; f <<< "{{ x }}"',
    'f() { read -r l; eval "$l"; }; f <<< "{{ x }}"',
    'function f { sh; }; echo "{{ x }}" > g; f < g',
    'f() ( sh ); f <<< "{{ x }}"',
]


@pytest.mark.parametrize("template", REFUSED)
def test_a_value_a_compound_command_feeds_a_shell_is_refused_at_its_position(
    template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "again")


@pytest.mark.parametrize("shell", ["bash", "bash --posix"])
def test_the_holes_were_real_in_bash(shell: str, tmp_path: Path) -> None:
    """What those commands do with the value passed as the loader passes any other (in the environment): bash runs it."""
    ran_in_shell(REFUSED, shell, tmp_path, waits=True)


DATA = [
    '{ cat; } <<< "{{ x }}"',
    'f() { cat; }; f <<< "{{ x }}"',
    'f() ( cat ); f <<< "{{ x }}"',
    '(tr -d "\\n") <<< "{{ x }}"',
    'while read -r l; do printf "%s" "$l"; done <<< "{{ x }}"',
    "printf '%s' \"{{ x }}\" | sh -c 'cat'",
    'exec 3<<< "{{ x }}"; tr -d "\\n" < /dev/fd/3',
]


@pytest.mark.parametrize("template", DATA)
def test_the_same_shapes_carrying_data_pass_and_print_the_value(template: str, tmp_path: Path) -> None:
    printed = printed_as_data(template, tmp_path)
    assert printed.rstrip("\n") == f"a; touch {tmp_path / 'made'}; $(touch {tmp_path / 'made'})", (template, printed)


def test_a_loop_reading_a_heredoc_into_eval_is_refused_at_the_value(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(RUNBOOK.format(run='while read -r l; do eval "$l"; done <<EOF\n          {{ x }}\n          EOF'))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:12:11: " in err and "eval" in err, err
