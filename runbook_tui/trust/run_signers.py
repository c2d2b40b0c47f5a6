"""Whether the allowed_signers file a check reads is the one the run itself read.

`session_started` (and each `session_resumed`) records the file the run read for who is who ({path, sha256}, since
session 36). `journal verify` and `report` check with the file they are given: the same list as the run's (its sha256
matches) or another (an attacker's copy naming their own key as the verifier's, or the board's newer list). Both are
said plainly, neither fails the check by itself; a journal without the record (older, or a run that read no file) says
nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from runbook_tui.engine.events import SESSION_RESUMED, SESSION_STARTED, Event
from runbook_tui.runbook.lean_dataclass import dataclass


@dataclass(frozen=True, slots=True)
class RunSigners:
    """The allowed_signers file the run recorded at journal line `line`, and whether it is the one checked with now."""

    line: int
    path: str
    sha256: str
    same: bool

    def words(self, literal: Callable[[str], str] = str, prose: Callable[[str], str] = str) -> str:
        """In words; `literal` writes the path and the digest (Markdown: as code), `prose` the rest (escaped)."""
        if self.same:
            return prose(f"the same allowed signers file the run used (sha256 matches its record at line {self.line})")
        head = prose(f"NOT the allowed signers file the run used: the run's (line {self.line}) was")
        return f"{head} {literal(self.path)}, sha256 {literal(self.sha256)}{prose('; who is who may differ from what the run checked')}"


def run_signers(event: Event, digest: str) -> RunSigners | None:
    """The file `event` (one journal event) says the run read, against the file of sha256 `digest`; None: it says none."""
    if event.get("type") not in (SESSION_STARTED, SESSION_RESUMED):
        return None
    recorded = event.get("allowed_signers")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("sha256"), str):
        return None
    return RunSigners(int(event.get("seq", 0)) + 1, str(recorded.get("path", "")), recorded["sha256"], recorded["sha256"] == digest)


def all_run_signers(events: Iterable[Event], digest: str) -> list[RunSigners]:
    return [found for event in events if (found := run_signers(event, digest)) is not None]
