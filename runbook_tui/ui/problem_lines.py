"""A failed step's problems as the detail pane and `v` say them: one a problem, however many hosts share it.

The journal keeps a line per host (`web07: stopped by alice`); a step stopped on 50 hosts read the same words fifty
times, two rows each, above the table that names every host with its status. Words two hosts or more share are said
once with how many (`49 hosts (listed below): stopped by alice`), where the first of them stood; a host's own problem,
and a line naming no host of the step, as it is (the grouping is the log's too: engine/host_groups.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from runbook_tui.engine.host_groups import shared


def said_once(problems: Iterable[str], hosts: Iterable[str]) -> list[str]:
    """`problems` with the words several of `hosts` share said once, in the order they first came."""
    return [f"{len(names):,} hosts (listed below): {words}" if names else words for words, names in shared(problems, hosts)]
