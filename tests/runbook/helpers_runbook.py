"""Helpers for the runbook model tests (a plain module: test files import it by this unique name).

The `write_runbook` fixture in conftest.py writes a runbook under tmp_path;
these read back what the loader says about it.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import textwrap
import zipfile
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


def takes_any_path(template: str, path: str = "2026/12/../a b; $(c).tgz") -> None:
    """`template` passes a path going up and holding shell code as itself, in each place it inserts `x`."""
    from runbook_tui.runbook.templating import render_command

    assert [value for _, value in render_command(template, {"x": path}).env] == [path] * template.count("{{ x }}"), template


def held_to_one_name(template: str, plain: str = "prod", hostile: tuple[str, ...] = ("/tmp/upload/evil", "../../tmp/upload/evil")) -> None:
    """`template` holds `x` to one file or folder name: each `hostile` path is refused, the name `plain` passes as itself."""
    import pytest

    from runbook_tui.runbook.templating import TemplateError, render_command

    for value in hostile:
        with pytest.raises(TemplateError, match="expected one file or folder name"):
            render_command(template, {"x": value})
    assert [v for _, v in render_command(template, {"x": plain}).env] == [plain], template


def releases(root: Path, marker: Path) -> None:
    """/srv/releases/1.2.3.{tgz,tar,zip} hold a migrate.sh that prints; /srv/upload.* hold one touching `marker`."""
    for folder in ("releases", "bin", "work", "work/d"):
        (root / folder).mkdir(parents=True)
    for stem, body in (("releases/1.2.3", "echo migrated"), ("upload", f"touch {marker}")):
        script = root / "migrate.sh"
        script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        script.chmod(0o755)
        for suffix, mode in ((".tgz", "w:gz"), (".tar", "w")):
            with tarfile.open(root / f"{stem}{suffix}", mode) as archive:
                archive.add(script, "migrate.sh")
        with zipfile.ZipFile(root / f"{stem}.zip", "w") as archive:
            archive.write(script, "migrate.sh")
        script.unlink()


def ran_uploaded(template: str, srv: Path, marker: Path) -> None:
    """`template` (`{{ x }}` read from the environment, /srv standing for `srv`) run by sh in srv/work with x =
    `../upload` made `marker`: the uploaded program ran."""
    script = template.replace("/srv", str(srv)).replace("{{ x }}", "$V")
    done = subprocess.run(["sh", "-c", script], cwd=srv / "work", env={**os.environ, "V": "../upload"}, capture_output=True, timeout=60)
    assert marker.exists(), (template, done.stderr)


def exec_one(path: Path, value: str, journal: Path) -> int:
    """`runbook-tui exec` of the runbook at `path` with `-p x=VALUE`, solo, journaled to `journal`: its exit code."""
    from runbook_tui.cli import main as cli_main

    return cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(journal)])
