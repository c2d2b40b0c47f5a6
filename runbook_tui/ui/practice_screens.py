"""Practice in the TUI: the trainer's scenario before the start, the results when the trainee is done.

`PracticeApp` is the run app with the night played around the trainee (the
recorded verifier joins under the night's verifier's name, see
engine/practice.py). When the run finishes, or the trainee quits, the
results screen opens inside the TUI: each decision point of the night, what
was done then and by the trainee, the time each took, and why it mattered
on the night; a score on top. `--out FILE` has the same as Markdown.
"""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from runbook_tui.app.practice import Practice
from runbook_tui.engine.events import Event
from runbook_tui.engine.files import write_private
from runbook_tui.engine.practice_results import DecisionPoint, Results, answer_words, newer_events
from runbook_tui.engine.state import RunState
from runbook_tui.report import practice_md
from runbook_tui.report.practice_md import decision_words, done_words, endings, night_said, played_back, score_line, seconds, trainee_words, unknown_notice
from runbook_tui.runbook.safe_text import visible
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.modals import JOURNAL_PROMISE, PRACTICE_HELP_KEYS, InfoScreen
from runbook_tui.ui.run_screen import RunScreen

#: The decision column's least width (`roll back (checkpoint)` and its time) and the reason's, beside a step column
#: as wide as the longest id: narrower, each id goes on a line of its own above its point's decisions.
DECIDED_MIN = 30
WHY_MIN = 30
HEADS = ("#", "Night / you, time", "Why it matters (on the night)")


class ResultsTable:
    """One row per decision point, the night's line above the trainee's; journal text is plain Text (never markup).

    Each decision and its time to decide are a row of their own inside the cell: a night's decision that wraps (at 80
    columns `finish (FAILED)` takes two lines) keeps the trainee's time beside the trainee's decision (a Time column of
    its own put it on the night's second line, where it read as the night's).

    The step's id is whole: in a column as wide as the longest id when the width allows it, else on a line of its own
    above the point's decisions (a Step column of 12 at 80 columns cut `disk-space-on-primary-database-volume` into
    `disk-space-o`, `n-primary-da`, `tabase-volum`, `e`: none of them the id the journal and `g` name).
    """

    def __init__(self, results: Results) -> None:
        self.results = results

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        steps = [Text(visible(point.step or "—"), style="bold") for point in self.results.points]
        longest = max((step.cell_len for step in steps), default=4)
        if 2 + longest + DECIDED_MIN + WHY_MIN + 8 <= options.max_width:  # the columns and their padding
            yield self._beside(steps, max(longest, 4))
            return
        yield Text(" ")  # as the wide table's blank top edge: the heads apart from the legend above
        yield self._grid(*(Text(head, style="bold") for head in HEADS))
        yield Rule(style="dim", characters="─")
        for number, (point, step) in enumerate(zip(self.results.points, steps, strict=True), 1):
            # `12 reload-checkout-api-workers`: the id in the decisions' column, across the row (folded only where it is
            # wider than the whole table); then the point's decisions and why, a blank line after.
            yield Text.assemble(f"{number:>2}  ", step, overflow="fold")
            yield self._grid("", self._decided(point), Text(visible(point.why)))
            yield Text(" ")  # a blank line between points (an empty Text draws no line in a Static)

    def _beside(self, steps: list[Text], width: int) -> Table:
        table = Table(expand=True, box=box.SIMPLE_HEAD, leading=1, padding=(0, 1), header_style="bold")
        table.add_column(HEADS[0], justify="right", no_wrap=True, width=2)
        table.add_column("Step", no_wrap=True, width=width)
        table.add_column(HEADS[1], ratio=3, min_width=DECIDED_MIN, overflow="fold")
        table.add_column(HEADS[2], ratio=5, overflow="fold")
        for number, (point, step) in enumerate(zip(self.results.points, steps, strict=True), 1):
            table.add_row(str(number), step, self._decided(point), Text(visible(point.why)))
        return table

    @staticmethod
    def _grid(*cells: RenderableType) -> Table:
        """A row of the narrow layout: every row a grid of the same columns, so they line up under the heads."""
        grid = Table.grid(expand=True, padding=(0, 1), collapse_padding=False)  # two spaces: `100ms  on the night`
        grid.add_column(justify="right", no_wrap=True, width=2)
        # folded, never `…`: Rich keeps a wrapped line's trailing space when the line holds wide characters (it counts
        # characters, not cells), and `…` then took the line's last letter (`output looks wrong 出力; bob aske…`)
        grid.add_column(ratio=3, overflow="fold")
        grid.add_column(ratio=5, overflow="fold")
        grid.add_row(*cells)
        return grid

    @staticmethod
    def _decided(point: DecisionPoint) -> Table:
        mine = Text(visible(trainee_words(point)), style="green" if point.same else "dim" if point.trainee is None else "bold red")
        decided = Table.grid(expand=True, padding=(0, 0, 0, 1))
        decided.add_column(ratio=1, overflow="fold")
        decided.add_column(no_wrap=True, min_width=6)  # with its padding: 100ms, and the times of every row in one column
        decided.add_row(Text(visible(decision_words(point.night, "—"))), Text(seconds(point.night)))
        decided.add_row(mine, Text(seconds(point.trainee)))
        return decided


def results_table(results: Results) -> ResultsTable:
    """The results as drawn at the width they are given (the screen's, or a test's console)."""
    return ResultsTable(results)


