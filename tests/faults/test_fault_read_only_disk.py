"""The journal's filesystem going read-only mid-run, as ext4 does on an I/O error with `errors=remount-ro`.

A real ext4 image on a loop device, its error triggered through sysfs (`trigger_fs_error`) while a step runs: the next
journal write gets EROFS. Then, the filesystem checked and mounted again (the disk back), `resume` continues.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from fault_helpers import of_type, raw_events, run, write_runbook
from test_fault_disk_full import cannot_mount
from test_fault_two_writers import gated_steps, start


def _sh(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        cannot_mount(f"{' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


@contextlib.contextmanager
def ext4_image(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """An 8 MiB ext4 image mounted (loop, errors=remount-ro) at tmp_path/mnt: (mount point, image)."""
    image, where = tmp_path / "disk.img", tmp_path / "mnt"
    where.mkdir()
    with image.open("wb") as made:
        made.truncate(8 << 20)
    _sh("mkfs.ext4", "-q", str(image))
    _sh("mount", "-o", "loop,errors=remount-ro", str(image), str(where))
    try:
        yield where, image
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


def test_the_journal_disk_going_read_only_mid_step_stops_the_run_in_words_and_resume_continues(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    runbook = write_runbook(tmp_path, "read-only", gated_steps(gate))
    with ext4_image(tmp_path) as (where, image):
        journal = where / "J.jsonl"
        device = Path(_sh("findmnt", "-no", "SOURCE", str(where))).name
        first = start(tmp_path, "exec", str(runbook), "--solo", "t", "--journal", str(journal))
        ledger, deadline = tmp_path / "ledger", time.monotonic() + 30
        while not (ledger.exists() and "two" in ledger.read_text().split()):
            assert time.monotonic() < deadline and first.poll() is None, "step two never started"
            time.sleep(0.05)
        Path(f"/sys/fs/ext4/{device}/trigger_fs_error").write_text("1")  # the kernel now refuses writes: EROFS
        gate.touch()
        out, err = first.communicate(timeout=30)
        assert first.returncode == 1, out + err
        assert "Traceback" not in out + err
        assert f"cannot write the journal {journal}: Read-only file system; the run stops before the next step" in err, err
        assert f"resume {journal}" in err, err
        assert ledger.read_text().split() == ["one", "two"], "a step started after the journal could not be written"

        subprocess.run(["umount", str(where)], capture_output=True, timeout=30)
        subprocess.run(["e2fsck", "-fy", str(image)], capture_output=True, timeout=60)  # the disk back, checked
        _sh("mount", "-o", "loop", str(image), str(where))
        looked = run(tmp_path, "resume", str(journal), "--headless")
        assert "UNKNOWN" in looked.stdout and "Nothing was re-run" in looked.stdout, looked.stdout + looked.stderr
        resumed = run(tmp_path, "resume", str(journal), "--headless", "--rerun", "--continue")
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert ledger.read_text().split() == ["one", "two", "two", "three"]
        assert of_type(raw_events(journal), "session_finished")
        assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
