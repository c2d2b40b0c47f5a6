"""How statuses look on screen: one glyph, one word and one colour per status, everywhere."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.theme import Theme

from runbook_tui.engine.event_words import STATUS_WORDS, host_status_words

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


def status_text(status: str, theme: Theme, *, with_label: bool = True, host: bool = False, words: str | None = None) -> Text:
    """The status's glyph and words in its colour; `host`: a host's status in a started step (`host_status_words`);
    `words`: other words for it (a rejection before the step ran is `GO-AHEAD REFUSED`, as the status row says)."""
    mark, tone = STATUS.get(status, ("·", "muted"))
    style = Style(color=colour(theme, tone), bold=status in _LOUD)
    words = words or (host_status_words(status) if host else STATUS_WORDS.get(status, status))
    return Text(f"{mark} {words}" if with_label else mark, style=style)
