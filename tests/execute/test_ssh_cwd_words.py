"""A step's `cwd` over SSH is a directory name, never a shorthand of `cd`.

`cwd: "{{ dir }}"` with `dir` = `-` made the remote wrapper run `cd -- -`, which every POSIX shell reads as
`cd "$OLDPWD"` (the `--` does not change that): the command ran in whatever directory `$OLDPWD` named, with exit 0,
instead of in `./-` (or failing, as a missing directory does). Locally the same step ran in `./-`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import arun, cmd, executor, run_one

from runbook_tui.engine.ports import Result

pytestmark = pytest.mark.peers


def test_a_cwd_named_dash_is_a_directory_not_the_previous_one(sshd: Sshd, tmp_path: Path) -> None:
    async def main() -> tuple[Result, bytes, Result, bytes]:
        ex = executor(sshd, tmp_path)
        try:
            # Where a relative cwd starts (the login directory); nothing is written there, only looked at.
            seen, seen_out, _ = await run_one(ex, cmd(sshd.host("db1"), 'if [ -e ./- ]; then echo "./- exists"; fi; pwd -P'))
            ran, ran_out, _ = await run_one(ex, cmd(sshd.host("db1"), "echo ran; pwd -P", cwd="-"))
            return seen, seen_out.data("stdout"), ran, ran_out.data("stdout")
        finally:
            await ex.close()

    seen, start, ran, out = arun(main)
    assert seen == Result("ok", exit_code=0) and b"exists" not in start, f"the test needs no ./- in the login directory: {start!r}"
    assert ran.exit_code not in (0, None) and out == b"", f"the command ran elsewhere than ./-: {ran} {out!r}"


def test_a_cwd_of_tilde_is_the_remote_home_as_it_is_locally(sshd: Sshd, tmp_path: Path) -> None:
    """`cwd: ~` and `~/DIR` mean $HOME over SSH, as they now do locally (`test_local`): the same step runs in the same
    place on either (locally it ran in a folder named `~`)."""

    async def main() -> list[tuple[Result, bytes]]:
        ex = executor(sshd, tmp_path)
        try:
            done = []
            for cwd in (None, "~", "~/", "~/."):
                text = 'cd "$HOME" && pwd -P' if cwd is None else "pwd -P"
                result, out, _ = await run_one(ex, cmd(sshd.host("db1"), text, cwd=cwd))
                done.append((result, out.data("stdout")))
            return done
        finally:
            await ex.close()

    (home_result, home), *in_cwd = arun(main)
    assert home_result == Result("ok", exit_code=0) and home.strip()
    assert in_cwd == [(Result("ok", exit_code=0), home)] * 3
