"""The run screen's footer: Textual's, rebuilt only when the keys it shows change.

Textual's `Footer` recomposes (removes and mounts a widget per key) on every
binding update: each focus change and `refresh_bindings`. Before the run
screen's first frame that was five rebuilds of the same keys; here a rebuild
is skipped when the keys, their words and whether each works now are what the
footer already shows.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _composed: tuple[Any, ...] | None = None  # the keys the footer shows now (None: not composed yet)
    _pending: tuple[Any, ...] | None = None  # the keys at the last rebuild asked for and not yet made

    def _keys(self, screen: Screen[Any]) -> tuple[Any, ...]:
        """Everything `Footer.compose` draws from: each shown binding (key, words, action, group), whether it is enabled, its tooltip."""
        shown = tuple(
            (binding.key, binding.key_display, binding.description, binding.action, binding.group, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )
        palette = screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return shown, self.show_command_palette, palette[2] if palette else None

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed = self._keys(self.screen)
            self._pending = None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Rebuild (as Footer does) unless the footer shows these keys already or a rebuild for them is on its way."""
        rebuilds = screen.app.app_focus and self.is_attached and screen is self.screen  # when Footer rebuilds at all
        if not rebuilds:
            super().bindings_changed(screen)
            return
        keys = self._keys(screen)
        if keys == self._composed or keys == self._pending:
            return
        self._pending = keys
        super().bindings_changed(screen)
