"""The event vocabulary of a run: one JSON object per journal line.

Every event has `seq`, `ts`, `type`, `actor`, `prev` and `hash` (see
journal.py); the rest is its payload, flat at the top level:

| type | payload |
| --- | --- |
| session_started | session, runbook, title, file, digest, params, ticket, mode, solo, assignee, verifier, plan |
| session_resumed | journal, pid |
| window_override | reason, window |
| step_ready | step, title, commands? {host: command}, undo? {host: command}, text?, confirm?, env? (the step as it will run, rendered with the captures known now, secrets masked; written whenever a step becomes the current one: what the verifier approves) |
| step_started | step, attempt, hosts, phase ("run"), title, commands {host: command as run, secrets masked}, undo?, text?, confirm?, env? (rendered as in step_ready) |
| output | step, host, stream, text, phase ("run" or "undo") |
| step_finished | step, status, hosts {host: {status, exit_code, error}}, verified, captured?, answer?, problems? |
| step_confirmed / step_rejected | step, phase ("before" or "after"), attempt (the run it is about), reason? |
| wave_started | step, wave (1-based), of (the step's number of waves), hosts |
| wave_finished | step, wave, of, failed (hosts of this wave that failed), stopped (the failure budget is spent), awaiting (verify: per_wave: the rollout waits for the verifier) |
| wave_confirmed / wave_rejected | step, wave, attempt, reason? (the verifier's decision on a finished wave; a rejection stops the rollout) |
| step_skipped | step, reason |
| step_marked_done | step, reason (an `unknown` step the assignee checked by hand) |
| checkpoint_reached | step |
| rollback_requested | reason |
| rollback_started | scope, plan (see engine.rollback.to_json), acknowledged |
| undo_started / undo_finished | step, hosts (started: list; finished: {host: {status, exit_code, error}}), commands? (started: {host: undo as run}) |
| rollback_finished | scope, ok, failed_step? |
| paused / resumed | reason |
| hold_requested | reason |
| note | text |
| error | message, step?, host? |
| metric_sample | panel, value, ts_sample, error (a failed reading: value null, the error in words) |
| guard_tripped | panel, value, threshold, for, action, samples |
| metrics_started | source {kind, url}, interval, timeout, panels [{id, title, query, unit, warn, critical, direction, for, on_critical}], success [criteria] |
| metric_baseline | panel, value, error, basis (what the panel read before the change) |
| success_check_started | when ("verify" or "end"), criteria [{panel, below/above, within, text}], until |
| success_checked | criterion {panel, below/above, within, text}, met, value, when, words |
| participant_joined / participant_left | name, role; repeats: sessions (a join and its leave) since the last one journaled that were counted instead (a participant reconnecting in a loop) |
| verifier_handover | from, to (a different verifier acts: a shift change) |
| share_started | address, fingerprint (the session's SSH host key) |
| share_closed | connections counted while shared: authenticated, unauthenticated (closed before authenticating), refused_address, refused_total, refused_descriptors (refused before any SSH work), refused_sessions (a participant's sessions over the limit of 4 at once), presence_unjournaled (sessions counted in no `repeats`) (may follow session_finished) |
| review | planned, surprised, change (the post-change review; may follow session_finished) |
| mode_changed | solo (reason or null), shared (bool), reason (resume --solo / --share changed how the run is verified) |
| session_reopened | outcome (the one it had), reason (resume --rollback on a failed session: a rollback follows) |
| criteria_accepted | reason, criteria [texts not met], needs_verifier (bool): the assignee accepts unmet success criteria |
| criteria_acceptance_confirmed | by the verifier, in a shared run |
| session_finished | outcome: done, failed, rolled_back, aborted or done_criteria_failed (all steps done, a success criterion not met, not accepted) |
| notified | event, target (the URL as shown: a secret URL by its source), status, attempts |
| notify_failed | event, target, error (in words, secrets masked), attempts |
| silence_created | id, alertmanager, matchers [text], starts_at, ends_at, comment, created_by |
| silence_failed | alertmanager, matchers?, id?, error, action ("create" or "expire") |
| silence_expired / silence_kept | id, alertmanager; kept: until (the window's end, after a rollback) |
| decision_signed | decision (seq), statement {kind, session, action, by, step, attempt, phase, shown, reason}, signature (armored SSHSIG), key (fingerprint) |
| seal | statement {kind, session, by, seq, head}, signature, key, role (the journal's head signed at a checkpoint and at the end) |
| plan_approved | statement {kind, plan, runbook, params, by}, signature, key, principal (the approval the run started under) |
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
WAVE_STARTED: Final = "wave_started"
WAVE_FINISHED: Final = "wave_finished"
WAVE_CONFIRMED: Final = "wave_confirmed"
WAVE_REJECTED: Final = "wave_rejected"
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
METRICS_STARTED: Final = "metrics_started"
METRIC_BASELINE: Final = "metric_baseline"
SUCCESS_CHECK_STARTED: Final = "success_check_started"
SUCCESS_CHECKED: Final = "success_checked"
PARTICIPANT_JOINED: Final = "participant_joined"
PARTICIPANT_LEFT: Final = "participant_left"
SESSION_FINISHED: Final = "session_finished"
VERIFIER_HANDOVER: Final = "verifier_handover"
SHARE_STARTED: Final = "share_started"
SHARE_CLOSED: Final = "share_closed"
REVIEW: Final = "review"
STEP_READY: Final = "step_ready"
MODE_CHANGED: Final = "mode_changed"
SESSION_REOPENED: Final = "session_reopened"
CRITERIA_ACCEPTED: Final = "criteria_accepted"
CRITERIA_ACCEPTANCE_CONFIRMED: Final = "criteria_acceptance_confirmed"

#: Finished outcomes after which `resume --rollback` may reopen the session to undo the change.
REOPENABLE: Final = frozenset({"failed", "done_criteria_failed", "aborted"})
NOTIFIED: Final = "notified"
NOTIFY_FAILED: Final = "notify_failed"
SILENCE_CREATED: Final = "silence_created"
SILENCE_FAILED: Final = "silence_failed"
SILENCE_EXPIRED: Final = "silence_expired"
SILENCE_KEPT: Final = "silence_kept"
DECISION_SIGNED: Final = "decision_signed"
SEAL: Final = "seal"
PLAN_APPROVED: Final = "plan_approved"

#: Events that may follow session_finished: the review of the finished change, people leaving,
#: the delivery of what the end itself set off (its notification, the silences' expiry), and the share server's counts.
AFTER_FINISH: Final = frozenset(
    {REVIEW, PARTICIPANT_LEFT, NOTIFIED, NOTIFY_FAILED, SILENCE_EXPIRED, SILENCE_KEPT, SILENCE_FAILED, SHARE_CLOSED, SEAL, DECISION_SIGNED}
)

#: Events that show a step's rendered commands to the verifier; a signed decision names the last one's hash.
STEP_READY_TYPES: Final = frozenset({STEP_READY, STEP_STARTED})

#: Events written in groups (fsynced at least once a second and before any other event).
GROUPED: Final = frozenset({OUTPUT, METRIC_SAMPLE})

SYSTEM: Final = "system"
