"""Values in a URL (a webhook's, Alertmanager's, Prometheus'): they never move it to another host.

The requests to these URLs carry secrets (a webhook's token header, the
Prometheus bearer token). Inserted as text, a value in the path could end the
host instead: `url: "https://hooks.example.com{{ path }}"` with `-p
path=@evil.example` sent the token to evil.example (`user@host`), and
`https://prom-{{ env }}.example.com` with `env=evil.example/#` did too. Each
value is marked as it is inserted (`promql_values.mark`) and the rendered URL
is read once (`url_from`): a value in the host and port part as written takes
only letters, digits and `-` (one piece of a name the runbook's text ends, or a
port), or, when it is the whole host, a host name or address; a URL that
starts with a value is the value's to choose (`url: "{{ webhook }}"`), and values
after it are placed as in the runbook's own URL. After the
host a value is one component of where it stands, percent-encoded (`_placed`):
in the query or fragment everything but letters, digits and `-._~`
(`?channel={{ ch }}` with `ops&token=x` sent a second parameter, and `x#` cut
the runbook's own `&key=…` off); in the path `/` stays (a value may name
several segments) but a `.` or `..` segment is refused (`/hook/{{ id }}` with
`../admin` asked `/admin`). `| raw` keeps the author's own text as written.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.promql_values import VALUE_END, VALUE_START

_PIECE = lazy_re.compile(r"[A-Za-z0-9-]*")
_HOST = lazy_re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]")
_USERINFO = lazy_re.compile(r"[^@/?#\\\s]*")  # before the runbook's own `@`: a user or password (a token), not a host
_PATH = lazy_re.compile(r"[/?#]")  # what ends the host part
_NEXT = {"host": {"/": "path", "?": "query", "#": "fragment"}, "path": {"?": "query", "#": "fragment"}, "query": {"#": "fragment"}}


class UrlRefused(ValueError):
    """A value that would change the URL's host, in words."""


def url_from(rendered: str) -> str:
    """The URL with every marked value placed; UrlRefused for a value that would change its host."""
    if VALUE_START not in rendered:
        return rendered
    if rendered.startswith(VALUE_START):  # `{{ webhook }}/x?c={{ ch }}`: the URL the first value writes is the runbook's own
        first = rendered.index(VALUE_END)
        return url_from(rendered[1:first] + rendered[first + 1 :])
    plain = rendered.replace(VALUE_START, "").replace(VALUE_END, "")
    scheme = rendered.find("://")
    if scheme < 0 or VALUE_START in rendered[: scheme + 3]:
        return plain  # no host of the runbook's own to keep: the value's to choose
    authority: list[tuple[bool, str]] = []  # (a value?, its text in the host part) up to the end of the host part
    whole: dict[int, str] = {}  # a value's whole text, by its index in `authority`
    for part in re.split(f"({VALUE_START}[^{VALUE_END}]*{VALUE_END})", rendered[scheme + 3 :]):
        value = part.startswith(VALUE_START)
        text = part[1:-1] if value else part
        end = _PATH.search(text)
        if value:
            whole[len(authority)] = text
        authority.append((value, text if end is None else text[: end.start()]))
        if end is not None:
            break
    at = max((k for k, (value, text) in enumerate(authority) if not value and "@" in text), default=-1)
    host = "".join(text for value, text in authority[at + 1 :] if not value)
    values = [(k, text) for k, (value, text) in enumerate(authority) if value]
    whole_host = len([k for k, _ in values if k > at]) == 1 and host.partition(":")[0] == ""
    for k, text in values:
        rule = _USERINFO if k < at else _HOST if whole_host else _PIECE
        if not rule.fullmatch(text):
            kind = "a host name or address" if whole_host else "letters, digits and '-' (a piece of the host name, or a port)"
            raise UrlRefused(
                f"the value {whole[k]!r} would change the URL's host ({plain[:80]!r}); in the host part a value takes only {kind};"
                " put it after the host (in the path or query) instead"
            )
    return _placed(rendered, scheme + 3, plain)


def _placed(rendered: str, start: int, plain: str) -> str:
    """The URL with each value after its host percent-encoded as one component of the part it stands in."""
    out = [rendered[:start]]
    part = "host"
    for piece in re.split(f"({VALUE_START}[^{VALUE_END}]*{VALUE_END})", rendered[start:]):
        if not piece.startswith(VALUE_START):
            for char in piece:
                part = _NEXT.get(part, {}).get(char, part)
            out.append(piece)
            continue
        value = piece[1:-1]
        if part == "host":  # the host part it holds is checked; what follows is the path's
            end = _PATH.search(value)
            if end is None:
                out.append(value)
                continue
            if value[end.start()] != "/":
                raise UrlRefused(
                    f"the value {value!r} would start the URL's query or fragment right after its host ({plain[:80]!r});"
                    " expected a path starting with '/', or write the '?' in the runbook"
                )
            out.append(value[: end.start()])
            value, part = value[end.start() :], "path"
        out.append(_component(value, part, plain))
    return "".join(out)


def _component(value: str, part: str, plain: str) -> str:
    if part != "path":
        return quote(value, safe="")
    if any(segment in (".", "..") for segment in value.split("/")):
        raise UrlRefused(
            f"the value {value!r} would move the URL's path (a '.' or '..' segment) ({plain[:80]!r});"
            " expected names of path segments, without '.' or '..' as one"
        )
    return quote(value, safe="/")  # as the redactor knows a secret's encoded forms (`escaped_forms`)
