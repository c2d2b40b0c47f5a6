"""What a practice run is judged on: each decision point of the night, the night's choice and the trainee's.

A decision point is an assignee's move (run, re-run, skip, mark done, roll
back, decline a rollback request, accept unmet criteria, pause, resume, finish) at a point of the run, as the history fold keeps
them (`history.History.moves`, the same fold the report reads). The
trainee's move at the same point is set beside the night's, with the time
each took to decide. "Why it matters" says, from the night's history, what
followed the night's decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from runbook_tui.engine.actors import named
from runbook_tui.engine.event_words import self_confirmed_words, status_words
from runbook_tui.engine.events import VOCABULARY, Event
from runbook_tui.engine.history import History
from runbook_tui.engine.history_model import HostResult, Move, exit_words
from runbook_tui.engine.moves import elapsed
from runbook_tui.engine.outcome_words import outcome_words
from runbook_tui.engine.practice_commands import Commands, night_commands
from runbook_tui.engine.practice_unknown import NightStop, night_stops
from runbook_tui.runbook.durations import span_words
from runbook_tui.runbook.lean_dataclass import dataclass, field


@dataclass
class DecisionPoint:
    step: str | None
    night: Move | None  # None: only the trainee decided here
    trainee: Move | None  # None: the trainee never got here, or did something else first
    why: str  # what followed the night's decision, in one line
    # The trainee went on past this point without meeting it: the night's situation did not arise (the program stopped
    # there on the night, say); it read "did not get here" and counted against them.
    passed: bool = False

    @property
    def same(self) -> bool:
        """The same move, and the same answer where it answered an `ask` (another answer is another decision: its
        `captured.NAME` made the later commands otherwise; it read as the night's, `Every decision ... was the night's`),
        and a rollback of the same scope."""
        night, trainee = self.night, self.trainee
        if night is None or trainee is None or night.kind != trainee.kind or self.answered_otherwise:
            return False
        # A rollback's scope is the decision: to the checkpoint leaves its changes, the full one undoes all (they read
        # `same`: `roll back (full)` beside `roll back (checkpoint)`, every decision the night's).
        return night.kind != "roll back" or night.detail == trainee.detail

    @property
    def answered_otherwise(self) -> bool:
        """Both answered this `ask`, each otherwise. Not where no one answered on the night: exec's empty stand-in for a
        person (`--ack-manual`, the move the program's own, `driver`) is no answer to hold the trainee's against."""
        night, trainee = self.night, self.trainee
        if night is None or trainee is None or night.answer is None or trainee.answer is None or night.driver:
            return False
        return night.answer != trainee.answer


@dataclass
class Results:
    points: list[DecisionPoint] = field(default_factory=list)
    verifier: str | None = None
    scenario: str = ""  # the trainer's description, when the journal was marked as a practice scenario
    night_mode: str = "live"  # the night's session mode: a dry run's outputs say what would have run
    # How each run ended (a session outcome; None: its journal ends open): the trainee's end is often the program's
    # (every step through), no move of theirs to stand beside the night's.
    night_ended: str | None = None
    you_ended: str | None = None
    # How each ended in words, as the run screen, exec and the report say it (`outcome_words`): a rollback to a checkpoint
    # names it, `ROLLED BACK to the last checkpoint (a)`, not in full (both read `ROLLED BACK`); "" while open.
    night_words: str = ""
    you_words: str = ""
    # The night's events of a kind this version does not know (a newer version wrote the journal): (type, actor, ts).
    unknown: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def score(self) -> tuple[int, int]:
        """(decisions as on the night, decision points of the night)."""
        night = [p for p in self.points if p.night is not None and not p.passed]
        return sum(1 for p in night if p.same), len(night)

    @property
    def passed(self) -> int:
        """The night's decision points that did not arise in practice (not in the score)."""
        return sum(1 for p in self.points if p.passed)

    @property
    def timed(self) -> int:
        """The points both the night and the trainee decided: the times to decide are compared over these alone (the
        night's whole run against a trainee who stopped at the third decision read as the trainee being quicker). Not a
        move the night's program made by its policy (`exec --on-failure rollback`, each step exec started): no person
        took it, in 0 s, and the trainee's time read as slow beside it."""
        return len(self._timed)

    @property
    def _timed(self) -> list[DecisionPoint]:
        return [p for p in self.points if p.night is not None and p.trainee is not None and not p.night.driver]

    @property
    def night_seconds(self) -> float:
        return round(sum(p.night.seconds for p in self._timed if p.night is not None), 1)

    @property
    def trainee_seconds(self) -> float:
        return round(sum(p.trainee.seconds for p in self._timed if p.trainee is not None), 1)


def compare(night: Sequence[Event], practice: Sequence[Event], scenario: str = "") -> Results:
    """The night's decision points beside the trainee's, in the night's order; the trainee's others after."""
    history = History.of(night)
    stops = night_stops(night)
    theirs = history.moves
    yours = History.of(practice)
    mine = yours.moves
    used: set[int] = set()
    points: list[DecisionPoint] = []
    for n, decision in enumerate(theirs):
        key = (decision.point.step, decision.point.attempts, decision.point.verdicts)
        here = [i for i, d in enumerate(mine) if i not in used and (d.point.step, d.point.attempts, d.point.verdicts) == key]
        then = {d.kind for d in theirs[n + 1 :] if (d.point.step, d.point.attempts, d.point.verdicts) == key}
        match = _beside(decision, [mine[i] for i in here], then)
        match = here[match] if match is not None else None
        if match is not None:
            used.add(match)
        points.append(DecisionPoint(decision.step, decision, mine[match] if match is not None else None, why_it_matters(history, decision, stops)))
    reached = max((n for n, p in enumerate(points) if p.trainee is not None), default=-1)
    # A practice that ran to its end went past every point it did not meet: the night's run of `c` after a rollback the
    # trainee never needed read `did not get here`, counted against a trainee whose run had ended done.
    if yours.state.outcome == "done":
        reached = len(points)
    for point in points[: max(reached, 0)]:
        point.passed = point.trainee is None
    points += [DecisionPoint(d.step, None, d, "not a decision point on the night") for i, d in enumerate(mine) if i not in used]
    for point in points:
        if point.answered_otherwise:
            point.why += _yours_later(point, night_commands(night), night_commands(practice))
    # Everyone played back, as they gave their word on the night (`bob, carol` after a handover; it named the ticket's alone).
    verifier = ", ".join(history.state.heard) or history.state.session.get("verifier")
    mode = str(history.state.session.get("mode") or "live")
    ends = (history.state.outcome, yours.state.outcome, outcome_words(history.state), outcome_words(yours.state))
    return Results(points, str(verifier) if verifier else None, scenario, mode, *ends, unknown=newer_events(night))


def newer_events(events: Sequence[Event]) -> list[tuple[str, str, str]]:
    """(type, actor, ts) of each event of a kind this version does not know, in the journal's order: what a newer
    version recorded, which practice cannot play (nothing here knows what it means)."""
    return [(str(e["type"]), str(e.get("actor", "")), str(e.get("ts", ""))) for e in events if e["type"] not in VOCABULARY]


def _yours_later(point: DecisionPoint, nights: Commands, yours: Commands) -> str:
    """`; with your answer use ran `echo 2.0``: the first later command of the practice that the trainee's answer made
    otherwise than the night's (the output that played for it was the night's command's)."""
    for (phase, step, n), commands in yours.items():
        theirs = nights.get((phase, step, n)) or {}
        differ = next(((host, command) for host, command in commands.items() if host in theirs and theirs[host] != command), None)
        if step != point.step and differ is not None:
            return f"; with your answer {step} ran `{differ[1]}` where the night's ran `{theirs[differ[0]]}`"
    return ""


#: Moves that leave the run where it stood: a trainee's pause (and its resume) before the move the night made there.
_IN_PASSING = frozenset({"pause", "resume"})


def _beside(night: Move, candidates: Sequence[Move], then: set[str] | frozenset[str] = frozenset()) -> int | None:
    """Which of the trainee's moves at the night's point stands beside the night's: the same kind if they made it there,
    else the first that moved the run (a pause first took the place of the run after it, and that run read as a
    decision the night never had), else the first. A night's pause or resume is left alone when the trainee's move is
    one the night made next at the same point (`then`): a guard paused the night before the run and not the trainee,
    and their run stood beside the night's resume, `different`, with the night's run `did not arise`. Not a pause
    that answered the verifier's hold: the recorded verifier asks the trainee too, and running on is the difference."""
    if not candidates:
        return None
    same = next((n for n, move in enumerate(candidates) if move.kind == night.kind), None)
    if same is not None:
        return same
    moved = next((n for n, move in enumerate(candidates) if move.kind not in _IN_PASSING), None)
    if night.driver and moved is not None and candidates[moved].kind in then:
        # The night's program moved here by its policy (exec ended the run after its rollback) and a person then made
        # the trainee's move at this same point (`resume --rollback --full`): theirs stands beside that person's.
        return None
    held = night.pause is not None and night.pause.asked is not None
    if night.kind in _IN_PASSING and moved is not None and candidates[moved].kind in then and not held:
        return None
    return moved if moved is not None and night.kind not in _IN_PASSING else 0


def _later(start: str, end: str) -> str:
    """`45s`, `3 min`; from an hour on as every countdown says a span (`1h 12m`, `2d 9h`): a night paused over a weekend
    read `stayed paused 3420 min`."""
    seconds = elapsed(start, end)
    if seconds >= 3600:
        return span_words(seconds)
    return f"{seconds:.0f}s" if seconds < 90 else f"{seconds / 60:.0f} min"


#: The decisions an assignee takes on a step whose outcome `resume` found unknown.
_AFTER_A_STOP = frozenset({"re-run", "mark done", "roll back", "skip"})


def why_it_matters(night: History, decision: Move, stops: dict[tuple[str, int], NightStop] | None = None) -> str:
    """One line: what followed the night's decision, from the night's history; a decision on a step the night's process
    died in (`stops`, engine/practice_unknown.py) says so first, and who resumed it how long after."""
    why = _what_followed(night, decision)
    point = decision.point
    stop = (stops or {}).get((point.step, point.attempts)) if point.step is not None and decision.kind in _AFTER_A_STOP else None
    if stop is None or not why.startswith("on the night "):
        return why
    return f"on the night the program stopped during its last try and {stop.words}; then {why.removeprefix('on the night ')}"


def _what_followed(night: History, decision: Move) -> str:
    if decision.kind in ("run", "re-run"):
        return _after_run(night, decision)
    if decision.kind == "roll back":
        return _after_rollback(night, decision)
    if decision.kind == "skip":
        return f"on the night it was skipped by {named(decision.by)}{': ' + decision.detail if decision.detail else ''}; nothing ran on its hosts"
    if decision.kind == "mark done":
        return f"on the night it was marked done by hand by {named(decision.by)}, recorded unverified: {decision.detail}"
    if decision.kind == "pause":
        pause = decision.pause
        if pause is None or pause.resumed_at is None:
            return "on the night the run stayed paused to the end of the journal"
        how = "resumed" if pause.ended_by == "resumed" else "a rollback started"
        return f"on the night the run stayed paused {_later(pause.at, pause.resumed_at)}, then {how}"
    if decision.kind == "resume" and decision.pause is not None:
        pause = decision.pause
        lifted = f"; {pause.lifted}" if pause.lifted else ""  # resume --lift-pause REASON: why
        # A pause with no reason of its own is journaled `paused by alice`: said once (it read `paused: paused by alice`).
        reason = pause.reason or ""
        paused = reason if reason.startswith("paused") else f"paused: {reason}" if reason else "paused"
        return f"on the night the run went on after {_later(pause.at, decision.at)} {paused}{lifted}"
    if decision.kind == "decline rollback":  # the request, its reason and what became of the change that went on
        ended = night.state.outcome
        then = f"; the run ended {status_words(str(ended))}" if ended else ""
        return f"on the night the rollback request was declined ({decision.detail}) and the change went on{then}"
    if decision.kind == "accept unmet criteria":
        ended = night.state.outcome
        return f"on the night the unmet criteria were accepted ({decision.detail}){'; the run ended ' + status_words(str(ended)) if ended else ''}"
    if decision.kind == "finish":
        return f"the night ended {status_words(decision.detail)}"
    return ""


def answer_words(answer: str) -> str:
    """`"1.2"`, `(empty)`: an answer as said beside another (cut where it is long)."""
    if not answer:
        return "(empty)"
    return f'"{answer}"' if len(answer) <= ANSWER_WIDTH else f'"{answer[: ANSWER_WIDTH - 1]}…"'


#: The characters of an answer shown in the results (the journal has it whole).
ANSWER_WIDTH = 60


def used_later(night: History, run: Move) -> str:
    """`; captured.version: deploy ran `echo 1.2``: the night's first later command that used a value this ask captured."""
    # The value standing whole in a command (not `1.2` inside `v1.2.3`, nor `y` inside `yes`).
    values = [(name, re.compile(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])")) for name, value in run.captured.items() if value]
    later = sorted((a.started_at, step, a) for step, attempts in night.attempts.items() for a in attempts if step != run.step and a.started_at > run.at)
    for _at, step, attempt in later:
        for name, value in values:
            command = next((c for c in attempt.commands.values() if value.search(c)), None)
            if command is not None:
                return f"; as captured.{name} the night's {step} ran `{command}`"
    return f"; captured as {', '.join('captured.' + n for n in run.captured)}" if run.captured else ""


def _acknowledged(night: History, run: Move) -> str:
    """`acknowledged without a person (--ack-manual): REASON`: exec's word for the person a manual step asks, before this
    run, or "" (a person did it)."""
    entries = night.entries.get(str(run.step), [])
    return next((e.words for e in reversed(entries) if e.kind == "ack-manual" and e.at <= run.at), "")


def _not_run(hosts: list[HostResult]) -> str:
    """`; not run on web2, web3: the rollout stopped before their batch`: hosts a stopped rollout (or an earlier step's
    failure) left out, apart from those that failed (they read `failed on web2 (exit 3), web3 (not run: …)`)."""
    reasons: dict[str, list[str]] = {}
    for host in hosts:
        reasons.setdefault(str(host.error or "").removeprefix("not run: "), []).append(host.host)
    said = []
    for why, names in reasons.items():
        why = why.replace("this host's", "their") if len(names) > 1 else why
        said.append(", ".join(names) + (f": {why}" if why else ""))
    return f"; not run on {'; '.join(said)}" if said else ""


def _after_run(night: History, run: Move) -> str:
    finished = next((f for f in run.followed if f.kind == "finished"), None)
    if finished is None or run.attempt is None:
        return "on the night this attempt's end was never recorded (the program stopped)"
    # A host that never ran the command (no connection) has no exit status: its error says why (it read `exit None`).
    failed = [
        f"{h.host} ({exit_words(h, 'no exit status') if h.exit_code is None else f'exit {h.exit_code}'})"
        for h in run.attempt.hosts
        if h.status not in ("done", "ok", "skipped")
    ]
    never = _not_run([h for h in run.attempt.hosts if h.status == "skipped"])
    # A try that failed and was run again (`retries:`): the attempt's end alone read `ran cleanly`.
    retried = run.attempt.retries
    tries = f" after {len(retried)} {'retry' if len(retried) == 1 else 'retries'} ({'; '.join(retried)})" if retried else ""
    if failed and run.attempt.tolerated and run.attempt.status in ("done", "awaiting_verification"):  # within max_fail
        words = [f"went on, failed on {', '.join(failed)} within max_fail{tries}{never}"]
    elif failed:
        words = [f"failed on {', '.join(failed)}{tries}{never}"]
    elif run.attempt.status in ("failed", "timed_out"):  # every host fine, the step's own check not: a wait cut short, expect.metric
        words = [f"{status_words(run.attempt.status)}: {'; '.join(run.attempt.problems) or 'no reason recorded'}"]
    elif run.answer is not None and run.driver:  # `exec --ack-manual`: its empty stand-in, no person's answer
        words = [f"was answered by no one ({run.driver} --ack-manual gave it an empty answer)"]
    elif run.answer is not None:  # an `ask`: what was answered, and where the night's later commands used it
        words = [f"was answered {answer_words(run.answer)}{used_later(night, run)}"]
    elif (ack := _acknowledged(night, run)) and not run.attempt.commands:  # a note exec marked done (it read `ran cleanly`)
        words = [f"was {ack}"]
    else:
        words = [f"succeeded{tries}" if retried else "ran cleanly"]
    for after in run.followed:  # what people did about it, in the order they did it
        # Journaled before the step's end (a guard tripping while it ran): said so, not `-0s later`.
        later = "while it ran" if elapsed(finished.at, after.at) < 0 else f"{_later(finished.at, after.at)} later"
        if after.kind == "confirmed" and after.by == run.attempt.started_by:
            words.append(f"{self_confirmed_words(after.by)}, {later}")
        elif after.kind in ("confirmed", "rejected"):
            words.append(f"{after.by} {after.kind} it {later}" + (f": {after.reason}" if after.reason else ""))
        elif after.kind == "rollback requested":
            words.append(f"{after.by} asked for a rollback {later}")
        elif after.kind == "guard tripped":
            words.append(f"{after.reason or 'a guard tripped'} {later}")
    return f"on the night it {'; '.join(words)}"


def _after_rollback(night: History, decision: Move) -> str:
    rollback = decision.rollback
    if rollback is None or rollback.finished_at is None:
        return "on the night the rollback never finished"
    # who started it, and the verifier who asked for it (the report's `requested by bob ...; started by alice`)
    asked = f", asked by {rollback.requested_by}," if rollback.requested_by else ""
    by = f" by {named(rollback.started_by)}{asked}"
    words = f"on the night the rollback{by} {'finished' if rollback.ok else 'FAILED'} in {_later(rollback.started_at, rollback.finished_at)}"
    trip = decision.trip
    if trip is not None:
        panel = str(trip.get("panel"))
        # The reading the rollback left, before the night's next move (a re-run that brought the spike back read as the
        # rollback's: `went from 9 to 9` where the undo had brought it to 1).
        until = next((move.at for move in night.moves if move.at > decision.at), None)
        readings = night.samples.get(panel, [])
        after = [v for at, v in readings[decision.readings_before :] if v is not None and (until is None or at <= until)]
        # From the reading the rollback met (the trip's, when none came since): a panel back to normal before it (the run
        # resumed and went on, then a rejection was rolled back) read `went from 9 to 1`, the recovery the rollback's.
        met = next((v for _at, v in reversed(readings[: decision.readings_before]) if v is not None), trip.get("value"))
        if after and met is not None and after[-1] != met:
            unit = str(trip.get("unit") or "")
            words += f" and {trip.get('title') or panel} went from {met:g}{unit} to {after[-1]:g}{unit}"
    return words
