"""One person, however the spaces inside the name or the letters' width are typed: the two-person rule compares so.

Before: `person_key` folded case, the ends' spaces and invisible characters, but not the spaces inside a name:
`assignee: alice smith` with `verifier: "alice  smith"` (two spaces), `"alice\\u00a0smith"` (a no-break space) or
`alice smith` in full-width letters validated, and a participant so named was taken for another person than the
assignee, although the error's own words say names that "differ only in case, spaces or invisible characters" are one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, only_error

from runbook_tui.runbook.loader import person_key

RUNBOOK = """\
runbook: 1
id: demo
title: Demo
ticket:
  id: CHG-1
  assignee: alice smith
  verifier: %s
sections:
  - id: main
    steps:
      - id: a
        run: echo 1
"""


@pytest.mark.parametrize(
    "written", ['"alice  smith"', '"alice\\u00a0smith"', '"alice\\tsmith"', '"\\uff41\\uff4c\\uff49\\uff43\\uff45 smith"', '"Alice \\u2003Smith"']
)
def test_a_verifier_spaced_otherwise_is_the_assignee(write_runbook: Callable[..., Path], written: str) -> None:
    err = only_error(write_runbook(RUNBOOK % written))
    assert at(err) == (7, 13)
    assert "is the assignee 'alice smith' (the names differ only in case, spaces or invisible characters)" in err.message


def test_names_that_differ_by_more_than_spacing_stay_two_people() -> None:
    assert person_key("alice smith") != person_key("alicesmith")
    assert person_key("alice smith") != person_key("alice smyth")
    assert person_key(" Alice\u200b  SMITH ") == person_key("alice smith")
