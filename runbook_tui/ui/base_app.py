"""What every runbook-tui app shares: the stylesheet and the themes (files, user folder, fallback)."""

from __future__ import annotations

import asyncio
import gc
import signal
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

from runbook_tui.app.stopped import SignalExit, stopping_signals
from runbook_tui.ui.input_decoding import decode_leniently
from runbook_tui.ui.keys_in_turn import KeysInTurn
from runbook_tui.ui.paste_guard import guard_pastes
from runbook_tui.ui.terminal_gone import TERMINAL_GONE, TerminalWatch, watch_terminal
from runbook_tui.ui.themes import DEFAULT_THEME, load_themes, theme_folders


class ThemedApp(KeysInTurn):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    #: Whether the theme is chosen (`__init__`): before, Textual's own `__init__` asks for the stylesheet's variables.
    _theme_chosen = False

    def __init__(self, theme: str | None = None) -> None:
        super().__init__()
        guard_pastes()
        decode_leniently()
        self._theme_problems = self._use_themes(theme)
        # Textual made the stylesheet before the theme was chosen, and choosing ours queued a refresh that parses every
        # source again and restyles every node: made with ours from the start, the first parse is already right.
        self._theme_chosen = True
        self.stylesheet.set_variables(self.get_css_variables())
        self._stylesheet_has_theme = True
        self._signals: list[signal.Signals] = []  # the stopping signals this app handles while mounted
        self._early_signals: list[str] = []  # those that came before it was mounted (`run`)
        self._terminal_watch: TerminalWatch | None = None
        self._unmounted = False

    def run(self, **options: Any) -> Any:
        """Textual's run, a stopping signal noted until `on_mount` takes the signals: while Textual starts the screen it was
        its default action (killed, the terminal left in application mode), or, under `runbook-tui run`'s start
        (cli/interrupted.signals_said), raised inside Textual's start-up as a traceback."""

        def note(signum: int, _frame: object) -> None:
            self._early_signals.append(signal.Signals(signum).name)

        main = threading.current_thread() is threading.main_thread()  # (signals go to it alone; another may not set them)
        previous = {sig: signal.signal(sig, note) for sig in stopping_signals() if main}
        try:
            return super().run(**options)
        finally:
            for sig, handler in previous.items():  # those `on_mount` never took (the loop left the default action on the rest)
                if signal.getsignal(sig) is note:
                    signal.signal(sig, handler)

    def on_mount(self) -> None:
        self.call_after_refresh(_collect_from_now)
        # SIGTERM, a hang-up (the terminal or the SSH login closed) or a SIGINT from outside ended the process where it
        # stood: a running step's command left running unwatched, nothing journaled, the terminal left in raw mode.
        # Now the app leaves as `q` then `y` does (the command is stopped, the journal kept for `resume`).
        loop = asyncio.get_running_loop()
        for sig in stopping_signals():
            try:
                loop.add_signal_handler(sig, self.signalled, sig.name)
            except (ValueError, RuntimeError):  # not the main thread (an app run from a thread): the default stays
                continue
            self._signals.append(sig)
        if self._early_signals:  # came as Textual started the screen (`run`)
            self.signalled(self._early_signals[0])
        if not self.is_headless:  # a terminal gone without a SIGHUP is left as on one (it spun at full CPU, nothing said)
            self.call_after_refresh(self._watch_terminal)

    def _watch_terminal(self) -> None:
        """The watch's thread starts after the first frame: starting a thread waits until the new one has run, which on a
        busy machine held the first frame back by up to several milliseconds. Nothing is missed meanwhile: a hang-up stays
        reported (POLLHUP), so a terminal gone before the thread starts is seen at its first poll."""
        if self._terminal_watch is None and not self._unmounted:
            self._terminal_watch = watch_terminal(self.terminal_gone)

    async def on_unmount(self) -> None:
        """The handlers go with the app: a loop that outlives it (a test's) has the default dispositions back."""
        self._unmounted = True  # a first frame that comes after this starts no watch
        if self._terminal_watch is not None:
            self._terminal_watch.stop()
            self._terminal_watch = None
        loop = asyncio.get_running_loop()
        for sig in self._signals:
            loop.remove_signal_handler(sig)
        self._signals.clear()

    def signalled(self, name: str) -> None:
        """A stopping signal (`name`, e.g. SIGTERM) came: leave, exit 1 (not done). A run says it in its journal first."""
        self.exit(SignalExit(name))

    def terminal_gone(self) -> None:
        """stdin hung up with no SIGHUP (ui/terminal_gone.py): the same leaving, its journal note naming what happened."""
        self.signalled(TERMINAL_GONE)

    def _fatal_error(self) -> None:
        """A crash's traceback as Textual shows it, but without each frame's local variables: those held secrets (a
        step's environment, the values read from the keyring), printed on the terminal and left in its scrollback."""
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        shown = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(shown, self.console.options)))
        self._close_messages_no_wait()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's palette, its Quit said as what it does here: as `q` (it read "as soon as possible")."""
        for command in super().get_system_commands(screen):
            yield command._replace(help="Leave, as q does (an unfinished run asks first)") if command.title == "Quit" else command

    def get_css_variables(self) -> dict[str, str]:
        """The chosen theme's variables. Asked by Textual's `App.__init__` before any theme of ours is chosen: none then
        (the stylesheet has them as `__init__` chooses the theme, before anything is parsed); Textual derived its default
        theme's ~150 colours there for nothing, each start (0.6 ms)."""
        return super().get_css_variables() if self._theme_chosen else {}

    def refresh_css(self, animate: bool = True) -> None:
        """Skips only the refresh queued by choosing the theme in `__init__` (nothing is parsed yet, nothing would change)."""
        if self._stylesheet_has_theme:
            self._stylesheet_has_theme = False
            return
        super().refresh_css(animate)

    def _use_themes(self, wanted: str | None) -> list[str]:
        """Register the theme files (before `self.theme` is set), then pick one; problems are shown after mount."""
        folders = theme_folders()
        themes, problems = load_themes(folders, shipped=folders[0])
        for theme in themes:
            self.register_theme(theme)
        fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        if wanted and wanted not in self.available_themes:
            ours = ", ".join(sorted(theme.name for theme in themes))
            problems.append(f"No theme {wanted!r}; using {fallback}. Theme files: {ours} (ctrl+p → Theme lists every theme).")
            wanted = None
        self.theme = wanted or fallback
        return problems

    def report_theme_problems(self) -> None:
        if self._theme_problems:
            self.notify("\n".join(self._theme_problems), title="Themes", severity="warning", timeout=20, markup=False)


def _collect_from_now() -> None:
    """After the first frame: `runbook-tui` paused cyclic garbage collection while it started the screen
    (cli.SCREEN_COMMANDS). What the start made lives on (modules, classes, the runbook, the widgets: ~74,000 objects,
    at most a few hundred of them garbage), so it is frozen first: no collection walks it again (the first one after
    the pause walked all of it, 20-50 ms right after the first frame)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
