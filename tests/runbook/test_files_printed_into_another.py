"""A value written to a file that `cat` (`head`, `tail`, `tac`) prints into another file, which then runs:
`echo "{{ x }}" > g; cat g > h; sh h`.

A copy by `cp`, `mv`, `install` or `ln` carried the values written to the source, a copy by `cat g > h` did not: it
validated while the shell ran the value (below, with sh and bash), and so did `cat /tmp/job > /etc/cron.d/job`. What
the files a printer reads hold is now written to where its output goes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import refused_as_code_to_a_file_run_later, takes_any_value
from shell_holes import RUNBOOK, ran_in_shell, refused_at_the_value

REFUSED = [
    'echo "{{ x }}" > g; cat g > h; sh h',
    'v="{{ x }}"; echo "$v" > g; head -n 5 g > h; . ./h',
    'printf "%s\\n" "{{ x }}" > g; tac g >> h; bash h',
]


@pytest.mark.parametrize("template", REFUSED)
def test_a_value_printed_into_a_file_that_runs_is_refused(template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=template)), template, capsys, "then run")


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_hole_was_real(shell: str, tmp_path: Path) -> None:
    for number, template in enumerate(REFUSED):
        (tmp_path / str(number)).mkdir()
        ran_in_shell([template], shell, tmp_path / str(number))


def test_a_value_printed_into_a_file_run_later_is_a_plain_word() -> None:
    refused_as_code_to_a_file_run_later('echo "* * * * * root {{ x }}" > /tmp/job; cat /tmp/job > /etc/cron.d/job')


def test_a_value_printed_elsewhere_takes_any_value() -> None:
    takes_any_value('echo "{{ x }}" > g; cat g > h; cat h')
