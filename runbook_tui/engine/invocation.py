"""How to start this program again from the same shell, so a command it prints (`resume J`, `report J`) works as printed."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from runbook_tui.runbook.safe_text import shell_word

NAME = "runbook-tui"


def invocation(argv0: str | None = None) -> str:
    """`runbook-tui` when that name on PATH is this very program; else the way it was started: the script's absolute path
    (`scripts/demo` runs `/repo/.venv/bin/runbook-tui`, which is not on PATH), or `PYTHON -m runbook_tui`. Embedded (a
    test, a script of one's own calling `cli.main`): the documented name."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    started = Path(argv0)
    found = shutil.which(NAME)
    if started.name == "__main__.py" and started.parent.name == "runbook_tui":  # python -m runbook_tui
        ours = Path(sys.executable).with_name(NAME)  # the console script of this interpreter's install
        if found and Path(found).resolve() == ours.resolve():
            return NAME
        return f"{shell_word(sys.executable)} -m runbook_tui"
    if started.name != NAME or (found and Path(found).resolve() == started.resolve()):
        return NAME
    return shell_word(os.path.abspath(argv0))
