"""What ssh reads without being told: the system's client config, read after the user's as OpenSSH reads it:
/etc/ssh/ssh_config (which on Debian and Ubuntu begins `Include /etc/ssh/ssh_config.d/*.conf`, where a site drops its
`Host *.corp` / `ProxyJump bastion`); and the user's known_hosts files when nothing names them.

ssh reads ~/.ssh/config, then /etc/ssh/ssh_config, into one set of options, the first value obtained winning: the
user's file overrides the system's. A config file named on the command line (`ssh -F FILE`) is read alone. runbook-tui
reads the system file exactly when ssh would: with the default ~/.ssh/config (no settings file naming `ssh.config`);
not when the settings name a file (`ssh -F FILE`), nor with `ssh.config: false` (`ssh -F none`). A relative `Include`
in the system file, or in a file it includes, is under the system file's folder, as ssh reads it under /etc/ssh (the
user's are under ~/.ssh). Before: never read, and such a host was reached directly where `ssh` went through the bastion.
"""

from __future__ import annotations

import os
from pathlib import Path

#: OpenSSH's system-wide client config (its _PATH_HOST_CONFIG_FILE). A constant: no runbook, parameter or setting names
#: it; the tests point it at a file of their own.
SYSTEM_CONFIG = "/etc/ssh/ssh_config"


def candidates(user: str | None, system: bool) -> tuple[str, ...]:
    """The config files ssh would read, in its order, whether or not they are there: the user's (None: none), then
    the system's when `system`."""
    return (*([user] if user else []), *([SYSTEM_CONFIG] if system else []))


def default_known_hosts(known_hosts: str, named: bool) -> tuple[str, ...]:
    """The user's known_hosts files read when the ssh config names none: the one the settings name (`named`, as
    `ssh -o UserKnownHostsFile=FILE` reads it alone), else ssh's default `~/.ssh/known_hosts ~/.ssh/known_hosts2`, the
    second when it is there (ssh skips a missing one). Before: `known_hosts2` was never read, and a key kept there
    was refused where ssh trusts it."""
    second = str(Path(known_hosts).with_name("known_hosts2"))
    return (known_hosts,) if named or not os.path.isfile(second) else (known_hosts, second)


def config_roots(user: str | None, system: bool) -> tuple[tuple[Path, Path], ...]:
    """Those of `candidates` that are there, each with the folder its relative `Include`s are under (ssh skips a
    config file that is not there)."""
    roots = [(Path(user), Path("~", ".ssh").expanduser())] if user else []
    if system:
        roots.append((Path(SYSTEM_CONFIG), Path(SYSTEM_CONFIG).parent))
    return tuple(root for root in roots if os.path.exists(root[0]))
