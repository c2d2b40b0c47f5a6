"""The loader pauses Python's cyclic garbage collector while it builds (bench/load.py: a third of a cold load) and
always puts it back as it was: a program left without its collector would grow on every reference cycle."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_runbook

VALID = """\
runbook: 1
id: gc
title: GC
sections:
  - id: s
    steps:
      - {id: a, title: A, run: "true"}
"""
INVALID = VALID.replace("run:", "rnu:")


@pytest.fixture
def collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_restored")
@pytest.mark.parametrize("text", [VALID, INVALID], ids=["loaded", "refused"])
@pytest.mark.parametrize("enabled", [True, False], ids=["collector-on", "collector-off"])
def test_the_collector_is_as_it_was_after_a_load_however_it_ends(tmp_path: Path, text: str, enabled: bool) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(text, encoding="utf-8")
    (gc.enable if enabled else gc.disable)()
    if text is INVALID:
        with pytest.raises(RunbookInvalid, match="rnu"):
            load_runbook(path)
    else:
        assert load_runbook(path).runbook.steps[0].id == "a"
    assert gc.isenabled() is enabled
