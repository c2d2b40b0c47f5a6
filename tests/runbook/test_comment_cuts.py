"""A ` #` after a plain scalar starts a YAML comment: `note: Post in #changes that the pool moved` was the note
"Post in", and validate said 0 warnings. A text for people cut so is a warning at the comment's `#`; a quoted or
block text, a comment on its own line, and a shell comment in `run:`/`undo:` are not."""

from __future__ import annotations

import yaml
from helpers_runbook import at, cli_main, diagnostics, load

from runbook_tui.runbook.yaml_values import Builder

RUNBOOK = """\
runbook: 1
id: cut
title: Move the pool #now
ticket:
  id: CHG-1
  subject: "Move the pool #2"
  risk:
    level: low
    mitigations:
      - drain first #always
      - "keep #3"
params:
  pool:
    type: string
    description: Which pool   #  the new one
sections:
  - id: s
    title: Steps # plural
    steps:
      - id: post
        note: Post in #changes that the pool moved
      - id: folded
        note: Tell the team
          in the channel  #ops
      - id: quoted
        note: "Post in #changes"
        title: 'Step #2'
      - id: block
        note: |
          Post in #changes
        confirm: >
          Posted #there?
      # a comment on its own line
      - id: shell
        title: Run it
        run: echo a #b
        undo: echo c   # d
        on: local # the default
"""


def test_a_comment_that_cuts_a_text_for_people_is_a_warning_at_its_hash(write_runbook, capsys):
    path = write_runbook(RUNBOOK)
    loaded = load(path)
    assert loaded.runbook.step("post").body.value == "Post in"  # what YAML makes of it: the warning says so
    warnings = {at(w): w.message for w in loaded.warnings}
    assert warnings == {
        (3, 22): "' #now' is a YAML comment, so the title ends at 'Move the pool'; quote the text (\"…\") to keep it",
        (10, 21): "' #always' is a YAML comment, so this item of mitigations ends at 'drain first'; quote the text (\"…\") to keep it",
        (15, 31): "'   #  the new one' is a YAML comment, so the description ends at 'Which pool'; quote the text (\"…\") to keep it",
        (18, 18): "' # plural' is a YAML comment, so the title ends at 'Steps'; quote the text (\"…\") to keep it",
        (21, 23): "' #changes that the pool moved' is a YAML comment, so the note ends at 'Post in'; quote the text (\"…\") to keep it",
        (24, 27): "'  #ops' is a YAML comment, so the note ends at 'Tell the team in the channel'; quote the text (\"…\") to keep it",
    }
    bom = write_runbook("\ufeff" + RUNBOOK, "bom.yaml")  # a byte order mark is no column (and libyaml counts no index for it)
    assert {at(w) for w in load(bom).warnings} == set(warnings)
    assert cli_main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert f"{path}:21:23: warning: ' #changes that the pool moved' is a YAML comment, so the note ends at 'Post in'" in err
    assert "ok (5 steps, 6 warnings)" in out
    nothing = write_runbook(RUNBOOK.replace("title: Move the pool #now", "title: #1 priority"), "nothing.yaml")
    assert [(at(d), d.severity, d.message) for d in diagnostics(nothing) if d.mark.line == 3] == [
        ((3, 7), "error", "'title': expected a string, got nothing (null)"),
        ((3, 8), "warning", "' #1 priority' is a YAML comment, so the title is empty; quote the text (\"…\") to keep it"),
    ]
    long = write_runbook(RUNBOOK.replace("Move the pool #now", f"{'x' * 5000} #{'y' * 5000}"), "long.yaml")
    [warning] = [w for w in load(long).warnings if w.mark.line == 3]  # a hostile line is quoted in part
    assert warning.message == f"' #{'y' * 37}…' is a YAML comment, so the title ends at '…{'x' * 39}'; quote the text (\"…\") to keep it"


def test_the_pure_python_parser_keeps_the_same_comments():
    """libyaml calls a plain scalar's style '' and PyYAML's own parser None: both are read as plain."""
    text = RUNBOOK
    fast, slow = (Builder("f").run(text, loader)[1] for loader in (yaml.CSafeLoader, yaml.SafeLoader))
    assert fast.cut == slow.cut and fast.cut["title"].col == 22
    shell, slow_shell = (doc["sections"][0]["steps"][4] for doc in (fast, slow))
    assert shell.cut == slow_shell.cut and set(shell.cut) == {"run", "undo", "on"}  # kept, and not warned about
