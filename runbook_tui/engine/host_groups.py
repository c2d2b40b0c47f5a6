"""Hosts read at a glance: a list of many named by a few and counted, a problem many share said once.

A step on 50 hosts read `started … on web01, web02, …, web50` and fifty `✗ webNN: stopped by root` lines in exec, the
run screen's log, replay and the report's timeline (event_words), and the step pane said the same words fifty times
(ui/problem_lines): each line here groups them, the host table under them (the pane, `v`, the report's attempt table)
still names every host.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Hosts named on a line about several of them; the others counted (`and 17 more`).
HOSTS_NAMED = 3


def few_named(hosts: Sequence[str]) -> str:
    """`web01, web02, web03 and 47 more`; every one where there are no more than `HOSTS_NAMED`."""
    more = f" and {len(hosts) - HOSTS_NAMED:,} more" if len(hosts) > HOSTS_NAMED else ""
    return ", ".join(hosts[:HOSTS_NAMED]) + more


def hosts_words(hosts: Sequence[str]) -> str:
    """Where something runs: `web1, web2` for a few, `50 hosts (web01, web02, web03 and 47 more)` for more."""
    return few_named(hosts) if len(hosts) <= HOSTS_NAMED else f"{len(hosts):,} hosts ({few_named(hosts)})"


def shared(problems: Iterable[str], hosts: Iterable[str]) -> list[tuple[str, list[str]]]:
    """`problems` (`host: words`, a line per host) as (words, the hosts that share them), in the order the words first
    came; a host's own problem, and a line naming no host of `hosts`, as (line, [])."""
    names = sorted(hosts, key=len, reverse=True)  # the longest first: `web1` is no prefix of `web10: …`'s host
    lines = list(problems)
    split = [next(((host, line[len(host) + 2 :]) for host in names if line.startswith(f"{host}: ")), (None, line)) for line in lines]
    sharing: dict[str, list[str]] = {}
    for host, words in split:
        if host is not None:
            sharing.setdefault(words, []).append(host)
    said: list[tuple[str, list[str]]] = []
    for line, (host, words) in zip(lines, split, strict=True):
        if host is None or len(sharing[words]) < 2:
            said.append((line, []))
        elif sharing[words][0] == host:  # where the first of them stood
            said.append((words, sharing[words]))
    return said


def said_shared(problems: Iterable[str], hosts: Iterable[str]) -> list[str]:
    """`problems` with the words several hosts share said once: `49 hosts: stopped by root (web02, web03, web04 and 46 more)`."""
    return [f"{len(names):,} hosts: {words} ({few_named(names)})" if names else words for words, names in shared(problems, hosts)]


def alike_said_once(results: Sequence[tuple[str, str]]) -> list[str]:
    """`(host, words)` in order as `host: words` each, except words more hosts share than a line names (`HOSTS_NAMED`),
    said once where the first of them stood: `ok exit 0 on 47 hosts (web01, web02, web03 and 44 more)`. A rollback's
    `undo_finished` on 50 hosts read `web01: ok exit 0; web02: ok exit 0; …` fifty times."""
    sharing: dict[str, list[str]] = {}
    for host, words in results:
        sharing.setdefault(words, []).append(host)
    said: list[str] = []
    for host, words in results:
        hosts = sharing[words]
        if len(hosts) <= HOSTS_NAMED:
            said.append(f"{host}: {words}")
        elif hosts[0] == host:
            said.append(f"{words} on {hosts_words(hosts)}")
    return said


def same_undo(entries: Iterable[T], key: Callable[[T], Hashable], host: Callable[[T], str]) -> list[tuple[T, list[str]]]:
    """A rollback's undo entries (one per host) as (the first entry, the hosts of every entry with its `key`: the step,
    how it stands there, the rendered command), in the order each first came. The undo list and the rollback's log
    lines said one entry per host: 50 hosts with the same undo read as 50 entries, 150 rows of the same command; a host
    whose undo renders otherwise keeps an entry of its own."""
    groups: dict[Hashable, tuple[T, list[str]]] = {}
    for entry in entries:
        groups.setdefault(key(entry), (entry, []))[1].append(host(entry))
    return list(groups.values())
