"""How statuses look on screen: one glyph, one word and one colour per status, everywhere."""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.theme import Theme

from runbook_tui.engine.event_words import NOT_ROLLED_BACK, RESET, STATUS_WORDS, host_status_words
from runbook_tui.engine.host_tally import FAILED_HERE
from runbook_tui.engine.state_model import HostState, StepState

#: A step's go-ahead refused before it ran (its state says `rejected`, with that decision): drawn apart from a rejection.
GO_AHEAD_REFUSED = "go_ahead_refused"
#: A step done with hosts that failed within its `max_fail` (the run went on): drawn apart from a clean `✓ done`.
DONE_WITH_FAILED = "done_with_failed"
#: A step done that a rollback passed over (no undo: its change stands): drawn apart from `✓ done` and `↶ undone`.
NOT_ROLLED_BACK_LOOK = "not_rolled_back"
#: A step a rollback went back past with nothing to undo (`StepState.reset`): drawn apart from `↶ undone`.
RESET_LOOK = "reset"
#: status -> (glyph, theme colour name); "muted" is the foreground dimmed. The words are engine.event_words.STATUS_WORDS.
STATUS: dict[str, tuple[str, str]] = {
    "pending": ("·", "muted"),
    "running": ("▶", "accent"),
    "awaiting_verification": ("⧗", "warning"),
    "done": ("✓", "success"),
    "failed": ("✗", "error"),
    "timed_out": ("⏱", "error"),
    "rejected": ("✗", "error"),
    "skipped": ("↷", "muted"),
    "undone": ("↶", "secondary"),
    "unknown": ("?", "warning"),
    GO_AHEAD_REFUSED: ("⊘", "error"),
    DONE_WITH_FAILED: ("✓", "warning"),
    NOT_ROLLED_BACK_LOOK: ("✓!", "warning"),
    RESET_LOOK: ("↺", "muted"),
}
_LOUD = frozenset({"failed", "timed_out", "rejected", GO_AHEAD_REFUSED, "unknown", "running", "awaiting_verification"})
#: Words of a status drawn here that is not a step's status in the state.
_WORDS = {
    GO_AHEAD_REFUSED: "GO-AHEAD REFUSED",
    DONE_WITH_FAILED: "done, hosts failed within max_fail",
    NOT_ROLLED_BACK_LOOK: NOT_ROLLED_BACK,
    RESET_LOOK: RESET,
}


def looks(status: str, decision: str | None, hosts: Mapping[str, HostState] | None = None, *, not_rolled_back: bool = False) -> str:
    """The status as drawn: a rejection before the step ran is `GO_AHEAD_REFUSED` (the list marked it `✗`, as a run of
    it rejected or failed, under the pane's and the status row's `GO-AHEAD REFUSED`); a step done that a rollback passed
    over, having no undo, is `NOT_ROLLED_BACK_LOOK` (it read `✓ done` like the steps the rollback left standing on
    purpose); a step done with `hosts` failed (within its max_fail) is `DONE_WITH_FAILED` (it read a clean `✓ done`)."""
    if status == "done" and not_rolled_back:
        return NOT_ROLLED_BACK_LOOK
    if status == "done" and hosts and any(h.status in FAILED_HERE for h in hosts.values()):
        return DONE_WITH_FAILED
    return GO_AHEAD_REFUSED if status == "rejected" and decision == "go-ahead refused" else status


def step_looks(step: StepState) -> str:
    """The step's status as drawn (`looks`), reset by a rollback (`RESET_LOOK`) apart from undone: the step list, the
    detail pane and the whole step's view all draw this."""
    return RESET_LOOK if step.reset else looks(step.status, step.decision, step.hosts, not_rolled_back=step.not_rolled_back)


def host_looks(step: StepState, host: HostState) -> str:
    """A host's status in the step as drawn: `undone` is `RESET_LOOK` where the step was reset (nothing undid it)."""
    return RESET_LOOK if step.reset and host.status == "undone" else host.status


def colour(theme: Theme, name: str) -> str:
    """A theme colour by name as #rrggbb, with sensible fallbacks for themes that leave some unset.

    Theme files may write colours any way Textual reads them ("hsl(...)", CSS names); Rich,
    which draws these parts, reads fewer, so they are converted here.
    """
    if name == "muted":  # a theme may set it: high contrast wants it brighter, night dimmer
        return _rich(theme.variables.get("text-muted")) or ("grey50" if theme.dark else "grey42")
    return _rich(getattr(theme, name, None)) or _rich(theme.primary) or "default"


def _rich(value: str | None) -> str | None:
    try:
        return Color.parse(value).hex6 if value else None
    except ColorParseError:  # e.g. Textual's "auto 60%"
        return None


def status_text(status: str, theme: Theme, *, with_label: bool = True, host: bool = False) -> Text:
    """The status's glyph and words in its colour; `host`: a host's status in a started step (`host_status_words`)."""
    mark, tone = STATUS.get(status, ("·", "muted"))
    style = Style(color=colour(theme, tone), bold=status in _LOUD)
    words = host_status_words(status) if host else _WORDS.get(status) or STATUS_WORDS.get(status, status)
    return Text(f"{mark} {words}" if with_label else mark, style=style)
