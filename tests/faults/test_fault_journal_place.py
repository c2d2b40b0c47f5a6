"""A journal (or the demo's sandbox) where it cannot be: each OS error says what failed, where, and what to do.

Before, the line ended with the system's words (`cannot make the journal's folder afile/deeper: Not a directory`,
`cannot open the journal mnt/j.jsonl: Read-only file system`): which part of the path was in the way and what to do
next were left to the reader; `demo` with a state folder it could not use ended in a traceback. The real cases:
a file where a folder should be, a folder without write permission (as root: with the capability to ignore
permissions dropped), a read-only file system and a full one (a small tmpfs), a folder that cannot be made (/proc).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, run, write_runbook
from test_fault_disk_full import small_tmpfs


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    [said] = [line for line in result.stderr.splitlines() if line.startswith("runbook-tui: ")]
    return said


def test_each_place_a_journal_cannot_be_says_what_failed_where_and_what_to_do(tmp_path: Path) -> None:
    rb = write_runbook(tmp_path, "place", [{"id": "one", "title": "One", "run": f"touch {tmp_path}/ran"}])
    (tmp_path / "afile").write_text("not a folder\n")
    for journal, said in [
        ("afile/j.jsonl", "cannot open the journal afile/j.jsonl: Not a directory; afile is a file, not a folder: give --journal a path elsewhere"),
        (
            "afile/deeper/j.jsonl",
            "cannot make the journal's folder afile/deeper: Not a directory; afile is a file, not a folder: give --journal a path elsewhere",
        ),
        (
            "/proc/nope/j.jsonl",
            "cannot make the journal's folder /proc/nope: No such file or directory; /proc cannot hold new folders or files:"
            " give --journal a path in a folder that exists",
        ),
    ]:
        result = run(tmp_path, "exec", str(rb), "--solo", "t", "--journal", journal)
        assert (result.returncode, _one_line(result)) == (2, f"runbook-tui: {said}"), result.stderr

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    # As root, permissions are ignored unless the capability to is dropped: this is a user who may not write there.
    as_a_user = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 else []
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    for journal, what in [("locked/j.jsonl", "cannot open the journal locked/j.jsonl"), ("locked/sub/j.jsonl", "cannot make the journal's folder locked/sub")]:
        result = subprocess.run(
            [*as_a_user, *RUNBOOK_TUI, "exec", str(rb), "--solo", "t", "--journal", journal],
            cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        said = f"runbook-tui: {what}: Permission denied; this user ({user}) may not write in locked: give --journal a path elsewhere, or get write access there"
        assert (result.returncode, _one_line(result)) == (2, said), result.stderr

    with small_tmpfs(tmp_path / "small") as small:
        failing = write_runbook(tmp_path, "failing", [{"id": "one", "title": "One", "run": "exit 3", "undo": "true"}])
        failed = run(tmp_path, "exec", str(failing), "--solo", "t", "--on-failure", "stop", "--journal", "small/old.jsonl")
        assert failed.returncode == 1 and "resume small/old.jsonl --rollback" in failed.stdout, failed.stdout + failed.stderr
        with (small / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):  # until no room is left
            while True:
                filler.write(b"\0" * 4096)
        full = run(tmp_path, "exec", str(rb), "--solo", "t", "--journal", "small/j.jsonl")
        said = (
            "runbook-tui: cannot write the journal small/j.jsonl: No space left on device; the disk holding small is full"
            " (or its quota is used up): free space there; nothing was run"
        )
        assert (full.returncode, _one_line(full)) == (1, said), full.stderr
        subprocess.run(["mount", "-o", "remount,ro", str(small)], check=True, capture_output=True, timeout=10)
        for journal, what in [("small/r.jsonl", "cannot open the journal small/r.jsonl"), ("small/sub/j.jsonl", "cannot make the journal's folder small/sub")]:
            result = run(tmp_path, "exec", str(rb), "--solo", "t", "--journal", journal)
            said = f"runbook-tui: {what}: Read-only file system; small is on a read-only file system: give --journal a path on one that can be written"
            assert (result.returncode, _one_line(result)) == (2, said), result.stderr
        resumed = run(tmp_path, "resume", "small/old.jsonl", "--rollback")
        said = (
            "runbook-tui: cannot open the journal small/old.jsonl: Read-only file system; small is on a read-only file system:"
            " copy the journal to one that can be written and resume the copy"
        )
        assert (resumed.returncode, _one_line(resumed)) == (2, said), resumed.stderr


def test_the_demo_with_a_state_folder_it_cannot_use_says_so_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    result = run(tmp_path, "demo", "--exec", env=env_for(tmp_path, XDG_STATE_HOME=str(tmp_path / "afile")))
    said = (
        f"runbook-tui: demo: cannot make its sandbox in {tmp_path}/afile/runbook-tui/demo: Not a directory;"
        f" {tmp_path}/afile is a file, not a folder: set XDG_STATE_HOME to a folder you can write"
    )
    assert (result.returncode, _one_line(result)) == (2, said), result.stderr


def test_a_read_only_journal_and_a_report_that_cannot_be_written_say_what_to_do_and_leave_no_half_report(tmp_path: Path) -> None:
    """`resume` of a journal the user may not write said `may not write in .` (the folder, which was writable); `report
    -o` said only the system's words, and on a full disk left half a report there, cut mid-sentence, that read as the
    whole one."""
    as_a_user = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 else []
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    failing = write_runbook(tmp_path, "failing", [{"id": "one", "title": "One", "run": "exit 3", "undo": "true"}])
    failed = run(tmp_path, "exec", str(failing), "--solo", "t", "--on-failure", "stop", "--journal", "j.jsonl")
    assert failed.returncode == 1, failed.stderr
    (tmp_path / "j.jsonl").chmod(0o444)
    (tmp_path / "old.md").write_text("an older report\n")
    (tmp_path / "old.md").chmod(0o444)

    def as_user(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*as_a_user, *RUNBOOK_TUI, *args],
            cwd=tmp_path,
            env=env_for(tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    resumed = as_user("resume", "j.jsonl", "--rollback")
    said = (
        f"runbook-tui: cannot open the journal j.jsonl: Permission denied; this user ({user}) may not write to j.jsonl, and resume appends to it:"
        " get write access to it, or copy the journal to a folder you can write and resume the copy"
    )
    assert (resumed.returncode, _one_line(resumed)) == (2, said), resumed.stderr
    report = as_user("report", "j.jsonl", "-o", "old.md")
    said = (
        f"runbook-tui: cannot write old.md: Permission denied; this user ({user}) may not write to old.md: get write access to it, or give -o a path elsewhere"
    )
    assert (report.returncode, _one_line(report)) == (2, said), report.stderr
    (tmp_path / "reports").mkdir()
    report = run(tmp_path, "report", "j.jsonl", "-o", "reports")
    said = "runbook-tui: cannot write reports: Is a directory; reports is a folder: give -o a file name in it (reports/NAME)"
    assert (report.returncode, _one_line(report)) == (2, said), report.stderr

    with small_tmpfs(tmp_path / "small") as small:
        with (small / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):  # until no room is left
            while True:
                filler.write(b"\0" * 4096)
        os.truncate(small / "filler", (small / "filler").stat().st_size - 4096)  # room for a first block, not the report
        change = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"  # a report of some 20 KB
        report = run(tmp_path, "report", str(change), "-o", "small/r.md")
        said = (
            "runbook-tui: cannot write small/r.md: No space left on device; the disk holding small is full (or its quota is used up):"
            " free space there, or give -o a path on another disk"
        )
        assert (report.returncode, _one_line(report)) == (2, said), report.stderr
        assert not (small / "r.md").exists(), "half a report left behind"


def test_new_on_a_full_or_read_only_disk_leaves_no_empty_runbook_to_trip_over(tmp_path: Path) -> None:
    """`new small/x.yaml` on a full disk said `cannot write …: No space left on device` and left an empty x.yaml: once
    space was freed, the same command said `x.yaml exists; not overwriting it`. Now nothing is left, and each error
    says what to do."""
    with small_tmpfs(tmp_path / "small") as small:
        with (small / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):  # until no room is left
            while True:
                filler.write(b"\0" * 4096)
        made = run(tmp_path, "new", "small/x.yaml", "--kind", "config-edit")
        said = (
            "runbook-tui: cannot write small/x.yaml: No space left on device; the disk holding small is full (or its quota is used up):"
            " free space there, or name a file on another disk"
        )
        assert (made.returncode, _one_line(made)) == (2, said), made.stderr
        assert not (small / "x.yaml").exists(), "an empty runbook left behind"
        (small / "filler").unlink()  # space freed: the same command now works
        again = run(tmp_path, "new", "small/x.yaml", "--kind", "config-edit")
        assert again.returncode == 0 and (small / "x.yaml").stat().st_size > 0, again.stderr
        subprocess.run(["mount", "-o", "remount,ro", str(small)], check=True, capture_output=True, timeout=10)
        made = run(tmp_path, "new", "small/y.yaml", "--kind", "config-edit")
        said = "runbook-tui: cannot write small/y.yaml: Read-only file system; small is on a read-only file system: name a file on one that can be written"
        assert (made.returncode, _one_line(made)) == (2, said), made.stderr
