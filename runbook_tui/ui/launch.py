"""Wiring for the TUI commands: load and check on the command line, then hand the app a starter."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runbook_tui.app.session import Session, open_session, resume_session
from runbook_tui.app.sharing import ShareOptions, resume_command
from runbook_tui.app.stopped import signals_raise
from runbook_tui.engine.invocation import invocation
from runbook_tui.notify.left_words import not_delivered, not_expired
from runbook_tui.runbook.diagnostics import diagnostic_lines
from runbook_tui.runbook.loader import Loaded, probe_runbook
from runbook_tui.runbook.safe_text import shell_word, visible, visible_line
from runbook_tui.ui.app import RunbookApp, Starter
from runbook_tui.ui.terminal import left_on_a_gone_terminal, not_a_terminal, terminal_gone

if TYPE_CHECKING:
    from runbook_tui.app.settings import Settings
    from runbook_tui.ui.mode_screen import ModeChoice


def _launch(app: RunbookApp) -> int:
    # `run`'s check: `resume` goes headless without a terminal, and `replay --practice` and `demo` checked before.
    if not_a_terminal("run", "For a run without a screen: runbook-tui exec (events as lines on stdout)."):
        return 2
    code = app.run()
    try:
        _said_after(app, code)
    except OSError:  # a hang-up closed the terminal: the journal says where the run stopped (was a traceback, EIO)
        terminal_gone()
    return code if isinstance(code, int) else 1


def _said_after(app: RunbookApp, code: object) -> None:
    """What is printed once the screen is gone: why it could not start, the journal, how to continue."""
    if app.failure:
        print(f"runbook-tui: {visible(app.failure)}", file=sys.stderr)  # the journal's or the runbook's name may hold escapes
    elif app.handle is None and app.command == "resume":  # left while the shared session opened: the journal is as it was
        print("runbook-tui: left before the run went on: nothing ran, nothing was added to the journal", file=sys.stderr)
    elif app.handle is None:  # the picker, the form or the mode screen left (exit 1): after the screen closed, no word
        print("runbook-tui: left before a run started: nothing ran, no journal was written", file=sys.stderr)
    if app.handle is not None:
        print(visible_line(f"journal: {app.handle.journal_path}"))
        state = app.handle.controller.state
        if not state.finished and state.session.get("mode") == "practice":  # a resume would be a dry run, without the recording
            print(visible_line(f"the practice run was left before its end; what was done: {invocation()} report {shell_word(app.handle.journal_path)}"))
        elif not state.finished:
            said = f"the run is not finished; continue it with: {resume_command(state, str(app.handle.journal_path), app.handle.identity, app.handle.signers_file)}"
            print("\n".join(visible_line(line) for line in said.splitlines()))
            if state.silences:  # alerts stay quiet to their end time: whoever left must know (exec says it too)
                from runbook_tui.notify.left_words import left_active

                print(left_active(state))
            for notice in app.handle.notices_failed_closing:  # settled as the session closed, the screen gone (exec says them)
                print(visible_line(f"NOT delivered: {notice}"))
        else:  # the finished rows said them cut to the screen's width, or never (settled as the session closed)
            for line in [left for left in [not_expired(state)] if left is not None] + not_delivered(state):
                print(line)


def run(
    file: str | None,
    params: dict[str, Any],
    *,
    solo: str | None,
    dry_run: bool,
    journal: str | None,
    override_window: str | None,
    theme: str | None = None,
    runbooks: Sequence[str] = (),
    share: ShareOptions | None = None,
    trust: Any = None,
    share_at: str | None = None,
    settings: Settings | None = None,
) -> int:
    """`run [FILE]`: invalid runbooks never reach the screen (exit 2 with FILE:LINE:COL errors).

    `share_at`: `--share ADDR` given without anyone who may join: the mode screen asks, with the address filled in.

    Without FILE the picker lists the runbooks in `runbooks` (default: ./runbooks and the examples).
    A runbook whose only problem is missing or unfitting -p values opens the parameter form instead.
    """
    mode = "dry-run" if dry_run else "live"
    ask_mode = solo is None and share is None  # the mode screen asks before anything starts
    start_for = starters(mode=mode, solo=solo, share=share, journal=journal, override_window=override_window, trust=trust, settings=settings)

    if file is None:
        if params:
            print("runbook-tui: -p needs a FILE; without one, the picker's form asks for the values", file=sys.stderr)
            return 2
        from runbook_tui.ui.picker import default_paths  # the picker loads only when it is shown

        paths = [Path(p) for p in runbooks] or default_paths()
        return _launch(RunbookApp(theme=theme, picker_paths=paths, start_for=start_for, ask_mode=ask_mode, dry_run=dry_run, share_at=share_at))
    probe = probe_runbook(file, params)
    if probe.loaded is not None:
        if ask_mode:
            return _launch(RunbookApp(theme=theme, start_for=start_for, loaded=probe.loaded, ask_mode=True, dry_run=dry_run, share_at=share_at))
        return _launch(RunbookApp(start_for(probe.loaded), theme=theme, opens_at_once=opens_at_once(probe.loaded, share)))
    if probe.errors or not probe.value_problems:
        problems = sorted(probe.errors + probe.value_problems, key=lambda d: (d.mark.line, d.mark.col))
        print(diagnostic_lines(problems), file=sys.stderr)  # the file's name may hold escapes
        return 2
    return _launch(RunbookApp(theme=theme, start_for=start_for, form=probe, given=params, ask_mode=ask_mode, dry_run=dry_run, share_at=share_at))


def opens_at_once(loaded: Loaded, share: ShareOptions | None) -> bool:
    """Nothing that can take a while before the run shows: no shared session to open, no keyring to ask for a secret."""
    return share is None and all(secret.env is not None for secret in loaded.runbook.secrets)


def starters(
    *,
    mode: str,
    solo: str | None,
    share: ShareOptions | None,
    journal: str | None,
    override_window: str | None,
    trust: Any = None,
    settings: Settings | None = None,
) -> Callable[..., Starter]:
    """`start_for(loaded, choice=None)`: the starter of a chosen runbook, in the mode given on the command line or chosen on screen.

    `settings`: those the command checked at its start (read once), or None: read as the session opens."""

    def start_for(loaded: Loaded, choice: ModeChoice | None = None) -> Starter:
        chosen_solo = solo if choice is None else choice.solo

        def starter(override: str | None) -> Session:
            shared = share if choice is None else share_from(choice) if choice.share_address is not None else None
            override = override or override_window
            return open_session(loaded, mode=mode, solo=chosen_solo, journal=journal, override_window=override, share=shared, trust=trust, settings=settings)

        return starter

    return start_for


def share_from(choice: ModeChoice) -> ShareOptions:
    """The mode screen's share answer as ShareOptions; an unreadable key file refuses the start (the screen asks again)."""
    from runbook_tui.app.session import SessionError
    from runbook_tui.app.sharing import share_options
    from runbook_tui.share.participants import ParticipantsError

    assert choice.share_address is not None
    try:
        return share_options(choice.share_address, choice.verifier_keys, choice.observer_keys)
    except ParticipantsError as exc:
        raise SessionError(str(exc)) from None


