"""A pattern (`expect.stdout`, a parameter's `pattern`) is checked at validate by the engine that searches with it.

Values and output are searched with the `regex` module (bounded time: runbook/bounded_search.py); validate compiled
the pattern with Python's `re`, which reads `[[:digit:]]` as a set of characters and only warns. So a POSIX class
misspelt, `[[:digits:]]`, passed validate and failed the step at run time (`unknown property`), and each such
pattern printed Python's `FutureWarning: Possible nested set at position 1` with the program's own source line on
stderr. Now validate says what the search would say, at the pattern's FILE:LINE:COL, and prints nothing else.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers_runbook import at, cli_main, errors, load, only_error


def _runbook(stdout: str, pattern: str = "^[a-z]+$") -> str:
    return f"""
        runbook: 1
        id: demo
        title: Demo
        params:
          name: {{type: string, default: abc, pattern: '{pattern}'}}
        sections:
          - id: main
            steps:
              - id: one
                run: echo {{{{ name }}}}
                expect: {{stdout: '{stdout}'}}
        """


@pytest.mark.parametrize(
    ("stdout", "pattern", "place"),
    [("[[:digits:]]", "^[a-z]+$", (11, 26)), ("ok", "^[[:alpha:]]+[[:digts:]]*$", (5, 47))],
    ids=["expect.stdout", "pattern"],
)
def test_a_misspelt_posix_class_is_an_error_at_validate(write_runbook, stdout: str, pattern: str, place: tuple[int, int], capsys) -> None:
    path = write_runbook(_runbook(stdout, pattern))
    error = only_error(path)
    assert at(error) == place, str(error)
    assert "expected a regular expression: unknown property" in error.message
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Warning" not in err and ".py:" not in err, err


def test_a_posix_class_validates_quietly_and_matches_as_it_reads(write_runbook) -> None:
    path = write_runbook(_runbook("^[[:digit:]]+$", "^[[:alpha:]]+$"))
    said = subprocess.run([sys.executable, "-m", "runbook_tui", "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert said.returncode == 0, said.stderr
    assert said.stderr == "", "before: `…/load_steps.py:306: FutureWarning: Possible nested set at position 1` and the source line"
    assert dict(load(path, {"name": "abc"}).runbook.param_values)["name"] == "abc"
    with pytest.raises(Exception, match="does not match the pattern"):
        load(path, {"name": "ab:"})  # `re` read [[:alpha:]] as the set `[:alph` then `]`: a colon matched


DEFERRED = """
runbook: 1
id: demo
title: Demo
secrets:
  tok: {env: RBT_TOK}
hosts:
  web: [{name: w1, address: 127.0.0.1}]
sections:
  - id: main
    steps:
      - {id: one, run: "true", expect: {stdout: '^{{ secrets.tok }}($'}}
      - {id: two, run: "true", on: web, expect: {stdout: '^{{ host.name }}[a-'}}
      - {id: fine, run: "true", on: web, expect: {stdout: '^{{ host.name }}: {{ secrets.tok }}( ok)?$'}}
      - {id: raw, run: "true", expect: {stdout: '^{{ secrets.tok | raw }}$'}}
"""


def test_a_pattern_broken_by_its_own_text_around_a_later_value_is_an_error_at_validate(write_runbook) -> None:
    """`^{{ secrets.tok }}($` cannot compile whatever the secret is (a value is escaped: one literal run), but it is
    rendered only when its step runs: validate said ok and the step failed at 2 AM, saying where the pattern broke.
    Now validate reads the written text with each value as one literal character, at the pattern's FILE:LINE:COL,
    without any secret; a value inserted with `| raw` is the step's to judge."""
    found = {at(e): e.message for e in errors(write_runbook(DEFERRED))}
    assert sorted(found) == [(11, 49), (12, 58)], found  # steps one and two; not fine, not raw
    assert all(m.startswith("'stdout': expected a regular expression") and "each value read as one character" in m for m in found.values()), found
