"""The key footer, recomposed only when the keys it shows change.

Textual's `Footer` removes and mounts every key (and the screen is laid out
again) whenever its screen publishes `bindings_updated`: on every focus change
and on every screen pushed over it or popped off it (the help's `?`, each
dialog), though the keys are the same. This footer compares what it would
show with what it shows and recomposes only when a key came, went, was
enabled or disabled, or was renamed.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A `Footer` that skips recomposes which would show the same keys."""

    _shown: tuple[Hashable, ...] | None = None

    def _keys(self) -> tuple[Hashable, ...]:
        """Everything `Footer.compose` reads: each binding as displayed, shown or not, enabled or not, and the palette hint."""
        app = self.app
        keys = tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.show, enabled, tooltip, id(binding.group))
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
        return (*keys, self.show_command_palette, app.ENABLE_COMMAND_PALETTE)

    def compose(self) -> ComposeResult:
        self._shown = self._keys() if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if self.is_attached and self._keys() != self._shown:
            await self.recompose()
