"""Jinja loads only for a template that is not simple: `run` of a runbook of `{{ name }}` strings starts without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from runbook_tui.runbook import templating
from runbook_tui.runbook.template_jinja import ENVIRONMENTS

LOAD_AND_SAY = """
import sys
from runbook_tui.runbook.loader import load_runbook
loaded = load_runbook(sys.argv[1], {})
print(len(loaded.runbook.sections), "jinja2" in sys.modules)
"""

RUNBOOK = """runbook: 1
id: lazy-jinja
title: "Config change on {{ cluster }}"
params:
  cluster: {type: choice, choices: [a, b], default: a}
sections:
  - id: s
    title: Section
    kind: implement
    steps:
      - id: one
        title: "Adjust {{ cluster }}"
        run: echo {{ cluster }} >> marks
        undo: echo undo {{ params.cluster }} >> marks
"""


def _load_in_a_fresh_process(path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", LOAD_AND_SAY, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_simple_path_knows_every_global_jinja_has() -> None:
    """`split` leaves a name Jinja defines to Jinja; the list kept without importing it must be Jinja's own."""
    for environment in ENVIRONMENTS.values():
        assert frozenset(environment.globals) == templating.GLOBALS


def test_a_runbook_of_simple_templates_loads_without_jinja(tmp_path: Path) -> None:
    path = tmp_path / "simple.yaml"
    path.write_text(RUNBOOK)
    assert _load_in_a_fresh_process(path) == "1 False"


def test_a_template_with_a_filter_still_renders_by_jinja(tmp_path: Path) -> None:
    path = tmp_path / "filter.yaml"
    path.write_text(RUNBOOK.replace('title: "Adjust {{ cluster }}"', 'title: "Adjust {{ cluster | upper }}"'))
    assert _load_in_a_fresh_process(path) == "1 True"
    assert templating.render("Adjust {{ cluster | upper }}", "plain", {"cluster": "a"}) == "Adjust A"
