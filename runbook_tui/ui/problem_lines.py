"""A failed step's problems as the detail pane and `v` say them: one a problem, however many hosts share it.

The journal keeps a line per host (`web07: stopped by alice`); a step stopped on 50 hosts read the same words fifty
times, two rows each, above the table that names every host with its status. Words two hosts or more share are said
once with how many (`49 hosts (listed below): stopped by alice`), where the first of them stood; a host's own problem,
and a line naming no host of the step, as it is.
"""

from __future__ import annotations

from collections.abc import Iterable


def said_once(problems: Iterable[str], hosts: Iterable[str]) -> list[str]:
    """`problems` with the words several of `hosts` share said once, in the order they first came."""
    names = sorted(hosts, key=len, reverse=True)  # the longest first: `web1` is no prefix of `web10: …`'s host
    lines = list(problems)
    split = [next(((host, line[len(host) + 2 :]) for host in names if line.startswith(f"{host}: ")), (None, line)) for line in lines]
    sharing: dict[str, int] = {}
    for host, words in split:
        if host is not None:
            sharing[words] = sharing.get(words, 0) + 1
    said: list[str] = []
    done: set[str] = set()
    for line, (host, words) in zip(lines, split, strict=True):
        if host is None or sharing[words] < 2:
            said.append(line)
        elif words not in done:
            done.add(words)
            said.append(f"{sharing[words]:,} hosts (listed below): {words}")
    return said
