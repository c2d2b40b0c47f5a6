"""A required parameter given empty (`-p to_version=`) is missing, as the TUI's form says for an empty field.

Before: `-p to_version=` (or `-p hosts=`, `-p note=" "`) passed `plan`/`exec` and ran `echo ''`: the parameter form
refused the same empty field as `parameter 'to_version' is required`, and an optional string without a value is
this same empty text. `required: true` means a value must be given.
"""

from __future__ import annotations

import pytest
from helpers_runbook import at, cli_main, load, only_error

RUNBOOK = """
runbook: 1
id: demo
title: Demo
params:
  to_version: {type: string, required: true}
  hosts: {type: list, required: true}
sections:
  - id: main
    steps:
      - id: hello
        run: echo {{ to_version }} {{ hosts }}
"""


@pytest.mark.parametrize(
    ("given", "name", "line"),
    [
        ({"to_version": "", "hosts": "a"}, "to_version", 5),
        ({"to_version": "   ", "hosts": "a"}, "to_version", 5),
        ({"to_version": "15.6", "hosts": ""}, "hosts", 6),
        ({"to_version": "15.6", "hosts": "  "}, "hosts", 6),
    ],
)
def test_an_empty_value_for_a_required_parameter_is_missing(write_runbook, given: dict[str, str], name: str, line: int) -> None:
    error = only_error(write_runbook(RUNBOOK), given)
    assert at(error) == (line, 3)
    assert error.message == f"parameter '{name}' is required; expected a value: -p {name}=VALUE (an empty one is none)"


def test_a_value_given_still_binds(write_runbook) -> None:
    body = load(write_runbook(RUNBOOK), {"to_version": "15.6", "hosts": "a,b"}).runbook.step("hello").body
    assert body is not None and body.value == "echo 15.6 a b"


def test_plan_exits_2_naming_the_parameter(write_runbook, capsys) -> None:
    path = write_runbook(RUNBOOK)
    assert cli_main(["plan", str(path), "-p", "to_version=", "-p", "hosts=a"]) == 2
    assert f"{path}:5:3: parameter 'to_version' is required" in capsys.readouterr().err
