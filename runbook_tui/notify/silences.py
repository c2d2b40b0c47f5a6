"""Alertmanager silences for the change: made when the session starts, expired when it ends.

Through Alertmanager's API v2 (`POST /api/v2/silences`, `DELETE
/api/v2/silence/ID`), with urllib in worker threads: the event loop never
waits on the network, and a failure is journaled in words and shown, never
raised. Each silence is created by the actor, its comment names the ticket,
and it ends at the change window's end (or `DEFAULT_HOURS` after the start
without a window), so a process that dies cannot leave alerts silenced for
ever. When the session ends the silences are expired, except after a
rollback with `until: window_end`: then they are kept to the window's end,
because the system may still be settling. With `until: session_end` a silence
`RENEW_BEFORE` from its end while the session goes on is extended (`DEFAULT_HOURS`
more); `until: window_end` ones are not extended past the approved window. A silence Alertmanager refused
without acting on it (down, 429, 503) is asked for again every
`ASK_AGAIN_EVERY` while the run goes on, and made once it answers.

A process that died while making them left some unjournaled: on `resume`
each silence the journal lacks is looked for in Alertmanager (made by the
dead process: same matchers, comment and creator, made after the session
started) and journaled as this session's, so it is expired at the end, or
made now.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Callable, Collection, Sequence
from typing import Any
from urllib.parse import quote

from runbook_tui.engine import events as ev
from runbook_tui.engine.background import in_background
from runbook_tui.engine.events import Event
from runbook_tui.engine.http_bounded import without_password
from runbook_tui.engine.said import clock_words as time_words
from runbook_tui.engine.said import said_now
from runbook_tui.engine.state import RunState
from runbook_tui.notify import silence_found, silence_watch
from runbook_tui.notify.http import Answer, request
from runbook_tui.notify.silence_clock import START_MARGIN, clock_words
from runbook_tui.notify.silence_found import answered_id, dead_makers, ended, extension, is_time, made_for, usable_id
from runbook_tui.runbook.matchers import Matcher
from runbook_tui.runbook.reach import Alerts, Silence

#: How long a silence lasts when the ticket has no window (it is expired at the end anyway).
DEFAULT_HOURS = 4
#: How near its end an `until: session_end` silence is extended while the session goes on. Before, nothing extended
#: it: a run past the window's end (or DEFAULT_HOURS) went on unsilenced, the session still open.
RENEW_BEFORE = dt.timedelta(minutes=10)
RETRY_EXTEND = 30.0  # seconds before a failed extension is tried again, while the silence holds (a test sets less)
#: Bytes of Alertmanager's list of silences read on resume (a busy one holds many).
LIST_BYTES = 4 * 1024 * 1024
Record = Callable[[str, dict[str, Any]], None]


def api_matcher(matcher: Matcher) -> dict[str, Any]:
    return {"name": matcher.label, "value": matcher.value, "isRegex": matcher.is_regex, "isEqual": matcher.is_equal}


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def silence_body(silence: Silence, *, actor: str, ticket: str | None, starts: dt.datetime, ends: dt.datetime) -> dict[str, Any]:
    """The API v2 silence: matchers, times, createdBy, and a comment that names the ticket."""
    why = silence.comment or "planned change"
    comment = f"{ticket or 'NO TICKET'}: {why} (runbook-tui)"
    return {"matchers": [api_matcher(m) for m in silence.matchers], "startsAt": iso(starts), "endsAt": iso(ends), "createdBy": actor, "comment": comment}


def _window_end(state: RunState) -> dt.datetime | None:
    end = ((state.session.get("ticket") or {}).get("window") or {}).get("end")
    try:
        return dt.datetime.fromisoformat(str(end)) if end else None
    except ValueError:
        return None


#: Seconds before asking again for a silence Alertmanager certainly did not make (no connection, 429, 503).
CREATE_PAUSES = (1.0, 2.0)
#: Silences asked for at once at the start (each in a thread of its own): a runbook's few all together, a long list
#: without a hundred connections to one Alertmanager.
CREATE_AT_ONCE = 8
#: Seconds a fresh run's first step waits for Alertmanager to confirm its silences (past the default 5 s timeout: a
#: silence Alertmanager did not answer in time is said once, as failed).
START_WAIT = 6.0
#: Seconds between asking again, while the run goes on, for a silence Alertmanager refused without acting on it (down,
#: 429, 503). Before, it was never asked again: the whole change ran with its alerts paging, Alertmanager back or not.
ASK_AGAIN_EVERY = 10.0


class SilenceKeeper:
    """A controller listener that makes the silences at the start and expires (or keeps) them at the end."""

    def __init__(
        self, alerts: Alerts, record: Record, *, timeout: float = 5.0, renew_before: dt.timedelta = RENEW_BEFORE, lasting: dt.timedelta | None = None
    ) -> None:
        self.alerts = alerts
        self.renew_before = renew_before
        self.retry_after = RETRY_EXTEND
        self.lasting = lasting or dt.timedelta(hours=DEFAULT_HOURS)  # without a window, and each extension
        self.shown = without_password(alerts.alertmanager)  # as the journal and the screen name it: a password as ***
        self.record = record
        self.timeout = timeout
        self.state = RunState()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._creating: asyncio.Task[Any] | None = None
        self._resuming = False
        self._ends: dict[str, asyncio.TimerHandle] = {}  # silence id -> the moment its end passes during the run
        self._renewals: dict[str, asyncio.TimerHandle] = {}  # silence id -> RENEW_BEFORE its end (until: session_end)
        self._extending: set[asyncio.Task[Any]] = set()
        self._clock_said = False
        self.over = asyncio.Event()  # the session finished or closed: nothing is asked again

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def call(self, method: str, path: str, body: Any = None) -> Answer:
        return await in_background(functools.partial(request, method, f"{self.alerts.alertmanager}{path}", body=body, timeout=self.timeout), "notify-request")

    def __call__(self, event: Event, state: RunState) -> None:
        self.state = state
        kind = event["type"]
        if kind == ev.SESSION_STARTED:
            self._creating = self._spawn(self.create(state, str(event.get("actor"))))
            self._spawn(silence_watch.watch(self))
        elif kind == ev.SESSION_RESUMED and not state.finished:
            self._creating = self._spawn(self.resume(state, str(event.get("actor"))))
            self._resuming = True
            self._spawn(silence_watch.watch(self))
        elif kind == ev.SESSION_FINISHED:
            self._forget_ends()
            self.over.set()
            self._spawn(self.finish(state, str(event.get("outcome"))))
        if kind in (ev.SILENCE_CREATED, ev.SILENCE_EXTENDED) and not state.finished:
            self._forget(str(event.get("replaces") or ""))
            self._watch_end(str(event.get("id")), event.get("ends_at"))
        elif kind == ev.SESSION_RESUMED and not state.finished:
            for silence_id, silence in state.silences.items():
                self._watch_end(silence_id, silence.get("ends_at"))  # one already ended is made again (`resume`)

    def _watch_end(self, silence_id: str, ends_at: Any) -> None:
        """Say so when a silence ends while the run goes on (the window's end, or DEFAULT_HOURS after the start passed).
        Before, nothing did: alerts paged the on-call again while the header still counted the silence."""
        if not is_time(ends_at) or ended(ends_at, dt.datetime.now(dt.UTC)):
            return
        end = dt.datetime.fromisoformat(str(ends_at).replace("Z", "+00:00"))
        left = (end if end.tzinfo else end.replace(tzinfo=dt.UTC)) - dt.datetime.now(dt.UTC)
        self._forget(silence_id)
        self._ends[silence_id] = asyncio.get_running_loop().call_later(left.total_seconds(), self._ended, silence_id)
        if self.alerts.until == "session_end":
            renew = max((left - self.renew_before).total_seconds(), 0.0)
            self._renewals[silence_id] = asyncio.get_running_loop().call_later(renew, self._renew, silence_id)

    def _forget(self, silence_id: str) -> None:
        for handles in (self._ends, self._renewals):
            old = handles.pop(silence_id, None)
            if old is not None:
                old.cancel()

    def _renew(self, silence_id: str) -> None:
        self._renewals.pop(silence_id, None)
        if not self.state.finished and not self.over.is_set() and silence_id in self.state.silences:
            task = self._spawn(self._extend(silence_id))
            self._extending.add(task)
            task.add_done_callback(self._extending.discard)

    async def _extend(self, silence_id: str) -> None:
        """Extend one `until: session_end` silence near its end to `lasting` from now, as Alertmanager holds it (same id,
        start, matchers): journaled `silence_extended` (with `replaces` when Alertmanager gave it a new id). A failure is
        said (`silence_failed`, action "extend"); its end is then said when it passes."""
        until = str(self.state.silences.get(silence_id, {}).get("ends_at") or "")
        held = await self.call("GET", f"/api/v2/silence/{quote(silence_id, safe='')}")
        body = extension(held, iso(dt.datetime.now(dt.UTC) + self.lasting))
        if self.over.is_set():
            return
        if body is None:  # when it answered, not active any more: expired by someone, which the watch says
            if not held.ok:
                self._failed("extend", held.problem("Alertmanager"), id=silence_id, until=until)
                self._try_again(silence_id)
            return
        answer = await self._post(body, [str(m) for m in self.state.silences.get(silence_id, {}).get("matchers") or ()])
        made = answered_id(answer)
        if made is None:
            self._failed("extend", answer.problem("Alertmanager") if not answer.ok else "no usable silenceID in the answer", id=silence_id, until=until)
            self._try_again(silence_id)
            return
        extended = {"id": made, "alertmanager": self.shown, "ends_at": body["endsAt"]}
        self.record(ev.SILENCE_EXTENDED, extended | ({"replaces": silence_id} if made != silence_id else {}))
        if made != silence_id and self.over.is_set():  # answered after the end, which expires the id it had
            await self._expire(made, str(body["endsAt"]))

    def _try_again(self, silence_id: str) -> None:
        """A failed extension is tried again `retry_after` later while the silence holds (before: it lapsed, alerts paged)."""
        if silence_id in self._ends and not self.over.is_set():
            self._renewals[silence_id] = asyncio.get_running_loop().call_later(self.retry_after, self._renew, silence_id)

    def _ended(self, silence_id: str) -> None:
        self._ends.pop(silence_id, None)
        silence = self.state.silences.get(silence_id)
        if self.state.finished or silence is None:
            return
        self.record(ev.SILENCE_EXPIRED, {"id": silence_id, "alertmanager": self.shown})
        matchers = ", ".join(map(str, silence.get("matchers") or ()))
        self.record(
            ev.NOTE,
            {
                "text": f"silence {silence_id} ({matchers}) ended at {said_now(silence.get('ends_at'))} while the run goes on: those alerts are no longer silenced"
            },
        )

    async def make_again(self, matchers: list[str], actor: str) -> None:
        """Make the entry of `alerts.silence` with these matchers again (Alertmanager lost the run's: `silence_watch`)."""
        await self.create(self.state, actor or "runbook-tui", [s for s in self.alerts.silences if [str(m) for m in s.matchers] == matchers])

    def _forget_ends(self) -> None:
        for handles in (self._ends, self._renewals):
            for handle in handles.values():
                handle.cancel()
            handles.clear()

    async def create(
        self,
        state: RunState,
        actor: str,
        silences: Sequence[Silence] | None = None,
        found: Sequence[Any] = (),
        skew: dt.timedelta = dt.timedelta(0),
        made_by: Collection[str] = (),
    ) -> None:
        """One silence per entry of `alerts.silence` (or of `silences`); each id journaled (`silence_created`), each failure
        too. One of `found` (Alertmanager's silences, its clock `skew` ahead of ours) that the dead process made for an
        entry (created by one of `made_by`) is journaled, not made again. Asked for together, CREATE_AT_ONCE at a time,
        each journaled as it is answered: one after the other, ten silences from an Alertmanager 2 s an answer took 20 s,
        and the run started past START_WAIT with most unconfirmed."""
        ticket = (state.session.get("ticket") or {}).get("id")
        starts = dt.datetime.now(dt.UTC)
        ends = _window_end(state) or starts + self.lasting
        if ends <= starts:
            ends = starts + self.lasting
        since = str(state.session.get("started_at") or "")
        slots = asyncio.Semaphore(CREATE_AT_ONCE)

        async def one(silence: Silence) -> None:
            body = silence_body(silence, actor=actor, ticket=ticket, starts=starts - START_MARGIN, ends=ends)
            made = next((f for f in found if made_for(f, body, since, skew, made_by)), None)
            try:
                await slots.acquire()
            except asyncio.CancelledError:  # before: never made nor failed, so nothing counted it missing
                self._failed("create", "not asked: the session closed before it was asked for; its alerts page", matchers=[str(m) for m in silence.matchers])
                raise
            try:
                await self._create_one(body, [str(m) for m in silence.matchers], iso(starts), made)
            finally:
                slots.release()

        await asyncio.gather(*(one(silence) for silence in (self.alerts.silences if silences is None else silences)))

    async def _create_one(self, body: dict[str, Any], matchers: list[str], journaled_start: str, made: Any) -> None:
        """Make one silence (or journal `made`, the dead process's), journaled; `journaled_start`: when, by our clock
        (Alertmanager starts it at its own now). One Alertmanager may have made though no usable id came back (no answer
        in time, a reset, an unreadable 200, a 5xx) is looked for in its list: before, it stayed active to its end (the
        window's), unknown to the journal, the change's end expired nothing and the on-call's real alerts stayed silent."""
        how = "was made before the program stopped and not journaled"
        if made is None:
            answer = await self._post(body, matchers)
            self._say_clock(answer)
            if (posted := answered_id(answer)) is not None:
                await self._made(posted, body, matchers, journaled_start)
                return
            problem = answer.problem("Alertmanager") if not answer.ok else "no usable silenceID in the answer"
            try:
                found, skew = await self._listed() if _maybe_made(answer) else ([], dt.timedelta(0))
            except asyncio.CancelledError:  # before: unsaid, though Alertmanager may have made it
                why = f"the session closed while looking for it in Alertmanager's list; a silence may be active until {said_now(body['endsAt'])}"
                self._failed("create", f"not confirmed: {problem}, and {why}", matchers=matchers, until=str(body["endsAt"]))
                raise
            made = next((f for f in found if made_for(f, body, journaled_start, skew)), None)
            if made is None:
                self._failed("create", problem, matchers=matchers)
                if answer.not_acted_on and not self.over.is_set():
                    self._spawn(self._ask_again(body, matchers, journaled_start))
                return
            how = f"({', '.join(matchers)}) was made, but Alertmanager's answer came too late or could not be read ({problem}): found in its list"
        body |= {"startsAt": made["startsAt"], "endsAt": made["endsAt"]}
        silence_id = str(usable_id(made["id"]))
        if await self._made(silence_id, body, matchers, str(made["startsAt"])):
            self.record(ev.NOTE, {"text": f"silence {silence_id} {how}: it is this run's now"})

    async def _made(self, silence_id: str, body: dict[str, Any], matchers: list[str], start: str) -> bool:
        """Journal a silence made (`silence_created`), or expire it when the run ended while it was being made."""
        if self.state.finished:  # nothing may be created after the end
            await self._expire(silence_id, str(body["endsAt"]))
            return False
        self.record(ev.SILENCE_CREATED, {
            "id": silence_id, "alertmanager": self.shown, "matchers": matchers, "starts_at": start,
            "ends_at": body["endsAt"], "comment": body["comment"], "created_by": body["createdBy"],
        })  # fmt: skip
        return True

    async def _ask_again(self, body: dict[str, Any], matchers: list[str], since: str) -> None:
        """Ask for a silence refused unacted on every ASK_AGAIN_EVERY while the run goes on, until Alertmanager makes it
        (journaled, with a note of the time its alerts went unsilenced), answers otherwise (a failure said), or it ends."""
        self.record(ev.NOTE, {
            "text": f"Alertmanager at {self.shown} is asked again every {ASK_AGAIN_EVERY:g}s while the run goes on: the silence"
            f" ({', '.join(matchers)}) is made once it answers; until then its alerts page",
        })  # fmt: skip
        while not ended(body["endsAt"], dt.datetime.now(dt.UTC)):
            try:
                await asyncio.wait_for(self.over.wait(), ASK_AGAIN_EVERY)
                return
            except TimeoutError:
                pass
            answer = await self._post(body, matchers)
            made = answered_id(answer)
            if made is not None:
                now = iso(dt.datetime.now(dt.UTC))
                if await self._made(made, body, matchers, now):  # the note's times as clock times, not raw ISO
                    self.record(ev.NOTE, {
                        "text": f"silence {made} ({', '.join(matchers)}) made once Alertmanager answered again: its alerts were"
                        f" not silenced from {time_words(since, now)} to {time_words(now, now)}",
                    })  # fmt: skip
                return
            if not answer.not_acted_on:
                self._failed("create", answer.problem("Alertmanager") if not answer.ok else "no usable silenceID in the answer", matchers=matchers)
                return

    def _say_clock(self, answer: Answer) -> None:
        """Once a session: Alertmanager's clock off ours (what preflight says too), for whoever skipped preflight."""
        words = None if self._clock_said or not answer.ok else clock_words(answer)
        if words is not None:
            self._clock_said = True
            self.record(ev.NOTE, {"text": f"Alertmanager at {self.shown}: {words}"})

    async def _post(self, body: dict[str, Any], matchers: list[str]) -> Answer:
        """Ask Alertmanager to make one silence; again (CREATE_PAUSES) while it certainly did not act on the request (no
        connection made, 429, 503: a restart, a load balancer with no backend), never after an answer that may mean it
        was made (a timeout, a 500), so no silence is made twice. Before, one 503 at the start left the change unsilenced."""
        tries = 0
        while True:
            tries += 1
            try:
                answer = await self.call("POST", "/api/v2/silences", body)
            except asyncio.CancelledError:  # the session closed (stop) before Alertmanager answered: it may have made it
                why = f"not confirmed: the session closed before Alertmanager answered; a silence may be active until {said_now(body['endsAt'])}"
                self._failed("create", why, matchers=matchers, until=str(body["endsAt"]))
                raise
            if answer.ok or not answer.not_acted_on or tries > len(CREATE_PAUSES) or self.state.finished:
                return answer if tries == 1 or answer.ok else silence_found.tried(answer, tries)
            try:
                await asyncio.sleep(min(max(CREATE_PAUSES[tries - 1], answer.retry_after or 0.0), START_WAIT))
            except asyncio.CancelledError:
                self._failed("create", f"not made: the session closed while asking again ({answer.problem('Alertmanager')})", matchers=matchers)
                raise

    @property
    def settling(self) -> bool:
        """The silences of the session's start are still being made (or a dead process's looked for)."""
        return self._creating is not None and not self._creating.done()

    async def resumed(self) -> None:
        """Wait until the run's silences are settled, made (or found) and journaled, or failed: a resumed run's that it
        lacked (each request is bounded by the timeout), a fresh run's for at most START_WAIT (then the run starts and
        a note says so; they are journaled when Alertmanager answers). Before, a fresh run did not wait: its first step
        ran while Alertmanager was still making the silence, unsilenced."""
        if self._creating is None or self._creating.done():
            return
        _made, waiting = await asyncio.wait([self._creating], timeout=None if self._resuming else START_WAIT)
        if waiting:
            self.record(ev.NOTE, {
                "text": f"Alertmanager at {self.shown} has not confirmed the silences within {START_WAIT:g}s: the run starts"
                " without them confirmed (their alerts may page); each is journaled when it answers",
            })  # fmt: skip

    async def resume(self, state: RunState, actor: str) -> None:
        """The silences the journal lacks (the process died while making them): found in Alertmanager, or made now.
        One whose end passed while the run was stopped is made again: before, the resumed run went on unsilenced (the
        on-call paged for the planned change) while the header still counted it. One someone else expired while the
        run went on is not: their decision stands, a note says so."""
        now = dt.datetime.now(dt.UTC)
        lapsed = {sid: s for sid, s in state.silences.items() if ended(s.get("ends_at"), now)}
        for silence_id, silence in lapsed.items():
            self.record(ev.SILENCE_EXPIRED, {"id": silence_id, "alertmanager": self.shown})
            matchers = ", ".join(map(str, silence.get("matchers") or ()))
            self.record(
                ev.NOTE, {"text": f"silence {silence_id} ({matchers}) ended at {said_now(silence.get('ends_at'))} while the run was stopped: it is made again"}
            )
        journaled = [list(s.get("matchers") or ()) for sid, s in state.silences.items() if sid not in lapsed]
        missing = [s for s in self.alerts.silences if [str(m) for m in s.matchers] not in journaled]
        # Someone else expired it while the run went on, which the run said and went on without: their decision stands
        # (before: made again here, silently undoing it).
        gone = [s for s in missing if tuple(map(str, s.matchers)) in state.silences_gone]
        for entry in gone:
            self.record(ev.NOTE, {
                "text": f"silence ({', '.join(map(str, entry.matchers))}) is not made again on resume: someone else expired it in"
                f" Alertmanager while the run went on, and its alerts page; to silence them again, make it at {self.shown}",
            })  # fmt: skip
        missing = [s for s in missing if s not in gone]
        if not missing:
            return
        found, skew = await self._listed()  # unreadable (or cut short): none found, each missing silence is made
        # made by `actor`, who resumes (before: whoever started the run, long gone); the dead process's were made by its person
        await self.create(state, actor, missing, found, skew, dead_makers(state.session))

    async def _listed(self) -> tuple[list[dict[str, Any]], dt.timedelta]:
        """Alertmanager's silences (none when it does not answer them readably), and how far its clock is ahead of ours."""
        return silence_found.listed(await self.listing())

    async def listing(self) -> Answer:
        """Alertmanager's answer for its list of silences (`GET /api/v2/silences`), up to LIST_BYTES."""
        return await in_background(
            functools.partial(request, "GET", f"{self.alerts.alertmanager}/api/v2/silences", timeout=self.timeout, limit=LIST_BYTES), "notify-request"
        )

    async def finish(self, state: RunState, outcome: str) -> None:
        """Expire this session's silences; after a rollback with `until: window_end`, keep them to the window's end."""
        if self._creating is not None and not self._creating.done():
            await asyncio.wait([self._creating])  # a silence still being made is expired too
        if self._extending:
            await asyncio.wait(list(self._extending))  # one in flight is journaled first (and a new id it gave expired)
        keep = self.alerts.until == "window_end" and (state.rollback is not None or outcome == "rolled_back")
        if keep:
            for silence_id, silence in list(state.silences.items()):
                self.record(ev.SILENCE_KEPT, {"id": silence_id, "alertmanager": self.shown, "until": silence.get("ends_at")})
            return
        # all at once: one after the other, a slow Alertmanager (2 s an answer) left the third past the closing's bound
        await asyncio.gather(*(self._expire(sid, str(silence.get("ends_at") or "")) for sid, silence in list(state.silences.items())))

    async def _expire(self, silence_id: str, until: str) -> None:
        """Expire one silence; a failure says until when it stays active (`until`), so the end can say so. Expiring again
        changes nothing, so an answer worth another try (none, 5xx, 429) is tried again after CREATE_PAUSES: before,
        one 502 at the end left the change's alerts silenced until the window's end."""
        tries = 0
        for pause in (*CREATE_PAUSES, None):
            tries += 1
            try:
                answer = await self.call("DELETE", f"/api/v2/silence/{quote(silence_id, safe='')}")  # the peer's words: one path segment
            except asyncio.CancelledError:  # the session closed (stop) before Alertmanager answered
                why = f"not confirmed: the session closed before Alertmanager answered; it may be active until {said_now(until)}"
                self._failed("expire", why, id=silence_id, until=until)
                raise
            gone = silence_found.nothing_to_expire(answer)  # before: "could NOT be expired (HTTP 500: silence not found): alerts stay silenced", none did
            if answer.ok or gone or not answer.retryable or pause is None:
                break
            try:
                await asyncio.sleep(min(max(pause, answer.retry_after or 0.0), START_WAIT))
            except asyncio.CancelledError:
                self._failed("expire", f"{answer.problem('Alertmanager')}; the session closed before asking again", id=silence_id, until=until)
                raise
        answer = answer if answer.ok or gone or tries == 1 else silence_found.tried(answer, tries)
        if answer.ok or gone:
            self.record(ev.SILENCE_EXPIRED, {"id": silence_id, "alertmanager": self.shown, **({"gone": gone} if gone else {})})
        else:
            self._failed("expire", answer.problem("Alertmanager"), id=silence_id, until=until)

    def _failed(self, action: str, error: str, **where: Any) -> None:
        self.record(ev.SILENCE_FAILED, {"alertmanager": self.shown, "action": action, "error": error, **where})

    async def stop(self, drain: float = 5.0) -> None:
        """Let a creation or expiry in progress end (bounded), then give up on it."""
        self._forget_ends()
        self.over.set()
        if self._tasks:
            _done, pending = await asyncio.wait(list(self._tasks), timeout=drain)
            for task in pending:
                task.cancel()
            if pending:  # each journals what it leaves unconfirmed before the journal closes (it was lost: written after)
                await asyncio.wait(pending)


def _maybe_made(answer: Answer) -> bool:
    """Alertmanager may have made the silence though no usable id came back: no answer in time, an unreadable 200, a 5xx."""
    return not answer.not_acted_on and (answer.status is None or answer.ok or answer.status >= 500)
