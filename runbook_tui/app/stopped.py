"""A run stopped by a signal: which signals stop it, and the journal's note of why it ended where it did.

`exec`, `rehearse` and headless `resume` (app/headless.py) and the TUI (ui/base_app.py) share both, so SIGTERM and a
hang-up are said the same way whichever way the run was driven.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from runbook_tui.engine.actors import SYSTEM
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.events import NOTE
from runbook_tui.engine.journal import JournalError
from runbook_tui.engine.mark_done import EXIT_NOTE, lost_link_hosts
from runbook_tui.engine.wait_cut import NOTHING_IN_DOUBT, cut_wait
from runbook_tui.runbook.safe_text import visible_line


def stopping_signals() -> tuple[signal.Signals, ...]:
    """SIGINT (ctrl+c without a screen; from outside with one), SIGTERM and SIGHUP (a closed terminal or SSH login).

    A SIGHUP that is ignored stays ignored: `nohup runbook-tui exec ...` is how a run is kept going past a dropped
    login, and a handler of ours would have stopped it on the hang-up all the same."""
    wanted = [signal.SIGINT, signal.SIGTERM]
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        wanted.append(signal.SIGHUP)
    return tuple(wanted)


class SignalExit(int):
    """The exit code 1 of a screen a stopping signal (or a terminal gone) closed, naming it (`signal_name`): `demo` counts
    a run's own 1 (rolled back, left open with `q`) as the demo done, never one a signal ended (it exited 0 for it)."""

    signal_name: str

    def __new__(cls, name: str) -> SignalExit:
        code = super().__new__(cls, 1)
        code.signal_name = name
        return code


class Stopped(KeyboardInterrupt):
    """SIGTERM or a hang-up while a command works before any screen or run (`signals_raise`): ended as ctrl-c is, in
    words (cli/interrupted.py); `name` is the signal's."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@contextmanager
def signals_raise() -> Iterator[None]:
    """SIGTERM and a hang-up raise Stopped meanwhile (ctrl-c raises KeyboardInterrupt already): `replay` reading a long
    journal, before its screen takes these signals over, was killed by their default action (-15, -1) in silence."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signal.Signals(signum).name)

    main = threading.current_thread() is threading.main_thread()  # (signals go to it alone; another may not set them)
    previous = {sig: signal.signal(sig, stop) for sig in stopping_signals() if sig != signal.SIGINT and main}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def journal_stop(controller: Controller, how: str, command: str) -> None:
    """The record says why the run stopped here (SIGTERM, a hang-up or ctrl+c), and what became of a step running then:
    without it, the journal ended at the step's start, and only `resume`'s `unknown` said anything."""
    state = controller.state
    if state.finished:
        return
    step = state.current
    running = step is not None and state.steps[step].status == "running"
    where = f" while '{step}' ran (its outcome is unknown: resume decides)" if running else f" at '{step}' (nothing was running)" if step else ""
    if step is not None and not running and (lost := lost_link_hosts(state, step)):  # (resume's next line: it may still run there)
        where = f" at '{step}' (the program was running nothing; {', '.join(map(visible_line, lost))} may still be)"
    if running and step is not None and (cut := cut_wait(state.plan_steps.get(step, {}), state.steps[step].started_at)) is not None:
        where = f" while '{step}' waited ({cut[1]}; {NOTHING_IN_DOUBT}: resume decides)"
    if step is None and any(p.get("when") == "end" for p in state.success_pending):  # (k would have ended it as not met)
        where = " while the check of the success criteria before the end waited (resume checks them again)"
    rollback = state.rollback
    if rollback is not None and not rollback.finished:  # the current step is not what ran (before: "at 'two'", an undone step)
        what = f"the undo of '{rollback.running_step}'" if rollback.running_step else None
        what = what or next((f"rollback step '{sid}'" for sid in state.rollback_order if state.steps[sid].status == "running"), None)
        where = f" during a rollback ({rollback.scope})" + (f" while {what} ran (its outcome is unknown: resume decides)" if what else "")
        step = rollback.running_step or step
    elif rollback is not None and rollback.ok is False and rollback.failed_step:  # u goes on with it; current is the step after
        where, step = f" with the rollback stopped at '{rollback.failed_step}' (nothing was running)", rollback.failed_step
    try:
        # request "exit": the program's commands on this machine are stopped (exec: its task cancelled; the TUI: `leave`),
        # so resume does not tell of a local command that may still run (engine/mark_done.may_still_run); remote ones run on.
        controller.emit(NOTE, SYSTEM, text=f"{command} was stopped by {how}{where}; the journal is kept", step=step, request=EXIT_NOTE)
    except JournalError:
        pass  # a full disk: the line printed on stderr says the rest


async def stop_then_note(controller: Controller, how: str, command: str) -> None:
    """The TUI's leaving (`q` then `y`, a signal): what runs is stopped first, as exec's is, then `journal_stop` says so.
    The note came first and the commands were stopped as the app closed: a SIGKILL in between left a command running
    here under a record saying the program had stopped it (resume no longer said that it may still run)."""
    if not controller.state.finished:
        await controller.stop_working()
    journal_stop(controller, how, command)
