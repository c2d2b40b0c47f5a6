"""`validate DIR` says what it found in the folder: a `*.yaml` it cannot read is an error naming it, an empty folder
an error in the `FILE:LINE:COL: ... expected ...` form, never a silent skip or an exit 0."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_runbook import cli_main

GOOD = """\
runbook: 1
id: demo
title: Say hello
sections:
  - id: main
    steps:
      - id: hello
        run: echo hello
"""
CLI = [sys.executable, "-m", "runbook_tui"]


def _validate(*argv: str) -> subprocess.CompletedProcess[str]:
    """The real command; a FIFO opened for reading would block it, and the timeout would fail the test."""
    return subprocess.run([*CLI, "validate", *argv], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("style", ["text", "github"])
def test_a_fifo_named_yaml_in_a_folder_is_an_error_naming_it(tmp_path: Path, style: str) -> None:
    """Before: `validate DIR` with a good runbook and a FIFO `p.yml` said `ok`, exit 0: the FIFO was skipped unsaid."""
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "p.yml")
    done = _validate("--format", style, str(tmp_path))
    assert done.returncode == 2, done
    fifo = tmp_path / "sub" / "p.yml"
    if style == "github":
        assert f"::error file={fifo},line=1,col=1::cannot read the file: expected a regular file, got a FIFO" in done.stdout, done.stdout
    else:
        assert done.stderr == f"{fifo}:1:1: cannot read the file: expected a regular file, got a FIFO\n", done.stderr
    assert f"{tmp_path / 'good.yaml'}: ok" in done.stdout


def test_a_socket_named_yaml_with_a_parameter_for_several_runbooks(tmp_path: Path) -> None:
    """With -p and several files each is probed for its parameters first: a socket is named there too, without waiting
    (before: the OS's words, `No such device or address`, from trying to open it)."""
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "other.yaml").write_text(GOOD, encoding="utf-8")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "s.yaml"))
        done = _validate(str(tmp_path), "-p", "x=1")
    assert done.returncode == 2, done
    assert f"{tmp_path / 's.yaml'}:1:1: cannot read the file: expected a regular file, got a socket\n" in done.stderr, done.stderr


def test_an_empty_folder_is_an_error_at_file_line_col(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `DIR: no runbooks here (expected ...)`, not the `FILE:LINE:COL: message` form every other error has."""
    assert cli_main(["validate", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"{tmp_path}:1:1: no runbooks here; expected *.yaml or *.yml files in this folder or a folder under it (hidden folders are not searched)\n"
    assert cli_main(["validate", "--format", "github", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(f"::error file={tmp_path},line=1,col=1::no runbooks here; expected *.yaml"), out


@pytest.mark.parametrize("command", [["validate"], ["plan"], ["exec", "--solo", "t"]])
def test_a_runbook_that_is_not_there_or_not_readable_says_what_was_expected(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    """The format's errors name FILE:LINE:COL "and say what was expected"; a missing file said only the system's words."""
    missing = tmp_path / "nope.yaml"
    assert cli_main([command[0], str(missing), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert err == f"{missing}:1:1: cannot read the file: No such file or directory; expected the path of a runbook file (.yaml or .yml)\n", err
    closed = tmp_path / "closed.yaml"
    closed.write_text(GOOD, encoding="utf-8")
    closed.chmod(0)
    if os.access(closed, os.R_OK):  # root reads it anyway
        return
    assert cli_main([command[0], str(closed), *command[1:]]) == 2
    assert capsys.readouterr().err == f"{closed}:1:1: cannot read the file: Permission denied; expected a runbook file this user can read\n"
