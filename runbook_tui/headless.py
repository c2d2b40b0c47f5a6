"""The commands without a TUI: exec, resume, rehearse, preflight, journal verify.

Each returns the exit code the contract gives: 0 done/ready/intact, 1
failed/findings/tampered, 2 invalid input or unreadable.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from runbook_tui.engine.autopilot import OnFailure, drive
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.describe import describe
from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalError, verify
from runbook_tui.engine.rollback import Scope
from runbook_tui.engine.state import RunState
from runbook_tui.session import Session, SessionError, ShareOptions, load, open_session, resume_session

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def printer(out: TextIO) -> Callable[[Event, RunState], None]:
    """A listener printing each event as readable lines (exec's stdout)."""

    def listen(event: Event, state: RunState) -> None:
        lines = describe(event)
        if lines:
            out.write("\n".join(lines) + "\n")
            out.flush()

    return listen


def _outcome_code(outcome: str) -> int:
    return EXIT_OK if outcome == "done" else EXIT_FAILED


async def _run_headless(session: Session, body: Callable[[Session], Any]) -> int:
    """Run `body`, ending cleanly on Ctrl-C/SIGTERM: the journal stays resumable."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(body(session))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    code = EXIT_FAILED
    try:
        code = int(await task)
    except asyncio.CancelledError:
        print(f"interrupted; the journal is kept: runbook-tui resume {session.journal_path}", file=sys.stderr)
    except JournalError as exc:  # e.g. the final flush, or finishing the session, on a full disk
        session.controller.fatal = session.controller.fatal or f"{exc.strerror}; the run stops before the next step"
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        try:
            await session.close()
        except JournalError as exc:
            session.controller.fatal = session.controller.fatal or f"{exc.strerror}; the run stopped"
    fatal = session.controller.fatal
    if fatal:
        # Say why, once, in words: the journal could not be written, so nothing more was run.
        print(f"runbook-tui: {fatal}. What reached the disk can be continued: runbook-tui resume {session.journal_path}", file=sys.stderr)
        return EXIT_FAILED
    return code


def _start(opener: Callable[[], Session]) -> Session | int:
    try:
        return opener()
    except SessionError as exc:
        print(f"runbook-tui: {exc}", file=sys.stderr)
        return exc.code
    except JournalError as exc:  # the disk is full (or the file gone) before the first step: nothing was run
        print(f"runbook-tui: {exc.strerror}; nothing was run", file=sys.stderr)
        return EXIT_FAILED


# -- exec ------------------------------------------------------------------------------


def cmd_exec(file: str, params: dict[str, Any], *, solo: str | None, journal: str | None, on_failure: OnFailure,
             override_window: str | None, dry_run: bool, share: ShareOptions | None = None, trust: Any = None) -> int:  # fmt: skip
    async def main() -> int:
        session = _start(lambda: _open(file, params, mode="dry-run" if dry_run else "live", solo=solo, journal=journal, override_window=override_window, share=share, trust=trust))
        if isinstance(session, int):
            return session
        await session.start()
        if session.share_note:
            print(session.share_note, flush=True)

        async def body(s: Session) -> int:
            return _outcome_code(await drive(s.controller, s.actor, on_failure=on_failure))

        return await _run_headless(session, body)

    return asyncio.run(main())


def _open(file: str, params: dict[str, Any], **options: Any) -> Session:
    loaded = load(file, params)
    for warning in loaded.warnings:
        print(warning, file=sys.stderr)
    session = open_session(loaded, listeners=[printer(sys.stdout)], **options)
    print(f"journal: {session.journal_path}", flush=True)
    return session


# -- resume ------------------------------------------------------------------------------


def cmd_resume(journal: str, *, decision: str | None, reason: str, on_failure: OnFailure, go_on: bool, trust: Any = None) -> int:
    async def main() -> int:
        session = _start(lambda: resume_session(journal, listeners=[printer(sys.stdout)], trust=trust))
        if isinstance(session, int):
            return session
        print(summary(session.controller.state), end="", flush=True)

        async def body(s: Session) -> int:
            return await _decide(s, decision, reason, on_failure, go_on)

        return await _run_headless(session, body)

    return asyncio.run(main())


def summary(state: RunState) -> str:
    """Where a resumed run stands, and what the assignee may do about a step left unknown."""
    lines = [f"resumed {state.session.get('runbook')} ({state.session.get('title')}), started {state.session.get('started_at')}"]
    for sid in state.order:
        step = state.steps[sid]
        lines.append(f"  {step.status:<22} {sid}")
    current = state.current
    if current and state.steps[current].status == "unknown":
        lines.append(f"'{current}' was running when the program stopped; its outcome is unknown. Nothing was re-run.")
        lines.append("Decide: --rerun, --mark-done REASON (you checked it by hand), or --rollback.")
    return "\n".join(lines) + "\n"


async def _decide(session: Session, decision: str | None, reason: str, on_failure: OnFailure, go_on: bool) -> int:
    controller, actor = session.controller, session.actor
    reply = None
    if decision == "rerun":
        reply = controller.run_current(actor, acknowledged=True)
    elif decision == "mark-done":
        reply = controller.mark_done(actor, reason)
    elif decision == "rollback":
        reply = controller.rollback(actor, "checkpoint", acknowledged=True, reason=reason or "rollback chosen on resume")
    if reply is not None:
        print(reply.message, file=sys.stderr if not reply.ok else sys.stdout)
        if not reply.ok:
            return EXIT_FAILED
    await controller.wait_idle()
    if go_on:
        return _outcome_code(await drive(controller, actor, on_failure=on_failure))
    return EXIT_OK if controller.state.outcome == "done" else EXIT_FAILED


# -- rehearse ----------------------------------------------------------------------------


def cmd_rehearse(file: str, params: dict[str, Any], *, fail_at: str | None, journal: str | None) -> int:
    async def main() -> int:
        session = _start(lambda: _open(file, params, mode="rehearsal", solo="rehearsal", journal=journal))
        if isinstance(session, int):
            return session
        if fail_at is not None and fail_at not in session.controller.state.order:
            print(f"runbook-tui: --fail-at {fail_at}: no such step; expected one of: {', '.join(session.controller.state.order)}", file=sys.stderr)
            await session.close()
            return EXIT_INVALID
        return await _run_headless(session, lambda s: _rehearse(s, fail_at))

    return asyncio.run(main())


async def _rehearse(session: Session, fail_at: str | None) -> int:
    controller, actor = session.controller, session.actor
    started = time.monotonic()
    scope: Scope
    if fail_at is None:
        outcome = await drive(controller, actor, on_failure="stop", finish=False)
        scope = "full"
    else:
        controller.inject_failure(fail_at)
        outcome = await drive(controller, actor, on_failure="stop", stop_before=_after(controller, fail_at), finish=False)
        scope = "checkpoint"
    forward = time.monotonic() - started
    if fail_at is None and outcome != "done":
        print(f"rehearsal: the forward run did not complete ({outcome}); rolling back what ran", flush=True)
    started = time.monotonic()
    reply = controller.rollback(actor, scope, acknowledged=True, reason="rehearsal", finish=False)
    await controller.wait_idle()
    rollback_time = time.monotonic() - started
    rolled = reply.ok and controller.state.rollback is not None and bool(controller.state.rollback.ok)
    prechecks_ok = await controller.recheck(actor, [s.id for s in controller.runbook.forward_steps if controller.runbook.section(s.section_id).kind == "precheck"])
    restored = rolled and prechecks_ok
    controller.finish(actor, "rolled_back")
    print(f"rehearsal: forward {forward:.1f}s, rollback ({scope}) {rollback_time:.1f}s, prechecks after rollback {'pass' if prechecks_ok else 'FAIL'}")
    print("rehearsal: rollback restored state" if restored else "rehearsal: rollback did NOT restore state")
    return EXIT_OK if restored else EXIT_FAILED


def _after(controller: Controller, step_id: str) -> str | None:
    """The forward step after `step_id`: the driver stops there (the failure has happened)."""
    order = controller.state.order
    index = order.index(step_id)
    return order[index + 1] if index + 1 < len(order) else None


# -- preflight ----------------------------------------------------------------------------


def cmd_preflight(file: str, params: dict[str, Any], *, notify_test: bool = False) -> int:
    from runbook_tui.preflight import preflight

    try:
        loaded = load(file, params)
    except SessionError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    findings = asyncio.run(preflight(loaded.runbook, notify_test=notify_test))
    for finding in findings:
        print(finding)
    if not findings:
        print(f"{file}: ready")
    return EXIT_FAILED if findings else EXIT_OK


# -- journal verify ---------------------------------------------------------------------


def cmd_journal_verify(path: str, signers_path: str | None = None) -> int:
    result = verify(path)
    if result.unreadable:
        print(f"unreadable: {result.unreadable}", file=sys.stderr)
        return EXIT_INVALID
    if result.problems:
        for problem in result.problems:
            print(f"{path}: {problem}")
        print(f"{path}: NOT intact: {len(result.events)} events hold together before the break")
        return EXIT_FAILED
    last = result.events[-1]
    print(f"{path}: intact: {len(result.events)} events, last hash {last['hash']}")
    from runbook_tui.trust.check import print_trust

    return print_trust(path, result.events, signers_path)
