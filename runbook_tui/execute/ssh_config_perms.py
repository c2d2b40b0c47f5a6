"""Config files others may write, refused as ssh refuses them (`Bad owner or permissions on FILE`).

ssh checks every file an `Include` reads (in any config) and the default ~/.ssh/config (readconf.c's SSHCONF_CHECKPERM):
owned by root or the user, and writable by no one else; Debian's ssh lets a group write it when that group is the owner's
alone (no other member, primary or supplementary). A file named with `-F` and /etc/ssh/ssh_config itself are not
checked. Another user who may write such a file could change where the hosts are reached (a HostName, a ProxyJump to
their machine). Before: read whatever its owner and mode.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from collections.abc import Iterable

from asyncssh.config import ConfigParseError


def _group_is_owners_alone(gid: int, uid: int) -> bool:
    """Whether the group `gid` has the user `uid` as its only member (Debian's rule for a group-writable config)."""
    try:
        group, owner = grp.getgrgid(gid), pwd.getpwuid(uid)
    except KeyError:
        return False
    members = {entry.pw_name for entry in pwd.getpwall() if entry.pw_gid == gid} | set(group.gr_mem)
    return members == {owner.pw_name}


def _unsafe(path: str) -> str | None:
    """Why ssh refuses the file at `path` (another owner, or writable by others), or None."""
    info = os.stat(path)
    if info.st_uid not in (0, os.getuid()):
        return f"owned by user id {info.st_uid}, not by you or root"
    if info.st_mode & stat.S_IWOTH:
        return "anyone may write it"
    if info.st_mode & stat.S_IWGRP and not _group_is_owners_alone(info.st_gid, info.st_uid):
        return f"group {info.st_gid}'s other members may write it"
    return None


def check_permissions(paths: Iterable[str]) -> None:
    """`ConfigParseError` at the first file of `paths` ssh would refuse for its owner or mode."""
    for path in paths:
        if (why := _unsafe(path)) is not None:
            raise ConfigParseError(
                f"Bad owner or permissions on {path} ({why}): ssh refuses the config for it, as whoever may change it chooses"
                f" where your hosts are reached; chmod go-w {path} (and chown it to yourself)"
            )
