"""The rollback's own lines (exec's, `resume --rollback`'s, the run screen's and the verifier's log, replay) say hosts
whose rendered undo is the same once, as the undo list does (test_rollback_groups_hosts.py): a step on 50 hosts
printed 50 `undo push on webNN: systemctl restart app` lines; the verifier read a list the assignee's dialog no longer
showed. A host whose undo renders otherwise, or stands otherwise (its note), keeps its own line."""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import said


def test_hosts_with_the_same_undo_are_one_line_and_a_host_rendered_otherwise_its_own() -> None:
    web = [f"web{n:02d}" for n in range(50, 0, -1)]  # the plan's order: newest host first
    entries = [
        {"step_id": "push", "host": "db01", "command": "systemctl restart app --db", "outcome": "done", "note": ""},
        *({"step_id": "push", "host": host, "command": "systemctl restart app", "outcome": "done", "note": ""} for host in web),
        {"step_id": "push", "host": "web51", "command": "systemctl restart app", "outcome": "failed", "note": "step failed"},
        {"step_id": "backup", "host": "local", "command": None, "outcome": "done", "note": ""},
    ]
    event = {"type": ev.ROLLBACK_STARTED, "actor": "alice", "scope": "checkpoint", "plan": {"checkpoint_step": "mark", "entries": entries}}
    words = said(event)
    assert words is not None
    assert words.lines == [
        "rollback (checkpoint) started by alice, back to mark",
        "   undo push on db01: systemctl restart app --db",
        f"   undo push on 50 hosts ({', '.join(web)}): systemctl restart app",
        "   undo push (step failed) on web51: systemctl restart app",
        "   undo backup on local: (no undo: acknowledged)",
    ]
