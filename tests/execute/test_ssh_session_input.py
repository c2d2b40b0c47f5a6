"""What a follow session is sent: a plain command's wrapper in the script, a value's or a path's on stdin only.

The script runs under each `sh` a host may have (dash; bash in POSIX mode), fed as over an SSH session, as in
test_ssh_scripts.py. A wrapper read from stdin costs the host a `read` system call a byte (~230 for `true`), so one
holding nothing `ps` does not show already (the command's own `sh -c CMD` shows its text) travels in the script.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from runbook_tui.engine.ports import Command
from runbook_tui.execute.ssh_scripts import READ_MAX, dir_expr
from runbook_tui.execute.ssh_session_input import session_input
from runbook_tui.runbook.model import Host, Mark

SHELLS = ("dash", "bash --posix")
HOST = Host(name="h", address="127.0.0.1", mark=Mark("<test>", 1, 1))


def _run(shell: str, script: str, stdin: bytes, token: str, home: Path | None = None) -> tuple[int, bytes, bytes]:
    """The script under `shell`, `stdin` then `done` (a `t` first, as the client's ticker sends it): exit status and streams."""
    words = shell.split()
    path = shutil.which(words[0])
    assert path, f"{words[0]} is not installed (scripts/test installs dash and bash)"
    env = {"PATH": os.environ.get("PATH", os.defpath), **({"HOME": str(home)} if home else {})}
    done = subprocess.run([path, *words[1:], "-c", script], input=stdin + b"t\ndone\n", capture_output=True, timeout=30, env=env, cwd=home)
    return done.returncode, done.stdout, done.stderr


def _session(tmp_path: Path, text: str, **fields: object) -> tuple[str, bytes, str]:
    token = uuid.uuid4().hex
    command = Command(host=HOST, command=text, key=f"s/{uuid.uuid4().hex[:8]}/1", **fields)  # type: ignore[arg-type]
    script, stdin = session_input(command, None, dir_expr(str(tmp_path / "runs"), "run"), (0, 0), token)
    return script, stdin, token


@pytest.mark.parametrize("shell", SHELLS)
def test_a_plain_command_travels_in_the_script_and_runs_as_before(shell: str, tmp_path: Path) -> None:
    """`echo` on both streams, exit 3: stdin holds the token line alone; output, stderr and the status come back."""
    script, stdin, token = _session(tmp_path, "echo 'out'; echo \"err\" >&2; exit 3")
    assert stdin == f"{token}\n".encode()  # before: the token, the wrapper's ~170 bytes and the token again
    status, out, err = _run(shell, script, stdin, token)
    assert status == 0, err
    assert f"\0{token} end 3".encode() in out and b"out\n" in out
    assert b"err\n" in err
    assert not list((tmp_path / "runs").iterdir())  # `done` removed the run's files


@pytest.mark.parametrize(
    ("text", "fields", "why"),
    [
        ("true", {"env": (("TOKEN", "s3cret-value"),)}, "an environment value (every templated value is one)"),
        ("true", {"cwd": "s3cret-value"}, "a path (here relative to the test's HOME)"),
        ("echo " + "x" * READ_MAX, {}, "a wrapper over READ_MAX"),
        ("echo s3cret-value\\\\", {}, "a backslash: a fish login shell reads it inside '...'"),
    ],
)
def test_values_paths_and_other_wrappers_stay_on_stdin(text: str, fields: dict[str, object], why: str, tmp_path: Path) -> None:
    """The script is the session's command, which the host's `ps` shows and its login shell parses: a value or a path
    never goes there, nor text the script's own never holds; those still run, read from stdin."""
    script, stdin, token = _session(tmp_path, text, **fields)
    assert "s3cret-value" in stdin.decode() or "x" * READ_MAX in stdin.decode(), why
    assert "s3cret-value" not in script and "x" * READ_MAX not in script, why
    (tmp_path / "s3cret-value").mkdir()
    status, out, err = _run("dash", script, stdin, token, home=tmp_path)
    assert status == 0, err
    assert f"\0{token} end 0".encode() in out, out


@pytest.mark.parametrize("shell", SHELLS)
def test_a_login_that_read_the_token_line_starts_nothing(shell: str, tmp_path: Path) -> None:
    """A `.bashrc` that read a line of the session's input took the token: the script, its wrapper in its text, waits
    for none (the client's `t` ends the wait) and exits 120 (`ssh_ended.NO_TOKEN`) having started nothing."""
    script, _, token = _session(tmp_path, f"touch {tmp_path / 'ran'}")
    status, out, _ = _run(shell, script, b"", token)
    assert status == 120
    assert out == b""
    assert not (tmp_path / "runs").exists() and not (tmp_path / "ran").exists()


@pytest.mark.parametrize("text", ["true", "echo 'it''s' \"$HOME\"; exit 3", "printf '%s' x"])
def test_the_script_holds_no_escape_a_fish_login_reads(text: str, tmp_path: Path) -> None:
    """sshd hands the script to the login shell, quoted once more: fish (tried by hand) reads `\\\\` and `\\'` inside
    '...' as escapes, so neither may be in it, the wrapper in it or not."""
    script, stdin, _ = _session(tmp_path, text)
    assert len(stdin) == 33  # the token line alone: the wrapper is in the script
    assert "\\\\" not in script and "\\'" not in script