def resume(journal: str, theme: str | None = None, **options: Any) -> int:
    """`resume JOURNAL` in a terminal: the run screen rebuilt from the journal; an unknown step waits for you.

    `solo` / `share`: how the run is verified from now on (journaled). Outside the change window the screen asks for the
    reason to go on, as `run`'s asks for the one to start (`override_window`: given on the command line). `options`: `resume_app`'s."""
    return _launch(resume_app(journal, theme, **options))


def resume_app(
    journal: str,
    theme: str | None = None,
    *,
    solo: str | None = None,
    share: ShareOptions | None = None,
    trust: Any = None,
    override_window: str | None = None,
    settings: Settings | None = None,
) -> RunbookApp:
    """The app `resume` opens (see `resume`); `settings`: those the command checked at its start, or None: read as it opens."""

    # Opened inside the app's event loop, as `run` opens a session: the metrics start polling as it opens (opened
    # before the app, a runbook with metrics ended in `RuntimeError: no running event loop`). A refusal is said by
    # `_launch` once the screen closes. Only a shared session has something to open before the run shows.
    def starter(override: str | None) -> Session:
        override = override or override_window
        return resume_session(journal, solo=solo, share=share, trust=trust, forward=True, override_window=override, settings=settings)

    app = RunbookApp(starter, theme=theme, opens_at_once=share is None)
    app.command = "resume"
    return app


def replay(journal: str, *, practice: bool, speed: float, theme: str | None = None, out: str | None = None) -> int:
    """`replay JOURNAL`: the past run step by step; `--practice`: the trainee drives with the night's recordings."""
    from runbook_tui.app import practice as practising
    from runbook_tui.app.session import SessionError
    from runbook_tui.ui.practice_screens import PracticeApp
    from runbook_tui.ui.replay_app import ReplayApp

    try:
        # What is wrong with the journal is said first, terminal or not; a replay also shows a crashed run's cut journal.
        with signals_raise():  # SIGTERM while a long journal is read: words and replay's 0 (cli/interrupted.py)
            events, cut = practising.replayable_events(journal) if not practice else (practising.night_events(journal), None)
        if not_a_terminal("replay", "The record of that run without a screen: runbook-tui report JOURNAL."):
            return 2  # before the practice opens its session (and its journal)
        if not practice:
            app = ReplayApp(events, speed=speed, label=Path(journal).name, theme=theme, cut=cut)
            app.run()
            if app.unreadable is not None:
                raise SessionError(f"{journal}: {app.unreadable}; refusing to replay it")
            left_on_a_gone_terminal()  # what the screen still had for a gone terminal is dropped (it was exit 120)
            return 0  # nothing ran, whatever ended the screen: the spec's one code for replay
        run = practising.open_practice(journal, events=events, speed=speed)
    except SessionError as exc:
        print(f"runbook-tui: {visible(str(exc))}", file=sys.stderr)  # the journal's name may hold escapes
        return exc.code
    _launch(PracticeApp(run, out=out, theme=theme))
    return 0
