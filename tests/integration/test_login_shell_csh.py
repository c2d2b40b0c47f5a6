"""An account whose login shell is csh or tcsh (root's on FreeBSD, some old accounts), over the real sshd and tcsh.

sshd hands every command to the login shell (`tcsh -c CMD`), as `ssh db1 CMD` does; runbook-tui's command is an sh
script, which csh cannot read. Said as that, with what to do, in the step's problem and in preflight's finding.
"""

from __future__ import annotations

import os
import shutil

import pytest
from local_users import key_login_user
from peers import Sshd
from test_preflight_causes import findings, only, open_sshd  # noqa: F401  (fixture: an sshd another local user may log in to)

pytestmark = pytest.mark.peers

CSH_USER = "rbt-tcsh"


def _tcsh_user() -> str:
    tcsh = shutil.which("tcsh")
    assert tcsh is not None, "tcsh is missing: run scripts/test (it installs tcsh), or apt-get install -y tcsh"
    assert os.geteuid() == 0, "this test makes a local user with a tcsh login shell: run it as root (as CI does)"
    return key_login_user(CSH_USER, tcsh)


def test_a_csh_login_shell_is_named_with_what_to_do(open_sshd: Sshd) -> None:  # noqa: F811
    """Before: `the host ran something else in its place (exit status 1): a ForceCommand …, a command= restriction …, or a
    login shell that runs no commands (nologin); it said: … Badly placed ()'s …`, and preflight said to remove a
    ForceCommand that is not there."""
    user = _tcsh_user()
    finding = only(findings(open_sshd, user=user))  # preflight runs `true` as a step would, through the same executor
    assert finding.cause == "login", str(finding)
    assert finding.detail.startswith(
        "could not start the command on db1: its login shell is of the csh family (csh, tcsh), which cannot read the sh"
        " script runbook-tui sends (sshd hands every command to the login shell, as `ssh HOST COMMAND` does); it said: "
    ), finding.detail
    assert "ForceCommand" not in finding.detail, finding.detail
    assert f"chsh -s /bin/sh {user}" in finding.todo and "ForceCommand" not in finding.todo, finding.todo
