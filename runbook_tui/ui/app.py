"""The Textual app: starts the session it is handed, then shows the run screen.

The command line hands the app a `starter` that opens (or resumes) the
session; the app only calls it, so the UI never wires executors or journals.
Without a file, the app opens the picker (then the parameter form) and asks
the command line's `start_for(loaded)` for the starter of the chosen runbook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rich.console import RenderableType
from textual import events, work
from textual.actions import ActionParseResult
from textual.binding import Binding
from textual.screen import Screen

from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.errors import StartRefused
from runbook_tui.engine.events import Event
from runbook_tui.engine.keys_first import KEYS
from runbook_tui.runbook.loader import Loaded, Probe
from runbook_tui.ui.base_app import ThemedApp
from runbook_tui.ui.key_bound import enabled_binding
from runbook_tui.ui.keys_in_turn import hold_keys, release_keys
from runbook_tui.ui.run_screen import RunScreen

if TYPE_CHECKING:  # the picker, the form and the mode question load when shown: a run from the command line skips them
    from runbook_tui.ui.mode_screen import ModeChoice


class RunHandle(Protocol):
    """What the app needs of an open session."""

    controller: Controller
    actor: Actor
    journal_path: Path
    backlog: tuple[Event, ...]  # resumed: the last events the output pane showed

    @property
    def share_note(self) -> str: ...

    @property
    def unsigned_note(self) -> str: ...

    @property
    def notices_failed_closing(self) -> tuple[str, ...]: ...

    @property
    def identity(self) -> str | None: ...

    @property
    def signers_file(self) -> str | None: ...

    @property
    def start_waits_for(self) -> str: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


#: Opens the session; the argument is an override reason for the change window (None at first).
Starter = Callable[[str | None], RunHandle]


class RunbookApp(ThemedApp):
    TITLE = "runbook-tui"
    # ctrl+c too, over any field: pressed out of habit, Textual's own ctrl+c copied in a field and said nothing elsewhere.
    BINDINGS = [Binding("ctrl+q", "quit_now", "quit", show=False), Binding("ctrl+c", "quit_now", "quit", show=False, priority=True)]
    #: The screen a started run is shown on (practice quits to its results instead).
    run_screen: type[RunScreen] = RunScreen
    #: The command, as the journal's note names it when a signal stops the run.
    command = "run"

    def __init__(
        self,
        starter: Starter | None = None,
        theme: str | None = None,
        *,
        picker_paths: Sequence[Path] = (),
        start_for: Callable[..., Starter] | None = None,
        form: Probe | None = None,
        given: Mapping[str, Any] | None = None,
        ask_mode: bool = False,
        dry_run: bool = False,
        loaded: Loaded | None = None,
        opens_at_once: bool = False,
        share_at: str | None = None,
    ) -> None:
        """Either `starter` (a runbook already loaded), or `start_for` with the picker's paths,
        or `start_for` with `form`: a runbook whose parameter values are missing (`given` pre-fills them),
        or `start_for` with `loaded`.

        `ask_mode`: neither --share nor --solo was given; before anything starts, the mode screen asks,
        and `start_for(loaded, choice)` makes the starter; `dry_run`: the mode screen says that nothing is executed.

        `share_at`: `--share ADDR` without anyone who may join: the mode screen asks with the address filled in.

        `opens_at_once`: the starter is quick and its session's `start()` needs nothing awaited before the run is shown
        (no shared session to open): the session opens before the first frame and the run screen is the first screen,
        with no loading screen drawn and replaced in between."""
        super().__init__(theme)
        self.starter = starter
        self.picker_paths = list(picker_paths)
        self.start_for = start_for
        self.form = form
        self.given = dict(given or {})
        self.handle: RunHandle | None = None
        self.failure: str | None = None
        self.ask_mode = ask_mode
        self.dry_run = dry_run
        #: The mode screen's last answer: asked again after a refused start, its words are kept to fix.
        self.mode_choice: ModeChoice | None = None
        self.share_at = share_at
        self.loaded = loaded
        self.opens_at_once = opens_at_once
        self._refused_at_once: StartRefused | None = None
        self._stop_noted = False
        self._release_at_frame = False  # a key's action ran: the output it holds back flows once its frame is written
        self._after_start: RunScreen | None = None  # opened with the first frame; this run screen shows once start() ended

    def get_default_screen(self) -> Screen[Any]:
        """Textual's first screen: the run itself when the session opens at once, else an empty screen under the others."""
        if self.starter is None or not self.opens_at_once:
            return super().get_default_screen()
        try:
            self.handle = self.starter(None)
        except StartRefused as refused:
            self._refused_at_once = refused  # said by on_mount, as when opened behind the loading screen
            return super().get_default_screen()
        run_screen = self._new_run_screen(self.handle)
        if self.handle.start_waits_for:  # the silences being made: on_mount shows why it waits, the run once they are
            self._after_start = run_screen
            return super().get_default_screen()
        return run_screen

    def on_mount(self) -> None:
        self.report_theme_problems()
        if self.handle is not None and self._after_start is not None:  # opened, and its start waits (the silences)
            hold_keys(self)
            self._show_run()
        elif self.handle is not None:  # opened with the first screen
            self._start_session()
        elif self._refused_at_once is not None:
            self._refused(self._refused_at_once, None)
        elif self.starter is not None:
            # Opening reads the runbook and, on resume, the whole journal: say so on the first frame,
            # then open (a blank terminal for seconds looked like a hang).
            from runbook_tui.ui.modals import LoadingScreen  # the dialogs load when shown, not before a run's first frame

            self.push_screen(LoadingScreen())
            self.call_after_refresh(self._start, None)
        elif self.loaded is not None:
            self._chosen(self.loaded)
        elif self.form is not None:
            from runbook_tui.ui.params_form import ParamsScreen

            form = self.form
            self.push_screen(
                ParamsScreen(form.file, form.params, self._chosen, self.given, title=form.title or form.id, quits=True),
                lambda _: self._give_up("no run started: the parameter form was left", code=1),
            )
        else:
            from runbook_tui.ui.picker import PickerScreen

            self.push_screen(PickerScreen(self.picker_paths, self._chosen))

    def _chosen(self, loaded: Loaded) -> None:
        """A runbook from the picker or the form, loaded with its values: start it like a runbook given on the command line."""
        assert self.start_for is not None, "the picker and the form need start_for"
        self.clear_notifications()  # an earlier "Not started" is answered by this attempt
        if self.ask_mode:
            self.loaded = loaded
            self.mode_choice = None  # another runbook, or the same one again: a fresh question
            self._ask_mode(loaded)
            return
        self.starter = self.start_for(loaded)
        self._start(None)

    def _ask_mode(self, loaded: Loaded, refused: str = "") -> None:
        from runbook_tui.ui.mode_screen import ModeChoice, ModeScreen

        last = self.mode_choice or (ModeChoice(share_address=self.share_at) if self.share_at else None)
        self.push_screen(ModeScreen(loaded.runbook.title, last=last, dry_run=self.dry_run, refused=refused), self._mode_chosen)

    def _mode_chosen(self, choice: ModeChoice | None) -> None:
        """Shared or solo: only now is the session opened (nothing ran before the question was answered)."""
        assert self.start_for is not None and self.loaded is not None
        if choice is None:
            if len(self.screen_stack) <= 1:  # no picker or form underneath: nothing to go back to
                self._give_up("no run started: neither shared nor solo was chosen", code=1)
            return
        self.mode_choice = choice
        self.clear_notifications()  # an earlier "Not started" (a key file that could not be read) is answered by this attempt
        self.starter = self.start_for(self.loaded, choice)
        self._start(None)

    def _window_answered(self, reason: str | None) -> None:
        """The closed window's question: a reason starts the run; none goes back to the picker or the form, or, with
        nothing underneath, leaves saying why (before: a blank screen after the mode screen, or exit 2 without a word)."""
        if reason:
            self._start(reason)
        elif self.command == "resume":  # (a rollback needs no reason: `resume JOURNAL --rollback`)
            self._give_up("nothing resumed: outside the change window, and no reason to go on was given (--override-window REASON; --rollback needs none)")
        elif self.start_for is None or len(self.screen_stack) <= 1:
            self._give_up("no run started: outside the change window, and no reason to start anyway was given (--override-window REASON)")

    def _give_up(self, why: str, code: int = 2) -> None:
        """Leave before a run started, saying `why` once the screen is gone: 1 when the person left (escape on the form or
        the mode question: nothing was done, as for ctrl+c; it was 2, an invalid input), 2 when the start was refused."""
        self.failure = why
        self.exit(code)

    def _start(self, override: str | None) -> None:
        assert self.starter is not None
        hold_keys(self)  # until the run shows (keys typed before it are not used there) or the start is refused
        try:
            self.handle = self.starter(override)
        except StartRefused as refused:
            self._refused(refused, override)
            return
        self._show_run()

    def _refused(self, refused: StartRefused, override: str | None) -> None:
        """Outside the change window: ask for a reason, then start again; otherwise say why (and leave unless chosen on screen)."""
        release_keys(self)
        if refused.window and override is None:
            from runbook_tui.ui.modals import TextPrompt

            # The refusal's words end with what to type on a command line (`; starting needs --override-window REASON`):
            # over this field, that read as if the run had to be left and started again with the flag.
            problem = str(refused).split("; starting needs --override-window")[0].split("; going on needs --override-window")[0]
            back = "go back" if self.start_for is not None and len(self.screen_stack) > 1 else "leave"
            resuming = self.command == "resume"
            self.push_screen(
                TextPrompt(
                    "Outside the change window",
                    f"{problem}.\n\n{'Going on with the run' if resuming else 'Starting anyway'} needs a reason, typed here; it is written "
                    "to the journal and the report (as --override-window REASON would be)."
                    + (" Undoing needs none: leave, then resume JOURNAL --rollback." if resuming else ""),
                    placeholder="e.g. the change manager extended the window (see the ticket)",
                    keys=f"enter {'go on' if resuming else 'start anyway'}, with this reason · escape {back}, nothing " + ("run" if resuming else "started"),
                ),
                self._window_answered,
            )
            return
        if self.start_for is not None:  # chosen in the picker or the form: say why and stay there
            self.notify(str(refused), title="Not started", severity="error", timeout=30, markup=False)
            if self.ask_mode and self.loaded is not None:
                self._ask_mode(self.loaded, str(refused))  # e.g. a key file that cannot be read: said in the dialog too
            return
        self.failure = str(refused)
        self.exit(refused.code)

    @work(exclusive=True, group="start")
    async def _show_run(self) -> None:
        """Open the shared session if asked (its address and host key go to the screen), then the run (a worker: the
        coroutine is made when it starts, so an app that exits first leaves nothing unawaited)."""
        handle = self.handle
        assert handle is not None
        run_screen, self._after_start = self._after_start, None
        waiting = None
        if handle.start_waits_for:  # no step may run before the change's silences are made (as `exec` waits for them)
            from runbook_tui.ui.modals import LoadingScreen

            run_screen = run_screen or self._new_run_screen(handle)  # made now: a silence that fails meanwhile is in its log
            waiting = LoadingScreen(handle.start_waits_for)
            self.push_screen(waiting)
        try:
            await handle.start()
        except OSError as exc:
            self.notify(f"could not open the shared session: {exc.strerror or exc}", severity="error", timeout=30, markup=False)
        run_screen = run_screen or self._new_run_screen(handle)
        # Made before start() when it waited (the silences), it has no share note: the share opened at start()'s end.
        run_screen.share_note = handle.share_note
        if waiting is not None and self.screen is waiting:
            self.switch_screen(run_screen)
        else:
            self.push_screen(run_screen)
        release_keys(self)

    @work(exclusive=True, group="start")
    async def _start_session(self) -> None:
        """The session opened with the first screen: start watching its journal (nothing to wait for before the run shows)."""
        assert self.handle is not None
        await self.handle.start()

    def _new_run_screen(self, handle: RunHandle) -> RunScreen:
        return self.run_screen(handle.controller, handle.actor, str(handle.journal_path), handle.share_note, handle.backlog, handle.unsigned_note)

    async def on_event(self, event: events.Event) -> None:
        # A key the screen has a binding for: its action and its frame come before more output (`KEYS`: the local
        # executor reads no more until it is released below, or HOLD_SECONDS at most); typing into a prompt holds nothing.
        if isinstance(event, events.Key) and not event.is_forwarded:
            if enabled_binding(self.screen, event.key):  # (that key's bindings checked, not every binding's)
                self._release_at_frame = False  # a frame still awaited for a key before (it drew nothing) is not this key's
                KEYS.hold()
        await super().on_event(event)

    async def run_action(self, action: str | ActionParseResult, default_namespace: Any = None, namespaces: Mapping[str, Any] | None = None) -> bool:
        ran = False
        try:
            ran = await super().run_action(action, default_namespace, namespaces)
            return ran
        finally:
            # Once the action's effect is drawn, output flows again. Not after a binding that did not run: Textual tries a
            # key's bindings in turn (`p` is pause, then resume), and the resume's fsync and frame came after the release.
            # At the next frame written (`_display`; else HOLD_SECONDS): `call_after_refresh` ran when the screen was idle,
            # which came before the changed widgets told it so: during a flood output was read, journaled and drawn before
            # the key's frame.
            self._release_at_frame = self._release_at_frame or (ran and KEYS.held)

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if self._release_at_frame and renderable is not None and not self._batch_count:
            self._release_at_frame = False
            KEYS.release()

    async def action_quit(self) -> None:
        """The command palette's Quit (Textual's `action_quit`): as ctrl+c. It ended an unfinished run at once, a running
        step's command stopped with nothing asked or journaled."""
        await self.action_quit_now()

    async def action_quit_now(self) -> None:
        """Leave; a run asks first as `q` does, also from under a prompt (which closed the run without a word)."""
        from runbook_tui.ui.modals import ConfirmPrompt

        run = next((screen for screen in reversed(self.screen_stack) if isinstance(screen, RunScreen)), None)
        if run is None:
            # Nothing started: 1, as the contract's `run` says for a run that was not done (it exited 0, as a done run does,
            # and a script went on as if the change was made); `launch` says that nothing ran once the screen is gone.
            self.exit(1)
        elif isinstance(self.screen, ConfirmPrompt):
            self.notify("Answer this question first (n or escape: no); then q or ctrl+c asks to leave.", markup=False)
        else:
            run.action_quit_run()

    def signalled(self, name: str) -> None:
        """SIGTERM, a hang-up or SIGINT while a run is open: a running command here is stopped, the journal says where the
        run stopped (a running step's outcome unknown: `resume` decides), then the app leaves as `q` does."""
        if self.handle is not None and not self._stop_noted:  # once: a second SIGTERM while it closes adds no second note
            self._stop_noted = True
            self.call_later(self._leave_noted, name)
        else:
            super().signalled(name)

    async def _leave_noted(self, name: str) -> None:
        from runbook_tui.app.stopped import stop_then_note

        assert self.handle is not None
        await stop_then_note(self.handle.controller, name, self.command)
        super().signalled(name)

    async def on_unmount(self) -> None:
        if self.handle is not None:
            await self.handle.close()
