"""A value refused for what it holds (given with -p, or a default) is named at its own place in the command.

`run: echo hi && PYTHONPATH={{ x }} python3 -m app` with x = `/tmp/upload` was refused at the start of the `run:` text
(`r.yaml:11:14`), not where `{{ x }}` stands, though the same refusal known without the value (`sh -c "{{ x }}"`)
pointed at the value: with several values in one command, the author could not tell which one was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, only_error

RUNBOOK = """\
runbook: 1
id: r
title: T
params:
  x: {{type: string, default: ok}}
  y: {{type: string, default: ok}}
sections:
  - id: main
    steps:
      - id: one
        run: {run}
"""


@pytest.mark.parametrize(
    ("run", "where"),
    [
        ("cp {{ y }} /tmp && PYTHONPATH={{ x }} python3 -m app", (11, 44)),
        ("'echo {{ y }}; GIT_DIR={{ x }} git status'", (11, 37)),
        ('"echo {{ y }}; GIT_DIR={{ x }} git status"', (11, 37)),
        ("|\n          echo {{ y }}\n          GIT_DIR={{ x }} git status", (13, 19)),
    ],
)
def test_the_refused_value_is_named_where_it_stands(write_runbook: Callable[..., Path], run: str, where: tuple[int, int]) -> None:
    path = write_runbook(RUNBOOK.format(run=run))
    found = only_error(path, {"x": "/tmp/upload"})
    assert "not '/tmp/upload'" in found.message
    assert at(found) == where


def test_a_command_with_tags_is_still_named_at_its_start(write_runbook: Callable[..., Path]) -> None:
    """Inside `{% for %}` or `{% if %}` the value rendered is not always the one written at a place: the step's start."""
    path = write_runbook(RUNBOOK.format(run="'{% for i in [1, 2] %}echo {{ i }}; {% endfor %}GIT_DIR={{ x }} git status'"))
    found = only_error(path, {"x": "/tmp/upload"})
    assert "not '/tmp/upload'" in found.message
    assert at(found) == (11, 14)
