"""Wiring one run: runbook, secrets, journal, executors and controller, for every front end.

`build_session` is the one place that makes a session: `run`, `exec`, `rehearse` and practice reach it through
`open_session` (a new journal), `resume` through `resume_session` (the journal folded back): a rehearsal exercises
exactly what the live run will, and a resumed run reads the same secrets it started with."""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import getpass
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runbook_tui.app.approved import approved
from runbook_tui.app.executors import Executors
from runbook_tui.app.outreach import start_outreach
from runbook_tui.app.rehearsed import rehearsed_rollback
from runbook_tui.app.secrets import read_secrets
from runbook_tui.app.settings import Settings, default_journal_path, journals_dir, load_settings
from runbook_tui.app.sharing import ShareOptions, resume_keys, share_listener, sharing
from runbook_tui.engine.actors import SYSTEM, person_name_problem
from runbook_tui.engine.controller import Actor, Controller, Listener
from runbook_tui.engine.errors import RunbookRefused, StartRefused
from runbook_tui.engine.events import NOTE, SHARE_STARTED, STEP_MARKED_DONE, Event
from runbook_tui.engine.guard_response import respond_if_unanswered
from runbook_tui.engine.journal import JournalError, JournalWriter
from runbook_tui.engine.journal_file import hold_journal, refuse_unsafe_journal
from runbook_tui.engine.mark_done import settled_by_solo
from runbook_tui.engine.redact import Redactor
from runbook_tui.engine.run_process import who, writer_verdict
from runbook_tui.engine.state import RunState
from runbook_tui.engine.window import window_problem
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.loader import Loaded, load_runbook
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.safe_text import not_utf8, visible_line

#: How often the session checks the journal's writer thread (grouped output is committed by that thread).
JOURNAL_WATCH_SECONDS = 0.5

#: Modes that execute nothing real, so the change window does not apply.
EXEMPT_FROM_WINDOW = frozenset({"dry-run", "rehearsal", "practice"})
MODES = EXEMPT_FROM_WINDOW | {"live"}

if TYPE_CHECKING:  # the share server loads asyncssh: only shared runs pay for it; a recording only practice
    from runbook_tui.engine.recording import Recording
    from runbook_tui.metrics.guard_memory import GuardMemory
    from runbook_tui.notify.ledger import NoticeLedger
    from runbook_tui.share.server import ShareServer
    from runbook_tui.trust.run_trust import RunTrust

SessionError = StartRefused  # the name the command-line code uses
#: A journal that cannot be made for these is not the path's fault (exit 1); any other reason is (exit 2: bad input).
_DISK_TROUBLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EBUSY})


