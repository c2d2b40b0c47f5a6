"""`LocalForward`, `RemoteForward` and `DynamicForward` checked as ssh checks them on every line, whichever host its block
is for, and refuses the whole config for (readconf.c `parse_forward`, OpenSSH 9.2): runbook-tui forwards nothing, but a
config `ssh NAME` refuses is not one to reach a host by. A value holding `$` (ssh expands it first) is not checked.
"""

from __future__ import annotations

import re

from runbook_tui.execute.ssh_config_values import service_port

KEYWORDS = frozenset({"localforward", "remoteforward", "dynamicforward"})

_TAKES = {
    "localforward": "[bind_address:]port host:hostport (or a socket path)",
    "remoteforward": "[bind_address:]port [host:hostport] (or a socket path)",
    "dynamicforward": "[bind_address:]port",
}

_NAMES = {"localforward": "LocalForward", "remoteforward": "RemoteForward", "dynamicforward": "DynamicForward"}

#: One field of a forwarding: `[literal]` followed by `:` or the end, else up to the next unescaped `:`.
_BRACKETED = re.compile(r"\[([^\]]*)\](?::|$)")


def _fields(spec: str) -> list[tuple[str, bool]] | None:
    """(text, is a path) of each `:`-separated field of `spec` as `parse_fwd_field` reads them; None where ssh fails."""
    fields: list[tuple[str, bool]] = []
    at = len(spec) - len(spec.lstrip())
    while at < len(spec) and len(fields) < 4:
        if spec[at] == "[":
            found = _BRACKETED.match(spec, at)
            if found is None:
                return None
            fields.append((found[1], "/" in found[1]))
            at = found.end()
            continue
        text, path = "", False
        while at < len(spec) and spec[at] != ":":
            if spec[at] == "\\":  # the next character is taken as it is, a `/` or `:` too
                at += 1
                if at == len(spec):
                    return None
            else:
                path = path or spec[at] == "/"
            text += spec[at]
            at += 1
        fields.append((text, path))
        at += 1  # past the `:` (or the end)
    return fields if at >= len(spec) else None


def _port(text: str) -> int:
    """ssh's `a2port`: a number from 0 to 65535 or a tcp service name; -1 for anything else."""
    if text.isdigit():
        return int(text) if int(text) <= 65535 else -1
    found = service_port(text) if text else None
    return -1 if found is None else found


def _readable(spec: str, dynamic: bool, remote: bool) -> bool:
    fields = _fields(spec)
    if fields is None or not fields:
        return False
    paths = [path for _, path in fields]
    texts = [text for text, _ in fields]
    count, listen, connect = len(fields), -1, -1
    listen_path = connect_path = False
    if count == 1:
        listen_path, listen = paths[0], 0 if paths[0] else _port(texts[0])
    elif count == 2:
        if paths[0] and paths[1]:
            listen_path = connect_path = True
        else:
            listen, connect_path = _port(texts[1] if not paths[1] else texts[0]), paths[1]
    elif count == 3:
        if paths[0]:
            listen_path, connect = True, _port(texts[2])
        else:
            listen, connect, connect_path = _port(texts[1] if paths[2] else texts[0]), _port(texts[2]), paths[2]
    else:
        listen, connect = _port(texts[1]), _port(texts[3])
    if dynamic and count not in (1, 2):
        return False
    if not dynamic and ((count not in (3, 4) and not (connect_path or listen_path)) or (connect <= 0 and not connect_path)):
        return False
    return not ((listen < 0 and not listen_path) or (not remote and listen == 0 and not listen_path))


def forward_refusal(keyword: str, words: list[str]) -> str | None:
    """What ssh says of a (lower-case) `keyword` in `KEYWORDS` given `words`, with what it takes; None when it reads them."""
    takes = f"expected {_TAKES[keyword]}"
    if any("$" in word for word in words[:2]):
        return None
    most = 1 if keyword == "dynamicforward" else 2
    if len(words) > most:
        return f"keyword {_NAMES[keyword]} extra arguments at end of line ({' '.join(words[most:])!r}): {takes}"
    dynamic = keyword == "dynamicforward" or (keyword == "remoteforward" and len(words) < 2)
    if keyword == "localforward" and len(words) < 2:
        return f"Missing target argument: {takes}"
    spec = words[0] if keyword == "dynamicforward" or len(words) < 2 else f"{words[0]}:{words[1]}"
    if _readable(spec, dynamic, keyword == "remoteforward"):
        return None
    return f"Bad forwarding specification {' '.join(words[: 1 if keyword == 'dynamicforward' else 2])!r}: {takes}"
