"""The values ssh reads on every line of a config, whichever host its block is for: `Port` (a number or a service name)
and `ProxyJump` (`[user@]host[:port]`, comma-separated). Moved out of ssh_config as it neared 500 lines."""

from __future__ import annotations

import re
import shlex
import socket

from asyncssh.config import ConfigParseError

from runbook_tui.execute.ssh_config_lines import without_comment


def service_port(name: str) -> int | None:
    """The tcp port this machine's services database gives `name` (`ssh`: 22), as ssh's `a2port` reads it; None if none."""
    try:
        return socket.getservbyname(name, "tcp")
    except (OSError, ValueError):
        return None


def jump_parts(hop: str) -> tuple[str, str, str] | None:
    """(user, host, port) of one ProxyJump hop as ssh reads it: `[user@]host[:port]`, `ssh://[user@]host[:port]`, an IPv6
    address in brackets (`[::1]:2222`); None when it is none of these. Before, `ssh://ops@jump:2222` logged in as the
    user `ssh://ops`, and `[::1]:2222` was taken whole for a host name on port 22, and `jump:2222` (no user) was refused. A port may
    be a service name, as in `Port` (`jump:ssh` is port 22); before, such a hop was refused where ssh goes through it."""
    if hop[:6].lower() == "ssh://":
        hop = hop[6:].removesuffix("/")
    user, at, rest = hop.rpartition("@")
    name, port = rest, ""
    if rest.startswith("["):
        name, closed, after = rest[1:].partition("]")
        if not closed or (after and (not after.startswith(":") or after == ":")):
            return None
        port = after[1:]
    elif rest.count(":") == 1:
        name, _, port = rest.partition(":")
    elif ":" in rest:  # an IPv6 address without brackets: ssh says `Invalid ProxyJump` (before: taken for a host name)
        return None
    if port and not port.isdigit():
        port = str(named) if (named := service_port(port)) is not None else "?"
    if not name or (port and not port.isdigit()) or "/" in rest or (at and not user):
        return None
    return user, name, port


#: A config line's keyword and the rest, as ssh splits them (`Port 22`, `Port=22`, `Port = 22`).
_KEYWORD = re.compile(r"\s*([A-Za-z]+)(?:\s*=\s*|\s+)(.*)")

#: What a `Port` must be, in words.
PORT_WORDS = "expected a number from 1 to 65535, or a tcp service name this machine's services database (/etc/services) knows"


def check_everywhere(path: str) -> None:
    """Every `Port` and `ProxyJump` of the file, whichever host its block is for, read as ssh reads them: ssh refuses the
    whole config for one it cannot read (`Bad port`, `Invalid ProxyJump`). asyncssh reads only the blocks that apply, so
    a bad value in another host's block was skipped, and the run went on with a config `ssh NAME` refuses. Raises
    `ConfigParseError` naming the file and line."""
    with open(path, encoding="utf-8", errors="replace") as text:
        for number, line in enumerate(text, start=1):
            found = _KEYWORD.match(without_comment(line))  # a `don't` in a comment is no open quote
            if found is None or found[1].lower() not in ("port", "proxyjump"):
                continue
            try:
                value = next(iter(shlex.split(found[2])), "")
            except ValueError:  # an open quote: asyncssh says so where the line applies
                continue
            if found[1].lower() == "port" and not (0 < int(value) < 65536 if value.isdigit() else service_port(value) is not None):
                raise ConfigParseError(f"{path} line {number}: Bad port {value!r}: {PORT_WORDS}")
            hops = [hop for hop in value.split(",") if hop] if value.lower() != "none" else []
            if found[1].lower() == "proxyjump" and not all(jump_parts(hop) for hop in hops):
                raise ConfigParseError(f"{path} line {number}: Invalid ProxyJump {value!r}: expected [user@]host[:port], comma-separated")
