"""Local users root's tests log in as over SSH (a user `sudo -n` cannot serve), made once and kept.

useradd and usermod are in /usr/sbin, which root's login PATH has and a minimal one (`env -i PATH=/usr/bin:/bin`,
cron's, the CI's) may not: they are looked for there too, as a root login would find them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess

import pytest

#: Where a root login finds system programs (Debian's useradd, usermod), after the caller's PATH.
_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def _system_program(name: str) -> str:
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *_SBIN]))
    assert found is not None, f"{name} not found on PATH nor in {', '.join(_SBIN)}"
    return found


def key_login_user(name: str, shell: str = "/bin/sh") -> str:
    """`name`, made if missing (a home, `shell` its login shell), with no password but not locked: sshd lets its keys in.
    Root only."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run([_system_program("useradd"), "--create-home", "--shell", shell, name], check=True)
    subprocess.run([_system_program("usermod"), "-p", "*", "--shell", shell, name], check=True)
    return name


def become_nameless(monkeypatch: pytest.MonkeyPatch) -> int:
    """This process as a uid the passwd database does not know, with no name in the environment either (LOGNAME, USER,
    LNAME, USERNAME): a container's `--user 4242`. getpass and `~` look the uid up for real, and find nothing."""
    uid = 4242
    while _known(uid):
        uid += 1
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "getuid", lambda: uid)
    return uid


def _known(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True
