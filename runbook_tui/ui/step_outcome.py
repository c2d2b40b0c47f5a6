"""What became of a step, as the detail pane and `v` (the step whole) say it.

The words first, each above the command in the pane (`outcome_words`): the problems (one line per problem, however
many hosts share it: ui/problem_lines.py), who decided and why; then the wave waiting and each host's result
(`outcome_rest`). Under a 2,000-line `run:` the pane showed the command and cut the why below it, at 140x45 too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from runbook_tui.engine.actors import named
from runbook_tui.engine.event_words import host_status_words, self_confirmed_words
from runbook_tui.engine.said import said_above
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.glyphs import GO_AHEAD_REFUSED, STATUS, colour, host_looks, status_text
from runbook_tui.ui.host_name import HostName
from runbook_tui.ui.note_line import cut_middle
from runbook_tui.ui.problem_lines import said_once

#: Statuses whose problems the detail pane lists (an undone step's old failure is history).
TROUBLED = frozenset({"failed", "timed_out", "rejected", "unknown"})
#: Rows the detail pane gives the why above the command (more is cut to a row each and said whole under the undo).
WHY_ROWS = 3
#: Said where the why above the command was cut: where it is whole.
WHY_CUT = "each whole under the undo"
#: Per-host rows the detail pane draws at most, troubled hosts first, the rest counted by status: a table of 20,000
#: hosts was laid out again at every repaint (150 s per key in a replay).
HOSTS_SHOWN = 100


def step_outcome(step: Any, theme: Any, reader: str | None = None) -> list[RenderableType]:
    """What became of the step, as `v` (the step whole) says it under the undo; `reader` reads their own word as `you`."""
    return [*outcome_words(step, theme, reader), *outcome_rest(step, theme)]


def outcome_words(step: Any, theme: Any, reader: str | None = None) -> list[Text]:
    """Why the step stands as it does, the lines the detail pane shows above the command: its problems, who decided and
    their reason."""
    lines: list[Text] = []
    if step.status in TROUBLED:
        for problem in said_once(step.problems, step.hosts):
            lines.append(Text(f"✗ {visible(problem)}", style=f"bold {colour(theme, 'error')}"))
    if step.decided_by:
        lines.append(Text(visible_line(_decision(step, reader)), style="bold"))
    if step.reason:
        lines.append(Text(f"reason: {visible(step.reason)}", style=colour(theme, "warning")))
    return lines


def why_in_view(lines: list[Text], width: int, console: Console, theme: Any) -> tuple[list[Text], list[Text]]:
    """`outcome_words` split into what goes above the command and what goes under its undo: whole above when they take
    `WHY_ROWS` rows or fewer at `width`; else a row each of the first, cut, with where they are whole, and all of them
    whole under the undo. Fifty hosts that could not connect, each with its own four-row error, filled 200 rows above
    the command at 80x24: the command about to be re-run was far below the pane's end."""
    width = max(width, 1)
    rows = sum(len(line.wrap(console, width)) for line in lines)
    if rows <= WHY_ROWS:
        return lines, []
    above: list[Text] = []
    for line in lines[: WHY_ROWS - 1]:
        cut = line.copy()
        cut.no_wrap, cut.overflow = True, "ellipsis"
        above.append(cut)
    more = len(lines) - len(above)
    said = f"… {more:,} more, {WHY_CUT}" if more else f"… {WHY_CUT}"
    return [*above, Text(said, style=colour(theme, "muted"))], lines


def outcome_rest(step: Any, theme: Any) -> list[RenderableType]:
    """The wave waiting for the verifier and each host's result: under the command in the detail pane."""
    lines: list[RenderableType] = []
    if step.wave_awaiting is not None:
        # Of how many, as the output's `wave 1/3` says it (it read `wave 1 of 1+`, the rollout's length known all along).
        total = step.wave_total if step.wave_total is not None else f"{len(step.waves)}+"
        lines.append(Text(f"wave {step.wave_awaiting} of {total} done: the next waits for the verifier", style=colour(theme, "warning")))
    if host_results(step):
        lines.append(_hosts(step, theme))
    return lines


def host_results(step: Any) -> bool:
    """A row per host: several hosts, or one whose error the problem lines above do not already say (`local: ERROR`,
    then a row `local ✗ FAILED ERROR`: the same words twice, four rows of an 80x24 screen for a long error)."""
    said = _said_above(step)
    return len(step.hosts) > 1 or any(h.error and host not in said for host, h in step.hosts.items())


def _said_above(step: Any) -> set[str]:
    """The hosts a problem line above the table names (`✗ web2: timed out after 3s`): their rows say the status alone,
    not its words again (`web2  ⏱ TIMED OUT  timed out`, a long connection error twice at 140x45)."""
    return said_above(step.hosts, step.problems if step.status in TROUBLED else ())


