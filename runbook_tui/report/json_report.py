"""The change report as JSON, for machines: the `Report` model, field for field.

The object is stable: `format` is `"runbook-tui-report/1"`; keys are only
ever added within a format version, never renamed or given another meaning.
Times are the journal's ISO 8601 UTC strings; durations are seconds (float);
absent values are `null`, never missing keys.

| key | what |
| --- | --- |
| format | `"runbook-tui-report/1"` |
| source | the journal's file name |
| ticket | id (null: no ticket), subject, description, risk_level, risk_summary, mitigations, assignee, verifier, success_criteria |
| window | start, end (as the ticket wrote them), started_inside, ended_inside, stayed_inside (null: no window), override, override_by, override_resumed (true only: the override was given on resume): the last override; overrides [{at, by, reason, resumed}]: each, in order (the start's, then each resume's) |
| session | id, runbook, title, file, digest, params (secrets masked), mode, solo (reason or null), assignee (who started it; resumed_by says who went on), verifier, started_at, finished_at (null: unfinished), last_event_at, duration_seconds, outcome (done, failed, rolled_back, aborted, done_criteria_failed, unfinished), finished_by (who ended it: a full rollback's end, which the program journals, is by who started that rollback), finished_driver (the command whose policy ended it for finished_by: exec, rehearse; null when it was a person's move), resumed_at [], resumed_by [] (who resumed it, in the same order), solo_reasons [] (every reason given to go solo, in order; solo is the last), participants [{name, role, joined_at, left_at, gone_with_process (joined when the process died: left_at is its last event, not a leave)}], handovers [{at, previous, to}], shared_at, share_fingerprint, share_connections {authenticated, unauthenticated (all that closed before authenticating), no_login_tried (those of them that never asked to log in, as a join's look at the session's version and host key), refused_address, refused_total, refused_descriptors, refused_sessions, refused_requests, sessions_counted: counts, those above 0}, planned_assignee (the ticket's assignee), criteria_unmet [texts], criteria_acceptance {reason, by, at, needs_verifier, criteria, confirmed_by} or null, verifiers_heard [names: who gave a verifier's word on a step, the assignee not counted], still_applied [step ids: after a run that ended rolled back to a checkpoint, the steps with an undo it left applied, newest first; [] after any other end], open_because (why an unfinished run's journal ends open: the program's note on the signal that stopped it, else `paused (REASON)`; null when finished or nothing says why), ran_by [names: who was at the keyboard, in order: who started it, then each who resumed it when not the one before, as md and html's Assignee row says `ran by: alice, then dave`; since session 38] |
| counts | {outcome: number of steps}: each step's `counted`, as the Markdown's Summary says them |
| unverified | ids of steps completed without a verifier's confirmation |
| steps | every step of the runbook, in order: number, id, title, section, section_title, section_kind, kind, hosts, commands {host: command} or null (as rendered for people: step_ready / step_started, else the plan), text, undo {host: command} or null, checkpoint, verify, serial (wave sizes as written; [] one wave), max_fail (as written), wave_plan (a group step's waves and failure budget in words; "" on one host), outcome (done, failed, timed_out, unknown, rejected, skipped, undone, reset (a rollback to a checkpoint went back past it with nothing to undo: it runs again, nothing undid it), awaiting_verification, not run; a step running when the journal ends is unknown, with record_ends_running true), result (the outcome before a rollback undid or reset it), counted (how `counts` and the Summary count it: the outcome, `not needed` for a rollback section's step not run while no full rollback started, `not rolled back` for a done step a rollback passed over, not_rolled_back true, or `reset`), attempts [{number, started_at, started_by, finished_at, duration_seconds, status, during_rollback, commands {host: command as run} ({} in journals before it was recorded), hosts [{host, status, exit_code, error}], problems, checks_met (expect.metric that held, in words with the reading), tolerated (hosts that failed within max_fail, in words: the step went on), left_out {host: why} (hosts not run on: an earlier step failed, timed out or ended unknown there), output_lines, output_tail [{host, stream, text}], retries [the program's note before each retry of a host's command, saying how that try ended]}], decisions [{kind: go-ahead, go-ahead refused, confirmed, rejected, skipped, marked done, wave N confirmed, wave N rejected (verify: per_wave); by, at, reason}], history [{at, kind (attempt, go-ahead asked: the assignee asked the verifier for it, go-ahead, go-ahead refused, confirmed, rejected, skipped, marked done, wave N confirmed, wave N rejected, rollback, undo, stopped: the assignee stopped the attempt with k, undo stopped: they stopped its undo, ack-manual: exec --ack-manual marked this note or ask step done with no person, its words the journaled note; follow: a re-run, or a resumed rollback's undo, followed the runs a stopped process left, its words the journaled note, said before the attempt it began), by, reason, attempt (its number in attempts, for kind attempt), words (rollback and undo in words)}]: everything that happened to the step, in time order, confirmed_by, confirmed_at, go_ahead_by, verification (confirmed, unverified, rolled back before confirmation: completed, then undone before a verifier confirmed it, not in `unverified`; unverified (solo run), then rolled back: completed while the run was solo (no confirmation was due), then undone, not in `unverified`; reset before confirmation and unverified (solo run), then reset: the same two for a step reset (nothing undid it: it runs again); waiting for verifier: the journal ends open while it waits for the verifier's word, not in `unverified`; not required, n/a), unverified, reason, started_at, finished_at, duration_seconds, answer, captured, record_ends_running (it was running when the journal ends: nobody saw it end; its last attempt's status is unknown too), not_rolled_back (a rollback passed over it: it ran and has no undo, so its change stands; the outcome column says `ran; no undo, not rolled back`), undone_hosts? (only on a step a rollback's undo ended ok on some hosts and failed on others, so it is not undone as a whole: those hosts; the outcome column says `undone on web1 only`), ran_before_skip? (only on a skipped step that had begun on some host before the skip: {host: undone (a rollback undid it there), or stands (nothing undid what it did there)}; the outcome column says `skipped after it ran; not undone on web1` or `skipped after it ran and was undone`) |
| rollbacks | [{number, scope, reason, started_by, started_at, back_to, acknowledged, requested_by, requested_reason, requested_at (when the verifier asked; null in journals without a request), finished_at, duration_seconds, ok, failed_step, undo [{step, step_title, host, command, original_outcome, note (how the step stood on that host, in the undo list's words: `step failed, injected by rehearse --fail-at: its command never ran`, `step ran, then rejected by bob`; "" plainly done), status (ok, failed, not run, no undo, running: the journal ends during it, unknown: the program stopped during it), exit_code, error, output_lines (how many lines it printed, in the journal), output_tail (the last 20 of them)}], rollback_steps, driver (the command whose policy started it: exec, rehearse; "" when a person did)}] |
| rollbacks_declined | rollback requests the assignee declined (`x` at the request; the run went on): [{at, by, reason, request (its words, as shown to the assignee), asked_by (the verifier; null: a guard's request), step (where the run stood), words (as exec, the log, replay and the verifier's screen say it)}] |
| guard_trips | [{at, panel, value, threshold, for_seconds, action, step (where the run stood), words}] |
| panels | [{id, title, unit, warn, critical, direction, samples, failed_readings, noted_readings (with a value that leaves something out: a series NaN among others, a stale sample), before (the baseline, else the first reading), before_basis, after (the last reading), first_at, last_at, min, max, trips, series [[at, value or null]] (at most 240 points: longer series keep each bucket's lowest and highest), series_reduced}] |
| success | measured success criteria: [{at (null: undecided), when (verify or end), criterion, met (null: undecided), value, words}] |
| notes | [{at, by, text, step}] |
| pauses | [{at, by, reason, resumed_at, resumed_by, ended_by (resumed, rollback, or null: still paused), lifted (the words the pause was lifted with, `resume --lift-pause REASON`: "pause lifted (resume --lift-pause): REASON"; null: resumed with p, ended by a rollback, or still paused), asked (the verifier's hold this pause answered, as the assignee saw it: "bob: REASON"; null: none)}] |
| errors | [{at, message, step, host, transient (said while the run went on, as journaled, and not on a host where the attempt it was said in then failed, timed out or ended unknown)}] |
| notifications | notices to receivers (`notify`), in order: [{at, about (the event it was about), target (as shown: a secret URL by its source), sent, status (HTTP, null unless sent), attempts, error (null when sent; secrets masked)}] |
| silences | Alertmanager silences (`alerts.silence`): [{alertmanager, id (null: not created), matchers [text], at (created, or the failed try), created_by, starts_at, ends_at, comment, status (active when the journal ends, expired, kept, not created, expiry failed), ended_at, until (kept: until when), error}] |
| reviews | [{at, by, planned, surprised, change}] |
| integrity | events, final_hash, verified (`journal verify` passes), problems |
| signatures? | (the ? : only when the journal holds signatures, or allowed signers were given) [{line, what, by, key, status: verified, unchecked, unsigned or fails, words}] |
| allowed_signers? | (with `signatures`) the file they were checked with: {path, sha256 (of the file as read for this report), source (`given by --allowed-signers`, or `allowed_signers: in SETTINGS`), run? (since session 36: the file the run read, as each session_started/session_resumed recorded it: [{line, path, sha256, same (its sha256 is this file's)}]; absent when the journal records none)}, or null: none given (each signature holds for the key in it; who holds it was not checked) |
| timeline | [{seq, at, actor, type, text}]: every event but output and metric samples, in words |
| unknown_events? | (only when there are some) [{seq, at, actor, type, text}]: the timeline's events of a kind this version does not know (a newer version wrote the journal): nothing else in the report counts what they record |
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from runbook_tui.report.model import Report
from runbook_tui.runbook.safe_text import json_inert


def as_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON data, `format` first."""
    data = asdict(report)
    if not data["signatures"]:
        del data["allowed_signers"]  # said with the signatures it checked
    elif data["allowed_signers"] is not None and not data["allowed_signers"]["run"]:
        del data["allowed_signers"]["run"]  # a journal that records no file of the run's: nothing new said
    for key in ("signatures", "unknown_events"):
        if not data[key]:
            del data[key]  # a journal without them keeps the report it always had
    if not data["window"]["override_resumed"]:
        del data["window"]["override_resumed"]
    for step in data["steps"]:
        for key in ("undone_hosts", "ran_before_skip"):
            if not step[key]:
                del step[key]
    return {"format": data.pop("format"), **data}


def render(report: Report) -> str:
    """The exact texts of the journal, as readable as JSON allows; a control or bidi character as an escape."""
    return json_inert(json.dumps(as_json(report), indent=2, ensure_ascii=False)) + "\n"
