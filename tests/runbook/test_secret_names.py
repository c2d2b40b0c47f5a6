"""A secret's name is refused at its FILE:LINE:COL when it is empty or holds a control character.

Before: `secrets: {"": ..., "\\e[31m": ...}` loaded; the name reached every message that names a secret (an
ESC sequence into the terminal of whoever reads `validate`, the preflight, a missing-secret error). A name with
`-` or a space, used as `secrets['a-b']`, still loads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers_runbook import at, errors, load

RUNBOOK = """\
runbook: 1
id: names
title: T
secrets:
  {name}: {{env: TOKEN}}
sections:
  - id: main
    steps:
      - id: a
        run: echo {{{{ secrets[{ref}] }}}}
"""


def _write(write_runbook: Callable[..., Path], name: str, ref: str) -> Path:
    return write_runbook(RUNBOOK.format(name=name, ref=ref))


def test_an_empty_name_is_refused(write_runbook: Callable[..., Path]) -> None:
    found = errors(_write(write_runbook, '""', "''"))
    assert [(at(d), d.message) for d in found if "secret name" in d.message] == [
        ((5, 3), "secret name '': expected a name, like prom_token, without control characters")
    ]


def test_a_name_with_an_escape_sequence_is_refused_and_never_printed_raw(write_runbook: Callable[..., Path]) -> None:
    found = errors(_write(write_runbook, '"\\e[31mred"', "'\\x1b[31mred'"))
    named = [d for d in found if "secret name" in d.message]
    assert [(at(d), d.message) for d in named] == [((5, 3), "secret name '\\x1b[31mred': expected a name, like prom_token, without control characters")]
    assert not any("\x1b" in str(d) for d in found)


def test_a_name_with_a_tab_is_refused(write_runbook: Callable[..., Path]) -> None:
    found = errors(_write(write_runbook, '"a\\tb"', "'a\\tb'"))
    assert [at(d) for d in found if "secret name" in d.message] == [(5, 3)]


def test_names_with_a_dash_or_a_space_still_load(write_runbook: Callable[..., Path]) -> None:
    for name in ("a-b", '"a b"'):
        loaded = load(_write(write_runbook, name, repr(name.strip('"'))))
        assert [s.name for s in loaded.runbook.secrets] == [name.strip('"')]
