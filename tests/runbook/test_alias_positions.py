"""An error about a value an alias (`*name`) puts somewhere is reported where the alias stands, not at its anchor.

Before: a section written once with `&s` and used again as `- *s` was refused as
`5:5: duplicate section id 's' (first at line 5)`, the same place twice, so the author could not see which entry
was the second; `timeout: *t` on another step named the anchor's line only.
"""

from __future__ import annotations

from helpers_runbook import at, errors, load


def test_a_section_used_again_through_an_alias_is_a_duplicate_where_the_alias_stands(write_runbook) -> None:
    path = write_runbook(
        """
        runbook: 1
        id: t
        title: T
        sections:
          - &s {id: s, title: S, kind: precheck, steps: [{id: a, title: x, run: echo}]}
          - *s
        """
    )
    duplicate = next(e for e in errors(path) if "duplicate section id" in e.message)
    assert at(duplicate) == (6, 5), str(duplicate)
    assert "(first at line 5)" in duplicate.message


def _timeout_through_an_alias(timeout: str) -> str:
    """Two steps, the first's timeout anchored as `&t`, the second's `*t`."""
    return f"""
        runbook: 1
        id: t
        title: T
        sections:
          - id: s
            title: S
            kind: precheck
            steps:
              - {{id: a, title: x, run: echo, timeout: &t {timeout}}}
              - {{id: b, title: y, run: echo, timeout: *t}}
        """


def test_a_value_refused_through_an_alias_is_reported_at_the_alias_too(write_runbook) -> None:
    path = write_runbook(_timeout_through_an_alias("30x"))
    places = sorted(at(e) for e in errors(path) if "'timeout'" in e.message)
    assert places == [(9, 47), (10, 47)], places


def test_an_alias_that_fits_where_it_stands_is_no_error(write_runbook) -> None:
    steps = load(write_runbook(_timeout_through_an_alias("30s"))).runbook.sections[0].steps
    assert [step.timeout_seconds for step in steps] == [30.0, 30.0]
