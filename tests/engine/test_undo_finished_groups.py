"""A rollback's `undo_finished` line on many hosts says a result many hosts share once, as `undo_started` and the rollback's
own lines group them (`engine.host_groups`): an undo on 50 hosts read `web01: ok exit 0; web02: ok exit 0; …` fifty times
in one line, which wrapped over a screen of the log in exec, the run screen, replay and the report's timeline alike (they
all say it by `event_words.said`). A host whose undo ended otherwise is still named with its own result, in host order;
a few hosts (no more than a line names) read as before.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.engine.event_words import said


def _undo_finished(hosts: dict[str, dict[str, Any]]) -> list[str]:
    event = {"type": "undo_finished", "seq": 9, "ts": "2026-11-23T17:03:47.000Z", "actor": "system", "step": "push", "hosts": hosts, "ok": False}
    words = said(event)
    assert words is not None
    return words.lines


def test_fifty_hosts_whose_undo_ended_alike_are_said_once() -> None:
    hosts = {f"web{i:02d}": {"status": "ok", "exit_code": 0} for i in range(1, 51)}
    hosts["web07"] = {"status": "failed", "exit_code": 4, "error": "exit 4"}
    hosts["web31"] = {"status": "failed", "exit_code": 4, "error": "exit 4"}
    hosts["web50"] = {"status": "timed_out", "exit_code": None, "error": "timed out after 30s"}
    (line,) = _undo_finished(hosts)
    # Before: `undo push: web01: ok exit 0; web02: ok exit 0; …` for each of the 50 hosts.
    assert (
        line
        == "undo push: ok exit 0 on 47 hosts (web01, web02, web03 and 44 more); web07: failed exit 4 (exit 4); web31: failed exit 4 (exit 4); web50: failed (timed out after 30s)"
    ), line


def test_a_few_hosts_read_as_before() -> None:
    hosts = {"web2": {"status": "ok", "exit_code": 0}, "web10": {"status": "ok", "exit_code": 0}, "web1": {"status": "failed", "exit_code": 1}}
    assert _undo_finished(hosts) == ["undo push: web1: failed exit 1; web2: ok exit 0; web10: ok exit 0"]


def test_every_host_sharing_a_failure_is_counted_in_it() -> None:
    hosts = {f"db{i}": {"status": "failed", "exit_code": 2, "error": "unit not found"} for i in range(1, 6)}
    assert _undo_finished(hosts) == ["undo push: failed exit 2 (unit not found) on 5 hosts (db1, db2, db3 and 2 more)"]
