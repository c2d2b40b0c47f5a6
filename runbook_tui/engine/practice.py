"""The night played back around a trainee: the recorded verifier and the recorded metrics.

`RecordedVerifier` joins the practice run under the night's verifier's name,
confirms or rejects each step (and each wave) as they did, with their
reasons, and plays the night's cues at the point of the run they came at
(`history_model.Point`: the current step, its attempts, the verdicts the
state counts on it): a hold, a rollback request, the metric readings and
guard trips (so the panels show the spike that tripped the guard), and the
pause the guard made. A trainee who rolls back earlier than the night never
meets what came after; one who goes on meets it when they get there.
"""

from __future__ import annotations

import asyncio

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import RECORDED
from runbook_tui.engine.controller import SYSTEM, Actor, Controller
from runbook_tui.engine.events import Event
from runbook_tui.engine.history_model import Point
from runbook_tui.engine.moves import point_of
from runbook_tui.engine.recording import Answer, Cue, Recording
from runbook_tui.engine.state import RunState

#: Seconds before the recorded verifier answers (long enough to see that it waits).
ANSWER_AFTER = 0.8
#: Longest pause between two cues played at one point (the night's gap, cut short).
CUE_GAP = 0.4


class RecordedVerifier:
    def __init__(self, controller: Controller, recording: Recording) -> None:
        self.controller = controller
        self.name = f"{recording.verifier or 'verifier'}{RECORDED}"
        self.night_name = recording.verifier or "the verifier"
        self.actor = Actor(self.name, "verifier")
        self._joined = {self.name}  # the night's verifiers played so far, each under their own name (`_as`)
        self.verdicts = {step: list(verdicts) for step, verdicts in recording.verdicts.items()}
        self.go_aheads = {step: list(answers) for step, answers in recording.go_aheads.items()}
        self.cues: list[Cue] = list(recording.cues)
        self.played: list[Cue] = []
        self.declines = recording.declines  # the night's declined requests still to meet (`_held`)
        self._held: list[tuple[str, dict[str, list[Answer]]]] = []  # verdicts waiting for the trainee's answer
        self._playing = False
        controller.subscribe(self._on_event)
        if recording.verifier or recording.verifier_answered:
            controller.join(self.name, "verifier")

    def kick(self) -> None:
        """Play what the night had before anyone acted (metrics starting, first readings); needs the running loop."""
        if not self._playing:
            self._playing = True
            asyncio.get_running_loop().call_soon(self._play)

    def _on_event(self, event: Event, state: RunState) -> None:
        waits = (event["type"] == ev.STEP_FINISHED and event.get("status") == "awaiting_verification") or (
            event["type"] == ev.WAVE_FINISHED and bool(event.get("awaiting"))  # verify: per_wave: the rollout waits for their word
        )
        asks = event["type"] == ev.NOTE and event.get("request") == "go_ahead"
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the session opening, before the app runs: kick() plays what is due
            return
        if event["type"] == ev.ROLLBACK_DECLINED and self._held:  # the trainee answered: the night's word follows
            self.declines -= 1
            held, self._held = self._held, []
            for step, answers in held:
                loop.call_later(ANSWER_AFTER, self._answer, step, answers)
        if waits or asks:  # a request for a go-ahead is answered with the night's go-aheads; a wait, with its verdicts
            loop.call_later(ANSWER_AFTER, self._answer, event["step"], self.go_aheads if asks else self.verdicts)
        if self.cues and not self._playing and not state.finished:
            self._playing = True
            loop.call_soon(self._play)

    def due(self) -> bool:
        """A cue of the night is still to play where the run stands now (or at a point it went past)."""
        state = self.controller.state
        return bool(self.cues) and not state.finished and not _ahead(self.cues[0].point, point_of(state), state)

    def _as(self, night: str) -> Actor:
        """The night's verifier `night` (the journal's actor of a word or a request) played back: a second verifier, or
        the one a handover gave the run to, joins under their own name the first time they act, as on the night."""
        if not night or night == SYSTEM.name:
            return self.actor
        name = f"{night}{RECORDED}"
        if name not in self._joined:
            self._joined.add(name)
            self.controller.join(name, "verifier")
        return Actor(name, "verifier")

    def _answer(self, step: str, answers: dict[str, list[Answer]]) -> None:
        state = self.controller.state
        if self.declines > 0 and state.rollback_requested is not None and state.rollback_asked_by in self._joined:
            # On the night the assignee declined the request before this word came: given now, it withdrew the request
            # (the last word stands) and the trainee never had to answer it. It waits for the trainee's `x` (or `u`).
            self._held.append((step, answers))
            return
        queue = answers.get(step) or []
        if not queue:  # the trainee went where the night did not: said so, or "confirmed by bob (recorded)" read as the night's
            word = (
                "no go-ahead for '{}' here on the night; it counts as given"
                if answers is self.go_aheads
                else "no verdict on '{}' here on the night; it counts as confirmed"
            )
            # The program's words, journaled as the program's (as bob's, every view read `note by bob (recorded)`).
            self.controller.emit(ev.NOTE, SYSTEM, step=step, text=f"[practice] {self.night_name} gave {word.format(step)}")
        verdict, reason, by = queue.pop(0) if queue else ("confirmed", "", "")
        if verdict != "rejected":
            self._withdrawing(step, self._as(by).name, "go-ahead for" if answers is self.go_aheads else "confirmation of")
        if verdict == "rejected":
            self.controller.reject(self._as(by), reason or "rejected on the night")
        else:
            self.controller.confirm(self._as(by))

    def _withdrawing(self, step: str, name: str, word: str) -> None:
        """Say it when the night's word to go on withdraws the verifier's own rollback request, still open (the trainee
        re-ran where the night rolled back): the state drops it, as a live verifier's word does, and before, the request
        vanished from the screen without a word, the trainee never told that nothing would be rolled back."""
        state = self.controller.state
        if state.rollback_requested is None or state.rollback_asked_by != name:
            return
        night = name.removesuffix(RECORDED)  # the request's words stand a few lines above, in the log
        text = (
            f"[practice] {night}'s {word} '{step}' withdraws {night}'s rollback request, left unanswered "
            "(a verifier's word to go on withdraws their own): nothing is rolled back"
        )
        self.controller.emit(ev.NOTE, SYSTEM, step=step, text=text)

    def _play(self) -> None:
        """Play the next cue when the run stands where it came on the night; then the next, after a short gap."""
        self._playing = False
        state = self.controller.state
        if not self.cues or state.finished:
            return
        cue = self.cues[0]
        if _ahead(cue.point, point_of(state), state):
            return  # the run has not got there yet: each event looks again
        self.cues.pop(0)
        self.played.append(cue)
        self._playing = True  # the cue's own event must not schedule a second player
        self._cue(cue)
        if self.cues:
            gap = max(0.0, min(self.cues[0].at - cue.at, CUE_GAP))
            asyncio.get_running_loop().call_later(gap, self._play)
        else:
            self._playing = False

    def _cue(self, cue: Cue) -> None:
        if cue.type == ev.ROLLBACK_REQUESTED:
            self.controller.request_rollback(self._as(cue.actor), str(cue.data.get("reason") or ""))
        elif cue.type == ev.HOLD_REQUESTED:
            self.controller.request_hold(self._as(cue.actor), str(cue.data.get("reason") or ""))
        elif cue.type == ev.PAUSED:
            if not self.controller.state.paused:
                self.controller.pause(SYSTEM, str(cue.data.get("reason") or ""))
        elif cue.type == ev.METRIC_SAMPLE:  # read now: the panels age readings by their time
            self.controller.emit(ev.of(cue.type), SYSTEM, **{k: v for k, v in cue.data.items() if k != "ts_sample"})
        else:  # metrics_started, a baseline, a guard trip, the check after the verify section: as the metrics layer journaled them
            self.controller.emit(ev.of(cue.type), SYSTEM, **cue.data)


def _ahead(cue: Point, now: Point, state: RunState) -> bool:
    """Whether the cue's point is still to come (a point the trainee went past plays late rather than never)."""
    order = list(state.order)

    def rank(point: Point) -> tuple[int, int, int, bool]:
        index = order.index(point.step) if point.step in order else len(order)
        # An attempt runs before it has ended: a cue of the night after the step's end (bob's request once it waited for
        # him) played while the trainee's attempt still ran (`running` ranked after the end it comes before).
        return index, point.attempts, point.verdicts, not point.running

    return rank(cue) > rank(now)
