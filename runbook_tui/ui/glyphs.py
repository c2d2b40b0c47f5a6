"""How statuses look on screen: one glyph, one word and one colour per status, everywhere."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.theme import Theme

#: status -> (glyph, label, theme colour name); "muted" is the foreground dimmed.
STATUS: dict[str, tuple[str, str, str]] = {
    "pending": ("·", "pending", "muted"),
    "running": ("▶", "running", "accent"),
    "awaiting_verification": ("⧗", "waiting for verifier", "warning"),
    "done": ("✓", "done", "success"),
    "failed": ("✗", "FAILED", "error"),
    "timed_out": ("⏱", "TIMED OUT", "error"),
    "rejected": ("✗", "REJECTED", "error"),
    "skipped": ("↷", "skipped", "muted"),
    "undone": ("↶", "undone", "secondary"),
    "unknown": ("?", "UNKNOWN", "warning"),
}
_LOUD = frozenset({"failed", "timed_out", "rejected", "unknown", "running", "awaiting_verification"})


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


def status_text(status: str, theme: Theme, *, with_label: bool = True) -> Text:
    mark, label, tone = STATUS.get(status, ("·", status, "muted"))
    style = Style(color=colour(theme, tone), bold=status in _LOUD)
    return Text(f"{mark} {label}" if with_label else mark, style=style)


#: Session outcomes in words (the journal keeps the names).
OUTCOME_WORDS = {"done": "done", "rolled_back": "rolled back", "aborted": "aborted", "stopped": "stopped"}


def status_words(name: str) -> str:
    """A step status or session outcome as a person says it: `awaiting_verification` → `waiting for verifier`."""
    if name in STATUS:
        return STATUS[name][1]
    return OUTCOME_WORDS.get(name, name.replace("_", " "))