@dataclass
class Session:
    controller: Controller
    journal_path: Path
    executors: Executors
    actor: Actor
    metrics: Any = None  # the MetricsMonitor polling the panels, when the runbook has metrics
    outreach: Any = None  # notifications and Alertmanager silences (outreach.py), when configured
    share: ShareServer | None = None
    share_address: str = ""
    share_keys: Mapping[str, Sequence[str]] = field(default_factory=dict)  # the key files of who may join, for share_started
    trust: Any = None  # trust.assignee.AssigneeTrust: the assignee's signatures and the wait for the verifier's last seal
    backlog: tuple[Event, ...] = ()  # resumed: the journal's last events that were on the output pane (engine.backlog)
    identity: str | None = None  # the key file signing the assignee's decisions (--identity), for the resume command
    signers_file: str | None = None  # `--allowed-signers PATH` as given (absolute), for the resume command
    _watch: asyncio.Task[None] | None = field(default=None, init=False, repr=False)  # start() runs it, close() stops it

    async def start(self) -> None:
        """Watch the journal's writer (whichever front end drives the run); open the shared session when asked."""
        if self._watch is None:
            self._watch = asyncio.create_task(self._watch_journal())
        if self.outreach is not None:
            await self.outreach.resumed()  # the silences are made (or a dead process's found) before a step runs
        if self.share is None or self.share_address:
            return
        host, port = self.share.address
        bound = await self.share.start(host, port)
        self.share_address = f"[{host}]:{bound}" if ":" in host else f"{host}:{bound}"  # as `join` takes it: ::1:2222 is ambiguous
        keys = {"keys": {option: list(files) for option, files in self.share_keys.items()}} if self.share_keys else {}
        verifiers = sorted({p.name for p in self.share.participants.values() if p.role == "verifier"})  # who may verify, by name (the header)
        self.controller.emit(SHARE_STARTED, self.actor, address=self.share_address, fingerprint=self.share.fingerprint, verifiers=verifiers, **keys)

    @property
    def start_waits_for(self) -> str:
        """What `start()` will wait for before a step may run, in words ("" when nothing): the change's alert silences
        being made. A front end that shows the run before `start()` ended would let a step run unsilenced."""
        return self.outreach.waits_for if self.outreach is not None else ""

    @property
    def share_note(self) -> str:
        if not self.share_address or self.share is None:
            return ""
        from runbook_tui.notify.triggers import join_address  # only a shared run's screen needs the notices' module

        # What a verifier types, as the notices say it: `--share :2222` read `shared at 0.0.0.0:2222`, their own machine
        return f"shared at {join_address(self.share_address)}, host key {self.share.fingerprint}"

    @property
    def notices_failed_closing(self) -> tuple[str, ...]:
        """The notices that failed as the session closed (`Notifier.failed_closing`): after the screen was gone."""
        notifier = self.outreach.notifier if self.outreach is not None else None
        return tuple(notifier.failed_closing) if notifier is not None else ()

    @property
    def unsigned_note(self) -> str:
        """Why the assignee's decisions in a live run go unsigned (the report and `journal verify` say so afterwards);
        empty when a key signs them, and in a dry run or practice, where nothing is decided for real."""
        if self.controller.state.mode != "live" or (self.trust is not None and self.trust.signer is not None):
            return ""
        return "decisions unsigned: no --identity key, no agent key"

    async def _watch_journal(self) -> None:
        """A failed background write stops the run within half a second (fatal set), driven or idle."""
        while True:
            await asyncio.sleep(JOURNAL_WATCH_SECONDS)
            self.controller.flush()

    def flush(self) -> None:
        """Everything journaled so far is on disk (before the file is read back, as practice's results do)."""
        self.controller.journal.flush()

    async def close(self) -> None:
        """Stop everything; connections and the journal file are released even when the last write fails."""
        if self._watch is not None:
            self._watch.cancel()
        try:
            if self.trust is not None:
                await self.trust.drain()  # the last signatures and seals, before the share and journal close
            if self.outreach is not None:
                await self.outreach.stop()  # before the journal closes: the last deliveries are journaled
            if self.share is not None:
                await self.share.close()
            if self.metrics is not None:
                await self.metrics.stop()
        finally:
            try:
                await self.executors.close()
            finally:
                self.controller.journal.close()  # flushes; a JournalError still reaches the caller


