"""A runbook given where a journal is asked for: `report rb.yaml`, `resume rb.yaml`, the first mistake of a tired night.

Before, each command said it in its own words (`rb.yaml: line 1 is not JSON: expected a runbook-tui journal`), none
naming what the file is or where the journal is: the journal's path is printed when a run starts, and by default
journals are kept in the state folder.
"""

from __future__ import annotations

import argparse
import os
import re
import stat

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.safe_text import visible_line

#: The commands that read a JOURNAL (as `args.journal`).
_READ_JOURNAL = frozenset({"report", "resume", "replay", "journal"})
#: How much of the file is looked at: a runbook says `runbook: 1` near its top (comments may come first).
_HEAD = 4096
_RUNBOOK_KEY = lazy_re.compile(rb"^runbook\s*:", re.MULTILINE)


def runbook_for_journal(args: argparse.Namespace) -> str | None:
    """What to say when the JOURNAL given is a runbook (None when it is not, or cannot be read: the command says why)."""
    path = getattr(args, "journal", None)
    if args.command not in _READ_JOURNAL or not isinstance(path, str):
        return None
    try:  # a regular file only: a pipe (`report <(zcat j.gz)`) read here would be read no more, a FIFO would block
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
    except (OSError, ValueError):
        return None
    if head.lstrip().startswith(b"{") or not _RUNBOOK_KEY.search(head):
        return None
    from runbook_tui.app.settings import journals_dir

    command = "journal verify" if args.command == "journal" else args.command
    return visible_line(
        f"{command}: {path} is a runbook, not a journal: {command} reads the journal a run wrote (its path is printed when "
        f"the run starts; by default in {journals_dir()}/)"
    )
