"""A value written to /dev/null is gone: a shell reading /dev/null after it reads nothing of it.

`printf '%s' "{{ x }}" > /dev/null; sh < /dev/null` was refused at validate (`this value is written to ...` / `sh
reading stdin`): /dev/null was followed as a file that keeps what is written to it. It runs nothing (bash checked).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK


@pytest.mark.parametrize(
    "template",
    [
        "printf '%s' \"{{ x }}\" > /dev/null; sh < /dev/null",
        "{ printf '%s' \"{{ x }}\"; } > /dev/null; sh /dev/null",
        "printf '%s' \"{{ x }}\" | tee /dev/null | cat; bash /dev/null",
    ],
)
def test_a_value_written_to_dev_null_then_a_shell_reading_it_passes(template: str, write_runbook: Callable[..., Path]) -> None:
    assert cli_main(["validate", str(write_runbook(RUNBOOK.format(run=template)))]) == 0
