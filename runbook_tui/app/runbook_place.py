"""Where the runbook of a journaled run is now: `resume` and `practice` look in the same places, then in the journal."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import Loaded, load_runbook, load_text


def runbook_file(journal: str | Path, session: Mapping[str, Any]) -> str:
    """The runbook of that run: where it was, else its file name here, else next to the journal (the digest decides).

    `session` is the run's session_started (`path`: absolute, as started; `file`: as given on the command line).
    """
    named = str(session["file"])
    candidates = [str(session.get("path") or ""), named, str(Path(journal).parent / Path(named).name)]
    return next((c for c in candidates if c and Path(c).is_file()), str(session.get("path") or named))


def kept_copy(session: Mapping[str, Any]) -> bytes | None:
    """The runbook's text as session_started keeps it (since session 27), when it is the run's (its sha256 is the digest)."""
    source = session.get("source")
    if not isinstance(source, str):
        return None
    data = source.encode("utf-8", "surrogatepass")
    return data if "sha256:" + hashlib.sha256(data).hexdigest() == session.get("digest") else None


def reload_runbook(journal: str | Path, session: Mapping[str, Any], *, changed_too: bool = False) -> tuple[Loaded, str | None]:
    """The run's runbook with the run's values: its file (where `runbook_file` finds it); when that is gone (or, with
    `changed_too`, no longer the run's), the copy the journal keeps. With the copy: the words that say so, else None.
    RunbookInvalid from loading the file when neither will do: the caller compares the digest and says why."""
    params = dict(session.get("params") or {})
    place = runbook_file(journal, session)
    loaded, invalid = None, None
    if Path(place).is_file():
        try:
            loaded = load_runbook(place, params)
        except RunbookInvalid as exc:  # edited into something else: refused, unless the journal's copy will do
            if not changed_too:
                raise
            invalid = exc
        if loaded is not None and (not changed_too or loaded.runbook.digest == session.get("digest")):
            return loaded, None
    copy = kept_copy(session)
    if copy is None:
        if invalid is not None:
            raise invalid
        return (loaded or load_runbook(place, params)), None  # the changed file (the digest refuses it), or why it cannot be read
    why = "is gone" if loaded is None and invalid is None else "changed since the run started"
    words = f"the runbook file {session['file']} {why}: the run's own runbook, as the journal keeps it, is used"
    return load_text(copy, str(session["file"]), params), words