def night_words(results: Results) -> str:
    """Who the played-back verifier was, and what the night was where it was no live run (a dry run)."""
    return f" Verifier played back: {visible(played_back(results))}.{night_said(results)}"


def differences(results: Results) -> Text:
    """`Differed at #6 install-config: you re-ran, the night rolled back to the checkpoint`: where to look first."""
    found = [(n, p) for n, p in enumerate(results.points, 1) if p.night is not None and p.trainee is not None and not p.same]
    if not any(p.night is not None and p.trainee is not None for p in results.points):  # left before the first one
        return Text("You reached none of the night's decisions.", style="bold yellow")
    if not found:
        return Text("Every decision you reached was the night's.", style="green")
    words = "; ".join(f"#{n} {p.step}: {_differed(p)}" for n, p in found[:3])
    more = f"; and {len(found) - 3} more: " + ", ".join(f"#{n} {p.step}" for n, p in found[3:]) if len(found) > 3 else ""
    return Text(visible(f"Differed at {words}{more}"), style="bold red")


def _differed(point: DecisionPoint) -> str:
    """`you re-ran, the night rolled back to the checkpoint`; an `ask` answered otherwise: `you answered "2.0", the night "1.2"`."""
    if point.answered_otherwise and point.trainee is not None and point.night is not None:
        return f"you answered {answer_words(str(point.trainee.answer))}, the night {answer_words(str(point.night.answer))}"
    return f"you {done_words(point.trainee)}, the night {done_words(point.night)}"


def _ended_alike(results: Results) -> bool:
    return (results.night_ended, results.night_words) == (results.you_ended, results.you_words)


class PracticeResultsScreen(Screen[None]):
    """The trainee's decisions beside the night's; q leaves the practice."""

    BINDINGS = [Binding("q,escape", "leave", "leave the practice")]

    def __init__(self, results: Results, saved: str) -> None:
        super().__init__()
        self.results = results
        self.saved = saved

    def compose(self) -> ComposeResult:
        same, total = self.results.score
        head = Text.assemble(
            ("Practice results  ", "bold"), (f"{same}/{total}", "bold green" if same == total else "bold yellow"), f"  {score_line(self.results)}"
        )
        legend = Text(f"Time: the night's first, yours second.{night_words(self.results)} {self.saved}", style="dim")
        ended = Text(visible(endings(self.results)), style="bold" if _ended_alike(self.results) else "bold red")
        notice = Text(visible(unknown_notice(self.results.unknown)), style="bold yellow")
        yield Static(Group(head, differences(self.results), ended, legend, *([notice] if notice else [])), id="results-head")
        with VerticalScroll(id="results-body"):
            yield Static(results_table(self.results), id="results-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results-body").focus()

    def action_leave(self) -> None:
        self.app.exit(0)


class PracticeRunScreen(RunScreen):
    """The run screen of a practice: the trainer's scenario over it first; quitting shows the results first."""

    KEYS_HELP = (PRACTICE_HELP_KEYS, JOURNAL_PROMISE)

    def on_mount(self) -> None:
        # Textual runs RunScreen's and RunView's on_mount itself, after this one: calling super() too ran them twice.
        practice = self.app.practice if isinstance(self.app, PracticeApp) else None
        if practice is None:
            return
        # A night a newer version wrote: said before the first step (it was practised as if nothing were missing).
        notice = f"Warning: {unknown}" if (unknown := unknown_notice(newer_events(practice.night))) else ""
        if practice.scenario or notice:
            title = "Practice scenario" if practice.scenario else "Before you practise"
            self.app.push_screen(InfoScreen(f"{title}: {Path(practice.journal).name}", "\n\n".join(t for t in (notice, practice.scenario) if t)))

    def action_quit_run(self) -> None:
        app = self.app
        assert isinstance(app, PracticeApp)
        app.show_results()


class PracticeApp(RunbookApp):
    TITLE = "runbook-tui (practice)"
    run_screen = PracticeRunScreen
    command = "replay --practice"

    def __init__(self, practice: Practice, *, out: str | None = None, theme: str | None = None) -> None:
        super().__init__(lambda _override: practice.session, theme)
        self.practice = practice
        self.out = out
        self.results: Results | None = None

    def on_mount(self) -> None:
        # Textual runs RunbookApp.on_mount itself, after this one: calling super() too pushed the loading screen
        # and started the session twice.
        if self.practice.verifier is not None:
            self.practice.verifier.kick()
        self.practice.session.controller.subscribe(self._on_event)

    def _on_event(self, event: Event, state: RunState) -> None:
        if state.finished and self.results is None:
            self.call_later(self.show_results)

    async def action_quit_now(self) -> None:
        """ctrl+c / ctrl+q: on the results the practice is over, and they leave as `q` does there."""
        if self.results is not None:
            self.exit(0)
        else:
            await super().action_quit_now()

    def show_results(self) -> None:
        if self.results is not None:
            return
        self.practice.leave()
        self.results = self.practice.results()
        self.push_screen(PracticeResultsScreen(self.results, self._save(self.results)))

    def _save(self, results: Results) -> str:
        """`--out FILE`: the results as Markdown for the trainer (0600, over an existing file too); what happened, in words."""
        if not self.out:
            return ""
        text = practice_md.render(results, Path(self.practice.journal).name, self.practice.session.actor.name)
        try:
            write_private(Path(self.out), text)
        except OSError as exc:
            return f"Could not save to {self.out}: {exc.strerror}."
        return f"Saved for the trainer: {self.out}."
