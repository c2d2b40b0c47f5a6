"""`first_paint.py --phases`: where a child's time to its first frame goes, as a timeline of marks.

In the child (when `PHASES_ENV` names a file), an import hook times the
import of a few modules and wraps a few functions as they are imported:
the interpreter's start (the script's first line), our CLI's and Textual's
imports, loading the runbook, opening the session, `App.run`, each layout
of the screen and each compositor pass; the marks go to that file at the
marked frame. The parent prints them as milliseconds from the child's
spawn. The wrappers cost a few microseconds a call: read the phases, not
the total (the ratio is `first_paint.py` without `--phases`).
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

PHASES_ENV = "BENCH_FIRST_PAINT_PHASES"

#: Module -> what in it is timed: a function's name, or (class, method). Every module's import is timed too.
TIMED: dict[str, tuple[str | tuple[str, str], ...]] = {
    "runbook_tui.cli": (),
    "runbook_tui.ui.launch": (),
    "textual.app": (("App", "run"),),
    "runbook_tui.runbook.loader": ("probe_runbook",),
    "runbook_tui.app.session": ("open_session",),
    "textual.screen": (("Screen", "_refresh_layout"), ("Screen", "_compositor_refresh")),
}

_marks: list[tuple[str, float]] = []


def mark(name: str) -> None:
    _marks.append((name, time.time()))


def _timed(function: Any, label: str) -> Any:
    @functools.wraps(function)  # Textual counts a handler's parameters through `__wrapped__`
    def timed(*args: Any, **kwargs: Any) -> Any:
        mark(f"{label} >")
        try:
            return function(*args, **kwargs)
        finally:
            mark(f"{label} <")

    return timed


class _TimeImports(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object, target: object = None) -> Any:
        if name not in TIMED:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        assert spec is not None and spec.loader is not None
        loader = spec.loader
        load = loader.exec_module  # bound: another hook's wrapper (`frame_written`), if one set its own

        def exec_module(module: Any) -> None:
            mark(f"import {name} >")
            load(module)
            mark(f"import {name} <")
            for item in TIMED[name]:
                owner, attribute = (getattr(module, item[0]), item[1]) if isinstance(item, tuple) else (module, item)
                setattr(owner, attribute, _timed(getattr(owner, attribute), ".".join(item) if isinstance(item, tuple) else item))

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install(started: float) -> None:
    """In the child, first thing: `started` is the time its script began (after the interpreter's own start)."""
    if os.environ.get(PHASES_ENV):
        _marks.append(("script started", started))
        sys.meta_path.insert(0, _TimeImports())


def write_marks() -> None:
    """In the child, at the marked frame."""
    if where := os.environ.get(PHASES_ENV):
        mark("frame marked")
        Path(where).write_text(json.dumps(_marks))


def timeline(marks_file: Path, spawned: float) -> list[str]:
    """The parent's table: ms from the spawn, ms since the line before, the mark (`>` start, `<` end)."""
    lines, previous = [], spawned
    for name, when in json.loads(marks_file.read_text()):
        lines.append(f"{(when - spawned) * 1000:8.1f} {(when - previous) * 1000:+7.1f}  {name}")
        previous = when
    return lines
