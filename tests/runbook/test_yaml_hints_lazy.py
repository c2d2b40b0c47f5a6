"""The YAML hints load only for a document that is not YAML: a valid runbook loads without them (their module and its
expressions cost every `run`, `exec` and `validate` ~0.5 ms of start-up), and a broken one still gets its hint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LOAD_AND_SAY = """
import sys
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_runbook
try:
    said = str(len(load_runbook(sys.argv[1], {}).runbook.sections))
except RunbookInvalid as invalid:
    said = invalid.diagnostics[0].message
print(said, "|", "runbook_tui.runbook.yaml_hints" in sys.modules)
"""

RUNBOOK = """runbook: 1
id: lazy-hints
title: Hints
sections:
  - id: s
    title: Section
    kind: implement
    steps:
      - id: one
        title: One
        run: echo one
"""


def _load_in_a_fresh_process(path: Path) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", LOAD_AND_SAY, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    said, _, loaded = done.stdout.strip().rpartition(" | ")
    return said, loaded


def test_a_valid_runbook_loads_without_the_yaml_hints(tmp_path: Path) -> None:
    path = tmp_path / "valid.yaml"
    path.write_text(RUNBOOK)
    assert _load_in_a_fresh_process(path) == ("1", "False")


def test_a_tab_in_the_indentation_is_still_said_with_its_hint(tmp_path: Path) -> None:
    path = tmp_path / "tab.yaml"
    path.write_text(RUNBOOK.replace("        run: echo one", "\trun: echo one"))
    said, loaded = _load_in_a_fresh_process(path)
    assert said.startswith("invalid YAML: ") and "tab" in said, said
    assert loaded == "True"
