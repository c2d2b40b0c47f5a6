"""The event vocabulary of a run: one JSON object per journal line.

Every event has `seq`, `ts`, `type`, `actor`, `prev` and `hash` (see
journal.py); the rest is its payload, flat at the top level:

| type | payload |
| --- | --- |
| session_started | session, runbook, title, file, digest, params, ticket, mode, solo, assignee, verifier, plan |
| session_resumed | journal, pid |
| window_override | reason, window |
| step_started | step, attempt, hosts, phase ("run") |
| output | step, host, stream, text, phase ("run" or "undo") |
| step_finished | step, status, hosts {host: {status, exit_code, error}}, verified, captured?, answer?, problems? |
| step_confirmed / step_rejected | step, phase ("before" or "after"), by, reason? |
| step_skipped | step, reason |
| step_marked_done | step, reason (an `unknown` step the assignee checked by hand) |
| checkpoint_reached | step |
| rollback_requested | reason |
| rollback_started | scope, plan (see engine.rollback.to_json), acknowledged |
| undo_started / undo_finished | step, hosts (started: list; finished: {host: {status, exit_code, error}}) |
| rollback_finished | scope, ok, failed_step? |
| paused / resumed | reason |
| hold_requested | reason |
| note | text |
| error | message, step?, host? |
| metric_sample | panel, value, ts_sample |
| guard_tripped | panel, value, threshold, for, action, samples |
| participant_joined / participant_left | name, role |
| session_finished | outcome: done, failed, rolled_back or aborted |
"""

from __future__ import annotations

from typing import Any, Final

Event = dict[str, Any]

SESSION_STARTED: Final = "session_started"
SESSION_RESUMED: Final = "session_resumed"
WINDOW_OVERRIDE: Final = "window_override"
STEP_STARTED: Final = "step_started"
OUTPUT: Final = "output"
STEP_FINISHED: Final = "step_finished"
STEP_CONFIRMED: Final = "step_confirmed"
STEP_REJECTED: Final = "step_rejected"
STEP_SKIPPED: Final = "step_skipped"
STEP_MARKED_DONE: Final = "step_marked_done"
CHECKPOINT_REACHED: Final = "checkpoint_reached"
ROLLBACK_REQUESTED: Final = "rollback_requested"
ROLLBACK_STARTED: Final = "rollback_started"
UNDO_STARTED: Final = "undo_started"
UNDO_FINISHED: Final = "undo_finished"
ROLLBACK_FINISHED: Final = "rollback_finished"
PAUSED: Final = "paused"
RESUMED: Final = "resumed"
HOLD_REQUESTED: Final = "hold_requested"
NOTE: Final = "note"
ERROR: Final = "error"
METRIC_SAMPLE: Final = "metric_sample"
GUARD_TRIPPED: Final = "guard_tripped"
PARTICIPANT_JOINED: Final = "participant_joined"
PARTICIPANT_LEFT: Final = "participant_left"
SESSION_FINISHED: Final = "session_finished"

#: Events written in groups (fsynced at least once a second and before any other event).
GROUPED: Final = frozenset({OUTPUT, METRIC_SAMPLE})

SYSTEM: Final = "system"
