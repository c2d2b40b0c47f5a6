"""Helpers for the runbook model tests (a plain module: test files import it by this unique name).

The `write_runbook` fixture in conftest.py writes a runbook under tmp_path;
these read back what the loader says about it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.runbook.diagnostics import Diagnostic, RunbookInvalid
from runbook_tui.runbook.loader import Loaded, load_runbook

#: The smallest valid runbook (9 lines once written; the step's keys are at column 9).
MINIMAL = """\
runbook: 1
id: demo
title: Demo
sections:
  - id: main
    steps:
      - id: hello
        run: echo hello
"""


def dedent(text: str) -> str:
    """Dedent and drop the leading newline, so line 1 of the file is the first line written."""
    return textwrap.dedent(text).lstrip("\n")


def load(path: Path, params: Mapping[str, Any] | None = None) -> Loaded:
    return load_runbook(path, params)


def diagnostics(path: Path, params: Mapping[str, Any] | None = None) -> list[Diagnostic]:
    """Every diagnostic of a runbook that must fail validation (fails the test if it loads)."""
    with pytest.raises(RunbookInvalid) as info:
        load_runbook(path, params)
    return info.value.diagnostics


def errors(path: Path, params: Mapping[str, Any] | None = None) -> list[Diagnostic]:
    return [d for d in diagnostics(path, params) if d.severity == "error"]


def only_error(path: Path, params: Mapping[str, Any] | None = None) -> Diagnostic:
    """The single error of a runbook that has exactly one problem."""
    found = errors(path, params)
    assert len(found) == 1, "expected exactly one error, got:\n" + "\n".join(map(str, found))
    return found[0]


def at(diag: Diagnostic) -> tuple[int, int]:
    """(line, column) of a diagnostic."""
    return (diag.mark.line, diag.mark.col)


def cli_main(argv: list[str]) -> int:
    """`runbook_tui.cli.main(argv)`, imported when called, so a broken CLI fails only the CLI tests."""
    from runbook_tui import cli

    return cli.main(argv)


def refused_unless_plain(template: str, hostile: list[str], plain: str, match: str) -> None:
    """`template` refuses each hostile value for `x` (the message matching `match`) and passes `plain` as itself."""
    from runbook_tui.runbook.templating import TemplateError, render_command

    for value in hostile:
        with pytest.raises(TemplateError, match=match):
            render_command(template, {"x": value})
    assert [value for _, value in render_command(template, {"x": plain}).env] == [plain]


#: Values a file run later (a cron line, a shell's rc file) would run as code.
RUN_LATER_CODE = ["a; touch /tmp/pwned", "$(touch /tmp/pwned)"]


def refused_as_code_to_a_file_run_later(template: str) -> None:
    """`template` writes `x` where it runs later: code is refused, a plain word passes as itself."""
    refused_unless_plain(template, RUN_LATER_CODE, "prod-eu.1", r"is code to")


def takes_any_value(template: str) -> None:
    """`template` passes a value holding shell code as itself (it writes nowhere that runs)."""
    from runbook_tui.runbook.templating import render_command

    assert [value for _, value in render_command(template, {"x": "a; b $(c)"}).env] == ["a; b $(c)"], template


def held_to_one_name(template: str, plain: str = "prod", hostile: tuple[str, ...] = ("/tmp/upload/evil", "../../tmp/upload/evil")) -> None:
    """`template` holds `x` to one file or folder name: each `hostile` path is refused, the name `plain` passes as itself."""
    import pytest

    from runbook_tui.runbook.templating import TemplateError, render_command

    for value in hostile:
        with pytest.raises(TemplateError, match="expected one file or folder name"):
            render_command(template, {"x": value})
    assert [v for _, v in render_command(template, {"x": plain}).env] == [plain], template
