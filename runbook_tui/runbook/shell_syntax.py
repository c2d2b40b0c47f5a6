"""Whether each command of a runbook parses as a shell script: said by `validate` at 5 PM, not by the step at 2 AM.

`run: echo "a` (a quote left open), `if …; then …` without `fi`, `echo $(date` validated, and failed only when
their step ran (`sh: Syntax error: Unterminated quoted string`), an undo during a rollback. Each command is read by
`bash -n` as it would run: values out of band (`"${RBT_V1}"`, see `shell_values`), so no value makes or hides an
error. bash parses a superset of POSIX sh, so what it refuses, `sh` refuses too (dash and bash alike). A command
rendered only when its step runs (`captured.*`, `host.*`, `secrets.*`) is read then, not here. Without bash on this
machine nothing is said.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

from runbook_tui.runbook.diagnostics import Diagnostic
from runbook_tui.runbook.model import Runbook, Text
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.runbook.templating import TemplateError, command_text, context_for

#: One command's read: `bash -n` of a runbook's command takes milliseconds; a bound all the same.
SECONDS = 5.0

#: How many `bash -n` run at once.
READERS = 8


def syntax_warnings(runbook: Runbook) -> list[Diagnostic]:
    """A warning at each `run:` / `undo:` that `bash -n` refuses (exec would still run it: the step would fail)."""
    bash = shutil.which("bash")
    if bash is None:
        return []
    context = context_for(runbook)
    commands = [
        (key, text, command)
        for step in runbook.steps
        for key, text in (("run", step.body if step.kind == "run" else None), ("undo", step.undo))
        if text is not None and text.value is not None and (command := _as_run(text, context)) is not None
    ]
    # Rendered one by one above; a `bash` start is most of each read (~3 ms): several at once (a 300-step runbook with
    # undos took 1.7 s one by one).
    with ThreadPoolExecutor(max_workers=READERS) as readers:
        said = list(readers.map(lambda entry: _refused(bash, entry[2]), commands))
    return [
        Diagnostic(text.mark, f"'{key}' is no shell command sh can run: bash -n says {words}; it would fail when its step runs", "warning")
        for (key, text, _), words in zip(commands, said, strict=True)
        if words is not None
    ]


def _as_run(text: Text, context: dict[str, object]) -> str | None:
    try:
        return command_text(text, context).text
    except TemplateError:
        return None  # said by the loader already


def _refused(bash: str, command: str) -> str | None:
    try:
        read = subprocess.run(
            [bash, "--norc", "--noprofile", "-n", "-c", command], capture_output=True, timeout=SECONDS, env={"LC_ALL": "C", "PATH": os.defpath}, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if read.returncode == 0:
        return None
    lines = read.stderr.decode("utf-8", "replace").strip().splitlines()
    said = "; ".join(line.removeprefix(f"{bash}: ").removeprefix("bash: ").removeprefix("-c: ") for line in lines[:2]) or f"exit {read.returncode}"
    return visible_line(said)