def operator_name() -> str:
    """Who is at the keyboard: RUNBOOK_TUI_USER, else the login name (never the ticket's planned assignee). Under sudo
    (or doas) the login is who typed it, as they set SUDO_USER (DOAS_USER); LOGNAME and USER name the target user: root."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (a bare container)
        login = f"uid-{os.getuid()}"
    name = os.environ.get("RUNBOOK_TUI_USER") or os.environ.get("SUDO_USER") or os.environ.get("DOAS_USER") or login
    if (shown := not_utf8(name)) is not None:  # every event names its actor, and the journal is UTF-8
        raise StartRefused(f"RUNBOOK_TUI_USER (or the login name) {visible_line(shown)}: expected UTF-8 text; it holds bytes that are not")
    if (problem := person_name_problem(name)) is not None:
        raise StartRefused(f"RUNBOOK_TUI_USER (or the login name): {problem} (set RUNBOOK_TUI_USER=yourname)")
    return name


def load(file: str, params: dict[str, Any]) -> Loaded:
    try:
        return load_runbook(file, params).ready()  # a draft of `runbook-tui new` (CHG-0000, EDIT-assignee) never runs
    except RunbookInvalid as invalid:
        raise RunbookRefused(invalid.diagnostics) from None


@dataclass(frozen=True)
class SessionRequest:
    """What an entry point asks of its session; `build_session` decides the rest the same way for every one."""

    mode: str = "live"  # live, dry-run, rehearsal, practice
    solo: str | None = None  # a reason: no verifier (None: as the journal says, on resume)
    share: ShareOptions | None = None
    trust: RunTrust | None = None
    listeners: Sequence[Listener] = ()
    settings: Settings | None = None
    recording: Recording | None = None  # practice: the night's outputs stand in for every command
    verifier_in_process: bool = False  # the caller relays a verifier's intents itself (tests, embedders, practice)
    bulk_output: bool = False  # headless: local output in large chunks (no keys to answer between them)
    ledger: NoticeLedger | None = None  # resumed: the notices the journal owes, for outreach to name those never settled
    guards: GuardMemory | None = None  # resumed: what the guards had seen, so `for:` counts on
    look: bool = False  # `resume` deciding nothing: where the run stands is said; the metrics are not polled (nor journaled)
    cut: tuple[int, int] | None = None  # resume: a torn last line (its start, the size read), dropped as the writer opens
    renamed: Callable[[], Path] | None = None  # a new run's default journal name: another free one, when a parallel start took it
    waiting: Callable[[str], None] | None = None  # headless: told when the keyring is slow to give a secret (`read_secrets`)


def build_session(
    runbook: Runbook,
    request: SessionRequest,
    path: Path,
    begin: Callable[[Controller, Actor], None],
    *,
    state: RunState | None = None,
    signed_before: Iterable[Event] = (),
) -> Session:
    """The one wiring of a run, new (`state` None: a new journal) or continued (the state folded from `path`).

    Secrets, journal writer, executors, controller, share server, signer, listeners and
    outreach are made here alike for run, exec, resume, rehearse and practice;
    `begin` journals the first events (session_started, or the resume), and only
    then do the metrics start polling.
    """
    mode = request.mode
    settings = request.settings or load_settings()
    secrets = _secrets_for(runbook, mode, request.waiting)
    actor = Actor(operator_name(), "assignee")  # before the journal is made: a name it cannot hold starts nothing
    solo = request.solo if request.solo is not None or state is None else state.solo
    bound = share_listener(request.share, solo, request.trust, actor.name)
    try:
        writer = _writer(path, Redactor(secrets.values()), request, new=state is None)
    except JournalError as exc:
        if bound is not None:
            bound[1].close()
        raise SessionError(str(exc.strerror), code=1 if exc.errno in _DISK_TROUBLE else 2) from None  # else: the path given
    path = writer.path  # a default name another start took meanwhile: the next free one
    # Practice and dry runs execute nothing: a recording plays back, or the dry-run executor shows what would run.
    executors = Executors(settings, dry_run=mode in ("dry-run", "practice"), recording=request.recording, bulk_output=request.bulk_output)
    controller = Controller(
        runbook, writer, executors, assignee=actor.name, mode=mode, solo=solo, secrets=secrets,
        max_concurrency=settings.max_concurrency, state=state,
        auto_finish=mode != "rehearsal",  # rehearse finishes its session itself (rolled_back), resumed too (it ended `done`)
    )  # fmt: skip
    server = sharing(controller, request.share, bound)
    controller.verifier_reachable = controller.solo is not None or server is not None or request.verifier_in_process
    signing = _signing(controller, request.trust, signed_before)
    for listener in request.listeners:
        controller.subscribe(listener)
    outreach = start_outreach(controller, settings, shared=server is not None, ledger=request.ledger)
    begin(controller, actor)
    session = Session(
        controller, path, executors, actor, metrics=None if request.look else start_metrics(controller, mode, request.guards), share=server, outreach=outreach
    )
    session.trust = signing
    session.identity, session.signers_file = resume_keys(request.trust)
    session.share_keys = request.share.key_files if request.share else {}
    if server is not None:
        server.unsigned = session.unsigned_note  # the verifier's screen says what the assignee's foot says
    return session


#: Default journal names tried, each taken by a parallel start of the same runbook in the microsecond it was found free.
NAMES_TRIED = 100


def _writer(path: Path, redactor: Redactor, request: SessionRequest, *, new: bool) -> JournalWriter:
    """The run's journal writer. A default name (`request.renamed`) is only found free before its file is created (with
    O_EXCL): a parallel start of the same runbook may create it first, in the same microsecond; this start then takes
    the next free name, not a journal held or begun by that one (before: it ended at once, exit 1 or 2)."""
    tried = 1
    while True:
        try:
            return JournalWriter(path, redactor, new=new, cut=request.cut)
        except JournalError as exc:
            if request.renamed is None or tried == NAMES_TRIED or exc.errno not in (errno.EEXIST, errno.EBUSY):
                raise
        path, tried = request.renamed(), tried + 1


def _secrets_for(runbook: Runbook, mode: str, waiting: Callable[[str], None] | None) -> dict[str, str]:
    """Practice and dry runs read no secret (commands show `***`), started or resumed; other runs need every one."""
    if mode in ("practice", "dry-run"):
        return {s.name: "***" for s in runbook.secrets}
    from runbook_tui.app.secrets import SecretsError

    try:
        return read_secrets(runbook, waiting=waiting)
    except SecretsError as exc:
        raise SessionError(f"the runbook's secrets cannot be used, nothing was run:\n{exc}", code=2) from None


def open_session(
    loaded: Loaded,
    *,
    mode: str = "live",
    solo: str | None = None,
    journal: str | None = None,
    override_window: str | None = None,
    settings: Settings | None = None,
    now: dt.datetime | None = None,
    listeners: Sequence[Listener] = (),
    share: ShareOptions | None = None,
    recording: Recording | None = None,
    verifier_in_process: bool = False,
    trust: RunTrust | None = None,
    bulk_output: bool = False,
    waiting: Callable[[str], None] | None = None,
) -> Session:
    """A new run: window and approval checked before the first event; then session_started is journaled.

    Without `solo` or `share`, no verifier can join, so steps that need a confirmation are refused before they start,
    unless `verifier_in_process` (the caller relays a verifier's intents to the controller itself, as tests do).

    In practice mode (`recording` given) nothing is executed and no secret is read: commands
    render with `***` and the recorded outputs stand in.
    """
    try:
        runbook = loaded.ready().runbook  # a draft of `runbook-tui new` (CHG-0000, EDIT-assignee) never runs, from any front end
    except RunbookInvalid as draft:
        raise RunbookRefused(draft.diagnostics) from None
    settings = settings or load_settings()
    trust = approved(
        trust, runbook, settings, operator_name(), now=now, live=mode not in EXEMPT_FROM_WINDOW, solo=solo is not None and mode == "live"
    )  # who, when, how
    problem = None if mode in EXEMPT_FROM_WINDOW else window_problem(runbook.ticket, now or dt.datetime.now(dt.UTC), settings.blackouts)
    if problem and not override_window:
        raise SessionError(f"{problem}; starting needs --override-window REASON (journaled)", window=True)
    named = runbook.id + ("-practice" if mode == "practice" else "")
    path = Path(journal) if journal else default_journal_path(named)
    rehearsal = rehearsed_rollback(journals_dir(), runbook.id, runbook.digest) if mode in ("live", "dry-run") else None

    opening: list[Event] = []  # what starting journals (the session, a window override, the plan's approval): the pane's first lines

    def begin(controller: Controller, actor: Actor) -> None:
        with _kept(controller, opening):
            signers = trust.signers_record() if trust is not None else None
            controller.start(
                window_override=override_window if problem else None,
                journal_path=str(controller.journal.path),
                rehearsed=rehearsal,
                signers=signers,
                practised=recording.night if recording is not None else None,
            )
            if trust is not None:
                trust.journal_approval(controller)

    renamed = None if journal else lambda: default_journal_path(named)
    request = SessionRequest(mode, solo, share, trust, listeners, settings, recording, verifier_in_process, bulk_output, renamed=renamed, waiting=waiting)
    started = build_session(runbook, request, path, begin)
    started.backlog = tuple(opening)
    return started


@contextmanager
def _kept(controller: Controller, into: list[Event]) -> Iterator[None]:
    """Every event the controller journals meanwhile, appended to `into` (the output pane's first lines)."""
    controller.subscribe(note := lambda event, _state: into.append(event))
    try:
        yield
    finally:
        controller.unsubscribe(note)


def _signing(controller: Controller, trust: RunTrust | None, earlier: Iterable[Event] = ()) -> Any:
    """The assignee's signer following the controller (None: nothing signed, nothing awaited)."""
    if trust is None:
        return None
    from runbook_tui.trust.assignee import AssigneeTrust

    return AssigneeTrust(controller, trust.signer, earlier)


def start_metrics(controller: Controller, mode: str, memory: GuardMemory | None = None) -> Any:
    """Poll the panels, trip guards, judge `expect.metric` and `metrics.success` (needs the running event loop).

    Not in practice runs (recorded readings stand in); in dry runs the panels
    and guards run, but `expect.metric` and `metrics.success` are not checked
    (nothing was changed).
    """
    metrics = controller.runbook.metrics
    if metrics is None or metrics.source is None or mode == "practice":
        return None
    from runbook_tui.metrics.poller import MetricsMonitor

    monitor = MetricsMonitor(controller, enforce=mode != "dry-run", memory=memory)
    return monitor if monitor.start() else None


def resume_session(
    journal: str,
    *,
    settings: Settings | None = None,
    listeners: Sequence[Listener] = (),
    share: ShareOptions | None = None,
    solo: str | None = None,
    reopen: str | None = None,
    full: bool = False,
    trust: RunTrust | None = None,
    bulk_output: bool = False,
    look: bool = False,
    forward: bool = False,
    override_window: str | None = None,
    waiting: Callable[[str], None] | None = None,
) -> Session:
    """Rebuild the state from the journal alone, reload the same runbook, and journal the resume (`look`: nobody
    resumes; only what it repairs or learns is journaled: a torn last line cut, the run's process found gone).

    `solo` / `share` change how the run is verified from now on (journaled as `mode_changed`).
    `reopen` (a reason): a session that ended failed is opened again for `resume --rollback` (`full`: `--full`, which
    also reopens one rolled back to a checkpoint that left steps with an undo applied).
    `forward`: steps would run (the TUI, `--continue`, `--rerun`): outside the window, only with `override_window`.
    """
    path = Path(journal)
    try:
        refuse_unsafe_journal(path)
        held = hold_journal(path)  # no other process writes it while it is read
    except JournalError as exc:
        raise SessionError(str(exc.strerror), code=1 if exc.errno == errno.EBUSY else 2) from None
    from runbook_tui.app.resume_read import Finished, read_to_resume  # (it reads MODES, SessionError here)
    from runbook_tui.app.resume_words import full_rollback_unended  # a resume's words: not loaded before a run's first frame

    finished: Finished | None = None
    try:
        state, shown, backlog, loaded, (ledger, guards, copied), torn = read_to_resume(path, reopen, full)
    except Finished as done:
        finished = done
    finally:
        os.close(held)  # the writer below takes the lock again
    if finished is not None:  # nothing to resume; the notices its process left unsettled are journaled (under the writer's lock)
        from runbook_tui.app.end_notices import settle_lost_notices

        said = settle_lost_notices(path, finished.state, finished.ledger, settings or load_settings())
        raise SessionError(str(finished) + said, code=finished.code)
    from runbook_tui.app.resume_window import going_on_override, journal_override  # (it reads EXEMPT_FROM_WINDOW here)

    settings = settings or load_settings()
    mode = str(state.session.get("mode", "live"))
    override = going_on_override(state, loaded.runbook, settings, override_window, exempt=not forward or mode in EXEMPT_FROM_WINDOW)

    opening: list[Event] = []  # what resuming journals (the resume, a reopening): the pane's next lines

    def begin(controller: Controller, actor: Actor) -> None:
        with _kept(controller, opening):
            if reopen is not None and state.finished:
                controller.reopen(actor, reopen, full=full)
            writer = state.session.get("process")
            elsewhere = who(writer) if writer_verdict(writer) == "elsewhere" else None
            controller.interrupted(os.getpid(), elsewhere) if look else controller.resumed(os.getpid(), trust.signers_record() if trust else None)
            journal_override(controller, actor, override)
            if elsewhere and not look:
                controller.emit(
                    NOTE,
                    SYSTEM,
                    text=f"the run's process, {elsewhere}, could not be checked from this machine: if that run still goes on, end it",
                    step=controller.state.current,
                )
            cut = torn and f"the journal's last line was cut short when the process stopped ({torn[1] - torn[0]} bytes of an event being written)"
            for said in filter(None, (cut and cut + ": dropped; the run goes on from the last whole event", copied)):
                controller.emit(NOTE, SYSTEM, text=said, step=controller.state.current)
            respond_if_unanswered(controller)  # a guard's trip whose pause the dead process never journaled
            if full_rollback_unended(controller.state):  # the process died between the two: the run ended rolled back
                controller.finish(SYSTEM, "rolled_back")
            if solo is not None or share is not None:
                controller.change_mode(actor, solo=solo, shared=share is not None)
                if (settled := settled_by_solo(controller.state)) is not None:
                    controller.emit(STEP_MARKED_DONE, actor, step=settled[0], reason=settled[1], verified=False)

    request = SessionRequest(
        mode, solo, share, trust, listeners, settings, bulk_output=bulk_output, ledger=ledger, guards=guards, look=look, cut=torn, waiting=waiting
    )
    # What was shown before the process died (gathered on the one pass above), so the signer goes on from there.
    resumed = build_session(loaded.runbook, request, path, begin, state=state, signed_before=shown)
    resumed.backlog = (*backlog, *opening)
    return resumed
