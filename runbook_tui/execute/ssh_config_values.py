"""How ssh reads a `Port` (a number or a service name) and a `ProxyJump` (`[user@]host[:port]`, comma-separated); checked on
every line of a config by `ssh_config_checks`. Moved out of ssh_config as it neared 500 lines."""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping


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


#: What a `Port` must be, in words.
PORT_WORDS = "expected a number from 1 to 65535, or a tcp service name this machine's services database (/etc/services) knows"


def proxy_option(options: Mapping[str, object]) -> tuple[str, str] | None:
    """The one of ProxyJump and ProxyCommand ssh takes from a config's values (`options`, in the order first set), and
    its value (`none`: direct): they fill one place, and the first obtained wins, `none` included (readconf.c's
    `parse_jump`). Before, each was read on its own: `ProxyCommand none` for a host, then `Host *`'s ProxyJump, went
    through the bastion `ssh` leaves out, and a ProxyJump then `Host *`'s ProxyCommand was refused where ssh jumps."""
    for option, value in options.items():
        if option in ("ProxyJump", "ProxyCommand"):
            return option, "none" if value is None else str(value)
    return None


def jump_tokens(spec: str, tokens: Mapping[str, str]) -> str:
    """`spec` (a ProxyJump) with its `%h`, `%n`, `%p`, `%r` and `%%` expanded as ssh expands them (the target's, in the
    command it runs for the jump: `ProxyJump %r@bastion` logs in to the bastion as the target's user); ValueError for
    another token, which ssh refuses too (`percent_expand: unknown key`). Before, `%r` was taken for a user name."""

    def one(found: re.Match[str]) -> str:
        if found[1] == "%" or found[1] in tokens:
            return "%" if found[1] == "%" else tokens[found[1]]
        raise ValueError(f"ProxyJump {spec!r}: %{found[1]} is no token of a ProxyJump (%h, %n, %p, %r and %% are)")

    return re.sub(r"%(.?)", one, spec)
