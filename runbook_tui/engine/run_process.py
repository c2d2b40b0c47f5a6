"""Which process writes a journal, so that `resume` can tell whether it still runs (the journal's lock does not reach a copy).

`session_started` and `session_resumed` carry `process`: {pid, started, boot, host, machine}: the writer's pid, its start
time (field 22 of /proc/PID/stat, clock ticks since boot: a pid used again by another process has another), this
machine's boot id (/proc/sys/kernel/random/boot_id: a process of an earlier boot is gone), host name and machine id
(/etc/machine-id, kept across boots: another boot id under the same host name is a reboot only on the same machine; a
cloned or containerised twin carries the same name). A `resume` of a journal
whose last writer is marked, still runs here and still holds a journal's writer lock (/proc/locks) refuses; one written on another machine cannot be checked from here, and
says so. Journals older than the field (session 34) are resumed as before.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any, Literal

Verdict = Literal["running", "stopped", "elsewhere", "unmarked"]


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as file:
            return file.read().strip()
    except OSError:
        return ""


def _started(pid: int | str) -> int | None:
    """The process's start time in clock ticks since boot, or None (no such process, or no /proc)."""
    fields = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()  # the name, in parentheses, may hold spaces
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


def this_process(journal: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The mark of this process, for `session_started` / `session_resumed` (`started`: 0 and `boot`: "" without /proc;
    `file`: the journal it writes as /proc/locks names it, MAJOR:MINOR:INODE)."""
    boot, machine = _read("/proc/sys/kernel/random/boot_id"), _read("/etc/machine-id") or _read("/var/lib/dbus/machine-id")
    mark = {"pid": os.getpid(), "started": _started("self") or 0, "boot": boot, "host": socket.gethostname(), "machine": machine}
    try:
        st = os.stat(journal) if journal is not None else None
    except OSError:
        st = None
    return mark if st is None else {**mark, "file": f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"}


def writer_verdict(mark: Mapping[str, Any] | None) -> Verdict:
    """Whether the process `mark` names still runs: `running` (same boot of this machine, that pid started then),
    `stopped` (gone, or this machine booted since), `elsewhere` (another machine: it cannot be checked from here),
    `unmarked` (no mark, or no /proc to check it by)."""
    if not isinstance(mark, Mapping) or not isinstance(mark.get("pid"), int) or not isinstance(mark.get("started"), int):
        return "unmarked"
    here = this_process()
    if mark["pid"] == here["pid"] and mark["started"] == here["started"]:
        return "stopped"  # this process resumes a run it wrote (a copy: the journal itself it would hold locked): that run ended
    if _elsewhere(mark, here):
        return "elsewhere"
    if not mark.get("boot") or not here["boot"]:
        return "unmarked"  # no /proc where it ran or here: as before the mark
    if mark["boot"] != here["boot"]:
        return "stopped"  # this machine booted since: the process is gone
    alive = mark["started"] and _started(mark["pid"]) == mark["started"]
    return "running" if alive and _holds_its_journal(mark["pid"], mark.get("file")) else "stopped"


def _elsewhere(mark: Mapping[str, Any], here: Mapping[str, Any]) -> bool:
    """Whether `mark` was written on another machine: another host name, or another machine id under the same name (a
    clone or a container named as this machine: its other boot id read as this machine's reboot). A mark without the id
    (before session 35, or no /etc/machine-id) is judged by the name alone, as before."""
    theirs = mark.get("machine")
    return mark.get("host") != here["host"] or (isinstance(theirs, str) and bool(theirs and here["machine"]) and theirs != here["machine"])


def _holds_its_journal(pid: int, file: Any) -> bool:
    """Whether process `pid` holds its journal's writer lock (an exclusive `flock` on `file`, or on any file when the mark
    has none): a process that ran a session and went on to something else, the TUI's picker, has let it go. Without
    /proc/locks: as if it did."""
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as locks:
            held = [line.split()[1:6] for line in locks]
    except OSError:
        return True
    return any(lock[:4] == ["FLOCK", "ADVISORY", "WRITE", str(pid)] and (not file or lock[4:] == [file]) for lock in held)


def who(mark: Mapping[str, Any] | None) -> str:
    """The writer a mark names: "process 4242 on db-admin-1"."""
    mark = mark or {}
    here = this_process()
    twin = mark.get("host") == here["host"] and _elsewhere(mark, here)  # the same name, not this machine: say so
    return f"process {mark.get('pid')} on {mark.get('host') or 'an unnamed host'}" + (" (another machine by this one's name)" if twin else "")
