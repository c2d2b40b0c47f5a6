"""`runbook-tui new FILE`: start a runbook from the kind of change, instead of copying an example.

The file is created, never overwritten, with mode 0644: a runbook holds no
secret (those come from the environment or the keyring) and is meant to be
reviewed and committed.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.runbook.scaffold import KINDS, Kind, runbook_id, scaffold
from runbook_tui.runbook.symbolic import validate

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
FILE_MODE = 0o644
SCHEMA_FILE = "runbook.schema.json"


def _ask_kind() -> Kind | None:
    names = list(KINDS)
    print("What kind of change?")
    for number, name in enumerate(names, 1):
        print(f"  {number}. {KINDS[name].label}")
    try:
        answer = input(f"kind (1-{len(names)}): ").strip()
    except (EOFError, KeyboardInterrupt):
        print()
        return None
    if answer.isdigit() and 1 <= int(answer) <= len(names):
        return KINDS[names[int(answer) - 1]]
    return KINDS.get(answer)


def write_new(path: Path, text: str) -> None:
    """Create `path` with FILE_MODE at open; FileExistsError when something is there already."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def cmd_new(file: str, kind_name: str | None, title: str | None) -> int:
    path = Path(file)
    shown = visible_line(file)
    if path.exists() or path.is_symlink():
        print(f"runbook-tui: {shown} exists; not overwriting it (choose another name)", file=sys.stderr)
        return EXIT_INVALID
    if kind_name is not None:
        kind = KINDS[kind_name]
    elif sys.stdin.isatty():
        chosen = _ask_kind()
        if chosen is None:
            print(f"runbook-tui: expected a number from 1 to {len(KINDS)} or one of: {', '.join(KINDS)}", file=sys.stderr)
            return EXIT_INVALID
        kind = chosen
    else:
        print(f"runbook-tui: new: give the kind of change with --kind ({', '.join(KINDS)})", file=sys.stderr)
        return EXIT_INVALID
    schema = SCHEMA_FILE if (path.parent / SCHEMA_FILE).is_file() else None
    text = scaffold(kind, runbook_id(path.stem), title, schema)
    try:
        write_new(path, text)
    except FileExistsError:
        print(f"runbook-tui: {shown} exists; not overwriting it (choose another name)", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        folder = path.parent
        why = (
            f"the folder {visible_line(str(folder))} does not exist (mkdir -p {shlex.quote(visible_line(str(folder)))})"
            if not folder.is_dir()
            else exc.strerror
        )
        print(f"runbook-tui: cannot write {shown}: {why}", file=sys.stderr)
        return EXIT_INVALID
    result = validate(path)
    for problem in result.errors:
        print(visible_line(str(problem)), file=sys.stderr)
    print(f"wrote {shown}: a {kind.label} with prechecks, a backup checkpoint, the change with undo, verification, postchecks and rollback")
    word = shlex.quote(shown)
    # plan needs every required value (validate stands in for them): the command named here must work as printed.
    values = "".join(f" -p {name}=VALUE" for name in result.stand_ins)
    print(f"next: fill in every EDIT, then `runbook-tui validate {word}` and `runbook-tui plan --format md {word}{values}` for review")
    return EXIT_OK if result.ok else EXIT_FAILED
