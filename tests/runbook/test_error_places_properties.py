"""A string written after an anchor or a tag (`run: &restart |`, `undo: !!str "…"`) is placed where its own text is.

YAML lets a value carry properties before it: an anchor (`&name`, which `*name` repeats) and a tag (`!!str`). The
parser's place of such a value is its first property, so an error inside the text was reported as if the `&` were
where the text starts: inside a block scalar on the header line (`run: &restart |`) instead of the block's line, and
in a quoted or plain string at a column shifted by the properties' width.
"""

from __future__ import annotations

from helpers_runbook import at, errors

RUNBOOK = """\
runbook: 1
id: demo
title: Demo
params:
  svc: {type: string, default: web}
sections:
  - id: main
    steps:
      - id: lit
        run: &restart |
          echo one
          echo é {{ nope1 }}
      - id: fold
        run: !!str >
          echo one
          échoé {{ nope2 }}
      - id: dq
        run: &dq "echo \\té '{{ svc }}'"
      - id: sq
        run: !!str &sq 'echo é ''{{ svc }}'''
      - id: plain
        run: &pl echo é '{{ svc }}'
      - id: after
        run: &nl
          |
          echo one
          echo '{{ svc }}'
      - id: flow
        run: "true"
        env: {A: &e "é {{ nope3 }}"}
"""


def test_an_error_in_a_string_with_an_anchor_or_tag_is_placed_in_its_own_text(write_runbook):
    path = write_runbook(RUNBOOK)
    found = [(at(d), d.message.split(";")[0]) for d in errors(path)]
    quoted = "a value inside '...' is not expanded by the shell, so it cannot be passed safely"
    assert found == [
        ((12, 21), "undefined name 'nope1'"),  # the block's line, at the name: `|` maps 1:1 (before: 10:14, the `&`)
        ((16, 20), "undefined name 'nope2'"),  # at the name, as in a folded block without a tag (before: 14:14, the `!!str`)
        ((18, 29), quoted),  # at `{{` (before: 18:23, the `\\t`)
        ((20, 34), quoted),  # (before: 20:22)
        ((22, 26), quoted),  # (before: 22:22)
        ((27, 17), quoted),  # the indicator on its own line under its anchor (before: 24:14)
        ((30, 21), "undefined name 'nope3'"),  # a flow mapping's value: the string's quote (before: 30:18, the `&`)
    ], found
