"""A plain command (a program and literal words) runs in the wrapper itself, without a `sh -c` between (`ssh_plain`).

The follow script runs under each `sh` a host may have (dash; bash in POSIX mode), fed as over an SSH session
(`test_ssh_session_input`). A `sh` first on PATH logs each start: before, every command started one (a fan-out's
host paid ~0.8-1 ms of CPU a command for it); now only those that need a shell to read them do.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_ssh_session_input import SHELLS, _run, _session

from runbook_tui.execute.ssh_plain import plain_call


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder first on PATH whose `sh` logs its arguments to `sh.log` before running dash."""
    where = tmp_path / "bin"
    where.mkdir()
    dash = shutil.which("dash")
    assert dash, "dash is not installed (scripts/test installs it)"
    _program(where, "sh", f'printf "%s\\n" "$*" >> {tmp_path / "sh.log"}\nexec {dash} "$@"')
    monkeypatch.setenv("PATH", f"{where}{os.pathsep}{os.environ.get('PATH', os.defpath)}")
    return where


def _program(where: Path, name: str, body: str) -> None:
    path = where / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _shells_started(tmp_path: Path) -> list[str]:
    log = tmp_path / "sh.log"
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("text", "out", "status"),
    [("true", b"", 0), ("false", b"", 1), ("uname -s", b"Linux\n", 0), ("tool --flag=a,b x@y 50% 1:2", b"tool: --flag=a,b x@y 50% 1:2\n", 4)],
)
def test_a_plain_command_runs_without_a_shell_between(shell: str, text: str, out: bytes, status: int, tmp_path: Path, bin_dir: Path) -> None:
    """Its words, output and exit status as under `sh -c`; no `sh` started for it."""
    _program(bin_dir, "tool", 'echo "tool: $*"; exit 4')
    script, stdin, token = _session(tmp_path, text)
    code, got, err = _run(shell, script, stdin, token)
    assert code == 0, err
    assert f"\0{token} end {status}".encode() in got, got
    assert out in got
    assert _shells_started(tmp_path) == []  # before: ["-c uname -s"], ...


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("name", ["say", "info", "fail", "drained", "mark", "nofile"])
def test_a_program_named_as_one_of_the_scripts_functions_is_the_program(shell: str, name: str, tmp_path: Path, bin_dir: Path) -> None:
    """The wrapper's shell defines functions (`say` writes the session's trailers, with its token): a command naming
    one runs the program of that name, as `sh -c` runs it, never the function."""
    _program(bin_dir, name, f'echo "program {name} $*"; exit 5')
    script, stdin, token = _session(tmp_path, f"{name} end 0")
    code, got, err = _run(shell, script, stdin, token)
    assert code == 0, err
    assert f"program {name} end 0\n".encode() in got
    assert f"\0{token} end 5".encode() in got and f"\0{token} end 0".encode() not in got


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("text", "status"),
    [("exit 3", 3), ("exec false", 1), ("cd / && false", 1), ("echo $0 >&2; false", 1), ("umask 0; trap '' TERM; false", 1)],
)
def test_builtins_and_shell_syntax_still_run_in_their_own_sh(shell: str, text: str, status: int, tmp_path: Path, bin_dir: Path) -> None:
    """`exit`, `exec`, `cd` run in the wrapper would end it or change it before it records the status: these, and
    anything a shell reads (`$`, `;`, `&&`, quotes), get their own `sh -c` as before, and their status is recorded."""
    script, stdin, token = _session(tmp_path, text)
    code, got, err = _run(shell, script, stdin, token)
    assert code == 0, err
    assert f"\0{token} end {status}".encode() in got, got
    assert _shells_started(tmp_path) == [f"-c {text}"]


def test_what_is_plain() -> None:
    """Literal words after a program's name; not a builtin or keyword, an assignment, an option or a job first."""
    assert plain_call("systemctl restart app-1 --cluster a") == "command systemctl restart app-1 --cluster a"
    assert plain_call("./deploy.sh --to=/srv/x") == "command ./deploy.sh --to=/srv/x"
    for text in ("echo hi", "exit", "cd /tmp", ". ./env", "A=1 prog", "prog $HOME", "prog 'a b'", "prog a\\ b", "ls *.log"):
        assert plain_call(text) is None, text
    for text in ("prog ~/x", "prog #x", "prog a;b", "prog a|b", "prog >x", "prog\nx", "%1", "-x prog", "", " prog", "time prog"):
        assert plain_call(text) is None, text
