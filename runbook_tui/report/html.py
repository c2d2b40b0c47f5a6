"""The change report as one self-contained HTML file: inline CSS, an inline SVG chart per panel, no script.

The page is a Jinja2 template with autoescaping on, so every piece of
journal text (commands, output, notes, reasons: any of which can hold
`<script>`) reaches the page as text. Charts are hand-built SVG polylines
whose coordinates are computed here; the template only places them. It
prints as it reads: nothing is collapsed, long output is not cut by scroll
boxes on paper. A word longer than `LONG_WORD` characters (a 300-character title or parameter) gets a break
opportunity (`<wbr>`, which copies as nothing) after each `BREAK_EVERY` characters: it widened the tables and headings
past the page, which scrolled sideways and, printed, lost the right of every row. A hash (`sha256:` and 64 digits)
stays whole, to be found by a search of the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache

import jinja2
from markupsafe import Markup, escape

from runbook_tui.engine.history_model import GuardTrip
from runbook_tui.report import text
from runbook_tui.report.host_rows import host_rows
from runbook_tui.report.model import Panel, Report
from runbook_tui.report.signatures import UNCHECKED_WORDS
from runbook_tui.report.timeline_days import timeline_lines
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass, field

#: A word of the page's text longer than this gets a place to break (`<wbr>`) after each `BREAK_EVERY` characters.
LONG_WORD, BREAK_EVERY = 80, 40
_SPACES = lazy_re.compile(r"(\s+)")
#: Chart size in SVG user units (the viewBox; the page scales it).
WIDTH, HEIGHT, PAD = 320.0, 72.0, 6.0

_TONES = {
    "done": "ok", "confirmed": "ok", "completed": "ok", "ok": "ok",
    "failed": "bad", "timed_out": "bad", "unknown": "bad", "rejected": "bad", "aborted": "bad", "rolled_back": "bad", "unfinished": "bad",
    "undone": "warn", "reset": "muted", "awaiting_verification": "warn", "unverified": "warn", "did not finish": "bad", "running": "warn",
    "skipped": "muted", "not run": "muted", "not required": "muted", "n/a": "muted", "no undo": "warn",
    "rolled back before confirmation": "muted", "reset before confirmation": "muted", "waiting for verifier": "warn",
}  # fmt: skip


def tone(value: str | None) -> str:
    """The CSS class for an outcome: ok, bad, warn or muted."""
    return _TONES.get(str(value), "bad" if str(value).startswith(("FAILED", "STOPPED")) else "muted")


@dataclass
class Chart:
    """A panel's sparkline in SVG coordinates."""

    lines: list[str] = field(default_factory=list)  # polyline `points`, one per unbroken run of samples
    warn_y: float | None = None
    critical_y: float | None = None
    trips: list[tuple[float, float]] = field(default_factory=list)  # (x, y) of guard trips
    low: str = ""
    high: str = ""


def _epoch(ts: str) -> float:
    return dt.datetime.fromisoformat(ts).timestamp()


def chart(panel: Panel, trips: list[GuardTrip]) -> Chart | None:
    """The sparkline of one panel with its warn and critical lines; None without samples."""
    samples = [(_epoch(ts), v) for ts, v in panel.series]
    values = [v for _, v in samples if v is not None]
    if not values:
        return None
    trips = [trip for trip in trips if trip.panel == panel.id and trip.value is not None]
    lines = [x for x in (panel.warn, panel.critical) if x is not None]
    low, high = min(values + lines), max(values + lines)
    if high == low:
        low, high = low - 1, high + 1
    start, end = samples[0][0], samples[-1][0]
    span = (end - start) or 1.0

    def x(at: float) -> float:
        return round(PAD + (at - start) / span * (WIDTH - 2 * PAD), 1) if end != start else WIDTH / 2

    def y(v: float) -> float:  # halves: readings near ±1.8e308 (valid floats) span a finite range, never a NaN point
        return round(HEIGHT - PAD - (v / 2 - low / 2) / (high / 2 - low / 2) * (HEIGHT - 2 * PAD), 1)

    result = Chart(low=text.value(low, panel.unit), high=text.value(high, panel.unit))
    run: list[str] = []
    for at, v in samples:
        if v is None:
            if run:
                result.lines.append(" ".join(run))
            run = []
            continue
        run.append(f"{x(at)},{y(v)}")
    if run:
        result.lines.append(" ".join(run))
    result.lines = [points if " " in points else f"{points} {points}" for points in result.lines]  # one point still draws
    result.warn_y = None if panel.warn is None else y(panel.warn)
    result.critical_y = None if panel.critical is None else y(panel.critical)
    result.trips = [(x(min(max(_epoch(t.at), start), end)), y(t.value)) for t in trips if t.value is not None]
    return result


def breakable(value: object) -> object:
    """What each `{{ ... }}` writes (the templates' `finalize`): text escaped, with a `<wbr>` after every `BREAK_EVERY`
    characters of a word longer than `LONG_WORD`. An attribute or a `<title>` shows a `<wbr>` as text: there the template
    escapes the value itself (`| e`), and Markup passes as it is, as do numbers."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return Markup("").join(_pieces(value))


def _pieces(text: str) -> Iterator[Markup]:
    for word in _SPACES.split(text):
        if len(word) <= LONG_WORD:
            yield escape(word)
        else:
            yield Markup("<wbr>").join(escape(word[at : at + BREAK_EVERY]) for at in range(0, len(word), BREAK_EVERY))


@cache
def html_templates() -> jinja2.Environment:
    """The report's HTML templates (autoescaped): the change report and the plan for review."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("runbook_tui.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=breakable,
    )
    env.filters["tone"] = tone
    return env


def render(report: Report) -> str:
    charts = {panel.id: chart(panel, report.guard_trips) for panel in report.panels}
    with text.days_from(report.session.started_at):
        return (
            html_templates()
            .get_template("report.html.j2")
            .render(
                r=report,
                t=text,
                unchecked_signers=UNCHECKED_WORDS,
                host_rows=host_rows,
                zip=zip,
                charts=charts,
                width=WIDTH,
                height=HEIGHT,
                pad=PAD,
                days=timeline_lines,
            )
        )
