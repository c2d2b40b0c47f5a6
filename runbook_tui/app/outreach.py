"""Wiring notifications and Alertmanager silences into a session (moves to app/ with session.py).

`start_outreach` reads the secrets the `notify:` targets refer to (the
runbook's own through its templates, the settings' through `env:` /
`keyring:`), subscribes an `Announcer` and a `SilenceKeeper` to the
controller's event stream, and starts the background sender. Only live runs
reach out: a dry run, a rehearsal or a practice run pages nobody and
silences nothing. `notify_findings` and `alerts_findings` are preflight's
checks (`--notify-test` sends a test message to each URL).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from runbook_tui.app.secrets import SecretsError, read_secret, unmaskable
from runbook_tui.app.settings import Settings
from runbook_tui.engine import events as ev
from runbook_tui.engine.controller import SYSTEM, Controller
from runbook_tui.engine.http_bounded import without_password
from runbook_tui.engine.journal import JournalError
from runbook_tui.engine.redact import Redactor, url_forms
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.reach import NotifyTarget, SecretRef, Value, header_value_problem, shape_problem, url_problem, url_value_problem
from runbook_tui.runbook.templating import TemplateError, context_for, render_text

if TYPE_CHECKING:  # the notify package loads only for a run that notifies or silences (most runs start without it)
    from runbook_tui.notify.ledger import NoticeLedger
    from runbook_tui.notify.sender import Destination, Notifier
    from runbook_tui.notify.silences import SilenceKeeper
    from runbook_tui.notify.triggers import Announcer

log = logging.getLogger(__name__)

#: Modes that reach out: nothing real happens in the others, so nobody is paged and nothing silenced.
REACHING_MODES = frozenset({"live"})
#: What a notice the dead process left unsettled is journaled as, by either resume (`resumed`, app/end_notices.py).
NOT_KNOWN = "not known to be sent: the program stopped before its delivery was journaled (it may have arrived)"


def _value(value: Value, runbook: Runbook, secrets: Mapping[str, str], name: str) -> str:
    """A URL or header value with its secret read; raises SecretsError or TemplateError in words."""
    if isinstance(value, SecretRef):
        read = read_secret(value.secret(name))
        problem = unmaskable(runbook, name, read)  # it is masked in the journal too: a step inherits the environment
        if problem is not None:
            raise SecretsError(problem)
        return value.prefix + read
    return render_text(value, context_for(runbook, secrets=dict(secrets)))


@dataclass(frozen=True, slots=True)
class Unprepared:
    """A receiver that could not be prepared (its secret missing, a value that cannot go into a request): it gets nothing."""

    target: str  # as notices' outcomes name it (`notified.target`)
    mark: str  # where it is written
    why: str

    @property
    def words(self) -> str:
        from runbook_tui.notify.ledger import GETS_NOTHING  # here: a run without receivers loads nothing of notify

        return f"notify {self.target} ({self.mark}): {self.why}{GETS_NOTHING}"


def resolve(targets: tuple[NotifyTarget, ...], runbook: Runbook, secrets: Mapping[str, str]) -> tuple[list[Destination], list[Unprepared], list[str]]:
    """(destinations ready to send to, receivers that could not be prepared, every secret value used: for masking)."""
    from runbook_tui.notify.sender import Destination

    destinations: list[Destination] = []
    problems: list[Unprepared] = []
    used: list[str] = list(secrets.values())
    for target in targets:
        try:
            url = _value(target.url, runbook, secrets, "notify url")
            headers = {name: _value(value, runbook, secrets, f"notify header {name}") for name, value in target.headers}
            _sendable(target, url, headers)
        except (SecretsError, TemplateError) as exc:
            problems.append(Unprepared(without_password(target.shown_url), str(target.mark), str(exc)))
            continue
        used += url_forms(url) if isinstance(target.url, SecretRef) or target.url.value is None else []
        for (_name, value), read in zip(target.headers, headers.values()):
            if isinstance(value, SecretRef):  # the value alone too: a receiver may quote the token without its `Bearer `
                used += [read, read[len(value.prefix) :]]
            elif not value.value:
                used.append(read)
        # named without a `user:password@`'s password (`***`), as a metrics source is: the journal goes to verifiers and reports
        destinations.append(Destination(url, without_password(target.shown_url), target.format, target.events, headers))
    return destinations, problems, used


def _sendable(target: NotifyTarget, url: str, headers: Mapping[str, str]) -> None:
    """The URL and header values as read (a secret, a template rendered with late values) can go into a request; else
    SecretsError in words that name where the value came from and never quote it. Before, http.client refused it at
    send time, after every retry, quoting the value (`Invalid header value b'Bearer tok\\r\\nX: 1'`) in a form no mask
    knew, and a value split by CRLF could have added a header of its own."""
    if isinstance(target.url, SecretRef) or target.url.value is None:
        problem = url_value_problem(url) or (None if url_problem("url", url) is None else "expected http://HOST[:PORT]/PATH")
        if problem is not None:
            raise SecretsError(f"the url as read: {problem}")
    for (name, value), read in zip(target.headers, headers.values()):
        problem = header_value_problem(read)
        if problem is not None:
            source = value.shown if isinstance(value, SecretRef) else "its template"
            raise SecretsError(f"header {name} as read from {source}: {problem}")


@dataclass
class Outreach:
    """The running parts, stopped with the session (before its journal closes)."""

    notifier: Notifier | None
    announcer: Announcer | None
    keeper: SilenceKeeper | None
    record: Any = None
    lost: tuple[tuple[str, str], ...] = ()  # resumed: (event, target) the dead process never journaled as sent or failed

    @property
    def waits_for(self) -> str:
        """What `resumed` waits for, in words ("" when nothing): a front end shows it until then, and no step may run."""
        if self.keeper is None or not self.keeper.settling:
            return ""
        return f"Making the change's alert silences at {self.keeper.shown}: the run shows once Alertmanager has answered"

    async def resumed(self) -> None:
        """The run's silences are settled (made, or a dead process's found, and journaled) before anything else happens,
        and the notices the dead process left unsettled are journaled as such (not sent again: they may have arrived)."""
        for event, target in self.lost:
            self.record(ev.NOTIFY_FAILED, {"event": event, "target": target, "error": NOT_KNOWN, "attempts": 0})
        self.lost = ()
        if self.keeper is not None:
            await self.keeper.resumed()

    async def stop(self) -> None:
        if self.announcer is not None:
            self.announcer.stop()
        if self.keeper is not None:
            await self.keeper.stop()
        if self.notifier is not None:
            await self.notifier.stop()


def recorder(controller: Controller) -> Any:
    """Journal an outreach event; a failure while the run goes on is also an `error`, so every screen shows it."""
    failures = {ev.NOTIFY_FAILED: "notification", ev.SILENCE_FAILED: "silence"}

    def record(kind: str, payload: dict[str, Any]) -> None:
        if controller.fatal is not None:
            return
        try:
            controller.emit(ev.of(kind), SYSTEM, **payload)
            if kind in failures and not controller.state.finished:
                what = payload.get("event") or payload.get("action")
                where = payload.get("target") or payload.get("alertmanager")
                message = f"{failures[kind]} ({what}) to {where} failed: {payload.get('error')}"
                controller.emit(ev.ERROR, SYSTEM, message=message, transient=True, outreach=True)
        except JournalError:
            log.error("journal write failed; outreach event %s not recorded", kind)

    return record


def start_outreach(controller: Controller, settings: Settings, *, shared: bool, ledger: NoticeLedger | None = None) -> Outreach | None:
    """Subscribe the notifications and silences to `controller` (before its first event); None when nothing to do.
    `ledger` (a resume): the notices the journal owes, to name those the dead process never settled."""
    runbook = controller.runbook
    if controller.mode not in REACHING_MODES or not (settings.notify or runbook.notify or runbook.alerts):
        return None
    from runbook_tui.notify.sender import Notifier
    from runbook_tui.notify.silences import SilenceKeeper
    from runbook_tui.notify.triggers import Announcer

    record = recorder(controller)
    timing = settings.notify_timing
    notifier = announcer = None
    destinations, problems, used = resolve(settings.notify + runbook.notify, runbook, controller.secrets)
    # A step inherits the environment, where the receivers' secrets are (`env` printed RBT_HOOK_URL whole): mask them too.
    # (Not a URL's part spelled like a journal word, `?mode=live`: the whole URL is masked all the same.)
    controller.journal.redactor = controller.journal.redactor.with_values(v for v in used if unmaskable(runbook, "", v) is None)
    if destinations:
        notifier = Notifier(destinations, record, Redactor(used), timeout=timing.timeout, retries=timing.retries)
        announcer = Announcer(notifier.send, timing, shared=shared, told=ledger.told() if ledger is not None else frozenset())
        controller.subscribe(announcer)
    keeper = None
    if runbook.alerts is not None:
        keeper = SilenceKeeper(runbook.alerts, record, timeout=timing.timeout)
        controller.subscribe(keeper)
    lost = ledger.unaccounted(destinations) if ledger is not None else []
    outreach = Outreach(notifier, announcer, keeper, record, tuple(lost))
    if problems:
        controller.subscribe(_say_once(controller, problems))
    return outreach


def _say_once(controller: Controller, problems: list[Unprepared]) -> Any:
    """Journal the targets that could not be prepared, once session_started is out (nothing may precede it): in words,
    and the target and why as fields of their own, which `resume` reads (notify/ledger.py). Before, it read them back
    from the words, cut at the first `): `, which a folder named `change (v1): old` holds."""
    said = False

    def say() -> None:
        for problem in problems:
            if not controller.state.finished and controller.fatal is None:
                controller.emit(ev.ERROR, SYSTEM, message=problem.words, outreach=True, receiver=problem.target, unprepared=problem.why)

    def listener(event: Any, _state: Any) -> None:
        nonlocal said
        if not said and event["type"] in (ev.SESSION_STARTED, ev.SESSION_RESUMED):
            said = True
            asyncio.get_running_loop().call_soon(say)  # not inside another event's delivery

    return listener


# -- preflight ------------------------------------------------------------------------------


async def notify_findings(runbook: Runbook, settings: Settings, secrets: Mapping[str, str], *, send_as: str | None) -> list[str]:
    """Every target's secrets readable; with `send_as` (the person running preflight, the message's actor), a test
    message to each that must be accepted."""
    from runbook_tui.notify.messages import Notice
    from runbook_tui.notify.sender import Notifier
    from runbook_tui.notify.triggers import now_iso

    destinations, problems, used = resolve(settings.notify + runbook.notify, runbook, secrets)
    findings = [problem.words for problem in problems] + [
        f"notify {d.shown}: {problem}" for d in destinations if (problem := shape_problem(d.url, d.format)) is not None
    ]
    if send_as is None or not destinations:
        return findings
    answers: list[str] = []

    def record(kind: str, payload: dict[str, Any]) -> None:
        if kind == ev.NOTIFY_FAILED:
            answers.append(f"notify {payload['target']}: the test message was not accepted: {payload['error']}")

    timing = settings.notify_timing
    notifier = Notifier(destinations, record, Redactor(used), timeout=timing.timeout, retries=0)
    ticket = runbook.ticket.id if runbook.ticket else None
    summary = f"test message from `runbook-tui preflight` for {ticket or 'NO TICKET'} '{runbook.title}': this receiver is reached"
    notice = Notice("test", runbook.id, runbook.title, ticket, send_as, now_iso(), "", summary)  # (before: `system`)
    try:
        await asyncio.gather(*(notifier.deliver(d, notice) for d in destinations))
    finally:
        await notifier.stop(drain=0)
    return findings + answers


async def alerts_findings(runbook: Runbook, settings: Settings) -> list[str]:
    """The matchers parsed at load; here: does the Alertmanager answer its API?"""
    if runbook.alerts is None:
        return []
    from runbook_tui.notify.silence_clock import check_api

    problem = await asyncio.to_thread(check_api, runbook.alerts, settings.notify_timing.timeout)
    return [problem] if problem else []
