"""The commands without a TUI: exec, resume, rehearse (preflight: preflight.py; journal verify: journal_verify.py).

Each returns the exit code the contract gives: 0 done/ready/intact, 1
failed/findings/tampered, 2 invalid input or unreadable.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import os
import sys
from collections.abc import Callable
from typing import Any, Literal, TextIO, TypeVar

from runbook_tui.app.resume_window import look_note
from runbook_tui.app.resume_words import DRY_RUN_END, rollback_first, summary
from runbook_tui.app.session import Session, SessionError, load, open_session, resume_session
from runbook_tui.app.sharing import ShareOptions, resume_command
from runbook_tui.app.stopped import journal_stop, stopping_signals
from runbook_tui.engine import output_text
from runbook_tui.engine.autopilot import OnFailure, Policy, drive
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.describe import describe, lone_wave
from runbook_tui.engine.errors import RunbookRefused
from runbook_tui.engine.events import OUTPUT, REOPENABLE, SESSION_STARTED, Event
from runbook_tui.engine.invocation import invocation
from runbook_tui.engine.journal import JournalError
from runbook_tui.engine.manual import persons_part, unanswerable
from runbook_tui.engine.outcomes import EXIT_FAILED, EXIT_INVALID, exit_code
from runbook_tui.engine.rollback import NO_UNDO_AT_ALL, nothing_to_roll_back
from runbook_tui.engine.state import RunState
from runbook_tui.engine.undo_notes import section_stop, still_applied
from runbook_tui.runbook.diagnostics import diagnostic_lines
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.loader import Loaded
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.safe_text import shell_word, visible, visible_line


def printer(out: TextIO) -> Callable[[Event, RunState], None]:
    """A listener printing each event as readable lines (exec's stdout); an output chunk in one write.

    The usual output chunk (ASCII) goes to `out`'s binary buffer as `ascii_block` made it, after `out` is flushed,
    so it comes after everything printed before it."""
    binary = getattr(out, "buffer", None)

    def write(event: Event, state: RunState) -> None:
        if event["type"] == OUTPUT and binary is not None and (parts := output_text.ascii_block(event)) is not None:
            out.flush()
            for part in parts:
                binary.write(part)
            binary.flush()
            return
        text = output_text.output_block(event) if event["type"] == OUTPUT else "".join(line + "\n" for line in describe(event, state))
        if text:
            out.write(text)
            out.flush()

    def listen(event: Event, state: RunState) -> None:
        if lone_wave(event, state):
            return  # journaled; on one host in one wave it repeats the step's own lines
        try:
            write(event, state)
        except OSError as exc:
            stdout_closed(exc)

    return listen


def stdout_closed(exc: OSError) -> None:
    """The reader of stdout left (`exec … | head`), or stdout refuses writes (a full disk behind `> FILE`; before: "listener
    failed … please report it" at every event): a change must not stop half way for that. Stdout goes to /dev/null
    (nothing raises again), stderr says so once, and the journal keeps every event."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    said = "stdout was closed" if isinstance(exc, BrokenPipeError) else f"cannot write to stdout ({exc.strerror or exc})"
    print(f"runbook-tui: {said}; the run goes on and the journal has every event", file=sys.stderr, flush=True)


def say(text: str, end: str = "\n") -> None:
    """`print` to stdout for a headless run, which goes on when the reader of stdout has left."""
    try:
        print(text, end=end, flush=True)
    except OSError as exc:
        stdout_closed(exc)


def say_opened(session: Session, resumed: str | None = None, *, unsigned: bool = True) -> None:
    """Once started: where it is shared; a resume's summary (`resumed`); why the assignee's decisions go unsigned (as
    the run screen's foot says it), if they do and `unsigned`."""
    if session.share_note:
        say(session.share_note)
    if resumed is not None:
        say(resumed, end="")
    if session.unsigned_note and unsigned:
        say(f"{session.unsigned_note}: the decisions{'' if resumed is None else ' from here'} go unsigned (--identity KEY signs them)")


def say_outcome(session: Session, outcome: str) -> int:
    """The last line of a headless run: how it ended, and how to continue when the journal is left open."""
    journal = session.journal_path
    if session.controller.state.finished:
        if session.controller.state.mode == "dry-run" and (outcome in REOPENABLE or still_applied(session.controller.state)):
            say(DRY_RUN_END)  # `resume --rollback` advice would undo, as a dry run again, what never ran
        elif outcome in REOPENABLE:
            say(visible_line(_undo_advice(session.controller, str(journal))))
        elif applied := still_applied(session.controller.state):  # a rollback to a checkpoint: what is before it stays
            say(
                visible_line(
                    f"still applied: {', '.join(applied)} (before the checkpoint); to undo them too: {invocation()} resume {shell_word(journal)} --rollback --full"
                )
            )
    elif not session.controller.fatal:
        said = f"outcome: {outcome} (the journal is left open); continue with: {resume_command(session.controller.state, str(journal), session.identity, session.signers_file)}"
        for line in said.splitlines():  # a shared run's names its --share and key files (before: a bare resume, unshared)
            say(visible_line(line))
        if session.controller.state.paused:  # `resume --continue` alone stops at the same pause
            say("(the run is paused: add --lift-pause REASON once you have checked, and --continue to go on)")
        if session.controller.state.silences:  # kept for the resume, as after a signal: before, a guard's pause said nothing
            from runbook_tui.notify.left_words import left_active

            if (left := left_active(session.controller.state)) is not None:
                say(left)
    return exit_code(outcome)


def _undo_advice(controller: Controller, journal: str) -> str:
    """How to undo a failed run, or that there is nothing to: a precheck that failed first changed nothing, and a
    rollback it was sent to would only end the session `rolled_back` having run nothing."""
    if (stop := section_stop(controller.state)) is not None:  # (--rollback alone ran nothing and ended it rolled back)
        return f"the rollback of the whole change stopped at rollback step '{stop}'; to go on with it: {invocation()} resume {shell_word(journal)} --rollback --full"
    full = controller.plan_rollback("full")
    if full.rollback_steps or any(entry.command is not None for entry in full.entries):
        return f"to undo what ran: {invocation()} resume {shell_word(journal)} --rollback (or --rollback --full)"
    return nothing_to_roll_back(NO_UNDO_AT_ALL)


def refuse_manual(file: str, runbook: Runbook, ack_manual: str | None, command: str) -> int | None:
    """exec/rehearse: a runbook with a person's steps (note, ask, confirm) needs --ack-manual REASON, and one with an ask
    whose answer is captured cannot run headless at all; exit 2 before anything runs."""
    steps = [(step, part) for step in runbook.forward_steps if (part := persons_part(step)) is not None]
    unanswered = [f"'{step.id}' ({part}): {why}" for step, part in steps if (why := unanswerable(step)) is not None]
    if unanswered:
        print(
            visible_line(f"runbook-tui: {command}: {file}: " + "; ".join(unanswered) + ".")
            + "\nNothing was run. Use `runbook-tui run` (a person at the screen answers it).",
            file=sys.stderr,
        )
        return EXIT_INVALID
    if ack_manual is not None or not steps:  # never blank: the command line refuses a blank REASON
        return None
    print(
        visible_line(f"runbook-tui: {command}: {file} has steps a person must do: {', '.join(f'{step.id} ({part})' for step, part in steps)}.")
        + "\nA headless run cannot do them; nothing was run. Use `runbook-tui run` (a person at the screen), or pass "
        "--ack-manual REASON to have them acknowledged without a person (journaled on each such step).",
        file=sys.stderr,
    )
    return EXIT_INVALID


async def run_headless(session: Session, body: Callable[[Session], Any], command: str = "exec", opened: Callable[[Session], None] = say_opened) -> int:
    """Start the session, say it (`opened`) and run `body`, ending cleanly on Ctrl-C, SIGTERM or SIGHUP: the journal stays
    resumable (its note names `command`). The start is under the handlers: a signal while it made the silences ended
    the process at once, one made and never journaled (alerts quiet for hours, nothing said of it on stderr)."""
    loop = asyncio.get_running_loop()

    async def run() -> Any:
        await session.start()
        opened(session)
        # What is alive now (modules, the runbook, the session) lives as long as the run: frozen, the collector no longer
        # walks it. A fan-out to 200 hosts made one full collection of it (40-70 ms) for nothing. The collector, paused
        # through start-up (`cli.main`), is on for the run: `resume` without a screen ran the rest of a change without it.
        gc.freeze()
        gc.enable()
        return await body(session)

    task = asyncio.ensure_future(run())
    stopped_by: list[str] = []

    def stop(name: str) -> None:
        if task.done():  # closing (bounded): cut short, its silences stayed active for hours and its end went untold
            if "closing" not in stopped_by:
                print(f"runbook-tui: {name} while the run closes: it ends once its last notices and alert silences are settled", file=sys.stderr)
            stopped_by.append("closing")
            return
        stopped_by.append(name)
        task.cancel()

    signals = stopping_signals()
    for sig in signals:
        loop.add_signal_handler(sig, stop, sig.name)
    code = EXIT_FAILED
    try:
        code = int(await task)
    except asyncio.CancelledError:
        journal_stop(session.controller, stopped_by[-1] if stopped_by else "a signal", command)
        said = (
            f"interrupted; the journal is kept: {resume_command(session.controller.state, str(session.journal_path), session.identity, session.signers_file)}"
        )
        print("\n".join(visible_line(line) for line in said.splitlines()), file=sys.stderr)  # a shared run's, shared again
    except JournalError as exc:  # e.g. the final flush, or finishing the session, on a full disk
        session.controller.fatal = session.controller.fatal or f"{exc.strerror}; the run stops before the next step"
    finally:
        try:  # under the handlers still: a signal now was the default kill, the silences left active for hours
            await session.close()
        except JournalError as exc:
            session.controller.fatal = session.controller.fatal or f"{exc.strerror}; the run stopped"
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)
    fatal = session.controller.fatal
    if fatal:
        # Say why, once, in words: the journal could not be written, so nothing more was run.
        print(
            visible_line(f"runbook-tui: {fatal}. What reached the disk can be continued: {invocation()} resume {shell_word(session.journal_path)}"),
            file=sys.stderr,
        )
        return EXIT_FAILED
    if session.controller.state.silences:  # loaded only for a run with silences; said once closed (those made meanwhile too)
        from runbook_tui.notify.left_words import left_active, not_expired

        # finished: its event line said "could not expire: why" alone, not until when, nor how to; stopped: left for the
        # resume, and whoever stopped it must know alerts stay quiet
        state = session.controller.state
        if (left := not_expired(state) if state.finished else left_active(state) if task.cancelled() else None) is not None:
            print(left, file=sys.stderr)
    return code


Opened = TypeVar("Opened")


def start_or_exit(opener: Callable[[], Opened]) -> Opened | int:
    """What `opener` opens (a runbook loaded, a session), or, when it cannot, the exit code after saying why on stderr."""
    try:
        return opener()
    except RunbookRefused as exc:  # `FILE:LINE:COL: message` lines, as validate and plan print them (each line starts so)
        print(exc, file=sys.stderr)
        return exc.code
    except SessionError as exc:
        print(f"runbook-tui: {visible(str(exc))}", file=sys.stderr)  # a journal's or a runbook's name may hold escapes
        return exc.code
    except JournalError as exc:  # the disk is full (or the file gone) before the first step: nothing was run
        print(f"runbook-tui: {exc.strerror}; nothing was run", file=sys.stderr)
        return EXIT_FAILED


# -- exec ------------------------------------------------------------------------------


def cmd_exec(file: str, params: dict[str, Any], *, solo: str | None, journal: str | None, on_failure: OnFailure,
             override_window: str | None, dry_run: bool, share: ShareOptions | None = None,
             ack_manual: str | None = None, accept_criteria: str | None = None, trust: Any = None) -> int:  # fmt: skip
    loaded = start_or_exit(lambda: load(file, params))  # once: the manual steps are checked on the runbook the run opens
    if isinstance(loaded, int):
        return loaded
    refusal = refuse_manual(file, loaded.runbook, ack_manual, "exec")
    if refusal is not None:
        return refusal
    policy = Policy(on_failure=on_failure, ack_manual=ack_manual, accept_criteria=accept_criteria)

    async def main() -> int:
        session = start_or_exit(
            lambda: open_loaded(
                loaded, mode="dry-run" if dry_run else "live", solo=solo, journal=journal, override_window=override_window, share=share, trust=trust
            )
        )
        if isinstance(session, int):
            return session

        async def body(s: Session) -> int:
            return say_outcome(s, await drive(s.controller, s.actor, policy=policy))

        return await run_headless(session, body)

    return asyncio.run(main())


def open_loaded(loaded: Loaded, **options: Any) -> Session:
    if loaded.warnings:
        print(diagnostic_lines(loaded.warnings), file=sys.stderr)

    def journal_first(event: Event, state: RunState) -> None:
        """The journal's path on the first line, as the contract says (it came after the first step's command)."""
        if event["type"] == SESSION_STARTED:
            say(visible_line(f"journal: {event.get('journal')}"))

    return open_session(loaded, listeners=[journal_first, printer(sys.stdout)], bulk_output=True, waiting=said_waiting, **options)


def said_waiting(text: str) -> None:
    """What a headless run waits for before it starts (a keyring asking to be unlocked), on stderr, once."""
    print(f"runbook-tui: {visible_line(text)}", file=sys.stderr, flush=True)


# -- resume ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResumeChoice:
    """What `resume` was told: a decision about the unknown step (or a rollback), a new mode, and the headless policy."""

    decision: str | None = None  # rerun, mark-done, rollback
    reason: str = ""
    full: bool = False  # --rollback --full
    go_on: bool = False
    solo: str | None = None
    share: ShareOptions | None = None
    policy: Policy = field(default_factory=Policy)
    trust: Any = None  # trust.run_trust.RunTrust: the assignee's key (--identity) signs decisions and seals
    lift_pause: str | None = None  # --lift-pause REASON: a guard's (or anyone's) pause lifted, journaled as `resumed`
    override_window: str | None = None  # --override-window REASON: steps run outside the change window (journaled)


def cmd_resume(journal: str, choice: ResumeChoice) -> int:
    reopen = "resume --rollback" + (" --full" if choice.full else "") if choice.decision == "rollback" else None
    # Told nothing to decide or change: a look at where the run stands, not a resume (two looks were two resumes on record).
    look = choice.decision is None and not choice.go_on and choice.solo is None and choice.share is None and choice.lift_pause is None

    async def main() -> int:
        session = start_or_exit(
            lambda: resume_session(
                journal,
                listeners=[printer(sys.stdout)],
                share=choice.share,
                solo=choice.solo,
                reopen=reopen,
                full=choice.full,
                trust=choice.trust,
                bulk_output=True,
                look=look,
                forward=choice.go_on or choice.decision == "rerun",  # a rollback alone needs no reason outside the window
                override_window=choice.override_window,
                waiting=said_waiting,
            )
        )
        if isinstance(session, int):
            return session

        def opened(s: Session) -> None:
            say_opened(s, summary(s.controller.state, journal, shared=bool(s.share_address), look=look, reopened=reopen is not None), unsigned=not look)
            if look and (outside := look_note(s)):  # (it said `--continue goes on with 'b'`, which was then refused)
                say(outside)

        return await run_headless(session, lambda s: _decide(s, choice), "resume", opened)

    return asyncio.run(main())


async def _decide(session: Session, choice: ResumeChoice) -> int:
    controller, actor = session.controller, session.actor
    if controller.state.reopened_scope is not None and choice.go_on and choice.decision is None:
        # `resume --rollback` reopened the session and the process died before the rollback started: --continue runs the
        # rollback asked (before: it ran the undone steps again, re-applying a change the person had asked to undo)
        choice = dataclasses.replace(choice, decision="rollback", full=controller.state.reopened_scope == "full", go_on=False)
    if choice.go_on and choice.decision in (None, "rerun") and controller.state.mode == "rehearsal":
        from runbook_tui.app.rehearse_cmd import rehearsal_end
        from runbook_tui.engine.rehearsal import rolled_back_unfinished

        if rolled_back_unfinished(controller):
            return await rehearsal_end(session, rerun=choice.decision == "rerun")
    if choice.lift_pause is not None:
        lifted = _lift_pause(controller, actor, choice.lift_pause, str(session.journal_path), choice.go_on)
        if lifted is not None:
            return lifted
    if choice.decision in ("rerun", "mark-done") and (first := rollback_first(controller.state, str(session.journal_path))) is not None:
        print(first, file=sys.stderr)  # (the controller's refusal names `u`, the run screen's key)
        return EXIT_FAILED
    reply = None
    if choice.decision == "rerun":
        reply = controller.run_current(actor, acknowledged=True)
    elif choice.decision == "mark-done":
        reply = controller.mark_done(actor, choice.reason)
    elif choice.decision == "rollback":
        scope: Literal["checkpoint", "full"] = "full" if choice.full else "checkpoint"
        controller.ends_after_rollback = not choice.go_on  # the session ends with it (below): no step is announced after it
        reply = controller.rollback(actor, scope, acknowledged=True, reason=choice.reason or f"rollback ({scope}) chosen on resume")
    if reply is not None:
        print(visible_line(reply.message), file=sys.stderr if not reply.ok else sys.stdout)
        if not reply.ok:
            return EXIT_FAILED
    await controller.wait_idle()
    if choice.decision == "rollback" and not controller.state.finished:
        rollback = controller.state.rollback
        ok = rollback is not None and bool(rollback.ok)
        if not choice.go_on:
            controller.finish(actor, "rolled_back" if ok else "failed")
            say_outcome(session, controller.state.outcome or "failed")
            return exit_code(controller.state.outcome)  # rolled back: 1, as `run` (the contract's `resume`: "as run")
    if choice.go_on and controller.state.mode == "rehearsal" and controller.state.rollback is None:
        from runbook_tui.app.rehearse_cmd import rehearse_run

        return await rehearse_run(session, None, choice.policy)  # a rehearsal goes on as one: forward, its full rollback, prechecks
    if choice.go_on:
        return say_outcome(session, await drive(controller, actor, policy=choice.policy))
    return exit_code(controller.state.outcome)


def _lift_pause(controller: Controller, actor: Any, reason: str, journal: str, go_on: bool) -> int | None:
    """--lift-pause REASON: the headless `p` (journaled as `resumed`, with the reason); an exit code when refused. Without
    --continue, or refused as "not paused" (a second try), the words name the command that goes on (they said no more)."""
    go_on_with = visible_line(f"`{invocation()} resume {shell_word(journal)} --continue` goes on")
    if not controller.state.paused:
        print(f"runbook-tui: resume: --lift-pause: the run is not paused; nothing was lifted, nothing run: {go_on_with}", file=sys.stderr)
        return EXIT_FAILED
    reply = controller.pause(actor, f"pause lifted (resume --lift-pause): {reason}")
    lifted = "pause lifted" if go_on else f"pause lifted; no step was started: {go_on_with}"
    print(lifted if reply.ok else visible_line(reply.message), file=sys.stdout if reply.ok else sys.stderr)
    return None if reply.ok else EXIT_FAILED
