"""Where the runbook of a journaled run is now: `resume` and `practice` look in the same places."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def runbook_file(journal: str | Path, session: Mapping[str, Any]) -> str:
    """The runbook of that run: where it was, else its file name here, else next to the journal (the digest decides).

    `session` is the run's session_started (`path`: absolute, as started; `file`: as given on the command line).
    """
    named = str(session["file"])
    candidates = [str(session.get("path") or ""), named, str(Path(journal).parent / Path(named).name)]
    return next((c for c in candidates if c and Path(c).is_file()), str(session.get("path") or named))
