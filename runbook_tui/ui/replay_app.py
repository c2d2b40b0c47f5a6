"""The replay app: a past run, step by step; nothing is executed."""

from __future__ import annotations

from collections.abc import Sequence

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.journal_events import ends_finished
from runbook_tui.engine.mark_done import EXIT_NOTE, left_words
from runbook_tui.engine.practice_results import newer_events
from runbook_tui.report.text import unknown_kinds
from runbook_tui.ui.base_app import ThemedApp
from runbook_tui.ui.replay_screen import ReplayScreen, ReplaySource


class ReplayApp(ThemedApp):
    TITLE = "runbook-tui (replay)"

    def __init__(self, events: Sequence[Event], *, speed: float = 1.0, label: str = "", theme: str | None = None, cut: str | None = None) -> None:
        """`cut`: the journal's last line was cut short (a crash while writing), in `journal verify`'s words; said on the screen."""
        super().__init__(theme)
        self.events = events
        self.speed = speed
        self.label = label
        self.cut = cut
        self.unreadable: str | None = None  # an event the fold could not take: the replay stopped there (exit code 2)

    def on_mount(self) -> None:
        self.report_theme_problems()
        # Said on the position row (`cut short`, `no end`, `unknown events`) and whole in the help (`?`), not in a toast: at
        # 80x24 one took 10 rows by 40 columns of the output pane for 20 s (30 s for the unknown events), over what a trainee reads.
        said, marks = [], []
        if self.cut is not None:
            said.append(f"Journal cut short: {self.cut}; shown: the {len(self.events)} whole events before it.")
            marks.append("cut short")
        if not ends_finished(self.events):  # `journal verify`'s words, or the program's note as it left (a quit, a signal)
            left = _left_note(self.events)
            said.append(
                f"Journal has no end: no session_finished. {left_words(left)} `runbook-tui resume` continues it."
                if left is not None
                else "Journal has no end: no session_finished: the run was still going when this was read, its process stopped"
                " (`runbook-tui resume` continues it), or lines were cut off its end; only a seal (journal verify --allowed-signers)"
                " tells these apart."
            )
            marks = marks or ["no end"]  # a journal cut short has no end: said once
        # A newer version's events: said before the first step (nothing said so until the replay reached one).
        if kinds := unknown_kinds(newer_events(self.events)):
            said.append(
                f"Events this version does not know: {kinds}: a newer version wrote this journal; the replay shows each where it comes, on a ? line, as journaled."
            )
            marks.append("unknown events")
        screen = ReplayScreen(ReplaySource(self.events, self._stop_unreadable), self.speed, self.label, marks, "\n".join(said))
        self.push_screen(screen)

    def _stop_unreadable(self, words: str) -> None:
        self.unreadable = words
        self.exit(return_code=2)


def _left_note(events: Sequence[Event]) -> Event | None:
    """The program's note as it left the run (`request: exit`: the assignee's quit, a signal) since the last resume, or
    None: the replay guessed three ways the journal could end open while it held the quit (resume and the report say it)."""
    for event in reversed(events):
        if event["type"] == ev.SESSION_RESUMED:
            return None
        if event["type"] == ev.NOTE and event.get("request") == EXIT_NOTE:
            return event
    return None
