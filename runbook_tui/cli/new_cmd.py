"""`runbook-tui new FILE`: start a runbook from the kind of change, instead of copying an example.

The file is created, never overwritten, with mode 0644: a runbook holds no
secret (those come from the environment or the keyring) and is meant to be
reviewed and committed.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
import tempfile
from pathlib import Path

from runbook_tui.engine.disk_words import said
from runbook_tui.runbook.folders import SUFFIXES
from runbook_tui.runbook.placeholders import SAID
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.runbook.scaffold import KINDS, Kind, runbook_id, scaffold
from runbook_tui.runbook.symbolic import validate

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
FILE_MODE = 0o644
SCHEMA_FILE = "runbook.schema.json"


#: How many answers the kind prompt takes before it gives up (each wrong one says why and asks again).
TRIES = 3


class NoKind(Exception):
    """No kind was chosen at the prompt: the message for stderr and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _names() -> str:
    """The kinds' names (`--kind`'s words), on a line of their own: 78 columns, one line at 80."""
    return ", ".join(KINDS)


def _kind_of(answer: str) -> Kind | None:
    """The kind an answer names: its number in the list, its name (`rolling-restart`) or its words as listed (`rolling restart`)."""
    names = list(KINDS)
    if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(names):
        return KINDS[names[int(answer) - 1]]
    wanted = " ".join(answer.lower().replace("-", " ").split())
    return next((kind for kind in KINDS.values() if wanted in (kind.name.replace("-", " "), kind.label.lower())), None)


def _ask_kind() -> Kind:
    """Ask for the kind in the terminal; a wrong answer says why and the choices, and asks again, up to TRIES answers.
    Raises NoKind: exit 2 after TRIES wrong answers, 1 at end of input (ctrl-d) or ctrl-c (before: a wrong answer, an
    empty one, ctrl-d and ctrl-c alike ended the command at once with exit 2, saying a number was expected)."""
    names = list(KINDS)
    print("What kind of change?")
    for number, name in enumerate(names, 1):
        print(f"  {number}. {KINDS[name].label}")
    wrong = ""
    for attempt in range(1, TRIES + 1):
        try:
            answer = input(f"kind (1-{len(names)}): ").strip()
        except EOFError:
            print()
            raise NoKind("runbook-tui: new: no kind chosen (end of input); nothing was written", EXIT_FAILED) from None
        except KeyboardInterrupt:
            print()
            raise NoKind("runbook-tui: new: interrupted; nothing was written", EXIT_FAILED) from None
        kind = _kind_of(answer)
        if kind is not None:
            return kind
        wrong = f"'{visible_line(answer[:60])}{'…' if len(answer) > 60 else ''}' is not a kind" if answer else "no kind given"
        if attempt < TRIES:
            left = TRIES - attempt
            tries = f"{left} {'try' if left == 1 else 'tries'} left"
            print(f"{wrong} ({tries}): answer a number from 1 to {len(names)} or one of\n{_names()}", file=sys.stderr, flush=True)
    raise NoKind(
        f"runbook-tui: new: no kind chosen after {TRIES} tries (the last: {wrong})\nnothing was written; run it again, or give --kind, one of\n{_names()}",
        EXIT_INVALID,
    )


def write_new(path: Path, text: str) -> None:
    """Create `path` with FILE_MODE at open; FileExistsError when something is there already."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:  # a full disk: the half-made file (ours: O_EXCL) would be refused by the next `new` as existing
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def _title_problems(name: str, text: str) -> list[str]:
    """What `validate` refuses in the runbook `text` (only `--title` can make one of ours invalid), checked in a folder of
    its own before anything is written: the runbook `new` writes validates as written (issue 22)."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / name
        probe.write_text(text, encoding="utf-8")
        return [diagnostic.message for diagnostic in validate(probe).errors]


def cmd_new(file: str, kind_name: str | None, title: str | None) -> int:
    path = Path(file)
    shown = visible_line(file)
    if path.suffix not in SUFFIXES:  # `change.ymal`: a runbook `validate DIR` and the picker would never list
        print(
            f"runbook-tui: new: {shown}: expected a file name ending in .yaml or .yml (a runbook is a YAML file; validate DIR and the picker look for those)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    if path.exists() or path.is_symlink():
        print(f"runbook-tui: {shown} exists; not overwriting it (choose another name)", file=sys.stderr)
        return EXIT_INVALID
    if kind_name is not None:
        kind = KINDS[kind_name]
    elif sys.stdin.isatty():
        try:
            kind = _ask_kind()
        except NoKind as exc:
            print(exc, file=sys.stderr)
            return exc.code
    else:
        print(f"runbook-tui: new: give the kind of change with --kind ({', '.join(KINDS)})", file=sys.stderr)
        return EXIT_INVALID
    schema = SCHEMA_FILE if (path.parent / SCHEMA_FILE).is_file() else None
    text = scaffold(kind, runbook_id(path.stem), title, schema)
    if title is not None and (wrong := _title_problems(path.name, text)):
        for message in wrong:
            print(visible_line(f"runbook-tui: new: --title {title!r}: {message}"), file=sys.stderr)
        print("runbook-tui: new: nothing was written (the title is a template of the kind's parameters)", file=sys.stderr)
        return EXIT_INVALID
    try:
        write_new(path, text)
    except FileExistsError:
        print(f"runbook-tui: {shown} exists; not overwriting it (choose another name)", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        folder = path.parent
        why = (
            f"the folder {visible_line(str(folder))} does not exist (mkdir -p {shlex.quote(visible_line(str(folder)))})"
            if not folder.exists()
            else exc.strerror
        )
        print(visible_line(said(f"runbook-tui: cannot write {file}: {why}", exc.errno if folder.exists() else None, path, "create")), file=sys.stderr)
        return EXIT_INVALID
    result = validate(path)
    # The placeholders are the author's to-do, not a fault of `new`: the file validates as written (issue 22), with a
    # warning at each, and run, exec and approve refuse it until each is filled in (before session 22: it ran with
    # ticket CHG-0000 by "EDIT-assignee"; in session 22, validate refused it too).
    to_fill = [p for p in result.warnings if p.message.startswith(SAID)]
    for problem in result.errors:
        print(visible_line(str(problem)), file=sys.stderr)
    print(f"wrote {shown}: a {kind.label} with prechecks, a backup checkpoint, the change with undo, verification, postchecks and rollback")
    if to_fill:
        print(f"to fill in ({len(to_fill)}; it validates, and run, exec and approve refuse it until then):")
        for problem in to_fill:
            what = problem.message.removeprefix(f"{SAID} in ")
            print(f"  {visible_line(f'{problem.mark}: {what}')}")
    word = shlex.quote(shown)
    # plan needs every required value (validate stands in for them): the command named here must work as printed.
    values = "".join(f" -p {name}=VALUE" for name in result.stand_ins)
    print(f"next: fill in every EDIT, then `runbook-tui validate {word}` and `runbook-tui plan --format md {word}{values}` for review")
    return EXIT_OK if not result.errors else EXIT_FAILED
