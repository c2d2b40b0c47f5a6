"""What `q` on the assignee's screen asks before leaving an unfinished run: what stops, what goes on, how to go on later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text

from runbook_tui.app.sharing import resume_command
from runbook_tui.app.stopped import stop_then_note
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.outcomes import exit_code
from runbook_tui.engine.state import RunState, confirmable
from runbook_tui.engine.who_verifies import who_verifies
from runbook_tui.runbook.safe_text import visible
from runbook_tui.ui.pane_step import stopped_at
from runbook_tui.ui.wrap import CommandText

if TYPE_CHECKING:
    from textual.app import App

    from runbook_tui.ui.modals import ConfirmPrompt


def quitting(app: App[Any], controller: Controller, who: str) -> Callable[[bool | None], Awaitable[None]]:
    """What `y` to the question (or `q` on an ended run) does: an unfinished run is journaled as stopped by `who`'s
    quit, as a SIGTERM's is, saying whether a step still ran (its command here is stopped first, and resume no longer
    says it may still run), then the app exits with the run's code. A quit between steps journaled nothing: the report
    read `UNFINISHED` with no reason, and resume said nothing of why the run was left."""

    async def leave(ok: bool | None) -> None:
        if not ok:
            return
        await stop_then_note(controller, f"{who}'s quit (q)", getattr(app, "command", "run"))  # (nothing on an ended run)
        app.exit(exit_code(controller.state.outcome))

    return leave


def asked_quit(app: App[Any], controller: Controller, journal_path: str, who: str) -> tuple[ConfirmPrompt | None, Callable[[bool | None], Awaitable[None]]]:
    """`q` on the run screen: the question (None: none to ask) and what its answer does; the resume command it prints
    names the key the run is signed with (`--identity KEY`) and the `--allowed-signers PATH` it was given: the app's
    session knows them."""
    handle = getattr(app, "handle", None)
    keys = (getattr(handle, "identity", None), getattr(handle, "signers_file", None))
    return quit_prompt(controller.state, controller.busy, journal_path, *keys), quitting(app, controller, who)


def quit_prompt(state: RunState, busy: bool, journal_path: str, identity: str | None = None, signers: str | None = None) -> ConfirmPrompt | None:
    """The question to ask before quitting, or None when the run has ended (nothing is left to lose)."""
    from runbook_tui.ui.modals import ConfirmPrompt  # the dialogs load when first opened, not before the first frame

    if busy:
        return ConfirmPrompt(
            "Quit while a step runs?",
            # Local commands die with this program (the executor's close kills their process group);
            # remote ones run detached and carry on.
            _then(f"{_what_stops(state)}\nIts outcome will be unknown; continue later with:", state, journal_path, (identity, signers)),
            "quit now",
        )
    if state.finished:
        return None
    return ConfirmPrompt(
        "Quit before the run is finished?",
        _then(
            f"{stands_at(state)}; nothing runs while you are away.\nThe journal keeps everything; continue later with:",
            state,
            journal_path,
            (identity, signers),
        ),
        "quit now",
    )


def _what_stops(state: RunState) -> str:
    """What quitting does to what runs now, for where it runs (it spoke of remote hosts over a step on this machine only)."""
    running = [host for step in state.steps.values() for host, held in step.hosts.items() if held.status == "running"]
    remote = [host for host in running if host != "local"]
    if running and not remote:
        return "The command running on this machine is stopped now."
    if remote and "local" not in running:
        return (
            "The command on its remote host keeps running, unwatched."
            if len(remote) == 1
            else f"Commands on {len(remote)} remote hosts keep running, unwatched."
        )
    return "Commands on remote hosts keep running, unwatched; commands on this machine are stopped now."


def stands_at(state: RunState) -> str:
    """Where the run stands, and whose word it waits for there (it said `The run stands at check` over a step waiting for
    bob: the assignee could not tell that bob's confirmation, not their own key, held the run)."""
    current = state.current
    if (stopped := stopped_at(state)) is not None:  # the step after it is current: it read `stands at 'last'`
        return f"The run stands at the rollback stopped at '{stopped}' (u goes on with it)"
    if current is None:
        return "Every step is done"
    step = state.steps[current]
    who, whose = who_verifies(state), who_verifies(state, whose=True)
    if step.status == "awaiting_verification":
        waits = f", which waits for {who} to confirm it"
    elif step.wave_awaiting is not None:
        waits = f", whose wave {step.wave_awaiting} waits for {whose} word"
    elif confirmable(state) == "before":
        waits = f", which waits for {whose} go-ahead"
    else:
        waits = ""
    return f"The run stands at '{current}'{waits}"


def _then(words: str, state: RunState, journal_path: str, keys: tuple[str | None, str | None]) -> Group:
    """`words`, then the resume command wrapped under itself at spaces (at 80 columns the key file's path went back to
    the dialog's edge and read as more prose); a path wider than the dialog breaks after a `/` (it broke inside the
    journal's name: `…/hostile-runbook-20` over `261206T060808.176582Z.jsonl`)."""
    command, _, after = resume_command(state, journal_path, *keys).partition("\n")  # the command, then a word about it
    return Group(Text(visible(words)), CommandText(command, prefix="  ", breaks="/"), *([Text(visible(after))] if after else []))
