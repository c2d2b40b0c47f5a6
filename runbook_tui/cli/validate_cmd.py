"""`validate`: check runbook files and folders, with or without parameter values.

Output is `FILE:LINE:COL: message` (errors and warnings on stderr, the
verdict and the checks skipped for want of values on stdout), or GitHub
Actions annotations with `--format github`, all on stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from runbook_tui.runbook.diagnostics import Diagnostic
from runbook_tui.runbook.folders import SUFFIXES, runbooks_in
from runbook_tui.runbook.loader import probe_runbook
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.runbook.symbolic import Validation, validate

EXIT_OK, EXIT_INVALID = 0, 2


def runbook_files(paths: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """Files to check: each FILE as given, each folder's runbooks as the picker lists them (`runbooks_in`) and every
    other `*.yaml` there that is no folder (a FIFO, a socket, a device: the loader names it, never opening it to
    read), each file once (as the picker: by where it resolves); and the problems."""
    files: dict[Path, str] = {}
    problems: list[Diagnostic] = []
    for path in paths:
        folder = Path(path)
        found = sorted({*runbooks_in(folder), *_not_regular_in(folder)}) if folder.is_dir() else [folder]
        if folder.is_dir() and not found:
            expected = "*.yaml or *.yml files in this folder or a folder under it (hidden folders are not searched)"
            problems.append(Diagnostic(Mark(_no_command(path), 1, 1), f"no runbooks here; expected {expected}"))
        for file in found:
            files.setdefault(file.parent.resolve() / file.name, _no_command(path if file is folder else str(file)))
    return list(files.values()), problems


def _not_regular_in(folder: Path) -> list[Path]:
    """The `*.yaml` / `*.yml` under `folder` (as `runbooks_in`: none under a hidden folder) that are neither a regular
    file nor a folder: the picker cannot offer them, and `validate DIR` skipping them unsaid hid them."""
    return [
        p
        for p in folder.rglob("*")
        if p.suffix in SUFFIXES and p.exists() and not (p.is_file() or p.is_dir()) and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]


def _no_command(path: str) -> str:
    """`./NAME` for a NAME that starts with `:`: first on a line (`NAME: ok`, `NAME:3:1: ...`), `::stop-commands::x.yaml`
    is a command to GitHub Actions, which obeys any log line starting with `::` (it stopped reading the annotations)."""
    return f"./{path}" if path.startswith(":") else path


def _escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped so it stays one command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(level: str, diagnostic: Diagnostic) -> str:
    """`::error file=F,line=L,col=C::message` (level: error, warning or notice)."""
    mark = diagnostic.mark
    where = f"file={_escape_property(visible_line(mark.file))},line={mark.line},col={mark.col}"
    return f"::{level} {where}::{_escape_data(visible_line(diagnostic.message))}"


def _plain(diagnostic: Diagnostic, label: str = "") -> str:
    return visible_line(f"{diagnostic.mark}: {label}{diagnostic.message}" if label else str(diagnostic))


def report(result: Validation, style: str, out: TextIO, err: TextIO) -> None:
    """One file's findings, in the chosen style."""
    name = visible_line(result.file)
    if style == "github":
        for diagnostic in result.errors:
            print(github_annotation("error", diagnostic), file=out)
        for diagnostic in result.warnings:
            print(github_annotation("warning", diagnostic), file=out)
        for diagnostic in result.skipped:
            print(github_annotation("notice", diagnostic), file=out)
    else:
        for diagnostic in result.errors + result.warnings:
            print(_plain(diagnostic), file=err)
    if not result.ok:
        if style == "github":  # as text, the FILE:LINE:COL lines on stderr say it
            count = len(result.errors)
            print(f"{name}: invalid ({count} error{'s' if count != 1 else ''})", file=out)
        elif result.skipped:  # what else waits for a value, said with the errors: not one surprise after each fix
            print(f"{name}: invalid; checked without values for {', '.join(result.stand_ins)}", file=out)
            _skipped(result, out)
        return
    steps = result.steps
    how = f" without values for {', '.join(result.stand_ins)}" if result.stand_ins else ""
    count = len(result.skipped)
    skipped = f"; {count} check{' needs a value and was' if count == 1 else 's need values and were'} skipped" if count else ""
    warnings = len(result.warnings)
    print(f"{name}: ok{how} ({steps} step{'' if steps == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}){skipped}", file=out)
    if style != "github":
        _skipped(result, out)


def _skipped(result: Validation, out: TextIO) -> None:
    for diagnostic in result.skipped:
        print("  " + _plain(diagnostic, "skipped: "), file=out)


def cmd_validate(paths: list[str], params: dict[str, Any], style: str = "text") -> int:
    files, problems = runbook_files(paths)
    for found in problems:
        print(github_annotation("error", found) if style == "github" else _plain(found), file=sys.stdout if style == "github" else sys.stderr)
    invalid = len(problems)
    # With several files, a -p meant for one of them is not an error for the others; one none of them declares is.
    declared = {file: {p.name for p in probe_runbook(file, {}).params} for file in files} if params and len(files) > 1 else {}
    for file in files:
        own = {k: v for k, v in params.items() if k in declared[file]} if declared else params
        result = validate(file, own)
        report(result, style, sys.stdout, sys.stderr)
        invalid += not result.ok
    for problem in _declared_by_none(params, declared):
        print(f"::error::{_escape_data(problem)}" if style == "github" else f"runbook-tui: {problem}", file=sys.stdout if style == "github" else sys.stderr)
        invalid += 1
    return EXIT_INVALID if invalid else EXIT_OK


def _declared_by_none(params: dict[str, Any], declared: dict[str, set[str]]) -> list[str]:
    """A problem for each -p that none of several runbooks declares (a typo: with one runbook it is its error)."""
    every = sorted(set().union(*declared.values())) if declared else []
    problems = []
    for name in (n for n in params if declared and n not in every):
        import difflib  # only for a name that is wrong

        close = difflib.get_close_matches(name, every, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        listed = ", ".join(every) or "(none declared)"
        problems.append(visible_line(f"-p {name}: none of the {len(declared)} runbooks declares a parameter '{name}'; expected one of: {listed}{hint}"))
    return problems
