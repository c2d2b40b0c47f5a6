"""Sending notices without ever holding up a step: one bounded queue and one worker per destination.

`Notifier.send` only puts the notice on each destination's queue and
returns. A worker per destination POSTs it from a daemon thread of its own
(http.client blocks; the shared default pool stays free for the metrics
source, and the process's exit never waits on a receiver: `in_background`), retries a failed attempt (no answer, 5xx, 429) after a back-off,
and journals the result through `record`: `notified` or `notify_failed`,
with the target as shown (a secret URL by its source), never a header value.
A hung receiver costs its own worker its timeout, nothing else. A full
queue drops the new notice and says so. `stop` gives queued notices a
bounded moment (the end of a session is worth telling), then gives up on
the rest, journaling each as not sent.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.background import in_background
from runbook_tui.engine.redact import Redactor
from runbook_tui.notify.http import Answer, request
from runbook_tui.notify.messages import Notice, encode
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.lean_dataclass import dataclass, field

log = logging.getLogger(__name__)

#: Notices waiting per destination; beyond this a new one is dropped (and journaled as dropped).
QUEUE_SIZE = 100
#: Seconds between attempts: the first retry after 1 s, later ones after 3 s.
BACKOFF = (1.0, 3.0)
#: The longest a receiver's Retry-After is waited before the next attempt: the notices behind it wait too. One asking
#: for longer ends the notice at once, saying so (asked again early, it was refused again).
RETRY_AFTER_MAX = 30.0
WEEK = 7 * 86400.0
#: Journals an event: (type, payload). The wiring makes it safe to call once the journal is gone.
Record = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class Destination:
    """A notify target with its URL and headers resolved (secrets read): only the sender holds the values."""

    url: str
    shown: str  # how the journal names it
    format: str = "json"
    events: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events or event == "test"


class Notifier:
    """Queues notices per destination and delivers them in the background."""

    def __init__(
        self,
        destinations: list[Destination],
        record: Record,
        redactor: Redactor | None = None,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: tuple[float, ...] = BACKOFF,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self.destinations = destinations
        self.record = record
        self.redactor = redactor or Redactor()
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._queues = [asyncio.Queue[Notice](queue_size) for _ in destinations]
        self._workers: list[asyncio.Task[None]] = []
        self._in_flight: dict[int, Notice] = {}
        # By the destination itself (its id), not its URL: two receivers may share one (the settings' and the runbook's, a json
        # and a slack one), and when both were asked at once the second answer found its entry gone: a KeyError journaled a
        # delivered notice as failed ("internal error"), and preflight --notify-test ended in a traceback.
        self._last_problem: dict[int, tuple[str, int, bool]] = {}  # why its last attempt failed, attempts so far, whether it reached the receiver
        self._asking: dict[int, int] = {}  # the attempt sent and not yet answered
        self._stopped = False
        #: The notices that failed once the session began to close (`stop`), in words: settled after a run screen closed
        #: (`q`), which the terminal says then, as exec's lines do (runbook-tui's `run` printed the resume command alone).
        self.failed_closing: list[str] = []

    def start(self) -> None:
        if not self._workers and not self._stopped:
            self._workers = [asyncio.create_task(self._work(i), name=f"notify-{i}") for i in range(len(self.destinations))]

    def send(self, notice: Notice) -> None:
        """Queue `notice` for every destination that wants its event; returns at once (workers start on first use)."""
        self.start()
        if self._stopped:
            return
        for index, destination in enumerate(self.destinations):
            if not destination.wants(notice.event):
                continue
            try:
                self._queues[index].put_nowait(notice)
            except asyncio.QueueFull:
                self._failed(destination, notice, f"not sent: {self._queues[index].qsize()} notices already wait for this receiver", 0)

    async def deliver(self, destination: Destination, notice: Notice) -> Answer:
        """Try up to 1 + retries times; journal the outcome; return the last answer."""
        body = encode(notice, destination.format)
        attempt = 0
        while True:
            attempt += 1
            call = functools.partial(request, "POST", destination.url, raw=body, headers=destination.headers, timeout=self.timeout)
            self._asking[id(destination)] = attempt
            answer = await in_background(call, "notify-request")
            del self._asking[id(destination)]
            if answer.ok:
                self._last_problem.pop(id(destination), None)
                self.record(ev.NOTIFIED, {"event": notice.event, "target": destination.shown, "status": answer.status, "attempts": attempt})
                return answer
            if not answer.retryable or attempt > self.retries:
                self._failed(destination, notice, answer.problem("the receiver", self.redactor.text), attempt)
                return answer
            if (answer.retry_after or 0.0) > RETRY_AFTER_MAX:  # not asked before its time (it would refuse again), and said
                asked = format_duration(answer.retry_after or 0.0) if (answer.retry_after or 0.0) < WEEK else "more than a week"
                why = f"{answer.problem('the receiver', self.redactor.text)}; it asked to wait {asked} before another try, longer than a notice waits"
                self._failed(destination, notice, f"{why} ({format_duration(RETRY_AFTER_MAX)})", attempt)
                return answer
            self._last_problem[id(destination)] = (answer.problem("the receiver", self.redactor.text), attempt, not answer.not_acted_on)
            pause = self.backoff[min(attempt - 1, len(self.backoff) - 1)]
            # A rate limit (Slack's 429) says how long: before, the retry came after 1 s, was refused again, and the
            # notice was journaled as failed; its wait is kept (a longer one ended the notice above).
            await asyncio.sleep(max(pause, answer.retry_after or 0.0))

    def _failed(self, destination: Destination, notice: Notice, error: str, attempts: int) -> None:
        payload = {"event": notice.event, "target": destination.shown, "error": self.redactor.text(error), "attempts": attempts}
        self.record(ev.NOTIFY_FAILED, payload)
        if self._stopped:
            self.failed_closing.append(f"{notice.event} to {destination.shown}: {payload['error']}")

    async def _work(self, index: int) -> None:
        destination, queue = self.destinations[index], self._queues[index]
        while True:
            notice = await queue.get()
            self._in_flight[index] = notice
            try:
                await self.deliver(destination, notice)
            except Exception as exc:  # a bug must not end the worker, nor reach the screen as a traceback
                log.exception("notification to %s failed", destination.shown)
                self._failed(destination, notice, f"internal error: {exc}", 0)
            # Cancelled (stop) above: the notice stays in flight, and `stop` journals it as not sent.
            self._in_flight.pop(index, None)
            queue.task_done()

    async def stop(self, drain: float = 3.0) -> None:
        """Let queued notices go out for up to `drain` seconds, then journal the rest as not sent."""
        self._stopped = True
        if self._workers:
            waiting = [asyncio.ensure_future(q.join()) for q in self._queues]
            _done, pending = await asyncio.wait(waiting, timeout=drain) if waiting else (set(), set())
            for task in pending:
                task.cancel()
            for worker in self._workers:
                worker.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
            self._workers = []
        for index, destination in enumerate(self.destinations):
            in_flight = self._in_flight.pop(index, None)
            if in_flight is not None:
                last, tried, reached = self._last_problem.pop(id(destination), ("", 0, False))
                asking = self._asking.pop(id(destination), 0)
                if asking:  # the request went out: the receiver may have it, only its answer is missing
                    self._failed(destination, in_flight, f"not confirmed: the session closed before the receiver answered attempt {asking}", asking)
                elif reached:  # its last try went out and was not answered (or failed there): the receiver may act on it
                    words = f"not confirmed: the session closed while retrying (attempt {tried}: {last}; the receiver may have it)"
                    self._failed(destination, in_flight, words, tried)
                else:
                    self._failed(destination, in_flight, f"not sent: the session closed while retrying (last attempt: {last})", tried)
            queue = self._queues[index]
            while not queue.empty():
                self._failed(destination, queue.get_nowait(), "not sent: the session closed before its turn", 0)
