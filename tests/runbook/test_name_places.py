"""An undefined name is placed at the name itself, in every way a string can be written: a literal block (`|`, whose
text maps 1:1 to the file's lines and columns after the indentation) as in a folded one (`>`), and in a plain or
quoted string of several lines (YAML folds those into one line: the name is found on the file's line where it is
written). On a plain or quoted string's first line the place stays the string's start."""

from __future__ import annotations

from helpers_runbook import at, errors

RUNBOOK = """\
runbook: 1
id: demo
title: Demo
sections:
  - id: main
    steps:
      - id: lit
        run: |
          echo one
            echo two {{ nope1 }}
      - id: fold
        run: >
          echo one
          two {{ nope2 }}
      - id: plain
        run: echo {{ nope3 }}
      - id: dq
        run: "echo \\t{{ nope4 }}"
      - id: sq
        run: 'echo ''a'' {{ nope5 }}'
      - id: plain2
        run: echo one
          two {{ nope6 }}
      - id: dq2
        run: "echo one
          two {{ nope7 }}"
      - id: twice
        run: |
          echo {{ nope8 }} {{ nope8 }}
"""


def test_an_undefined_name_is_placed_at_the_name_in_every_scalar_style(write_runbook):
    """Before: in `|` at the start of the name's line (10:13); in a plain or quoted string of several lines at the
    string's start (22:14, 25:14), a line without the name."""
    found = [(at(d), d.message.split(";")[0]) for d in errors(write_runbook(RUNBOOK))]
    assert found == [
        ((10, 25), "undefined name 'nope1'"),  # a more-indented line of `|` keeps its own indentation
        ((14, 18), "undefined name 'nope2'"),
        ((16, 14), "undefined name 'nope3'"),  # on a string's first line: the string's start, as always
        ((18, 14), "undefined name 'nope4'"),
        ((20, 14), "undefined name 'nope5'"),
        ((23, 18), "undefined name 'nope6'"),
        ((26, 18), "undefined name 'nope7'"),
        ((29, 19), "undefined name 'nope8'"),  # said once, at its first use
    ], found
