"""The fan-out bench's sessions' HOME, where the engine keeps each run's files on the host: a fresh journaled ext4 (see
`bench/fanout.py`'s docstring for why), or the user's own."""

from __future__ import annotations

import subprocess
from pathlib import Path

#: The journaled ext4 image each count's sessions get as HOME (`session_home`): room for 1,000 hosts' runs many times.
HOME_IMAGE_MB = 256


def run_setup(argv: list[str]) -> str | None:
    """Run a set-up command; None when it worked, else why not."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True)
    except OSError as exc:
        return f"{argv[0]}: {exc}"
    return None if done.returncode == 0 else f"{' '.join(argv[:2])}: {(done.stderr or done.stdout).strip()[-300:]}"


def session_home(work: Path, journaled: bool) -> tuple[Path, bool, str]:
    """The sessions' HOME: a fresh journaled ext4 mounted at `work/home`, or the user's own; (path, mounted, words).

    The inode tables are written at mkfs time (`lazy_itable_init=0`): no kernel thread zeroing them during the runs.
    """
    if not journaled:
        return Path.home(), False, f"the user's HOME ({Path.home()})"
    image, home = work / "home.img", work / "home"
    home.mkdir()
    with image.open("wb") as file:
        file.truncate(HOME_IMAGE_MB * 1024 * 1024)
    why = run_setup(["mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", str(image)]) or run_setup(
        ["mount", "-o", "loop", str(image), str(home)]
    )
    if why is None:
        return home, True, "a fresh journaled ext4 (loop) of this count"
    image.unlink()
    home.rmdir()
    return Path.home(), False, f"the user's HOME ({Path.home()}): no journaled ext4 could be mounted ({why})"
