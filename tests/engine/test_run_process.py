"""Whether the process a journal names as its writer still runs (`resume` of a copy of a live run's journal)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import said
from runbook_tui.engine.run_process import this_process, who, writer_verdict


def test_a_live_process_holding_a_journal_runs_and_an_ended_one_is_stopped_even_when_its_pid_is_used_again(tmp_path: Path) -> None:
    holding = "import fcntl, sys; f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", holding, str(tmp_path / "J.jsonl")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "held\n"
        (tmp_path / "other.jsonl").touch()
        mark = {**this_process(tmp_path / "J.jsonl"), "pid": child.pid, "started": _started(child.pid)}
        assert writer_verdict(mark) == "running"
        assert writer_verdict({**mark, "file": this_process(tmp_path / "other.jsonl")["file"]}) == "stopped", "it holds another file"
        assert writer_verdict({**mark, "started": mark["started"] + 1}) == "stopped", "another process under the same pid"
        assert writer_verdict({**mark, "host": "db-admin-2"}) == "elsewhere", "another machine cannot be checked from here"
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(30)
    assert writer_verdict(mark) == "stopped"
    assert writer_verdict({**mark, "boot": "an-earlier-boot"}) == "stopped", "this machine booted since"


def test_a_process_that_holds_no_journal_any_more_and_an_old_journal_are_resumed_as_before() -> None:
    idle = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        assert writer_verdict({**this_process(), "pid": idle.pid, "started": _started(idle.pid)}) == "stopped", "its run ended; it went on"
    finally:
        assert idle.stdin is not None
        idle.stdin.close()
        idle.wait(30)
    assert writer_verdict(this_process()) == "stopped", "the process resuming wrote it: that run ended"
    assert writer_verdict(None) == "unmarked"
    assert writer_verdict({"pid": "1", "started": 5}) == "unmarked"


def test_a_look_at_a_journal_from_another_machine_does_not_claim_its_process_stopped() -> None:
    words = said(
        {"seq": 3, "ts": "2026-12-06T04:00:00.000Z", "type": ev.SESSION_INTERRUPTED, "actor": "system", "pid": 7, "elsewhere": "process 42 on db-admin-2"}
    )
    assert "found stopped" not in str(words)
    assert "process 42 on db-admin-2" in str(words) and "could not be checked from this machine" in str(words)


def _started(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return int(stat.read().rpartition(")")[2].split()[19])


def test_a_copy_resumed_on_another_machine_of_the_same_host_name_is_not_taken_for_a_reboot_of_this_one() -> None:
    here = this_process()
    assert here["machine"], "this machine's id (/etc/machine-id) is in the mark"
    twin = {**here, "pid": 4242, "started": 1, "boot": "another-kernel's-boot", "machine": "0" * 32}
    assert writer_verdict(twin) == "elsewhere", "another machine named as this one: its process cannot be checked from here"
    assert who(twin) == f"process 4242 on {here['host']} (another machine by this one's name)"
    assert writer_verdict({**twin, "machine": here["machine"]}) == "stopped", "this very machine, booted since"
    assert writer_verdict({key: value for key, value in twin.items() if key != "machine"}) == "stopped", "a mark without the id: as before"
    assert writer_verdict({**twin, "host": "db-admin-2"}) == "elsewhere"
