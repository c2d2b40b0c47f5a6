"""A group's name is held to a host name's rules: `on:` names either, and every message and screen shows it.

Before: host names with a space, a control character or a leading `-` were refused, but a group could be named
`""` (which no `on:` can name: an empty `on` is refused), `"db hosts"`, `"db\\x1b[31m"` or `-db`, and validated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, load, only_error

RUNBOOK = """\
runbook: 1
id: groups
title: T
hosts:
  %s: [{name: db1, address: 10.0.0.5}]
sections:
  - id: main
    steps:
      - id: a
        run: "true"
        on: db1
"""


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ('""', "an empty group name; expected a group name"),
        ('"db hosts"', "group name 'db hosts' has a space or a control character; expected a group name without them"),
        ('"db\\x1b[31m"', "group name 'db\\x1b[31m' has a space or a control character; expected a group name without them"),
        ("-db", "group name '-db' starts with '-', which ssh, scp and rsync read as an option; expected a group name"),
    ],
)
def test_a_group_name_no_on_could_name_well_is_refused(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str], written: str, said: str) -> None:
    path = write_runbook(RUNBOOK % written)
    err = only_error(path)
    assert (at(err), err.message.split(", or the key left out")[0]) == ((5, 3), said)
    assert cli_main(["validate", str(path)]) == 2
    assert f"{path}:5:3: " in capsys.readouterr().err


def test_a_plain_group_name_still_loads(write_runbook: Callable[..., Path]) -> None:
    runbook = load(write_runbook(RUNBOOK % "db_main.eu-1")).runbook
    assert [h.name for h in runbook.group("db_main.eu-1")] == ["db1"]
