"""Which events may follow `session_finished` in a journal: one rule for `journal verify`, the report, replay and resume."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.engine.events import AFTER_FINISH, ERROR


def may_follow_end(event: Mapping[str, Any]) -> bool:
    """An event of AFTER_FINISH, or the `error` saying a seal or a signature of the end could not be made (`unsigned`:
    the kind; an agent refusing the key, a hardware key never touched): its signature may come after the end, so may
    the word that it never came."""
    kind = event.get("type")
    return kind in AFTER_FINISH or (kind == ERROR and isinstance(event.get("unsigned"), str))
