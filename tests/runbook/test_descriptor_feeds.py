"""A value that reaches a shell's stdin through a descriptor, a coprocess or a process substitution is code to it.

Each of these passed `validate`, and bash (what `/bin/sh` is on RHEL) ran the value (x = `a; touch F` made F): a
variable's text into `exec 3<<<` then `bash <&3`, into `tee >(sh)` or `> >(sh)`; `exec {fd}<<<` then `bash <&$fd`;
`exec <<<` (the shell's own stdin) then `bash`; `exec 3> >(sh)` then `echo ... >&3`; `exec 3> f.sh` then `>&3` and
`sh f.sh`; `exec > >(sh)` or `exec > f.sh` (every later command's output); a coprocess `coproc sh` written to with
`>&"${COPROC[1]}"`; a pipe into a subshell `| (sh)`; a here-string after `tee >(sh)`; a line read from such a
descriptor and evaluated (`read -r l <&3; eval "$l"`); a FIFO a shell reads as its script before the value is
written to it (`mkfifo f; sh f & echo "{{ x }}" > f`: only a file run after it was written was followed). Now each is refused at the value's position; the same plumbing carrying data still passes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, printed_as_data, ran_in_shell, refused_at_the_value

REFUSED = [
    'v="{{ x }}"; exec 3<<< "$v"; bash <&3',
    'v="{{ x }}"; echo "$v" | tee >(sh) >/dev/null',
    'v="{{ x }}"; echo "$v" > >(sh)',
    'tee >(sh) >/dev/null <<< "{{ x }}"',
    'exec {fd}<<< "{{ x }}"; bash <&$fd',
    'exec <<< "{{ x }}"; bash',
    'v="{{ x }}"; exec 3<<< "$v"; exec 0<&3; bash',
    'exec 3> >(sh); echo "{{ x }}" >&3; exec 3>&-',
    'exec 3> f.sh; echo "{{ x }}" >&3; exec 3>&-; sh f.sh',
    'coproc sh; echo "{{ x }}" >&"${COPROC[1]}"',
    'v="{{ x }}"; coproc sh; echo "$v" >&"${COPROC[1]}"',
    'coproc S { sh; }; printf "%s\\n" "{{ x }}" >&${S[1]}',
    'echo "{{ x }}" | (sh)',
    'exec 3<<< "{{ x }}"; read -r l <&3; eval "$l"',
    'exec <<< "{{ x }}"; read -r l; eval "$l"',
    'echo "{{ x }}" | (read -r l; eval "$l")',
    'exec > >(sh); echo "{{ x }}"',
    'exec > f.sh; echo "{{ x }}"; exec >/dev/null; sh f.sh',
    'mkfifo f; sh f & echo "{{ x }}" > f; wait',
    'v="{{ x }}"; mkfifo p; bash p & printf "%s\\n" "$v" > p; wait',
    'v="{{ x }}"; echo "$v" | (cat; true) | (bash)',
]


@pytest.mark.parametrize("template", REFUSED)
def test_a_value_fed_to_a_shell_on_a_descriptor_is_refused_at_its_position(
    template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "again")


@pytest.mark.parametrize("shell", ["bash", "bash --posix"])
def test_the_holes_were_real_in_bash(shell: str, tmp_path: Path) -> None:
    """What those commands do with the value passed as the loader passes any other (in the environment): bash runs it."""
    ran_in_shell(REFUSED, shell, tmp_path, waits=True)


DATA = [
    'exec 3<<< "{{ x }}"; tr -d "\\n" <&3',
    'v="{{ x }}"; printf "%s" "$v" | tee >(cat >/dev/null)',
    'exec 3> >(cat >/dev/null); printf "%s" "{{ x }}"; exec 3>&-',
    'coproc cat; printf "%s" "{{ x }}"',
    'printf "%s" "{{ x }}" | (cat)',
]


@pytest.mark.parametrize("template", DATA)
def test_the_same_plumbing_carrying_data_passes_and_prints_the_value(template: str, tmp_path: Path) -> None:
    printed = printed_as_data(template, tmp_path)
    assert printed == f"a; touch {tmp_path / 'made'}; $(touch {tmp_path / 'made'})", (template, printed)