def _hosts(step: Any, theme: Any) -> Table:
    """Per-host results; with `serial:` each wave's hosts as a group."""
    rows: list[tuple[RenderableType, RenderableType, str, Text | MiddleCut]] = []
    waves = step.waves or (tuple(step.hosts),)
    groups = [(f"wave {number}", wave) for number, wave in enumerate(waves, 1)]
    started = {host for wave in waves for host in wave}
    later = tuple(host for host in step.hosts if host not in started)  # hosts of waves not begun: resume's `not started`
    if later:
        groups.append(("later waves", later))
    shown, said, words = _shown_hosts(step.hosts), _said_above(step), last_words(step)
    for label, wave in groups:
        drawn = [host for host in wave if host in shown]
        if (len(step.waves) > 1 or later) and drawn:
            rows.append((Text(label, style="bold"), "", "", Text("")))
        for host in drawn:
            result = step.hosts[host]
            code = "" if result.exit_code is None else f"exit {result.exit_code}"
            error: Text | MiddleCut = Text("" if host in said else visible(result.error or ""))
            if not result.error and result.status in TROUBLED and host in words:  # what it said last, on its row
                error = MiddleCut(visible_line(words[host]), colour(theme, "muted"))
            rows.append((HostName(str(host)), status_text(host_looks(step, result), theme, host=True), code, error))
    hidden = Counter(host_looks(step, result) for host, result in step.hosts.items() if host not in shown)
    if hidden:
        counted = ", ".join(f"{count:,} {host_status_words(status)}" for status, count in sorted(hidden.items()))
        rows.append((Text(f"… {sum(hidden.values()):,} more hosts: {counted}"), "", "", Text("")))
    # Only the columns some row fills: an empty exit and error column took four cells of padding, and a 66-character
    # name beside `✗ FAILED` went on two rows at 80 columns. A long name or a word of its error goes on the next row,
    # never cut (`web27-frontend-prod.exampl…` lost the part that told two hosts apart); a name breaks after a dot.
    filled = [0, 1] + [column for column in (2, 3) if any(row[column] for row in rows)]
    table = Table.grid(padding=(0, 2))
    for _ in filled:
        table.add_column(overflow="fold")
    for row in rows:
        table.add_row(*(row[column] for column in filled))
    return table


class MiddleCut:
    """A line cut to its cell on one row, its start and its end kept (`nginx: [emerg] cannot load…/etc/ssl/web07.pem`:
    cut at its end, forty hosts read the same words, the part that told them apart gone)."""

    def __init__(self, text: str, style: str) -> None:
        self.text, self.style = text, style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(cell_len(self.text), 12), cell_len(self.text))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(cut_middle(self.text, options.max_width), style=self.style, no_wrap=True)


def last_words(step: Any) -> dict[str, str]:
    """Each host's last line of the attempt's output (not of an undo): its last on stderr, else its last on stdout, blank
    lines passed over. Forty hosts failing read `web07  ✗ FAILED  exit 3` forty times, what each said only in the output
    pane, six lines at 80x24, interleaved."""
    errors: dict[str, str] = {}
    others: dict[str, str] = {}
    for line in step.output[len(step.output) - step.attempt_lines :] if step.attempt_lines else ():
        if line.phase == "run" and line.text.strip():
            (errors if line.stream == "stderr" else others)[line.host] = line.text
    return others | errors


def _shown_hosts(hosts: Mapping[str, Any]) -> set[str]:
    """The hosts drawn one per row: all, or HOSTS_SHOWN of them, those that failed or said an error first."""
    if len(hosts) <= HOSTS_SHOWN:
        return set(hosts)
    troubled = [host for host, result in hosts.items() if result.status in TROUBLED or result.error]
    first = set(troubled)
    return set((troubled + [host for host in hosts if host not in first])[:HOSTS_SHOWN])


def _decision(step: Any, reader: str | None = None) -> str:
    """Who decided on the step, named, with the time: "✓ confirmed by bob 02:13:05" (what was decided,
    whatever the status is now: a rejected step that was then undone still names who rejected it); `by you` to bob."""
    if step.decision == "confirmed" and step.self_confirmed:
        return f"! {self_confirmed_words(step.decided_by)} {_time_of(step.decided_at)}"
    mark = {"rejected": "✗", "go-ahead refused": STATUS[GO_AHEAD_REFUSED][0], "skipped": "↷"}.get(step.decision or "", "✓")
    void = ", void since the rollback: ask again" if step.decision == "go-ahead" and step.go_ahead_void else ""
    # A verdict from before the attempt running or awaiting its verdict now: said so (it read `✓ confirmed by bob` over
    # `waiting for verifier`, as if the new attempt were confirmed already).
    earlier = (
        step.status in ("running", "awaiting_verification")
        and step.decision != "go-ahead"
        and step.started_at is not None
        and str(step.decided_at) < step.started_at
    )
    # A confirmation of what a rollback then undid: it read `✓ confirmed by bob` under `↶ undone`, as if it stood; of a
    # step it went back past with nothing to undo, `reset` (it read `then undone`: nothing undid it, it runs again).
    undone = step.status == "undone" and step.decision == "confirmed"
    back = ", then reset by the rollback: runs again" if step.reset else ", then undone by the rollback"
    after = ", on an earlier attempt" if earlier else back if undone else ""
    return f"{mark} {step.decision or 'decided'} by {named(step.decided_by, reader)} {_time_of(step.decided_at)}{void}{after}"


def _time_of(ts: str | None) -> str:
    """The journal's UTC time of day (02:13:05), as the journal and the report show it."""
    return str(ts or "")[11:19]
